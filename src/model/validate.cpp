#include "model/validate.h"

#include <algorithm>
#include <map>
#include <set>

#include "model/suggest.h"

namespace strata::model_loader {

namespace {

std::string where(const SourceLocation& loc) {
  return loc.line > 0 ? loc.file + ":" + std::to_string(loc.line) : loc.file;
}

std::vector<std::string> cube_names(const ModelDraft& model) {
  std::vector<std::string> out;
  for (const auto& c : model.cubes)
    out.push_back(c.def.name);
  return out;
}

// Removes the elements of `items` whose positions are in `drop`.
template <typename T>
void erase_positions(std::vector<T>& items, const std::set<size_t>& drop) {
  if (drop.empty()) return;
  std::vector<T> kept;
  for (size_t i = 0; i < items.size(); ++i) {
    if (!drop.contains(i)) kept.push_back(std::move(items[i]));
  }
  items = std::move(kept);
}

void remove_duplicate_members(CubeDraft& cube, Issues& issues) {
  struct Entry {
    std::string name;
    SourceLocation loc;
    MemberKind kind;
    size_t index;
  };
  std::vector<Entry> entries;
  for (size_t i = 0; i < cube.dimensions.size(); ++i) {
    const auto& d = cube.dimensions[i].def;
    entries.push_back({d.name, d.loc, MemberKind::kDimension, i});
  }
  for (size_t i = 0; i < cube.measures.size(); ++i) {
    const auto& m = cube.measures[i].def;
    entries.push_back({m.name, m.loc, MemberKind::kMeasure, i});
  }
  for (size_t i = 0; i < cube.segments.size(); ++i) {
    const auto& s = cube.segments[i].def;
    entries.push_back({s.name, s.loc, MemberKind::kSegment, i});
  }
  // A cube's members all sit in one file, so the line says which came first.
  std::stable_sort(entries.begin(), entries.end(),
                   [](const Entry& a, const Entry& b) { return a.loc.line < b.loc.line; });
  static const char* const kKindNames[] = {"dimension", "measure", "segment"};
  std::map<std::string, const Entry*> first;
  std::set<size_t> drop[3];
  for (const auto& e : entries) {
    auto [it, inserted] = first.emplace(e.name, &e);
    if (inserted) continue;
    const Entry& original = *it->second;
    std::string full = cube.def.name + "." + e.name;
    issues.add("duplicate member name '" + full + "'", e.loc, full,
               full + " is already defined as a " + kKindNames[static_cast<int>(original.kind)] +
                   " at " + where(original.loc) +
                   "; dimensions, measures and segments of a cube share one namespace, so "
                   "rename one of them");
    drop[static_cast<int>(e.kind)].insert(e.index);
  }
  erase_positions(cube.dimensions, drop[static_cast<int>(MemberKind::kDimension)]);
  erase_positions(cube.measures, drop[static_cast<int>(MemberKind::kMeasure)]);
  erase_positions(cube.segments, drop[static_cast<int>(MemberKind::kSegment)]);
}

}  // namespace

void remove_duplicates(ModelDraft& model, Issues& issues) {
  std::map<std::string, SourceLocation> cubes;
  std::set<size_t> drop_cubes;
  for (size_t i = 0; i < model.cubes.size(); ++i) {
    const Cube& c = model.cubes[i].def;
    auto [it, inserted] = cubes.emplace(c.name, c.loc);
    if (!inserted) {
      issues.add("duplicate cube name '" + c.name + "'", c.loc, c.name,
                 "cube " + c.name + " is already defined at " + where(it->second) +
                     "; rename one of them");
      drop_cubes.insert(i);
    }
  }
  erase_positions(model.cubes, drop_cubes);

  std::map<std::string, SourceLocation> views;
  std::set<size_t> drop_views;
  for (size_t i = 0; i < model.views.size(); ++i) {
    const View& v = model.views[i].def;
    if (auto cube = cubes.find(v.name); cube != cubes.end()) {
      issues.add("view name '" + v.name + "' is already the name of a cube", v.loc, v.name,
                 "cube " + v.name + " is defined at " + where(cube->second) +
                     "; cubes and views share one namespace, so rename the view");
      drop_views.insert(i);
      continue;
    }
    auto [it, inserted] = views.emplace(v.name, v.loc);
    if (!inserted) {
      issues.add("duplicate view name '" + v.name + "'", v.loc, v.name,
                 "view " + v.name + " is already defined at " + where(it->second) +
                     "; rename one of them");
      drop_views.insert(i);
    }
  }
  erase_positions(model.views, drop_views);

  for (auto& cube : model.cubes)
    remove_duplicate_members(cube, issues);
}

void check_join_targets(ModelDraft& model, Issues& issues) {
  std::set<std::string, std::less<>> known;
  for (const auto& c : model.cubes)
    known.insert(c.def.name);
  std::vector<std::string> names = cube_names(model);
  for (auto& cube : model.cubes) {
    std::set<size_t> drop;
    for (size_t i = 0; i < cube.joins.size(); ++i) {
      const Join& j = cube.joins[i].def;
      if (known.contains(j.target)) continue;
      bool is_view = std::any_of(model.views.begin(), model.views.end(),
                                 [&](const ViewDraft& v) { return v.def.name == j.target; });
      issues.add("join from " + cube.def.name + " to unknown cube '" + j.target + "'", j.loc,
                 cube.def.name,
                 is_view ? j.target +
                               " is a view; joins connect cubes, so join the cube it is "
                               "built on"
                         : suggestion(j.target, names, "the model's cubes are"));
      drop.insert(i);
    }
    erase_positions(cube.joins, drop);
  }
}

void resolve_drill_members(ModelDraft& model, Issues& issues) {
  std::map<std::string, const CubeDraft*> by_name;
  for (const auto& c : model.cubes)
    by_name.emplace(c.def.name, &c);
  auto members_of = [](const CubeDraft& c) {
    std::vector<std::string> out;
    for (const auto& d : c.dimensions)
      out.push_back(d.def.name);
    for (const auto& m : c.measures)
      out.push_back(m.def.name);
    for (const auto& s : c.segments)
      out.push_back(s.def.name);
    return out;
  };
  for (auto& cube : model.cubes) {
    for (auto& m : cube.measures) {
      m.def.drill_members.clear();
      for (const auto& written : m.drill_members) {
        size_t dot = written.find('.');
        std::string cube_name = dot == std::string::npos ? cube.def.name : written.substr(0, dot);
        std::string member = dot == std::string::npos ? written : written.substr(dot + 1);
        std::string full = cube_name + "." + member;
        auto it = by_name.find(cube_name);
        if (it == by_name.end()) {
          issues.add("drill member '" + written + "' of measure " + m.def.full_name() +
                         " names unknown cube '" + cube_name + "'",
                     m.drill_loc, m.def.full_name(),
                     suggestion(cube_name, cube_names(model), "the model's cubes are"));
          continue;
        }
        std::vector<std::string> members = members_of(*it->second);
        if (std::find(members.begin(), members.end(), member) == members.end()) {
          issues.add("unknown drill member '" + full + "' of measure " + m.def.full_name(),
                     m.drill_loc, m.def.full_name(),
                     suggestion(member, members, "cube " + cube_name + " has"));
          continue;
        }
        m.def.drill_members.push_back(full);
      }
    }
  }
}

void check_primary_keys(const ModelDraft& model, Issues& issues) {
  std::set<std::string> joined;
  for (const auto& c : model.cubes) {
    for (const auto& j : c.joins) {
      joined.insert(c.def.name);
      joined.insert(j.def.target);
    }
  }
  for (const auto& c : model.cubes) {
    if (c.measures.empty() || !joined.contains(c.def.name)) continue;
    bool has_key = std::any_of(c.dimensions.begin(), c.dimensions.end(),
                               [](const DimensionDraft& d) { return d.def.primary_key; });
    if (has_key) continue;
    issues.add("cube " + c.def.name + " has measures and joins but no primary key", c.def.loc,
               c.def.name,
               "add primary_key: true to the dimension that uniquely identifies a row of " +
                   c.def.name + " (measures are deduplicated by it when a join fans out rows)");
  }
}

}  // namespace strata::model_loader
