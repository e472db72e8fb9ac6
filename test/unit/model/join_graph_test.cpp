// JoinGraph::path over loaded models: the expected paths follow from the
// joins each model declares.
#include <gtest/gtest.h>

#include "model/loader.h"
#include "model_test_util.h"

namespace strata {
namespace {

using testing::load_yaml;

std::shared_ptr<const Model> shop() {
  static auto model =
      load_model(std::filesystem::path(STRATA_SOURCE_DIR) / "test/fixtures/shop/model");
  return model;
}

// "from>to" for each step, e.g. {"line_items>orders", "orders>users"}.
std::vector<std::string> hops(const std::vector<JoinStep>& steps) {
  std::vector<std::string> out;
  for (const auto& s : steps)
    out.push_back(s.from->name + ">" + s.to->name);
  return out;
}

// A cube with a primary key and no measures, joined to `joins` (name:relationship).
std::string cube_yaml(const std::string& name, const std::vector<std::string>& targets) {
  std::string y = "  - name: " + name + "\n    sql_table: " + name + "\n";
  if (!targets.empty()) {
    y += "    joins:\n";
    for (const auto& t : targets) {
      y += "      - name: " + t +
           "\n        relationship: many_to_one\n        sql: \"{CUBE}.x = {" + t + "}.x\"\n";
    }
  }
  y += "    dimensions:\n      - name: id\n        sql: id\n        type: number\n"
       "        primary_key: true\n";
  return y;
}

TEST(JoinGraph, MultiHopAlongDeclaredJoins) {
  auto steps = shop()->join_graph().path("line_items", "users");
  EXPECT_EQ(hops(steps), (std::vector<std::string>{"line_items>orders", "orders>users"}));
  ASSERT_EQ(steps.size(), 2u);
  EXPECT_FALSE(steps[0].reversed);
  EXPECT_EQ(steps[0].relationship, Relationship::kManyToOne);
  EXPECT_EQ(steps[0].join->target, "orders");
  EXPECT_FALSE(steps[1].reversed);
  EXPECT_EQ(steps[1].relationship, Relationship::kManyToOne);
}

TEST(JoinGraph, ReverseTraversalFlipsTheRelationship) {
  auto steps = shop()->join_graph().path("users", "orders");
  ASSERT_EQ(steps.size(), 1u);
  EXPECT_EQ(steps[0].from->name, "users");
  EXPECT_EQ(steps[0].to->name, "orders");
  EXPECT_TRUE(steps[0].reversed);
  EXPECT_EQ(steps[0].relationship, Relationship::kOneToMany);
  // The declared join is the one orders declares to users.
  EXPECT_EQ(steps[0].join->target, "users");

  auto deep = shop()->join_graph().path("users", "line_items");
  EXPECT_EQ(hops(deep), (std::vector<std::string>{"users>orders", "orders>line_items"}));
  for (const auto& s : deep)
    EXPECT_EQ(s.relationship, Relationship::kOneToMany);
}

TEST(JoinGraph, MixedDirections) {
  // products <- line_items -> orders -> users
  auto steps = shop()->join_graph().path("products", "users");
  EXPECT_EQ(hops(steps),
            (std::vector<std::string>{"products>line_items", "line_items>orders", "orders>users"}));
  EXPECT_TRUE(steps[0].reversed);
  EXPECT_FALSE(steps[1].reversed);
}

TEST(JoinGraph, SameCubeIsAnEmptyPath) {
  EXPECT_TRUE(shop()->join_graph().path("orders", "orders").empty());
  EXPECT_TRUE(shop()->join_graph().connected("orders", "orders"));
}

TEST(JoinGraph, ShortestPathWins) {
  // a -> b -> c is declared first, but a -> c is one hop.
  auto model = load_yaml("cubes:\n" + cube_yaml("a", {"b", "c"}) + cube_yaml("b", {"c"}) +
                         cube_yaml("c", {}));
  EXPECT_EQ(hops(model->join_graph().path("a", "c")), (std::vector<std::string>{"a>c"}));
}

TEST(JoinGraph, TiesGoToDeclarationOrder) {
  // a reaches d in two hops through b or through c.
  auto via_b = load_yaml("cubes:\n" + cube_yaml("a", {"b", "c"}) + cube_yaml("b", {"d"}) +
                         cube_yaml("c", {"d"}) + cube_yaml("d", {}));
  EXPECT_EQ(hops(via_b->join_graph().path("a", "d")), (std::vector<std::string>{"a>b", "b>d"}));
  auto via_c = load_yaml("cubes:\n" + cube_yaml("a", {"c", "b"}) + cube_yaml("b", {"d"}) +
                         cube_yaml("c", {"d"}) + cube_yaml("d", {}));
  EXPECT_EQ(hops(via_c->join_graph().path("a", "d")), (std::vector<std::string>{"a>c", "c>d"}));
}

TEST(JoinGraph, TiesFollowFileOrderForIncomingJoins) {
  // d is joined from b and from c, declared in files loaded in path order.
  auto model = load_model_from_files({
      {"2_c.yml", "cubes:\n" + cube_yaml("c", {"d", "a"})},
      {"1_b.yml", "cubes:\n" + cube_yaml("b", {"d", "a"})},
      {"3_ad.yml", "cubes:\n" + cube_yaml("a", {}) + cube_yaml("d", {})},
  });
  EXPECT_EQ(hops(model->join_graph().path("a", "d")), (std::vector<std::string>{"a>b", "b>d"}));
}

TEST(JoinGraph, UnconnectedCubesAreAnError) {
  auto model =
      load_yaml("cubes:\n" + cube_yaml("a", {"b"}) + cube_yaml("b", {}) + cube_yaml("lonely", {}));
  EXPECT_FALSE(model->join_graph().connected("a", "lonely"));
  try {
    model->join_graph().path("a", "lonely");
    FAIL() << "expected an error";
  } catch (const UserError& e) {
    EXPECT_NE(e.message().find("'a'"), std::string::npos) << e.message();
    EXPECT_NE(e.message().find("'lonely'"), std::string::npos) << e.message();
  }
  EXPECT_THROW(model->join_graph().path("a", "nope"), UserError);
}

}  // namespace
}  // namespace strata
