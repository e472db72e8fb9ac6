#include "lake/lake_engine.h"

#include "core/error.h"
#include "lake/scan/scan_sql.h"

namespace strata::lake {

LakeEngine::LakeEngine(std::string name, StorageOptions storage, DuckDbSourceOptions duckdb)
    : name_(std::move(name)),
      storage_(std::make_unique<Storage>(std::move(storage))),
      reader_(std::make_unique<LakeReader>(*storage_)),
      duckdb_(DuckDbSource::open(name_, ":memory:", duckdb)) {}

LakeEngine::~LakeEngine() = default;

SqlRunner LakeEngine::runner() {
  DuckDbSource* db = duckdb_.get();
  return [db](const std::string& sql) { return db->query(sql, ExecOptions{}); };
}

ScanSql LakeEngine::scan(const LoadedTable& table, const ScanOptions& options,
                         LakeRunStats* stats) {
  ScanPlan plan = reader_->plan(table, options);
  ScanSql scan = reader_->scan_sql(table, plan, runner());
  data_files_ += scan.data_files;
  delete_files_ += scan.delete_files;
  pruned_ += plan.stats.files_skipped_partition + plan.stats.files_skipped_stats +
             plan.stats.manifests_skipped;
  if (stats) {
    *stats = LakeRunStats{table.ident.to_string(), plan.stats, scan.data_files + scan.delete_files};
  }
  return scan;
}

LakeEngine::Prepared LakeEngine::prepare(const std::vector<LakeView>& views, const std::string& sql,
                                         std::vector<LakeRunStats>* stats) {
  Prepared p;
  for (const LakeView& v : views) {
    LakeRunStats s;
    ScanSql scan = this->scan(*v.table, v.scan, &s);
    p.sql += "CREATE OR REPLACE TEMP VIEW " + quote_ident(v.name) + " AS\n" + scan.sql + ";\n";
    for (auto& f : scan.files) p.files.push_back(std::move(f));
    if (stats) stats->push_back(std::move(s));
  }
  ++queries_;
  p.sql += sql;
  return p;
}

ResultSet LakeEngine::run(const std::vector<LakeView>& views, const std::string& sql,
                          const ExecOptions& options, std::vector<LakeRunStats>* stats) {
  Prepared p = prepare(views, sql, stats);
  return duckdb_->query(p.sql, options);
}

void LakeEngine::stream(const std::vector<LakeView>& views, const std::string& sql,
                        const ExecOptions& options,
                        const std::function<bool(ResultSet&& batch)>& sink) {
  Prepared p = prepare(views, sql, nullptr);
  duckdb_->stream(p.sql, options, sink);
}

LakeCounters LakeEngine::counters() const {
  return LakeCounters{queries_.load(), data_files_.load(), delete_files_.load(), pruned_.load()};
}

}  // namespace strata::lake
