#include "model/join_graph.h"

#include <deque>

#include "core/error.h"
#include "model/model.h"

namespace strata {

namespace {

Relationship flip(Relationship r) {
  switch (r) {
    case Relationship::kManyToOne:
      return Relationship::kOneToMany;
    case Relationship::kOneToMany:
      return Relationship::kManyToOne;
    case Relationship::kOneToOne:
      return Relationship::kOneToOne;
  }
  return r;
}

}  // namespace

JoinGraph::JoinGraph(const std::vector<Cube>& cubes) {
  names_.reserve(cubes.size());
  for (const auto& c : cubes)
    names_.push_back(c.name);
  edges_.resize(cubes.size());
  // A cube's own joins first, in declaration order...
  for (size_t i = 0; i < cubes.size(); ++i) {
    for (const auto& j : cubes[i].joins) {
      int t = index_of(j.target);
      if (t < 0) continue;  // reported by the loader
      edges_[i].push_back(JoinStep{&cubes[i], &cubes[t], &j, false, j.relationship});
    }
  }
  // ...then joins declared towards it by other cubes, in load order.
  for (size_t i = 0; i < cubes.size(); ++i) {
    for (const auto& j : cubes[i].joins) {
      int t = index_of(j.target);
      if (t < 0 || static_cast<size_t>(t) == i) continue;
      edges_[t].push_back(JoinStep{&cubes[t], &cubes[i], &j, true, flip(j.relationship)});
    }
  }
}

int JoinGraph::index_of(std::string_view name) const {
  for (size_t i = 0; i < names_.size(); ++i) {
    if (names_[i] == name) return static_cast<int>(i);
  }
  return -1;
}

const std::vector<JoinStep>& JoinGraph::edges(std::string_view cube) const {
  static const std::vector<JoinStep> kNone;
  int i = index_of(cube);
  return i < 0 ? kNone : edges_[i];
}

std::vector<JoinStep> JoinGraph::path(std::string_view from, std::string_view to) const {
  int start = index_of(from);
  int goal = index_of(to);
  if (start < 0 || goal < 0) {
    throw UserError("cannot join '" + std::string(from) + "' to '" + std::string(to) +
                    "': " + std::string(start < 0 ? from : to) + " is not a cube");
  }
  if (start == goal) return {};
  // Breadth-first search; the first time a node is reached is along a
  // shortest path, and expansion order makes ties go to declaration order.
  std::vector<int> via(names_.size(), -1);  // index into edges_[parent] used to reach a node
  std::vector<int> parent(names_.size(), -1);
  std::vector<bool> seen(names_.size(), false);
  std::deque<int> queue{start};
  seen[start] = true;
  while (!queue.empty() && !seen[goal]) {
    int n = queue.front();
    queue.pop_front();
    for (size_t e = 0; e < edges_[n].size(); ++e) {
      int t = index_of(edges_[n][e].to->name);
      if (seen[t]) continue;
      seen[t] = true;
      parent[t] = n;
      via[t] = static_cast<int>(e);
      queue.push_back(t);
    }
  }
  if (!seen[goal]) {
    throw UserError("cubes '" + std::string(from) + "' and '" + std::string(to) +
                        "' are not connected by any join",
                    {.hint = "add a join between them (or through other cubes) in the model, or "
                             "query them separately"});
  }
  std::vector<JoinStep> steps;
  for (int n = goal; n != start; n = parent[n])
    steps.push_back(edges_[parent[n]][via[n]]);
  return {steps.rbegin(), steps.rend()};
}

bool JoinGraph::connected(std::string_view from, std::string_view to) const {
  try {
    path(from, to);
    return true;
  } catch (const UserError&) {
    return false;
  }
}

}  // namespace strata
