// Plan: what the planner decides for one SemanticQuery: which source runs it,
// the SQL (as AST and rendered for that source's dialect), and how result
// columns map back to query members.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/scan.h"
#include "model/model.h"
#include "query/security_context.h"
#include "query/semantic_query.h"
#include "sql/ast.h"

namespace strata {

namespace sql {
class Dialect;
}

enum class OutputRole { kMeasure, kDimension, kTimeDimension };

struct OutputColumn {
  std::string member;  // full member name: "orders.count", "orders.created_at"
  // The key rows are reported under: the member, or for a time dimension
  // with a granularity "orders.created_at.month".
  std::string key;
  std::string alias;  // the column alias in the SQL
  OutputRole role = OutputRole::kDimension;
  std::optional<Granularity> granularity;
  const ResolvedMember* resolved = nullptr;  // points into the Model
};

// One piece of a federated or tiered plan: SQL for one source whose result
// the merge step reads as table `name`.
struct PlanFragment {
  std::string name;                       // table name in the merge database ("frag0")
  std::string source;                     // data_source that runs `sql`
  std::string sql;                        // in that source's dialect
  std::vector<ScanPredicate> predicates;  // hints for that source
  std::string cube;  // the cube it reads (for reporting which sources served a query)
  std::string tier;  // "hot", "cold", or "" for an untiered cube
};

// A pre-aggregation that answers (part of) a query, as Cube's
// usedPreAggregations reports it.
struct UsedPreAggregation {
  std::string name;          // "line_items.by_day"
  std::string target_table;  // the built table ("line_items_by_day_<build>")
  std::vector<std::string> refresh_key_values;
  int64_t last_updated_utc = 0;  // microseconds; when its newest partition was built
  bool lambda = false;           // the newest partition came from the source
  std::string version;           // changes with every build (keys cached answers)
};

// One built partition of a pre-aggregation: a Parquet file holding the
// rows of [from_local, to_local) on the pre-aggregation's wall clock (both
// 0 for an unpartitioned one).
struct PreAggPartition {
  int64_t from_local = 0;
  int64_t to_local = 0;
  std::string path;
  int64_t rows = 0;
  int64_t bytes = 0;
  std::string refresh_key;
  int64_t built_at_utc = 0;
};

class RollupBuild;  // plan/preagg_build.h

// What is built of one pre-aggregation, for matching (cache/ provides it).
struct BuiltPreAggregation {
  std::string source;                       // the DuckDB data source that reads the Parquet files
  std::string table;                        // reported as targetTableName
  std::vector<PreAggPartition> partitions;  // by from_local; never empty
  int64_t last_updated_utc = 0;
  std::vector<std::string> refresh_key_values;
  std::string version;  // differs between any two builds (the partition files' names)
  // A table of `source` holding every partition's rows (the build loaded
  // into memory); "" while it is not loaded: the plan reads the files.
  std::string memory_table;
  // How the rollup is built: a lambda plan reads its newest partition's
  // range from the source with the same queries. Built for the same Model.
  std::shared_ptr<const RollupBuild> build;
};

// The built state of a rollup whose definition matches the model, or null
// when it is not (completely) built. Must be thread-safe.
using PreAggregationLookup =
    std::function<std::shared_ptr<const BuiltPreAggregation>(const PreAggregation&)>;

struct Plan {
  // Single-source plans: the data source that runs `sql`. Federated and
  // tiered plans: empty; `fragments` run on their sources, their results are
  // loaded into an embedded DuckDB, and `sql` (DuckDB dialect) merges them.
  std::string source;
  std::vector<PlanFragment> fragments;
  sql::SelectPtr select;
  std::string sql;        // `select` rendered for the source's dialect
  std::string total_sql;  // SELECT count(*) over the unlimited query; "" unless query.total
  std::vector<OutputColumn> columns;  // in SELECT order
  // The query's limit and offset. The SQL asks for limit + 1 rows so the
  // executor can tell whether the limit cut the result short.
  int64_t limit = 0;
  int64_t offset = 0;
  // Conditions on plain table columns the SQL already applies, for sources
  // that can skip data with them (see core/scan.h).
  std::vector<ScanPredicate> predicates;
  std::optional<TableVersion> as_of;  // the query's time travel, for lake sources
  // The cubes the query reads (its join tree, by name): their refresh keys
  // are part of the result cache's key.
  std::vector<std::string> cubes;
  // Set when pre-aggregations answer the query (see plan/preagg_match.h).
  std::vector<UsedPreAggregation> pre_aggregations;
};

// Which dialect a data source speaks ("default" -> duckdb). Throws
// NotFoundError for an unknown source.
using DialectLookup = std::function<const sql::Dialect&(std::string_view source)>;

// The boundary instant (UTC microseconds) of a tiered cube: hot holds rows at
// and after it, cold rows before. The executor provides it (it reads
// watermarks from hot sources); without one, retention boundaries are
// computed from the current time and watermark boundaries are an error.
using TierBoundaryLookup = std::function<int64_t(const Cube& cube)>;

// The retention boundary: the start of the current UTC day minus the retention.
int64_t retention_boundary(const Tiering& tiers, int64_t now_utc_micros);

// Plans a validated query. Throws UserError when the query cannot be
// answered (members of cubes that are not joined, a measure filter mixed
// into an `or` with dimension filters, a cross-source join that is not an
// equality between the two cubes' columns).
// With `pre_aggregations` set, a query a built rollup can answer exactly is
// planned on the rollup (plan/preagg_match.h); otherwise on the sources.
Plan plan_query(const SemanticQuery& query, const Model& model, const SecurityContext& security,
                const DialectLookup& dialects, const TierBoundaryLookup& boundaries = {},
                const PreAggregationLookup& pre_aggregations = {});

}  // namespace strata
