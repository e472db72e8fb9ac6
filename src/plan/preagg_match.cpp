// Planning a query on a rollup pre-aggregation; the rules are in
// preagg_match.h.
//
// Shape of the SQL (DuckDB over the rollup's Parquet files):
//   SELECT dims, final values                 -- count, avg = sum / count, sketch estimates,
//   FROM (SELECT dims, merged leaves          --   number measures; measure filters
//         FROM read_parquet([...]) AS r       -- re-aggregation: sum of counts and sums,
//         WHERE filters GROUP BY dims) AS p   --   min of mins, lists of sketch codes
// A lambda plan is federated: frag0 is the inner SELECT over every
// partition but the newest (on the pre-aggregation source), frag1 the
// rollup's build query for the newest partition's range (on the source);
// the merge re-aggregates both and computes the final values.
#include "plan/preagg_match.h"

#include <algorithm>
#include <limits>
#include <map>
#include <mutex>
#include <set>
#include <tuple>

#include "core/error.h"
#include "plan/filter_sql.h"
#include "plan/preagg_build.h"
#include "plan/preagg_sketch.h"
#include "plan/query_planner.h"
#include "sql/dialect.h"
#include "sql/duckdb_statements.h"

namespace strata {

bool zone_fits_utc_buckets(const TimeZone& zone, Granularity g, int64_t from_utc, int64_t to_utc) {
  int64_t unit = 0;
  switch (g) {
    case Granularity::kSecond: unit = 1; break;
    case Granularity::kMinute: unit = 60; break;
    case Granularity::kHour: unit = 3600; break;
    default: return false;
  }
  if (unit == 1 || zone.is_utc()) return true;
  static std::mutex mu;
  static std::map<std::tuple<std::string, int64_t, int64_t, int64_t>, bool> cache;
  constexpr int64_t kStep = 12 * kMicrosPerHour;
  // Whole days around the range, so nearby queries share one answer.
  int64_t lo = truncate_local(from_utc, Granularity::kDay) - kMicrosPerDay;
  int64_t hi = truncate_local(to_utc, Granularity::kDay) + 2 * kMicrosPerDay;
  auto key = std::make_tuple(zone.name(), lo, hi, unit);
  {
    std::lock_guard lock(mu);
    auto it = cache.find(key);
    if (it != cache.end()) return it->second;
  }
  bool fits = true;
  for (int64_t t = lo; t < hi && fits; t += kStep) fits = zone.offset_at_utc(t) % unit == 0;
  std::lock_guard lock(mu);
  if (cache.size() > 4096) cache.clear();
  cache[key] = fits;
  return fits;
}

namespace plan_internal {

using sql::ExprPtr;

namespace {

constexpr int64_t kMinTime = std::numeric_limits<int64_t>::min();
constexpr int64_t kMaxTime = std::numeric_limits<int64_t>::max();

// Where one leaf measure lives in the rollup and in the partial rows.
struct LeafSlot {
  const Measure* leaf = nullptr;
  const RollupColumn* column = nullptr;     // kMeasure or kSketch
  const RollupColumn* avg_sum = nullptr;    // avg
  const RollupColumn* avg_count = nullptr;  // avg
  std::string partial;                      // column of the partial rows ("p0")
};

void walk_conditions(const FilterNode& f, const std::function<void(const FilterNode&)>& fn) {
  if (f.kind == FilterNode::Kind::kCondition) {
    fn(f);
    return;
  }
  for (const auto& c : f.children) walk_conditions(c, fn);
}

// Top-level (AND-ed) conditions: they hold for every row.
void top_level_conditions(const FilterNode& f, std::vector<const FilterNode*>& out) {
  if (f.kind == FilterNode::Kind::kCondition) {
    out.push_back(&f);
  } else if (f.kind == FilterNode::Kind::kAnd) {
    for (const auto& c : f.children) top_level_conditions(c, out);
  }
}

std::string read_parquet(const std::vector<const PreAggPartition*>& parts) {
  std::vector<std::string> paths;
  for (const auto* p : parts) paths.push_back(p->path);
  return sql::duckdb_read_parquet(paths);
}

bool same_steps(const std::vector<JoinStep>& a, const std::vector<JoinStep>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i].join != b[i].join || a[i].to->name != b[i].to->name ||
        a[i].from->name != b[i].from->name) {
      return false;
    }
  }
  return true;
}

}  // namespace

