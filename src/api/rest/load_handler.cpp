#include "api/rest/load_handler.h"

#include <boost/json.hpp>

#include "api/error_response.h"
#include "api/rest/parsed_call.h"
#include "api/rest/result_format.h"
#include "core/error.h"
#include "core/time.h"
#include "query/cube_query.h"

namespace strata {

namespace json = boost::json;

namespace {

// Everything the deferred answer needs, shared by finish() and timed_out().
struct LoadState {
  std::shared_ptr<const Model> model;
  ParsedCall call;
  std::vector<std::string> keys;
  std::vector<std::shared_ptr<PendingQuery>> pending;
  std::shared_ptr<RetryHoldover> holdover;
  const SourceRegistry* sources = nullptr;
};

std::string retry_key(const SemanticQuery& q, const SecurityContext& security) {
  return canonical_key(q) + '\n' + (security.authenticated ? "user:" : "anonymous:") +
         security.claims_json;
}

HttpResponse finish(LoadState& state) {
  // Every query is done: the retries are served, so stop holding them.
  for (size_t i = 0; i < state.pending.size(); ++i) {
    state.holdover->release(state.keys[i], state.pending[i].get());
  }
  std::string refreshed = format_iso_local(now_utc_micros(), 3) + "Z";
  bool blending = state.call.query_type == "blendingQuery";
  json::array results;
  for (size_t i = 0; i < state.pending.size(); ++i) {
    const QueryResult& result = state.pending[i]->wait();  // done: returns or rethrows at once
    const SemanticQuery& query = state.call.queries[i];
    auto tz = TimeZone::load(query.timezone);
    ValueFormatOptions values;
    values.utc_to_local = [tz](int64_t utc) { return tz->utc_to_local(utc); };
    ResultInfo info;
    info.db_type = db_type_of(state.sources, answering_source(result, *state.model));
    // A cached answer was computed earlier: report when.
    info.last_refresh_time =
        result.computed_at_utc > 0 ? format_iso_local(result.computed_at_utc, 3) + "Z" : refreshed;
    info.blending = blending;
    results.push_back(
        format_result(result, query, state.call.normalized[i], *state.model, values, info));
  }
  if (!state.call.multi) return json_response(200, results[0]);
  json::object body;
  body["queryType"] = state.call.query_type;
  body["results"] = std::move(results);
  body["pivotQuery"] = pivot_query(state.call.query_type, state.call.normalized);
  body["slowQuery"] = false;
  return json_response(200, body);
}

HttpResponse continue_wait(LoadState& state) {
  for (size_t i = 0; i < state.pending.size(); ++i) {
    state.holdover->keep(state.keys[i], state.pending[i]);
  }
  json::object body;
  body["error"] = "Continue wait";
  HttpResponse response = json_response(200, body);
  response.log_note = "continue wait";
  return response;
}

}  // namespace

std::string db_type_of(const SourceRegistry* sources, const std::string& name) {
  if (sources != nullptr) {
    if (const Source* s = sources->find(name.empty() ? "default" : name))
      return std::string(s->type());
  }
  return "duckdb";
}

LoadHandler::LoadHandler(QueryService& service, RestOptions options)
    : service_(service),
      options_(std::move(options)),
      holdover_(std::make_shared<RetryHoldover>(std::max<std::chrono::milliseconds>(
          std::chrono::seconds(60), 3 * options_.continue_wait))) {}

RouteOutcome LoadHandler::operator()(const HttpRequest& request, const SecurityContext& security) {
  auto state = std::make_shared<LoadState>();
  state->model = service_.model();
  if (!state->model) throw SourceError("model", "no model is loaded");
  state->holdover = holdover_;
  state->sources = options_.sources;
  state->call = parse_call(request, *state->model, options_.limits);
  if (state->call.query_type == "blendingQuery") {
    if (!state->call.multi) {
      throw UserError(
          "'blendingQuery' query type is not supported by the client. Please update the client.",
          {.json_path = "queryType",
           .hint = "send queryType=multi with an array of queries (@cubejs-client/core does)"});
    }
    check_blending(state->call.queries);
  }

  bool all_done = true;
  for (const auto& q : state->call.queries) {
    std::string key = retry_key(q, security);
    std::shared_ptr<PendingQuery> pending = holdover_->find(key);
    if (!pending) pending = service_.submit(q, security);
    all_done = all_done && pending->done();
    state->keys.push_back(std::move(key));
    state->pending.push_back(std::move(pending));
  }
  if (all_done) return RouteOutcome::now(finish(*state));

  Deferred deferred;
  deferred.pending = state->pending;
  deferred.finish = [state] { return finish(*state); };
  deferred.timed_out = [state] { return continue_wait(*state); };
  RouteOutcome outcome;
  outcome.deferred = std::move(deferred);
  return outcome;
}

}  // namespace strata
