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
#include <algorithm>
#include <map>
#include <set>

#include "core/error.h"
#include "plan/filter_sql.h"
#include "plan/join_tree.h"
#include "plan/member_sql.h"
#include "plan/plan.h"
#include "plan/scan_predicates.h"
#include "sql/dialect.h"

namespace strata {

namespace {

using sql::ExprPtr;

struct DimOut {
  OutputColumn out;
  const Dimension* dimension = nullptr;
  ExprPtr expr;  // the output expression, over the cubes' aliases
};

struct MeasureGroup {
  const Cube* cube = nullptr;
  std::vector<const Measure*> measures;  // computed inside this cube's aggregate
};

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

sql::TableRef cube_table(const Cube& c) {
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

std::vector<ExprPtr> ordinals(size_t n) {
  std::vector<ExprPtr> out;
  for (size_t i = 1; i <= n; ++i)
    out.push_back(sql::literal(Value::int64(static_cast<int64_t>(i))));
  return out;
}

class Planner {
 public:
  Planner(const SemanticQuery& q, const Model& model) : q_(q), model_(model) {}

  Plan run(const DialectLookup& dialects) {
    tz_ = TimeZone::load(q_.timezone);
    resolve_members();
    classify_filters();
    build_join_tree();
    build_dimensions();
    place_measures();

    auto select = std::make_shared<sql::Select>();
    if (q_.ungrouped) {
      build_ungrouped(*select);
    } else if (groups_.empty()) {
      build_dimensions_only(*select);
    } else if (groups_.size() == 1 && outer_measures_.empty()) {
      build_single_group(*select);
    } else {
      build_multi_group(*select);
    }

    Plan plan;
    plan.source = source_;
    plan.columns = output_columns();
    plan.limit = q_.limit;
    plan.offset = q_.offset;
    plan.predicates = extract_scan_predicates(q_, model_, *tz_);
    plan.as_of = q_.as_of;
    const sql::Dialect& dialect = dialects(source_);
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

 private:
  const SemanticQuery& q_;
  const Model& model_;
  std::shared_ptr<const TimeZone> tz_;

  std::vector<const ResolvedMember*> measures_;  // requested, in order
  std::vector<std::pair<const ResolvedMember*, std::optional<Granularity>>> dims_;
  std::vector<std::string> dim_keys_;  // response key per dims_ entry
  std::vector<const ResolvedMember*> segments_;
  std::vector<const FilterNode*> where_filters_;
  std::vector<const FilterNode*> having_filters_;
  std::vector<const Measure*> measure_filter_measures_;  // measureFilter: their own filters apply
  std::set<std::string> context_cubes_;  // cubes dimensions, filters and segments need
  std::set<std::string> all_cubes_;
  const View* view_ = nullptr;
  std::string source_;
  std::optional<JoinTree> tree_;

  std::vector<DimOut> dim_outs_;
  std::set<std::string> used_aliases_;
  std::vector<MeasureGroup> groups_;
  std::vector<const Measure*> outer_measures_;  // number measures over several cubes
  std::map<const Measure*, std::string> measure_alias_;
  std::vector<OutputColumn> measure_outs_;

  const ResolvedMember& member(const std::string& name, const std::string& path) const {
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

  void note_view(const ResolvedMember& r, const std::string& name) {
    const View* v = r.view;
    static const View kNoView;
    const View* key = v ? v : &kNoView;
    if (!first_view_set_) {
      first_view_set_ = true;
      first_view_ = key;
    } else if (first_view_ != key) {
      throw UserError("the query mixes members of different views, or of a view and cubes",
                      {.member = name,
                       .hint = "query one view's members at a time (a view fixes the join "
                               "paths), or only cubes' members"});
    }
    view_ = v;
  }
  bool first_view_set_ = false;
  const View* first_view_ = nullptr;

  void add_cubes_of(const SqlTemplate& t, const Cube& owner, std::set<std::string>& into) {
    into.insert(owner.name);
    for (const auto& c : t.cubes()) into.insert(c);
  }

  void resolve_members() {
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
  void classify_filters() {
    std::vector<const FilterNode*> pending;
    for (const auto& f : q_.filters) pending.push_back(&f);
    while (!pending.empty()) {
      const FilterNode* f = pending.front();
      pending.erase(pending.begin());
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

  void collect_measure_filters(const FilterNode& f) {
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

  void build_join_tree() {
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
    // One data source per query (federation across sources is planned separately).
    for (const auto& name : all_cubes_) {
      const Cube* c = model_.find_cube(name);
      if (!c) throw InternalError("cube '" + name + "' vanished from the model");
      if (source_.empty()) {
        source_ = c->data_source;
      } else if (source_ != c->data_source) {
        throw UserError("the query needs cubes of two data sources ('" + source_ + "' and '" +
                            c->data_source + "')",
                        {.member = name, .hint = "query members of one data source at a time"});
      }
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
      return;
    }
    const Cube* root = nullptr;
    if (!measures_.empty()) {
      root = measures_[0]->cube;
    } else if (!dims_.empty()) {
      root = dims_[0].first->cube;
    } else {
      root = model_.find_cube(*all_cubes_.begin());
    }
    tree_ = JoinTree::shortest_paths(model_, *root, all_cubes_);
  }

  void build_dimensions() {
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
      ExprPtr e = dimension_expr(*r->dimension, model_);
      if (r->dimension->type == DimensionType::kTime) e = local_time_expr(e, *tz_, granularity);
      d.expr = e;
      dim_outs_.push_back(std::move(d));
    }
  }

  // A number measure is computed inside its cube's aggregate when every
  // measure it is built from belongs to that cube; otherwise after the merge.
  bool is_local(const Measure& m) const {
    for (const Measure* leaf : leaf_measures(m, model_)) {
      if (leaf->cube != m.cube) return false;
    }
    return true;
  }

  void place(const Measure& m) {
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

  void place_measures() {
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

  std::vector<OutputColumn> output_columns() const {
    std::vector<OutputColumn> out;
    for (const auto& d : dim_outs_) out.push_back(d.out);
    for (const auto& m : measure_outs_) out.push_back(m);
    return out;
  }

  // --- pieces shared by every shape

  // WHERE: dimension filters, segments, time dimension date ranges, and the
  // own filters of measures named in measureFilter.
  ExprPtr where_condition() {
    FilterContext ctx;
    ctx.model = &model_;
    ctx.tz = tz_.get();
    ctx.member_expr = [this](const ResolvedMember& r) -> ExprPtr {
      return dimension_expr(*r.dimension, model_);
    };
    std::vector<ExprPtr> terms;
    for (const auto* f : where_filters_) terms.push_back(filter_expr(*f, ctx));
    for (const auto* s : segments_) terms.push_back(template_expr(s->segment->sql, model_));
    for (const auto& td : q_.time_dimensions) {
      if (!td.date_range) continue;
      const ResolvedMember* r = model_.find_member(td.dimension);
      ExprPtr e = dimension_expr(*r->dimension, model_);
      terms.push_back(
          sql::binary(sql::BinaryOp::kGte, e,
                      sql::timestamp_literal(tz_->local_to_utc(td.date_range->from_local))));
      terms.push_back(sql::binary(
          sql::BinaryOp::kLt, e,
          sql::timestamp_literal(tz_->local_to_utc(td.date_range->to_local_exclusive))));
    }
    for (const Measure* m : measure_filter_measures_) {
      for (const auto& f : m->filters) terms.push_back(template_expr(f, model_));
    }
    return sql::and_all(std::move(terms));
  }

  ExprPtr having_condition(const std::function<ExprPtr(const Measure&)>& measure_value) {
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

  void add_joins(sql::Select& s, const std::vector<JoinStep>& steps) {
    for (const auto& step : steps) {
      s.joins.push_back(
          {sql::JoinType::kLeft, cube_table(*step.to), template_expr(step.join->on, model_)});
    }
  }

  // --- shapes

  void build_dimensions_only(sql::Select& s) {
    const Cube& root = tree_->root();
    s.from = cube_table(root);
    add_joins(s, tree_->joins_from(root.name, all_cubes_));
    for (const auto& d : dim_outs_) s.items.push_back({d.expr, d.out.alias});
    s.where = where_condition();
    s.group_by = ordinals(dim_outs_.size());
  }

  void build_ungrouped(sql::Select& s) {
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
  // `items` get the dimensions under their aliases and then `measures`.
  std::shared_ptr<sql::Select> group_aggregate(const MeasureGroup& g, bool with_having) {
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
           .hint =
               "add primary_key: true to the dimension that identifies a row of '" + cube + "'"});
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

  void build_single_group(sql::Select& s) {
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

  void build_multi_group(sql::Select& s) {
    // Every branch lists: the dimensions, then every placed measure (its own
    // value or NULL), so the branches line up column by column.
    std::vector<std::pair<const Measure*, std::string>> placed;
    for (const auto& g : groups_) {
      for (const Measure* m : g.measures) placed.push_back({m, measure_alias_[m]});
    }
    sql::TableRef u;
    u.kind = sql::TableRef::Kind::kUnionAll;
    u.alias = "merged";
    for (const auto& g : groups_) {
      auto agg = group_aggregate(g, false);
      auto branch = std::make_shared<sql::Select>();
      sql::TableRef inner;
      inner.kind = sql::TableRef::Kind::kSelect;
      inner.select = agg;
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
    for (const auto& o : measure_outs_)
      s.items.push_back({value_of(*o.resolved->measure), o.alias});
    s.group_by = ordinals(dim_outs_.size());
    s.having = having_condition(value_of);
  }

  // --- order

  const OutputColumn* find_output(const std::string& member) const {
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

  void apply_order(sql::Select& s) const {
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
};

}  // namespace

Plan plan_query(const SemanticQuery& query, const Model& model, const SecurityContext& security,
                const DialectLookup& dialects) {
  (void)security;  // access policies attach here
  Planner planner(query, model);
  return planner.run(dialects);
}

}  // namespace strata
