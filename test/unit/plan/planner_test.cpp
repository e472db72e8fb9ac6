// Planner decisions that show in the SQL's shape, and queries it refuses.
#include <gtest/gtest.h>

#include "core/error.h"
#include "model/loader.h"
#include "plan/plan.h"
#include "sql/dialect.h"

namespace strata {
namespace {

class PlannerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    model_ = load_model(std::string(STRATA_SOURCE_DIR) + "/test/fixtures/shop/model");
  }
  static Plan plan(const SemanticQuery& q, const char* dialect = "duckdb") {
    return plan_query(
        q, *model_, SecurityContext{},
        [dialect](std::string_view) -> const sql::Dialect& { return sql::dialect_named(dialect); });
  }
  static inline std::shared_ptr<const Model> model_;
};

FilterNode cond(std::string member, FilterOp op, std::vector<std::string> values = {}) {
  FilterNode f;
  f.member = std::move(member);
  f.op = op;
  f.values = std::move(values);
  f.json_path = "filters[0]";
  return f;
}

bool contains(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

TEST_F(PlannerTest, ManyToOneJoinsNeedNoDeduplication) {
  SemanticQuery q;
  q.measures = {"line_items.revenue"};
  q.dimensions = {"users.city"};
  Plan p = plan(q);
  EXPECT_FALSE(contains(p.sql, "DISTINCT")) << p.sql;
  EXPECT_TRUE(contains(p.sql, "LEFT JOIN orders AS \"orders\"")) << p.sql;
  EXPECT_EQ(p.source, "default");
}

TEST_F(PlannerTest, OneToManyJoinDeduplicatesByPrimaryKey) {
  SemanticQuery q;
  q.measures = {"orders.total_amount"};
  q.dimensions = {"products.category"};
  Plan p = plan(q);
  EXPECT_TRUE(contains(p.sql, "SELECT DISTINCT")) << p.sql;
  EXPECT_TRUE(contains(p.sql, "\"orders\".id AS \"__pk0\"")) << p.sql;
}

TEST_F(PlannerTest, OutputColumnsNameMembersAndKeys) {
  SemanticQuery q;
  q.measures = {"orders.count"};
  TimeDimensionQuery td;
  td.dimension = "orders.created_at";
  td.granularity = Granularity::kDay;
  q.time_dimensions = {td};
  Plan p = plan(q);
  ASSERT_EQ(p.columns.size(), 2u);
  EXPECT_EQ(p.columns[0].key, "orders.created_at.day");
  EXPECT_EQ(p.columns[0].member, "orders.created_at");
  EXPECT_EQ(p.columns[0].alias, "orders__created_at_day");
  EXPECT_EQ(p.columns[0].role, OutputRole::kTimeDimension);
  EXPECT_EQ(p.columns[1].key, "orders.count");
  EXPECT_EQ(p.columns[1].role, OutputRole::kMeasure);
  // Default order: the time dimension, ascending; one extra row to detect truncation.
  EXPECT_TRUE(contains(p.sql, "ORDER BY \"orders__created_at_day\" ASC")) << p.sql;
  EXPECT_TRUE(contains(p.sql, "LIMIT 10001")) << p.sql;
}

TEST_F(PlannerTest, ExplicitEmptyOrderMeansNoOrderBy) {
  SemanticQuery q;
  q.measures = {"orders.count"};
  q.dimensions = {"orders.status"};
  q.order_given = true;
  EXPECT_FALSE(contains(plan(q).sql, "ORDER BY"));
}

TEST_F(PlannerTest, UserValuesNeverReachSqlUnescaped) {
  SemanticQuery q;
  q.measures = {"orders.count"};
  q.filters = {cond("orders.status", FilterOp::kEquals, {"'; DROP TABLE orders; --"})};
  Plan p = plan(q, "postgres");
  EXPECT_TRUE(contains(p.sql, "'''; DROP TABLE orders; --'")) << p.sql;
}

TEST_F(PlannerTest, PostgresTimeZoneConversion) {
  SemanticQuery q;
  q.measures = {"orders.count"};
  TimeDimensionQuery td;
  td.dimension = "orders.created_at";
  td.granularity = Granularity::kWeek;
  q.time_dimensions = {td};
  q.timezone = "Europe/Berlin";
  Plan p = plan(q, "postgres");
  EXPECT_TRUE(contains(p.sql,
                       "date_trunc('week', (CAST(\"orders\".created_at AS TIMESTAMPTZ) AT "
                       "TIME ZONE 'Europe/Berlin'))"))
      << p.sql;
}

TEST_F(PlannerTest, RejectsOrMixingMeasuresAndDimensions) {
  SemanticQuery q;
  q.measures = {"orders.count"};
  FilterNode either;
  either.kind = FilterNode::Kind::kOr;
  either.json_path = "filters[0]";
  either.children = {cond("orders.count", FilterOp::kGt, {"1"}),
                     cond("orders.status", FilterOp::kEquals, {"pending"})};
  q.filters = {either};
  try {
    plan(q);
    FAIL() << "expected a UserError";
  } catch (const UserError& e) {
    EXPECT_EQ(e.context().json_path, "filters[0]");
    EXPECT_TRUE(contains(e.message(), "cannot mix measures and dimensions"));
  }
}

TEST_F(PlannerTest, RejectsMixingAViewWithCubes) {
  SemanticQuery q;
  q.measures = {"sales.revenue"};
  q.dimensions = {"orders.status"};
  EXPECT_THROW(plan(q), UserError);
}

TEST_F(PlannerTest, RejectsOrderByMemberNotInQuery) {
  SemanticQuery q;
  q.measures = {"orders.count"};
  q.order = {{"orders.status", false}};
  q.order_given = true;
  try {
    plan(q);
    FAIL() << "expected a UserError";
  } catch (const UserError& e) {
    EXPECT_EQ(e.context().member, "orders.status");
  }
}

TEST_F(PlannerTest, RejectsMeasureFilterInUngroupedQuery) {
  SemanticQuery q;
  q.dimensions = {"orders.id"};
  q.ungrouped = true;
  q.filters = {cond("orders.count", FilterOp::kGt, {"1"})};
  EXPECT_THROW(plan(q), UserError);
}

TEST_F(PlannerTest, RejectsUnknownTimeZone) {
  SemanticQuery q;
  q.measures = {"orders.count"};
  q.timezone = "Mars/Olympus";
  EXPECT_THROW(plan(q), UserError);
}

TEST_F(PlannerTest, CubesOfTwoDataSourcesAreFederated) {
  auto model = load_model_from_files({{"a.yml", R"(
cubes:
  - name: a
    sql_table: a
    joins:
      - name: b
        relationship: many_to_one
        sql: "{CUBE}.b_id = {b}.id"
    dimensions:
      - {name: id, sql: id, type: number, primary_key: true}
    measures:
      - {name: count, type: count}
  - name: b
    sql_table: b
    data_source: warehouse
    dimensions:
      - {name: id, sql: id, type: number, primary_key: true}
      - {name: kind, sql: kind, type: string}
)"}});
  SemanticQuery q;
  q.measures = {"a.count"};
  q.dimensions = {"b.kind"};
  Plan p = plan_query(q, *model, SecurityContext{}, [](std::string_view s) -> const sql::Dialect& {
    return sql::dialect_named(s == "warehouse" ? "postgres" : "duckdb");
  });
  EXPECT_TRUE(p.source.empty());
  ASSERT_EQ(p.fragments.size(), 2u);
  // Each side computes its half of the join condition; a groups by its key.
  EXPECT_EQ(p.fragments[0].sql,
            "SELECT \"a\".b_id AS \"k1_0\", count(*) AS \"p0\" FROM a AS \"a\" GROUP BY 1");
  EXPECT_EQ(p.fragments[1].sql,
            "SELECT DISTINCT \"b\".id AS \"k1_0\", \"b\".kind AS \"d0\" FROM b AS \"b\"");
  EXPECT_EQ(p.fragments[1].source, "warehouse");
}

}  // namespace
}  // namespace strata

namespace strata {
namespace {

TEST_F(PlannerTest, ScanPredicatesFromAndedFiltersAndDateRanges) {
  SemanticQuery q;
  q.measures = {"orders.count"};
  q.timezone = "America/New_York";
  TimeDimensionQuery td;
  td.dimension = "orders.created_at";
  td.date_range = DateRange{parse_iso_timestamp("2024-01-01")->micros,
                            parse_iso_timestamp("2024-02-01")->micros};
  q.time_dimensions = {td};
  q.filters = {cond("orders.status", FilterOp::kEquals, {"completed", "pending"}),
               cond("users.city", FilterOp::kNotEquals, {"Paris"}),  // keeps NULLs: no hint
               cond("orders.amount", FilterOp::kGte, {"10"}),
               cond("orders.is_big", FilterOp::kEquals, {"true"})};  // an expression: no hint
  Plan p = plan(q);
  ASSERT_EQ(p.predicates.size(), 4u);
  EXPECT_EQ(p.predicates[0].table, "orders");
  EXPECT_EQ(p.predicates[0].column, "status");
  EXPECT_EQ(p.predicates[0].op, ScanPredicate::Op::kIn);
  ASSERT_EQ(p.predicates[0].values.size(), 2u);
  EXPECT_EQ(p.predicates[0].values[1].s, "pending");
  EXPECT_EQ(p.predicates[1].column, "amount");
  EXPECT_EQ(p.predicates[1].op, ScanPredicate::Op::kGte);
  EXPECT_EQ(p.predicates[1].values[0].i, 10);
  // January in New York: from 05:00 UTC on Jan 1 to 05:00 UTC on Feb 1.
  EXPECT_EQ(p.predicates[2].column, "created_at");
  EXPECT_EQ(p.predicates[2].op, ScanPredicate::Op::kGte);
  EXPECT_EQ(p.predicates[2].values[0].i, parse_iso_timestamp("2024-01-01T05:00:00")->micros);
  EXPECT_EQ(p.predicates[3].op, ScanPredicate::Op::kLt);
  EXPECT_EQ(p.predicates[3].values[0].i, parse_iso_timestamp("2024-02-01T05:00:00")->micros);
}

}  // namespace
}  // namespace strata
