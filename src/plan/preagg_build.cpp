#include "plan/preagg_build.h"

#include <cstdio>
#include <limits>
#include <set>

#include "core/error.h"
#include "plan/member_sql.h"
#include "plan/plan.h"
#include "plan/preagg_sketch.h"
#include "sql/dialect.h"

namespace strata {

namespace {

constexpr const char* kAvgSum = "__avg_sum__";
constexpr const char* kAvgCount = "__avg_count__";
constexpr const char* kSketchValue = "__hll_value__";
constexpr const char* kSegment = "__segment__";
constexpr const char* kRows = "__rows";
constexpr const char* kTimeMin = "__time_min";
constexpr const char* kTimeMax = "__time_max";
// Large enough for any rollup, small enough that limit + 1 does not overflow.
constexpr int64_t kNoLimit = std::numeric_limits<int64_t>::max() / 2;

const ResolvedMember& resolved(const Model& model, const std::string& name) {
  const ResolvedMember* r = model.find_member(name);
  if (!r) throw InternalError("pre-aggregation member '" + name + "' is not in the model");
  return *r;
}

// Leaf measures of the rollup, in first-seen order.
std::vector<const Measure*> leaves_of(const PreAggregation& p, const Model& model) {
  std::vector<const Measure*> out;
  std::set<const Measure*> seen;
  for (const auto& name : p.measures) {
    const ResolvedMember& r = resolved(model, name);
    if (!r.measure) throw InternalError("'" + name + "' is not a measure");
    for (const Measure* leaf : r.measure->type == MeasureType::kNumber
                                   ? leaf_measures(*r.measure, model)
                                   : std::vector<const Measure*>{r.measure}) {
      if (seen.insert(leaf).second) out.push_back(leaf);
    }
  }
  return out;
}

std::string segment_dimension_name(const std::string& segment_full_name) {
  return std::string(kSegment) + rollup_column_name(segment_full_name);
}

// CASE WHEN filters THEN sql END, as a template (what measure_input computes).
SqlTemplate measure_value_template(const Measure& m) {
  SqlTemplate value = m.sql;
  if (value.empty()) value.parts.push_back({SqlTemplate::Part::Kind::kText, "1"});
  if (m.filters.empty()) return value;
  SqlTemplate t;
  t.parts.push_back({SqlTemplate::Part::Kind::kText, "CASE WHEN "});
  for (size_t i = 0; i < m.filters.size(); ++i) {
    t.parts.push_back({SqlTemplate::Part::Kind::kText, i ? " AND (" : "("});
    for (const auto& part : m.filters[i].parts) t.parts.push_back(part);
    t.parts.push_back({SqlTemplate::Part::Kind::kText, ")"});
  }
  t.parts.push_back({SqlTemplate::Part::Kind::kText, " THEN ("});
  for (const auto& part : value.parts) t.parts.push_back(part);
  t.parts.push_back({SqlTemplate::Part::Kind::kText, ") END"});
  return t;
}

}  // namespace

std::string rollup_column_name(const std::string& member) {
  std::string out;
  out.reserve(member.size() + 2);
  for (char c : member) {
    if (c == '.') {
      out += "__";
    } else {
      out += c;
    }
  }
  return out;
}

std::string fingerprint_hex(const std::string& text) {
  uint64_t h = 14695981039346656037ULL;
  for (unsigned char c : text) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

std::vector<RollupColumn> rollup_columns(const PreAggregation& p, const Model& model) {
  using Kind = RollupColumn::Kind;
  std::vector<RollupColumn> out;
  for (const auto& d : p.dimensions) out.push_back({Kind::kDimension, rollup_column_name(d), d, d});
  for (const auto& s : p.segments) {
    const ResolvedMember& r = resolved(model, s);
    out.push_back({Kind::kSegment, rollup_column_name(s) + "__segment", s,
                   r.cube->name + "." + segment_dimension_name(s)});
  }
  if (!p.time_dimension.empty() && p.granularity) {
    std::string g(granularity_name(*p.granularity));
    out.push_back({Kind::kTime, rollup_column_name(p.time_dimension) + "__" + g, p.time_dimension,
                   p.time_dimension + "." + g});
  }
  for (const Measure* m : leaves_of(p, model)) {
    std::string name = rollup_column_name(m->full_name());
    switch (m->type) {
      case MeasureType::kAvg:
        out.push_back(
            {Kind::kAvgSum, name + "__sum", m->full_name(), m->cube + "." + kAvgSum + m->name});
        out.push_back({Kind::kAvgCount, name + "__count", m->full_name(),
                       m->cube + "." + kAvgCount + m->name});
        break;
      case MeasureType::kCountDistinctApprox:
        out.push_back({Kind::kSketch, name + "__hll", m->full_name(),
                       m->cube + "." + kSketchValue + m->name});
        break;
      default: out.push_back({Kind::kMeasure, name, m->full_name(), m->full_name()}); break;
    }
  }
  return out;
}

RollupBuild::RollupBuild(std::shared_ptr<const Model> model, const PreAggregation& p)
    : model_(std::move(model)), def_(p) {
  if (p.type != PreAggregationType::kRollup) {
    throw UserError("pre-aggregation " + p.full_name() + " is not a rollup",
                    {.member = p.full_name()});
  }
  if (p.measures.empty()) {
    throw UserError("rollup " + p.full_name() + " has no measures",
                    {.member = p.full_name(), .hint = "strata builds rollups with measures"});
  }
  columns_ = rollup_columns(p, *model_);

  // The build model: the model's cubes plus synthetic members.
  std::vector<Cube> cubes = model_->cubes();
  auto cube_named = [&](const std::string& name) -> Cube& {
    for (auto& c : cubes) {
      if (c.name == name) return c;
    }
    throw InternalError("cube '" + name + "' is not in the model");
  };
  Cube& home = cube_named(p.cube);
  auto add_measure = [&](Cube& c, std::string name, MeasureType type, SqlTemplate sql,
                         std::vector<SqlTemplate> filters) {
    Measure m;
    m.name = std::move(name);
    m.cube = c.name;
    m.type = type;
    m.sql = std::move(sql);
    m.filters = std::move(filters);
    m.shown = false;
    c.measures.push_back(std::move(m));
  };
  auto add_dimension = [&](Cube& c, std::string name, DimensionType type, SqlTemplate sql) {
    Dimension d;
    d.name = std::move(name);
    d.cube = c.name;
    d.type = type;
    d.sql = std::move(sql);
    d.shown = false;
    c.dimensions.push_back(std::move(d));
  };
  add_measure(home, kRows, MeasureType::kCount, {}, {});
  for (const auto& col : columns_) {
    const ResolvedMember& r = resolved(*model_, col.member);
    switch (col.kind) {
      case RollupColumn::Kind::kAvgSum:
        add_measure(home, kAvgSum + r.measure->name, MeasureType::kSum, r.measure->sql,
                    r.measure->filters);
        break;
      case RollupColumn::Kind::kAvgCount:
        add_measure(home, kAvgCount + r.measure->name, MeasureType::kCount, r.measure->sql,
                    r.measure->filters);
        break;
      case RollupColumn::Kind::kSketch:
        add_dimension(home, kSketchValue + r.measure->name, DimensionType::kString,
                      measure_value_template(*r.measure));
        break;
      case RollupColumn::Kind::kSegment:
        add_dimension(cube_named(r.cube->name), segment_dimension_name(col.member),
                      DimensionType::kBoolean, r.segment->sql);
        break;
      default: break;
    }
  }
  if (!p.time_dimension.empty()) {
    const ResolvedMember& t = resolved(*model_, p.time_dimension);
    add_measure(home, kTimeMin, MeasureType::kMin, t.dimension->sql, {});
    add_measure(home, kTimeMax, MeasureType::kMax, t.dimension->sql, {});
  }
  build_model_ = std::make_unique<Model>(std::move(cubes), std::vector<View>{});
  build_model_->set_version(model_->version());

  // Fingerprint: the definition and the SQL the build runs (tier boundaries
  // pinned, so it does not move with the clock).
  std::string text = std::string(pre_aggregation_type_name(p.type)) + "|" + p.timezone + "|";
  if (p.granularity) text += std::string(granularity_name(*p.granularity));
  text += "|";
  if (p.partition_granularity) text += std::string(granularity_name(*p.partition_granularity));
  for (const auto& col : columns_) text += "|" + col.name;
  DialectLookup duckdb = [](std::string_view) -> const sql::Dialect& {
    return sql::dialect_named("duckdb");
  };
  TierBoundaryLookup pinned = [](const Cube&) -> int64_t { return 0; };
  text += "|" + plan_query(main_query(std::nullopt), *build_model_, {}, duckdb, pinned).sql;
  for (const auto& q : sketch_queries(std::nullopt)) {
    text += "|" + plan_query(q, *build_model_, {}, duckdb, pinned).sql;
  }
  fingerprint_ = fingerprint_hex(text);
}

SemanticQuery RollupBuild::base_query(std::optional<DateRange> range) const {
  SemanticQuery q;
  q.timezone = def_.timezone;
  q.limit = kNoLimit;
  q.limit_given = true;
  q.order_given = true;  // no ORDER BY
  for (const auto& col : columns_) {
    if (col.kind == RollupColumn::Kind::kDimension || col.kind == RollupColumn::Kind::kSegment) {
      q.dimensions.push_back(col.build_key);
    }
  }
  if (!def_.time_dimension.empty()) {
    TimeDimensionQuery td;
    td.dimension = def_.time_dimension;
    td.granularity = def_.granularity;
    td.date_range = range;
    q.time_dimensions.push_back(std::move(td));
  }
  return q;
}

SemanticQuery RollupBuild::main_query(std::optional<DateRange> range) const {
  SemanticQuery q = base_query(range);
  for (const auto& col : columns_) {
    switch (col.kind) {
      case RollupColumn::Kind::kMeasure:
      case RollupColumn::Kind::kAvgSum:
      case RollupColumn::Kind::kAvgCount: q.measures.push_back(col.build_key); break;
      default: break;
    }
  }
  // Only sketches: count rows so the query still groups the rollup cube's rows.
  if (q.measures.empty()) q.measures.push_back(def_.cube + "." + kRows);
  return q;
}

std::vector<SemanticQuery> RollupBuild::sketch_queries(std::optional<DateRange> range) const {
  std::vector<SemanticQuery> out;
  for (const auto& col : columns_) {
    if (col.kind != RollupColumn::Kind::kSketch) continue;
    SemanticQuery q = base_query(range);
    q.measures.push_back(def_.cube + "." + kRows);
    q.dimensions.push_back(col.build_key);
    out.push_back(std::move(q));
  }
  return out;
}

SemanticQuery RollupBuild::time_range_query() const {
  if (def_.time_dimension.empty()) {
    throw InternalError("rollup " + def_.full_name() + " has no time dimension");
  }
  SemanticQuery q;
  q.limit = 10;
  q.order_given = true;
  auto [lo, hi] = time_range_keys();
  q.measures = {lo, hi};
  return q;
}

std::pair<std::string, std::string> RollupBuild::time_range_keys() const {
  return {def_.cube + "." + kTimeMin, def_.cube + "." + kTimeMax};
}

std::string sketch_rows_table(size_t i) {
  return "sketch_rows_" + std::to_string(i);
}

const std::string& alias_of(const Plan& plan, const std::string& key) {
  for (const auto& c : plan.columns) {
    if (c.key == key) return c.alias;
  }
  throw InternalError("the build query has no column '" + key + "'");
}

std::string rollup_rows_sql(const RollupBuild& build, const Plan& main_plan,
                            const std::vector<Plan>& sketch_plans) {
  const sql::Dialect& duckdb = sql::dialect_named("duckdb");
  auto q = [&](const std::string& id) { return duckdb.quote_identifier(id); };
  // The group columns: dimensions, segments, the time bucket.
  std::vector<const RollupColumn*> groups;
  for (const auto& c : build.columns()) {
    if (c.kind == RollupColumn::Kind::kDimension || c.kind == RollupColumn::Kind::kSegment ||
        c.kind == RollupColumn::Kind::kTime) {
      groups.push_back(&c);
    }
  }
  std::string select, joins;
  size_t sketch = 0;
  for (const auto& c : build.columns()) {
    if (!select.empty()) select += ", ";
    if (c.kind != RollupColumn::Kind::kSketch) {
      select += "m." + q(alias_of(main_plan, c.build_key)) + " AS " + q(c.name);
      continue;
    }
    const Plan& sp = sketch_plans.at(sketch);
    std::string s = "s" + std::to_string(sketch);
    std::vector<std::string> group_aliases;
    std::string on;
    for (const RollupColumn* g : groups) {
      group_aliases.push_back(alias_of(sp, g->build_key));
      if (!on.empty()) on += " AND ";
      on += "m." + q(alias_of(main_plan, g->build_key)) + " IS NOT DISTINCT FROM " + s + "." +
            q(group_aliases.back());
    }
    std::string sketches =
        sketch_build_sql(sketch_rows_table(sketch), group_aliases, alias_of(sp, c.build_key));
    joins += on.empty() ? " CROSS JOIN (" + sketches + ") AS " + s
                        : " LEFT JOIN (" + sketches + ") AS " + s + " ON " + on;
    select += "coalesce(" + s + ".sketch, CAST([] AS BIGINT[])) AS " + q(c.name);
    ++sketch;
  }
  return "SELECT " + select + " FROM " + kRollupRowsTable + " AS m" + joins;
}

sql::Select original_rows_select(const PreAggregation& def, const Model& model,
                                 std::optional<DateRange> range) {
  const Cube* cube = model.find_cube(def.cube);
  if (!cube || cube->tiers) {
    throw UserError(
        "original_sql pre-aggregation " + def.full_name() + " of a tiered cube is not supported",
        {.member = def.full_name()});
  }
  sql::Select s;
  s.items.push_back({sql::star(), ""});
  sql::TableRef t;
  t.kind = cube->sql_table.empty() ? sql::TableRef::Kind::kRawSql : sql::TableRef::Kind::kTable;
  t.text = cube->sql_table.empty() ? cube->sql : cube->sql_table;
  t.alias = cube->name;
  s.from = t;
  if (range) {
    auto tz = TimeZone::load(def.timezone);
    const ResolvedMember* r = model.find_member(def.time_dimension);
    sql::ExprPtr e = dimension_expr(*r->dimension, model);
    s.where = sql::and_all(
        {sql::binary(sql::BinaryOp::kGte, e,
                     sql::timestamp_literal(tz->local_to_utc(range->from_local))),
         sql::binary(sql::BinaryOp::kLt, e,
                     sql::timestamp_literal(tz->local_to_utc(range->to_local_exclusive)))});
  }
  return s;
}

}  // namespace strata
