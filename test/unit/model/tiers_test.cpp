// The `tiers:` block of a cube (docs/federation.md).
#include <gtest/gtest.h>

#include "core/time.h"
#include "model_test_util.h"

namespace strata::testing {
namespace {

std::string events(const std::string& tiers) {
  return R"(
cubes:
  - name: events
    tiers:
)" + tiers + R"(
    dimensions:
      - {name: id, sql: id, type: number, primary_key: true}
      - {name: created_at, sql: created_at, type: time}
      - {name: kind, sql: kind, type: string}
    measures:
      - {name: count, type: count}
)";
}

TEST(Tiers, RetentionBoundary) {
  auto model = load_yaml(events(R"(      time_dimension: created_at
      hot: {data_source: pg, sql_table: public.events}
      cold: {data_source: lake, sql_table: analytics.events}
      boundary: {retention: 30 days})"));
  const Cube* c = model->find_cube("events");
  ASSERT_TRUE(c && c->tiers);
  EXPECT_EQ(c->tiers->time_dimension, "created_at");
  EXPECT_EQ(c->tiers->hot.data_source, "pg");
  EXPECT_EQ(c->tiers->hot.sql_table, "public.events");
  EXPECT_EQ(c->tiers->cold.data_source, "lake");
  EXPECT_EQ(c->tiers->retention_micros, 30 * kMicrosPerDay);
  EXPECT_TRUE(c->tiers->watermark_sql.empty());
  EXPECT_EQ(c->data_source, "pg");  // a tiered cube's own source is the hot one
}

TEST(Tiers, WatermarkBoundary) {
  auto model = load_yaml(events(R"(      time_dimension: created_at
      hot: {data_source: pg, sql_table: events}
      cold: {data_source: default, sql_table: events_history}
      boundary:
        watermark: SELECT min(created_at) FROM events
        watermark_refresh: 5 minutes)"));
  const Cube* c = model->find_cube("events");
  ASSERT_TRUE(c && c->tiers);
  EXPECT_EQ(c->tiers->watermark_sql, "SELECT min(created_at) FROM events");
  EXPECT_EQ(c->tiers->watermark_refresh_micros, 5 * kMicrosPerMinute);
  EXPECT_EQ(c->tiers->retention_micros, 0);
}

TEST(Tiers, ProblemsAreReportedWithHints) {
  auto issues = issues_of({{"events.yml", events(R"(      time_dimension: kind
      hot: {data_source: pg}
      boundary: {retention: 30 parsecs})")}});
  ASSERT_GE(issues.size(), 3u);
  std::string all;
  for (const auto& i : issues) {
    EXPECT_EQ(i.loc.file, "events.yml");
    EXPECT_GT(i.loc.line, 0);
    EXPECT_FALSE(i.hint.empty()) << i.message;
    all += i.message + "\n";
  }
  EXPECT_NE(all.find("hot tier of events needs exactly one of sql_table and sql"), std::string::npos)
      << all;
  EXPECT_NE(all.find("'30 parsecs', not an interval"), std::string::npos) << all;
  EXPECT_NE(all.find("need both a hot and a cold tier"), std::string::npos) << all;
}

TEST(Tiers, TimeDimensionMustBeATimeDimensionOfTheCube) {
  auto not_time = issues_of({{"e.yml", events(R"(      time_dimension: kind
      hot: {data_source: pg, sql_table: e}
      cold: {data_source: lake, sql_table: e}
      boundary: {retention: 1 day})")}});
  ASSERT_EQ(not_time.size(), 1u);
  EXPECT_NE(not_time[0].message.find("kind, which is not a time dimension"), std::string::npos);
  auto missing = issues_of({{"e.yml", events(R"(      time_dimension: happened_at
      hot: {data_source: pg, sql_table: e}
      cold: {data_source: lake, sql_table: e}
      boundary: {retention: 1 day})")}});
  ASSERT_EQ(missing.size(), 1u);
  EXPECT_NE(missing[0].message.find("happened_at, which is not a dimension of events"),
            std::string::npos);
}

TEST(Tiers, BoundaryNeedsExactlyOneKind) {
  auto both = issues_of({{"e.yml", events(R"(      time_dimension: created_at
      hot: {data_source: pg, sql_table: e}
      cold: {data_source: lake, sql_table: e}
      boundary: {retention: 1 day, watermark: SELECT 1})")}});
  ASSERT_EQ(both.size(), 1u);
  EXPECT_NE(both[0].message.find("either retention or watermark"), std::string::npos);
}

TEST(Intervals, ParseFixedLengthUnits) {
  EXPECT_EQ(parse_interval_micros("30 days"), 30 * kMicrosPerDay);
  EXPECT_EQ(parse_interval_micros("1 minute"), kMicrosPerMinute);
  EXPECT_EQ(parse_interval_micros("12h"), 12 * kMicrosPerHour);
  EXPECT_EQ(parse_interval_micros("90 s"), 90 * kMicrosPerSecond);
  EXPECT_EQ(parse_interval_micros("2 Weeks"), 14 * kMicrosPerDay);
  EXPECT_EQ(parse_interval_micros("1 month"), std::nullopt);  // months vary in length
  EXPECT_EQ(parse_interval_micros("days"), std::nullopt);
  EXPECT_EQ(parse_interval_micros("5 days ago"), std::nullopt);
}

}  // namespace
}  // namespace strata::testing
