// Cube's `filters`: leaves {member, operator, values} (`dimension` is the
// legacy spelling of `member`) and {and: [...]} / {or: [...]} groups nested to
// any depth. Each leaf is checked against its member: how many values the
// operator takes, whether the operator applies to the member's type, and
// whether each value reads as that type. Date operators get their range
// resolved here, in the query timezone.
#include <boost/json.hpp>
#include <charconv>
#include <cmath>

#include "query/cube_query.h"
#include "query/parse_util.h"

namespace strata::query_internal {

namespace json = boost::json;

namespace {

enum class ValueType { kString, kNumber, kTime, kBoolean };

ValueType value_type(const ResolvedMember& m) {
  if (m.kind == MemberKind::kMeasure) return ValueType::kNumber;
  switch (m.dimension->type) {
    case DimensionType::kString:
      return ValueType::kString;
    case DimensionType::kNumber:
      return ValueType::kNumber;
    case DimensionType::kTime:
      return ValueType::kTime;
    case DimensionType::kBoolean:
      return ValueType::kBoolean;
  }
  return ValueType::kString;
}

bool is_number_text(std::string_view s) {
  if (s.empty()) return false;
  double d = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), d);
  return ec == std::errc() && end == s.data() + s.size() && std::isfinite(d);
}

std::string number_text(double d) {
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), d);  // shortest round trip
  return std::string(buf, end);
}

bool is_string_op(FilterOp op) {
  return op == FilterOp::kContains || op == FilterOp::kNotContains || op == FilterOp::kStartsWith ||
         op == FilterOp::kNotStartsWith || op == FilterOp::kEndsWith ||
         op == FilterOp::kNotEndsWith;
}

bool is_comparison_op(FilterOp op) {
  return op == FilterOp::kGt || op == FilterOp::kGte || op == FilterOp::kLt || op == FilterOp::kLte;
}

bool is_date_op(FilterOp op) {
  return op == FilterOp::kInDateRange || op == FilterOp::kNotInDateRange ||
         op == FilterOp::kBeforeDate || op == FilterOp::kBeforeOrOnDate ||
         op == FilterOp::kAfterDate || op == FilterOp::kAfterOrOnDate;
}

// What to use instead, for "operator X does not apply to this member" errors.
std::string operators_for(const ResolvedMember& m) {
  if (m.kind == MemberKind::kMeasure) {
    return "measures take equals, notEquals, gt, gte, lt, lte, set, notSet and measureFilter";
  }
  switch (value_type(m)) {
    case ValueType::kString:
      return "string dimensions take equals, notEquals, contains, notContains, startsWith, "
             "notStartsWith, endsWith, notEndsWith, set and notSet";
    case ValueType::kNumber:
      return "number dimensions take equals, notEquals, gt, gte, lt, lte, set and notSet";
    case ValueType::kTime:
      return "time dimensions take inDateRange, notInDateRange, beforeDate, beforeOrOnDate, "
             "afterDate, afterOrOnDate, equals, notEquals, gt, gte, lt, lte, set and notSet";
    case ValueType::kBoolean:
      return "boolean dimensions take equals and notEquals (with true or false), set and notSet";
  }
  return "";
}

class FilterParser {
 public:
  explicit FilterParser(const FilterContext& ctx) : ctx_(ctx) {}

  FilterNode node(const json::value& v, const std::string& path) {
    const json::object* o = v.if_object();
    if (!o) {
      fail(path + " must be a filter object, got " + json_kind(v), path,
           "write {\"member\": \"orders.status\", \"operator\": \"equals\", \"values\": "
           "[\"completed\"]}, or {\"and\": [...]} / {\"or\": [...]}");
    }
    const bool has_and = o->contains("and");
    const bool has_or = o->contains("or");
    if (has_and || has_or) {
      if ((has_and && has_or) || o->contains("member") || o->contains("dimension") ||
          o->contains("operator")) {
        fail(
            "a filter is either a group ({\"and\": [...]} or {\"or\": [...]}) or a condition "
            "(member, operator, values), not both",
            path, "split it into separate filters");
      }
      return group(*o, has_and ? "and" : "or", path);
    }
    return leaf(*o, path);
  }

