// Filter operator names, Cube's spelling.
#include "query/semantic_query.h"

#include <array>

#include "query/parse_util.h"

namespace strata {

namespace {

constexpr std::array<std::pair<FilterOp, std::string_view>, 21> kOps = {{
    {FilterOp::kEquals, "equals"},
    {FilterOp::kNotEquals, "notEquals"},
    {FilterOp::kContains, "contains"},
    {FilterOp::kNotContains, "notContains"},
    {FilterOp::kStartsWith, "startsWith"},
    {FilterOp::kNotStartsWith, "notStartsWith"},
    {FilterOp::kEndsWith, "endsWith"},
    {FilterOp::kNotEndsWith, "notEndsWith"},
    {FilterOp::kGt, "gt"},
    {FilterOp::kGte, "gte"},
    {FilterOp::kLt, "lt"},
    {FilterOp::kLte, "lte"},
    {FilterOp::kSet, "set"},
    {FilterOp::kNotSet, "notSet"},
    {FilterOp::kInDateRange, "inDateRange"},
    {FilterOp::kNotInDateRange, "notInDateRange"},
    {FilterOp::kBeforeDate, "beforeDate"},
    {FilterOp::kBeforeOrOnDate, "beforeOrOnDate"},
    {FilterOp::kAfterDate, "afterDate"},
    {FilterOp::kAfterOrOnDate, "afterOrOnDate"},
    {FilterOp::kMeasureFilter, "measureFilter"},
}};

}  // namespace

std::string_view filter_op_name(FilterOp op) {
  for (const auto& [o, name] : kOps) {
    if (o == op) return name;
  }
  return "equals";
}

namespace query_internal {

std::optional<FilterOp> parse_filter_op(std::string_view name) {
  for (const auto& [op, n] : kOps) {
    if (n == name) return op;
  }
  return std::nullopt;
}

std::string all_filter_op_names() {
  std::string out;
  for (const auto& [op, n] : kOps) {
    if (!out.empty()) out += ", ";
    out += n;
  }
  return out;
}

}  // namespace query_internal

}  // namespace strata
