#include "model/model.h"

#include "core/error.h"

namespace strata {

std::set<std::string> SqlTemplate::cubes() const {
  std::set<std::string> out;
  for (const auto& p : parts) {
    if (p.kind == Part::Kind::kCubeAlias) out.insert(p.text);
  }
  return out;
}

std::vector<std::string> SqlTemplate::measure_refs() const {
  std::vector<std::string> out;
  for (const auto& p : parts) {
    if (p.kind == Part::Kind::kMeasureRef) out.push_back(p.text);
  }
  return out;
}

std::string SqlTemplate::to_string() const {
  std::string out;
  for (const auto& p : parts) {
    switch (p.kind) {
      case Part::Kind::kText:
        out += p.text;
        break;
      case Part::Kind::kCubeAlias:
        out += "{" + p.text + "}";
        break;
      case Part::Kind::kMeasureRef:
        out += "{" + p.text + "}";
        break;
    }
  }
  return out;
}

std::string_view dimension_type_name(DimensionType t) {
  switch (t) {
    case DimensionType::kString:
      return "string";
    case DimensionType::kNumber:
      return "number";
    case DimensionType::kTime:
      return "time";
    case DimensionType::kBoolean:
      return "boolean";
  }
  return "string";
}

std::string_view measure_type_name(MeasureType t) {
  switch (t) {
    case MeasureType::kCount:
      return "count";
    case MeasureType::kCountDistinct:
      return "countDistinct";
    case MeasureType::kCountDistinctApprox:
      return "countDistinctApprox";
    case MeasureType::kSum:
      return "sum";
    case MeasureType::kAvg:
      return "avg";
    case MeasureType::kMin:
      return "min";
    case MeasureType::kMax:
      return "max";
    case MeasureType::kNumber:
      return "number";
  }
  return "number";
}

std::string_view relationship_name(Relationship r) {
  switch (r) {
    case Relationship::kManyToOne:
      return "many_to_one";
    case Relationship::kOneToMany:
      return "one_to_many";
    case Relationship::kOneToOne:
      return "one_to_one";
  }
  return "many_to_one";
}

template <typename T>
static const T* find_named(const std::vector<T>& items, std::string_view name) {
  for (const auto& item : items) {
    if (item.name == name) return &item;
  }
  return nullptr;
}

const Dimension* Cube::find_dimension(std::string_view n) const {
  return find_named(dimensions, n);
}
const Measure* Cube::find_measure(std::string_view n) const {
  return find_named(measures, n);
}
const Segment* Cube::find_segment(std::string_view n) const {
  return find_named(segments, n);
}

std::vector<const Dimension*> Cube::primary_keys() const {
  std::vector<const Dimension*> out;
  for (const auto& d : dimensions) {
    if (d.primary_key) out.push_back(&d);
  }
  return out;
}

const ViewMember* View::find_member(std::string_view n) const {
  return find_named(members, n);
}

Model::Model(std::vector<Cube> cubes, std::vector<View> views)
    : cubes_(std::move(cubes)), views_(std::move(views)) {
  for (size_t i = 0; i < cubes_.size(); ++i)
    cube_index_.emplace(cubes_[i].name, i);
  for (size_t i = 0; i < views_.size(); ++i)
    view_index_.emplace(views_[i].name, i);
  // cubes_ and views_ never change after this point, so the pointers below stay valid.
  for (const auto& cube : cubes_) {
    for (const auto& d : cube.dimensions) {
      members_[d.full_name()] = ResolvedMember{MemberKind::kDimension, &cube, &d};
    }
    for (const auto& m : cube.measures) {
      members_[m.full_name()] = ResolvedMember{MemberKind::kMeasure, &cube, nullptr, &m};
    }
    for (const auto& s : cube.segments) {
      members_[s.full_name()] = ResolvedMember{MemberKind::kSegment, &cube, nullptr, nullptr, &s};
    }
  }
  for (const auto& view : views_) {
    for (const auto& vm : view.members) {
      const Cube* cube = find_cube(vm.cube);
      if (!cube) continue;  // the loader reports this; a Model is only built from valid input
      ResolvedMember r;
      r.kind = vm.kind;
      r.cube = cube;
      r.view = &view;
      r.view_member = &vm;
      if (vm.kind == MemberKind::kDimension) r.dimension = cube->find_dimension(vm.member);
      if (vm.kind == MemberKind::kMeasure) r.measure = cube->find_measure(vm.member);
      if (vm.kind == MemberKind::kSegment) r.segment = cube->find_segment(vm.member);
      members_[view.name + "." + vm.name] = r;
    }
  }
  join_graph_ = JoinGraph(cubes_);
}

const Cube* Model::find_cube(std::string_view name) const {
  auto it = cube_index_.find(name);
  return it == cube_index_.end() ? nullptr : &cubes_[it->second];
}

const View* Model::find_view(std::string_view name) const {
  auto it = view_index_.find(name);
  return it == view_index_.end() ? nullptr : &views_[it->second];
}

const ResolvedMember* Model::find_member(std::string_view full_name) const {
  auto it = members_.find(full_name);
  return it == members_.end() ? nullptr : &it->second;
}

}  // namespace strata
