// SemanticQuery: the one question type every frontend produces (REST, SQL
// API, GraphQL, MCP, CLI) and the planner consumes. Members are full names
// ("orders.status", "orders_view.users_city"); a parsed SemanticQuery has been
// validated against the Model, so every member exists and has the right kind.
//
// Date ranges are resolved when parsing: relative ranges ("last 7 days") are
// turned into absolute local wall-clock bounds in the query's timezone.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/scan.h"
#include "core/time.h"

namespace strata {

// A half-open range of local wall-clock time in the query timezone:
// ["2024-01-01","2024-01-31"] is [2024-01-01 00:00, 2024-02-01 00:00).
struct DateRange {
  int64_t from_local = 0;          // inclusive
  int64_t to_local_exclusive = 0;  // exclusive
  friend bool operator==(const DateRange&, const DateRange&) = default;
};

enum class FilterOp {
  kEquals,
  kNotEquals,
  kContains,
  kNotContains,
  kStartsWith,
  kNotStartsWith,
  kEndsWith,
  kNotEndsWith,
  kGt,
  kGte,
  kLt,
  kLte,
  kSet,
  kNotSet,
  kInDateRange,
  kNotInDateRange,
  kBeforeDate,
  kBeforeOrOnDate,
  kAfterDate,
  kAfterOrOnDate,
  kMeasureFilter,  // "the measure's own filters apply", Cube's measureFilter
};

std::string_view filter_op_name(FilterOp op);  // Cube's spelling: "notEquals"

struct FilterNode {
  enum class Kind { kCondition, kAnd, kOr };
  Kind kind = Kind::kCondition;

  // kCondition
  std::string member;
  FilterOp op = FilterOp::kEquals;
  std::vector<std::string> values;  // as given, validated for the member's type
  // For the date operators: the resolved range. inDateRange/notInDateRange use
  // both bounds; beforeDate uses from_local (<), beforeOrOnDate uses
  // to_local_exclusive (<), afterDate uses to_local_exclusive (>=),
  // afterOrOnDate uses from_local (>=).
  std::optional<DateRange> date_range;

  // kAnd / kOr
  std::vector<FilterNode> children;

  std::string json_path;  // where it came from, for errors: "filters[1].or[0]"
};

struct TimeDimensionQuery {
  std::string dimension;
  std::optional<Granularity> granularity;  // nullopt: only filters by date_range
  std::optional<DateRange> date_range;
  std::string date_range_text;  // as the user wrote it ("last 7 days"), "" when a pair or none
  std::string json_path;
};

struct OrderBy {
  std::string member;  // a requested measure or dimension ("orders.created_at.month" is accepted
                       // as "orders.created_at" with that granularity)
  bool descending = false;
};

struct SemanticQuery {
  std::vector<std::string> measures;
  std::vector<std::string> dimensions;
  std::vector<TimeDimensionQuery> time_dimensions;
  std::vector<FilterNode> filters;  // all must hold
  std::vector<std::string> segments;
  std::vector<OrderBy> order;  // empty and !order_given: the planner applies Cube's default order
  bool order_given = false;    // an explicit empty order means "no ORDER BY"
  int64_t limit = 10000;       // always set once parsed (the default when absent)
  bool limit_given = false;
  int64_t offset = 0;
  bool total = false;
  bool ungrouped = false;
  std::string timezone = "UTC";
  bool renew_query = false;  // Cube's renewQuery: bypass caches
  std::optional<TableVersion> as_of;  // read lake tables as of this version (time travel)
};

}  // namespace strata
