// What `strata lake inspect` and the admin endpoints report about a table:
// its schema, partition specs, snapshots (with summaries), refs, and file and
// row counts of the snapshot read (the current one, or as of a version).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/scan.h"
#include "lake/catalog/catalog.h"
#include "lake/lake_engine.h"

namespace strata::lake {

struct TableCounts {
  std::optional<int64_t> snapshot_id;
  int64_t data_files = 0;
  int64_t delete_files = 0;
  int64_t position_delete_files = 0;
  int64_t equality_delete_files = 0;
  int64_t deletion_vectors = 0;
  int64_t records = 0;          // record counts of data files (before deletes)
  int64_t deleted_records = 0;  // rows in delete files (positions, equality rows)
  int64_t manifests = 0;
  int64_t data_bytes = 0;
  std::optional<int64_t> rows;  // after deletes, when counted
};

// Reads the snapshot's manifests (and, with count_rows, counts its rows with
// DuckDB). Throws like a scan does.
TableCounts table_counts(LakeEngine& engine, const LoadedTable& table,
                         const std::optional<TableVersion>& as_of, bool count_rows);

// The report as JSON text (the admin endpoint's body) and as text for a
// terminal. `counts` may be null (left out).
std::string table_report_json(const LoadedTable& table, const TableCounts* counts);
std::string table_report_text(const LoadedTable& table, const TableCounts* counts);

}  // namespace strata::lake
