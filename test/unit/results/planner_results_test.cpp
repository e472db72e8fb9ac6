// Planner semantics checked on real data: every expected value below is
// computed by hand from test/fixtures/shop/seed.sql (the comments show the
// arithmetic), or by plain SQL written here.
#include <gtest/gtest.h>

#include "fixture.h"

namespace strata::testing {
namespace {

using Results = ShopFixture;

TEST_F(Results, CountAndSumByStatus) {
  SemanticQuery q;
  q.measures = {"orders.count", "orders.total_amount"};
  q.dimensions = {"orders.status"};
  q.order = {{"orders.status", false}};
  q.order_given = true;
  // completed: 100 + 200 + 70; pending: 50 + 15; cancelled: 30
  EXPECT_EQ(
      run(q),
      (Rows{{"cancelled", "1", "30.00"}, {"completed", "3", "370.00"}, {"pending", "2", "65.00"}}));
}

TEST_F(Results, DefaultOrderIsFirstMeasureDescending) {
  SemanticQuery q;
  q.measures = {"orders.count"};
  q.dimensions = {"orders.status"};
  EXPECT_EQ(run(q), (Rows{{"completed", "3"}, {"pending", "2"}, {"cancelled", "1"}}));
}

TEST_F(Results, FanOutIsDeduplicatedByPrimaryKey) {
  // orders.total_amount by products.category goes orders -> line_items
  // (one_to_many) -> products. Each order counts once per category it has:
  //   hardware: o1 100 + o2 50 + o3 200 + o5 70 = 420
  //   digital:  o1 100 + o4 30 = 130
  //   no line items (o6): 15
  SemanticQuery q;
  q.measures = {"orders.total_amount", "orders.count"};
  q.dimensions = {"products.category"};
  q.order = {{"products.category", false}};
  q.order_given = true;
  EXPECT_EQ(
      run(q),
      (Rows{{"digital", "130.00", "2"}, {"hardware", "420.00", "4"}, {"NULL", "15.00", "1"}}));
  // The naive join sums each order once per line item and is wrong (720).
  Rows naive = run_sql(
      "SELECT p.category, sum(o.amount) FROM orders o LEFT JOIN line_items li ON li.order_id = "
      "o.id "
      "LEFT JOIN products p ON p.id = li.product_id WHERE p.category = 'hardware' GROUP BY 1");
  EXPECT_EQ(naive, (Rows{{"hardware", "720.00"}}));
}

TEST_F(Results, FilterAcrossOneToManyCountsEachRowOnce) {
  // Orders having a line item with quantity >= 6: o1 (item 3: 6), o3 (10), o4 (6), o5 (7).
  SemanticQuery q;
  q.measures = {"orders.count", "orders.total_amount"};
  q.filters = {condition("line_items.quantity", FilterOp::kGte, {"6"})};
  EXPECT_EQ(run(q), (Rows{{"4", "400.00"}}));  // 100 + 200 + 30 + 70
}

TEST_F(Results, MeasuresOfTwoCubesAreAggregatedSeparately) {
  // orders by city: New York o1 o2 o4 = 3, San Francisco o3 o5 = 2, no user o6 = 1.
  // revenue by city: NY 100 + 50 + 30 = 180, SF 200 + 70 = 270; o6 has no items.
  SemanticQuery q;
  q.measures = {"orders.count", "line_items.revenue"};
  q.dimensions = {"users.city"};
  q.order = {{"users.city", false}};
  q.order_given = true;
  EXPECT_EQ(
      run(q),
      (Rows{{"New York", "3", "180.00"}, {"San Francisco", "2", "270.00"}, {"NULL", "1", "NULL"}}));
}

TEST_F(Results, MultiHopJoin) {
  SemanticQuery q;
  q.measures = {"line_items.revenue"};
  q.dimensions = {"users.city"};
  EXPECT_EQ(run(q), (Rows{{"San Francisco", "270.00"}, {"New York", "180.00"}}));
}

TEST_F(Results, EveryMeasureType) {
  SemanticQuery q;
  q.measures = {"orders.count",         "orders.total_amount",    "orders.average_amount",
                "orders.min_amount",    "orders.max_amount",      "orders.buyers",
                "orders.buyers_approx", "orders.completed_count", "orders.completed_share"};
  // 465 / 6 = 77.5; buyers {1, 2, 3}; completed 3 of 6 = 50%
  Rows rows = run(q);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0][0], "6");
  EXPECT_EQ(rows[0][1], "465.00");
  EXPECT_DOUBLE_EQ(std::stod(rows[0][2]), 77.5);
  EXPECT_EQ(rows[0][3], "15.00");
  EXPECT_EQ(rows[0][4], "200.00");
  EXPECT_EQ(rows[0][5], "3");
  EXPECT_EQ(rows[0][6], "3");
  EXPECT_EQ(rows[0][7], "3");
  EXPECT_DOUBLE_EQ(std::stod(rows[0][8]), 50.0);
}

