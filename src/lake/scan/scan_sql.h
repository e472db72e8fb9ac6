// The DuckDB SELECT that reads a planned scan: exactly the chosen Parquet
// files, columns projected by field id, minus deleted rows.
//
//   - Files are grouped by how their columns map to the table schema; each
//     group is one read_parquet([...]) and the groups are UNION ALL-ed.
//   - Files with Parquet field ids are read through read_parquet's `schema`
//     MAP (by field id; renamed columns read under their current names);
//     files without field ids (or with nested columns, which the MAP cannot
//     project) are read by their column names, resolved through the field
//     ids found in the file, or schema.name-mapping.default, or the name.
//   - A column missing from a file reads as its identity partition value,
//     else its initial-default, else NULL.
//   - Position deletes: file_row_number NOT IN the delete files' positions
//     for this file's recorded path; deletion vectors likewise; equality
//     deletes: NOT EXISTS a delete row equal (NULL = NULL) on the equality ids.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/result_set.h"
#include "lake/metadata/table_metadata.h"
#include "lake/scan/scan_planner.h"
#include "lake/storage/storage.h"

namespace strata::lake {

// Runs a SQL statement on DuckDB and returns its rows.
using SqlRunner = std::function<ResultSet(const std::string& sql)>;

// Top-level columns of a Parquet file.
struct FileColumns {
  bool has_field_ids = false;
  std::map<int, std::string> names_by_id;             // field id -> column name
  std::vector<std::string> names;                     // in file order
  std::map<std::string, std::string> physical_types;  // name -> Parquet type (grouping key)
};

// Columns of Parquet files by local path (data files never change).
// Thread-safe.
class FileSchemaCache {
 public:
  // Reads the file's schema with DuckDB's parquet_schema() on first use.
  // Throws SourceError naming the file when it is not a readable Parquet file.
  FileColumns get(const std::string& local_path, const SqlRunner& run);
  size_t size() const;

 private:
  mutable std::mutex mu_;
  std::map<std::string, FileColumns> files_;
};

// A view over one table scan, and the local files it reads (holding their
// cache pins until it is dropped).
struct ScanSql {
  std::string sql;
  std::vector<LocalFile> files;
  int64_t data_files = 0;
  int64_t delete_files = 0;
};

struct ScanSqlContext {
  // A local file for a path recorded in the metadata (already remapped by
  // the caller's PathMap inside).
  std::function<LocalFile(const std::string& recorded)> resolve;
  // The bytes of a recorded file (deletion vector Puffin files).
  std::function<std::string(const std::string& recorded)> read;
  FileSchemaCache* schemas = nullptr;
  SqlRunner run;
};

ScanSql build_scan_sql(const ScanPlan& plan, const TableMetadata& metadata,
                       const ScanSqlContext& ctx);

// Quotes a DuckDB identifier / string literal.
std::string quote_ident(const std::string& name);
std::string quote_string(const std::string& text);

}  // namespace strata::lake
