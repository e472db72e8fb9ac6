// Manifest lists and manifests (Avro), read through Avro C's generic value
// API with each file's own writer schema. Fields are matched by name (Avro C
// drops field ids), with the older names Java <= 1.4 and Spark wrote
// (added_data_files_count...). Partition tuples are matched to the spec by
// the field ids in the header's avro.schema text, or by position.
//
// Codecs: null, deflate, snappy and lzma (what Avro C reads). A zstd-compressed
// manifest fails with an error naming the file and the codec.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/types.h"

namespace strata::lake {

struct FieldSummary {
  bool contains_null = true;
  std::optional<bool> contains_nan;
  std::optional<std::string> lower_bound;  // single-value binary encoding
  std::optional<std::string> upper_bound;
};

// One row of a manifest list.
struct ManifestFile {
  std::string manifest_path;
  int64_t manifest_length = 0;
  int partition_spec_id = 0;
  int content = 0;  // 0 data, 1 deletes
  int64_t sequence_number = 0;
  int64_t min_sequence_number = 0;
  std::optional<int64_t> added_snapshot_id;
  std::optional<int64_t> added_files_count;
  std::optional<int64_t> existing_files_count;
  std::optional<int64_t> deleted_files_count;
  std::optional<int64_t> added_rows_count;
  std::optional<int64_t> existing_rows_count;
  std::optional<int64_t> deleted_rows_count;
  std::vector<FieldSummary> partitions;  // one per field of the manifest's spec
};

enum class FileContent { kData = 0, kPositionDeletes = 1, kEqualityDeletes = 2 };

struct DataFile {
  FileContent content = FileContent::kData;
  std::string file_path;    // as recorded (not remapped)
  std::string file_format;  // upper-cased: "PARQUET", "PUFFIN", "AVRO", "ORC"
  // The partition tuple as Avro stored it: kBoolean, kInt32 (int, date),
  // kInt64 (long, time, timestamp), kFloat, kDouble, kString, kBlob (bytes
  // and fixed: binary, fixed, uuid, decimal); null Values for nulls.
  std::vector<Value> partition;
  int64_t record_count = 0;
  int64_t file_size_in_bytes = 0;
  std::map<int, int64_t> column_sizes;
  std::map<int, int64_t> value_counts;
  std::map<int, int64_t> null_value_counts;
  std::map<int, int64_t> nan_value_counts;
  std::map<int, std::string> lower_bounds;  // single-value binary encoding
  std::map<int, std::string> upper_bounds;
  std::vector<int> equality_ids;
  std::optional<std::string> referenced_data_file;
  std::optional<int64_t> content_offset;  // deletion vectors (v3)
  std::optional<int64_t> content_size_in_bytes;
  std::optional<int> sort_order_id;
};

enum class EntryStatus { kExisting = 0, kAdded = 1, kDeleted = 2 };

struct ManifestEntry {
  EntryStatus status = EntryStatus::kAdded;
  std::optional<int64_t> snapshot_id;
  // Data and file sequence numbers after inheritance (see read_manifest).
  int64_t sequence_number = 0;
  int64_t file_sequence_number = 0;
  DataFile data_file;
};

struct Manifest {
  std::map<std::string, std::string> header;  // the file's key-value metadata
  // Field ids of the partition struct's fields, in order (from the header's
  // avro.schema); empty when the writer did not record them.
  std::vector<int> partition_field_ids;
  std::vector<ManifestEntry> entries;
};

// Reads a manifest list file's bytes. `file` names it in errors.
std::vector<ManifestFile> read_manifest_list(std::string_view bytes, const std::string& file);

// Reads a manifest's bytes. Null sequence numbers of ADDED entries inherit
// `list_entry.sequence_number`; v1 manifests (format_version 1) are all 0.
Manifest read_manifest(std::string_view bytes, const std::string& file,
                       const ManifestFile& list_entry, int format_version);

}  // namespace strata::lake