TEST_F(Results, NumberMeasureByGroup) {
  SemanticQuery q;
  q.measures = {"orders.completed_share"};
  q.dimensions = {"orders.status"};
  q.order = {{"orders.status", false}};
  q.order_given = true;
  Rows rows = run(q);
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0][0], "cancelled");
  EXPECT_DOUBLE_EQ(std::stod(rows[0][1]), 0.0);
  EXPECT_DOUBLE_EQ(std::stod(rows[1][1]), 100.0);
}

TEST_F(Results, MonthsInUtc) {
  SemanticQuery q;
  q.measures = {"orders.count"};
  q.time_dimensions = {time_dimension("orders.created_at", Granularity::kMonth)};
  // Jan: o1, o2, o6; Feb: o3, o4; Mar: o5
  EXPECT_EQ(run(q), (Rows{{"2024-01-01 00:00:00", "3"},
                          {"2024-02-01 00:00:00", "2"},
                          {"2024-03-01 00:00:00", "1"}}));
}

TEST_F(Results, MonthsInNewYork) {
  SemanticQuery q;
  q.measures = {"orders.count"};
  q.time_dimensions = {time_dimension("orders.created_at", Granularity::kMonth)};
  q.timezone = "America/New_York";
  // o6 (2024-01-01 00:30 UTC) is 2023-12-31 19:30 in New York;
  // o5 (03-31 23:59:59 UTC) is still March 31 there.
  EXPECT_EQ(run(q), (Rows{{"2023-12-01 00:00:00", "1"},
                          {"2024-01-01 00:00:00", "2"},
                          {"2024-02-01 00:00:00", "2"},
                          {"2024-03-01 00:00:00", "1"}}));
}

TEST_F(Results, MonthsInTokyo) {
  SemanticQuery q;
  q.measures = {"orders.count"};
  q.time_dimensions = {time_dimension("orders.created_at", Granularity::kMonth)};
  q.timezone = "Asia/Tokyo";
  // o5 (03-31 23:59:59 UTC) is April 1 08:59 in Tokyo.
  EXPECT_EQ(run(q), (Rows{{"2024-01-01 00:00:00", "3"},
                          {"2024-02-01 00:00:00", "2"},
                          {"2024-04-01 00:00:00", "1"}}));
}

TEST_F(Results, WeeksStartOnMonday) {
  SemanticQuery q;
  q.measures = {"orders.count"};
  q.time_dimensions = {time_dimension("orders.created_at", Granularity::kWeek)};
  // Jan 1 (Mon) and Jan 5 (Fri) -> Jan 1; Jan 20 (Sat) -> Jan 15; Feb 10 (Sat) -> Feb 5;
  // Feb 28 (Wed) -> Feb 26; Mar 31 (Sun) -> Mar 25.
  EXPECT_EQ(run(q), (Rows{{"2024-01-01 00:00:00", "2"},
                          {"2024-01-15 00:00:00", "1"},
                          {"2024-02-05 00:00:00", "1"},
                          {"2024-02-26 00:00:00", "1"},
                          {"2024-03-25 00:00:00", "1"}}));
}

