// PreAggStore: where pre-aggregations live on disk and what is built.
//
//   <dir>/<cube>.<name>/manifest.json      what is built (written whole, then renamed)
//   <dir>/<cube>.<name>/<cube>_<name>_<partition>_<build id>.parquet
//
// Partition files are written under a temporary name and renamed, and each
// build gets a new file name, so a reader sees either the old or the new
// version of a partition, never a part of one. The manifest is replaced
// atomically (write, then rename) after a refresh pass; files it no longer
// names are deleted by the refresh worker after a grace period, so queries
// planned on the previous manifest still find their files.
//
// manifest.json (version 1):
//   {"version": 1, "preAggregation": "line_items.by_day", "type": "rollup",
//    "fingerprint": "…", "table": "preaggs.line_items_by_day_1a2b3c4d",
//    "timezone": "UTC", "lastRefreshAt": 1717000000000000,
//    "partitions": [{"name": "20240101", "from": <local micros>, "to": <local micros>,
//                    "file": "…parquet", "rows": 123, "bytes": 4567,
//                    "refreshKey": "e3600000000:477000", "builtAt": <UTC micros>}]}
// Reading never trusts it: a malformed manifest is "not built" (with a warning).
//
// Thread-safe. lookup() is called on every planned query: it stats the
// manifest and re-reads it only when it changed.
//
// In memory: with a memory source, a background thread loads each new build
// of a rollup into a table of that (DuckDB) source, while the Parquet bytes
// of the loaded rollups total at most memory_bytes; lookup() names the table
// once it is loaded (queries read the files until then). Opening Parquet
// files costs more than a small rollup's whole query, so this is what
// makes a rollup-served query take about a millisecond. A table replaced by
// a newer build is dropped after memory_grace, when no query planned on it
// can still be running.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "model/model.h"
#include "plan/plan.h"
#include "plan/preagg_build.h"

namespace strata {

struct ManifestPartition {
  std::string name;        // "20240101"; "all" for an unpartitioned pre-aggregation
  int64_t from_local = 0;  // [from, to) wall clock in the pre-aggregation's zone; 0, 0 for "all"
  int64_t to_local = 0;
  std::string file;  // a file name inside the pre-aggregation's folder
  int64_t rows = 0;
  int64_t bytes = 0;
  std::string refresh_key;
  int64_t built_at_utc = 0;
};

struct Manifest {
  std::string pre_aggregation;  // "cube.name"
  std::string type;             // "rollup", "original_sql"
  std::string fingerprint;      // RollupBuild::fingerprint() when built
  std::string table;
  std::string timezone = "UTC";
  int64_t last_refresh_utc = 0;
  std::vector<ManifestPartition> partitions;  // by from_local
};

std::string manifest_to_json(const Manifest& m);
// nullopt when `text` is not a valid version-1 manifest.
std::optional<Manifest> manifest_from_json(const std::string& text);

class Source;  // source/source.h

struct PreAggStoreOptions {
  std::filesystem::path dir = ".strata/preaggs";
  // The DuckDB data source that reads the Parquet files (registered by the app).
  std::string source = "__preaggs";
  // That source, to load rollups into (borrowed: must outlive the store);
  // null, or memory_bytes 0: rollups are read from their files only.
  Source* memory_source = nullptr;
  size_t memory_bytes = 0;
  std::chrono::milliseconds memory_grace{60'000};
};

class PreAggStore {
 public:
  // Starts the loader thread when options.memory_source is set.
  PreAggStore(std::shared_ptr<const Model> model, PreAggStoreOptions options);
  ~PreAggStore();  // stops the loader (a load in progress finishes first)
  PreAggStore(const PreAggStore&) = delete;
  PreAggStore& operator=(const PreAggStore&) = delete;

  const std::shared_ptr<const Model>& model() const { return model_; }
  const PreAggStoreOptions& options() const { return options_; }
  std::filesystem::path folder(const PreAggregation& def) const;

  // Every pre-aggregation of the model, in model order.
  std::vector<const PreAggregation*> all() const;
  const PreAggregation* find(const std::string& full_name) const;

  // The rollup's layout and build queries (cached); null for other types.
  // Throws UserError when the rollup cannot be built (no measures).
  std::shared_ptr<const RollupBuild> build_of(const PreAggregation& def);
  // The fingerprint built partitions must carry to be used.
  std::string fingerprint(const PreAggregation& def);
  // Cube-style table name: "preaggs.<cube>_<name>_<fingerprint prefix>".
  std::string table_name(const PreAggregation& def);

  // nullopt when there is no manifest (or a malformed one: logged).
  std::optional<Manifest> read_manifest(const PreAggregation& def) const;
  // Replaces the manifest atomically. Throws InternalError on I/O failure.
  void write_manifest(const PreAggregation& def, const Manifest& m);

  // For the planner: the rollup's partitions when the manifest matches the
  // current definition and has at least one partition; else null. A new
  // build is queued for loading into memory (see above).
  std::shared_ptr<const BuiltPreAggregation> lookup(const PreAggregation& def);
  PreAggregationLookup lookup_function();
  // Changes whenever this process replaces a manifest or loads a rollup into
  // memory (QueryService reuses plans while it stays the same; builds by
  // other processes are seen within QueryService's plan reuse window).
  uint64_t generation() const { return generation_.load(); }

  // The memory table of the rollup's current build; "" when not loaded.
  std::string memory_table(const PreAggregation& def);
  // Blocks until the loader has no queued work, or `timeout` passes; true
  // when idle (for tests and `strata serve` start-up).
  bool wait_loaded(std::chrono::milliseconds timeout);

 private:
  struct Cached {
    std::filesystem::file_time_type mtime{};
    uintmax_t size = 0;
    std::shared_ptr<const BuiltPreAggregation> built;
    bool valid = false;
  };
  struct Loaded {  // a rollup build's table in the memory source
    std::string table;
    std::string version;
    int64_t bytes = 0;
  };
  struct Retired {
    std::string table;
    std::chrono::steady_clock::time_point at;
  };
  void queue_load(const std::string& name, const std::shared_ptr<const BuiltPreAggregation>& b);
  void load_loop(std::stop_token stop);
  void load(const std::string& name, const std::shared_ptr<const BuiltPreAggregation>& built);
  void drop_retired(bool all);

  std::shared_ptr<const Model> model_;
  PreAggStoreOptions options_;
  std::mutex mu_;
  std::map<std::string, std::shared_ptr<const RollupBuild>> builds_;
  std::map<std::string, std::string> fingerprints_;
  std::map<std::string, Cached> cache_;
  std::atomic<uint64_t> generation_{0};

  // The loader's state, under mu_.
  std::map<std::string, Loaded> loaded_;      // by pre-aggregation name
  std::map<std::string, std::string> tried_;  // name -> the last version queued
  std::deque<std::pair<std::string, std::shared_ptr<const BuiltPreAggregation>>> queue_;
  std::vector<Retired> retired_;
  bool loading_ = false;
  uint64_t next_table_ = 0;
  std::condition_variable_any load_cv_;
  std::jthread loader_;  // last: stopped and joined before the rest is destroyed
};

}  // namespace strata
