// Internal to plan/: the state of planning one query, shared by the
// single-source shapes (planner.cpp) and the federated and tiered shapes
// (federation.cpp). Nothing outside src/plan/ includes this.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/time.h"
#include "plan/join_tree.h"
#include "plan/member_sql.h"
#include "plan/plan.h"

namespace strata::plan_internal {

struct DimOut {
  OutputColumn out;
  const Dimension* dimension = nullptr;
  sql::ExprPtr expr;            // the output expression, over the cubes' aliases
  std::set<std::string> cubes;  // cubes the expression reads
};

struct MeasureGroup {
  const Cube* cube = nullptr;
  std::vector<const Measure*> measures;  // computed inside this cube's aggregate
};

// A condition of the WHERE clause, with the cubes it reads.
struct Condition {
  sql::ExprPtr expr;
  std::set<std::string> cubes;
  const FilterNode* filter = nullptr;  // set when it came from a filter (else a range or segment)
  bool null_rejecting = false;  // false for a NULL-extended row: safe to pre-filter joined cubes
};

class QueryPlanner {
 public:
  QueryPlanner(const SemanticQuery& q, const Model& model, const DialectLookup& dialects,
               const TierBoundaryLookup& boundaries, const PreAggregationLookup& pre_aggs = {});
  Plan run();

 private:
  // --- analysis (planner.cpp)
  const ResolvedMember& member(const std::string& name, const std::string& path) const;
  void note_view(const ResolvedMember& r, const std::string& name);
  void resolve_members();
  void classify_filters();
  void collect_measure_filters(const FilterNode& f);
  void build_join_tree();
  void build_dimensions();
  bool is_local(const Measure& m) const;
  void place(const Measure& m);
  void place_measures();
  std::vector<OutputColumn> output_columns() const;
  std::vector<Condition> where_conditions();
  sql::ExprPtr where_condition();
  sql::ExprPtr having_condition(const std::function<sql::ExprPtr(const Measure&)>& measure_value);
  sql::TableRef cube_table(const Cube& c) const;
  void add_joins(sql::Select& s, const std::vector<JoinStep>& steps) const;
  std::string source_of(const Cube& c) const;

  // --- single-source shapes (planner.cpp)
  void build_dimensions_only(sql::Select& s);
  void build_ungrouped(sql::Select& s);
  std::shared_ptr<sql::Select> group_aggregate(const MeasureGroup& g, bool with_having);
  void build_single_group(sql::Select& s);
  // Stacks per-group selects (dims + that group's measures under their
  // aliases) and collapses them by the dimensions; computes number measures
  // over several cubes and applies measure filters.
  void build_collapse(sql::Select& s, const std::vector<std::shared_ptr<sql::Select>>& groups);
  const OutputColumn* find_output(const std::string& member) const;
  void apply_order(sql::Select& s) const;

  // --- federated and tiered shapes (federation.cpp)
  bool needs_federation() const;
  void build_federated(sql::Select& s, Plan& plan);

  // --- answering from a rollup pre-aggregation (preagg_match.cpp): true
  // when one matches, with `s` and `plan` filled in. try_pre_aggregation
  // sets `rows_read` to the rollup rows the plan reads (its partitions').
  bool plan_on_pre_aggregation(sql::Select& s, Plan& plan);
  bool try_pre_aggregation(const PreAggregation& def, const PreAggregation& declared, bool lambda,
                           sql::Select& s, Plan& plan, int64_t& rows_read);

  const SemanticQuery& q_;
  const Model& model_;
  const DialectLookup& dialects_;
  const TierBoundaryLookup& boundaries_;
  const PreAggregationLookup& pre_aggs_;
  std::shared_ptr<const TimeZone> tz_;
  sql::ExprPtr where_;  // where_condition(), built once
  bool where_built_ = false;

  std::vector<const ResolvedMember*> measures_;  // requested, in order
  std::vector<std::pair<const ResolvedMember*, std::optional<Granularity>>> dims_;
  std::vector<std::string> dim_keys_;  // response key per dims_ entry
  std::vector<const ResolvedMember*> segments_;
  std::vector<const FilterNode*> where_filters_;
  std::vector<const FilterNode*> having_filters_;
  std::vector<const Measure*> measure_filter_measures_;  // measureFilter: their own filters apply
  std::set<std::string> context_cubes_;  // cubes dimensions, filters and segments need
  std::set<std::string> all_cubes_;
  bool first_view_set_ = false;
  const View* first_view_ = nullptr;
  const View* view_ = nullptr;
  std::set<std::string> sources_;  // data sources the query's cubes live in
  std::optional<JoinTree> tree_;

  std::vector<DimOut> dim_outs_;
  std::set<std::string> used_aliases_;
  std::vector<MeasureGroup> groups_;
  std::vector<const Measure*> outer_measures_;  // number measures over several cubes
  std::map<const Measure*, std::string> measure_alias_;
  std::vector<OutputColumn> measure_outs_;
};

// "orders.created_at.month" -> "orders__created_at_month", unique within `used`.
std::string alias_for(const std::string& key, std::set<std::string>& used);

// GROUP BY 1, 2, ..., n
std::vector<sql::ExprPtr> ordinals(size_t n);

}  // namespace strata::plan_internal
