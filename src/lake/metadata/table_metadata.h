// Iceberg table metadata (the metadata JSON file): schemas, partition specs,
// snapshots, refs and logs, for format versions 1 and 2. Version 3 files are
// read too: their new fields (row lineage, encryption keys) change nothing a
// scan reads and are ignored with a warning; deletion vectors are supported by
// the scan.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lake/metadata/schema.h"

namespace strata::lake {

struct PartitionField {
  int source_id = 0;
  int field_id = 0;  // v1 metadata without ids: 1000, 1001, ... in spec order
  std::string name;
  std::string transform;  // "identity", "bucket[16]", "truncate[4]", "day", "void", ...
};

struct PartitionSpec {
  int spec_id = 0;
  std::vector<PartitionField> fields;
  // No fields, or only void transforms: every file is in the one partition.
  bool is_unpartitioned() const;
};

struct Snapshot {
  int64_t snapshot_id = 0;
  std::optional<int64_t> parent_snapshot_id;  // may name an expired snapshot
  int64_t sequence_number = 0;                // 0 in v1
  int64_t timestamp_ms = 0;
  std::string manifest_list;           // "" for v1 snapshots that list manifests inline
  std::vector<std::string> manifests;  // v1 inline manifests
  std::map<std::string, std::string> summary;
  std::optional<int> schema_id;

  std::string operation() const;  // summary["operation"], "" when absent
};

struct SnapshotRef {
  std::string name;
  int64_t snapshot_id = 0;
  bool is_branch = true;  // false: a tag
  std::optional<int64_t> max_ref_age_ms;
  std::optional<int64_t> max_snapshot_age_ms;
  std::optional<int> min_snapshots_to_keep;
};

struct SnapshotLogEntry {
  int64_t timestamp_ms = 0;
  int64_t snapshot_id = 0;
};

struct MetadataLogEntry {
  int64_t timestamp_ms = 0;
  std::string file;
};

struct TableMetadata {
  int format_version = 1;
  std::string table_uuid;
  std::string location;
  int64_t last_sequence_number = 0;
  int64_t last_updated_ms = 0;
  int last_column_id = 0;
  std::vector<Schema> schemas;
  int current_schema_id = 0;
  std::vector<PartitionSpec> specs;
  int default_spec_id = 0;
  int last_partition_id = 999;
  std::map<std::string, std::string> properties;
  std::optional<int64_t> current_snapshot_id;  // nullopt: no snapshot (also for -1)
  std::vector<Snapshot> snapshots;
  std::vector<SnapshotLogEntry> snapshot_log;
  std::vector<MetadataLogEntry> metadata_log;
  std::map<std::string, SnapshotRef> refs;  // always holds "main" when there is a current snapshot
  int default_sort_order_id = 0;
  NameMapping name_mapping;           // from properties["schema.name-mapping.default"]
  std::vector<std::string> warnings;  // fields tolerated but ignored (v3)
  std::string raw_json;               // the file as read, for writers that derive a new version

  const Schema& current_schema() const;
  const Schema* schema(int id) const;
  const PartitionSpec* spec(int id) const;
  const Snapshot* snapshot(int64_t id) const;
  const Snapshot* current_snapshot() const;
  // A field of any schema the table ever had (newest definition first), for
  // columns a delete file still uses after they were dropped.
  const NestedField* find_field_any_schema(int id) const;
};

// Parses a metadata JSON file. `file` names it in errors. Throws SourceError
// for malformed JSON, missing required fields, a format version above 3, or
// references that do not resolve (a current schema id with no schema).
TableMetadata parse_table_metadata(std::string_view json, const std::string& file);

// A spec from a JSON list of partition fields (a manifest header's
// "partition-spec" key). Throws SourceError naming `file`.
PartitionSpec parse_partition_spec_fields(std::string_view json, int spec_id,
                                          const std::string& file);

// JSON for new metadata written by strata (appends and table creation).
std::string schema_to_json(const Schema& schema);
std::string partition_spec_to_json(const PartitionSpec& spec);

}  // namespace strata::lake
