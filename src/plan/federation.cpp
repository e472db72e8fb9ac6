// Plans for queries whose cubes live in several data sources, or that read a
// tiered cube (hot rows in one source, cold rows in another).
//
// Each measure group (the measures of one cube, as in planner.cpp) is planned
// on its own:
//  - complete: every cube it needs is in one untiered source. The group's
//    whole aggregate runs there, exactly as in a single-source plan.
//  - partial: the cubes it needs are split into components, maximal sets of
//    cubes of one source connected by joins, walking out from the measure
//    cube (a tiered cube is a component of its own, read from both tiers).
//    Each component becomes a fragment: its columns, its joins, the
//    conditions that can run there. The measure cube's component also
//    computes partial aggregates, grouped by everything the merge needs
//    (dimensions, join keys, columns of conditions that span components);
//    when a one_to_many join would repeat the measure cube's rows, it sends
//    distinct rows with their primary key instead, and the merge
//    deduplicates as the single-source plan does. The merge step (DuckDB)
//    joins the fragments on the join keys each side computed, applies the
//    remaining conditions, and re-aggregates: sum of counts and sums, min of
//    mins, max of maxes, avg as sum / count, count distinct over the
//    distinct values the fragments grouped by.
// Groups are then stacked and collapsed as in the single-source plan.
//
// Conditions: one that reads only the measure cube's component is applied in
// its fragment. Others are evaluated in the merge over the member values the
// fragments return; when such a condition is NULL-rejecting (it fails on a
// row a LEFT JOIN filled with NULLs) it is also applied in its fragment, to
// send fewer rows. A dimension of a cube reached across sources is computed
// in its own source: a row with no matching row there reads NULL, even when
// the dimension's SQL would turn NULL into something else.
//
// Tiers: the hot fragment reads rows at and after the boundary, the cold
// fragment rows before it; a tier the query's date range does not reach is
// not read at all. Both fragments have the same columns and are stacked with
// UNION ALL before the merge, so partial aggregates of both tiers combine.
#include <algorithm>
#include <limits>

#include "core/error.h"
#include "plan/filter_sql.h"
#include "plan/join_keys.h"
#include "plan/query_planner.h"
#include "plan/scan_predicates.h"
#include "sql/dialect.h"

