// A pre-aggregation test bench: a model, a seeded in-memory DuckDB as the
// "default" source, the "__preaggs" source, a PreAggStore in a fresh temp
// folder, a refresh worker, and two QueryServices over the same sources:
// `with` answers from rollups, `without` only from the source. Tests run a
// query on both and compare.
//
// generated_shop(): the demo generator (examples/shop/generate.sql, two
// years of orders 2024-2025 UTC) at `items` line items, with a model that has
// every measure type and rollups (daily, hourly, a lambda) on line_items.
#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>

#include "cache/build_lease.h"
#include "cache/preagg_store.h"
#include "cache/refresh_worker.h"
#include "cache_test_util.h"
#include "exec/query_service.h"

namespace strata::testing {

// How the harness's store loads rollups into memory (bytes 0: never).
struct HarnessMemory {
  size_t bytes = size_t{256} << 20;
  std::chrono::milliseconds grace{60'000};
};

struct PreAggHarness {
  PreAggHarness(std::shared_ptr<const Model> m, const std::string& seed_sql,
                RefreshOptions options = {}, std::unique_ptr<BuildLease> lease = nullptr,
                std::filesystem::path folder = {}, HarnessMemory memory = {})
      : model(std::move(m)) {
    dir = folder.empty()
              ? std::filesystem::temp_directory_path() / ("strata-preagg-test-" + random_token(6))
              : folder;
    own_dir = folder.empty();
    auto duck = DuckDbSource::open("default", ":memory:");
    duck->query(seed_sql, {});
    db = duck.get();
    sources.add(std::move(duck));
    sources.add(DuckDbSource::open("__preaggs", ":memory:", {.threads = 1}));
    PreAggStoreOptions so{dir, "__preaggs"};
    so.memory_source = &sources.get("__preaggs");
    so.memory_bytes = memory.bytes;
    so.memory_grace = memory.grace;
    store = std::make_unique<PreAggStore>(model, so);
    QueryServiceOptions on;
    on.worker_threads = 4;
    on.pre_aggregations = store->lookup_function();
    with = std::make_unique<QueryService>(model, sources, on);
    QueryServiceOptions off;
    off.worker_threads = 4;
    without = std::make_unique<QueryService>(model, sources, off);
    worker = std::make_unique<RefreshWorker>(*with, sources, *store,
                                             lease ? std::move(lease) : make_no_lease(), options);
  }
  ~PreAggHarness() {
    worker.reset();
    with.reset();
    without.reset();
    store.reset();
    std::error_code ec;
    if (own_dir) std::filesystem::remove_all(dir, ec);
  }

  // Builds every pre-aggregation; fails the test on a build error. Then
  // waits until the builds are loaded into memory (when they are), so
  // queries read the tables.
  RefreshReport build(bool force = false) {
    RefreshReport r = worker->refresh({}, force);
    for (const auto& item : r.items) EXPECT_EQ(item.error, "") << item.pre_aggregation;
    for (const PreAggregation* p : store->all()) store->lookup(*p);
    EXPECT_TRUE(store->wait_loaded(std::chrono::seconds(30)));
    return r;
  }

