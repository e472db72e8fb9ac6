// Rollups loaded into memory (PreAggStore with a memory source): a build is
// loaded into a table of the "__preaggs" DuckDB and queries read that table;
// the table holds exactly the build's Parquet rows; a rebuild loads a new
// table and drops the old one after the grace period; rollups beyond the
// memory budget are read from their files. Answers are compared with the
// same query on the source.
#include <gtest/gtest.h>

#include "../../fixtures/shop/shop_cases.h"
#include "preagg_harness.h"
#include "sql/duckdb_statements.h"

namespace strata::testing {
namespace {

using namespace std::chrono_literals;

SemanticQuery by_category_and_month() {
  SemanticQuery q;
  q.measures = {"line_items.count", "line_items.revenue", "line_items.average_price"};
  q.dimensions = {"products.category"};
  q.time_dimensions = {shop_time_dimension("orders.created_at", Granularity::kMonth)};
  q.limit = 10000;
  return q;
}

const PreAggregation& daily(const PreAggHarness& h) {
  return *h.store->find("line_items.daily");
}

using Rows = std::vector<std::vector<std::string>>;

// Every row of `from` (a table or a table function), sorted, as text.
Rows all_rows(Source& source, const std::string& from) {
  return text_rows(source.query("SELECT * FROM " + from + " ORDER BY ALL", {}));
}

bool table_exists(Source& source, const std::string& table) {
  ResultSet rs =
      source.query("SELECT count(*) FROM duckdb_tables() WHERE table_name = '" + table + "'", {});
  return text_rows(rs)[0][0] == "1";
}

TEST(PreAggMemory, ABuildIsLoadedAndQueriesReadItsTable) {
  PreAggHarness h(daily_by_category_model(), generated_seed(5000));
  h.build();
  std::string table = h.store->memory_table(daily(h));
  ASSERT_NE(table, "");
  // The table holds the build's rows: those of its Parquet files.
  auto built = h.store->lookup(daily(h));
  ASSERT_TRUE(built);
  EXPECT_EQ(built->memory_table, table);
  std::vector<std::string> paths;
  for (const auto& p : built->partitions) paths.push_back(p.path);
  Source& preaggs = h.sources.get("__preaggs");
  Rows files = all_rows(preaggs, sql::duckdb_read_parquet(paths));
  EXPECT_EQ(all_rows(preaggs, "\"" + table + "\""), files);
  // One row per category and day that has line items, asked of the source.
  ResultSet groups = h.db->query(
      "SELECT count(*) FROM (SELECT DISTINCT p.category, date_trunc('day', o.created_at) "
      "FROM line_items li JOIN orders o ON li.order_id = o.id "
      "LEFT JOIN products p ON li.product_id = p.id WHERE o.created_at IS NOT NULL)",
      {});
  EXPECT_EQ(std::to_string(files.size()), text_rows(groups)[0][0]);

  QueryResult with = h.with->run(by_category_and_month(), {});
  ASSERT_EQ(with.pre_aggregations.size(), 1u);
  EXPECT_NE(with.sql.find("\"" + table + "\""), std::string::npos) << with.sql;
  EXPECT_EQ(with.sql.find("read_parquet"), std::string::npos) << with.sql;
  expect_same_rows(with.rows, h.without->run(by_category_and_month(), {}).rows, "in memory");
}

TEST(PreAggMemory, ARebuildLoadsANewTableAndDropsTheOldOneAfterTheGrace) {
  PreAggHarness h(daily_by_category_model(), generated_seed(5000), {}, nullptr, {},
                  HarnessMemory{64 << 20, 0ms});
  h.build();
  std::string first = h.store->memory_table(daily(h));
  ASSERT_NE(first, "");
  Source& preaggs = h.sources.get("__preaggs");
  EXPECT_TRUE(table_exists(preaggs, first));

  h.db->query("DELETE FROM line_items WHERE id % 3 = 0", {});
  h.build(true);
  std::string second = h.store->memory_table(daily(h));
  ASSERT_NE(second, "");
  EXPECT_NE(second, first);
  // Grace 0: the loader dropped the old table once the new one was in use.
  EXPECT_FALSE(table_exists(preaggs, first));
  EXPECT_TRUE(table_exists(preaggs, second));
  QueryResult with = h.with->run(by_category_and_month(), {});
  ASSERT_EQ(with.pre_aggregations.size(), 1u);
  EXPECT_NE(with.sql.find("\"" + second + "\""), std::string::npos) << with.sql;
  expect_same_rows(with.rows, h.without->run(by_category_and_month(), {}).rows,
                   "after the rebuild");
}

TEST(PreAggMemory, ARollupBeyondTheBudgetIsReadFromItsFiles) {
  PreAggHarness h(daily_by_category_model(), generated_seed(2000), {}, nullptr, {},
                  HarnessMemory{1024, 60s});
  h.build();
  EXPECT_EQ(h.store->memory_table(daily(h)), "");
  QueryResult with = h.with->run(by_category_and_month(), {});
  ASSERT_EQ(with.pre_aggregations.size(), 1u);
  EXPECT_NE(with.sql.find("read_parquet"), std::string::npos) << with.sql;
  expect_same_rows(with.rows, h.without->run(by_category_and_month(), {}).rows, "from files");
}

TEST(PreAggMemory, WithoutAMemoryBudgetNothingIsLoaded) {
  PreAggHarness h(daily_by_category_model(), generated_seed(2000), {}, nullptr, {},
                  HarnessMemory{0, 60s});
  h.build();
  EXPECT_TRUE(h.store->wait_loaded(0ms));
  EXPECT_EQ(h.store->memory_table(daily(h)), "");
  EXPECT_NE(h.with->run(by_category_and_month(), {}).sql.find("read_parquet"), std::string::npos);
}

}  // namespace
}  // namespace strata::testing
