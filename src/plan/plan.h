// Plan: what the planner decides for one SemanticQuery: which source runs it,
// the SQL (as AST and rendered for that source's dialect), and how result
// columns map back to query members.
#pragma once

#include <cstdint>
#include <functional>
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
Plan plan_query(const SemanticQuery& query, const Model& model, const SecurityContext& security,
                const DialectLookup& dialects, const TierBoundaryLookup& boundaries = {});

}  // namespace strata
