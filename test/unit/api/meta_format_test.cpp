// /v1/meta from the shop model, and Cube's title derivation.
#include "api/rest/meta_format.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "api/rest/titles.h"
#include "model/loader.h"

namespace strata {
namespace {

namespace json = boost::json;

std::shared_ptr<const Model> shop_model() {
  static auto model =
      load_model(std::filesystem::path(STRATA_SOURCE_DIR) / "test/fixtures/shop/model");
  return model;
}

const json::object* find_named(const json::value& list, std::string_view name) {
  for (const auto& v : list.as_array()) {
    if (v.as_object().at("name") == json::value(name)) return &v.as_object();
  }
  return nullptr;
}

TEST(Titleize, LikeCube) {
  EXPECT_EQ(titleize("total_amount"), "Total Amount");
  EXPECT_EQ(titleize("created_at"), "Created at");
  EXPECT_EQ(titleize("line_items"), "Line Items");
  EXPECT_EQ(titleize("lineItems"), "Line Items");
  EXPECT_EQ(titleize("count_of_orders"), "Count of Orders");
  EXPECT_EQ(titleize("for_all"), "For All");
  EXPECT_EQ(titleize("p95_latency"), "P95 Latency");
  EXPECT_EQ(titleize("HTTPServer"), "Http Server");
  EXPECT_EQ(titleize("count"), "Count");
}

TEST(Meta, CubesAndViewsInModelOrder) {
  json::object meta = format_meta(*shop_model(), {});
  const json::array& cubes = meta.at("cubes").as_array();
  std::vector<std::string> names;
  for (const auto& c : cubes) names.emplace_back(c.at("name").as_string());
  EXPECT_EQ(names,
            (std::vector<std::string>{"line_items", "orders", "products", "users", "sales"}));
  const json::object* sales = find_named(meta.at("cubes"), "sales");
  ASSERT_NE(sales, nullptr);
  EXPECT_EQ(sales->at("type"), json::value("view"));
  EXPECT_EQ(sales->at("title"), json::value("Sales"));
  EXPECT_FALSE(sales->contains("connectedComponent"));
  EXPECT_EQ(find_named(meta.at("cubes"), "orders")->at("type"), json::value("cube"));
}

TEST(Meta, MeasureShape) {
  json::object meta = format_meta(*shop_model(), {});
  const json::object* orders = find_named(meta.at("cubes"), "orders");
  ASSERT_NE(orders, nullptr);
  EXPECT_EQ(orders->at("title"), json::value("Orders"));
  EXPECT_EQ(orders->at("public"), json::value(true));
  const json::object* count = find_named(orders->at("measures"), "orders.count");
  ASSERT_NE(count, nullptr);
  EXPECT_EQ(count->at("title"), json::value("Orders Count"));
  EXPECT_EQ(count->at("shortTitle"), json::value("Count"));
  EXPECT_EQ(count->at("type"), json::value("number"));
  EXPECT_EQ(count->at("aggType"), json::value("count"));
  EXPECT_EQ(count->at("cumulative"), json::value(false));
  EXPECT_EQ(count->at("isVisible"), json::value(true));
  EXPECT_EQ(count->at("public"), json::value(true));
  EXPECT_EQ(count->at("drillMembers").as_array().size(), 3u);
  EXPECT_EQ(count->at("drillMembersGrouped").at("dimensions").as_array().size(), 3u);
  const json::object* buyers = find_named(orders->at("measures"), "orders.buyers");
  EXPECT_EQ(buyers->at("aggType"), json::value("countDistinct"));
  const json::object* total = find_named(orders->at("measures"), "orders.total_amount");
  EXPECT_EQ(total->at("format"), json::value("currency"));
  EXPECT_EQ(total->at("aggType"), json::value("sum"));
}

TEST(Meta, DimensionShapeAndHiddenPrimaryKeys) {
  json::object meta = format_meta(*shop_model(), {});
  const json::object* orders = find_named(meta.at("cubes"), "orders");
  const json::object* created = find_named(orders->at("dimensions"), "orders.created_at");
  ASSERT_NE(created, nullptr);
  EXPECT_EQ(created->at("type"), json::value("time"));
  EXPECT_EQ(created->at("title"), json::value("Orders Created at"));
  EXPECT_EQ(created->at("suggestFilterValues"), json::value(true));
  EXPECT_EQ(created->at("primaryKey"), json::value(false));
  // Like Cube, primary keys are not public by default and are left out.
  EXPECT_EQ(find_named(orders->at("dimensions"), "orders.id"), nullptr);
  const json::object* completed = find_named(orders->at("segments"), "orders.completed");
  ASSERT_NE(completed, nullptr);
  EXPECT_EQ(completed->at("title"), json::value("Orders Completed"));
}

TEST(Meta, DevModeListsHiddenMembers) {
  MetaOptions options;
  options.include_hidden = true;
  json::object meta = format_meta(*shop_model(), options);
  const json::object* id =
      find_named(find_named(meta.at("cubes"), "orders")->at("dimensions"), "orders.id");
  ASSERT_NE(id, nullptr);
  EXPECT_EQ(id->at("public"), json::value(false));
  EXPECT_EQ(id->at("primaryKey"), json::value(true));
}

TEST(Meta, ConnectedComponents) {
  json::object meta = format_meta(*shop_model(), {});
  // Every shop cube is joined to every other through line_items and orders.
  auto component = [&](std::string_view cube) {
    return find_named(meta.at("cubes"), cube)->at("connectedComponent");
  };
  EXPECT_EQ(component("orders"), json::value(1));
  EXPECT_EQ(component("users"), json::value(1));
  EXPECT_EQ(component("products"), json::value(1));
}

TEST(Meta, OnlyViewsAndExtended) {
  MetaOptions options;
  options.only_views = true;
  json::object meta = format_meta(*shop_model(), options);
  ASSERT_EQ(meta.at("cubes").as_array().size(), 1u);
  const json::object& sales = meta.at("cubes").as_array()[0].as_object();
  const json::object* revenue = find_named(sales.at("measures"), "sales.revenue");
  ASSERT_NE(revenue, nullptr);
  EXPECT_EQ(revenue->at("aliasMember"), json::value("line_items.revenue"));
  EXPECT_NE(find_named(sales.at("dimensions"), "sales.product_category"), nullptr);

  MetaOptions extended;
  extended.extended = true;
  json::object full = format_meta(*shop_model(), extended);
  const json::object* orders = find_named(full.at("cubes"), "orders");
  EXPECT_EQ(orders->at("sqlTable"), json::value("orders"));
  EXPECT_TRUE(orders->at("joins").is_array());
  EXPECT_TRUE(find_named(orders->at("measures"), "orders.total_amount")->contains("sql"));
}

}  // namespace
}  // namespace strata
