#include "api/tiers_admin.h"

#include <boost/json.hpp>

#include "api/error_response.h"
#include "core/error.h"
#include "core/time.h"

namespace strata {

namespace json = boost::json;

namespace {

std::string iso_utc(int64_t micros) {
  return format_iso_local(micros, 3) + "Z";
}

HttpResponse recommend(QueryService& service, const HttpRequest& request) {
  const std::string* date = request.param("date");
  if (!date || date->empty()) {
    throw UserError("the `date` parameter is missing",
                    {.hint = "ask /api/v1/sources/recommend?date=2024-05-01"});
  }
  auto parsed = parse_iso_timestamp(*date);
  if (!parsed) {
    throw UserError("'" + *date + "' is not a date or timestamp",
                    {.hint = "write YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS, optionally with Z or "
                             "an offset"});
  }
  const std::string* zone = request.param("timezone");
  auto tz = TimeZone::load(zone ? *zone : "UTC");
  int64_t at = parsed->offset_seconds
                   ? parsed->micros - int64_t{*parsed->offset_seconds} * kMicrosPerSecond
                   : tz->local_to_utc(parsed->micros);
  json::array cubes;
  for (const Cube& cube : service.model()->cubes()) {
    if (!cube.tiers) continue;
    const Tiering& t = *cube.tiers;
    int64_t boundary = service.tier_boundary(cube);
    const TierTable& tier = at >= boundary ? t.hot : t.cold;
    json::object c;
    c["cube"] = cube.name;
    c["timeDimension"] = cube.name + "." + t.time_dimension;
    c["boundary"] = iso_utc(boundary);
    c["boundaryKind"] = t.watermark_sql.empty() ? "retention" : "watermark";
    c["tier"] = at >= boundary ? "hot" : "cold";
    c["dataSource"] = tier.data_source;
    c["table"] = tier.sql_table.empty() ? json::value(nullptr) : json::value(tier.sql_table);
    cubes.push_back(std::move(c));
  }
  json::object body;
  body["date"] = iso_utc(at);
  body["cubes"] = std::move(cubes);
  return json_response(200, body);
}

}  // namespace

void register_tier_routes(Router& router, QueryService& service, const std::string& base_path) {
  router.add("GET", base_path + "/recommend",
             [&service](const HttpRequest& request, const SecurityContext&) {
               RouteOutcome outcome;
               // Reading a watermark queries the hot source: not on an I/O thread.
               outcome.blocking = [&service, request] { return recommend(service, request); };
               return outcome;
             });
}

}  // namespace strata