TEST_F(Results, DateRangeCoversTheWholeLastDay) {
  SemanticQuery q;
  q.measures = {"orders.count"};
  DateRange jan{local("2024-01-01"), local("2024-02-01")};
  q.time_dimensions = {time_dimension("orders.created_at", std::nullopt, jan)};
  EXPECT_EQ(run(q), (Rows{{"3"}}));  // o1, o2 (Jan 20 23:30), o6 (Jan 1 00:30)
  q.timezone = "America/New_York";   // Jan in New York: 05:00 UTC Jan 1 to 05:00 UTC Feb 1
  EXPECT_EQ(run(q), (Rows{{"2"}}));  // o6 is in December there
  DateRange march{local("2024-03-31"), local("2024-04-01")};
  q.timezone = "UTC";
  q.time_dimensions = {time_dimension("orders.created_at", std::nullopt, march)};
  EXPECT_EQ(run(q), (Rows{{"1"}}));  // o5 at 23:59:59 on the last day counts
}

TEST_F(Results, StringFiltersAreEscapedAndCaseInsensitive) {
  SemanticQuery q;
  q.measures = {"orders.count"};
  q.filters = {condition("users.name", FilterOp::kContains, {"A"})};
  EXPECT_EQ(run(q), (Rows{{"3"}}));  // Alice (o1, o2), Carol (o4); Dan has no orders
  q.filters = {condition("users.name", FilterOp::kContains, {"%"})};
  EXPECT_EQ(run(q), (Rows{{"0"}}));  // a literal %, not a wildcard
  q.filters = {condition("users.name", FilterOp::kEquals, {"x' OR '1'='1"})};
  EXPECT_EQ(run(q), (Rows{{"0"}}));
  q.filters = {condition("users.name", FilterOp::kStartsWith, {"bo"})};
  EXPECT_EQ(run(q), (Rows{{"2"}}));  // Bob: o3, o5
  q.filters = {condition("users.name", FilterOp::kEndsWith, {"OL"})};
  EXPECT_EQ(run(q), (Rows{{"1"}}));  // Carol: o4
}

TEST_F(Results, NegativeFiltersKeepNulls) {
  SemanticQuery q;
  q.measures = {"orders.count"};
  q.dimensions = {"users.city"};
  q.filters = {condition("users.city", FilterOp::kNotEquals, {"New York"})};
  // San Francisco: o3, o5; the order without a user (city NULL) is kept.
  EXPECT_EQ(run(q), (Rows{{"San Francisco", "2"}, {"NULL", "1"}}));
  q.filters = {condition("users.city", FilterOp::kNotSet)};
  EXPECT_EQ(run(q), (Rows{{"NULL", "1"}}));
}

TEST_F(Results, NumberAndBooleanFilters) {
  SemanticQuery q;
  q.measures = {"orders.count"};
  q.filters = {condition("orders.amount", FilterOp::kGt, {"50"})};
  EXPECT_EQ(run(q), (Rows{{"3"}}));  // 100, 200, 70
  q.filters = {condition("orders.status", FilterOp::kEquals, {"pending", "cancelled"})};
  EXPECT_EQ(run(q), (Rows{{"3"}}));
  q.filters = {condition("orders.is_big", FilterOp::kEquals, {"true"})};
  EXPECT_EQ(run(q), (Rows{{"2"}}));  // amount >= 100: o1, o3
}

TEST_F(Results, NestedOrAndAnd) {
  SemanticQuery q;
  q.measures = {"orders.count"};
  FilterNode either;
  either.kind = FilterNode::Kind::kOr;
  either.children = {condition("orders.status", FilterOp::kEquals, {"cancelled"}),
                     condition("orders.amount", FilterOp::kGte, {"200"})};
  FilterNode both;
  both.kind = FilterNode::Kind::kAnd;
  both.children = {either, condition("users.city", FilterOp::kEquals, {"New York"})};
  q.filters = {both};
  EXPECT_EQ(run(q), (Rows{{"1"}}));  // o4 (cancelled, New York); o3 is 200 but in SF
}

