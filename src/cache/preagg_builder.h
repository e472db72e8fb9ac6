// PreAggBuilder: builds the partitions of one pre-aggregation into Parquet
// files (see cache/preagg_store.h for the layout).
//
// A rollup partition runs the rollup's build queries (plan/preagg_build.h)
// through the ordinary planner on the cube's sources, loads their results
// into an embedded DuckDB, computes count_distinct_approx sketches there
// (plan/preagg_sketch.h) and writes the rows with COPY ... TO (FORMAT
// parquet) under a temporary name, renamed into place when complete. An
// original_sql partition copies the cube's rows (its table or SQL) in the
// partition's range.
//
// The build range is build_range_start/end (SQL on the cube's source, each
// one instant) or else the time dimension's min and max over the rollup
// cube's rows; partitions are partition_granularity periods of the
// pre-aggregation's time zone covering it. Not thread-safe for the same
// pre-aggregation (the refresh worker serializes builds).
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "cache/preagg_store.h"
#include "exec/query_service.h"
#include "exec/tier_boundaries.h"
#include "source/duckdb/duckdb_source.h"

namespace strata {

struct PartitionSpec {
  std::string name;        // "20240101", or "all"
  int64_t from_local = 0;  // as recorded in the manifest (0, 0 for "all")
  int64_t to_local = 0;
  std::optional<DateRange> range;  // the rows it holds; nullopt: every row
};

class PreAggBuilder {
 public:
  // All three must outlive the builder.
  PreAggBuilder(QueryService& service, SourceRegistry& sources, PreAggStore& store);
  ~PreAggBuilder();

  // The partitions `def` should have now. Throws SourceError when the
  // build range cannot be read, UserError for more than 50,000 partitions.
  std::vector<PartitionSpec> partitions(const PreAggregation& def);

  // Builds one partition and renames its file into place; returns its
  // manifest entry. Throws the sources' errors; leaves no file behind then.
  ManifestPartition build(const PreAggregation& def, const PartitionSpec& partition,
                          const std::string& refresh_key);

 private:
  std::optional<int64_t> read_instant(const std::string& source, const std::string& sql);
  DuckDbSource& duck();
  Plan plan_on(const SemanticQuery& q, const Model& model);

  QueryService& service_;
  SourceRegistry& sources_;
  PreAggStore& store_;
  TierBoundaries boundaries_;
  std::mutex duck_mu_;
  std::unique_ptr<DuckDbSource> duck_;
};

}  // namespace strata
