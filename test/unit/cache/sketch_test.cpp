// The mergeable HyperLogLog sketches of count_distinct_approx rollups
// (plan/preagg_sketch.h), computed and merged in DuckDB: the error bound on
// known distributions, near-exact small counts, merging overlapping sets.
#include <gtest/gtest.h>

#include <cmath>

#include "cache_test_util.h"
#include "plan/preagg_sketch.h"
#include "sql/dialect.h"

namespace strata::testing {
namespace {

class Sketch : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { db_ = DuckDbSource::open("sketch", ":memory:"); }
  static void TearDownTestSuite() { db_.reset(); }

  // Estimates per group `g` of sketches built per group `b`, merged by `g`.
  // `values` is a SELECT of (g, b, v) rows.
  static std::vector<std::pair<int64_t, int64_t>> estimate(const std::string& values) {
    db_->query("CREATE OR REPLACE TABLE input AS " + values, {});
    std::string build = sketch_build_sql("input", {"g", "b"}, "v");
    db_->query("CREATE OR REPLACE TABLE sketches AS " + build, {});
    sql::Select s;
    s.items.push_back({sql::column("", "g"), "g"});
    s.items.push_back({sketch_estimate(sql::function(
                           "flatten", {sql::function("list", {sql::column("", "sketch")})})),
                       "estimate"});
    s.from = sql::TableRef{sql::TableRef::Kind::kName, "sketches", nullptr, {}, ""};
    s.group_by = {sql::literal(Value::int64(1))};
    s.order_by = {{sql::column("", "g"), false}};
    ResultSet rs = db_->query(sql::dialect_named("duckdb").render(s), {});
    std::vector<std::pair<int64_t, int64_t>> out;
    for (size_t r = 0; r < rs.row_count(); ++r) {
      out.push_back({rs.column(0).int_at(r), rs.column(1).int_at(r)});
    }
    return out;
  }

  static inline std::unique_ptr<DuckDbSource> db_;
};

TEST_F(Sketch, LargeCardinalitiesWithinTheErrorBound) {
  // 1.04 / sqrt(4096) = 1.6% standard error; hashing is deterministic, so
  // this is a fixed check against 5% (three standard errors).
  for (int64_t n : {1'000, 20'000, 200'000}) {
    auto est = estimate("SELECT 1 AS g, i % 16 AS b, i * 7919 AS v FROM range(0, " +
                        std::to_string(n) + ") t(i)");
    ASSERT_EQ(est.size(), 1u);
    double error = std::abs(static_cast<double>(est[0].second - n)) / static_cast<double>(n);
    EXPECT_LT(error, 0.05) << n << " distinct values estimated as " << est[0].second;
    RecordProperty("error_" + std::to_string(n), std::to_string(error));
  }
}

TEST_F(Sketch, SmallCountsAreNearlyExact) {
  for (int64_t n : {0, 1, 2, 3, 10, 50, 200}) {
    auto est = estimate("SELECT 1 AS g, 0 AS b, i AS v FROM range(0, " + std::to_string(n) +
                        ") t(i) UNION ALL SELECT 1, 0, NULL");  // NULLs are not values
    ASSERT_EQ(est.size(), 1u);
    EXPECT_NEAR(static_cast<double>(est[0].second), static_cast<double>(n),
                std::max(1.0, 0.02 * static_cast<double>(n)))
        << n;
  }
}

TEST_F(Sketch, DuplicatesAndOverlapsCountOnce) {
  // Group 1: two halves that overlap (0..60k and 40k..100k): 100k distinct.
  // Group 2: 500 values repeated 20 times across 10 sketches.
  auto est = estimate(
      "SELECT 1 AS g, 0 AS b, i AS v FROM range(0, 60000) t(i) "
      "UNION ALL SELECT 1, 1, i FROM range(40000, 100000) t(i) "
      "UNION ALL SELECT 2, i % 10, i % 500 FROM range(0, 10000) t(i)");
  ASSERT_EQ(est.size(), 2u);
  EXPECT_LT(std::abs(est[0].second - 100'000) / 100'000.0, 0.05) << est[0].second;
  EXPECT_NEAR(static_cast<double>(est[1].second), 500.0, 10.0);
}

TEST_F(Sketch, StringsAndMergingInAnyGrouping) {
  // The same 30,000 strings split two ways must estimate the same count.
  auto a = estimate(
      "SELECT 1 AS g, i % 3 AS b, 'user_' || (i % 30000) AS v "
      "FROM range(0, 90000) t(i)");
  auto b = estimate(
      "SELECT 1 AS g, i % 7 AS b, 'user_' || (i % 30000) AS v "
      "FROM range(0, 90000) t(i)");
  ASSERT_EQ(a.size(), 1u);
  ASSERT_EQ(b.size(), 1u);
  EXPECT_EQ(a[0].second, b[0].second);  // registers keep maxima: grouping does not matter
  EXPECT_LT(std::abs(a[0].second - 30'000) / 30'000.0, 0.05) << a[0].second;
}

}  // namespace
}  // namespace strata::testing
