// RedisCache: the result cache shared by several strata nodes, in Redis.
// Entries are cache/result_codec.h encodings stored with SET ... PX ttl
// under "<prefix>" + the SHA-256 of QueryService's key (hex).
//
// Redis down or misbehaving is never an error for a query: get() is a miss
// and put() is skipped, with a warning logged at most every 30 s, and
// RedisClient backs off before reconnecting. A value that does not decode
// is a miss with a warning. blocking() is true: QueryService calls it from
// its workers only. Thread-safe.
#pragma once

#include <atomic>
#include <memory>
#include <string>

#include "cache/redis_client.h"
#include "exec/result_cache.h"

namespace strata {

class RedisCache : public ResultCache {
 public:
  RedisCache(std::shared_ptr<RedisClient> client, std::string prefix = "strata:result:");

  std::string_view kind() const override { return "redis"; }
  bool blocking() const override { return true; }
  std::shared_ptr<const CachedResult> get(const std::string& key) override;
  void put(const std::string& key, std::shared_ptr<const CachedResult> value,
           std::chrono::milliseconds ttl) override;

  // The Redis key a cache key is stored under.
  std::string redis_key(const std::string& key) const;

 private:
  void warn(const std::string& what);

  std::shared_ptr<RedisClient> client_;
  std::string prefix_;
  std::atomic<int64_t> last_warning_{0};
};

// Hex SHA-256 of `text` (OpenSSL).
std::string sha256_hex(std::string_view text);

}  // namespace strata
