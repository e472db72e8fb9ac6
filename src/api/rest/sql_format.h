// Bodies of /v1/sql and /v1/dry-run, shaped as @cubejs-client/core reads them
// (SqlQuery.sql() reads body.sql.sql[0]).
#pragma once

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <string_view>
#include <vector>

#include "plan/plan.h"
#include "query/semantic_query.h"

namespace strata {

// {member: "asc" | "desc"} in the query's order.
boost::json::object format_order(const SemanticQuery& query);

// The inner object of a /v1/sql answer:
// {"sql": [sql_text, []], "aliasNameToMember": {alias: member key}, "order": {...},
//  "cacheKeyQueries": [], "dataSource": ..., "external": false,
//  "preAggregations": [], "rollupMatchResults": []}.
// Values are inlined as escaped literals by the planner, so the parameter
// list is always empty.
boost::json::object format_sql_query(const Plan& plan, const SemanticQuery& query);

// {"queryType", "normalizedQueries", "queryOrder", "transformedQueries", "pivotQuery"}.
// strata has no pre-aggregation matching to report yet, so each element of
// transformedQueries is null.
boost::json::object format_dry_run(std::string_view query_type,
                                   const std::vector<boost::json::value>& normalized_queries,
                                   const std::vector<SemanticQuery>& queries);

}  // namespace strata
