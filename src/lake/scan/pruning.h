// Pruning: may a file (or a partition, or a whole manifest) hold a row that
// satisfies a predicate? Every test answers "maybe" whenever it cannot be
// sure, so pruning only ever skips data that cannot match: a predicate whose
// value does not fit the column's type, a missing bound, an unknown
// transform, all mean "maybe".
#pragma once

#include <optional>
#include <vector>

#include "core/scan.h"
#include "lake/avro/manifest.h"
#include "lake/metadata/table_metadata.h"
#include "lake/scan/transforms.h"

namespace strata::lake {

// What is known of one column's values within some set of rows. Values
// follow scan/values.h; temporal bounds may be kDate, kTimestamp or
// kTimestampTz whatever the column type (they compare as instants).
struct ColumnStats {
  std::optional<Value> lower;    // every non-null value >= lower
  std::optional<Value> upper;    // every non-null value <= upper
  bool upper_is_prefix = false;  // every value starts with `upper` (truncated strings)
  std::optional<bool> has_null;
  std::optional<bool> all_null;
  std::optional<bool> has_nan;
};

// A predicate resolved to a field of the scanned schema.
struct FieldPredicate {
  int field_id = 0;
  TypePtr type;
  ScanPredicate predicate;
};

// Resolves predicates on `columns` names (case-insensitively unique, as
// Schema::find_by_name) to field ids; predicates on unknown or nested
// columns are dropped.
std::vector<FieldPredicate> resolve_predicates(const std::vector<ScanPredicate>& predicates,
                                               const Schema& schema);

bool may_match(const ScanPredicate& p, const ColumnStats& stats, const IcebergType& column_type);

// A data file's column statistics (bounds decoded with the column's type).
ColumnStats file_column_stats(const DataFile& file, int field_id, const IcebergType& type);

// True when the data file may hold rows matching every predicate.
bool file_may_match(const DataFile& file, const std::vector<FieldPredicate>& predicates);

// True when a partition (typed values in spec field order) may hold matching
// rows.
bool partition_may_match(const PartitionSpec& spec, const std::vector<Value>& partition,
                         const std::vector<FieldPredicate>& predicates);

// True when a manifest's partition summaries allow matching rows.
bool manifest_may_match(const PartitionSpec& spec, const std::vector<FieldSummary>& summaries,
                        const std::vector<FieldPredicate>& predicates);

}  // namespace strata::lake
