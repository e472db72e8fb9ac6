// Writing manifests and manifest lists (format v2) as Avro Object Container
// Files, encoded by hand (Avro C's schema parser would drop the field-id
// attributes Iceberg readers match on). Codec: null. The files read back
// through read_manifest / read_manifest_list and Avro C.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "lake/avro/manifest.h"
#include "lake/metadata/table_metadata.h"

namespace strata::lake {

// A data file to list in a new manifest. `partition` holds typed values
// (scan/values.h) in spec field order.
struct NewDataFile {
  DataFile file;
  std::vector<Value> partition;
};

// A manifest of ADDED data files whose snapshot id and sequence numbers are
// left null, so they are inherited from the manifest list (the manifest can
// be reused when a commit is retried on a newer base).
std::string write_data_manifest(const TableMetadata& table, const Schema& schema,
                                const PartitionSpec& spec, const std::vector<NewDataFile>& files);

// A manifest list.
std::string write_manifest_list(const std::vector<ManifestFile>& manifests, int64_t snapshot_id,
                                std::optional<int64_t> parent_snapshot_id, int64_t sequence_number);

// Partition summaries (one per spec field) of typed partition tuples.
std::vector<FieldSummary> partition_summaries(const TableMetadata& table, const PartitionSpec& spec,
                                              const std::vector<NewDataFile>& files);

}  // namespace strata::lake
