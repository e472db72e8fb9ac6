// Rollup pre-aggregations answer exactly what the sources answer.
//
//  - The shop fixture's hand-computed cases (test/fixtures/shop/shop_cases.h)
//    with rollups added to its model: every case gives its known answer
//    with rollups on, and the cases a rollup can answer are answered by one.
//  - The demo generator's data (two years, 2024-2025) with every measure
//    type: a matrix of queries (measures x granularities x dimensions x
//    filters x time zones) run with and without rollups must agree; which
//    queries a rollup answers is checked against the matching rules.
//  - Queries that must not match fall back to the source.
//  - At the rollup's own grain rows are read without regrouping; of several
//    matching rollups the one with the fewest rows answers.
//  - Lambda rollups: the newest partition comes from the source.
//  - The result cache changes with a rebuilt rollup.
#include <gtest/gtest.h>

#include "../../fixtures/shop/shop_cases.h"
#include "../cache/preagg_harness.h"
#include "cache/memory_cache.h"
#include "core/time.h"

namespace strata::testing {
namespace {

// --- the shop fixture, hand-computed answers ---------------------------------

const char* kFixtureRollups = R"(    pre_aggregations:
      - name: by_day
        measures: [count, total_amount, average_amount, min_amount, max_amount, buyers_approx,
                   completed_count, completed_share]
        dimensions: [status, is_big, users.city]
        segments: [completed]
        time_dimension: created_at
        granularity: day
        partition_granularity: month
      - name: hourly
        measures: [count, total_amount]
        time_dimension: created_at
        granularity: hour
        partition_granularity: month
)";

const char* kFixtureLineItemRollups = R"(    pre_aggregations:
      - name: by_category
        measures: [count, revenue, units]
        dimensions: [products.category, orders.status, users.city]
        time_dimension: orders.created_at
        granularity: day
        partition_granularity: month
)";

class FixtureRollups : public ::testing::TestWithParam<ShopCase> {
 protected:
  static void SetUpTestSuite() {
    auto model =
        load_with("test/fixtures/shop/model",
                  {{"orders.yml", kFixtureRollups}, {"line_items.yml", kFixtureLineItemRollups}});
    // Read from the Parquet files (GeneratedRollups reads loaded tables).
    h_ = new PreAggHarness(model, read_text(source_path("test/fixtures/shop/seed.sql")), {},
                           nullptr, {}, HarnessMemory{0});
    h_->build();
  }
  static void TearDownTestSuite() {
    delete h_;
    h_ = nullptr;
  }
  static inline PreAggHarness* h_ = nullptr;
};

// The cases a rollup of the fixture answers (the others fall back: they use
// members, filters, views or count_distinct grains no rollup has).
const std::set<std::string> kAnsweredByRollups = {
    "CountAndSumByStatus",
    "DefaultOrderIsFirstMeasureDescending",
    "MultiHopJoin",
    "NumberMeasureByGroup",
    "MonthsInUtc",
    "MonthsInNewYork",
    "MonthsInTokyo",
    "WeeksStartOnMonday",
    "QuartersInNewYork",
    "DateRangeCoversTheWholeLastDay",
    "DateRangeInNewYork",
    "EqualsSeveralValues",
    "Segment",
    "BooleanFilter",
    "MeasureFiltersGoToHaving",
    "DateRangeLastSecondOfTheDay",
    "NegativeFiltersKeepNulls",
    "NotSet",
    "LimitOffsetAndTotal",
};

