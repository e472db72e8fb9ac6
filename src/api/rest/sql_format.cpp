#include "api/rest/sql_format.h"

#include <boost/json.hpp>

#include "api/rest/result_format.h"

namespace strata {

namespace json = boost::json;

json::object format_order(const SemanticQuery& query) {
  json::object out;
  for (const auto& o : query.order) out[o.member] = o.descending ? "desc" : "asc";
  return out;
}

json::object format_sql_query(const Plan& plan, const SemanticQuery& query) {
  json::object out;
  out["sql"] = json::array{json::string(plan.sql), json::array()};
  json::object aliases;
  for (const auto& c : plan.columns) aliases[c.alias] = c.key;
  out["aliasNameToMember"] = std::move(aliases);
  out["order"] = format_order(query);
  out["cacheKeyQueries"] = json::array();
  out["dataSource"] = plan.source.empty() ? "default" : plan.source;
  out["external"] = false;
  out["preAggregations"] = json::array();
  out["rollupMatchResults"] = json::array();
  return out;
}

json::object format_dry_run(std::string_view query_type, const std::vector<json::value>& normalized,
                            const std::vector<SemanticQuery>& queries) {
  json::object out;
  out["queryType"] = query_type;
  out["normalizedQueries"] = json::array(normalized.begin(), normalized.end());
  json::array order, transformed;
  for (const auto& q : queries) {
    order.push_back(format_order(q));
    transformed.push_back(nullptr);
  }
  out["queryOrder"] = std::move(order);
  out["transformedQueries"] = std::move(transformed);
  out["pivotQuery"] = pivot_query(query_type, normalized);
  return out;
}

}  // namespace strata
