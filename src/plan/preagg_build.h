// How a rollup pre-aggregation is stored and built. Shared by the matcher
// (plan/preagg_match.cpp reads these columns) and the refresh worker
// (cache/preagg_builder.h runs these queries).
//
// A rollup is a table with one row per group of its dimensions, segments
// and time bucket, holding every leaf measure in a form that can be
// re-aggregated:
//
//   column                          kind        holds
//   orders__status                  dimension   the dimension's value
//   orders__completed__segment      segment     whether the segment's condition holds (grouped)
//   orders__created_at__day         time        the bucket's start, wall clock in the rollup's zone
//   line_items__count               measure     count / sum / min / max / count_distinct as is
//   line_items__average_price__sum  avg_sum     avg kept as sum ...
//   line_items__average_price__count avg_count  ... and count of non-null values
//   orders__buyers_approx__hll      sketch      HyperLogLog registers (see preagg_sketch.h)
//
// Partitions are built by ordinary SemanticQueries planned on a "build
// model": the Model plus synthetic members on the rollup's cube (avg as sum
// and count, segments as boolean dimensions, count_distinct_approx values as
// a dimension), so joins, fan-out, tiers and federation work as for any
// query. Thread-safety: immutable after construction.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "model/model.h"
#include "query/semantic_query.h"
#include "sql/ast.h"

namespace strata {

struct RollupColumn {
  enum class Kind { kDimension, kSegment, kTime, kMeasure, kAvgSum, kAvgCount, kSketch };
  Kind kind = Kind::kDimension;
  std::string name;    // the column's name in the Parquet files
  std::string member;  // the model member it stores (the leaf measure for avg and sketches)
  // The key of the value in the build query's result ("orders.created_at.day",
  // "line_items.__avg_sum__average_price"); for sketches, the value dimension.
  std::string build_key;
};

// Column layout of a rollup. Throws InternalError on an unvalidated definition.
std::vector<RollupColumn> rollup_columns(const PreAggregation& p, const Model& model);

// "orders.status" -> "orders__status" (the rollup column naming).
std::string rollup_column_name(const std::string& member);

// A stable hash of `text` as 16 hex digits (64-bit FNV-1a): the
// fingerprints of pre-aggregation definitions.
std::string fingerprint_hex(const std::string& text);

class RollupBuild {
 public:
  // `model` must outlive this object. Throws UserError when `p` is not a
  // rollup with measures.
  RollupBuild(std::shared_ptr<const Model> model, const PreAggregation& p);

  const PreAggregation& definition() const { return def_; }
  const std::vector<RollupColumn>& columns() const { return columns_; }
  // The Model the build queries are planned with (the model plus synthetic members).
  const Model& build_model() const { return *build_model_; }

  // Dimensions, segments, the time bucket and every non-sketch measure of
  // the rows in `range` (wall clock in the rollup's zone; nullopt: all rows).
  SemanticQuery main_query(std::optional<DateRange> range) const;
  // For each sketch column (in column order): the distinct values per group.
  // Result keys: the groups' build keys and the sketch column's build_key.
  std::vector<SemanticQuery> sketch_queries(std::optional<DateRange> range) const;
  // min and max of the time dimension over the rollup cube's rows (keys:
  // time_range_keys()); only for rollups with a time dimension.
  SemanticQuery time_range_query() const;
  std::pair<std::string, std::string> time_range_keys() const;
  // A text that changes whenever anything the rollup's rows depend on
  // changes (the definition, the SQL of its members and of the cubes they
  // read): built partitions with another fingerprint are rebuilt.
  const std::string& fingerprint() const { return fingerprint_; }

 private:
  SemanticQuery base_query(std::optional<DateRange> range) const;

  std::shared_ptr<const Model> model_;
  PreAggregation def_;
  std::vector<RollupColumn> columns_;
  std::unique_ptr<Model> build_model_;
  std::string fingerprint_;
};

struct Plan;  // plan/plan.h

// The column alias of a build query's result key in `plan` (a plan of one
// of RollupBuild's queries). Throws InternalError when it has none.
const std::string& alias_of(const Plan& plan, const std::string& key);

// The names under which the builder loads the build queries' results into
// its embedded DuckDB: main_query()'s, and sketch_queries()[i]'s.
inline constexpr const char* kRollupRowsTable = "rollup_rows";
std::string sketch_rows_table(size_t i);

// The DuckDB SELECT that assembles one rollup partition from those tables:
// the rollup's columns in order, named as in the Parquet files; each sketch
// column joined from its sketch table on the group columns (an empty
// sketch for a group without values). `main_plan` and `sketch_plans` are
// the plans of main_query() and sketch_queries() (their column aliases).
// Throws InternalError when a plan lacks a build column.
std::string rollup_rows_sql(const RollupBuild& build, const Plan& main_plan,
                            const std::vector<Plan>& sketch_plans);

// original_sql: the cube's own rows (its sql_table or sql), those of
// `range` (wall clock in the pre-aggregation's zone) when given, for the
// cube's source. Throws UserError for a tiered cube.
sql::Select original_rows_select(const PreAggregation& def, const Model& model,
                                 std::optional<DateRange> range);

}  // namespace strata
