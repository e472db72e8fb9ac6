// Cube's /v1/load result JSON from a QueryResult.
//
// Values, as Cube's SQL drivers hand them over (documented in docs/rest-api.md):
//   NULL                          -> null
//   boolean                       -> true / false
//   integers, decimals, doubles   -> strings, exactly: "6", "465.00" (the
//                                    decimal's scale is kept), "77.5"; clients
//                                    parse them (chartPivot() does; the client's
//                                    castNumerics option converts rows)
//   date, timestamp               -> "YYYY-MM-DDTHH:MM:SS.mmm", a wall-clock
//                                    reading in the query's timezone
//   timestamp with time zone      -> converted to the query's timezone, same form
//   everything else               -> strings
//
// Row keys: every OutputColumn's key ("orders.status", "orders.created_at.month");
// a time dimension with a granularity also appears under the bare dimension
// name unless the query lists that dimension in `dimensions` too; rows of a
// data-blending query also carry "time.<granularity>".
#pragma once

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result_set.h"
#include "exec/query_service.h"
#include "model/model.h"
#include "query/semantic_query.h"

namespace strata {

struct ValueFormatOptions {
  // UTC instant -> wall clock in the query's timezone, for timestamptz
  // columns. Unset: instants are shown in UTC.
  std::function<int64_t(int64_t utc_micros)> utc_to_local;
};

boost::json::value format_cell(const Column& column, size_t row, const ValueFormatOptions& options);

boost::json::array format_rows(const QueryResult& result, const SemanticQuery& query,
                               const ValueFormatOptions& options, bool blending = false);

// {"measures": {...}, "dimensions": {...}, "segments": {...}, "timeDimensions": {...}},
// each entry keyed by the member as the rows key it, with title, shortTitle,
// type, and where the model has them description, format, meta; measures add
// drillMembers and drillMembersGrouped; time dimensions with a granularity
// add {"granularity": {name, title, interval, type}}.
boost::json::object format_annotation(const SemanticQuery& query, const Model& model);

struct ResultInfo {
  std::string db_type = "duckdb";  // the answering source's engine
  std::string last_refresh_time;   // ISO instant "2024-01-31T10:00:00.000Z"
  bool blending = false;           // one of several queries of a data-blending request
};

// The data source reported for a result: the answering source ("federated"
// for several), or for an answer from a pre-aggregation its cube's source.
std::string answering_source(const QueryResult& result, const Model& model);

// One element of "results" (and the whole body of a single-query /load):
// {query, data, lastRefreshTime, annotation, dataSource, dbType, extDbType,
//  external, slowQuery, total, limitReached}. `total` is null unless the
// query asked for it. `limitReached` is strata's extension: true when the
// row limit cut the result short (the rows that fit are still returned).
boost::json::object format_result(const QueryResult& result, const SemanticQuery& query,
                                  boost::json::value normalized_query, const Model& model,
                                  const ValueFormatOptions& options, const ResultInfo& info);

// The pivotQuery of a load or dry-run response: for a regular query the
// normalized query with "queryType"; for a data-blending request the union
// of measures and dimensions with one time dimension {"dimension": "time",
// "granularity": ...}.
boost::json::object pivot_query(std::string_view query_type,
                                const std::vector<boost::json::value>& normalized_queries);

// Throws UserError unless every query of a data-blending request groups its
// first time dimension by one and the same granularity (what Cube requires).
void check_blending(const std::vector<SemanticQuery>& queries);

}  // namespace strata
