// The result cache inside QueryService, on the shop fixture (seed.sql:
// 6 orders; by status completed 3 / 370.00, pending 2 / 65.00, cancelled
// 1 / 30.00): hits and misses, renewQuery, refresh keys (time buckets and
// SQL values), and concurrent identical misses running once.
#include <gtest/gtest.h>

#include <thread>

#include "cache/memory_cache.h"
#include "cache_test_util.h"
#include "core/time.h"
#include "exec/query_service.h"

namespace strata::testing {
namespace {

using namespace std::chrono_literals;

SemanticQuery by_status() {
  SemanticQuery q;
  q.measures = {"orders.count", "orders.total_amount"};
  q.dimensions = {"orders.status"};
  q.order = {{"orders.status", false}};
  q.order_given = true;
  return q;
}

const std::vector<std::vector<std::string>> kByStatus = {
    {"cancelled", "1", "30.00"}, {"completed", "3", "370.00"}, {"pending", "2", "65.00"}};

struct Harness {
  explicit Harness(std::shared_ptr<const Model> model,
                   std::shared_ptr<ResultCache> cache = std::make_shared<MemoryCache>(64 << 20)) {
    auto counting = std::make_unique<CountingSource>(seeded_shop());
    source = counting.get();
    sources.add(std::move(counting));
    QueryServiceOptions o;
    o.worker_threads = 4;
    o.cache = std::move(cache);
    service = std::make_unique<QueryService>(std::move(model), sources, o);
  }
  int runs(const SemanticQuery& q) { return source->calls(service->plan(q, {}).sql); }

