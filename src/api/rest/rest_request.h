// Reading the arguments of a Cube REST call. GET requests carry them as URL
// parameters (`query` is URL-encoded JSON), POST requests as a JSON body
// ({"query": ..., "queryType": "multi"}); a POST with an empty body falls
// back to the URL parameters.
#pragma once

#include <boost/json/value.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "api/http_message.h"

namespace strata {

struct RestCall {
  boost::json::value query;  // null when the call has no `query`
  std::string query_type;    // `queryType`: "multi" from @cubejs-client/core, "" when absent
};

// Throws UserError (400) when the body or the `query` parameter is not
// valid JSON (naming the character where parsing stopped), or the body is
// not a JSON object.
RestCall read_rest_call(const HttpRequest& request);

// The query objects of a call: one for a single query, several for an array
// (a data-blending "multi" query). Throws UserError when the call has no
// query ("Query param is required"), or when it, or an element of the
// array, is not a JSON object.
struct QueryList {
  std::vector<const boost::json::value*> queries;
  bool is_array = false;
};
QueryList query_list(const RestCall& call);

// Parses JSON text; throws UserError "Unable to decode <what> as JSON: ..."
// with the 1-based character position of the problem.
boost::json::value parse_json_text(std::string_view text, std::string_view what);

}  // namespace strata