TEST_P(FixtureRollups, KnownAnswers) {
  const ShopCase& c = GetParam();
  SemanticQuery q = c.query();
  QueryResult r;
  try {
    r = h_->with->run(q, {});
  } catch (const Error& e) {
    // Queries the planner refuses are refused with or without rollups.
    EXPECT_THROW(h_->without->run(q, {}), Error) << e.what();
    return;
  }
  // The cases list what the SQL returns: one row past the limit when there
  // are more. The service cuts that row off and says so.
  Rows expected = c.expected;
  if (expected.size() > static_cast<size_t>(q.limit)) {
    expected.resize(q.limit);
    EXPECT_TRUE(r.limit_reached);
  }
  expect_rows(text_rows(r.rows), expected, r.sql);
  bool rollup = !r.pre_aggregations.empty();
  EXPECT_EQ(rollup, kAnsweredByRollups.count(c.name) > 0) << r.sql;
  if (c.expected_total) {
    // Totals use the same plan.
    SemanticQuery tq = q;
    tq.total = true;
    QueryResult t = h_->with->run(tq, {});
    ASSERT_TRUE(t.total);
    EXPECT_EQ(std::to_string(*t.total), (*c.expected_total)[0][0]);
  }
}

INSTANTIATE_TEST_SUITE_P(Shop, FixtureRollups, ::testing::ValuesIn(shop_cases()),
                         [](const auto& info) { return info.param.name; });

// --- generated data: rollup vs source ---------------------------------------

const char* kGeneratedRollups = R"(    pre_aggregations:
      - name: daily
        measures: [count, revenue, units, average_price, min_price, max_price, big_lines,
                   orders_approx, revenue_per_unit]
        dimensions: [products.category, orders.status]
        segments: [orders.completed]
        time_dimension: orders.created_at
        granularity: day
        partition_granularity: month
      - name: hourly
        measures: [count, revenue, average_price]
        dimensions: [orders.status]
        time_dimension: orders.created_at
        granularity: hour
        partition_granularity: quarter
      - name: exact_monthly
        measures: [orders_exact, count]
        dimensions: [products.category]
        time_dimension: orders.created_at
        granularity: month
        partition_granularity: year
)";

class GeneratedRollups : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    h_ = new PreAggHarness(load_yaml(generated_model(kGeneratedRollups)), generated_seed(20000));
    RefreshReport r = h_->build();
    ASSERT_EQ(r.items.size(), 3u);
    EXPECT_EQ(r.items[0].built, 24);  // 24 months of 2024-2025
    EXPECT_EQ(r.items[1].built, 8);   // 8 quarters
    EXPECT_EQ(r.items[2].built, 2);   // 2 years
  }
  static void TearDownTestSuite() {
    delete h_;
    h_ = nullptr;
  }
  static std::shared_ptr<const Model> load_yaml(const std::string& yaml) {
    return load_model_from_files({ModelFile{"model.yml", yaml}});
  }

  // Runs `q` both ways and compares; returns the rollup that answered ("" for none).
  static std::string compare(const SemanticQuery& q, const std::string& what) {
    QueryResult with = h_->with->run(q, {});
    // count_distinct_approx: compare with the exact count of the same column.
    SemanticQuery exact = q;
    std::vector<size_t> approx;
    for (size_t i = 0; i < exact.measures.size(); ++i) {
      if (exact.measures[i] == "line_items.orders_approx") {
        exact.measures[i] = "line_items.orders_exact";
        approx.push_back(with.columns.size() - exact.measures.size() + i);
      }
    }
    for (auto& o : exact.order) {
      if (o.member == "line_items.orders_approx") o.member = "line_items.orders_exact";
    }
    QueryResult without = h_->without->run(exact, {});
    EXPECT_TRUE(without.pre_aggregations.empty());
    expect_same_rows(with.rows, without.rows, what + "\n" + with.sql, approx);
    return with.pre_aggregations.empty() ? "" : with.pre_aggregations[0].name;
  }

  // The measures the hourly rollup keeps.
  static bool in_hourly(const std::string& m) {
    return m == "line_items.count" || m == "line_items.revenue" || m == "line_items.average_price";
  }
  // Of two rollups, the one with fewer built rows (the first on a tie).
  static std::string smaller(const std::string& a, const std::string& b) {
    auto rows = [](const std::string& name) {
      int64_t n = 0;
      for (const auto& p : h_->store->lookup(*h_->store->find(name))->partitions) n += p.rows;
      return n;
    };
    return rows(b) < rows(a) ? b : a;
  }

  static inline PreAggHarness* h_ = nullptr;
};

