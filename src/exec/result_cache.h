// ResultCache: where QueryService keeps answers between identical queries.
// Implementations live in cache/ (MemoryCache: an LRU bounded in bytes;
// RedisCache: shared by several strata nodes); QueryService only sees this
// interface. docs/caching.md describes keys and freshness.
//
// The key is built by QueryService (exec/query_service.cpp): the canonical
// query, the security context that shapes it, the model version, the
// refresh key values of the cubes it reads, and the pre-aggregation builds
// it reads. A new refresh key value makes a new key, so stale entries are
// never read; they age out by TTL or LRU eviction.
//
// Thread-safety: implementations are thread-safe. get() and put() never
// throw: a cache that fails (Redis down, a corrupt entry) behaves as a miss
// and logs a rate-limited warning.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result_set.h"
#include "plan/plan.h"

namespace strata {

// What the cache keeps of a QueryResult: everything but the output columns,
// which point into a Model (a hit takes them from its own plan).
struct CachedResult {
  ResultSet rows;
  std::optional<int64_t> total;
  bool limit_reached = false;
  std::string sql;
  std::string source;
  struct Served {
    std::string source, cube, tier;
    int64_t rows = 0;
  };
  std::vector<Served> served_by;
  std::vector<UsedPreAggregation> pre_aggregations;
  std::vector<std::string> refresh_key_values;
  int64_t computed_at_utc = 0;  // when the answer was computed (microseconds)
};

class ResultCache {
 public:
  virtual ~ResultCache() = default;

  // "memory" or "redis", for logs and /readyz-like reports.
  virtual std::string_view kind() const = 0;
  // Whether get() and put() may wait on the network. QueryService then calls
  // them only from its worker threads, never from the caller's (an HTTP I/O
  // thread); a non-blocking cache is read on the caller's thread too.
  virtual bool blocking() const = 0;

  // nullptr on a miss.
  virtual std::shared_ptr<const CachedResult> get(const std::string& key) = 0;
  // Keeps `value` under `key` for at most `ttl`.
  virtual void put(const std::string& key, std::shared_ptr<const CachedResult> value,
                   std::chrono::milliseconds ttl) = 0;
};

}  // namespace strata
