#include "api/rest/load_handler.h"

#include <boost/json.hpp>

#include "api/error_response.h"
#include "api/rest/formatted_results.h"
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
  std::shared_ptr<FormattedResults> formatted;
  const SourceRegistry* sources = nullptr;
};

std::string retry_key(const SemanticQuery& q, const SecurityContext& security) {
  return canonical_key(q) + '\n' + (security.authenticated ? "user:" : "anonymous:") +
         security.claims_json;
}

// The JSON text of one result: kept by FormattedResults when the answer
// came from (or went into) the result cache, keyed by everything the text
// depends on, so an identical request skips formatting and serializing.
std::shared_ptr<const std::string> result_text(LoadState& state, size_t i,
                                               const std::string& refreshed, bool blending) {
  const QueryResult& result = state.pending[i]->wait();  // done: returns or rethrows at once
  const SemanticQuery& query = state.call.queries[i];
  std::string db_type = db_type_of(state.sources, answering_source(result, *state.model));
  std::string memo_key;
  if (!result.cache_key.empty() && state.formatted) {
    memo_key = result.cache_key + '\x1f' + std::to_string(result.computed_at_utc) + '\x1f' +
               (result.from_cache ? '1' : '0') + (blending ? '1' : '0') + '\x1f' + db_type +
               '\x1f' + json::serialize(state.call.normalized[i]);
    if (auto text = state.formatted->get(memo_key)) return text;
  }
  auto tz = TimeZone::load(query.timezone);
  ValueFormatOptions values;
  values.utc_to_local = [tz](int64_t utc) { return tz->utc_to_local(utc); };
  ResultInfo info;
  info.db_type = std::move(db_type);
  // A cached answer was computed earlier: report when.
  info.last_refresh_time =
      result.computed_at_utc > 0 ? format_iso_local(result.computed_at_utc, 3) + "Z" : refreshed;
  info.blending = blending;
  auto text = std::make_shared<const std::string>(json::serialize(
      format_result(result, query, state.call.normalized[i], *state.model, values, info)));
  if (!memo_key.empty()) state.formatted->put(memo_key, text);
  return text;
}

HttpResponse finish(LoadState& state) {
  // Every query is done: the retries are served, so stop holding them.
  for (size_t i = 0; i < state.pending.size(); ++i) {
    state.holdover->release(state.keys[i], state.pending[i].get());
  }
  std::string refreshed = format_iso_local(now_utc_micros(), 3) + "Z";
  bool blending = state.call.query_type == "blendingQuery";
  HttpResponse response;
  response.status = 200;
  if (!state.call.multi) {
    response.body = *result_text(state, 0, refreshed, blending);
    return response;
  }
  // {"queryType": ..., "results": [...], "pivotQuery": {...}, "slowQuery": false},
  // with the results' text spliced in as it is.
  std::string& body = response.body;
  body =
      "{\"queryType\":" + json::serialize(json::string(state.call.query_type)) + ",\"results\":[";
  for (size_t i = 0; i < state.pending.size(); ++i) {
    if (i > 0) body += ',';
    body += *result_text(state, i, refreshed, blending);
  }
  body += "],\"pivotQuery\":";
  body += json::serialize(pivot_query(state.call.query_type, state.call.normalized));
  body += ",\"slowQuery\":false}";
  return response;
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
          std::chrono::seconds(60), 3 * options_.continue_wait))),
      formatted_(std::make_shared<FormattedResults>(kFormattedResultsBytes)) {}

RouteOutcome LoadHandler::operator()(const HttpRequest& request, const SecurityContext& security) {
  auto state = std::make_shared<LoadState>();
  state->model = service_.model();
  if (!state->model) throw SourceError("model", "no model is loaded");
  state->holdover = holdover_;
  state->formatted = formatted_;
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
