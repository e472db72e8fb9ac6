// Compile time of a typical query: parse Cube JSON, validate against the
// model, plan (join tree, fan-out analysis) and render SQL. The query has 3
// joins, 2 time dimensions and 4 filters over the shop demo model.
#include <benchmark/benchmark.h>

#include "model/loader.h"
#include "plan/plan.h"
#include "query/cube_query.h"
#include "sql/dialect.h"

namespace {

constexpr const char* kTypicalQuery = R"({
  "measures": ["line_items.revenue", "orders.count"],
  "dimensions": ["users.city", "products.category"],
  "timeDimensions": [
    {"dimension": "orders.created_at", "granularity": "month",
     "dateRange": ["2024-01-01", "2024-12-31"]},
    {"dimension": "users.created_at", "dateRange": "last 2 years"}
  ],
  "filters": [
    {"member": "orders.status", "operator": "equals", "values": ["completed", "shipped"]},
    {"member": "users.city", "operator": "notEquals", "values": ["Berlin"]},
    {"member": "products.category", "operator": "contains", "values": ["o"]},
    {"member": "line_items.quantity", "operator": "gt", "values": ["1"]}
  ],
  "timezone": "America/New_York",
  "limit": 1000
})";

std::shared_ptr<const strata::Model> shop_model() {
  static auto model = strata::load_model(std::string(STRATA_SOURCE_DIR) + "/examples/shop/model");
  return model;
}

const strata::sql::Dialect& duckdb(std::string_view) {
  return strata::sql::dialect_named("duckdb");
}

void BM_CompileTypicalQuery(benchmark::State& state) {
  auto model = shop_model();
  strata::ParseOptions options;
  for (auto _ : state) {
    strata::SemanticQuery q = strata::parse_cube_query_text(kTypicalQuery, *model, options);
    strata::Plan plan = strata::plan_query(q, *model, strata::SecurityContext{}, duckdb);
    benchmark::DoNotOptimize(plan.sql.data());
  }
}
BENCHMARK(BM_CompileTypicalQuery)->Unit(benchmark::kMicrosecond);

void BM_ParseOnly(benchmark::State& state) {
  auto model = shop_model();
  strata::ParseOptions options;
  for (auto _ : state) {
    strata::SemanticQuery q = strata::parse_cube_query_text(kTypicalQuery, *model, options);
    benchmark::DoNotOptimize(q.measures.data());
  }
}
BENCHMARK(BM_ParseOnly)->Unit(benchmark::kMicrosecond);

void BM_PlanAndRenderOnly(benchmark::State& state) {
  auto model = shop_model();
  strata::SemanticQuery q = strata::parse_cube_query_text(kTypicalQuery, *model, {});
  for (auto _ : state) {
    strata::Plan plan = strata::plan_query(q, *model, strata::SecurityContext{}, duckdb);
    benchmark::DoNotOptimize(plan.sql.data());
  }
}
BENCHMARK(BM_PlanAndRenderOnly)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
