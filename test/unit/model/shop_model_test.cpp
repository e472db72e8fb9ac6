// Loads the shop fixture (test/fixtures/shop/model) and checks it against
// what its YAML files say.
#include <gtest/gtest.h>

#include "model/loader.h"
#include "model_test_util.h"

namespace strata {
namespace {

using testing::alias;
using testing::measure_ref;
using testing::text;
using Parts = std::vector<SqlTemplate::Part>;

class ShopModel : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    model_ = load_model(std::filesystem::path(STRATA_SOURCE_DIR) / "test/fixtures/shop/model");
  }
  static void TearDownTestSuite() { model_.reset(); }

  const Cube& cube(std::string_view name) {
    const Cube* c = model_->find_cube(name);
    EXPECT_NE(c, nullptr) << name;
    static const Cube kNone;
    return c ? *c : kNone;
  }

  static std::shared_ptr<const Model> model_;
};

std::shared_ptr<const Model> ShopModel::model_;

TEST_F(ShopModel, CubesInFileThenDeclarationOrder) {
  std::vector<std::string> names;
  for (const auto& c : model_->cubes())
    names.push_back(c.name);
  EXPECT_EQ(names, (std::vector<std::string>{"line_items", "orders", "products", "users"}));
  ASSERT_EQ(model_->views().size(), 1u);
  EXPECT_EQ(model_->views()[0].name, "sales");
  EXPECT_EQ(model_->views()[0].title, "Sales");
}

TEST_F(ShopModel, CubeProperties) {
  const Cube& orders = cube("orders");
  EXPECT_EQ(orders.sql_table, "orders");
  EXPECT_EQ(orders.sql, "");
  EXPECT_EQ(orders.data_source, "default");
  EXPECT_EQ(orders.title, "Orders");
  EXPECT_TRUE(orders.shown);
  EXPECT_EQ(orders.loc.file, "orders.yml");
  EXPECT_EQ(orders.loc.line, 2);
  EXPECT_EQ(cube("users").title, "Users");
}

TEST_F(ShopModel, DimensionsWithTypesAndKeys) {
  const Cube& orders = cube("orders");
  std::vector<std::pair<std::string, DimensionType>> dims;
  for (const auto& d : orders.dimensions)
    dims.emplace_back(d.name, d.type);
  EXPECT_EQ(dims, (std::vector<std::pair<std::string, DimensionType>>{
                      {"id", DimensionType::kNumber},
                      {"status", DimensionType::kString},
                      {"created_at", DimensionType::kTime},
                      {"amount", DimensionType::kNumber},
                      {"is_big", DimensionType::kBoolean},
                  }));
  for (const char* name : {"line_items", "orders", "products", "users"}) {
    auto keys = cube(name).primary_keys();
    ASSERT_EQ(keys.size(), 1u) << name;
    EXPECT_EQ(keys[0]->name, "id") << name;
  }
  EXPECT_FALSE(orders.find_dimension("status")->primary_key);
  EXPECT_EQ(orders.find_dimension("status")->cube, "orders");
  EXPECT_EQ(orders.find_dimension("amount")->loc.line, 20);
}

TEST_F(ShopModel, BareColumnsAreQualifiedWithTheCube) {
  EXPECT_EQ(cube("orders").find_dimension("status")->sql.parts,
            (Parts{alias("orders"), text(".status")}));
  EXPECT_EQ(cube("users").find_dimension("name")->sql.parts,
            (Parts{alias("users"), text(".name")}));
}

TEST_F(ShopModel, DimensionReferenceIsInlined) {
  const Dimension* is_big = cube("orders").find_dimension("is_big");
  ASSERT_NE(is_big, nullptr);
  EXPECT_EQ(is_big->sql.parts, (Parts{text("("), alias("orders"), text(".amount) >= 100")}));
  EXPECT_EQ(is_big->sql.to_string(), "({orders}.amount) >= 100");
}

TEST_F(ShopModel, Measures) {
  const Cube& orders = cube("orders");
  std::vector<std::pair<std::string, MeasureType>> measures;
  for (const auto& m : orders.measures)
    measures.emplace_back(m.name, m.type);
  EXPECT_EQ(measures, (std::vector<std::pair<std::string, MeasureType>>{
                          {"count", MeasureType::kCount},
                          {"total_amount", MeasureType::kSum},
                          {"average_amount", MeasureType::kAvg},
                          {"min_amount", MeasureType::kMin},
                          {"max_amount", MeasureType::kMax},
                          {"buyers", MeasureType::kCountDistinct},
                          {"buyers_approx", MeasureType::kCountDistinctApprox},
                          {"completed_count", MeasureType::kCount},
                          {"completed_share", MeasureType::kNumber},
                      }));
  const Measure* count = orders.find_measure("count");
  EXPECT_TRUE(count->sql.empty());
  EXPECT_EQ(count->drill_members,
            (std::vector<std::string>{"orders.id", "orders.status", "orders.created_at"}));
  const Measure* total = orders.find_measure("total_amount");
  EXPECT_EQ(total->format, "currency");
  EXPECT_EQ(total->sql.parts, (Parts{alias("orders"), text(".amount")}));
  EXPECT_EQ(orders.find_measure("buyers")->sql.parts, (Parts{alias("orders"), text(".user_id")}));
}

TEST_F(ShopModel, MeasureFilters) {
  const Measure* completed = cube("orders").find_measure("completed_count");
  ASSERT_EQ(completed->filters.size(), 1u);
  EXPECT_EQ(completed->filters[0].parts, (Parts{alias("orders"), text(".status = 'completed'")}));
}