bool QueryPlanner::plan_on_pre_aggregation(sql::Select& s, Plan& plan) {
  if (q_.ungrouped || q_.as_of || view_ || measures_.empty() || !measure_filter_measures_.empty()) {
    return false;
  }
  struct Candidate {
    const PreAggregation* def;
    const PreAggregation* declared;
    bool lambda;
  };
  std::vector<Candidate> candidates;
  auto cubes = tree_->cubes();
  for (const Cube* c : cubes) {
    for (const auto& p : c->pre_aggregations) {
      if (p.type != PreAggregationType::kRollupLambda || !p.union_with_source_data) continue;
      auto dot = p.lambda_rollup.find('.');
      if (dot == std::string::npos) continue;
      const Cube* bc = model_.find_cube(std::string_view(p.lambda_rollup).substr(0, dot));
      const PreAggregation* batch =
          bc ? bc->find_pre_aggregation(std::string_view(p.lambda_rollup).substr(dot + 1))
             : nullptr;
      if (batch && batch->type == PreAggregationType::kRollup) {
        candidates.push_back({batch, &p, true});
      }
    }
  }
  for (const Cube* c : cubes) {
    for (const auto& p : c->pre_aggregations) {
      if (p.type == PreAggregationType::kRollup) candidates.push_back({&p, &p, false});
    }
  }
  // The first lambda that matches answers (it serves fresh rows); else the
  // rollup that matches with the fewest rows to read, the first declared
  // on a tie: a dashboard's own coarse rollup beats a finer, bigger one.
  bool found = false;
  int64_t best_rows = 0;
  for (const auto& c : candidates) {
    if (found && c.lambda) continue;
    try {
      sql::Select attempt;
      Plan tentative = plan;
      int64_t rows = 0;
      if (!try_pre_aggregation(*c.def, *c.declared, c.lambda, attempt, tentative, rows)) continue;
      if (found && rows >= best_rows) continue;
      s = std::move(attempt);
      plan = std::move(tentative);
      found = true;
      best_rows = rows;
      if (c.lambda) return true;
    } catch (const Error&) {
      // A candidate that cannot be planned (its source plan fails, say) is
      // skipped; the query falls back to the sources.
    }
  }
  return found;
}

