#include "plan/join_tree.h"

#include <algorithm>

#include "core/error.h"

namespace strata {

namespace {

Relationship flip(Relationship r) {
  switch (r) {
    case Relationship::kManyToOne: return Relationship::kOneToMany;
    case Relationship::kOneToMany: return Relationship::kManyToOne;
    case Relationship::kOneToOne: return Relationship::kOneToOne;
  }
  return r;
}

// The same join walked the other way.
JoinStep reverse(const JoinStep& s) {
  return JoinStep{s.to, s.from, s.join, !s.reversed, flip(s.relationship)};
}

}  // namespace

bool JoinTree::contains(const std::string& cube) const {
  return cube == root_->name || parent_.count(cube) > 0;
}

std::vector<const Cube*> JoinTree::cubes() const {
  std::vector<const Cube*> out{root_};
  for (const auto& [name, step] : parent_) out.push_back(step.to);
  return out;
}

void JoinTree::attach(const std::string& cube) {
  if (contains(cube)) return;
  // The root's path first; among equally short paths from other tree cubes,
  // the one found first in tree order. Walk the path and add every new cube.
  std::vector<JoinStep> best = model_->join_graph().path(root_->name, cube);
  for (const auto& [name, step] : parent_) {
    if (!model_->join_graph().connected(name, cube)) continue;
    auto p = model_->join_graph().path(name, cube);
    if (p.size() < best.size()) best = std::move(p);
  }
  for (const auto& step : best) {
    if (!contains(step.to->name)) parent_.emplace(step.to->name, step);
  }
}

JoinTree JoinTree::shortest_paths(const Model& model, const Cube& root,
                                  const std::set<std::string>& cubes) {
  JoinTree t;
  t.model_ = &model;
  t.root_ = &root;
  // Attach in model order, not name order, so the result does not depend on
  // how cubes happen to be named.
  for (const auto& c : model.cubes()) {
    if (cubes.count(c.name) && c.name != root.name) {
      auto p = model.join_graph().path(root.name, c.name);
      for (const auto& step : p) {
        if (!t.contains(step.to->name)) t.parent_.emplace(step.to->name, step);
      }
    }
  }
  return t;
}

JoinTree JoinTree::declared_paths(const Model& model,
                                  const std::vector<std::vector<std::string>>& paths,
                                  const std::set<std::string>& cubes) {
  if (paths.empty() || paths[0].empty()) throw InternalError("a view member without a join path");
  JoinTree t;
  t.model_ = &model;
  t.root_ = model.find_cube(paths[0][0]);
  if (!t.root_) throw InternalError("view root '" + paths[0][0] + "' is not a cube");
  for (const auto& path : paths) {
    for (size_t i = 1; i < path.size(); ++i) {
      if (t.contains(path[i])) continue;
      const JoinStep* found = nullptr;
      for (const auto& e : model.join_graph().edges(path[i - 1])) {
        if (e.to->name == path[i]) {
          found = &e;
          break;
        }
      }
      if (!found) {
        throw UserError("the view's join path goes from '" + path[i - 1] + "' to '" + path[i] +
                        "', but no join connects them");
      }
      t.parent_.emplace(path[i], *found);
    }
  }
  for (const auto& c : model.cubes()) {
    if (cubes.count(c.name)) t.attach(c.name);
  }
  return t;
}

std::vector<JoinStep> JoinTree::path_from_root(const std::string& cube) const {
  std::vector<JoinStep> steps;
  std::string at = cube;
  while (at != root_->name) {
    auto it = parent_.find(at);
    if (it == parent_.end()) throw InternalError("cube '" + cube + "' is not in the join tree");
    steps.push_back(it->second);
    at = it->second.from->name;
  }
  std::reverse(steps.begin(), steps.end());
  return steps;
}

std::vector<JoinStep> JoinTree::path(const std::string& from, const std::string& to) const {
  if (from == to) return {};
  auto up = path_from_root(from);
  auto down = path_from_root(to);
  size_t common = 0;
  while (common < up.size() && common < down.size() && up[common].to == down[common].to) ++common;
  std::vector<JoinStep> steps;
  for (size_t i = up.size(); i > common; --i) steps.push_back(reverse(up[i - 1]));
  for (size_t i = common; i < down.size(); ++i) steps.push_back(down[i]);
  return steps;
}

std::vector<JoinStep> JoinTree::joins_from(const std::string& start,
                                           const std::set<std::string>& targets) const {
  std::vector<JoinStep> out;
  std::set<std::string> joined{start};
  // Targets in model order, for a deterministic join order.
  for (const auto& c : model_->cubes()) {
    if (!targets.count(c.name)) continue;
    for (const auto& step : path(start, c.name)) {
      if (joined.insert(step.to->name).second) out.push_back(step);
    }
  }
  return out;
}

bool JoinTree::multiplies(const std::vector<JoinStep>& steps) {
  return std::any_of(steps.begin(), steps.end(),
                     [](const JoinStep& s) { return s.relationship == Relationship::kOneToMany; });
}

}  // namespace strata
