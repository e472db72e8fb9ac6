// plan_query: SemanticQuery -> Plan (one SQL statement for one source).
//
// Shape of the SQL it writes:
//  - one cube's measures, no fan-out:   SELECT dims, aggs FROM cube LEFT JOIN ... GROUP BY dims
//  - fan-out (a one_to_many join from the measure's cube towards a requested
//    dimension or filter): the distinct (dims, primary key) pairs are found
//    first, then the measure cube is joined back once per key, so every row
//    of the measure's cube counts once per group:
//      SELECT keys.dims, aggs FROM (SELECT DISTINCT dims, pk ...) keys
//      JOIN cube ON keys.pk = cube.pk GROUP BY dims
//  - measures of several cubes: each cube's aggregate as above, the results
//    stacked with UNION ALL and collapsed by the dimensions (each side has at
//    most one row per group), number measures computed over the collapsed
//    values. UNION ALL + GROUP BY instead of FULL JOIN because GROUP BY
//    matches NULL keys and every engine supports it.
//  - cubes of several data sources, or tiered cubes: see federation.cpp.
#include <algorithm>
#include <map>
#include <set>

#include "core/error.h"
#include "plan/filter_sql.h"
#include "plan/query_planner.h"
#include "plan/scan_predicates.h"
#include "sql/dialect.h"

