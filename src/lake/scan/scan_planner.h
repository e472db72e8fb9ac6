// Scan planning: which data files of which snapshot a query reads, and which
// delete files apply to each.
//
//   1. the snapshot: the current one, or by id, by timestamp (the entry of
//      snapshot-log current at that instant) or by branch/tag name;
//   2. its manifest list; manifests pruned by their partition summaries;
//   3. each manifest's live entries (DELETED skipped), sequence numbers
//      inherited; data files pruned by partition (each manifest with its own
//      spec) and by column bounds;
//   4. delete files paired with data files by the spec's rules: position
//      deletes and deletion vectors when delete seq >= data seq (and the
//      same partition, or the referenced file), equality deletes when delete
//      seq > data seq and the delete is global (unpartitioned) or in the
//      same spec and partition.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/scan.h"
#include "lake/avro/manifest.h"
#include "lake/metadata/table_metadata.h"

namespace strata::lake {

struct SnapshotChoice {
  const Snapshot* snapshot = nullptr;  // nullptr: the table has no snapshot (reads as empty)
  const Schema* schema = nullptr;      // the schema to read with
};

// Picks the snapshot (and the schema, by the spec's rule: the snapshot's own
// schema for reads by id, tag or timestamp, the table's for the current
// state and branches). Throws NotFoundError naming `table` for an unknown
// snapshot id or ref, or a timestamp before the first snapshot.
SnapshotChoice choose_snapshot(const TableMetadata& m, const std::optional<TableVersion>& as_of,
                               const std::string& table);

// "snapshot 123", "ref main", "timestamp 2024-01-01T00:00:00.000Z".
std::string describe_version(const TableVersion& v);

struct DeleteFile {
  DataFile file;
  int64_t sequence_number = 0;
  int spec_id = 0;
  std::vector<Value> partition;  // raw, as in DataFile::partition (spec field order)
};

struct FileScanTask {
  DataFile file;                // content kData
  int64_t sequence_number = 0;  // data sequence number
  int spec_id = 0;
  std::vector<Value> partition;          // typed (scan/values.h), in spec field order
  std::vector<size_t> position_deletes;  // indexes into ScanPlan::delete_files
  std::vector<size_t> equality_deletes;
  std::optional<size_t> deletion_vector;
};

struct ScanStats {
  int64_t manifests = 0;                // data and delete manifests listed
  int64_t manifests_skipped = 0;        // pruned by partition summaries
  int64_t data_files = 0;               // live data files of the snapshot's scanned manifests
  int64_t files_skipped_partition = 0;  // pruned by partition values
  int64_t files_skipped_stats = 0;      // pruned by column bounds and null counts
  int64_t files_skipped_empty = 0;      // record_count 0
  int64_t delete_files = 0;             // live delete files
  int64_t files_scanned = 0;            // data files the scan reads
  int64_t delete_files_applied = 0;     // delete files applied to at least one scanned file
  int64_t records = 0;                  // record_count of scanned files (before deletes)
};

struct ScanPlan {
  std::optional<int64_t> snapshot_id;
  Schema schema;
  std::vector<FileScanTask> tasks;
  std::vector<DeleteFile> delete_files;
  ScanStats stats;
};

// Reads a file recorded in the metadata (a manifest list or manifest) and
// returns its bytes. Throws SourceError naming the file when it is missing.
using MetadataReader = std::function<std::string(const std::string& recorded_path)>;
// Where a recorded path really is (the cache key of parsed manifests: two
// copies of a table record the same paths but are different files).
using PathLocator = std::function<std::string(const std::string& recorded_path)>;

// Immutable parsed manifests and manifest lists, by path, shared by all scans
// of a process (manifest files never change). Thread-safe.
class ManifestCache {
 public:
  explicit ManifestCache(size_t max_entries = 4096);
  ~ManifestCache();
  std::shared_ptr<const std::vector<ManifestFile>> list(
      const std::string& path, const std::function<std::vector<ManifestFile>()>& load);
  std::shared_ptr<const Manifest> manifest(const std::string& path,
                                           const std::function<Manifest()>& load);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

struct ScanOptions {
  std::optional<TableVersion> as_of;
  std::vector<ScanPredicate> predicates;  // on this table's columns (by name)
  bool include_all_files = false;         // skip pruning (inspect, maintenance)
};

// Plans a scan. `table` names the table in errors. `cache` may be null.
ScanPlan plan_scan(const TableMetadata& m, const std::string& table, const ScanOptions& options,
                   const MetadataReader& read, const PathLocator& locate, ManifestCache* cache);

// The manifests of a snapshot (reads the manifest list, or v1 inline manifests).
std::vector<ManifestFile> snapshot_manifests(const TableMetadata& m, const Snapshot& s,
                                             const MetadataReader& read, const PathLocator& locate,
                                             ManifestCache* cache);

}  // namespace strata::lake
