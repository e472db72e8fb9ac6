#include "api/rest/rest_api.h"

#include <spdlog/spdlog.h>

#include <boost/json.hpp>
#include <memory>

#include "api/error_response.h"
#include "api/lake_admin.h"
#include "api/rest/load_handler.h"
#include "api/rest/meta_format.h"
#include "api/rest/parsed_call.h"
#include "api/rest/sql_format.h"
#include "api/sources_admin.h"
#include "api/tiers_admin.h"
#include "core/error.h"

namespace strata {

namespace json = boost::json;

namespace {

std::shared_ptr<const Model> model_of(QueryService& service) {
  auto model = service.model();
  if (!model) throw SourceError("model", "no model is loaded");
  return model;
}

RouteOutcome meta_route_impl(QueryService& service, const RestOptions& options,
                             const HttpRequest& request) {
  auto model = model_of(service);
  MetaOptions meta_options;
  meta_options.include_hidden = options.dev_mode;
  const std::string* only_views = request.param("onlyViews");
  meta_options.only_views = only_views != nullptr && *only_views == "true";
  meta_options.extended = request.param("extended") != nullptr;
  return RouteOutcome::now(json_response(200, format_meta(*model, meta_options)));
}

RouteOutcome sql_route_impl(QueryService& service, const RestOptions& options,
                            const HttpRequest& request, const SecurityContext& security) {
  auto model = model_of(service);
  ParsedCall call = parse_call(request, *model, options.limits);
  json::array answers;
  for (const auto& q : call.queries) {
    Plan plan = service.plan(q, security);
    json::object answer;
    answer["sql"] = format_sql_query(plan, q);
    answer["dataSource"] = plan.source.empty() ? "default" : plan.source;
    answers.push_back(std::move(answer));
  }
  if (call.query_type == "regularQuery") return RouteOutcome::now(json_response(200, answers[0]));
  return RouteOutcome::now(json_response(200, json::value(std::move(answers))));
}

RouteOutcome dry_run(QueryService& service, const RestOptions& options, const HttpRequest& request,
                     const SecurityContext& security) {
  auto model = model_of(service);
  ParsedCall call = parse_call(request, *model, options.limits);
  for (const auto& q : call.queries) service.plan(q, security);  // surfaces planning errors
  return RouteOutcome::now(
      json_response(200, format_dry_run(call.query_type, call.normalized, call.queries)));
}

HttpResponse readiness(QueryService& service, const SourceRegistry* sources) {
  bool healthy = service.model() != nullptr;
  json::array checks;
  if (sources != nullptr) {
    for (Source* source : sources->all()) {
      SourceHealth h;
      try {
        h = source->health();
      } catch (const std::exception& e) {
        h.ok = false;
        h.detail = e.what();
      }
      if (!h.ok) spdlog::warn("readiness: data source '{}' is down: {}", source->name(), h.detail);
      healthy = healthy && h.ok;
      json::object check;
      check["name"] = source->name();
      check["ok"] = h.ok;
      check["latencyMs"] = h.latency.count();
      checks.push_back(std::move(check));
    }
  }
  json::object body;
  body["health"] = healthy ? "HEALTH" : "DOWN";
  body["sources"] = std::move(checks);
  return json_response(healthy ? 200 : 503, body);
}

}  // namespace

void register_rest_routes(Router& router, QueryService& service, const RestOptions& options) {
  const std::string v1 = options.base_path + "/v1";

  auto load = std::make_shared<LoadHandler>(service, options);
  Router::Handler load_route = [load](const HttpRequest& r, const SecurityContext& s) {
    return (*load)(r, s);
  };
  for (const char* path : {"/load", "/subscribe"}) {
    router.add("GET", v1 + path, load_route);
    router.add("POST", v1 + path, load_route);
  }

  router.add("GET", v1 + "/meta",
             [&service, options](const HttpRequest& r, const SecurityContext&) {
               return meta_route_impl(service, options, r);
             });

  Router::Handler sql_route = [&service, options](const HttpRequest& r, const SecurityContext& s) {
    return sql_route_impl(service, options, r, s);
  };
  router.add("GET", v1 + "/sql", sql_route);
  router.add("POST", v1 + "/sql", sql_route);

  Router::Handler dry_run_route = [&service, options](const HttpRequest& r,
                                                      const SecurityContext& s) {
    return dry_run(service, options, r, s);
  };
  router.add("GET", v1 + "/dry-run", dry_run_route);
  router.add("POST", v1 + "/dry-run", dry_run_route);

  router.add(
      "GET", "/livez",
      [](const HttpRequest&, const SecurityContext&) {
        json::object body;
        body["health"] = "HEALTH";
        return RouteOutcome::now(json_response(200, body));
      },
      /*authenticated=*/false);
  const SourceRegistry* sources = options.sources;
  router.add(
      "GET", "/readyz",
      [&service, sources](const HttpRequest&, const SecurityContext&) {
        RouteOutcome outcome;
        outcome.blocking = [&service, sources] { return readiness(service, sources); };
        return outcome;
      },
      /*authenticated=*/false);

  // The source administration API (/api/v1/sources, api/sources_admin.h).
  if (sources != nullptr) register_sources_admin_routes(router, *sources);
  // Which tier holds a date (/api/v1/sources/recommend, api/tiers_admin.h).
  register_tier_routes(router, service);
  // The lake administration API (/api/v1/lake, api/lake_admin.h).
  if (sources != nullptr) register_lake_admin_routes(router, *sources);
}

}  // namespace strata
