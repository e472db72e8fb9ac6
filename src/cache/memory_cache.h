// MemoryCache: the result cache inside one strata process. A least recently
// used list bounded in bytes (estimated: cache/result_codec.h's
// estimate_bytes plus the key); entries also expire after their TTL. An
// entry larger than a quarter of the bound is not kept. Never blocks on
// I/O, so QueryService reads it on the caller's thread. Thread-safe (one
// mutex; entries are shared, immutable results).
#pragma once

#include <chrono>
#include <cstddef>
#include <list>
#include <mutex>
#include <string>
#include <unordered_map>

#include "exec/result_cache.h"

namespace strata {

class MemoryCache : public ResultCache {
 public:
  explicit MemoryCache(size_t max_bytes);

  std::string_view kind() const override { return "memory"; }
  bool blocking() const override { return false; }
  std::shared_ptr<const CachedResult> get(const std::string& key) override;
  void put(const std::string& key, std::shared_ptr<const CachedResult> value,
           std::chrono::milliseconds ttl) override;

  struct Stats {
    size_t entries = 0;
    size_t bytes = 0;
    uint64_t hits = 0;
    uint64_t misses = 0;
    uint64_t evictions = 0;
  };
  Stats stats() const;

 private:
  using Clock = std::chrono::steady_clock;
  struct Entry {
    std::string key;
    std::shared_ptr<const CachedResult> value;
    size_t bytes = 0;
    Clock::time_point expires;
  };
  void erase(std::list<Entry>::iterator it);

  const size_t max_bytes_;
  mutable std::mutex mu_;
  std::list<Entry> lru_;  // most recently used first
  std::unordered_map<std::string, std::list<Entry>::iterator> index_;
  Stats stats_;
};

}  // namespace strata
