// Pre-aggregations under concurrency: queries answered while partitions are
// rebuilt never see a partial answer, and two workers sharing a folder never
// build at the same time (file lease; the Redis lease is tested in
// redis_cache_test.cpp).
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "preagg_harness.h"

namespace strata::testing {
namespace {

using namespace std::chrono_literals;

SemanticQuery by_category() {
  SemanticQuery q;
  q.measures = {"line_items.count", "line_items.revenue", "line_items.average_price"};
  q.dimensions = {"products.category"};
  q.order = {{"products.category", false}};
  q.order_given = true;
  return q;
}

// Three readers query while a rebuilder rebuilds every partition again and
// again; every answer must be the whole answer, from the rollup.
void readers_during_rebuilds(HarnessMemory memory) {
  RefreshOptions o;
  o.gc_grace = 2s;  // replaced files outlive any query planned on the old manifest
  PreAggHarness h(daily_by_category_model(), generated_seed(20000), o, nullptr, {}, memory);
  h.build();
  QueryResult expected = h.without->run(by_category(), {});
  std::atomic<bool> stop{false};
  std::atomic<int> answers{0}, from_rollup{0}, rebuilds{0};
  std::thread rebuilder([&] {
    while (!stop) {
      RefreshReport r = h.worker->refresh({}, true);  // every partition, again and again
      if (!r.items.empty() && r.items[0].error.empty()) ++rebuilds;
    }
  });
  std::vector<std::thread> readers;
  for (int t = 0; t < 3; ++t) {
    readers.emplace_back([&] {
      while (!stop) {
        QueryResult r = h.with->run(by_category(), {});
        expect_same_rows(r.rows, expected.rows, "during a rebuild");
        ++answers;
        if (!r.pre_aggregations.empty()) ++from_rollup;
      }
    });
  }
  auto until = std::chrono::steady_clock::now() + 6s;
  while (std::chrono::steady_clock::now() < until && (rebuilds < 3 || answers < 100)) {
    std::this_thread::sleep_for(50ms);
  }
  stop = true;
  rebuilder.join();
  for (auto& r : readers) r.join();
  EXPECT_GE(rebuilds.load(), 1);
  EXPECT_GT(answers.load(), 0);
  EXPECT_EQ(from_rollup.load(), answers.load());  // always built: always the rollup
  ::testing::Test::RecordProperty("answers", answers.load());
  ::testing::Test::RecordProperty("rebuilds", rebuilds.load());
}

TEST(PreAggConcurrency, ReadersDuringRebuildsAlwaysGetTheWholeAnswer) {
  readers_during_rebuilds(HarnessMemory{0});  // from the Parquet files
}

TEST(PreAggConcurrency, ReadersDuringReloadsIntoMemoryAlwaysGetTheWholeAnswer) {
  // Each rebuild is loaded into a new table; replaced tables are dropped a
  // second later, while readers still plan on the newest one.
  readers_during_rebuilds(HarnessMemory{256 << 20, 1s});
}

TEST(PreAggConcurrency, TwoWorkersNeverBuildAtTheSameTime) {
  auto dir = std::filesystem::temp_directory_path() / ("strata-preagg-test-" + random_token(6));
  std::atomic<int> building{0}, peak{0}, builds{0};
  RefreshOptions o;
  o.observer = [&](const std::string&, const std::string&, bool started) {
    if (started) {
      int now = ++building;
      int p = peak.load();
      while (now > p && !peak.compare_exchange_weak(p, now)) {
      }
      ++builds;
      std::this_thread::sleep_for(2ms);  // widen the window a race would need
    } else {
      --building;
    }
  };
  auto m = daily_by_category_model();
  std::string seed = generated_seed(3000);
  PreAggHarness a(m, seed, o, make_file_lease(dir / ".build.lock"), dir);
  PreAggHarness b(m, seed, o, make_file_lease(dir / ".build.lock"), dir);
  std::atomic<int> refused{0}, passes{0};
  auto work = [&](PreAggHarness& h) {
    for (int i = 0; i < 4; ++i) {
      RefreshReport r = h.worker->refresh({}, true);
      if (r.lease_refused) {
        ++refused;
        std::this_thread::sleep_for(5ms);
      } else {
        ++passes;
        for (const auto& item : r.items) EXPECT_EQ(item.error, "");
      }
    }
  };
  std::thread ta(work, std::ref(a)), tb(work, std::ref(b));
  ta.join();
  tb.join();
  EXPECT_EQ(peak.load(), 1);
  EXPECT_GT(passes.load(), 0);
  EXPECT_EQ(builds.load(), passes.load() * 24);
  // Whoever built last left a complete, current manifest.
  auto built = a.store->lookup(*a.store->find("line_items.daily"));
  ASSERT_TRUE(built);
  EXPECT_EQ(built->partitions.size(), 24u);
  expect_same_rows(a.with->run(by_category(), {}).rows, a.without->run(by_category(), {}).rows,
                   "after both workers");
  RecordProperty("lease_refused", refused.load());
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
}

}  // namespace
}  // namespace strata::testing
