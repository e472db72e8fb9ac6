// LakeEngine: runs SQL over lake tables in an embedded DuckDB. Each query
// defines, on the one pooled connection it runs on, a temporary view per
// table it reads (CREATE OR REPLACE TEMP VIEW <name> AS <scan>), planned for
// that query (its snapshot, its pruning), then runs the SQL in the same
// batch. Temporary views belong to a connection, so concurrent queries with
// different file sets never see each other's views.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "lake/lake_reader.h"
#include "source/duckdb/duckdb_source.h"

namespace strata::lake {

struct LakeView {
  std::string name;  // the view's name in the SQL ("t", "__lake_0")
  const LoadedTable* table = nullptr;
  ScanOptions scan;
};

struct LakeRunStats {
  std::string table;
  ScanStats scan;
  int64_t files_opened = 0;  // data and delete files the DuckDB SQL reads
};

struct LakeCounters {
  int64_t queries = 0;
  int64_t data_files_read = 0;
  int64_t delete_files_read = 0;
  int64_t files_pruned = 0;
};

class LakeEngine {
 public:
  // `name` names the embedded DuckDB in errors (the data source's name).
  LakeEngine(std::string name, StorageOptions storage, DuckDbSourceOptions duckdb);
  ~LakeEngine();

  Storage& storage() { return *storage_; }
  LakeReader& reader() { return *reader_; }
  DuckDbSource& duckdb() { return *duckdb_; }

  // The SELECT reading one table scan (planned now), with the cache pins it
  // needs; `stats` (optional) receives what it reads.
  ScanSql scan(const LoadedTable& table, const ScanOptions& options, LakeRunStats* stats);

  // The SQL batch that defines the views and then runs `sql`, with the cache
  // pins it needs; `stats` (optional) receives one entry per view.
  struct Prepared {
    std::string sql;
    std::vector<LocalFile> files;
  };
  Prepared prepare(const std::vector<LakeView>& views, const std::string& sql,
                   std::vector<LakeRunStats>* stats);

  ResultSet run(const std::vector<LakeView>& views, const std::string& sql,
                const ExecOptions& options, std::vector<LakeRunStats>* stats = nullptr);
  void stream(const std::vector<LakeView>& views, const std::string& sql,
              const ExecOptions& options, const std::function<bool(ResultSet&& batch)>& sink);

  // Helper queries (parquet_schema) run here.
  SqlRunner runner();
  LakeCounters counters() const;

 private:
  std::string name_;
  std::unique_ptr<Storage> storage_;
  std::unique_ptr<LakeReader> reader_;
  std::unique_ptr<DuckDbSource> duckdb_;
  std::atomic<int64_t> queries_{0}, data_files_{0}, delete_files_{0}, pruned_{0};
};

}  // namespace strata::lake