SemanticQuery query(std::vector<std::string> measures, std::vector<std::string> dims = {}) {
  SemanticQuery q;
  q.measures = std::move(measures);
  q.dimensions = std::move(dims);
  q.limit = 50000;
  return q;
}

TimeDimensionQuery td(std::optional<Granularity> g, std::optional<DateRange> range = std::nullopt) {
  return shop_time_dimension("orders.created_at", g, range);
}

TEST_F(GeneratedRollups, EveryMeasureTypeAtSeveralGranularities) {
  const std::vector<std::string> measures = {
      "line_items.count",         "line_items.revenue",       "line_items.units",
      "line_items.average_price", "line_items.min_price",     "line_items.max_price",
      "line_items.big_lines",     "line_items.orders_approx", "line_items.revenue_per_unit"};
  for (const auto& m : measures) {
    // exact_monthly keeps count too, in fewer rows: it answers by month and coarser.
    const bool monthly = m == "line_items.count";
    for (auto g : {Granularity::kDay, Granularity::kWeek, Granularity::kMonth,
                   Granularity::kQuarter, Granularity::kYear}) {
      SemanticQuery q = query({m}, {"products.category"});
      q.time_dimensions = {td(g)};
      std::string what = m + " by " + std::string(granularity_name(g));
      bool coarse =
          g == Granularity::kMonth || g == Granularity::kQuarter || g == Granularity::kYear;
      EXPECT_EQ(compare(q, what),
                monthly && coarse ? "line_items.exact_monthly" : "line_items.daily")
          << what;
    }
    // No time dimension, no dimension: the grand total. hourly keeps some
    // of the measures too; whichever keeps the measure in fewer rows answers.
    std::string total = compare(query({m}), m + " total");
    if (monthly) {
      EXPECT_EQ(total, "line_items.exact_monthly");
    } else if (in_hourly(m)) {
      EXPECT_EQ(total, smaller("line_items.daily", "line_items.hourly")) << m;
    } else {
      EXPECT_EQ(total, "line_items.daily") << m;
    }
  }
  // All of them at once, by both dimensions.
  SemanticQuery all = query(measures, {"orders.status", "products.category"});
  all.time_dimensions = {td(Granularity::kMonth)};
  EXPECT_EQ(compare(all, "all measures"), "line_items.daily");
}

TEST_F(GeneratedRollups, FiltersSegmentsOrderAndLimits) {
  SemanticQuery q = query({"line_items.revenue", "line_items.count"}, {"products.category"});
  q.filters = {shop_condition("orders.status", FilterOp::kEquals, {"completed", "shipped"}),
               shop_condition("products.category", FilterOp::kNotContains, {"ook"})};
  EXPECT_EQ(compare(q, "filters"), "line_items.daily");

  SemanticQuery seg = query({"line_items.units"}, {"products.category"});
  seg.segments = {"orders.completed"};
  EXPECT_EQ(compare(seg, "segment"), "line_items.daily");

  SemanticQuery having = query({"line_items.revenue"}, {"products.category"});
  having.filters = {shop_condition("line_items.count", FilterOp::kGt, {"2400"})};
  EXPECT_EQ(compare(having, "measure filter"), "line_items.daily");

  SemanticQuery ordered = query({"line_items.revenue"}, {"products.category", "orders.status"});
  ordered.order = {{"line_items.revenue", true}};
  ordered.order_given = true;
  ordered.limit = 5;
  ordered.offset = 3;
  EXPECT_EQ(compare(ordered, "order limit offset"), "line_items.daily");

  // Aligned date ranges (whole days) and date filters.
  SemanticQuery ranged = query({"line_items.count", "line_items.average_price"});
  ranged.time_dimensions = {
      td(Granularity::kWeek, DateRange{shop_local("2024-03-01"), shop_local("2024-06-15")})};
  std::string ranged_by = compare(ranged, "date range");
  EXPECT_TRUE(ranged_by == "line_items.daily" || ranged_by == "line_items.hourly") << ranged_by;
  FilterNode after = shop_condition("orders.created_at", FilterOp::kAfterOrOnDate, {"2025-07-01"});
  after.date_range = DateRange{shop_local("2025-07-01"), shop_local("2025-07-02")};
  SemanticQuery filtered = query({"line_items.revenue"}, {"orders.status"});
  filtered.filters = {after};
  std::string filtered_by = compare(filtered, "afterOrOnDate");
  EXPECT_TRUE(filtered_by == "line_items.daily" || filtered_by == "line_items.hourly")
      << filtered_by;

  // Totals.
  SemanticQuery total = query({"line_items.count"}, {"products.category"});
  total.total = true;
  total.limit = 3;
  QueryResult with = h_->with->run(total, {});
  QueryResult without = h_->without->run(total, {});
  ASSERT_TRUE(with.total && without.total);
  EXPECT_EQ(*with.total, *without.total);
  EXPECT_FALSE(with.pre_aggregations.empty());
}

