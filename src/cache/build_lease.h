// BuildLease: who may build pre-aggregations right now. The refresh worker
// holds it for a whole pass, renewing it between partitions, so that only
// one worker builds at a time across every strata node sharing a folder.
//
//   none      always granted (one node, or builds made elsewhere)
//   file      flock() on <dir>/.build.lock: processes on one host
//   redis     SET <key> <token> NX PX <ttl>; renewed and released only by
//             the holder (compare-and-PEXPIRE / compare-and-DEL scripts);
//             a holder that dies loses it after the TTL
//   postgres  pg_try_advisory_lock(<key>) on a session held open; lost when
//             that session ends
//
// Leases never throw: a backend that fails refuses the lease (with a
// warning) and the pass is skipped. Not thread-safe: one worker uses one
// lease object.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "cache/redis_client.h"

namespace strata {

class BuildLease {
 public:
  virtual ~BuildLease() = default;
  virtual std::string_view kind() const = 0;
  // Takes the lease for `ttl` unless someone else holds it.
  virtual bool try_acquire(std::chrono::milliseconds ttl) = 0;
  // Extends a lease this object holds; false when it was lost.
  virtual bool renew(std::chrono::milliseconds ttl) = 0;
  virtual void release() = 0;
};

std::unique_ptr<BuildLease> make_no_lease();
std::unique_ptr<BuildLease> make_file_lease(std::filesystem::path lock_file);
std::unique_ptr<BuildLease> make_redis_lease(std::shared_ptr<RedisClient> client,
                                             std::string key = "strata:preaggs:build-lease");
// `conninfo` is a libpq connection string (a secret: never logged).
std::unique_ptr<BuildLease> make_postgres_lease(std::string conninfo,
                                                int64_t lock_key = 0x5354524154410001);

// A random 128-bit token in hex (lease owners, job tokens, build ids).
std::string random_token(size_t bytes = 16);

}  // namespace strata
