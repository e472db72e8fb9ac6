// LakeReader: plans scans of loaded tables and renders them as DuckDB SQL,
// with the process's storage and caches (parsed manifests by path, Parquet
// column layouts by file). Thread-safe.
#pragma once

#include <memory>
#include <string>

#include "lake/catalog/catalog.h"
#include "lake/scan/scan_planner.h"
#include "lake/scan/scan_sql.h"
#include "lake/storage/storage.h"

namespace strata::lake {

class LakeReader {
 public:
  explicit LakeReader(Storage& storage);

  ScanPlan plan(const LoadedTable& table, const ScanOptions& options);
  // The SELECT over the plan's files; `run` executes helper queries
  // (parquet_schema) on DuckDB.
  ScanSql scan_sql(const LoadedTable& table, const ScanPlan& plan, const SqlRunner& run);
  // Reads files the table's metadata names (remapped by its PathMap).
  MetadataReader metadata_reader(const LoadedTable& table);

  Storage& storage() { return storage_; }
  ManifestCache& manifests() { return manifests_; }
  FileSchemaCache& file_schemas() { return schemas_; }

 private:
  Storage& storage_;
  ManifestCache manifests_;
  FileSchemaCache schemas_;
};

}  // namespace strata::lake
