// Internal to query/: the pieces the Cube query parser is made of (JSON type
// checks, member lookup with suggestions, date bounds, filters). Not a
// contract for other modules: use cube_query.h.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "model/model.h"
#include "query/semantic_query.h"

namespace boost::json {
class array;
class value;
}  // namespace boost::json

namespace strata::query_internal {

// ------------------------------------------------------------------ errors

[[noreturn]] void fail(std::string message, std::string json_path, std::string hint = {},
                       std::string member = {});

// "measures" + 1 -> "measures[1]"; "" + "timezone" -> "timezone".
std::string index_path(std::string_view base, size_t i);
std::string field_path(std::string_view base, std::string_view field);

// ------------------------------------------------------------------ JSON

// "a string", "a number", "an array", ... for "expected X, got Y" messages.
std::string json_kind(const boost::json::value& v);
std::string quoted(std::string_view s);  // 'text'

// The array at `path`; fails with "`what` must be an array ..." otherwise.
const boost::json::array& expect_array(const boost::json::value& v, const std::string& path,
                                       std::string_view what);
std::string expect_string(const boost::json::value& v, const std::string& path,
                          std::string_view what);
bool expect_bool(const boost::json::value& v, const std::string& path);
// An integer written as a JSON number (2.0 counts; 2.5 and "2" do not).
int64_t expect_integer(const boost::json::value& v, const std::string& path);

// ------------------------------------------------------------------ members

std::string_view member_kind_name(MemberKind k);  // "dimension", "measure", "segment"
// "a number dimension", "a sum measure", "a segment".
std::string describe_member(const ResolvedMember& m);

// Resolves a member name or fails: unknown names get a hint with the closest
// names of kind `wanted` (edit distance) or a pointer to /meta.
const ResolvedMember& resolve_member(const Model& model, std::string_view name,
                                     const std::string& path,
                                     std::optional<MemberKind> wanted = std::nullopt);
// "did you mean 'orders.count'?" style hint, "" when nothing is close.
std::string closest_members(const Model& model, std::string_view name,
                            std::optional<MemberKind> wanted);

// ------------------------------------------------------------------ dates

// A date or timestamp as written in a query, read as a span of local
// wall-clock time in `tz`: a date is its whole day, a timestamp the span of
// its written precision ("12:00" a minute, "12:00:00" a second, ".999" a
// millisecond). Timestamps with "Z" or an offset are instants, converted to
// `tz`'s wall clock. nullopt when `text` is not ISO-8601.
std::optional<DateRange> iso_span(std::string_view text, const TimeZone& tz);

// [from, to] as two dates or timestamps, `to` inclusive (its whole span).
DateRange date_pair(std::string_view from, std::string_view to, const TimeZone& tz,
                    const std::string& from_path, const std::string& to_path,
                    const std::string& range_path);

// ------------------------------------------------------------------ filters

std::optional<FilterOp> parse_filter_op(std::string_view name);
std::string all_filter_op_names();  // "equals, notEquals, ..."

struct FilterContext {
  const Model& model;
  const TimeZone& tz;
  int64_t now_utc_micros;
};

// The query's `filters` array (already known to be present and non-null).
std::vector<FilterNode> parse_filters(const boost::json::value& filters, const FilterContext& ctx);

}  // namespace strata::query_internal
