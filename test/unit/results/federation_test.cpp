// Federation and tiers on real data. Every shared question of the shop
// fixture (test/fixtures/shop/shop_cases.h, hand-computed answers) is asked
// again with the data split across sources, and must give the same answer
// as on one database that holds all the rows:
//  - Federated: orders and line_items in one DuckDB, users and products in
//    another (joins across sources, partial aggregates merged).
//  - Tiered: orders split at a boundary instant, older rows in a "cold"
//    source and newer ones in a "hot" source, everything else in a third.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "../../fixtures/shop/layouts.h"
#include "../../fixtures/shop/shop_cases.h"
#include "core/error.h"
#include "exec/query_service.h"
#include "model/loader.h"
#include "source/duckdb/duckdb_source.h"
#include "sql/dialect.h"

namespace strata::testing {
namespace {

// --- federated: users and products live in a second source

Layout& federated() {
  static Layout layout = [] {
    Layout l;
    auto files = fixture_model_files();
    for (const char* f : {"users.yml", "products.yml"}) {
      auto& m = file(files, f);
      std::string table = std::string(f) == "users.yml" ? "users" : "products";
      m.content = replace(m.content, "sql_table: " + table,
                          "sql_table: " + table + "\n    data_source: warehouse");
    }
    l.model = load_model_from_files(files);
    l.sources->add(seeded("default", "DROP TABLE users; DROP TABLE products;"));
    l.sources->add(seeded("warehouse", "DROP TABLE orders; DROP TABLE line_items;"));
    l.start();
    return l;
  }();
  return layout;
}

class Federated : public ::testing::TestWithParam<ShopCase> {};

TEST_P(Federated, SameAnswerAsOneDatabase) {
  const ShopCase& c = GetParam();
  SemanticQuery q = c.query();
  bool crosses = false;
  try {
    QueryResult r = federated().run(q);
    expect_rows(text_rows(r.rows), served(c, q), r.sql);
    if (c.expected_total) {
      ASSERT_TRUE(r.total);
      EXPECT_EQ(std::to_string(*r.total), (*c.expected_total)[0][0]);
    }
    crosses = r.served_by.size() > 1;
    if (crosses) {
      for (const auto& s : r.served_by)
        EXPECT_TRUE(s.source == "default" || s.source == "warehouse");
    }
  } catch (const UserError& e) {
    // Only ungrouped queries across sources are refused.
    EXPECT_TRUE(q.ungrouped) << e.what();
  }
}

INSTANTIATE_TEST_SUITE_P(Shop, Federated, ::testing::ValuesIn(shop_cases()), shop_case_name);

TEST(FederatedPlan, CrossSourceJoinRunsAFragmentPerSource) {
  SemanticQuery q;
  q.measures = {"orders.count", "orders.total_amount"};
  q.dimensions = {"users.city"};
  Plan p = federated().service->plan(q, SecurityContext{});
  ASSERT_EQ(p.fragments.size(), 2u);
  EXPECT_EQ(p.fragments[0].source, "default");
  EXPECT_EQ(p.fragments[1].source, "warehouse");
  // Partial aggregates are pushed down: orders are grouped by the join key.
  EXPECT_NE(p.fragments[0].sql.find("count(*)"), std::string::npos) << p.fragments[0].sql;
  EXPECT_NE(p.fragments[0].sql.find("GROUP BY"), std::string::npos) << p.fragments[0].sql;
  EXPECT_NE(p.fragments[1].sql.find("SELECT DISTINCT"), std::string::npos) << p.fragments[1].sql;
}

TEST(FederatedPlan, FilterOnTheOtherSourceIsPushedWhenItRejectsNulls) {
  SemanticQuery q;
  q.measures = {"orders.count"};
  q.filters = {shop_condition("users.city", FilterOp::kEquals, {"New York"})};
  Plan p = federated().service->plan(q, SecurityContext{});
  ASSERT_EQ(p.fragments.size(), 2u);
  EXPECT_NE(p.fragments[1].sql.find("'New York'"), std::string::npos) << p.fragments[1].sql;
  EXPECT_EQ(text_rows(federated().run(q).rows), (Rows{{"3"}}));  // o1, o2, o4
}

TEST(FederatedPlan, CrossSourceJoinMustBeAnEquality) {
  auto files = fixture_model_files();
  auto& users = file(files, "users.yml");
  users.content =
      replace(users.content, "sql_table: users", "sql_table: users\n    data_source: warehouse");
  auto& orders = file(files, "orders.yml");
  orders.content = replace(orders.content, "\"{CUBE}.user_id = {users.id}\"",
                           "\"{CUBE}.user_id = {users.id} OR {CUBE}.user_id IS NULL\"");
  auto model = load_model_from_files(files);
  SemanticQuery q;
  q.measures = {"orders.count"};
  q.dimensions = {"users.city"};
  try {
    plan_query(q, *model, SecurityContext{}, [](std::string_view) -> const sql::Dialect& {
      return sql::dialect_named("duckdb");
    });
    FAIL() << "expected a UserError";
  } catch (const UserError& e) {
    EXPECT_NE(e.message().find("crosses data sources"), std::string::npos) << e.what();
  }
}

// --- tiered: orders split at a boundary instant

// Pinned "now": 2024-03-01 12:00 UTC; retention 20 days puts the boundary at
// 2024-02-10 00:00 UTC. Cold: o6 (Jan 1), o1 (Jan 5), o2 (Jan 20).
// Hot: o3 (Feb 10 09:00), o4 (Feb 28), o5 (Mar 31).
constexpr const char* kBoundary = "2024-02-10 00:00:00";

Layout make_tiered(const std::string& boundary_yaml) {
  Layout l;
  auto files = fixture_model_files();
  file(files, "orders.yml").content = tiered_orders(boundary_yaml);
  l.model = load_model_from_files(files);
  std::string b = kBoundary;
  l.sources->add(seeded("default", "DROP TABLE orders;"));
  l.sources->add(seeded("hot", "DELETE FROM orders WHERE created_at < TIMESTAMP '" + b + "';"));
  l.sources->add(seeded("cold", "DELETE FROM orders WHERE created_at >= TIMESTAMP '" + b + "';"));
  l.start();
  return l;
}

class Tiered : public ::testing::TestWithParam<ShopCase> {
 protected:
  static void SetUpTestSuite() { set_now_for_testing(shop_local("2024-03-01T12:00:00")); }
  static void TearDownTestSuite() { set_now_for_testing(std::nullopt); }
};

Layout& retention_tiers() {
  static Layout layout = make_tiered("{retention: 20 days}");
  return layout;
}

Layout& watermark_tiers() {
  // The hot table's oldest row (o3, Feb 10 09:00) is the boundary.
  static Layout layout = make_tiered("{watermark: \"SELECT min(created_at) FROM orders\"}");
  return layout;
}

TEST_P(Tiered, RetentionBoundarySameAnswerAsOneTable) {
  expect_case(retention_tiers(), GetParam());
}
TEST_P(Tiered, WatermarkBoundarySameAnswerAsOneTable) {
  expect_case(watermark_tiers(), GetParam());
}

INSTANTIATE_TEST_SUITE_P(Shop, Tiered, ::testing::ValuesIn(shop_cases()), shop_case_name);

std::set<std::string> tiers_read(const QueryResult& r) {
  std::set<std::string> out;
  for (const auto& s : r.served_by) {
    if (!s.tier.empty()) out.insert(s.tier);
  }
  return out;
}

QueryResult count_in(const char* from, const char* to_exclusive) {
  SemanticQuery q;
  q.measures = {"orders.count", "orders.total_amount"};
  q.time_dimensions = {shop_time_dimension("orders.created_at", std::nullopt,
                                           DateRange{shop_local(from), shop_local(to_exclusive)})};
  return retention_tiers().run(q);
}

TEST_F(Tiered, RangeEntirelyColdReadsOnlyCold) {
  QueryResult r = count_in("2024-01-01", "2024-02-01");
  EXPECT_EQ(text_rows(r.rows), (Rows{{"3", "165.00"}}));  // o6 15 + o1 100 + o2 50
  EXPECT_EQ(tiers_read(r), (std::set<std::string>{"cold"}));
}

TEST_F(Tiered, RangeEntirelyHotReadsOnlyHot) {
  QueryResult r = count_in("2024-03-01", "2024-04-01");
  EXPECT_EQ(text_rows(r.rows), (Rows{{"1", "70.00"}}));  // o5
  EXPECT_EQ(tiers_read(r), (std::set<std::string>{"hot"}));
}

TEST_F(Tiered, RangeStraddlingTheBoundaryReadsBoth) {
  QueryResult r = count_in("2024-02-01", "2024-03-01");
  EXPECT_EQ(text_rows(r.rows), (Rows{{"2", "230.00"}}));  // o3 200 + o4 30
  EXPECT_EQ(tiers_read(r), (std::set<std::string>{"hot", "cold"}));
}

TEST_F(Tiered, RangesWithNoRowsReadOneTier) {
  QueryResult before = count_in("2023-01-01", "2023-02-01");
  EXPECT_EQ(text_rows(before.rows), (Rows{{"0", "NULL"}}));
  EXPECT_EQ(tiers_read(before), (std::set<std::string>{"cold"}));
  QueryResult after = count_in("2030-01-01", "2030-02-01");
  EXPECT_EQ(text_rows(after.rows), (Rows{{"0", "NULL"}}));
  EXPECT_EQ(tiers_read(after), (std::set<std::string>{"hot"}));
}

TEST_F(Tiered, BoundaryIsOneInstantSoNoRowCountsTwice) {
  // Both tiers hold every row here; the boundary still takes each once.
  Layout l;
  auto files = fixture_model_files();
  file(files, "orders.yml").content = tiered_orders("{retention: 20 days}");
  l.model = load_model_from_files(files);
  l.sources->add(seeded("default", ""));
  l.sources->add(seeded("hot", ""));
  l.sources->add(seeded("cold", ""));
  l.start();
  SemanticQuery q;
  q.measures = {"orders.count", "orders.total_amount", "orders.buyers"};
  EXPECT_EQ(text_rows(l.run(q).rows), (Rows{{"6", "465.00", "3"}}));
}

}  // namespace
}  // namespace strata::testing
