// Appends: rows of a DuckDB query become Parquet data files (written by
// DuckDB with Iceberg field ids, split by the table's partition spec), then a
// manifest, a manifest list and a new metadata JSON, committed through the
// catalog with optimistic concurrency: when another commit lands first, the
// append reloads the table and retries on the new base (the data files and
// the manifest are reused: the manifest leaves snapshot ids and sequence
// numbers to inheritance), so neither commit is lost.
//
// Supported: format v2 tables (strata creates v2), primitive column types,
// identity / year / month / day / hour / truncate partitions of the default
// spec. Not yet: bucket partitions, nested columns, v1 tables.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "lake/catalog/catalog.h"
#include "lake/lake_engine.h"

namespace strata::lake {

struct AppendTarget {
  Catalog* catalog = nullptr;  // with `ident`: a catalog table
  TableIdent ident;
  std::string location;  // without a catalog: a table folder (local or s3://)
};

struct AppendOptions {
  bool create = false;  // create the table (from the query's columns) when missing
  // For a new table: "day(ts)", "month(ts)", "year(d)", "hour(ts)",
  // "truncate(4, name)", "identity(region)" or just "region".
  std::vector<std::string> partition_by;
  int max_attempts = 100;
  // Test hook: runs after the base is loaded, before each commit attempt.
  std::function<void(int attempt)> before_commit;
};

struct AppendResult {
  int64_t snapshot_id = 0;
  int64_t sequence_number = 0;
  int64_t rows = 0;
  int64_t data_files = 0;
  int attempts = 0;
  bool created = false;
};

// Appends the rows of `select_sql` (a DuckDB query run on engine.duckdb()).
// Throws UserError for a missing table (without `create`), columns the
// table does not have, unsupported types or partitions; SourceError when
// files cannot be written or the commit keeps failing.
AppendResult append_rows(LakeEngine& engine, const AppendTarget& target,
                         const std::string& select_sql, const AppendOptions& options);

}  // namespace strata::lake
