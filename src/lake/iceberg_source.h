// IcebergSource: an Iceberg catalog as a data source. Cubes name its tables
// with `sql_table: namespace.table` and `data_source: <this source>`.
//
// A query's SQL (DuckDB dialect, from the planner) runs in an embedded
// DuckDB. Every qualified name after FROM/JOIN that the catalog knows as a
// table is replaced by a subquery over exactly the files scan planning chose
// for this query (lake/scan/scan_sql.h), so concurrent queries with
// different snapshots or file sets share nothing but caches:
//   - ExecOptions::as_of picks the snapshot (time travel) of every lake
//     table the query reads;
//   - ExecOptions::predicates on a table prune its manifests and files
//     (partition values of every spec, column bounds); the SQL still applies
//     the filters, so pruning only skips files that cannot match.
// Table metadata is re-read by every query (the current snapshot is always
// current); manifests and Parquet layouts are cached (they never change).
//
// Thread-safe.
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "lake/catalog/catalog.h"
#include "lake/lake_config.h"
#include "lake/lake_engine.h"
#include "source/source.h"

namespace strata::lake {

class IcebergSource : public Source {
 public:
  // Opens the catalog (the REST catalog connects at once). Throws UserError
  // for bad settings, SourceError when the catalog cannot be opened.
  static std::unique_ptr<IcebergSource> open(const LakeConfig& config);
  ~IcebergSource() override;

  const std::string& name() const override { return name_; }
  std::string_view type() const override { return "iceberg"; }
  const sql::Dialect& dialect() const override;  // duckdb

  ResultSet query(const std::string& sql, const ExecOptions& options) override;
  void stream(const std::string& sql, const ExecOptions& options,
              const std::function<bool(ResultSet&& batch)>& sink) override;
  // Every table of every namespace (schema = the namespace, "a.b" nested).
  std::vector<TableInfo> list_tables() override;
  // The current schema's columns. NotFoundError for an unknown table.
  TableInfo describe_table(const std::string& schema, const std::string& name) override;
  SourceHealth health() override;

  Catalog& catalog() { return *catalog_; }
  LakeEngine& engine() { return *engine_; }
  const LakeConfig& config() const { return config_; }
  // Loads a table through the catalog. NotFoundError when it has none.
  LoadedTable load(const TableIdent& ident);

  // What the latest query read, table by table (for tests and diagnostics).
  std::vector<LakeRunStats> last_query_stats() const;

  struct Private {};  // only open() constructs
  IcebergSource(Private, LakeConfig config);

 private:
  // Rewrites `sql` with per-query views and returns the batch to run.
  LakeEngine::Prepared prepare(const std::string& sql, const ExecOptions& options);

  std::string name_;
  LakeConfig config_;
  std::unique_ptr<LakeEngine> engine_;
  std::unique_ptr<Catalog> catalog_;
  mutable std::mutex stats_mu_;
  std::vector<LakeRunStats> last_stats_;
};

}  // namespace strata::lake
