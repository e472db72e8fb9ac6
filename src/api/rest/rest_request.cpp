#include "api/rest/rest_request.h"

#include <boost/json.hpp>

#include "core/error.h"

namespace strata {

namespace json = boost::json;

json::value parse_json_text(std::string_view text, std::string_view what) {
  json::stream_parser parser;
  boost::system::error_code ec;
  size_t consumed = parser.write(text.data(), text.size(), ec);
  if (!ec) parser.finish(ec);
  if (ec) {
    int position = static_cast<int>(consumed) + 1;
    throw UserError("Unable to decode " + std::string(what) + " as JSON: " + ec.message() +
                        " at character " + std::to_string(position),
                    {.json_path = what == "query param" ? "query" : "",
                     .position = position,
                     .hint = "send the query as a JSON object, URL-encoded in GET requests"});
  }
  return parser.release();
}

RestCall read_rest_call(const HttpRequest& request) {
  RestCall call;
  bool use_body =
      request.method == "POST" && request.body.find_first_not_of(" \t\r\n") != std::string::npos;
  if (use_body) {
    json::value body = parse_json_text(request.body, "request body");
    if (!body.is_object()) {
      throw UserError("The request body must be a JSON object such as {\"query\": {...}}",
                      {.hint = "wrap the query: {\"query\": {\"measures\": [\"orders.count\"]}}"});
    }
    json::object& obj = body.as_object();
    if (auto* q = obj.if_contains("query")) call.query = std::move(*q);
    if (auto* t = obj.if_contains("queryType"); t && t->is_string()) {
      call.query_type = std::string(t->get_string());
    }
  } else {
    if (const std::string* q = request.param("query")) {
      call.query = parse_json_text(*q, "query param");
    }
    if (const std::string* t = request.param("queryType")) call.query_type = *t;
  }
  // Cube also accepts the query as a JSON string inside the body.
  if (call.query.is_string()) {
    std::string text(call.query.get_string());
    call.query = parse_json_text(text, "query param");
  }
  return call;
}

QueryList query_list(const RestCall& call) {
  QueryList out;
  if (call.query.is_null()) {
    throw UserError(
        "Query param is required",
        {.json_path = "query",
         .hint = "pass ?query=<URL-encoded JSON> (GET) or a body {\"query\": {...}} (POST)"});
  }
  if (call.query.is_object()) {
    out.queries.push_back(&call.query);
    return out;
  }
  if (call.query.is_array()) {
    out.is_array = true;
    const json::array& arr = call.query.get_array();
    if (arr.empty()) {
      throw UserError("The query array is empty",
                      {.json_path = "query", .hint = "send one query object, or several"});
    }
    for (size_t i = 0; i < arr.size(); ++i) {
      if (!arr[i].is_object()) {
        throw UserError("Each query in the array must be a JSON object",
                        {.json_path = "query[" + std::to_string(i) + "]"});
      }
      out.queries.push_back(&arr[i]);
    }
    return out;
  }
  throw UserError("The query must be a JSON object (or an array of them)",
                  {.json_path = "query", .hint = "for example {\"measures\": [\"orders.count\"]}"});
}

}  // namespace strata
