#include "api/preagg_api.h"

#include <boost/json.hpp>

#include "api/error_response.h"
#include "core/error.h"
#include "core/time.h"

namespace strata {

namespace json = boost::json;

namespace {

json::value iso_utc(int64_t utc) {
  if (utc == 0) return nullptr;
  return json::value(format_iso_local(utc, 3) + "Z");
}

json::array strings(const std::vector<std::string>& v) {
  json::array out;
  for (const auto& s : v) out.push_back(json::value(s));
  return out;
}

json::object definition(const PreAggregation& p) {
  json::object d;
  d["type"] = pre_aggregation_type_name(p.type);
  if (p.type == PreAggregationType::kRollupLambda) {
    d["rollups"] = json::array{json::value(p.lambda_rollup)};
    d["unionWithSourceData"] = p.union_with_source_data;
    return d;
  }
  d["measures"] = strings(p.measures);
  d["dimensions"] = strings(p.dimensions);
  d["segments"] = strings(p.segments);
  d["timeDimension"] =
      p.time_dimension.empty() ? json::value(nullptr) : json::value(p.time_dimension);
  d["granularity"] =
      p.granularity ? json::value(granularity_name(*p.granularity)) : json::value(nullptr);
  d["partitionGranularity"] = p.partition_granularity
                                  ? json::value(granularity_name(*p.partition_granularity))
                                  : json::value(nullptr);
  d["timezone"] = p.timezone;
  json::object key;
  if (p.refresh_key) {
    if (p.refresh_key->every_micros > 0) {
      key["every"] = std::to_string(p.refresh_key->every_micros / kMicrosPerSecond) + " second";
    }
    if (!p.refresh_key->sql.empty()) key["sql"] = p.refresh_key->sql;
    key["incremental"] = p.refresh_key->incremental;
    if (p.refresh_key->update_window_micros > 0) {
      key["updateWindow"] =
          std::to_string(p.refresh_key->update_window_micros / kMicrosPerSecond) + " second";
    }
  } else {
    key["every"] = "3600 second";
  }
  d["refreshKey"] = std::move(key);
  return d;
}

json::object describe(const PreAggregation& p, PreAggStore& store, const RefreshWorker* worker) {
  json::object o;
  o["id"] = p.full_name();
  o["preAggregationName"] = p.name;
  o["cube"] = p.cube;
  const Cube* cube = store.model()->find_cube(p.cube);
  o["dataSource"] = cube ? cube->data_source : "default";
  o["type"] = pre_aggregation_type_name(p.type);
  o["preAggregation"] = definition(p);
  if (p.type == PreAggregationType::kRollupLambda) {
    o["status"] = "lambda";
    return o;
  }
  std::string fingerprint, table;
  std::string error;
  try {
    fingerprint = store.fingerprint(p);
    table = store.table_name(p);
  } catch (const Error& e) {
    error = e.message();
  }
  o["tableName"] = table;
  auto m = store.read_manifest(p);
  RefreshWorker::Status st = worker ? worker->status(p.full_name()) : RefreshWorker::Status{};
  bool current = m && m->fingerprint == fingerprint;
  std::string status = !error.empty()          ? "invalid"
                       : st.building           ? "building"
                       : !m                    ? "not_built"
                       : !current              ? "outdated"
                       : m->partitions.empty() ? "empty"
                                               : "built";
  o["status"] = status;
  int64_t rows = 0, bytes = 0;
  json::array parts;
  if (m) {
    auto tz = TimeZone::load(m->timezone);
    for (const auto& part : m->partitions) {
      json::object j;
      j["name"] = part.name;
      j["tableName"] = m->table + "_" + part.name;
      bool whole = part.to_local <= part.from_local;
      j["rangeStart"] =
          whole ? json::value(nullptr) : json::value(format_iso_local(part.from_local));
      j["rangeEnd"] = whole
                          ? json::value(nullptr)
                          : json::value(format_iso_local(part.to_local - 1000));  // inclusive .999
      j["timezone"] = m->timezone;
      j["rows"] = part.rows;
      j["sizeBytes"] = part.bytes;
      j["refreshKey"] = part.refresh_key;
      j["builtAt"] = iso_utc(part.built_at_utc);
      rows += part.rows;
      bytes += part.bytes;
      parts.push_back(std::move(j));
    }
  }
  o["partitions"] = std::move(parts);
  o["rows"] = rows;
  o["sizeBytes"] = bytes;
  // Whether queries read the current build from memory (docs/caching.md).
  o["inMemory"] = current && !store.memory_table(p).empty();
  o["lastRefreshAt"] = m ? iso_utc(m->last_refresh_utc) : json::value(nullptr);
  o["lastAttemptAt"] = iso_utc(st.last_attempt_utc);
  std::string last_error = !error.empty() ? error : st.last_error;
  o["error"] = last_error.empty() ? json::value(nullptr) : json::value(last_error);
  return o;
}

std::vector<std::string> string_list(const json::object& o, std::string_view key,
                                     const std::string& path) {
  std::vector<std::string> out;
  const json::value* v = o.if_contains(key);
  if (!v || v->is_null()) return out;
  if (!v->is_array()) {
    throw UserError("'" + std::string(key) + "' must be an array of strings",
                    {.json_path = path + std::string(key)});
  }
  for (const auto& x : v->get_array()) {
    if (!x.is_string()) {
      throw UserError("'" + std::string(key) + "' must be an array of strings",
                      {.json_path = path + std::string(key)});
    }
    out.emplace_back(x.get_string());
  }
  return out;
}

RefreshSelector parse_selector(const json::object& sel) {
  RefreshSelector s;
  s.pre_aggregations = string_list(sel, "preAggregations", "selector.");
  s.cubes = string_list(sel, "cubes", "selector.");
  s.data_sources = string_list(sel, "dataSources", "selector.");
  std::vector<std::string> zones = string_list(sel, "timezones", "selector.");
  auto tz = TimeZone::load(zones.empty() ? "UTC" : zones[0]);
  std::vector<std::string> range = string_list(sel, "dateRange", "selector.");
  if (!range.empty()) {
    if (range.size() != 2) {
      throw UserError("selector.dateRange must be [from, to]", {.json_path = "selector.dateRange"});
    }
    auto from = parse_iso_timestamp(range[0]);
    auto to = parse_iso_timestamp(range[1]);
    if (!from || !to) {
      throw UserError("selector.dateRange holds dates or timestamps",
                      {.json_path = "selector.dateRange"});
    }
    auto instant = [&](const ParsedTimestamp& t) {
      return t.offset_seconds ? t.micros - int64_t{*t.offset_seconds} * kMicrosPerSecond
                              : tz->local_to_utc(t.micros);
    };
    int64_t end = to->date_only ? instant(*to) + kMicrosPerDay : instant(*to) + 1;
    s.date_range = std::make_pair(instant(*from), end);
  }
  return s;
}

json::object selector_json(const RefreshSelector& s, const std::string& pre_aggregation,
                           const PreAggStore& store) {
  json::object o;
  const PreAggregation* p = store.find(pre_aggregation);
  o["cubes"] = json::array{json::value(p ? p->cube : "")};
  o["preAggregations"] = json::array{json::value(pre_aggregation)};
  json::object context;
  context["securityContext"] = json::object{};
  o["contexts"] = json::array{std::move(context)};
  o["timezones"] = json::array{json::value(p ? p->timezone : "UTC")};
  const Cube* cube = p ? store.model()->find_cube(p->cube) : nullptr;
  o["dataSources"] = json::array{json::value(cube ? cube->data_source : "default")};
  if (s.date_range) {
    o["dateRange"] = json::array{json::value(format_iso_local(s.date_range->first) + "Z"),
                                 json::value(format_iso_local(s.date_range->second) + "Z")};
  }
  return o;
}

HttpResponse jobs(PreAggStore& store, RefreshWorker* worker, const HttpRequest& request) {
  boost::system::error_code ec;
  json::value body = json::parse(request.body, ec);
  if (ec || !body.is_object()) {
    throw UserError("the body must be a JSON object with an action",
                    {.hint = R"(send {"action": "post", "selector": {...}})"});
  }
  const json::object& o = body.get_object();
  const json::value* action = o.if_contains("action");
  if (!action || !action->is_string()) {
    throw UserError("'action' is missing", {.json_path = "action", .hint = "use post or get"});
  }
  if (!worker) {
    throw UserError("this server has no pre-aggregations to build",
                    {.hint = "define pre_aggregations in the model"});
  }
  if (action->get_string() == "post") {
    const json::value* sel = o.if_contains("selector");
    if (!sel || !sel->is_object()) {
      throw UserError("'selector' is missing", {.json_path = "selector"});
    }
    RefreshSelector selector = parse_selector(sel->get_object());
    std::vector<std::string> tokens = worker->submit(selector);
    if (tokens.empty()) {
      throw UserError(
          "A user's selector doesn't match any of the pre-aggregations defined in the data model",
          {.json_path = "selector", .hint = "GET /v1/pre-aggregations lists them"});
    }
    return json_response(200, json::value(strings(tokens)));
  }
  if (action->get_string() == "get") {
    std::vector<std::string> tokens = string_list(o, "tokens", "");
    const json::value* res_type = o.if_contains("resType");
    bool as_object = res_type && res_type->is_string() && res_type->get_string() == "object";
    json::array list;
    json::object by_token;
    for (const auto& token : tokens) {
      json::object j;
      j["token"] = token;
      auto job = worker->job(token);
      if (!job) {
        j["status"] = "not_found";
      } else {
        j["table"] = job->table;
        j["status"] = job->status;
        j["selector"] = selector_json(job->selector, job->pre_aggregation, store);
        if (!job->error.empty()) j["error"] = job->error;
      }
      if (as_object) {
        by_token[token] = std::move(j);
      } else {
        list.push_back(std::move(j));
      }
    }
    return as_object ? json_response(200, by_token) : json_response(200, json::value(list));
  }
  throw UserError("unknown action '" + std::string(action->get_string()) + "'",
                  {.json_path = "action", .hint = "use post or get"});
}

}  // namespace

void register_pre_aggregation_routes(Router& router, PreAggStore& store, RefreshWorker* worker,
                                     const std::string& base_path) {
  const std::string v1 = base_path + "/v1";
  router.add("GET", v1 + "/pre-aggregations",
             [&store, worker](const HttpRequest&, const SecurityContext&) {
               RouteOutcome outcome;
               // Reading manifests is file I/O: off the I/O threads.
               outcome.blocking = [&store, worker] {
                 json::array list;
                 for (const PreAggregation* p : store.all()) {
                   list.push_back(describe(*p, store, worker));
                 }
                 json::object body;
                 body["preAggregations"] = std::move(list);
                 return json_response(200, body);
               };
               return outcome;
             });
  router.add("POST", v1 + "/pre-aggregations/jobs",
             [&store, worker](const HttpRequest& r, const SecurityContext&) {
               return RouteOutcome::now(jobs(store, worker, r));
             });
}

}  // namespace strata