bool QueryPlanner::try_pre_aggregation(const PreAggregation& def, const PreAggregation& declared,
                                       bool lambda, sql::Select& s, Plan& plan,
                                       int64_t& rows_read) {
  using Kind = RollupColumn::Kind;
  if (def.measures.empty()) return false;
  const std::vector<RollupColumn> columns = rollup_columns(def, model_);

  // --- measures: every leaf must be kept
  std::vector<const Measure*> wanted;
  for (const auto& o : measure_outs_) wanted.push_back(o.resolved->measure);
  for (const auto* f : having_filters_) {
    std::vector<std::string> names;
    filter_members(*f, names);
    for (const auto& n : names) {
      const ResolvedMember* r = model_.find_member(n);
      if (r && r->measure) wanted.push_back(r->measure);
    }
  }
  std::vector<LeafSlot> slots;
  std::map<const Measure*, size_t> slot_of;
  bool need_exact = false;
  for (const Measure* m : wanted) {
    if (m->type == MeasureType::kNumber && !m->sql.cubes().empty()) return false;
    std::vector<const Measure*> leaves = m->type == MeasureType::kNumber
                                             ? leaf_measures(*m, model_)
                                             : std::vector<const Measure*>{m};
    for (const Measure* leaf : leaves) {
      if (slot_of.count(leaf)) continue;
      LeafSlot slot;
      slot.leaf = leaf;
      std::string name = leaf->full_name();
      for (const auto& c : columns) {
        if (c.member != name) continue;
        if (c.kind == Kind::kMeasure || c.kind == Kind::kSketch) slot.column = &c;
        if (c.kind == Kind::kAvgSum) slot.avg_sum = &c;
        if (c.kind == Kind::kAvgCount) slot.avg_count = &c;
      }
      if (!slot.column && !(slot.avg_sum && slot.avg_count)) return false;
      if (leaf->type == MeasureType::kCountDistinct) need_exact = true;
      if (leaf->type == MeasureType::kCountDistinctApprox && lambda) return false;
      slot.partial = "p" + std::to_string(slots.size());
      slot_of[leaf] = slots.size();
      slots.push_back(slot);
    }
  }

  // --- dimensions, segments
  const std::set<std::string> rollup_dims(def.dimensions.begin(), def.dimensions.end());
  std::set<std::string> query_raw_dims;
  bool granular_at_rollup_grain = false;
  bool granular_other = false;
  for (const auto& d : dim_outs_) {
    std::string name = d.dimension->full_name();
    if (d.out.granularity) {
      if (name != def.time_dimension || !def.granularity) return false;
      if (!granularity_divides(*def.granularity, *d.out.granularity)) return false;
      (*d.out.granularity == *def.granularity ? granular_at_rollup_grain : granular_other) = true;
    } else {
      if (!rollup_dims.count(name)) return false;
      query_raw_dims.insert(name);
    }
  }
  std::set<std::string> query_segments;
  for (const auto* sg : segments_) {
    std::string name = sg->segment->full_name();
    if (std::find(def.segments.begin(), def.segments.end(), name) == def.segments.end()) {
      return false;
    }
    query_segments.insert(name);
  }

  // --- time: zones and bucket-aligned bounds
  auto rz = TimeZone::load(def.timezone);
  const bool same_zone = rz->name() == tz_->name() || (rz->is_utc() && tz_->is_utc());
  if (!same_zone && !rz->is_utc()) return false;
  bool uses_bucket = granular_at_rollup_grain || granular_other;
  auto aligned = [&](int64_t utc) {
    if (!def.granularity) return false;
    int64_t l = rz->utc_to_local(utc);
    return truncate_local(l, *def.granularity) == l;
  };
  // Every condition on the time dimension the rollup does not keep raw.
  bool filters_ok = true;
  for (const auto* f : where_filters_) {
    walk_conditions(*f, [&](const FilterNode& c) {
      const ResolvedMember* r = model_.find_member(c.member);
      if (!r || !r->dimension) {
        filters_ok = false;
        return;
      }
      std::string name = r->dimension->full_name();
      if (rollup_dims.count(name)) return;
      if (name != def.time_dimension || def.time_dimension.empty()) {
        filters_ok = false;
        return;
      }
      uses_bucket = true;
      switch (c.op) {
        case FilterOp::kSet:
        case FilterOp::kNotSet: return;
        case FilterOp::kInDateRange:
        case FilterOp::kNotInDateRange:
          filters_ok = filters_ok && c.date_range &&
                       aligned(tz_->local_to_utc(c.date_range->from_local)) &&
                       aligned(tz_->local_to_utc(c.date_range->to_local_exclusive));
          return;
        case FilterOp::kBeforeDate:
        case FilterOp::kAfterOrOnDate:
          filters_ok =
              filters_ok && c.date_range && aligned(tz_->local_to_utc(c.date_range->from_local));
          return;
        case FilterOp::kBeforeOrOnDate:
        case FilterOp::kAfterDate:
          filters_ok = filters_ok && c.date_range &&
                       aligned(tz_->local_to_utc(c.date_range->to_local_exclusive));
          return;
        default: filters_ok = false; return;
      }
    });
  }
  if (!filters_ok) return false;
  for (const auto& td : q_.time_dimensions) {
    if (!td.date_range) continue;
    if (rollup_dims.count(td.dimension)) continue;
    if (td.dimension != def.time_dimension) return false;
    uses_bucket = true;
    if (!aligned(tz_->local_to_utc(td.date_range->from_local)) ||
        !aligned(tz_->local_to_utc(td.date_range->to_local_exclusive))) {
      return false;
    }
  }

  // --- joins: the rollup's paths, and whether they fan out its cube
  const Cube* home = model_.find_cube(def.cube);
  std::set<std::string> rollup_cubes{def.cube};
  auto add_member_cubes = [&](const std::string& name) {
    const ResolvedMember* r = model_.find_member(name);
    if (!r) return;
    rollup_cubes.insert(r->cube->name);
    const SqlTemplate* t = r->dimension ? &r->dimension->sql
                           : r->segment ? &r->segment->sql
                                        : nullptr;
    if (t) {
      for (const auto& c : t->cubes()) rollup_cubes.insert(c);
    }
  };
  for (const auto& d : def.dimensions) add_member_cubes(d);
  for (const auto& sg : def.segments) add_member_cubes(sg);
  if (!def.time_dimension.empty()) add_member_cubes(def.time_dimension);
  for (const auto& slot : slots) {
    for (const auto& c : measure_cubes(*slot.leaf, model_)) rollup_cubes.insert(c);
  }
  JoinTree rollup_tree = JoinTree::shortest_paths(model_, *home, rollup_cubes);
  std::set<std::string> others = rollup_cubes;
  others.erase(def.cube);
  bool multiplied = JoinTree::multiplies(rollup_tree.joins_from(def.cube, others));
  if (tree_->root().name != def.cube) return false;
  for (const auto& c : context_cubes_) {
    if (!rollup_tree.contains(c)) return false;
    if (!same_steps(tree_->path(def.cube, c), rollup_tree.path(def.cube, c))) return false;
  }

  if (need_exact || multiplied) {
    bool exact = query_raw_dims == rollup_dims && !granular_other;
    if (def.time_dimension.empty()) {
      exact = exact && !granular_at_rollup_grain;
    } else {
      exact = exact && granular_at_rollup_grain;
    }
    for (const auto& sg : def.segments) exact = exact && query_segments.count(sg) > 0;
    if (!exact) return false;
  }

  // --- what is built
  std::shared_ptr<const BuiltPreAggregation> built = pre_aggs_(def);
  if (!built || built->partitions.empty()) return false;
  if (!same_zone && uses_bucket) {
    const auto& first = built->partitions.front();
    const auto& last = built->partitions.back();
    int64_t from = first.to_local > first.from_local ? first.from_local : now_utc_micros();
    int64_t to = last.to_local > last.from_local ? last.to_local : now_utc_micros();
    if (!def.granularity || !zone_fits_utc_buckets(*tz_, *def.granularity, from, to)) return false;
  }

  // The query's time range in UTC, from top-level conditions: picks partitions.
  int64_t lo = kMinTime, hi = kMaxTime;
  auto narrow = [&](std::optional<int64_t> from, std::optional<int64_t> to) {
    if (from) lo = std::max(lo, *from);
    if (to) hi = std::min(hi, *to);
  };
  for (const auto& td : q_.time_dimensions) {
    if (td.date_range && td.dimension == def.time_dimension) {
      narrow(tz_->local_to_utc(td.date_range->from_local),
             tz_->local_to_utc(td.date_range->to_local_exclusive));
    }
  }
  std::vector<const FilterNode*> top;
  for (const auto* f : where_filters_) top_level_conditions(*f, top);
  for (const FilterNode* c : top) {
    const ResolvedMember* r = model_.find_member(c->member);
    if (!r || !r->dimension || r->dimension->full_name() != def.time_dimension || !c->date_range) {
      continue;
    }
    int64_t from = tz_->local_to_utc(c->date_range->from_local);
    int64_t to = tz_->local_to_utc(c->date_range->to_local_exclusive);
    switch (c->op) {
      case FilterOp::kInDateRange: narrow(from, to); break;
      case FilterOp::kBeforeDate: narrow(std::nullopt, from); break;
      case FilterOp::kBeforeOrOnDate: narrow(std::nullopt, to); break;
      case FilterOp::kAfterDate: narrow(to, std::nullopt); break;
      case FilterOp::kAfterOrOnDate: narrow(from, std::nullopt); break;
      default: break;
    }
  }
  const int64_t lo_r = lo == kMinTime ? kMinTime : rz->utc_to_local(lo);
  const int64_t hi_r = hi == kMaxTime ? kMaxTime : rz->utc_to_local(hi);
  auto overlaps = [&](const PreAggPartition& p) {
    if (p.to_local <= p.from_local) return true;  // unpartitioned
    return p.to_local > lo_r && p.from_local < hi_r;
  };
  // A lambda serves the newest partition's range from the source.
  const PreAggPartition& newest = built->partitions.back();
  const bool partitioned = newest.to_local > newest.from_local;
  bool source_part = lambda && partitioned && hi_r > newest.from_local;
  if (source_part && !built->build) return false;
  std::vector<const PreAggPartition*> chosen;
  rows_read = 0;
  for (const auto& p : built->partitions) {
    if (source_part && &p == &newest) continue;
    if (overlaps(p)) {
      chosen.push_back(&p);
      rows_read += p.rows;
    }
  }
  // At the rollup's own grain (its dimensions, its time bucket in its zone,
  // every segment filtered) each rollup row is one group of the answer: the
  // rows are read as they are, without regrouping them.
  bool at_grain =
      !source_part && same_zone && query_raw_dims == rollup_dims && !granular_other &&
      (def.time_dimension.empty() ? !granular_at_rollup_grain : granular_at_rollup_grain);
  for (const auto& sg : def.segments) at_grain = at_grain && query_segments.count(sg) > 0;

  // --- SQL
  const std::string time_col = def.granularity ? rollup_column_name(def.time_dimension) + "__" +
                                                     std::string(granularity_name(*def.granularity))
                                               : "";
  auto instant_of_local = [&](ExprPtr local) -> ExprPtr {
    if (rz->is_utc()) return local;
    return sql::function("timezone", {sql::literal(Value::string(rz->name())), std::move(local)});
  };
  // The rollup (or the source's rows in its layout) as table `r`: the
  // merged leaves per query group (at grain: the rollup's rows).
  auto over_rollup = [&](sql::TableRef from, bool regroup) {
    auto l2 = std::make_shared<sql::Select>();
    l2->from = std::move(from);
    for (const auto& d : dim_outs_) {
      ExprPtr e;
      if (d.out.granularity) {
        ExprPtr col = sql::column("r", time_col);
        if (same_zone) {
          e = *d.out.granularity == *def.granularity ? col
                                                     : sql::time_trunc(*d.out.granularity, col);
        } else {
          e = local_time_expr(col, *tz_, d.out.granularity);
        }
      } else {
        ExprPtr col = sql::column("r", rollup_column_name(d.dimension->full_name()));
        e = d.dimension->type == DimensionType::kTime && !same_zone
                ? local_time_expr(col, *tz_, std::nullopt)
                : col;
      }
      l2->items.push_back({e, d.out.alias});
    }
    using sql::AggregateFn;
    for (const auto& slot : slots) {
      if (slot.avg_sum) {
        ExprPtr sum = sql::column("r", slot.avg_sum->name);
        ExprPtr count = sql::column("r", slot.avg_count->name);
        if (regroup) {
          sum = sql::aggregate(AggregateFn::kSum, sum);
          count = sql::aggregate(AggregateFn::kSum, count);
        }
        l2->items.push_back({sum, slot.partial + "_s"});
        l2->items.push_back({count, slot.partial + "_c"});
        continue;
      }
      ExprPtr col = sql::column("r", slot.column->name);
      ExprPtr merged;
      if (!regroup) {
        l2->items.push_back({col, slot.partial});
        continue;
      }
      switch (slot.leaf->type) {
        case MeasureType::kCount:
        case MeasureType::kSum: merged = sql::aggregate(AggregateFn::kSum, col); break;
        case MeasureType::kMin: merged = sql::aggregate(AggregateFn::kMin, col); break;
        case MeasureType::kMax:
        case MeasureType::kCountDistinct:  // exact grain: one row per group
          merged = sql::aggregate(AggregateFn::kMax, col);
          break;
        case MeasureType::kCountDistinctApprox:
          merged = sql::function("flatten", {sql::function("list", {col})});
          break;
        default: throw InternalError("unexpected leaf measure type");
      }
      l2->items.push_back({merged, slot.partial});
    }
    // WHERE: filters, segments, date ranges, over the rollup's columns.
    FilterContext ctx;
    ctx.model = &model_;
    ctx.tz = tz_.get();
    ctx.member_expr = [&](const ResolvedMember& r) -> ExprPtr {
      std::string name = r.dimension->full_name();
      if (rollup_dims.count(name)) {
        ExprPtr col = sql::column("r", rollup_column_name(name));
        return r.dimension->type == DimensionType::kTime ? instant_of_local(col) : col;
      }
      return instant_of_local(sql::column("r", time_col));
    };
    std::vector<ExprPtr> where;
    for (const auto* f : where_filters_) {
      if (ExprPtr e = filter_expr(*f, ctx)) where.push_back(e);
    }
    for (const auto& name : query_segments) {
      where.push_back(sql::binary(sql::BinaryOp::kEq,
                                  sql::column("r", rollup_column_name(name) + "__segment"),
                                  sql::literal(Value::boolean(true))));
    }
    for (const auto& td : q_.time_dimensions) {
      if (!td.date_range) continue;
      ExprPtr e = rollup_dims.count(td.dimension)
                      ? instant_of_local(sql::column("r", rollup_column_name(td.dimension)))
                      : instant_of_local(sql::column("r", time_col));
      where.push_back(sql::and_all(
          {sql::binary(sql::BinaryOp::kGte, e,
                       sql::timestamp_literal(tz_->local_to_utc(td.date_range->from_local))),
           sql::binary(
               sql::BinaryOp::kLt, e,
               sql::timestamp_literal(tz_->local_to_utc(td.date_range->to_local_exclusive)))}));
    }
    l2->where = sql::and_all(std::move(where));
    if (regroup) l2->group_by = ordinals(dim_outs_.size());
    return l2;
  };
  auto parquet = [&](const std::vector<const PreAggPartition*>& parts) {
    return sql::TableRef{sql::TableRef::Kind::kTable, read_parquet(parts), nullptr, {}, "r"};
  };
  // Every partition, loaded into a table of the pre-aggregation source:
  // WHERE (which holds every time condition) picks the rows the chosen
  // partitions hold.
  auto loaded = [&] {
    return sql::TableRef{sql::TableRef::Kind::kName, built->memory_table, nullptr, {}, "r"};
  };

  // The final values over the merged leaves in table `p`.
  auto finish = [&](sql::TableRef merged) {
    auto l3 = std::make_shared<sql::Select>();
    l3->from = std::move(merged);
    std::function<ExprPtr(const Measure&)> value_of;
    MeasureRefResolver resolve = [&](const Measure& m) { return value_of(m); };
    value_of = [&](const Measure& m) -> ExprPtr {
      if (m.type == MeasureType::kNumber) return template_expr(m.sql, model_, &resolve);
      const LeafSlot& slot = slots.at(slot_of.at(&m));
      ExprPtr col = sql::column("p", slot.partial);
      switch (m.type) {
        case MeasureType::kCount:
          return sql::function("COALESCE", {sql::cast(col, Type::of(TypeId::kInt64)),
                                            sql::literal(Value::int64(0))});
        case MeasureType::kAvg:
          return sql::binary(
              sql::BinaryOp::kDiv,
              sql::cast(sql::column("p", slot.partial + "_s"), Type::of(TypeId::kDouble)),
              sql::function("NULLIF", {sql::column("p", slot.partial + "_c"),
                                       sql::literal(Value::int64(0))}));
        case MeasureType::kCountDistinctApprox: return sketch_estimate(col);
        default: return col;
      }
    };
    for (const auto& d : dim_outs_) {
      l3->items.push_back({sql::column("p", d.out.alias), d.out.alias});
    }
    for (const auto& o : measure_outs_) {
      l3->items.push_back({value_of(*o.resolved->measure), o.alias});
    }
    // Measure filters: each group is one row here, so WHERE is HAVING.
    l3->where = having_condition(value_of);
    return l3;
  };
  auto sub = [](std::shared_ptr<sql::Select> select, std::string alias) {
    return sql::TableRef{sql::TableRef::Kind::kSelect, "", std::move(select), {}, std::move(alias)};
  };

  UsedPreAggregation used;
  used.name = declared.full_name();
  used.target_table = built->table;
  used.refresh_key_values = built->refresh_key_values;
  used.last_updated_utc = built->last_updated_utc;
  used.lambda = source_part;
  used.version = built->version;

  if (!source_part) {
    if (chosen.empty()) chosen.push_back(&built->partitions.front());  // filters leave no row
    s = *finish(
        sub(over_rollup(built->memory_table.empty() ? parquet(chosen) : loaded(), !at_grain), "p"));
    plan.source = built->source;
    plan.fragments.clear();
    plan.predicates.clear();
    plan.pre_aggregations = {std::move(used)};
    return true;
  }

  // Lambda: the newest partition's range from the source.
  const RollupBuild& build = *built->build;
  int64_t src_from = std::max(lo_r, newest.from_local);
  int64_t src_to = hi_r == kMaxTime ? days_from_civil(9999, 1, 1) * kMicrosPerDay : hi_r;
  Plan source_plan = plan_query(build.main_query(DateRange{src_from, src_to}), build.build_model(),
                                SecurityContext{}, dialects_, boundaries_);
  if (!source_plan.fragments.empty()) return false;  // a federated source: no lambda
  std::vector<PlanFragment> fragments;
  const sql::Dialect& duckdb = sql::dialect_named("duckdb");
  if (!chosen.empty()) {
    PlanFragment f;
    f.name = "frag0";
    f.source = built->source;
    f.sql = duckdb.render(*over_rollup(parquet(chosen), true));
    f.cube = def.cube;
    f.tier = "pre-aggregation";
    fragments.push_back(std::move(f));
  }
  PlanFragment live;
  live.name = "frag" + std::to_string(fragments.size());
  live.source = source_plan.source;
  live.sql = source_plan.sql;
  live.predicates = source_plan.predicates;
  live.cube = def.cube;
  live.tier = "source";
  // The source's rows in the rollup's layout, as table `r`.
  auto layout = std::make_shared<sql::Select>();
  layout->from = sql::TableRef{sql::TableRef::Kind::kName, live.name, nullptr, {}, "f"};
  for (const auto& c : columns) {
    if (c.kind == Kind::kSketch) continue;
    auto it = std::find_if(source_plan.columns.begin(), source_plan.columns.end(),
                           [&](const OutputColumn& o) { return o.key == c.build_key; });
    if (it == source_plan.columns.end()) return false;
    layout->items.push_back({sql::column("f", it->alias), c.name});
  }
  auto live_partial = over_rollup(sub(layout, "r"), true);
  fragments.push_back(std::move(live));

  // Merge: stack the partial rows, re-aggregate them per group.
  sql::TableRef stacked;
  stacked.kind = sql::TableRef::Kind::kUnionAll;
  stacked.alias = "u";
  if (fragments.size() == 2) {
    auto all = std::make_shared<sql::Select>();
    all->items.push_back({sql::star(), ""});
    all->from = sql::TableRef{sql::TableRef::Kind::kName, "frag0", nullptr, {}, ""};
    stacked.union_all.push_back(all);
  }
  stacked.union_all.push_back(live_partial);
  auto merged = std::make_shared<sql::Select>();
  merged->from = stacked;
  for (const auto& d : dim_outs_) {
    merged->items.push_back({sql::column("u", d.out.alias), d.out.alias});
  }
  using sql::AggregateFn;
  for (const auto& slot : slots) {
    auto again = [&](AggregateFn fn, const std::string& col) {
      merged->items.push_back({sql::aggregate(fn, sql::column("u", col)), col});
    };
    if (slot.avg_sum) {
      again(AggregateFn::kSum, slot.partial + "_s");
      again(AggregateFn::kSum, slot.partial + "_c");
      continue;
    }
    switch (slot.leaf->type) {
      case MeasureType::kCount:
      case MeasureType::kSum: again(AggregateFn::kSum, slot.partial); break;
      case MeasureType::kMin: again(AggregateFn::kMin, slot.partial); break;
      default: again(AggregateFn::kMax, slot.partial); break;
    }
  }
  merged->group_by = ordinals(dim_outs_.size());
  s = *finish(sub(merged, "p"));
  plan.source.clear();
  plan.fragments = std::move(fragments);
  plan.predicates.clear();
  plan.pre_aggregations = {std::move(used)};
  return true;
}

}  // namespace plan_internal

}  // namespace strata
