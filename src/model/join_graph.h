// The join graph: cubes are nodes, each declared join an edge that can be
// walked both ways (walking it backwards flips the relationship:
// many_to_one seen from the other side is one_to_many).
//
// Paths are deterministic: breadth-first from the start cube, expanding the
// cubes of a level in the order reached and their edges in model order
// (a cube's own declared joins first, in declaration order, then joins other
// cubes declare to it, in the order those cubes were loaded). So the shortest
// path wins and ties go to declaration order.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace strata {

struct Cube;
struct Join;
enum class Relationship;

struct JoinStep {
  const Cube* from = nullptr;
  const Cube* to = nullptr;
  const Join* join = nullptr;  // the declared join (declared on `from` unless `reversed`)
  bool reversed = false;       // walked against its declaration (declared on `to`)
  // The relationship as seen walking from `from` to `to` (flipped when reversed).
  Relationship relationship;
};

class JoinGraph {
 public:
  JoinGraph() = default;
  // `cubes` must outlive the graph (the Model owns both).
  explicit JoinGraph(const std::vector<Cube>& cubes);

  // Steps from `from` to `to`; empty when from == to. Throws UserError naming
  // both cubes when no path exists.
  std::vector<JoinStep> path(std::string_view from, std::string_view to) const;
  // Whether any path exists.
  bool connected(std::string_view from, std::string_view to) const;
  // Edges leaving `cube` in the deterministic order described above.
  const std::vector<JoinStep>& edges(std::string_view cube) const;

 private:
  std::vector<std::string> names_;
  std::vector<std::vector<JoinStep>> edges_;  // by index in names_
  int index_of(std::string_view name) const;
};

}  // namespace strata
