#include "lake/lake_reader.h"

namespace strata::lake {

LakeReader::LakeReader(Storage& storage) : storage_(storage) {}

MetadataReader LakeReader::metadata_reader(const LoadedTable& table) {
  PathMap paths = table.paths;
  Storage* storage = &storage_;
  return
      [paths, storage](const std::string& recorded) { return storage->read(paths.map(recorded)); };
}

ScanPlan LakeReader::plan(const LoadedTable& table, const ScanOptions& options) {
  PathMap paths = table.paths;
  return plan_scan(
      *table.metadata, table.ident.to_string(), options, metadata_reader(table),
      [paths](const std::string& recorded) { return paths.map(recorded); }, &manifests_);
}

ScanSql LakeReader::scan_sql(const LoadedTable& table, const ScanPlan& plan, const SqlRunner& run) {
  ScanSqlContext ctx;
  const PathMap& paths = table.paths;
  ctx.resolve = [&](const std::string& recorded) {
    return storage_.local_copy(paths.map(recorded));
  };
  ctx.read = [&](const std::string& recorded) { return storage_.read(paths.map(recorded)); };
  ctx.schemas = &schemas_;
  ctx.run = run;
  return build_scan_sql(plan, *table.metadata, ctx);
}

}  // namespace strata::lake