TEST_F(Results, SegmentsAndMeasureFilter) {
  SemanticQuery q;
  q.measures = {"orders.count"};
  q.segments = {"orders.completed"};
  EXPECT_EQ(run(q), (Rows{{"3"}}));
  SemanticQuery m;
  m.measures = {"orders.count"};
  m.filters = {condition("orders.completed_count", FilterOp::kMeasureFilter)};
  EXPECT_EQ(run(m), (Rows{{"3"}}));
}

TEST_F(Results, MeasureFiltersGoToHaving) {
  SemanticQuery q;
  q.measures = {"orders.count"};
  q.dimensions = {"orders.status"};
  q.filters = {condition("orders.count", FilterOp::kGt, {"1"})};
  EXPECT_EQ(run(q), (Rows{{"completed", "3"}, {"pending", "2"}}));
  Plan p = plan(q);
  EXPECT_NE(p.sql.find("HAVING"), std::string::npos) << p.sql;
}

TEST_F(Results, MeasureFilterAcrossTwoCubes) {
  SemanticQuery q;
  q.measures = {"orders.count", "line_items.revenue"};
  q.dimensions = {"users.city"};
  q.filters = {condition("line_items.revenue", FilterOp::kGt, {"200"})};
  EXPECT_EQ(run(q), (Rows{{"San Francisco", "2", "270.00"}}));
}

TEST_F(Results, ViewFollowsItsJoinPaths) {
  SemanticQuery q;
  q.measures = {"sales.revenue"};
  q.dimensions = {"sales.product_category"};
  // hardware: 20 + 50 + 50 + 100 + 100 + 70; digital: 30 + 30
  EXPECT_EQ(run(q), (Rows{{"hardware", "390.00"}, {"digital", "60.00"}}));
  SemanticQuery c;
  c.measures = {"sales.orders_count"};
  c.dimensions = {"sales.users_city"};
  EXPECT_EQ(run(c), (Rows{{"New York", "3"}, {"San Francisco", "2"}, {"NULL", "1"}}));
}

TEST_F(Results, DimensionsOnly) {
  SemanticQuery q;
  q.dimensions = {"users.city"};
  EXPECT_EQ(run(q), (Rows{{"Los Angeles"}, {"New York"}, {"San Francisco"}}));
}

TEST_F(Results, Ungrouped) {
  SemanticQuery q;
  q.dimensions = {"orders.id"};
  q.measures = {"orders.total_amount"};
  q.segments = {"orders.completed"};
  q.ungrouped = true;
  q.order = {{"orders.id", false}};
  q.order_given = true;
  EXPECT_EQ(run(q), (Rows{{"1", "100.00"}, {"3", "200.00"}, {"5", "70.00"}}));
}

TEST_F(Results, LimitOffsetAndTotal) {
  SemanticQuery q;
  q.measures = {"orders.count"};
  q.dimensions = {"orders.status"};
  q.limit = 1;
  q.offset = 1;
  q.total = true;
  Plan p = plan(q);
  // The SQL asks for one row more than the limit, so truncation is visible.
  EXPECT_EQ(run_sql(p.sql), (Rows{{"pending", "2"}, {"cancelled", "1"}}));
  EXPECT_EQ(run_sql(p.total_sql), (Rows{{"3"}}));
}

TEST_F(Results, TimeDimensionInDimensionsIsLocalTime) {
  SemanticQuery q;
  q.dimensions = {"orders.created_at"};
  q.filters = {condition("orders.id", FilterOp::kEquals, {"6"})};
  q.timezone = "America/New_York";
  EXPECT_EQ(run(q), (Rows{{"2023-12-31 19:30:00"}}));
}

TEST_F(Results, TimeFilterValuesAreLocal) {
  SemanticQuery q;
  q.measures = {"orders.count"};
  q.filters = {condition("orders.created_at", FilterOp::kLt, {"2024-01-01T00:00:00"})};
  q.timezone = "America/New_York";
  // Before midnight New York time on Jan 1 = before 05:00 UTC: only o6 (00:30 UTC).
  EXPECT_EQ(run(q), (Rows{{"1"}}));
  q.timezone = "UTC";
  EXPECT_EQ(run(q), (Rows{{"0"}}));
}

}  // namespace
}  // namespace strata::testing