  std::shared_ptr<const Model> model;
  std::filesystem::path dir;
  bool own_dir = true;
  SourceRegistry sources;
  DuckDbSource* db = nullptr;
  std::unique_ptr<PreAggStore> store;
  std::unique_ptr<QueryService> with;
  std::unique_ptr<QueryService> without;
  std::unique_ptr<RefreshWorker> worker;
};

inline std::string generated_seed(int items) {
  return "SET VARIABLE line_items = " + std::to_string(items) + ";\n" +
         read_text(source_path("examples/shop/generate.sql"));
}

// The demo data's tables with a model that has every measure type.
// `rollups` is appended to line_items (indented for its keys).
inline std::string generated_model(const std::string& rollups) {
  return R"yaml(
cubes:
  - name: orders
    sql_table: orders
    joins:
      - {name: users, relationship: many_to_one, sql: "{CUBE}.user_id = {users.id}"}
    dimensions:
      - {name: id, sql: id, type: number, primary_key: true}
      - {name: status, sql: status, type: string}
      - {name: created_at, sql: created_at, type: time}
    measures:
      - {name: count, type: count}
    segments:
      - {name: completed, sql: "{CUBE}.status = 'completed'"}
  - name: users
    sql_table: users
    dimensions:
      - {name: id, sql: id, type: number, primary_key: true}
      - {name: city, sql: city, type: string}
      - {name: channel, sql: channel, type: string}
  - name: products
    sql_table: products
    dimensions:
      - {name: id, sql: id, type: number, primary_key: true}
      - {name: category, sql: category, type: string}
  - name: line_items
    sql_table: line_items
    joins:
      - {name: orders, relationship: many_to_one, sql: "{CUBE}.order_id = {orders.id}"}
      - {name: products, relationship: many_to_one, sql: "{CUBE}.product_id = {products.id}"}
    dimensions:
      - {name: id, sql: id, type: number, primary_key: true}
      - {name: quantity, sql: quantity, type: number}
    measures:
      - {name: count, type: count}
      - {name: revenue, sql: "{CUBE}.quantity * {CUBE}.price", type: sum}
      - {name: units, sql: quantity, type: sum}
      - {name: average_price, sql: price, type: avg}
      - {name: min_price, sql: price, type: min}
      - {name: max_price, sql: price, type: max}
      - {name: big_lines, type: count, filters: [{sql: "{CUBE}.quantity >= 4"}]}
      - {name: orders_approx, sql: order_id, type: count_distinct_approx}
      - {name: orders_exact, sql: order_id, type: count_distinct}
      - {name: revenue_per_unit, sql: "{revenue} / NULLIF({units}, 0)", type: number}
)yaml" + rollups;
}

// The generated model with one rollup, line_items.daily: count, revenue and
// average_price by products.category and day, in monthly partitions.
inline std::shared_ptr<const Model> daily_by_category_model() {
  return load_model_from_files({ModelFile{"m.yml", generated_model(R"(    pre_aggregations:
      - name: daily
        measures: [count, revenue, average_price]
        dimensions: [products.category]
        time_dimension: orders.created_at
        granularity: day
        partition_granularity: month
)")}});
}

// Rows of both answers must be equal; `approx` columns (by index) of `a`
// are estimates of the exact values in `b` (within 5%, or 2 for small counts).
inline void expect_same_rows(const ResultSet& a, const ResultSet& b, const std::string& what,
                             const std::vector<size_t>& approx = {}) {
  auto ra = text_rows(a);
  auto rb = text_rows(b);
  ASSERT_EQ(ra.size(), rb.size()) << what;
  // The queries order by time only, so rows that tie on it may come in any
  // order: compare as multisets, keyed on the exactly comparable columns.
  auto key = [&](const std::vector<std::string>& row) {
    std::string k;
    for (size_t c = 0; c < row.size(); ++c) {
      TypeId id = a.schema()[c].type.id;
      bool inexact = id == TypeId::kDouble || id == TypeId::kFloat ||
                     std::find(approx.begin(), approx.end(), c) != approx.end();
      k += inexact ? std::string() : row[c];
      k += '\x1f';
    }
    return k;
  };
  auto by_key = [&](const auto& x, const auto& y) { return key(x) < key(y); };
  std::stable_sort(ra.begin(), ra.end(), by_key);
  std::stable_sort(rb.begin(), rb.end(), by_key);
  for (size_t r = 0; r < ra.size(); ++r) {
    ASSERT_EQ(ra[r].size(), rb[r].size()) << what;
    for (size_t c = 0; c < ra[r].size(); ++c) {
      bool is_approx = std::find(approx.begin(), approx.end(), c) != approx.end();
      Type t = a.schema()[c].type;
      if (is_approx && ra[r][c] != "NULL" && rb[r][c] != "NULL") {
        double x = std::stod(ra[r][c]), y = std::stod(rb[r][c]);
        EXPECT_LE(std::abs(x - y), std::max(2.0, 0.05 * y)) << what << " row " << r << " col " << c;
      } else if ((t.id == TypeId::kDouble || t.id == TypeId::kFloat) && ra[r][c] != "NULL" &&
                 rb[r][c] != "NULL") {
        double x = std::stod(ra[r][c]), y = std::stod(rb[r][c]);
        EXPECT_NEAR(x, y, std::abs(y) * 1e-9 + 1e-12) << what << " row " << r << " col " << c;
      } else {
        EXPECT_EQ(ra[r][c], rb[r][c]) << what << " row " << r << " col " << c;
      }
    }
  }
}

}  // namespace strata::testing