TEST_F(GeneratedRollups, AtTheRollupsGrainRowsAreReadWithoutRegrouping) {
  // The daily rollup's dimensions, day and segment: one rollup row per group.
  SemanticQuery grain = query({"line_items.revenue", "line_items.average_price",
                               "line_items.orders_approx", "line_items.min_price"},
                              {"products.category", "orders.status"});
  grain.time_dimensions = {
      td(Granularity::kDay, DateRange{shop_local("2024-05-01"), shop_local("2024-08-01")})};
  grain.segments = {"orders.completed"};
  EXPECT_EQ(compare(grain, "at grain"), "line_items.daily");
  QueryResult r = h_->with->run(grain, {});
  EXPECT_EQ(r.sql.find("GROUP BY 1"), std::string::npos) << r.sql;
  // Without the segment, rows with and without it fold into one group.
  SemanticQuery unsegmented = grain;
  unsegmented.segments.clear();
  EXPECT_EQ(compare(unsegmented, "grain without the segment"), "line_items.daily");
  EXPECT_NE(h_->with->run(unsegmented, {}).sql.find("GROUP BY 1"), std::string::npos);
  // Fewer dimensions: regrouped.
  SemanticQuery fewer = grain;
  fewer.dimensions = {"products.category"};
  EXPECT_EQ(compare(fewer, "grain without status"), "line_items.daily");
  EXPECT_NE(h_->with->run(fewer, {}).sql.find("GROUP BY 1"), std::string::npos);
  // The hourly rollup at its grain, with a measure filter.
  SemanticQuery hourly = query({"line_items.revenue", "line_items.count"}, {"orders.status"});
  hourly.time_dimensions = {
      td(Granularity::kHour, DateRange{shop_local("2025-03-01"), shop_local("2025-03-20")})};
  hourly.filters = {shop_condition("line_items.count", FilterOp::kGte, {"2"})};
  EXPECT_EQ(compare(hourly, "hourly at grain"), "line_items.hourly");
}

TEST_F(GeneratedRollups, TheMatchingRollupWithTheFewestRowsAnswers) {
  // Both daily (declared first) and exact_monthly hold count by category
  // and month; exact_monthly has about 30 times fewer rows.
  SemanticQuery q = query({"line_items.count"}, {"products.category"});
  q.time_dimensions = {td(Granularity::kMonth)};
  EXPECT_EQ(compare(q, "count by month"), "line_items.exact_monthly");
  // By day only daily can answer.
  q.time_dimensions = {td(Granularity::kDay)};
  EXPECT_EQ(compare(q, "count by day"), "line_items.daily");
}