  SourceRegistry sources;
  CountingSource* source = nullptr;
  std::unique_ptr<QueryService> service;
};

class QueryCache : public ::testing::Test {
 protected:
  void TearDown() override { set_now_for_testing(std::nullopt); }
};

TEST_F(QueryCache, SecondIdenticalQueryIsServedFromTheCache) {
  Harness h(load_with("test/fixtures/shop/model", {}));
  QueryResult first = h.service->run(by_status(), {});
  EXPECT_FALSE(first.from_cache);
  EXPECT_EQ(text_rows(first.rows), kByStatus);
  ASSERT_EQ(first.refresh_key_values.size(), 1u);  // one cube: orders
  EXPECT_TRUE(first.refresh_key_values[0].starts_with("orders=e10000000:"));

  QueryResult second = h.service->run(by_status(), {});
  EXPECT_TRUE(second.from_cache);
  EXPECT_EQ(text_rows(second.rows), kByStatus);
  EXPECT_EQ(second.columns.size(), 3u);
  EXPECT_EQ(second.columns[0].key, "orders.status");
  EXPECT_EQ(second.computed_at_utc, first.computed_at_utc);
  EXPECT_EQ(h.runs(by_status()), 1);
}

TEST_F(QueryCache, SecurityContextAndQueryShapeTheKey) {
  Harness h(load_with("test/fixtures/shop/model", {}));
  h.service->run(by_status(), {});
  SecurityContext alice{R"({"sub":"alice"})", "alice", true};
  EXPECT_FALSE(h.service->run(by_status(), alice).from_cache);
  EXPECT_TRUE(h.service->run(by_status(), alice).from_cache);
  SemanticQuery other = by_status();
  other.limit = 2;
  QueryResult r = h.service->run(other, {});
  EXPECT_FALSE(r.from_cache);
  EXPECT_EQ(r.rows.row_count(), 2u);
  EXPECT_TRUE(r.limit_reached);
  QueryResult again = h.service->run(other, {});
  EXPECT_TRUE(again.from_cache);
  EXPECT_TRUE(again.limit_reached);
}

TEST_F(QueryCache, RenewQueryRunsAgainAndRefreshesTheEntry) {
  Harness h(load_with("test/fixtures/shop/model", {}));
  h.service->run(by_status(), {});
  SemanticQuery renew = by_status();
  renew.renew_query = true;
  QueryResult r = h.service->run(renew, {});
  EXPECT_FALSE(r.from_cache);
  EXPECT_EQ(h.runs(by_status()), 2);
  QueryResult after = h.service->run(by_status(), {});
  EXPECT_TRUE(after.from_cache);
  EXPECT_EQ(after.computed_at_utc, r.computed_at_utc);  // the renewed answer was kept
  EXPECT_EQ(h.runs(by_status()), 2);
}

TEST_F(QueryCache, TimeBucketKeyChangesWithTheClock) {
  // No refresh_key on orders: the default, a 10-second bucket.
  Harness h(load_with("test/fixtures/shop/model", {}));
  int64_t t0 = 1'800'000'000LL * kMicrosPerSecond;  // on a 10 s boundary
  set_now_for_testing(t0 + 1 * kMicrosPerSecond);
  EXPECT_FALSE(h.service->run(by_status(), {}).from_cache);
  set_now_for_testing(t0 + 9 * kMicrosPerSecond);
  EXPECT_TRUE(h.service->run(by_status(), {}).from_cache);
  set_now_for_testing(t0 + 11 * kMicrosPerSecond);  // the next bucket
  EXPECT_FALSE(h.service->run(by_status(), {}).from_cache);
  EXPECT_EQ(h.runs(by_status()), 2);
}

TEST_F(QueryCache, SqlKeyInvalidatesWhenTheDataChanges) {
  auto model = load_with("test/fixtures/shop/model",
                         {{"orders.yml",
                           "    refresh_key:\n      sql: SELECT max(id) FROM orders\n"
                           "      every: 1 second\n"}});
  Harness h(model);
  int64_t t0 = 1'800'000'000LL * kMicrosPerSecond;
  set_now_for_testing(t0);
  EXPECT_FALSE(h.service->run(by_status(), {}).from_cache);
  EXPECT_EQ(h.source->calls("SELECT max(id) FROM orders"), 1);
  // Within the check interval the key is not read again.
  EXPECT_TRUE(h.service->run(by_status(), {}).from_cache);
  EXPECT_EQ(h.source->calls("SELECT max(id) FROM orders"), 1);
  // Read again, same value: still a hit (the value keys the cache, not the clock).
  set_now_for_testing(t0 + 2 * kMicrosPerSecond);
  EXPECT_TRUE(h.service->run(by_status(), {}).from_cache);
  EXPECT_EQ(h.source->calls("SELECT max(id) FROM orders"), 2);
  // New data, new key value: the answer is recomputed and includes it.
  h.source->inner().query(
      "INSERT INTO orders VALUES (7, 1, 'pending', TIMESTAMP '2024-04-01 10:00:00', 5.00)", {});
  EXPECT_TRUE(h.service->run(by_status(), {}).from_cache);  // key not re-read yet
  set_now_for_testing(t0 + 4 * kMicrosPerSecond);
  QueryResult fresh = h.service->run(by_status(), {});
  EXPECT_FALSE(fresh.from_cache);
  EXPECT_EQ(
      text_rows(fresh.rows),
      (std::vector<std::vector<std::string>>{
          {"cancelled", "1", "30.00"}, {"completed", "3", "370.00"}, {"pending", "3", "70.00"}}));
  EXPECT_TRUE(h.service->run(by_status(), {}).from_cache);
}

TEST_F(QueryCache, ConcurrentIdenticalMissesRunOnce) {
  Harness h(load_with("test/fixtures/shop/model", {}));
  h.source->close_gate();
  std::vector<std::thread> threads;
  std::vector<std::vector<std::vector<std::string>>> answers(8);
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&, i] { answers[i] = text_rows(h.service->run(by_status(), {}).rows); });
  }
  ASSERT_TRUE(h.source->wait_running(1, 10s));
  std::this_thread::sleep_for(100ms);  // let every caller attach
  h.source->open_gate();
  for (auto& t : threads) t.join();
  for (const auto& a : answers) EXPECT_EQ(a, kByStatus);
  EXPECT_EQ(h.runs(by_status()), 1);
}

TEST_F(QueryCache, NoCacheConfiguredMeansNoCaching) {
  Harness h(load_with("test/fixtures/shop/model", {}), nullptr);
  EXPECT_FALSE(h.service->run(by_status(), {}).from_cache);
  QueryResult r = h.service->run(by_status(), {});
  EXPECT_FALSE(r.from_cache);
  EXPECT_TRUE(r.refresh_key_values.empty());
  EXPECT_EQ(h.runs(by_status()), 2);
}

}  // namespace
}  // namespace strata::testing
