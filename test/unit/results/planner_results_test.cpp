// Planner semantics checked on real data: the shared list of questions and
// hand-computed answers (test/fixtures/shop/shop_cases.h, which PostgreSQL
// and MariaDB also run) on DuckDB, plus checks written in plain SQL here.
#include <gtest/gtest.h>

#include "../../fixtures/shop/shop_cases.h"
#include "fixture.h"

namespace strata::testing {
namespace {

using Results = ShopFixture;

class SharedCases : public ShopFixture, public ::testing::WithParamInterface<ShopCase> {};

TEST_P(SharedCases, GiveTheHandComputedAnswer) {
  const ShopCase& c = GetParam();
  Plan p = plan(c.query());
  expect_rows(run_sql(p.sql), c.expected, p.sql);
  if (c.expected_total) expect_rows(run_sql(p.total_sql), *c.expected_total, p.total_sql);
}

INSTANTIATE_TEST_SUITE_P(Shop, SharedCases, ::testing::ValuesIn(shop_cases()), shop_case_name);

TEST_F(Results, NaiveJoinWouldDoubleCount) {
  // The fan-out case (FanOutIsDeduplicatedByPrimaryKey): the naive join sums
  // each order once per line item and is wrong (720, not 420).
  Rows naive = run_sql(
      "SELECT p.category, sum(o.amount) FROM orders o LEFT JOIN line_items li ON li.order_id = "
      "o.id "
      "LEFT JOIN products p ON p.id = li.product_id WHERE p.category = 'hardware' GROUP BY 1");
  EXPECT_EQ(naive, (Rows{{"hardware", "720.00"}}));
}

TEST_F(Results, MeasureFiltersGoToHaving) {
  SemanticQuery q;
  q.measures = {"orders.count"};
  q.dimensions = {"orders.status"};
  q.filters = {condition("orders.count", FilterOp::kGt, {"1"})};
  Plan p = plan(q);
  EXPECT_NE(p.sql.find("HAVING"), std::string::npos) << p.sql;
}

}  // namespace
}  // namespace strata::testing