TEST_F(GeneratedRollups, TimeZones) {
  // New York: the UTC day rollup cannot answer, the UTC hour rollup can
  // (whole-hour offsets, DST included).
  for (auto g : {Granularity::kHour, Granularity::kDay, Granularity::kMonth}) {
    SemanticQuery q = query({"line_items.revenue", "line_items.average_price"}, {"orders.status"});
    q.time_dimensions = {td(g, DateRange{shop_local("2024-02-01"), shop_local("2024-12-01")})};
    q.timezone = "America/New_York";
    EXPECT_EQ(compare(q, "New York " + std::string(granularity_name(g))), "line_items.hourly");
  }
  // Kolkata (+05:30): no UTC bucket fits: the source answers.
  SemanticQuery india = query({"line_items.revenue"});
  india.time_dimensions = {td(Granularity::kDay)};
  india.timezone = "Asia/Kolkata";
  EXPECT_EQ(compare(india, "Kolkata"), "");
  // Measures the hourly rollup lacks: no match in New York.
  SemanticQuery units = query({"line_items.units"});
  units.time_dimensions = {td(Granularity::kMonth)};
  units.timezone = "America/New_York";
  EXPECT_EQ(compare(units, "units in New York"), "");
}

TEST_F(GeneratedRollups, CountDistinctOnlyAtTheRollupsGrain) {
  SemanticQuery grain = query({"line_items.orders_exact"}, {"products.category"});
  grain.time_dimensions = {td(Granularity::kMonth)};
  EXPECT_EQ(compare(grain, "exact at grain"), "line_items.exact_monthly");
  SemanticQuery coarser = grain;
  coarser.time_dimensions = {td(Granularity::kYear)};
  EXPECT_EQ(compare(coarser, "exact by year"), "");
  SemanticQuery fewer = query({"line_items.orders_exact"});
  fewer.time_dimensions = {td(Granularity::kMonth)};
  EXPECT_EQ(compare(fewer, "exact without category"), "");
}

TEST_F(GeneratedRollups, QueriesThatMustNotMatchFallBack) {
  // A dimension the rollups lack.
  EXPECT_EQ(compare(query({"line_items.count"}, {"users.city"}), "users.city"), "");
  // A filter on a member the rollups lack.
  SemanticQuery f = query({"line_items.count"}, {"products.category"});
  f.filters = {shop_condition("line_items.quantity", FilterOp::kGte, {"3"})};
  EXPECT_EQ(compare(f, "quantity filter"), "");
  // A date range that does not fall on day (or hour) boundaries.
  SemanticQuery r = query({"line_items.units"});
  r.time_dimensions = {
      td(std::nullopt, DateRange{shop_local("2024-03-01T10:30:00"), shop_local("2024-05-01")})};
  EXPECT_EQ(compare(r, "unaligned range"), "");
  // Hour-aligned: the hourly rollup (it has revenue).
  SemanticQuery hr = query({"line_items.revenue"});
  hr.time_dimensions = {
      td(std::nullopt, DateRange{shop_local("2024-03-01T10:00"), shop_local("2024-05-01")})};
  EXPECT_EQ(compare(hr, "hour-aligned range"), "line_items.hourly");
  // A comparison on the time dimension itself.
  SemanticQuery gt = query({"line_items.count"});
  gt.filters = {shop_condition("orders.created_at", FilterOp::kGt, {"2024-06-01"})};
  EXPECT_EQ(compare(gt, "time gt"), "");
  // Ungrouped.
  SemanticQuery raw = query({"line_items.count"}, {"products.category"});
  raw.ungrouped = true;
  raw.limit = 100;
  EXPECT_TRUE(h_->with->run(raw, {}).pre_aggregations.empty());
  // A measure of another cube.
  EXPECT_EQ(compare(query({"orders.count"}, {"orders.status"}), "orders.count"), "");
}

