#include "plan/filter_sql.h"

#include <charconv>
#include <cstdlib>

#include "core/error.h"

namespace strata {

namespace {

using sql::BinaryOp;
using sql::ExprPtr;

ErrorContext at(const FilterNode& n) {
  return {.member = n.member, .json_path = n.json_path};
}

ExprPtr number_literal(const std::string& text, const FilterNode& n) {
  int64_t i = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), i);
  if (ec == std::errc() && ptr == text.data() + text.size()) return sql::literal(Value::int64(i));
  char* end = nullptr;
  double d = std::strtod(text.c_str(), &end);
  if (text.empty() || end != text.c_str() + text.size()) {
    throw UserError("'" + text + "' is not a number", at(n));
  }
  return sql::literal(Value::float64(d));
}

// A time value for comparison with a stored instant: written offsets are
// honoured, otherwise the text is wall clock in the query's zone.
ExprPtr instant_literal(const std::string& text, const FilterNode& n, const TimeZone& tz) {
  auto parsed = parse_iso_timestamp(text);
  if (!parsed) {
    throw UserError("'" + text + "' is not a date or timestamp", at(n));
  }
  int64_t utc = parsed->offset_seconds
                    ? parsed->micros - int64_t{*parsed->offset_seconds} * kMicrosPerSecond
                    : tz.local_to_utc(parsed->micros);
  return sql::timestamp_literal(utc);
}

ExprPtr value_literal(const std::string& text, const ResolvedMember& m, const FilterNode& n,
                      const TimeZone& tz) {
  if (m.measure) return number_literal(text, n);
  if (!m.dimension) throw UserError("segments cannot be compared with values", at(n));
  switch (m.dimension->type) {
    case DimensionType::kNumber: return number_literal(text, n);
    case DimensionType::kBoolean:
      if (text == "true" || text == "1") return sql::literal(Value::boolean(true));
      if (text == "false" || text == "0") return sql::literal(Value::boolean(false));
      throw UserError("'" + text + "' is not a boolean",
                      {.member = n.member, .json_path = n.json_path, .hint = "use true or false"});
    case DimensionType::kTime: return instant_literal(text, n, tz);
    case DimensionType::kString: return sql::literal(Value::string(text));
  }
  return sql::literal(Value::string(text));
}

// Cube's negative operators keep rows where the member is NULL ("not equal
// to 'x'" holds for a missing value), so they are OR-ed with IS NULL.
ExprPtr or_null(ExprPtr cond, const ExprPtr& member) {
  return sql::binary(BinaryOp::kOr, std::move(cond), sql::is_null(member, false));
}

ExprPtr like_any(const ExprPtr& member, const FilterNode& n, sql::LikeMode mode, bool negated) {
  std::vector<ExprPtr> terms;
  for (const auto& v : n.values) terms.push_back(sql::like(member, v, mode, negated, true));
  if (negated) return or_null(sql::and_all(std::move(terms)), member);
  return sql::or_all(std::move(terms));
}

ExprPtr range_bound(int64_t local, const TimeZone& tz) {
  return sql::timestamp_literal(tz.local_to_utc(local));
}