 private:
  FilterNode group(const json::object& o, const char* key, const std::string& path) {
    FilterNode n;
    n.kind = std::string_view(key) == "and" ? FilterNode::Kind::kAnd : FilterNode::Kind::kOr;
    n.json_path = path;
    const std::string list_path = field_path(path, key);
    const json::array& items = expect_array(o.at(key), list_path, "filters");
    if (items.empty()) {
      fail(list_path + " is empty", list_path, "give it at least one filter, or remove it");
    }
    for (size_t i = 0; i < items.size(); ++i) {
      n.children.push_back(node(items[i], index_path(list_path, i)));
    }
    return n;
  }

  FilterNode leaf(const json::object& o, const std::string& path) {
    FilterNode n;
    n.json_path = path;

    // Member: `member`, or the legacy `dimension`.
    const json::value* member = o.if_contains("member");
    const char* member_key = "member";
    if (const json::value* legacy = o.if_contains("dimension"); legacy && !legacy->is_null()) {
      if (member && !member->is_null() && *member != *legacy) {
        fail("a filter names two members (member and dimension)", path, "keep only member");
      }
      if (!member || member->is_null()) {
        member = legacy;
        member_key = "dimension";
      }
    }
    const std::string member_path = field_path(path, member_key);
    if (!member || member->is_null()) {
      fail("a filter needs a member", path,
           "write {\"member\": \"orders.status\", \"operator\": \"equals\", \"values\": [...]}");
    }
    n.member = expect_string(*member, member_path, "a member name");
    const ResolvedMember& m = resolve_member(ctx_.model, n.member, member_path);
    if (m.kind == MemberKind::kSegment) {
      fail(quoted(n.member) + " is a segment; segments are not filtered with operators",
           member_path, "put it in the query's segments", n.member);
    }

    // Operator.
    const std::string op_path = field_path(path, "operator");
    const json::value* op_value = o.if_contains("operator");
    if (!op_value || op_value->is_null()) {
      fail("a filter needs an operator", path, "operators: " + all_filter_op_names());
    }
    const std::string op_name = expect_string(*op_value, op_path, "an operator name");
    auto op = parse_filter_op(op_name);
    if (!op) {
      fail("unknown filter operator " + quoted(op_name), op_path,
           "operators: " + all_filter_op_names());
    }
    n.op = *op;

    // Values, as text.
    const std::string values_path = field_path(path, "values");
    if (const json::value* vs = o.if_contains("values"); vs && !vs->is_null()) {
      const json::array& items = expect_array(*vs, values_path, "values");
      for (size_t i = 0; i < items.size(); ++i) {
        n.values.push_back(value_text(items[i], index_path(values_path, i), n.op));
      }
    }

    check_operator(n, m, op_path);
    check_count(n, values_path);
    check_values(n, m, values_path);
    if (is_date_op(n.op)) n.date_range = date_range(n, values_path);
    return n;
  }

  static std::string value_text(const json::value& v, const std::string& path, FilterOp op) {
    switch (v.kind()) {
      case json::kind::string:
        return std::string(v.get_string());
      case json::kind::int64:
        return std::to_string(v.get_int64());
      case json::kind::uint64:
        return std::to_string(v.get_uint64());
      case json::kind::double_:
        return number_text(v.get_double());
      case json::kind::bool_:
        return v.get_bool() ? "true" : "false";
      case json::kind::null:
        if (op == FilterOp::kEquals) {
          fail("null is not a value equals can compare with", path,
               "to match rows where the member has no value, use the notSet operator");
        }
        if (op == FilterOp::kNotEquals) {
          fail("null is not a value notEquals can compare with", path,
               "to match rows where the member has a value, use the set operator");
        }
        fail("null is not a filter value", path,
             "remove it; set and notSet test whether a member has a value");
      default:
        fail(path + " must be a string, number or boolean, got " + json_kind(v), path);
    }
  }

  static void check_operator(const FilterNode& n, const ResolvedMember& m,
                             const std::string& op_path) {
    const ValueType type = value_type(m);
    const std::string op = quoted(filter_op_name(n.op));
    auto refuse = [&](std::string_view applies_to) {
      fail("operator " + op + " applies to " + std::string(applies_to) + ", but " +
               quoted(n.member) + " is " + describe_member(m),
           op_path, operators_for(m), n.member);
    };
    if (is_string_op(n.op) && !(m.kind == MemberKind::kDimension && type == ValueType::kString)) {
      refuse("string dimensions");
    }
    if (is_date_op(n.op) && !(m.kind == MemberKind::kDimension && type == ValueType::kTime)) {
      refuse("time dimensions");
    }
    if (n.op == FilterOp::kMeasureFilter && m.kind != MemberKind::kMeasure) refuse("measures");
    if (is_comparison_op(n.op) && type != ValueType::kNumber && type != ValueType::kTime) {
      refuse("numbers and times (measures, number and time dimensions)");
    }
  }

