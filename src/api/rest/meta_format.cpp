#include "api/rest/meta_format.h"

#include <boost/json.hpp>
#include <deque>
#include <map>

#include "api/rest/member_json.h"
#include "api/rest/titles.h"

namespace strata {

namespace json = boost::json;

namespace {

// Numbers the connected parts of the join graph from 1, in model order:
// two cubes get the same number when some join path links them.
std::map<std::string, int, std::less<>> connected_components(const Model& model) {
  std::map<std::string, int, std::less<>> component;
  int next = 0;
  for (const auto& cube : model.cubes()) {
    if (component.count(cube.name)) continue;
    ++next;
    std::deque<std::string> todo{cube.name};
    component[cube.name] = next;
    while (!todo.empty()) {
      std::string current = std::move(todo.front());
      todo.pop_front();
      for (const auto& step : model.join_graph().edges(current)) {
        if (step.to == nullptr || component.count(step.to->name)) continue;
        component[step.to->name] = next;
        todo.push_back(step.to->name);
      }
    }
  }
  return component;
}

struct Members {
  json::array measures, dimensions, segments;
  bool any_public = false;
};

void add_member(Members& out, const std::string& full_name, const Model& model,
                const MetaOptions& options) {
  const ResolvedMember* m = model.find_member(full_name);
  if (m == nullptr) return;
  bool visible = member_public(*m);
  if (!visible && !options.include_hidden) return;
  out.any_public = out.any_public || visible;
  json::object entry = meta_member(full_name, *m, model, options.extended);
  switch (m->kind) {
    case MemberKind::kMeasure: out.measures.push_back(std::move(entry)); break;
    case MemberKind::kDimension: out.dimensions.push_back(std::move(entry)); break;
    case MemberKind::kSegment: out.segments.push_back(std::move(entry)); break;
  }
}

json::object container(const std::string& name, std::string_view type, const std::string& title,
                       const std::string& description, bool shown, const std::string& meta_json,
                       Members members) {
  json::object out;
  out["name"] = name;
  out["type"] = type;
  out["title"] = title;
  if (!description.empty()) out["description"] = description;
  out["isVisible"] = shown;
  out["public"] = shown;
  if (!meta_json.empty()) out["meta"] = meta_value(meta_json);
  out["measures"] = std::move(members.measures);
  out["dimensions"] = std::move(members.dimensions);
  out["segments"] = std::move(members.segments);
  out["hierarchies"] = json::array();
  out["folders"] = json::array();
  out["nestedFolders"] = json::array();
  return out;
}

}  // namespace

json::object format_meta(const Model& model, const MetaOptions& options) {
  json::array cubes;
  if (!options.only_views) {
    auto components = connected_components(model);
    for (const auto& cube : model.cubes()) {
      Members members;
      for (const auto& m : cube.measures) add_member(members, m.full_name(), model, options);
      for (const auto& d : cube.dimensions) add_member(members, d.full_name(), model, options);
      for (const auto& s : cube.segments) add_member(members, s.full_name(), model, options);
      if (!options.include_hidden && !members.any_public) continue;
      json::object c = container(cube.name, "cube", cube_title(cube), cube.description, cube.shown,
                                 cube.meta_json, std::move(members));
      if (auto it = components.find(cube.name); it != components.end()) {
        c["connectedComponent"] = it->second;
      }
      if (options.extended) {
        if (!cube.sql_table.empty()) c["sqlTable"] = cube.sql_table;
        if (!cube.sql.empty()) c["sql"] = cube.sql;
        c["dataSource"] = cube.data_source;
        json::array joins;
        for (const auto& j : cube.joins) {
          json::object join;
          join["name"] = j.target;
          join["relationship"] = relationship_name(j.relationship);
          join["sql"] = j.on.to_string();
          joins.push_back(std::move(join));
        }
        c["joins"] = std::move(joins);
      }
      cubes.push_back(std::move(c));
    }
  }
  for (const auto& view : model.views()) {
    Members members;
    // Cube lists a view's measures, then dimensions, then segments.
    for (MemberKind kind : {MemberKind::kMeasure, MemberKind::kDimension, MemberKind::kSegment}) {
      for (const auto& vm : view.members) {
        if (vm.kind == kind) add_member(members, view.name + "." + vm.name, model, options);
      }
    }
    if (!options.include_hidden && !members.any_public) continue;
    json::object c = container(view.name, "view", view_title(view), view.description, view.shown,
                               view.meta_json, std::move(members));
    cubes.push_back(std::move(c));
  }
  json::object out;
  out["cubes"] = std::move(cubes);
  return out;
}

}  // namespace strata