TEST_F(ShopModel, NumberMeasureReferencesMeasures) {
  const Measure* share = cube("orders").find_measure("completed_share");
  EXPECT_EQ(share->sql.parts,
            (Parts{text("100.0 * "), measure_ref("orders.completed_count"), text(" / NULLIF("),
                   measure_ref("orders.count"), text(", 0)")}));
  EXPECT_EQ(share->sql.measure_refs(),
            (std::vector<std::string>{"orders.completed_count", "orders.count"}));
}

TEST_F(ShopModel, QualifiedExpressionStaysAsWritten) {
  const Measure* revenue = cube("line_items").find_measure("revenue");
  EXPECT_EQ(revenue->sql.parts, (Parts{alias("line_items"), text(".quantity * "),
                                       alias("line_items"), text(".price")}));
}

TEST_F(ShopModel, Segments) {
  const Segment* completed = cube("orders").find_segment("completed");
  ASSERT_NE(completed, nullptr);
  EXPECT_EQ(completed->sql.parts, (Parts{alias("orders"), text(".status = 'completed'")}));
  const Segment* ny = cube("users").find_segment("new_yorkers");
  ASSERT_NE(ny, nullptr);
  EXPECT_EQ(ny->sql.parts, (Parts{alias("users"), text(".city = 'New York'")}));
}

TEST_F(ShopModel, Joins) {
  const Cube& line_items = cube("line_items");
  ASSERT_EQ(line_items.joins.size(), 2u);
  EXPECT_EQ(line_items.joins[0].target, "orders");
  EXPECT_EQ(line_items.joins[0].relationship, Relationship::kManyToOne);
  // {orders}.id is an alias then text; {products.id} inlines the dimension.
  EXPECT_EQ(line_items.joins[0].on.parts,
            (Parts{alias("line_items"), text(".order_id = "), alias("orders"), text(".id")}));
  EXPECT_EQ(line_items.joins[1].target, "products");
  EXPECT_EQ(line_items.joins[1].on.parts,
            (Parts{alias("line_items"), text(".product_id = ("), alias("products"), text(".id)")}));
  EXPECT_EQ(line_items.joins[1].on.cubes(), (std::set<std::string>{"line_items", "products"}));
  const Cube& orders = cube("orders");
  ASSERT_EQ(orders.joins.size(), 1u);
  EXPECT_EQ(orders.joins[0].target, "users");
  EXPECT_EQ(orders.joins[0].on.parts,
            (Parts{alias("orders"), text(".user_id = ("), alias("users"), text(".id)")}));
  EXPECT_TRUE(cube("users").joins.empty());
}

TEST_F(ShopModel, SalesViewMembers) {
  const View* sales = model_->find_view("sales");
  ASSERT_NE(sales, nullptr);
  struct Expected {
    std::string name, cube, member;
    MemberKind kind;
    std::vector<std::string> path;
  };
  const std::vector<std::string> li{"line_items"};
  const std::vector<std::string> li_o{"line_items", "orders"};
  const std::vector<std::string> li_o_u{"line_items", "orders", "users"};
  const std::vector<std::string> li_p{"line_items", "products"};
  std::vector<Expected> expected = {
      {"revenue", "line_items", "revenue", MemberKind::kMeasure, li},
      {"units", "line_items", "units", MemberKind::kMeasure, li},
      {"count", "line_items", "count", MemberKind::kMeasure, li},
      {"orders_status", "orders", "status", MemberKind::kDimension, li_o},
      {"orders_created_at", "orders", "created_at", MemberKind::kDimension, li_o},
      {"orders_total_amount", "orders", "total_amount", MemberKind::kMeasure, li_o},
      {"orders_count", "orders", "count", MemberKind::kMeasure, li_o},
      {"users_city", "users", "city", MemberKind::kDimension, li_o_u},
      {"users_name", "users", "name", MemberKind::kDimension, li_o_u},
      {"product_category", "products", "category", MemberKind::kDimension, li_p},
  };
  ASSERT_EQ(sales->members.size(), expected.size());
  for (size_t i = 0; i < expected.size(); ++i) {
    const ViewMember& m = sales->members[i];
    EXPECT_EQ(m.name, expected[i].name);
    EXPECT_EQ(m.cube, expected[i].cube) << m.name;
    EXPECT_EQ(m.member, expected[i].member) << m.name;
    EXPECT_EQ(m.kind, expected[i].kind) << m.name;
    EXPECT_EQ(m.join_path, expected[i].path) << m.name;
  }
}

TEST_F(ShopModel, ViewMembersResolveThroughTheModel) {
  const ResolvedMember* r = model_->find_member("sales.orders_status");
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->kind, MemberKind::kDimension);
  EXPECT_EQ(r->cube->name, "orders");
  EXPECT_EQ(r->dimension->name, "status");
  EXPECT_EQ(r->view->name, "sales");
  const ResolvedMember* category = model_->find_member("sales.product_category");
  ASSERT_NE(category, nullptr);
  EXPECT_EQ(category->dimension->full_name(), "products.category");
  EXPECT_EQ(model_->find_member("sales.category"), nullptr);
  EXPECT_EQ(model_->find_member("sales.status"), nullptr);
}

TEST_F(ShopModel, VersionIsStableHex) {
  const std::string& v = model_->version();
  EXPECT_EQ(v.size(), 16u);
  EXPECT_EQ(v.find_first_not_of("0123456789abcdef"), std::string::npos) << v;
  auto again = load_model(std::filesystem::path(STRATA_SOURCE_DIR) / "test/fixtures/shop/model");
  EXPECT_EQ(again->version(), v);
}

}  // namespace
}  // namespace strata