namespace strata::plan_internal {

using sql::ExprPtr;

bool QueryPlanner::needs_federation() const {
  if (sources_.size() > 1) return true;
  auto cubes = tree_->cubes();
  return std::any_of(cubes.begin(), cubes.end(),
                     [](const Cube* c) { return c->tiers.has_value(); });
}

namespace {

struct Component {
  std::string source;  // as QueryPlanner::source_of
  const Cube* root = nullptr;
  std::set<std::string> cubes;
  std::vector<JoinStep> steps;  // joins inside the component, in join order
  int parent = -1;
  std::vector<JoinKeyPair> keys;  // near: the parent's half, far: this component's half
  std::string alias;              // in the merge step
  std::vector<sql::SelectItem> items;
  std::vector<ExprPtr> where;
  std::vector<ExprPtr> aggregates;  // partial aggregates (the measure cube's component only)
  std::vector<std::string> aggregate_aliases;
  std::vector<std::string> fragments;  // names of the fragments holding its rows
};

// Adds `expr AS name` to a component once; returns the column's name.
std::string add_item(Component& c, ExprPtr expr, const std::string& name) {
  for (const auto& item : c.items) {
    if (item.alias == name) return name;
  }
  c.items.push_back({std::move(expr), name});
  return name;
}

int component_of(const std::vector<Component>& comps, const std::set<std::string>& cubes) {
  int found = -1;
  for (const auto& cube : cubes) {
    int k = -1;
    for (size_t i = 0; i < comps.size(); ++i) {
      if (comps[i].cubes.count(cube)) k = static_cast<int>(i);
    }
    if (k < 0 || (found >= 0 && found != k)) return -1;
    found = k;
  }
  return found;
}

std::string describe_sources(const std::set<std::string>& cubes, const Model& model) {
  std::string out;
  for (const auto& name : cubes) {
    const Cube* c = model.find_cube(name);
    if (!out.empty()) out += ", ";
    out += name + " (" + (c ? c->data_source : "?") + ")";
  }
  return out;
}

}  // namespace

void QueryPlanner::build_federated(sql::Select& s, Plan& plan) {
  if (q_.ungrouped) {
    throw UserError("ungrouped queries over cubes of several data sources are not supported",
                    {.hint = "aggregate the query, or query the cubes of each source separately"});
  }
  int fragment_counter = 0;
  std::map<std::string, std::string> fragment_of_comp_key;

  // The merge-side SELECT for one group (or for the dimensions when `g` is null).
  auto federate = [&](const MeasureGroup* g, const Cube& start) -> std::shared_ptr<sql::Select> {
    std::set<std::string> targets = context_cubes_;
    if (g) {
      for (const Measure* m : g->measures) {
        for (const auto& c : measure_cubes(*m, model_)) targets.insert(c);
      }
    }
    auto steps = tree_->joins_from(start.name, targets);

    // Complete: the whole group runs in one untiered source.
    bool complete = g && !start.tiers;
    for (const auto& step : steps) {
      if (step.to->tiers || source_of(*step.to) != source_of(start)) complete = false;
    }
    if (complete) {
      PlanFragment f;
      f.name = "frag" + std::to_string(fragment_counter++);
      f.source = start.data_source;
      f.sql = dialects_(f.source).render(*group_aggregate(*g, false));
      f.cube = start.name;
      std::set<std::string> cubes{start.name};
      for (const auto& step : steps) cubes.insert(step.to->name);
      for (const auto& p : plan.predicates) {
        if (cubes.count(p.cube)) f.predicates.push_back(p);
      }
      auto branch = std::make_shared<sql::Select>();
      branch->from = sql::TableRef{sql::TableRef::Kind::kName, f.name, nullptr, {}, "c0"};
      for (const auto& d : dim_outs_) {
        branch->items.push_back({sql::column("c0", d.out.alias), d.out.alias});
      }
      for (const Measure* m : g->measures) {
        branch->items.push_back({sql::column("c0", measure_alias_[m]), measure_alias_[m]});
      }
      plan.fragments.push_back(std::move(f));
      return branch;
    }

    // Partial: components walking out from the measure cube.
    std::vector<Component> comps(1);
    comps[0].source = source_of(start);
    comps[0].root = &start;
    comps[0].cubes = {start.name};
    std::map<std::string, int> comp_of{{start.name, 0}};
    for (const auto& step : steps) {
      int p = comp_of.at(step.from->name);
      if (!step.to->tiers && !comps[p].root->tiers && source_of(*step.to) == comps[p].source) {
        comps[p].steps.push_back(step);
        comps[p].cubes.insert(step.to->name);
        comp_of[step.to->name] = p;
        continue;
      }
      auto keys = split_equi_join(step.join->on, comps[p].cubes);
      if (!keys) {
        throw UserError(
            "the join between '" + step.from->name + "' and '" + step.to->name +
                "' crosses data sources, and its SQL is not an equality of their columns",
            {.member = step.from->name,
             .hint = "write the join as {CUBE}.<column> = {" + step.to->name +
                     "}.<column> (several equalities may be joined with AND)"});
      }
      Component c;
      c.source = source_of(*step.to);
      c.root = step.to;
      c.cubes = {step.to->name};
      c.parent = p;
      c.keys = std::move(*keys);
      comp_of[step.to->name] = static_cast<int>(comps.size());
      comps.push_back(std::move(c));
    }
    for (size_t i = 0; i < comps.size(); ++i) comps[i].alias = "c" + std::to_string(i);
    // Join keys: each side computes its half.
    for (size_t i = 1; i < comps.size(); ++i) {
      for (size_t j = 0; j < comps[i].keys.size(); ++j) {
        std::string name = "k" + std::to_string(i) + "_" + std::to_string(j);
        add_item(comps[comps[i].parent], template_expr(comps[i].keys[j].near, model_), name);
        add_item(comps[i], template_expr(comps[i].keys[j].far, model_), name);
      }
    }
    // Dimensions.
    std::vector<ExprPtr> merge_dims;
    for (size_t i = 0; i < dim_outs_.size(); ++i) {
      int k = component_of(comps, dim_outs_[i].cubes);
      if (k < 0) {
        throw UserError("dimension '" + dim_outs_[i].out.member +
                            "' reads cubes of several data sources: " +
                            describe_sources(dim_outs_[i].cubes, model_),
                        {.member = dim_outs_[i].out.member,
                         .hint = "a dimension's SQL may combine cubes of one data source only"});
      }
      std::string name = add_item(comps[k], dim_outs_[i].expr, "d" + std::to_string(i));
      merge_dims.push_back(sql::column(comps[k].alias, name));
    }
    // Conditions.
    std::vector<ExprPtr> merge_where;
    int member_counter = 0;
    std::map<std::string, std::string> member_column;
    for (auto& cond : where_conditions()) {
      int k = component_of(comps, cond.cubes);
      if (k == 0) {
        comps[0].where.push_back(cond.expr);
        continue;
      }
      if (k > 0 && cond.null_rejecting) comps[k].where.push_back(cond.expr);
      if (cond.filter) {
        FilterContext ctx;
        ctx.model = &model_;
        ctx.tz = tz_.get();
        ctx.member_expr = [&](const ResolvedMember& r) -> ExprPtr {
          std::set<std::string> cubes{r.cube->name};
          for (const auto& c : r.dimension->sql.cubes()) cubes.insert(c);
          int mk = component_of(comps, cubes);
          if (mk < 0) {
            throw UserError(
                "filter member '" + r.dimension->full_name() +
                    "' reads cubes of several data sources",
                {.member = r.dimension->full_name(), .json_path = cond.filter->json_path});
          }
          std::string key = r.dimension->full_name();
          auto it = member_column.find(key);
          if (it == member_column.end()) {
            std::string name = "m" + std::to_string(member_counter++);
            add_item(comps[mk], dimension_expr(*r.dimension, model_), name);
            it = member_column.emplace(key, name).first;
          }
          return sql::column(comps[mk].alias, it->second);
        };
        merge_where.push_back(filter_expr(*cond.filter, ctx));
        continue;
      }
      if (k < 0) {
        throw UserError("a segment or condition reads cubes of several data sources: " +
                            describe_sources(cond.cubes, model_),
                        {.hint = "a segment's SQL may combine cubes of one data source only"});
      }
      std::string name = add_item(comps[k], cond.expr, "s" + std::to_string(member_counter++));
      merge_where.push_back(sql::column(comps[k].alias, name));
    }

    // Measures.
    bool multiplied = g && JoinTree::multiplies(tree_->joins_from(start.name, context_cubes_));
    std::vector<const Measure*> leaves;
    if (g) {
      for (const Measure* m : g->measures) {
        if (m->type == MeasureType::kNumber && !m->sql.cubes().empty()) {
          throw UserError("number measure '" + m->full_name() +
                              "' uses its cube's SQL, which cannot be combined across data sources",
                          {.member = m->full_name(),
                           .hint = "define it from other measures only ({count}, {total})"});
        }
        for (const Measure* leaf : leaf_measures(*m, model_)) {
          if (std::find(leaves.begin(), leaves.end(), leaf) == leaves.end()) leaves.push_back(leaf);
        }
      }
    }
    std::map<const Measure*, ExprPtr> merged;  // leaf -> its value in the merge
    std::vector<std::string> pk_columns;
    std::map<const Measure*, std::string> input_column;
    Component& fact = comps[0];
    for (size_t li = 0; li < leaves.size(); ++li) {
      const Measure& L = *leaves[li];
      std::string base = "p" + std::to_string(li);
      ExprPtr in = measure_input(L, model_);
      if (multiplied) {
        if (in) input_column[&L] = add_item(fact, in, "in" + std::to_string(li));
        continue;
      }
      auto partial = [&](sql::AggregateFn fn, ExprPtr arg, const std::string& name) {
        fact.aggregates.push_back(sql::aggregate(fn, std::move(arg)));
        fact.aggregate_aliases.push_back(name);
        return sql::column(fact.alias, name);
      };
      using sql::AggregateFn;
      switch (L.type) {
        case MeasureType::kCount:
          // COALESCE: with no partial rows at all, a count is 0, not NULL.
          merged[&L] = sql::function(
              "COALESCE",
              {sql::cast(sql::aggregate(AggregateFn::kSum, partial(AggregateFn::kCount, in, base)),
                         Type::of(TypeId::kInt64)),
               sql::literal(Value::int64(0))});
          break;
        case MeasureType::kSum:
          merged[&L] = sql::aggregate(AggregateFn::kSum, partial(AggregateFn::kSum, in, base));
          break;
        case MeasureType::kMin:
          merged[&L] = sql::aggregate(AggregateFn::kMin, partial(AggregateFn::kMin, in, base));
          break;
        case MeasureType::kMax:
          merged[&L] = sql::aggregate(AggregateFn::kMax, partial(AggregateFn::kMax, in, base));
          break;
        case MeasureType::kAvg: {
          ExprPtr sum = partial(AggregateFn::kSum, in, base + "_sum");
          ExprPtr count = partial(AggregateFn::kCount, in, base + "_count");
          merged[&L] = sql::binary(
              sql::BinaryOp::kDiv,
              sql::cast(sql::aggregate(AggregateFn::kSum, sum), Type::of(TypeId::kDouble)),
              sql::function("NULLIF", {sql::aggregate(AggregateFn::kSum, count),
                                       sql::literal(Value::int64(0))}));
          break;
        }
        case MeasureType::kCountDistinct:
        case MeasureType::kCountDistinctApprox: {
          // Distinct counts do not add up: the fragment groups by the value
          // and the merge counts the distinct values it received.
          std::string name = add_item(fact, in, base + "_value");
          merged[&L] = sql::aggregate(AggregateFn::kCountDistinct, sql::column(fact.alias, name));
          break;
        }
        case MeasureType::kNumber: throw InternalError("a number measure as a leaf");
      }
    }
    if (multiplied) {
      auto pks = start.primary_keys();
      if (pks.empty()) {
        throw UserError("cannot aggregate measures of '" + start.name +
                            "' by members reached through a one_to_many join: it has no primary "
                            "key",
                        {.member = start.name,
                         .hint = "add primary_key: true to the dimension that identifies a row"});
      }
      for (size_t i = 0; i < pks.size(); ++i) {
        pk_columns.push_back(
            add_item(fact, dimension_expr(*pks[i], model_), "pk" + std::to_string(i)));
      }
    }

    // Fragments: one per component, two for a tiered component.
    for (auto& c : comps) {
      auto fragment_for = [&](const TierTable* tier, ExprPtr tier_condition,
                              const std::string& tier_name, std::optional<ScanPredicate> extra) {
        auto f = std::make_shared<sql::Select>();
        sql::TableRef from = cube_table(*c.root);
        std::string source = c.root->data_source;
        if (tier) {
          from.kind =
              tier->sql_table.empty() ? sql::TableRef::Kind::kRawSql : sql::TableRef::Kind::kTable;
          from.text = tier->sql_table.empty() ? tier->sql : tier->sql_table;
          source = tier->data_source;
        }
        f->from = from;
        add_joins(*f, c.steps);
        for (const auto& item : c.items) f->items.push_back(item);
        std::vector<ExprPtr> where = c.where;
        if (tier_condition) where.push_back(tier_condition);
        f->where = sql::and_all(std::move(where));
        bool aggregated = &c == &comps[0] && g && !multiplied;
        if (aggregated) {
          f->group_by = ordinals(c.items.size());
          for (size_t i = 0; i < c.aggregates.size(); ++i) {
            f->items.push_back({c.aggregates[i], c.aggregate_aliases[i]});
          }
        } else {
          f->distinct = true;
        }
        PlanFragment pf;
        pf.name = "frag" + std::to_string(fragment_counter++);
        pf.source = source;
        pf.sql = dialects_(source).render(*f);
        pf.cube = c.root->name;
        pf.tier = tier_name;
        for (auto p : plan.predicates) {
          if (!c.cubes.count(p.cube)) continue;
          if (tier && p.cube == c.root->name) p.table = tier->sql_table;
          if (!p.table.empty()) pf.predicates.push_back(std::move(p));
        }
        if (extra) pf.predicates.push_back(std::move(*extra));
        c.fragments.push_back(pf.name);
        plan.fragments.push_back(std::move(pf));
      };
      if (!c.root->tiers) {
        fragment_for(nullptr, nullptr, "", std::nullopt);
        continue;
      }
      const Tiering& t = *c.root->tiers;
      int64_t boundary = boundaries_ ? boundaries_(*c.root)
                         : t.watermark_sql.empty()
                             ? retention_boundary(t, now_utc_micros())
                             : throw InternalError("no boundary lookup for watermark tiers");
      const Dimension* time_dim = c.root->find_dimension(t.time_dimension);
      ExprPtr time = dimension_expr(*time_dim, model_);
      // The part of time the query reads from this cube, in UTC: [lo, hi).
      int64_t lo = std::numeric_limits<int64_t>::min();
      int64_t hi = std::numeric_limits<int64_t>::max();
      for (const auto& p : plan.predicates) {
        if (p.cube != c.root->name || p.column.empty() || p.values.empty()) continue;
        const ResolvedMember* r = model_.find_member(c.root->name + "." + t.time_dimension);
        if (!r || !r->dimension) continue;
        if (p.values[0].type.id != TypeId::kTimestamp) continue;
        // Only predicates on the tier's own time column narrow the tiers.
        if (p.column != plain_column_name(*time_dim, model_)) continue;
        int64_t v = p.values[0].i;
        if (p.op == ScanPredicate::Op::kGte || p.op == ScanPredicate::Op::kGt) lo = std::max(lo, v);
        if (p.op == ScanPredicate::Op::kLt) hi = std::min(hi, v);
        if (p.op == ScanPredicate::Op::kLte) hi = std::min(hi, v + 1);
      }
      bool read_hot = hi > boundary;
      bool read_cold = lo < boundary;
      if (!read_hot && !read_cold) read_hot = true;  // an empty range: one tier gives the schema
      std::string column = plain_column_name(*time_dim, model_);
      auto bound = [&](ScanPredicate::Op op) -> std::optional<ScanPredicate> {
        if (column.empty()) return std::nullopt;
        return ScanPredicate{
            "", column, op, {Value::temporal(TypeId::kTimestamp, boundary)}, c.root->name};
      };
      if (read_hot) {
        auto extra = bound(ScanPredicate::Op::kGte);
        if (extra) extra->table = t.hot.sql_table;
        fragment_for(&t.hot,
                     sql::binary(sql::BinaryOp::kGte, time, sql::timestamp_literal(boundary)),
                     "hot", extra);
      }
      if (read_cold) {
        auto extra = bound(ScanPredicate::Op::kLt);
        if (extra) extra->table = t.cold.sql_table;
        fragment_for(&t.cold,
                     sql::binary(sql::BinaryOp::kLt, time, sql::timestamp_literal(boundary)),
                     "cold", extra);
      }
    }

    // The merge: components joined on their keys.
    auto table_of = [&](const Component& c) {
      sql::TableRef t;
      if (c.fragments.size() == 1) {
        t = sql::TableRef{sql::TableRef::Kind::kName, c.fragments[0], nullptr, {}, c.alias};
      } else {
        t.kind = sql::TableRef::Kind::kUnionAll;
        t.alias = c.alias;
        for (const auto& name : c.fragments) {
          auto all = std::make_shared<sql::Select>();
          all->items.push_back({sql::star(), ""});
          all->from = sql::TableRef{sql::TableRef::Kind::kName, name, nullptr, {}, ""};
          t.union_all.push_back(all);
        }
      }
      return t;
    };
    auto join_all = [&](sql::Select& m) {
      m.from = table_of(comps[0]);
      for (size_t i = 1; i < comps.size(); ++i) {
        std::vector<ExprPtr> on;
        for (size_t j = 0; j < comps[i].keys.size(); ++j) {
          std::string name = "k" + std::to_string(i) + "_" + std::to_string(j);
          on.push_back(sql::binary(sql::BinaryOp::kEq,
                                   sql::column(comps[comps[i].parent].alias, name),
                                   sql::column(comps[i].alias, name)));
        }
        m.joins.push_back({sql::JoinType::kLeft, table_of(comps[i]), sql::and_all(std::move(on))});
      }
      m.where = sql::and_all(merge_where);
    };

    auto branch = std::make_shared<sql::Select>();
    if (!g) {
      join_all(*branch);
      for (size_t i = 0; i < dim_outs_.size(); ++i) {
        branch->items.push_back({merge_dims[i], dim_outs_[i].out.alias});
      }
      branch->group_by = ordinals(dim_outs_.size());
      return branch;
    }
    MeasureRefResolver resolve;
    std::function<ExprPtr(const Measure&)> value_of = [&](const Measure& m) -> ExprPtr {
      if (m.type == MeasureType::kNumber) return template_expr(m.sql, model_, &resolve);
      return merged.at(&m);
    };
    resolve = [&](const Measure& m) { return value_of(m); };
    if (!multiplied) {
      join_all(*branch);
      for (size_t i = 0; i < dim_outs_.size(); ++i) {
        branch->items.push_back({merge_dims[i], dim_outs_[i].out.alias});
      }
      for (const Measure* m : g->measures)
        branch->items.push_back({value_of(*m), measure_alias_[m]});
      branch->group_by = ordinals(dim_outs_.size());
      return branch;
    }
    // Deduplicate by the measure cube's primary key, as the single-source plan does.
    auto keys = std::make_shared<sql::Select>();
    keys->distinct = true;
    join_all(*keys);
    for (size_t i = 0; i < dim_outs_.size(); ++i) {
      keys->items.push_back({merge_dims[i], dim_outs_[i].out.alias});
    }
    for (const auto& pk : pk_columns) keys->items.push_back({sql::column(fact.alias, pk), pk});
    for (const auto& [leaf, column] : input_column) {
      keys->items.push_back({sql::column(fact.alias, column), column});
    }
    branch->from = sql::TableRef{sql::TableRef::Kind::kSelect, "", keys, {}, "keys"};
    for (const auto& d : dim_outs_) {
      branch->items.push_back({sql::column("keys", d.out.alias), d.out.alias});
    }
    for (const Measure* leaf : leaves) {
      auto it = input_column.find(leaf);
      ExprPtr in = it == input_column.end() ? nullptr : sql::column("keys", it->second);
      using sql::AggregateFn;
      AggregateFn fn = AggregateFn::kCount;
      switch (leaf->type) {
        case MeasureType::kCount: fn = AggregateFn::kCount; break;
        case MeasureType::kCountDistinct: fn = AggregateFn::kCountDistinct; break;
        case MeasureType::kCountDistinctApprox: fn = AggregateFn::kApproxCountDistinct; break;
        case MeasureType::kSum: fn = AggregateFn::kSum; break;
        case MeasureType::kAvg: fn = AggregateFn::kAvg; break;
        case MeasureType::kMin: fn = AggregateFn::kMin; break;
        case MeasureType::kMax: fn = AggregateFn::kMax; break;
        case MeasureType::kNumber: throw InternalError("a number measure as a leaf");
      }
      merged[leaf] = sql::aggregate(fn, in);
    }
    for (const Measure* m : g->measures) branch->items.push_back({value_of(*m), measure_alias_[m]});
    branch->group_by = ordinals(dim_outs_.size());
    return branch;
  };

  if (groups_.empty()) {
    s = *federate(nullptr, tree_->root());
    return;
  }
  std::vector<std::shared_ptr<sql::Select>> branches;
  for (const auto& g : groups_) branches.push_back(federate(&g, *g.cube));
  build_collapse(s, branches);
}

}  // namespace strata::plan_internal
