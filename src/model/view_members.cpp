#include "model/view_members.h"

#include <algorithm>
#include <map>

#include "model/suggest.h"

namespace strata::model_loader {

namespace {

const char* const kNameHint = "names use letters, digits and underscores and start with a letter";

std::optional<ViewCubeDraft::Include> parse_include(const YAML::Node& item, const FileReader& r,
                                                    const std::string& view) {
  ViewCubeDraft::Include inc;
  inc.loc = r.at(item);
  if (item.IsScalar()) {
    inc.name = item.Scalar();
    return inc;
  }
  if (!item.IsMap()) {
    r.report(item, "each entry of 'includes' must be a member name or a map", view,
             "write '- status' or '- name: status' with an optional 'alias:'");
    return std::nullopt;
  }
  for (const auto& kv : item) {
    std::string key = snake_case(kv.first.Scalar());
    if (key == "name") inc.name = r.string_value(kv.second, key, view).value_or("");
    if (key == "alias") inc.alias = r.string_value(kv.second, key, view).value_or("");
    if (key == "title") inc.title = r.string_value(kv.second, key, view).value_or("");
    if (key == "description") {
      inc.description = r.string_value(kv.second, key, view).value_or("");
    }
  }
  if (inc.name.empty()) {
    r.report(item, "an entry of 'includes' in view " + view + " has no name", view,
             "add 'name: <member>' to it");
    return std::nullopt;
  }
  if (!inc.alias.empty() && !is_identifier(inc.alias)) {
    r.report(item, "alias '" + inc.alias + "' is not a valid name", view, kNameHint);
  }
  return inc;
}

std::optional<ViewCubeDraft> parse_view_cube(const YAML::Node& node, const FileReader& r,
                                             const std::string& view) {
  ViewCubeDraft entry;
  entry.loc = r.at(node);
  for (const auto& kv : node) {
    std::string key = snake_case(kv.first.Scalar());
    const YAML::Node& value = kv.second;
    if (key == "join_path") {
      entry.join_path = r.string_value(value, key, view).value_or("");
    } else if (key == "alias") {
      entry.alias = r.string_value(value, key, view).value_or("");
    } else if (key == "prefix") {
      entry.prefix = r.bool_value(value, key, view).value_or(false);
    } else if (key == "includes") {
      if (value.IsScalar() && value.Scalar() == "*") {
        entry.include_all = true;
      } else if (value.IsScalar()) {
        entry.includes.push_back({value.Scalar(), "", "", "", r.at(value)});
      } else if (value.IsSequence()) {
        for (const auto& item : value) {
          if (auto inc = parse_include(item, r, view)) entry.includes.push_back(std::move(*inc));
        }
      } else if (!value.IsNull()) {
        r.report(value, "'includes' must be \"*\" or a list of members", view,
                 "write includes: \"*\" or includes: [a, b]");
      }
    } else if (key == "excludes") {
      if (value.IsScalar()) {
        entry.excludes.push_back({value.Scalar(), r.at(value)});
      } else if (value.IsSequence()) {
        for (const auto& item : value) {
          if (item.IsScalar()) {
            entry.excludes.push_back({item.Scalar(), r.at(item)});
          } else {
            r.report(item, "each entry of 'excludes' must be a member name", view,
                     "write excludes: [a, b]");
          }
        }
      } else if (!value.IsNull()) {
        r.report(value, "'excludes' must be a list of members", view, "write excludes: [a, b]");
      }
    }
  }
  if (entry.join_path.empty()) {
    r.report(node, "an entry of 'cubes' in view " + view + " has no join_path", view,
             "add join_path: <root_cube> or <root_cube>.<joined_cube>...");
    return std::nullopt;
  }
  if (!entry.alias.empty() && !is_identifier(entry.alias)) {
    r.report(node, "alias '" + entry.alias + "' is not a valid name", view, kNameHint);
  }
  return entry;
}

std::vector<std::string> split_path(const std::string& path) {
  std::vector<std::string> out;
  size_t start = 0;
  while (true) {
    size_t dot = path.find('.', start);
    out.push_back(path.substr(start, dot == std::string::npos ? dot : dot - start));
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  return out;
}

bool joined(const Cube& a, const Cube& b) {
  auto declares = [](const Cube& from, const Cube& to) {
    return std::any_of(from.joins.begin(), from.joins.end(),
                       [&](const Join& j) { return j.target == to.name; });
  };
  return declares(a, b) || declares(b, a);
}

std::vector<std::string> member_names(const Cube& c) {
  std::vector<std::string> out;
  for (const auto& d : c.dimensions)
    out.push_back(d.name);
  for (const auto& m : c.measures)
    out.push_back(m.name);
  for (const auto& s : c.segments)
    out.push_back(s.name);
  return out;
}

std::optional<MemberKind> member_kind(const Cube& c, const std::string& name) {
  if (c.find_dimension(name)) return MemberKind::kDimension;
  if (c.find_measure(name)) return MemberKind::kMeasure;
  if (c.find_segment(name)) return MemberKind::kSegment;
  return std::nullopt;
}

class ViewBuilder {
 public:
  ViewBuilder(const std::vector<Cube>& cubes, Issues& issues) : issues_(issues) {
    for (const auto& c : cubes) {
      by_name_.emplace(c.name, &c);
      cube_names_.push_back(c.name);
    }
  }

  View build(ViewDraft& draft) {
    View view = std::move(draft.def);
    view.members.clear();
    if (draft.cubes.empty()) {
      issues_.add("view " + view.name + " has no cubes", view.loc, view.name,
                  "add cubes: with entries such as '- join_path: orders' and 'includes: \"*\"'");
    }
    root_.clear();
    exposed_.clear();
    for (const auto& entry : draft.cubes)
      add_entry(view, entry);
    return view;
  }

 private:
  // The cubes along `entry`'s join path, or empty after reporting why not.
  std::vector<const Cube*> walk(const View& view, const ViewCubeDraft& entry) {
    std::vector<std::string> names = split_path(entry.join_path);
    std::vector<const Cube*> path;
    for (const auto& name : names) {
      auto it = by_name_.find(name);
      if (it == by_name_.end()) {
        issues_.add("join_path '" + entry.join_path + "' of view " + view.name +
                        " names unknown cube '" + name + "'",
                    entry.loc, view.name, suggestion(name, cube_names_, "the model's cubes are"));
        return {};
      }
      path.push_back(it->second);
    }
    if (root_.empty()) root_ = names.front();
    if (names.front() != root_) {
      issues_.add("join_path '" + entry.join_path + "' of view " + view.name + " starts at " +
                      names.front() + ", but the view's root cube is " + root_,
                  entry.loc, view.name,
                  "every join_path of a view starts at the same cube (here " + root_ + "), e.g. " +
                      root_ + "." + names.back());
      return {};
    }
    for (size_t i = 1; i < path.size(); ++i) {
      if (!joined(*path[i - 1], *path[i])) {
        issues_.add("join_path '" + entry.join_path + "' of view " + view.name + " steps from " +
                        path[i - 1]->name + " to " + path[i]->name + ", but no join connects them",
                    entry.loc, view.name,
                    "declare a join between " + path[i - 1]->name + " and " + path[i]->name +
                        " in either cube, or follow the joins the model declares");
        return {};
      }
    }
    return path;
  }

  void add_entry(View& view, const ViewCubeDraft& entry) {
    std::vector<const Cube*> path = walk(view, entry);
    if (path.empty()) return;
    const Cube& cube = *path.back();
    std::vector<std::string> join_path;
    for (const Cube* c : path)
      join_path.push_back(c->name);

    std::vector<ViewCubeDraft::Include> selected;
    if (entry.include_all) {
      for (const auto& name : member_names(cube))
        selected.push_back({name, "", "", "", entry.loc});
    }
    for (const auto& inc : entry.includes) {
      if (member_kind(cube, inc.name)) {
        selected.push_back(inc);
      } else {
        issues_.add(
            "view " + view.name + " includes unknown member '" + cube.name + "." + inc.name + "'",
            inc.loc, view.name,
            suggestion(inc.name, member_names(cube), "cube " + cube.name + " has"));
      }
    }
    for (const auto& ex : entry.excludes) {
      if (!member_kind(cube, ex.name)) {
        issues_.add(
            "view " + view.name + " excludes unknown member '" + cube.name + "." + ex.name + "'",
            ex.loc, view.name,
            suggestion(ex.name, member_names(cube), "cube " + cube.name + " has"));
        continue;
      }
      std::erase_if(selected, [&](const auto& inc) { return inc.name == ex.name; });
    }

    for (const auto& inc : selected) {
      std::string base = inc.alias.empty() ? inc.name : inc.alias;
      std::string name =
          entry.prefix ? (entry.alias.empty() ? cube.name : entry.alias) + "_" + base : base;
      auto [it, inserted] = exposed_.emplace(name, cube.name + "." + inc.name);
      if (!inserted) {
        issues_.add("view " + view.name + " exposes two members named '" + name + "' (" +
                        it->second + " and " + cube.name + "." + inc.name + ")",
                    inc.loc, view.name + "." + name,
                    "exclude one of them, give one an alias, or set prefix: true on its cubes "
                    "entry");
        continue;
      }
      ViewMember m;
      m.name = name;
      m.kind = *member_kind(cube, inc.name);
      m.cube = cube.name;
      m.member = inc.name;
      m.join_path = join_path;
      m.title = inc.title;
      m.description = inc.description;
      view.members.push_back(std::move(m));
    }
  }

  Issues& issues_;
  std::map<std::string, const Cube*, std::less<>> by_name_;
  std::vector<std::string> cube_names_;
  std::string root_;                            // of the view being built
  std::map<std::string, std::string> exposed_;  // exposed name -> "cube.member"
};

}  // namespace

std::optional<ViewDraft> parse_view(const YAML::Node& node, const FileReader& r) {
  ViewDraft draft;
  View& view = draft.def;
  view.loc = r.at(node);
  for (const auto& kv : node) {
    if (kv.first.Scalar() == "name") view.name = r.string_value(kv.second, "name", "").value_or("");
  }
  if (view.name.empty()) {
    r.report(node, "view has no name", "", "add 'name: <view_name>' to it");
    return std::nullopt;
  }
  if (!is_identifier(view.name)) {
    r.report(node, "view name '" + view.name + "' is not a valid name", view.name, kNameHint);
  }
  for (const auto& kv : node) {
    std::string key = snake_case(kv.first.Scalar());
    const YAML::Node& value = kv.second;
    if (key == "title") {
      view.title = r.string_value(value, key, view.name).value_or("");
    } else if (key == "description") {
      view.description = r.string_value(value, key, view.name).value_or("");
    } else if (key == "public" || key == "shown") {
      view.shown = r.bool_value(value, key, view.name).value_or(true);
    } else if (key == "meta") {
      view.meta_json = value.IsNull() ? "" : yaml_to_json(value);
    } else if (key == "cubes") {
      for (const auto& n : r.map_list(value, key, view.name)) {
        if (auto entry = parse_view_cube(n, r, view.name)) draft.cubes.push_back(std::move(*entry));
      }
    }
    // folders, access_policy and the like are not supported yet and ignored.
  }
  return draft;
}

std::vector<View> build_views(std::vector<ViewDraft>& views, const std::vector<Cube>& cubes,
                              Issues& issues) {
  ViewBuilder builder(cubes, issues);
  std::vector<View> out;
  out.reserve(views.size());
  for (auto& draft : views)
    out.push_back(builder.build(draft));
  return out;
}

}  // namespace strata::model_loader
