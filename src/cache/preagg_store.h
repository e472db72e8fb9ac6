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
#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
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

struct PreAggStoreOptions {
  std::filesystem::path dir = ".strata/preaggs";
  // The DuckDB data source that reads the Parquet files (registered by the app).
  std::string source = "__preaggs";
};

class PreAggStore {
 public:
  PreAggStore(std::shared_ptr<const Model> model, PreAggStoreOptions options);

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
  // current definition and has at least one partition; else null.
  std::shared_ptr<const BuiltPreAggregation> lookup(const PreAggregation& def);
  PreAggregationLookup lookup_function();
  // Changes whenever this process replaces a manifest (QueryService reuses
  // plans while it stays the same; builds by other processes are seen
  // within QueryService's plan reuse window).
  uint64_t generation() const { return generation_.load(); }

 private:
  struct Cached {
    std::filesystem::file_time_type mtime{};
    uintmax_t size = 0;
    std::shared_ptr<const BuiltPreAggregation> built;
    bool valid = false;
  };
  std::shared_ptr<const Model> model_;
  PreAggStoreOptions options_;
  std::mutex mu_;
  std::map<std::string, std::shared_ptr<const RollupBuild>> builds_;
  std::map<std::string, std::string> fingerprints_;
  std::map<std::string, Cached> cache_;
  std::atomic<uint64_t> generation_{0};
};

}  // namespace strata