namespace strata {

namespace plan_internal {

using sql::ExprPtr;

std::string alias_for(const std::string& key, std::set<std::string>& used) {
  std::string a;
  a.reserve(key.size() + 2);
  bool first_dot = true;
  for (char c : key) {
    if (c == '.') {
      a += first_dot ? "__" : "_";
      first_dot = false;
    } else {
      a += c;
    }
  }
  std::string candidate = a;
  for (int i = 2; !used.insert(candidate).second; ++i) candidate = a + "_" + std::to_string(i);
  return candidate;
}

std::vector<ExprPtr> ordinals(size_t n) {
  std::vector<ExprPtr> out;
  for (size_t i = 1; i <= n; ++i)
    out.push_back(sql::literal(Value::int64(static_cast<int64_t>(i))));
  return out;
}

QueryPlanner::QueryPlanner(const SemanticQuery& q, const Model& model,
                           const DialectLookup& dialects, const TierBoundaryLookup& boundaries,
                           const PreAggregationLookup& pre_aggs)
    : q_(q), model_(model), dialects_(dialects), boundaries_(boundaries), pre_aggs_(pre_aggs) {}

Plan QueryPlanner::run() {
  tz_ = TimeZone::load(q_.timezone);
  resolve_members();
  classify_filters();
  build_join_tree();
  build_dimensions();
  place_measures();

  Plan plan;
  plan.columns = output_columns();
  plan.limit = q_.limit;
  plan.offset = q_.offset;
  plan.predicates = extract_scan_predicates(q_, model_, *tz_);
  plan.as_of = q_.as_of;
  for (const Cube* c : tree_->cubes()) plan.cubes.push_back(c->name);

  auto select = std::make_shared<sql::Select>();
  bool rollup = pre_aggs_ && plan_on_pre_aggregation(*select, plan);
  if (rollup) {
    // planned on a pre-aggregation (preagg_match.cpp)
  } else if (needs_federation()) {
    build_federated(*select, plan);
  } else {
    plan.source = *sources_.begin();
    if (q_.ungrouped) {
      build_ungrouped(*select);
    } else if (groups_.empty()) {
      build_dimensions_only(*select);
    } else if (groups_.size() == 1 && outer_measures_.empty()) {
      build_single_group(*select);
    } else {
      std::vector<std::shared_ptr<sql::Select>> branches;
      for (const auto& g : groups_) branches.push_back(group_aggregate(g, false));
      build_collapse(*select, branches);
    }
  }

  // The merge step of a federated plan runs in embedded DuckDB.
  // So does a plan on a pre-aggregation (Parquet read by DuckDB).
  const sql::Dialect& dialect =
      plan.fragments.empty() && !rollup ? dialects_(plan.source) : sql::dialect_named("duckdb");
  if (q_.total) {
    sql::Select total;
    sql::TableRef inner;
    inner.kind = sql::TableRef::Kind::kSelect;
    inner.select = std::make_shared<sql::Select>(*select);
    inner.alias = "t";
    total.items.push_back({sql::aggregate(sql::AggregateFn::kCount, nullptr), "total"});
    total.from = inner;
    plan.total_sql = dialect.render(total);
  }
  apply_order(*select);
  select->limit = q_.limit + 1;
  if (q_.offset > 0) select->offset = q_.offset;
  plan.sql = dialect.render(*select);
  plan.select = select;
  return plan;
}

// --- analysis

const ResolvedMember& QueryPlanner::member(const std::string& name, const std::string& path) const {
  const ResolvedMember* r = model_.find_member(name);
  if (!r) {
    throw UserError(
        "unknown member '" + name + "'",
        {.member = name,
         .json_path = path,
         .hint = "members are written cube.member; GET /cubejs-api/v1/meta lists them"});
  }
  return *r;
}

void QueryPlanner::note_view(const ResolvedMember& r, const std::string& name) {
  static const View kNoView;
  const View* key = r.view ? r.view : &kNoView;
  if (!first_view_set_) {
    first_view_set_ = true;
    first_view_ = key;
  } else if (first_view_ != key) {
    throw UserError("the query mixes members of different views, or of a view and cubes",
                    {.member = name,
                     .hint = "query one view's members at a time (a view fixes the join "
                             "paths), or only cubes' members"});
  }
  view_ = r.view;
}

namespace {

void add_cubes_of(const SqlTemplate& t, const Cube& owner, std::set<std::string>& into) {
  into.insert(owner.name);
  for (const auto& c : t.cubes()) into.insert(c);
}

}  // namespace

void QueryPlanner::resolve_members() {
  for (size_t i = 0; i < q_.measures.size(); ++i) {
    const auto& r = member(q_.measures[i], "measures[" + std::to_string(i) + "]");
    if (!r.measure) throw UserError("'" + q_.measures[i] + "' is not a measure");
    note_view(r, q_.measures[i]);
    measures_.push_back(&r);
  }
  for (size_t i = 0; i < q_.dimensions.size(); ++i) {
    const auto& r = member(q_.dimensions[i], "dimensions[" + std::to_string(i) + "]");
    if (!r.dimension) throw UserError("'" + q_.dimensions[i] + "' is not a dimension");
    note_view(r, q_.dimensions[i]);
    dims_.push_back({&r, std::nullopt});
    dim_keys_.push_back(q_.dimensions[i]);
    add_cubes_of(r.dimension->sql, *r.cube, context_cubes_);
  }
  for (const auto& td : q_.time_dimensions) {
    const auto& r = member(td.dimension, td.json_path);
    if (!r.dimension) throw UserError("'" + td.dimension + "' is not a dimension");
    note_view(r, td.dimension);
    add_cubes_of(r.dimension->sql, *r.cube, context_cubes_);
    if (td.granularity) {
      // The same dimension at the same granularity twice is one column.
      std::string key = td.dimension + "." + std::string(granularity_name(*td.granularity));
      if (std::find(dim_keys_.begin(), dim_keys_.end(), key) == dim_keys_.end()) {
        dims_.push_back({&r, td.granularity});
        dim_keys_.push_back(key);
      }
    }
  }
  for (size_t i = 0; i < q_.segments.size(); ++i) {
    const auto& r = member(q_.segments[i], "segments[" + std::to_string(i) + "]");
    if (!r.segment) throw UserError("'" + q_.segments[i] + "' is not a segment");
    note_view(r, q_.segments[i]);
    segments_.push_back(&r);
    add_cubes_of(r.segment->sql, *r.cube, context_cubes_);
  }
}

// Top-level filters are AND-ed; each goes to WHERE (dimensions) or HAVING
// (measures). An `or` mixing the two has no single place to go.
void QueryPlanner::classify_filters() {
  std::vector<const FilterNode*> pending;
  for (const auto& f : q_.filters) pending.push_back(&f);
  for (size_t i = 0; i < pending.size(); ++i) {
    const FilterNode* f = pending[i];
    bool has_m = filter_has_measure(*f, model_);
    bool has_d = filter_has_dimension(*f, model_);
    if (has_m && has_d) {
      if (f->kind == FilterNode::Kind::kAnd) {
        for (const auto& c : f->children) pending.push_back(&c);
        continue;
      }
      throw UserError("an 'or' filter cannot mix measures and dimensions",
                      {.json_path = f->json_path,
                       .hint = "measure conditions are checked after aggregation and dimension "
                               "conditions before it; split them into separate filters"});
    }
    std::vector<std::string> members;
    filter_members(*f, members);
    for (const auto& name : members) {
      const auto& r = member(name, f->json_path);
      note_view(r, name);
      if (r.dimension) add_cubes_of(r.dimension->sql, *r.cube, context_cubes_);
    }
    collect_measure_filters(*f);
    if (has_m) {
      having_filters_.push_back(f);
    } else if (has_d) {
      where_filters_.push_back(f);
    }
  }
}

void QueryPlanner::collect_measure_filters(const FilterNode& f) {
  if (f.kind != FilterNode::Kind::kCondition) {
    for (const auto& c : f.children) collect_measure_filters(c);
    return;
  }
  if (f.op != FilterOp::kMeasureFilter) return;
  const ResolvedMember* r = model_.find_member(f.member);
  if (r && r->measure) {
    measure_filter_measures_.push_back(r->measure);
    for (const auto& t : r->measure->filters) add_cubes_of(t, *r->cube, context_cubes_);
  }
}

std::string QueryPlanner::source_of(const Cube& c) const {
  return c.tiers ? "tiers:" + c.name : c.data_source;
}

void QueryPlanner::build_join_tree() {
  all_cubes_ = context_cubes_;
  for (const auto* m : measures_) {
    all_cubes_.insert(m->cube->name);
    for (const auto& c : measure_cubes(*m->measure, model_)) all_cubes_.insert(c);
  }
  for (const auto* f : having_filters_) {
    std::vector<std::string> names;
    filter_members(*f, names);
    for (const auto& n : names) {
      const ResolvedMember* r = model_.find_member(n);
      if (r && r->measure) {
        all_cubes_.insert(r->cube->name);
        for (const auto& c : measure_cubes(*r->measure, model_)) all_cubes_.insert(c);
      }
    }
  }
  if (measures_.empty() && dims_.empty()) {
    throw UserError("the query selects nothing",
                    {.hint = "add measures, dimensions or time dimensions with a granularity"});
  }
  if (view_) {
    std::vector<std::vector<std::string>> paths;
    auto add_path = [&](const ResolvedMember* r) {
      if (r && r->view_member) paths.push_back(r->view_member->join_path);
    };
    for (const auto* m : measures_) add_path(m);
    for (const auto& [r, g] : dims_) add_path(r);
    for (const auto* s : segments_) add_path(s);
    for (const auto& td : q_.time_dimensions) add_path(model_.find_member(td.dimension));
    for (const auto& f : q_.filters) {
      std::vector<std::string> names;
      filter_members(f, names);
      for (const auto& n : names) add_path(model_.find_member(n));
    }
    tree_ = JoinTree::declared_paths(model_, paths, all_cubes_);
  } else {
    const Cube* root = !measures_.empty() ? measures_[0]->cube : dims_[0].first->cube;
    tree_ = JoinTree::shortest_paths(model_, *root, all_cubes_);
  }
  // Every cube the joins pass through counts, not only the ones members name:
  // a path through another source's cube, or a tiered one, needs federation.
  for (const Cube* c : tree_->cubes()) sources_.insert(source_of(*c));
}

void QueryPlanner::build_dimensions() {
  for (size_t i = 0; i < dims_.size(); ++i) {
    const auto& [r, granularity] = dims_[i];
    DimOut d;
    d.dimension = r->dimension;
    d.out.key = dim_keys_[i];
    d.out.member = granularity ? d.out.key.substr(0, d.out.key.rfind('.')) : d.out.key;
    d.out.alias = alias_for(d.out.key, used_aliases_);
    d.out.granularity = granularity;
    d.out.role = granularity ? OutputRole::kTimeDimension : OutputRole::kDimension;
    d.out.resolved = r;
    add_cubes_of(r->dimension->sql, *r->cube, d.cubes);
    ExprPtr e = dimension_expr(*r->dimension, model_);
    if (r->dimension->type == DimensionType::kTime) e = local_time_expr(e, *tz_, granularity);
    d.expr = e;
    dim_outs_.push_back(std::move(d));
  }
}

// A number measure is computed inside its cube's aggregate when every
// measure it is built from belongs to that cube; otherwise after the merge.
bool QueryPlanner::is_local(const Measure& m) const {
  for (const Measure* leaf : leaf_measures(m, model_)) {
    if (leaf->cube != m.cube) return false;
  }
  return true;
}

void QueryPlanner::place(const Measure& m) {
  if (measure_alias_.count(&m) ||
      std::find(outer_measures_.begin(), outer_measures_.end(), &m) != outer_measures_.end()) {
    return;
  }
  if (m.type == MeasureType::kNumber && !is_local(m)) {
    for (const Measure* leaf : leaf_measures(m, model_)) place(*leaf);
    outer_measures_.push_back(&m);
    return;
  }
  const Cube* cube = model_.find_cube(m.cube);
  auto it = std::find_if(groups_.begin(), groups_.end(),
                         [&](const MeasureGroup& g) { return g.cube == cube; });
  if (it == groups_.end()) {
    groups_.push_back({cube, {}});
    it = groups_.end() - 1;
  }
  it->measures.push_back(&m);
  measure_alias_[&m] = alias_for(m.full_name(), used_aliases_);
}

void QueryPlanner::place_measures() {
  for (const auto* r : measures_) place(*r->measure);
  for (const auto* f : having_filters_) {
    std::vector<std::string> names;
    filter_members(*f, names);
    for (const auto& n : names) {
      const ResolvedMember* r = model_.find_member(n);
      if (r && r->measure) place(*r->measure);
    }
  }
  for (const auto* r : measures_) {
    OutputColumn o;
    o.member = r->view ? r->view->name + "." + r->view_member->name : r->measure->full_name();
    o.key = o.member;
    o.role = OutputRole::kMeasure;
    o.resolved = r;
    auto it = measure_alias_.find(r->measure);
    if (it != measure_alias_.end()) {
      o.alias = it->second;
    } else {
      o.alias = alias_for(r->measure->full_name(), used_aliases_);
      measure_alias_[r->measure] = o.alias;
    }
    measure_outs_.push_back(std::move(o));
  }
}

std::vector<OutputColumn> QueryPlanner::output_columns() const {
  std::vector<OutputColumn> out;
  for (const auto& d : dim_outs_) out.push_back(d.out);
  for (const auto& m : measure_outs_) out.push_back(m);
  return out;
}

// --- pieces shared by every shape

namespace {

// Whether a filter fails for a row whose members are all NULL (a row a LEFT
// JOIN extended with NULLs): then pre-filtering the joined cube is safe.
bool null_rejecting(const FilterNode& f) {
  switch (f.kind) {
    case FilterNode::Kind::kAnd:
      return std::any_of(f.children.begin(), f.children.end(),
                         [](const FilterNode& c) { return null_rejecting(c); });
    case FilterNode::Kind::kOr:
      return std::all_of(f.children.begin(), f.children.end(),
                         [](const FilterNode& c) { return null_rejecting(c); });
    case FilterNode::Kind::kCondition:
      switch (f.op) {
        case FilterOp::kEquals:
        case FilterOp::kContains:
        case FilterOp::kStartsWith:
        case FilterOp::kEndsWith:
        case FilterOp::kGt:
        case FilterOp::kGte:
        case FilterOp::kLt:
        case FilterOp::kLte:
        case FilterOp::kSet:
        case FilterOp::kInDateRange:
        case FilterOp::kNotInDateRange:
        case FilterOp::kBeforeDate:
        case FilterOp::kBeforeOrOnDate:
        case FilterOp::kAfterDate:
        case FilterOp::kAfterOrOnDate: return true;
        default: return false;
      }
  }
  return false;
}

}  // namespace

// WHERE: dimension filters, segments, time dimension date ranges, and the
// own filters of measures named in measureFilter.
std::vector<Condition> QueryPlanner::where_conditions() {
  FilterContext ctx;
  ctx.model = &model_;
  ctx.tz = tz_.get();
  ctx.member_expr = [this](const ResolvedMember& r) -> ExprPtr {
    return dimension_expr(*r.dimension, model_);
  };
  std::vector<Condition> out;
  for (const auto* f : where_filters_) {
    Condition c{filter_expr(*f, ctx), {}, f, null_rejecting(*f)};
    std::vector<std::string> names;
    filter_members(*f, names);
    for (const auto& n : names) {
      const ResolvedMember* r = model_.find_member(n);
      if (r && r->dimension) add_cubes_of(r->dimension->sql, *r->cube, c.cubes);
    }
    if (c.expr) out.push_back(std::move(c));
  }
  for (const auto* s : segments_) {
    Condition c{template_expr(s->segment->sql, model_), {}, nullptr, false};
    add_cubes_of(s->segment->sql, *s->cube, c.cubes);
    out.push_back(std::move(c));
  }
  for (const auto& td : q_.time_dimensions) {
    if (!td.date_range) continue;
    const ResolvedMember* r = model_.find_member(td.dimension);
    ExprPtr e = dimension_expr(*r->dimension, model_);
    Condition c;
    c.expr = sql::and_all(
        {sql::binary(sql::BinaryOp::kGte, e,
                     sql::timestamp_literal(tz_->local_to_utc(td.date_range->from_local))),
         sql::binary(
             sql::BinaryOp::kLt, e,
             sql::timestamp_literal(tz_->local_to_utc(td.date_range->to_local_exclusive)))});
    add_cubes_of(r->dimension->sql, *r->cube, c.cubes);
    c.null_rejecting = true;
    out.push_back(std::move(c));
  }
  for (const Measure* m : measure_filter_measures_) {
    const Cube* cube = model_.find_cube(m->cube);
    for (const auto& f : m->filters) {
      Condition c{template_expr(f, model_), {}, nullptr, false};
      add_cubes_of(f, *cube, c.cubes);
      out.push_back(std::move(c));
    }
  }
  return out;
}

ExprPtr QueryPlanner::where_condition() {
  // Every measure group's subquery repeats the same WHERE; expressions are
  // immutable, so it is built once and shared.
  if (where_built_) return where_;
  std::vector<ExprPtr> terms;
  for (auto& c : where_conditions()) terms.push_back(std::move(c.expr));
  where_ = sql::and_all(std::move(terms));
  where_built_ = true;
  return where_;
}

ExprPtr QueryPlanner::having_condition(
    const std::function<ExprPtr(const Measure&)>& measure_value) {
  FilterContext ctx;
  ctx.model = &model_;
  ctx.tz = tz_.get();
  ctx.member_expr = [&](const ResolvedMember& r) -> ExprPtr {
    if (!r.measure) throw InternalError("a dimension in a measure filter");
    return measure_value(*r.measure);
  };
  std::vector<ExprPtr> terms;
  for (const auto* f : having_filters_) terms.push_back(filter_expr(*f, ctx));
  return sql::and_all(std::move(terms));
}

sql::TableRef QueryPlanner::cube_table(const Cube& c) const {
  sql::TableRef t;
  if (!c.sql_table.empty()) {
    t.kind = sql::TableRef::Kind::kTable;
    t.text = c.sql_table;
  } else {
    t.kind = sql::TableRef::Kind::kRawSql;
    t.text = c.sql;
  }
  t.alias = c.name;
  return t;
}

void QueryPlanner::add_joins(sql::Select& s, const std::vector<JoinStep>& steps) const {
  for (const auto& step : steps) {
    s.joins.push_back(
        {sql::JoinType::kLeft, cube_table(*step.to), template_expr(step.join->on, model_)});
  }
}

// --- single-source shapes

void QueryPlanner::build_dimensions_only(sql::Select& s) {
  const Cube& root = tree_->root();
  s.from = cube_table(root);
  add_joins(s, tree_->joins_from(root.name, all_cubes_));
  for (const auto& d : dim_outs_) s.items.push_back({d.expr, d.out.alias});
  s.where = where_condition();
  s.group_by = ordinals(dim_outs_.size());
}

void QueryPlanner::build_ungrouped(sql::Select& s) {
  if (!having_filters_.empty()) {
    throw UserError("an ungrouped query cannot filter on measures",
                    {.hint = "measures are not aggregated in ungrouped queries; filter on "
                             "dimensions, or drop ungrouped"});
  }
  const Cube& root = tree_->root();
  s.from = cube_table(root);
  add_joins(s, tree_->joins_from(root.name, all_cubes_));
  for (const auto& d : dim_outs_) s.items.push_back({d.expr, d.out.alias});
  MeasureRefResolver raw = [this, &raw](const Measure& m) -> ExprPtr {
    if (m.type == MeasureType::kNumber) return template_expr(m.sql, model_, &raw);
    ExprPtr in = measure_input(m, model_);
    return in ? in : sql::literal(Value::int64(1));
  };
  for (const auto& o : measure_outs_) s.items.push_back({raw(*o.resolved->measure), o.alias});
  s.where = where_condition();
}

// SELECT over one measure cube's rows: its measures aggregated per group of
// the requested dimensions (see the file comment for the fan-out shape).
// `items` get the dimensions under their aliases and then the measures.
std::shared_ptr<sql::Select> QueryPlanner::group_aggregate(const MeasureGroup& g,
                                                           bool with_having) {
  auto s = std::make_shared<sql::Select>();
  const std::string& cube = g.cube->name;
  std::set<std::string> measure_refs;
  for (const Measure* m : g.measures) {
    for (const auto& c : measure_cubes(*m, model_)) {
      if (c != cube) measure_refs.insert(c);
    }
  }
  auto context_steps = tree_->joins_from(cube, context_cubes_);
  bool multiplied = JoinTree::multiplies(context_steps);
  ExprPtr where = where_condition();
  auto aggregate_of = [this](const Measure& m) { return measure_aggregate(m, model_); };

  if (!multiplied) {
    std::set<std::string> targets = context_cubes_;
    targets.insert(measure_refs.begin(), measure_refs.end());
    s->from = cube_table(*g.cube);
    add_joins(*s, tree_->joins_from(cube, targets));
    for (const auto& d : dim_outs_) s->items.push_back({d.expr, d.out.alias});
    for (const Measure* m : g.measures) s->items.push_back({aggregate_of(*m), measure_alias_[m]});
    s->where = where;
    s->group_by = ordinals(dim_outs_.size());
    if (with_having) s->having = having_condition(aggregate_of);
    return s;
  }

  auto pks = g.cube->primary_keys();
  if (pks.empty()) {
    throw UserError(
        "cannot aggregate measures of '" + cube +
            "' by members reached through a one_to_many join: '" + cube + "' has no primary key",
        {.member = cube,
         .hint = "add primary_key: true to the dimension that identifies a row of '" + cube + "'"});
  }
  auto keys = std::make_shared<sql::Select>();
  keys->distinct = true;
  keys->from = cube_table(*g.cube);
  add_joins(*keys, context_steps);
  for (const auto& d : dim_outs_) keys->items.push_back({d.expr, d.out.alias});
  std::vector<ExprPtr> join_on;
  for (size_t i = 0; i < pks.size(); ++i) {
    std::string pk_alias = "__pk" + std::to_string(i);
    ExprPtr pk = dimension_expr(*pks[i], model_);
    keys->items.push_back({pk, pk_alias});
    join_on.push_back(sql::binary(sql::BinaryOp::kEq, sql::column("keys", pk_alias), pk));
  }
  keys->where = where;

  sql::TableRef keys_ref;
  keys_ref.kind = sql::TableRef::Kind::kSelect;
  keys_ref.select = keys;
  keys_ref.alias = "keys";
  s->from = keys_ref;
  s->joins.push_back({sql::JoinType::kInner, cube_table(*g.cube), sql::and_all(join_on)});
  add_joins(*s, tree_->joins_from(cube, measure_refs));
  for (const auto& d : dim_outs_) {
    s->items.push_back({sql::column("keys", d.out.alias), d.out.alias});
  }
  for (const Measure* m : g.measures) s->items.push_back({aggregate_of(*m), measure_alias_[m]});
  s->group_by = ordinals(dim_outs_.size());
  if (with_having) s->having = having_condition(aggregate_of);
  return s;
}

void QueryPlanner::build_single_group(sql::Select& s) {
  s = *group_aggregate(groups_[0], true);
  // Only the requested measures are output (a measure filter may have
  // placed more): keep dims and requested measures, in output order.
  std::vector<sql::SelectItem> items(s.items.begin(), s.items.begin() + dim_outs_.size());
  for (const auto& o : measure_outs_) {
    for (size_t i = dim_outs_.size(); i < s.items.size(); ++i) {
      if (s.items[i].alias == o.alias) items.push_back(s.items[i]);
    }
  }
  s.items = std::move(items);
}

void QueryPlanner::build_collapse(sql::Select& s,
                                  const std::vector<std::shared_ptr<sql::Select>>& branches_in) {
  // Every branch lists: the dimensions, then every placed measure (its own
  // value or NULL), so the branches line up column by column.
  std::vector<std::pair<const Measure*, std::string>> placed;
  for (const auto& g : groups_) {
    for (const Measure* m : g.measures) placed.push_back({m, measure_alias_[m]});
  }
  sql::TableRef u;
  u.kind = sql::TableRef::Kind::kUnionAll;
  u.alias = "merged";
  for (size_t gi = 0; gi < groups_.size(); ++gi) {
    const auto& g = groups_[gi];
    auto branch = std::make_shared<sql::Select>();
    sql::TableRef inner;
    inner.kind = sql::TableRef::Kind::kSelect;
    inner.select = branches_in[gi];
    inner.alias = "g";
    branch->from = inner;
    for (const auto& d : dim_outs_) {
      branch->items.push_back({sql::column("g", d.out.alias), d.out.alias});
    }
    for (const auto& [m, alias] : placed) {
      bool own = std::find(g.measures.begin(), g.measures.end(), m) != g.measures.end();
      branch->items.push_back(
          {own ? sql::column("g", alias) : sql::literal(Value::null_of(Type::of(TypeId::kNull))),
           alias});
    }
    u.union_all.push_back(branch);
  }
  s.from = u;
  // Each branch has at most one row per group, so max() picks that row's value.
  std::function<ExprPtr(const Measure&)> value_of;
  MeasureRefResolver resolve = [&](const Measure& m) { return value_of(m); };
  value_of = [&](const Measure& m) -> ExprPtr {
    auto it = measure_alias_.find(&m);
    bool placed_here =
        std::any_of(placed.begin(), placed.end(), [&](const auto& p) { return p.first == &m; });
    if (placed_here && it != measure_alias_.end()) {
      return sql::aggregate(sql::AggregateFn::kMax, sql::column("merged", it->second));
    }
    if (m.type == MeasureType::kNumber) return template_expr(m.sql, model_, &resolve);
    throw InternalError("measure " + m.full_name() + " was not placed");
  };
  for (const auto& d : dim_outs_) {
    s.items.push_back({sql::column("merged", d.out.alias), d.out.alias});
  }
  for (const auto& o : measure_outs_) s.items.push_back({value_of(*o.resolved->measure), o.alias});
  s.group_by = ordinals(dim_outs_.size());
  s.having = having_condition(value_of);
}

// --- order

const OutputColumn* QueryPlanner::find_output(const std::string& member) const {
  for (const auto& d : dim_outs_) {
    if (d.out.key == member) return &d.out;
  }
  for (const auto& d : dim_outs_) {
    if (d.out.member == member) return &d.out;
  }
  for (const auto& m : measure_outs_) {
    if (m.key == member) return &m;
  }
  return nullptr;
}

void QueryPlanner::apply_order(sql::Select& s) const {
  std::vector<std::pair<std::string, bool>> order;  // alias, descending
  if (q_.order_given) {
    for (const auto& o : q_.order) {
      const OutputColumn* c = find_output(o.member);
      if (!c) {
        throw UserError("cannot order by '" + o.member + "': it is not in the query",
                        {.member = o.member,
                         .json_path = "order",
                         .hint = "order by a requested measure, dimension or time dimension"});
      }
      order.push_back({c->alias, o.descending});
    }
  } else {
    // Cube's default: the first time dimension with a granularity, else the
    // first measure (largest first), else the first dimension.
    const OutputColumn* first_time = nullptr;
    for (const auto& d : dim_outs_) {
      if (d.out.granularity) {
        first_time = &d.out;
        break;
      }
    }
    if (first_time) {
      order.push_back({first_time->alias, false});
    } else if (!measure_outs_.empty()) {
      order.push_back({measure_outs_[0].alias, true});
    } else if (!dim_outs_.empty()) {
      order.push_back({dim_outs_[0].out.alias, false});
    }
  }
  for (const auto& [alias, desc] : order) s.order_by.push_back({sql::column("", alias), desc});
}

}  // namespace plan_internal

int64_t retention_boundary(const Tiering& tiers, int64_t now_utc_micros) {
  return truncate_local(now_utc_micros, Granularity::kDay) - tiers.retention_micros;
}

Plan plan_query(const SemanticQuery& query, const Model& model, const SecurityContext& security,
                const DialectLookup& dialects, const TierBoundaryLookup& boundaries,
                const PreAggregationLookup& pre_aggregations) {
  (void)security;  // access policies attach here
  plan_internal::QueryPlanner planner(query, model, dialects, boundaries, pre_aggregations);
  return planner.run();
}

}  // namespace strata
