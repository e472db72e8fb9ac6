// The Redis result cache and build lease against a real redis-server
// (scripts/test-redis; under ctest one server for the run, see
// test/CMakeLists.txt). Tests that kill Redis start a private one.
#include "cache/redis_cache.h"

#include <gtest/gtest.h>

#include <thread>

#include "../postgres/test_server.h"
#include "cache/build_lease.h"
#include "cache/result_codec.h"
#include "cache_test_util.h"
#include "exec/query_service.h"

namespace strata::testing {
namespace {

using namespace std::chrono_literals;

TestServer& shared_redis() {
  return TestServer::shared("scripts/test-redis", "STRATA_REDIS_", "STRATA_TEST_REDIS_ENV", {});
}

std::shared_ptr<RedisClient> client_for(const TestServer& s,
                                        std::chrono::milliseconds retry_after = 5000ms) {
  RedisOptions o;
  o.host = "127.0.0.1";
  o.port = static_cast<uint16_t>(s.port());
  o.retry_after = retry_after;
  o.connect_timeout = 300ms;
  o.command_timeout = 500ms;
  return std::make_shared<RedisClient>(o);
}

std::shared_ptr<const CachedResult> one_row(const std::string& text) {
  auto r = std::make_shared<CachedResult>();
  r->rows = ResultSet({{"v", Type::of(TypeId::kString)}});
  r->rows.column(0).append_string(text);
  r->sql = "SELECT '" + text + "'";
  return r;
}

std::string unique(const std::string& what) {
  return what + "-" + random_token(6);
}

TEST(RedisCache, RoundTripAndExpiry) {
  RedisCache cache(client_for(shared_redis()), "strata-test:");
  std::string key = unique("key");
  EXPECT_FALSE(cache.get(key));
  cache.put(key, one_row("hello"), 10s);
  auto hit = cache.get(key);
  ASSERT_TRUE(hit);
  EXPECT_EQ(hit->rows.column(0).string_at(0), "hello");
  EXPECT_EQ(hit->sql, "SELECT 'hello'");
  std::string short_lived = unique("short");
  cache.put(short_lived, one_row("soon gone"), 50ms);
  std::this_thread::sleep_for(150ms);
  EXPECT_FALSE(cache.get(short_lived));
}

TEST(RedisCache, KeysAreHashedUnderThePrefix) {
  RedisCache cache(client_for(shared_redis()), "strata-test:");
  std::string k = cache.redis_key("a very long logical key \x1f with separators");
  EXPECT_TRUE(k.starts_with("strata-test:"));
  EXPECT_EQ(k.size(), std::string("strata-test:").size() + 64);
  EXPECT_EQ(k, cache.redis_key("a very long logical key \x1f with separators"));
  EXPECT_NE(k, cache.redis_key("another key"));
}

TEST(RedisCache, ACorruptEntryIsAMiss) {
  auto client = client_for(shared_redis());
  RedisCache cache(client, "strata-test:");
  std::string key = unique("corrupt");
  client->command({"SET", cache.redis_key(key), "STRC\x01\x00 not really", "PX", "10000"});
  EXPECT_FALSE(cache.get(key));
  // A valid encoding with its tail cut off is refused too.
  std::string bytes = encode_result(*one_row("cut"));
  client->command({"SET", cache.redis_key(key), bytes.substr(0, bytes.size() - 3), "PX", "10000"});
  EXPECT_FALSE(cache.get(key));
}

TEST(RedisCache, QueriesStayCorrectWhenRedisDiesAndComeBack) {
  auto server = TestServer::start("scripts/test-redis", "STRATA_REDIS_");
  auto client = client_for(*server, 300ms);
  SourceRegistry sources;
  auto counting = std::make_unique<CountingSource>(seeded_shop());
  CountingSource* source = counting.get();
  sources.add(std::move(counting));
  QueryServiceOptions o;
  o.worker_threads = 2;
  o.cache = std::make_shared<RedisCache>(client, unique("strata-test") + ":");
  QueryService service(load_with("test/fixtures/shop/model", {}), sources, o);
  SemanticQuery q;
  q.measures = {"orders.count"};
  q.dimensions = {"orders.status"};
  q.order = {{"orders.status", false}};
  q.order_given = true;
  const std::vector<std::vector<std::string>> expected = {
      {"cancelled", "1"}, {"completed", "3"}, {"pending", "2"}};
  std::string sql = service.plan(q, {}).sql;

  EXPECT_FALSE(service.run(q, {}).from_cache);
  QueryResult hit = service.run(q, {});
  EXPECT_TRUE(hit.from_cache);
  EXPECT_EQ(text_rows(hit.rows), expected);
  EXPECT_EQ(source->calls(sql), 1);

  ASSERT_EQ(server->script("kill"), 0);
  for (int i = 0; i < 5; ++i) {
    auto start = std::chrono::steady_clock::now();
    QueryResult r = service.run(q, {});  // no error: answered by the source
    EXPECT_FALSE(r.from_cache);
    EXPECT_EQ(text_rows(r.rows), expected);
    EXPECT_LT(std::chrono::steady_clock::now() - start, 3s);
  }
  EXPECT_EQ(source->calls(sql), 6);
  EXPECT_TRUE(client->down() || source->calls(sql) == 6);

  ASSERT_EQ(server->script("restart", ">/dev/null"), 0);
  std::this_thread::sleep_for(400ms);           // past retry_after: the client reconnects
  EXPECT_FALSE(service.run(q, {}).from_cache);  // the restarted Redis is empty
  EXPECT_TRUE(service.run(q, {}).from_cache);
  EXPECT_EQ(source->calls(sql), 7);
}

TEST(RedisLease, OneHolderAtATime) {
  auto client = client_for(shared_redis());
  std::string key = unique("strata-test:lease");
  auto a = make_redis_lease(client, key);
  auto b = make_redis_lease(client, key);
  EXPECT_TRUE(a->try_acquire(10s));
  EXPECT_FALSE(b->try_acquire(10s));
  EXPECT_TRUE(a->renew(10s));
  EXPECT_FALSE(b->renew(10s));  // b never held it
  a->release();
  EXPECT_TRUE(b->try_acquire(10s));
  EXPECT_FALSE(a->try_acquire(10s));
  b->release();
}

TEST(RedisLease, AnExpiredLeaseIsLostToTheNextWorker) {
  auto client = client_for(shared_redis());
  std::string key = unique("strata-test:lease");
  auto a = make_redis_lease(client, key);
  auto b = make_redis_lease(client, key);
  ASSERT_TRUE(a->try_acquire(100ms));
  std::this_thread::sleep_for(250ms);  // a died without renewing
  EXPECT_TRUE(b->try_acquire(10s));
  EXPECT_FALSE(a->renew(10s));  // a finds out and stops building
  a->release();                 // must not release b's lease
  EXPECT_FALSE(make_redis_lease(client, key)->try_acquire(10s));
  b->release();
}

TEST(RedisLease, RedisDownRefusesTheLease) {
  RedisOptions o;
  o.host = "127.0.0.1";
  o.port = 1;  // nothing listens there
  o.connect_timeout = 200ms;
  auto lease = make_redis_lease(std::make_shared<RedisClient>(o), "strata-test:lease");
  EXPECT_FALSE(lease->try_acquire(1s));
}

}  // namespace
}  // namespace strata::testing