  static void check_count(const FilterNode& n, const std::string& values_path) {
    const std::string op = quoted(filter_op_name(n.op));
    const size_t count = n.values.size();
    switch (n.op) {
      case FilterOp::kSet:
      case FilterOp::kNotSet:
      case FilterOp::kMeasureFilter:
        if (count != 0) fail(op + " takes no values", values_path, "remove values");
        return;
      case FilterOp::kGt:
      case FilterOp::kGte:
      case FilterOp::kLt:
      case FilterOp::kLte:
        if (count != 1) {
          fail(op + " takes exactly one value, got " + std::to_string(count), values_path,
               "to test a range, combine two filters (gte and lt)");
        }
        return;
      case FilterOp::kInDateRange:
      case FilterOp::kNotInDateRange:
        if (count != 1 && count != 2) {
          fail(op + " takes two dates (from and to) or one relative range, got " +
                   std::to_string(count) + " values",
               values_path, "write [\"2024-01-01\", \"2024-01-31\"] or [\"last 7 days\"]");
        }
        return;
      case FilterOp::kBeforeDate:
      case FilterOp::kBeforeOrOnDate:
      case FilterOp::kAfterDate:
      case FilterOp::kAfterOrOnDate:
        if (count != 1) {
          fail(op + " takes exactly one date, got " + std::to_string(count) + " values",
               values_path, "write [\"2024-01-31\"]");
        }
        return;
      default:
        if (count == 0) {
          fail(op + " needs at least one value", values_path,
               n.op == FilterOp::kEquals || n.op == FilterOp::kNotEquals
                   ? "to test for a missing value use set or notSet"
                   : "give the text to look for in values");
        }
        return;
    }
  }

  static void check_values(const FilterNode& n, const ResolvedMember& m,
                           const std::string& values_path) {
    const bool typed =
        n.op == FilterOp::kEquals || n.op == FilterOp::kNotEquals || is_comparison_op(n.op);
    if (!typed) return;
    const ValueType type = value_type(m);
    for (size_t i = 0; i < n.values.size(); ++i) {
      const std::string& v = n.values[i];
      const std::string where = index_path(values_path, i);
      auto refuse = [&](std::string_view expected, std::string hint) {
        fail("expected " + std::string(expected) + " for " + quoted(n.member) + " (" +
                 describe_member(m) + "), got " + quoted(v),
             where, std::move(hint), n.member);
      };
      switch (type) {
        case ValueType::kNumber:
          if (!is_number_text(v)) refuse("a number", "write numbers such as 42, -3 or 2.5");
          break;
        case ValueType::kBoolean:
          if (v != "true" && v != "false") refuse("true or false", "write true or false");
          break;
        case ValueType::kTime:
          if (!parse_iso_timestamp(v)) {
            refuse("an ISO date or timestamp",
                   "write 2024-01-31 or 2024-01-31T13:45:00; for relative dates use inDateRange");
          }
          break;
        case ValueType::kString:
          break;
      }
    }
  }

  DateRange date_range(const FilterNode& n, const std::string& values_path) const {
    const std::string first = index_path(values_path, 0);
    if (n.values.size() == 2) {
      return date_pair(n.values[0], n.values[1], ctx_.tz, first, index_path(values_path, 1),
                       values_path);
    }
    return resolve_relative_date_range(n.values[0], ctx_.tz, ctx_.now_utc_micros, first);
  }

  const FilterContext& ctx_;
};

}  // namespace

std::vector<FilterNode> parse_filters(const json::value& filters, const FilterContext& ctx) {
  const json::array& items = expect_array(filters, "filters", "filters");
  FilterParser parser(ctx);
  std::vector<FilterNode> out;
  out.reserve(items.size());
  for (size_t i = 0; i < items.size(); ++i)
    out.push_back(parser.node(items[i], index_path("filters", i)));
  return out;
}

}  // namespace strata::query_internal