TEST_F(GeneratedRollups, FanOutRollupsMatchOnlyAtTheirGrain) {
  // orders.count by products.category crosses orders -> line_items
  // (one_to_many): an order with two categories counts in both groups, so
  // the rollup cannot be summed to fewer dimensions.
  auto model = load_yaml(R"(
cubes:
  - name: orders
    sql_table: orders
    joins:
      - {name: line_items, relationship: one_to_many, sql: "{CUBE}.id = {line_items.order_id}"}
    dimensions:
      - {name: id, sql: id, type: number, primary_key: true}
      - {name: status, sql: status, type: string}
    measures:
      - {name: count, type: count}
    pre_aggregations:
      - name: by_category
        measures: [count]
        dimensions: [products.category, status]
  - name: line_items
    sql_table: line_items
    joins:
      - {name: products, relationship: many_to_one, sql: "{CUBE}.product_id = {products.id}"}
    dimensions:
      - {name: id, sql: id, type: number, primary_key: true}
      - {name: order_id, sql: order_id, type: number}
  - name: products
    sql_table: products
    dimensions:
      - {name: id, sql: id, type: number, primary_key: true}
      - {name: category, sql: category, type: string}
)");
  PreAggHarness h(model, generated_seed(2000));
  h.build();
  SemanticQuery exact = query({"orders.count"}, {"products.category", "orders.status"});
  QueryResult with = h.with->run(exact, {});
  EXPECT_FALSE(with.pre_aggregations.empty());
  expect_same_rows(with.rows, h.without->run(exact, {}).rows, "fan-out at grain");
  SemanticQuery coarser = query({"orders.count"}, {"orders.status"});
  with = h.with->run(coarser, {});
  EXPECT_TRUE(with.pre_aggregations.empty());
  expect_same_rows(with.rows, h.without->run(coarser, {}).rows, "fan-out coarser");
}

// --- lambda ------------------------------------------------------------------

TEST(LambdaRollups, TheNewestPartitionComesFromTheSource) {
  const char* rollups = R"(    pre_aggregations:
      - name: batch
        measures: [count, revenue, average_price, min_price]
        dimensions: [orders.status]
        time_dimension: orders.created_at
        granularity: day
        partition_granularity: month
      - name: live
        type: rollup_lambda
        rollups: [CUBE.batch]
        union_with_source_data: true
)";
  PreAggHarness h(load_model_from_files({ModelFile{"m.yml", generated_model(rollups)}}),
                  generated_seed(5000));
  h.build();
  SemanticQuery q = query({"line_items.count", "line_items.revenue", "line_items.average_price",
                           "line_items.min_price"},
                          {"orders.status"});
  q.time_dimensions = {td(Granularity::kMonth)};
  QueryResult r = h.with->run(q, {});
  ASSERT_EQ(r.pre_aggregations.size(), 1u);
  EXPECT_EQ(r.pre_aggregations[0].name, "line_items.live");
  EXPECT_TRUE(r.pre_aggregations[0].lambda);
  ASSERT_EQ(r.served_by.size(), 2u);
  EXPECT_EQ(r.served_by[0].source, "__preaggs");
  EXPECT_EQ(r.served_by[1].source, "default");
  expect_same_rows(r.rows, h.without->run(q, {}).rows, "lambda before new rows");

  // New rows in the newest month (December 2025) show up at once; a row
  // added to an old month does not (that month is served from the rollup).
  h.db->query(
      "INSERT INTO orders VALUES (900001, 1, 'completed', TIMESTAMP '2025-12-30 12:00:00');"
      "INSERT INTO line_items VALUES (900001, 900001, 1, 3, 10.00);"
      "INSERT INTO orders VALUES (900002, 1, 'completed', TIMESTAMP '2024-02-10 12:00:00');"
      "INSERT INTO line_items VALUES (900002, 900002, 1, 3, 10.00);",
      {});
  SemanticQuery december = q;
  december.time_dimensions = {
      td(Granularity::kMonth, DateRange{shop_local("2025-12-01"), shop_local("2026-01-01")})};
  expect_same_rows(h.with->run(december, {}).rows, h.without->run(december, {}).rows,
                   "lambda sees new rows");
  SemanticQuery february = q;
  february.time_dimensions = {
      td(Granularity::kMonth, DateRange{shop_local("2024-02-01"), shop_local("2024-03-01")})};
  QueryResult old_month = h.with->run(february, {});
  QueryResult source = h.without->run(february, {});
  EXPECT_FALSE(old_month.pre_aggregations[0].lambda);            // no source part needed
  EXPECT_NE(text_rows(old_month.rows), text_rows(source.rows));  // built before the insert
  h.build(true);                                                 // rebuilt: equal again
  expect_same_rows(h.with->run(february, {}).rows, source.rows, "after rebuild");
}

