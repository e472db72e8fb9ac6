// JoinTree: the joins one query uses, as a tree over cubes. Built either
// from a root cube by shortest paths in the model's join graph, or from a
// view's declared join paths (which then win over shorter ones).
//
// Measures are aggregated from their own cube's point of view, so the tree
// answers "which joins lead from cube C to cubes X, Y, and does walking them
// from C multiply C's rows" (a step seen as one_to_many does).
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "model/model.h"

namespace strata {

class JoinTree {
 public:
  // Tree rooted at `root` reaching every cube in `cubes` by the shortest path
  // (ties by declaration order). Throws UserError when one is not connected.
  static JoinTree shortest_paths(const Model& model, const Cube& root,
                                 const std::set<std::string>& cubes);
  // Tree made of a view's declared paths (each a list of cube names from the
  // view's root), extended by shortest paths for any other cube in `cubes`.
  static JoinTree declared_paths(const Model& model,
                                 const std::vector<std::vector<std::string>>& paths,
                                 const std::set<std::string>& cubes);

  const Cube& root() const { return *root_; }
  bool contains(const std::string& cube) const;
  // Every cube in the tree: the root, then the others by name.
  std::vector<const Cube*> cubes() const;

  // The steps leading from `from` to `to` within the tree (walking up towards
  // the root and down again as needed). Empty when from == to.
  std::vector<JoinStep> path(const std::string& from, const std::string& to) const;

  // The joins needed to reach every cube in `targets` from `start`, in an
  // order where each step's `from` is already joined (start first).
  std::vector<JoinStep> joins_from(const std::string& start,
                                   const std::set<std::string>& targets) const;

  // Whether any of those steps is one_to_many as walked from `start`:
  // rows of `start` would be repeated and its measures need deduplication.
  static bool multiplies(const std::vector<JoinStep>& steps);

 private:
  const Model* model_ = nullptr;
  const Cube* root_ = nullptr;
  std::map<std::string, JoinStep> parent_;  // cube -> the step that reaches it from its parent
  // Attaches `cube` by the shortest graph path from the nearest cube already in the tree.
  void attach(const std::string& cube);
  std::vector<JoinStep> path_from_root(const std::string& cube) const;
};

}  // namespace strata