ExprPtr condition(const FilterNode& n, const FilterContext& ctx) {
  const ResolvedMember* m = ctx.model->find_member(n.member);
  if (!m) throw UserError("unknown member '" + n.member + "'", at(n));
  if (m->segment) {
    throw UserError("segments are applied through `segments`, not filters", at(n));
  }
  ExprPtr e = ctx.member_expr(*m);
  const TimeZone& tz = *ctx.tz;
  auto one = [&]() -> const std::string& {
    if (n.values.size() != 1) {
      throw UserError("operator '" + std::string(filter_op_name(n.op)) + "' takes one value",
                      at(n));
    }
    return n.values[0];
  };
  auto all_values = [&] {
    std::vector<ExprPtr> out;
    for (const auto& v : n.values) out.push_back(value_literal(v, *m, n, tz));
    return out;
  };
  auto need_range = [&]() -> const DateRange& {
    if (!n.date_range) throw InternalError("date filter without a resolved range", at(n));
    return *n.date_range;
  };
  switch (n.op) {
    case FilterOp::kEquals: {
      auto values = all_values();
      if (values.size() == 1) return sql::binary(BinaryOp::kEq, e, values[0]);
      return sql::in_list(e, std::move(values), false);
    }
    case FilterOp::kNotEquals: {
      auto values = all_values();
      ExprPtr c = values.size() == 1 ? sql::binary(BinaryOp::kNotEq, e, values[0])
                                     : sql::in_list(e, std::move(values), true);
      return or_null(std::move(c), e);
    }
    case FilterOp::kContains: return like_any(e, n, sql::LikeMode::kContains, false);
    case FilterOp::kNotContains: return like_any(e, n, sql::LikeMode::kContains, true);
    case FilterOp::kStartsWith: return like_any(e, n, sql::LikeMode::kStartsWith, false);
    case FilterOp::kNotStartsWith: return like_any(e, n, sql::LikeMode::kStartsWith, true);
    case FilterOp::kEndsWith: return like_any(e, n, sql::LikeMode::kEndsWith, false);
    case FilterOp::kNotEndsWith: return like_any(e, n, sql::LikeMode::kEndsWith, true);
    case FilterOp::kGt: return sql::binary(BinaryOp::kGt, e, value_literal(one(), *m, n, tz));
    case FilterOp::kGte: return sql::binary(BinaryOp::kGte, e, value_literal(one(), *m, n, tz));
    case FilterOp::kLt: return sql::binary(BinaryOp::kLt, e, value_literal(one(), *m, n, tz));
    case FilterOp::kLte: return sql::binary(BinaryOp::kLte, e, value_literal(one(), *m, n, tz));
    case FilterOp::kSet: return sql::is_null(e, true);
    case FilterOp::kNotSet: return sql::is_null(e, false);
    case FilterOp::kInDateRange: {
      const DateRange& r = need_range();
      return sql::and_all({sql::binary(BinaryOp::kGte, e, range_bound(r.from_local, tz)),
                           sql::binary(BinaryOp::kLt, e, range_bound(r.to_local_exclusive, tz))});
    }
    case FilterOp::kNotInDateRange: {
      const DateRange& r = need_range();
      return sql::or_all({sql::binary(BinaryOp::kLt, e, range_bound(r.from_local, tz)),
                          sql::binary(BinaryOp::kGte, e, range_bound(r.to_local_exclusive, tz))});
    }
    case FilterOp::kBeforeDate:
      return sql::binary(BinaryOp::kLt, e, range_bound(need_range().from_local, tz));
    case FilterOp::kBeforeOrOnDate:
      return sql::binary(BinaryOp::kLt, e, range_bound(need_range().to_local_exclusive, tz));
    case FilterOp::kAfterDate:
      return sql::binary(BinaryOp::kGte, e, range_bound(need_range().to_local_exclusive, tz));
    case FilterOp::kAfterOrOnDate:
      return sql::binary(BinaryOp::kGte, e, range_bound(need_range().from_local, tz));
    case FilterOp::kMeasureFilter:
      // Handled by the planner (it adds the measure's own filters); as a
      // condition on its own it holds.
      return nullptr;
  }
  throw InternalError("unhandled filter operator", at(n));
}

}  // namespace

ExprPtr filter_expr(const FilterNode& node, const FilterContext& ctx) {
  switch (node.kind) {
    case FilterNode::Kind::kCondition: return condition(node, ctx);
    case FilterNode::Kind::kAnd:
    case FilterNode::Kind::kOr: {
      std::vector<ExprPtr> terms;
      for (const auto& c : node.children) {
        ExprPtr t = filter_expr(c, ctx);
        if (t) terms.push_back(std::move(t));
      }
      return node.kind == FilterNode::Kind::kAnd ? sql::and_all(std::move(terms))
                                                 : sql::or_all(std::move(terms));
    }
  }
  return nullptr;
}

bool filter_has_measure(const FilterNode& node, const Model& model) {
  if (node.kind != FilterNode::Kind::kCondition) {
    for (const auto& c : node.children) {
      if (filter_has_measure(c, model)) return true;
    }
    return false;
  }
  const ResolvedMember* m = model.find_member(node.member);
  return m && m->measure && node.op != FilterOp::kMeasureFilter;
}

bool filter_has_dimension(const FilterNode& node, const Model& model) {
  if (node.kind != FilterNode::Kind::kCondition) {
    for (const auto& c : node.children) {
      if (filter_has_dimension(c, model)) return true;
    }
    return false;
  }
  const ResolvedMember* m = model.find_member(node.member);
  return m && !m->measure;
}

void filter_members(const FilterNode& node, std::vector<std::string>& out) {
  if (node.kind == FilterNode::Kind::kCondition) {
    out.push_back(node.member);
    return;
  }
  for (const auto& c : node.children) filter_members(c, out);
}

}  // namespace strata
