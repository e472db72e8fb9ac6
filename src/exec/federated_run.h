// Running a federated or tiered Plan: every fragment on its own source, at
// the same time; their results loaded into an embedded DuckDB; the plan's
// merge SQL (and total SQL) run there.
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include "exec/query_service.h"
#include "plan/plan.h"
#include "source/duckdb/duckdb_source.h"
#include "source/source.h"

namespace strata {

// The embedded DuckDB merge steps run in: in memory, opened on first use,
// shared by all queries (each loads its fragments into temporary tables of
// its own connection). Thread-safe.
class MergeDatabase {
 public:
  DuckDbSource& get() const;

 private:
  mutable std::mutex mu_;
  mutable std::unique_ptr<DuckDbSource> db_;
};

struct FederatedResult {
  ResultSet rows;  // the merge's rows (limit + 1 at most, offset applied)
  std::optional<int64_t> total;
  std::vector<ServedBy> served_by;  // one per fragment
};

// `options` carries the query's timeout (covering fragments and merge) and
// cancel token. When a fragment fails the others are cancelled and its
// error (a SourceError naming the source) is thrown.
FederatedResult run_federated(const Plan& plan, const SourceRegistry& sources,
                              const MergeDatabase& merge, const ExecOptions& options);

}  // namespace strata
