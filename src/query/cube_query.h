// Cube's REST query JSON <-> SemanticQuery.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "model/model.h"
#include "query/semantic_query.h"

namespace boost::json {
class value;
}

namespace strata {

struct QueryLimits {
  int64_t default_limit = 10000;
  int64_t max_limit = 50000;
};

struct ParseOptions {
  QueryLimits limits;
  int64_t now_utc_micros = 0;  // the query time relative ranges resolve against; 0 = now
};

// Parses and validates one query object. Throws UserError whose
// context().json_path names the offending part ("timeDimensions[0].dateRange")
// for: malformed JSON, a field of the wrong type, an unknown member
// (NotFound is not used: to the client it is a bad request), a member of the
// wrong kind (a measure in dimensions), an unknown operator or granularity,
// values that do not fit the operator or member type, an unknown timezone,
// an unparsable or impossible date range (end before start), a limit over
// the maximum, a negative offset.
SemanticQuery parse_cube_query(const boost::json::value& query, const Model& model,
                               const ParseOptions& options);
// The same from JSON text (the body of POST /load, or the `query` URL
// parameter of GET /load). Accepts {"query": {...}} as well as a bare query.
SemanticQuery parse_cube_query_text(std::string_view json_text, const Model& model,
                                    const ParseOptions& options);

// Resolves a Cube date range (a relative phrase such as "last 7 days",
// "this quarter", "from 3 months ago to now", "from 2024-01-01 to 2024-03-01",
// or one date "2024-01-05") at `now_utc_micros` in `tz`.
// Throws UserError (with `json_path`) when it cannot be understood.
DateRange resolve_relative_date_range(std::string_view text, const TimeZone& tz,
                                      int64_t now_utc_micros, const std::string& json_path);

// The normalized query as Cube echoes it in responses (`query` field): members,
// resolved dateRange pairs, filters with `member`, order as [[member, dir]],
// limit, timezone, rowLimit, queryType.
boost::json::value to_cube_json(const SemanticQuery& q);

// A canonical, deterministic key: two queries that must give the same answer
// have the same key (member order within measures/dimensions matters as it
// shapes the answer; JSON formatting and field order do not).
std::string canonical_key(const SemanticQuery& q);

}  // namespace strata
