// SQL -> SemanticQuery: one SELECT block that reads cube (or view) tables
// becomes one SemanticQuery.
//
// A block is translated in one of two modes:
//  - grouped: it aggregates measures (MEASURE(x), or the aggregate matching
//    the measure's type: SUM for sum, COUNT(*) for count, ...) or has a
//    GROUP BY. The SemanticQuery's dimensions are the dimensions the block
//    uses outside aggregates; DATE_TRUNC('month', t) over a time dimension is
//    that time dimension with a granularity.
//  - ungrouped: it neither aggregates measures nor groups (SELECT * FROM
//    orders, or aggregates over dimensions such as SUM(amount)). One row per
//    row of the cube; a measure column holds its per-row value.
// WHERE conditions on dimensions and segments (segments are boolean columns)
// are pushed down as filters; HAVING conditions on measures as measure
// filters.
//
// When the block is exactly a semantic question (its outputs are members,
// its filters all push down, its GROUP BY / ORDER BY / LIMIT map onto the
// SemanticQuery) it is *direct*: the SemanticQuery's result is the answer.
// Otherwise the block is *post-processed*: the SemanticQuery's result is
// loaded into a temporary table of the sandbox and the block's own SQL
// (with cube references rewritten by `edits`) finishes the work there:
// expressions over aggregates, window functions, CASE, HAVING on
// expressions, ORDER BY / LIMIT, and re-aggregation over coarser groups
// (sum of sums, sum of counts, min of mins, max of maxes; other measure
// types cannot be re-aggregated and are refused with 0A000).
//
// Errors are UserError with PostgreSQL's SQLSTATEs and 1-based positions in
// the statement text: 42703 unknown column, 42702 ambiguous column, 42P01
// unknown table, 42803 measures in WHERE, 0A000 anything this translation
// does not support (saying what is).
#pragma once

#include <boost/json/value.hpp>
#include <cstdint>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "pgwire/catalog.h"
#include "pgwire/sql_text.h"
#include "query/cube_query.h"
#include "query/semantic_query.h"

namespace strata::pgwire {

struct TranslateContext {
  const Catalog* catalog = nullptr;
  // $1..$n as text (nullopt: NULL). Null pointer: parameters are not bound
  // yet (describing a statement); they translate as NULL.
  const std::vector<std::optional<std::string>>* params = nullptr;
  std::string timezone = "UTC";
  QueryLimits limits;
  // Evaluates a constant SQL expression (e.g. CURRENT_DATE - INTERVAL '7
  // days') to its text; empty function: such values are not pushed down.
  std::function<std::optional<std::string>(const std::string& expression)> evaluate;
  // Names of common table expressions in scope: a table reference with one of
  // these names is the CTE, not a cube.
  std::set<std::string> cte_names;
};

// One output column of a direct block.
struct SqlOutput {
  std::string name;
  std::string key;  // the QueryResult column key to read; "" for an always-NULL column
  int32_t type_oid = 0;
  int32_t table_oid = 0;
  int16_t attnum = 0;
};

struct BlockPlan {
  SemanticQuery query;
  bool direct = false;
  std::string not_direct_reason;  // for EXPLAIN and logs
  bool skip_run = false;          // LIMIT 0: the columns are known, no rows are needed
  bool limit_capped = false;      // the SQL LIMIT was over limits.max_limit
  int64_t sql_limit = -1;         // LIMIT as written (-1: none)

  // Direct blocks.
  std::vector<SqlOutput> outputs;

  // Post-processed blocks.
  std::string table;  // the temporary table's name
  // (QueryResult column key, temporary table column) pairs.
  std::vector<std::pair<std::string, std::string>> temp_columns;
  std::vector<TextEdit> edits;
};

// The cube or view a RangeVar names, or nullptr when it names something else
// (a CTE, a pg_catalog table, an unknown table).
const CatalogTable* cube_table_of(const boost::json::object& range_var, const Catalog& catalog,
                                  const std::set<std::string>& cte_names);

// Translates the SelectStmt body `select` (whose FROM reads cube tables).
// `allow_direct` is false for blocks nested in a larger statement. `table`
// names the temporary table a post-processed block reads from.
BlockPlan translate_block(const boost::json::object& select, const ParsedSql& sql,
                          const TranslateContext& ctx, bool allow_direct, const std::string& table);

// PostgreSQL's name for an unaliased SELECT-list expression ("count",
// "version", "?column?"), as FigureColname gives it.
std::string figure_column_name(const boost::json::value& expr);
// The output names PostgreSQL gives a SELECT's columns (for a set operation,
// its first branch's); empty when they cannot be told (a * in the list).
std::vector<std::string> output_names(const boost::json::object& select);

// Spans of tree nodes in the text, found with the scanner's tokens.
// [start, end) of the qualified name at `location` (a ColumnRef, RangeVar or
// type name): identifiers joined by dots.
std::pair<size_t, size_t> name_span(const ParsedSql& sql, size_t location);
// [start, end) of the call at `location`: its name through the matching ')'.
std::pair<size_t, size_t> call_span(const ParsedSql& sql, size_t location);
// [start, end) of an expression subtree: from its first to its last token,
// widened to balance parentheses.
std::pair<size_t, size_t> expression_span(const ParsedSql& sql, const boost::json::value& node);

}  // namespace strata::pgwire
