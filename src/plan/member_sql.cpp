#include "plan/member_sql.h"

#include "core/error.h"

namespace strata {

namespace {

const Measure& measure_named(const Model& model, const std::string& full_name) {
  const ResolvedMember* r = model.find_member(full_name);
  if (!r || !r->measure) throw InternalError("measure reference '" + full_name + "' is unresolved");
  return *r->measure;
}

}  // namespace

sql::ExprPtr template_expr(const SqlTemplate& t, const Model& model,
                           const MeasureRefResolver* resolve) {
  std::vector<sql::Expr::RawPiece> pieces;
  pieces.reserve(t.parts.size());
  for (const auto& p : t.parts) {
    switch (p.kind) {
      case SqlTemplate::Part::Kind::kText:
        pieces.push_back({sql::Expr::RawPiece::Kind::kText, p.text, nullptr});
        break;
      case SqlTemplate::Part::Kind::kCubeAlias:
        pieces.push_back({sql::Expr::RawPiece::Kind::kAlias, p.text, nullptr});
        break;
      case SqlTemplate::Part::Kind::kMeasureRef: {
        const Measure& ref = measure_named(model, p.text);
        sql::ExprPtr e = resolve ? (*resolve)(ref) : measure_aggregate(ref, model);
        pieces.push_back({sql::Expr::RawPiece::Kind::kExpr, "", std::move(e)});
        break;
      }
    }
  }
  return sql::raw_sql(std::move(pieces));
}

sql::ExprPtr dimension_expr(const Dimension& d, const Model& model) {
  return template_expr(d.sql, model);
}

sql::ExprPtr local_time_expr(sql::ExprPtr instant, const TimeZone& tz,
                             std::optional<Granularity> granularity) {
  sql::ExprPtr local = tz.is_utc() ? sql::cast(std::move(instant), Type::of(TypeId::kTimestamp))
                                   : sql::to_local_time(std::move(instant), tz.name());
  if (!granularity) return local;
  return sql::time_trunc(*granularity, std::move(local));
}

sql::ExprPtr measure_input(const Measure& m, const Model& model) {
  sql::ExprPtr value;
  if (!m.sql.empty()) value = template_expr(m.sql, model);
  if (m.filters.empty()) return value;
  std::vector<sql::ExprPtr> conditions;
  for (const auto& f : m.filters) conditions.push_back(template_expr(f, model));
  if (!value) value = sql::literal(Value::int64(1));  // count rows that pass the filters
  return sql::case_when({{sql::and_all(std::move(conditions)), value}}, nullptr);
}

sql::ExprPtr measure_aggregate(const Measure& m, const Model& model,
                               const MeasureRefResolver* resolve) {
  using sql::AggregateFn;
  switch (m.type) {
    case MeasureType::kCount: return sql::aggregate(AggregateFn::kCount, measure_input(m, model));
    case MeasureType::kCountDistinct:
      return sql::aggregate(AggregateFn::kCountDistinct, measure_input(m, model));
    case MeasureType::kCountDistinctApprox:
      return sql::aggregate(AggregateFn::kApproxCountDistinct, measure_input(m, model));
    case MeasureType::kSum: return sql::aggregate(AggregateFn::kSum, measure_input(m, model));
    case MeasureType::kAvg: return sql::aggregate(AggregateFn::kAvg, measure_input(m, model));
    case MeasureType::kMin: return sql::aggregate(AggregateFn::kMin, measure_input(m, model));
    case MeasureType::kMax: return sql::aggregate(AggregateFn::kMax, measure_input(m, model));
    case MeasureType::kNumber: return template_expr(m.sql, model, resolve);
  }
  throw InternalError("unknown measure type of " + m.full_name());
}

namespace {

void collect_leaves(const Measure& m, const Model& model, std::vector<const Measure*>& out,
                    int depth) {
  if (depth > 64) throw InternalError("measure references nest too deeply at " + m.full_name());
  if (m.type != MeasureType::kNumber) {
    for (const Measure* seen : out) {
      if (seen == &m) return;
    }
    out.push_back(&m);
    return;
  }
  for (const auto& ref : m.sql.measure_refs()) {
    collect_leaves(measure_named(model, ref), model, out, depth + 1);
  }
}

void collect_cubes(const Measure& m, const Model& model, std::set<std::string>& out, int depth) {
  if (depth > 64) throw InternalError("measure references nest too deeply at " + m.full_name());
  for (const auto& c : m.sql.cubes()) out.insert(c);
  for (const auto& f : m.filters) {
    for (const auto& c : f.cubes()) out.insert(c);
  }
  for (const auto& ref : m.sql.measure_refs()) {
    collect_cubes(measure_named(model, ref), model, out, depth + 1);
  }
}

}  // namespace

std::vector<const Measure*> leaf_measures(const Measure& m, const Model& model) {
  std::vector<const Measure*> out;
  collect_leaves(m, model, out, 0);
  return out;
}

std::set<std::string> measure_cubes(const Measure& m, const Model& model) {
  std::set<std::string> out;
  collect_cubes(m, model, out, 0);
  return out;
}

}  // namespace strata