// --- the demo model (examples/shop, what `make demo` serves) -------------------

TEST(DemoModel, ItsRollupsBuildAndAnswerTheDashboard) {
  PreAggHarness h(load_with("examples/shop/model", {}), generated_seed(20000));
  RefreshReport r = h.build();
  ASSERT_EQ(r.items.size(), 2u);
  for (const auto& item : r.items) EXPECT_GT(item.built, 0) << item.pre_aggregation;
  auto run = [&](SemanticQuery q, const std::string& what) {
    QueryResult with = h.with->run(q, {});
    expect_same_rows(with.rows, h.without->run(q, {}).rows, what + "\n" + with.sql);
    return with.pre_aggregations.empty() ? std::string() : with.pre_aggregations[0].name;
  };
  // The dashboard query of bench/cache_bench.sh: by category and month.
  SemanticQuery monthly = query({"line_items.revenue", "line_items.count"}, {"products.category"});
  monthly.time_dimensions = {
      td(Granularity::kMonth, DateRange{shop_local("2025-01-01"), shop_local("2026-01-01")})};
  EXPECT_EQ(run(monthly, "by category and month"), "line_items.sales_by_month");
  // By status too: only the daily rollup has it.
  SemanticQuery by_status = monthly;
  by_status.dimensions.push_back("orders.status");
  by_status.measures.push_back("line_items.average_price");
  EXPECT_EQ(run(by_status, "by category, status and month"), "line_items.sales_by_day");
}

// --- the result cache follows rebuilt rollups ---------------------------------

TEST(RollupsAndTheResultCache, ARebuiltRollupIsANewCacheKey) {
  const char* rollups = R"(    pre_aggregations:
      - name: daily
        measures: [count]
        time_dimension: orders.created_at
        granularity: day
        partition_granularity: year
)";
  auto model = load_model_from_files({ModelFile{"m.yml", generated_model(rollups)}});
  PreAggHarness h(model, generated_seed(1000));
  h.build();
  QueryServiceOptions o;
  o.worker_threads = 2;
  o.pre_aggregations = h.store->lookup_function();
  o.cache = std::make_shared<MemoryCache>(16 << 20);
  o.default_refresh_every_micros = 3'600'000'000LL;  // the cube's key does not move here
  QueryService cached(model, h.sources, o);
  SemanticQuery q = query({"line_items.count"});
  QueryResult first = cached.run(q, {});
  EXPECT_FALSE(first.from_cache);
  EXPECT_FALSE(first.pre_aggregations.empty());
  EXPECT_TRUE(cached.run(q, {}).from_cache);
  h.db->query("DELETE FROM line_items WHERE id % 2 = 0", {});
  EXPECT_TRUE(cached.run(q, {}).from_cache);  // neither key changed
  h.build(true);                              // the rollup is rebuilt
  QueryResult after = cached.run(q, {});
  EXPECT_FALSE(after.from_cache);
  EXPECT_EQ(text_rows(after.rows), text_rows(h.without->run(q, {}).rows));
  EXPECT_NE(text_rows(after.rows), text_rows(first.rows));
}

}  // namespace
}  // namespace strata::testing
