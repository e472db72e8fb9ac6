// MemoryCache: an LRU bounded in bytes, with TTLs.
#include "cache/memory_cache.h"

#include <gtest/gtest.h>

#include <thread>

#include "cache/result_codec.h"

namespace strata {
namespace {

using namespace std::chrono_literals;

std::shared_ptr<const CachedResult> result_of(size_t rows, const std::string& text = "x") {
  auto r = std::make_shared<CachedResult>();
  r->rows = ResultSet({{"v", Type::of(TypeId::kString)}});
  for (size_t i = 0; i < rows; ++i) r->rows.column(0).append_string(text);
  return r;
}

TEST(MemoryCache, HitsMissesAndReplacement) {
  MemoryCache cache(1 << 20);
  EXPECT_FALSE(cache.get("a"));
  cache.put("a", result_of(1, "one"), 1h);
  auto hit = cache.get("a");
  ASSERT_TRUE(hit);
  EXPECT_EQ(hit->rows.column(0).string_at(0), "one");
  cache.put("a", result_of(1, "two"), 1h);
  EXPECT_EQ(cache.get("a")->rows.column(0).string_at(0), "two");
  auto s = cache.stats();
  EXPECT_EQ(s.entries, 1u);
  EXPECT_EQ(s.hits, 2u);
  EXPECT_EQ(s.misses, 1u);
}

TEST(MemoryCache, BoundedInBytesEvictingTheLeastRecentlyUsed) {
  size_t one = estimate_bytes(*result_of(100)) + 2 * 2 + 128;
  MemoryCache cache(one * 4 + one / 2);  // room for four entries
  for (const char* k : {"k1", "k2", "k3", "k4"}) cache.put(k, result_of(100), 1h);
  EXPECT_EQ(cache.stats().entries, 4u);
  ASSERT_TRUE(cache.get("k1"));  // k1 is now the most recently used
  cache.put("k5", result_of(100), 1h);
  EXPECT_TRUE(cache.get("k1"));
  EXPECT_FALSE(cache.get("k2"));  // the least recently used went
  EXPECT_TRUE(cache.get("k3"));
  EXPECT_TRUE(cache.get("k5"));
  auto s = cache.stats();
  EXPECT_EQ(s.entries, 4u);
  EXPECT_EQ(s.evictions, 1u);
  EXPECT_LE(s.bytes, one * 4 + one / 2);
}

TEST(MemoryCache, EntriesExpire) {
  MemoryCache cache(1 << 20);
  cache.put("a", result_of(1), 30ms);
  EXPECT_TRUE(cache.get("a"));
  std::this_thread::sleep_for(60ms);
  EXPECT_FALSE(cache.get("a"));
  EXPECT_EQ(cache.stats().entries, 0u);
  EXPECT_EQ(cache.stats().bytes, 0u);
}

TEST(MemoryCache, AnEntryOverAQuarterOfTheBoundIsNotKept) {
  MemoryCache cache(4096);
  cache.put("big", result_of(1000), 1h);
  EXPECT_FALSE(cache.get("big"));
  EXPECT_EQ(cache.stats().entries, 0u);
}

TEST(MemoryCache, ConcurrentUseIsSafe) {
  MemoryCache cache(1 << 16);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 2000; ++i) {
        std::string key = "k" + std::to_string((i * 7 + t) % 50);
        if (i % 3 == 0) {
          cache.put(key, result_of(5), 1h);
        } else if (auto r = cache.get(key)) {
          EXPECT_EQ(r->rows.row_count(), 5u);
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_LE(cache.stats().bytes, size_t{1} << 16);
}

}  // namespace
}  // namespace strata
