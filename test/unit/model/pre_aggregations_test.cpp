// `pre_aggregations:` and `refresh_key:` in the model (docs/caching.md).
#include <gtest/gtest.h>

#include "core/time.h"
#include "model_test_util.h"

namespace strata::testing {
namespace {

// Two joined cubes; `extra` goes at the end of the orders cube.
std::string shop(const std::string& extra) {
  return R"yaml(
cubes:
  - name: users
    sql_table: users
    dimensions:
      - {name: id, sql: id, type: number, primary_key: true}
      - {name: city, sql: city, type: string}
    measures:
      - {name: count, type: count}
  - name: orders
    sql_table: orders
    joins:
      - {name: users, relationship: many_to_one, sql: "{CUBE}.user_id = {users}.id"}
    dimensions:
      - {name: id, sql: id, type: number, primary_key: true}
      - {name: status, sql: status, type: string}
      - {name: created_at, sql: created_at, type: time}
    measures:
      - {name: count, type: count}
      - {name: total, sql: amount, type: sum}
      - {name: average, sql: amount, type: avg}
      - {name: share, sql: "100.0 * {count} / NULLIF({count}, 0)", type: number}
      - {name: raw_ratio, sql: "sum({CUBE}.amount) / count(*)", type: number}
    segments:
      - {name: completed, sql: "{CUBE}.status = 'completed'"}
)yaml" + extra;
}

TEST(PreAggregations, RollupWithEveryKey) {
  auto model = load_yaml(shop(R"(    refresh_key: {every: 10 minute}
    pre_aggregations:
      - name: by_day
        measures: [CUBE.count, total, average]
        dimensions: [status, users.city]
        segments: [completed]
        time_dimension: CUBE.created_at
        granularity: day
        partition_granularity: month
        refresh_key: {every: 1 hour, incremental: true, update_window: 7 day}
        build_range_start: {sql: SELECT min(created_at) FROM orders}
        build_range_end: {sql: SELECT now()}
)"));
  const Cube* c = model->find_cube("orders");
  ASSERT_TRUE(c);
  ASSERT_TRUE(c->refresh_key);
  EXPECT_EQ(c->refresh_key->every_micros, 10 * kMicrosPerMinute);
  ASSERT_EQ(c->pre_aggregations.size(), 1u);
  const PreAggregation& p = c->pre_aggregations[0];
  EXPECT_EQ(p.full_name(), "orders.by_day");
  EXPECT_EQ(p.type, PreAggregationType::kRollup);
  EXPECT_EQ(p.measures,
            (std::vector<std::string>{"orders.count", "orders.total", "orders.average"}));
  EXPECT_EQ(p.dimensions, (std::vector<std::string>{"orders.status", "users.city"}));
  EXPECT_EQ(p.segments, (std::vector<std::string>{"orders.completed"}));
  EXPECT_EQ(p.time_dimension, "orders.created_at");
  EXPECT_EQ(p.granularity, Granularity::kDay);
  EXPECT_EQ(p.partition_granularity, Granularity::kMonth);
  ASSERT_TRUE(p.refresh_key);
  EXPECT_EQ(p.refresh_key->every_micros, kMicrosPerHour);
  EXPECT_TRUE(p.refresh_key->incremental);
  EXPECT_EQ(p.refresh_key->update_window_micros, 7 * kMicrosPerDay);
  EXPECT_EQ(p.build_range_start_sql, "SELECT min(created_at) FROM orders");
  EXPECT_EQ(p.build_range_end_sql, "SELECT now()");
  EXPECT_EQ(p.timezone, "UTC");
  EXPECT_EQ(p.loc.file, "model.yml");
  EXPECT_GT(p.loc.line, 0);
}

TEST(PreAggregations, CamelCaseAndSqlKeyAndLambda) {
  auto model = load_yaml(shop(R"(    refreshKey:
      sql: SELECT max(id) FROM orders
    preAggregations:
      - name: batch
        type: rollup
        measureReferences: [count]
        timeDimensionReference: created_at
        granularity: day
        partitionGranularity: month
      - name: live
        type: rollup_lambda
        rollups: [CUBE.batch]
        unionWithSourceData: true
      - name: raw
        type: originalSql
)"));
  const Cube* c = model->find_cube("orders");
  ASSERT_TRUE(c && c->refresh_key);
  EXPECT_EQ(c->refresh_key->sql, "SELECT max(id) FROM orders");
  EXPECT_EQ(c->refresh_key->every_micros, 0);
  ASSERT_EQ(c->pre_aggregations.size(), 3u);
  EXPECT_EQ(c->pre_aggregations[1].type, PreAggregationType::kRollupLambda);
  EXPECT_EQ(c->pre_aggregations[1].lambda_rollup, "orders.batch");
  EXPECT_TRUE(c->pre_aggregations[1].union_with_source_data);
  EXPECT_EQ(c->pre_aggregations[2].type, PreAggregationType::kOriginalSql);
  EXPECT_EQ(c->find_pre_aggregation("batch"), &c->pre_aggregations[0]);
}

TEST(PreAggregations, UnknownMembersAreReportedWithTheirPlace) {
  auto issues = issues_of(shop(R"(    pre_aggregations:
      - name: bad
        measures: [cuont]
        dimensions: [users.town, count]
        time_dimension: status
        granularity: day
)"));
  ASSERT_EQ(issues.size(), 4u);
  for (const auto& i : issues) {
    EXPECT_EQ(i.member, "orders.bad");
    EXPECT_EQ(i.loc.file, "model.yml");
  }
  // Each at the line of the key that names the member (the entry is line 27).
  EXPECT_EQ(issues[0].loc.line, 28);
  EXPECT_EQ(issues[1].loc.line, 29);
  EXPECT_EQ(issues[2].loc.line, 29);
  EXPECT_EQ(issues[3].loc.line, 30);
  EXPECT_EQ(issues[0].message, "pre-aggregation orders.bad names unknown measure 'orders.cuont'");
  EXPECT_EQ(issues[1].message, "pre-aggregation orders.bad names unknown dimension 'users.town'");
  EXPECT_EQ(issues[2].message, "'orders.count' in pre-aggregation orders.bad is not a dimension");
  EXPECT_EQ(issues[3].message,
            "time_dimension orders.status of orders.bad is not a time dimension");
}

TEST(PreAggregations, ShapeProblems) {
  EXPECT_EQ(only_issue(shop(R"(    pre_aggregations:
      - name: r
        measures: [count]
        time_dimension: created_at
)"))
                .message,
            "rollup orders.r has a time_dimension but no granularity");
  EXPECT_EQ(only_issue(shop(R"(    pre_aggregations:
      - name: r
        measures: [count]
        time_dimension: created_at
        granularity: week
        partition_granularity: month
)"))
                .message,
            "the partitions of orders.r (month) do not hold whole week buckets");
  EXPECT_EQ(only_issue(shop(R"(    pre_aggregations:
      - name: r
        measures: [count]
        granularity: daily
)"))
                .message,
            "unknown granularity 'daily' in orders.r");
  EXPECT_EQ(only_issue(shop(R"(    pre_aggregations:
      - name: r
        measures: [raw_ratio]
)"))
                .message,
            "number measure orders.raw_ratio in rollup orders.r aggregates SQL directly, so it "
            "cannot be re-aggregated");
  EXPECT_EQ(only_issue(shop(R"(    pre_aggregations:
      - name: r
        measures: [users.count]
)"))
                .message,
            "rollup orders.r lists measure users.count of another cube");
  EXPECT_EQ(only_issue(shop(R"(    pre_aggregations:
      - name: r
        measures: [count]
        colour: blue
)"))
                .message,
            "unknown key `colour` in pre-aggregation orders.r");
  EXPECT_EQ(only_issue(shop(R"(    pre_aggregations:
      - name: r
        measures: [count]
      - name: r
        measures: [total]
)"))
                .message,
            "cube orders has two pre-aggregations named r");
  EXPECT_EQ(only_issue(shop(R"(    pre_aggregations:
      - name: l
        type: rollup_lambda
        rollups: [CUBE.nothing]
        union_with_source_data: true
)"))
                .message,
            "rollup_lambda orders.l names 'orders.nothing', which is not a rollup");
  EXPECT_EQ(only_issue(shop(R"(    pre_aggregations:
      - name: r
        measures: [count]
        timezone: Mars/Olympus
)"))
                .message,
            "unknown time zone 'Mars/Olympus' in orders.r");
}

TEST(PreAggregations, RefreshKeyProblems) {
  EXPECT_EQ(only_issue(shop("    refresh_key: {every: 1 month}\n")).message,
            "`refresh_key.every` of orders is '1 month', not an interval");
  EXPECT_EQ(only_issue(shop("    refresh_key: {}\n")).message,
            "the refresh_key of orders has neither `every` nor `sql`");
  EXPECT_EQ(only_issue(shop("    refresh_key: {every: 1 hour, incremental: true}\n")).message,
            "unknown key `incremental` in the refresh_key of orders");
}

TEST(PreAggregations, GranularityDivides) {
  EXPECT_TRUE(granularity_divides(Granularity::kDay, Granularity::kMonth));
  EXPECT_TRUE(granularity_divides(Granularity::kDay, Granularity::kWeek));
  EXPECT_TRUE(granularity_divides(Granularity::kHour, Granularity::kDay));
  EXPECT_TRUE(granularity_divides(Granularity::kWeek, Granularity::kWeek));
  EXPECT_FALSE(granularity_divides(Granularity::kWeek, Granularity::kMonth));
  EXPECT_TRUE(granularity_divides(Granularity::kMonth, Granularity::kQuarter));
  EXPECT_TRUE(granularity_divides(Granularity::kQuarter, Granularity::kYear));
  EXPECT_FALSE(granularity_divides(Granularity::kMonth, Granularity::kDay));
}

}  // namespace
}  // namespace strata::testing
