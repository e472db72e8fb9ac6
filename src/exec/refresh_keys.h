// RefreshKeys: the current value of refresh keys (Cube's refresh_key) for
// the result cache and the pre-aggregation refresh worker.
//
//   every: 10 minute   -> the current time bucket, "e600000000:2873541"
//                         (interval and bucket number; no I/O)
//   sql: SELECT ...    -> the query's single value on the cube's data source,
//                         read at most once per `every` (default 10 s) and
//                         shared by every caller meanwhile; concurrent
//                         callers wait for one read instead of each running it
//   (none)             -> `every: <default_every>` (10 s unless configured)
//
// When a sql key cannot be read (the source is down), the last value read is
// kept with a warning; with none, the value is unknown (nullopt) and callers
// do without the cache. Thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "model/model.h"
#include "source/source.h"

namespace strata {

class RefreshKeys {
 public:
  static constexpr int64_t kDefaultEveryMicros = 10 * 1'000'000;     // cubes without a key
  static constexpr int64_t kDefaultSqlCheckMicros = 10 * 1'000'000;  // sql keys without `every`

  // `sources` must outlive this object.
  explicit RefreshKeys(SourceRegistry& sources, int64_t default_every_micros = kDefaultEveryMicros)
      : sources_(sources), default_every_(default_every_micros) {}

  // The value of `key` (nullopt: the cube's default), whose sql runs on
  // `source`; `id` names it in the shared table and in logs ("orders",
  // "orders.by_day"). With allow_io false a sql key that needs reading
  // gives nullopt instead of reading it.
  std::optional<std::string> value(const std::optional<RefreshKey>& key, const std::string& source,
                                   const std::string& id, bool allow_io);
  // The cube's own key (tiered cubes run sql keys on the hot source).
  std::optional<std::string> cube_value(const Cube& cube, bool allow_io) {
    return value(cube.refresh_key, cube.data_source, cube.name, allow_io);
  }
  // How long a value of `key` stays current at most: the `every` interval
  // (the default for cubes without a key); 0 for a sql key (unbounded).
  int64_t period_micros(const std::optional<RefreshKey>& key) const;

  // Forgets sql values read before now (they are read again on next use):
  // for renewQuery-style refreshes and tests.
  void invalidate();

 private:
  struct Entry {
    std::string value;
    int64_t read_at = 0;  // UTC micros; 0 = never read
    bool known = false;
    std::shared_ptr<std::mutex> reading = std::make_shared<std::mutex>();
  };
  SourceRegistry& sources_;
  int64_t default_every_;
  std::mutex mu_;
  std::map<std::string, Entry> sql_values_;  // by id
  int64_t last_warning_ = 0;
};

}  // namespace strata
