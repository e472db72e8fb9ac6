// The queries of a /load, /sql or /dry-run call, parsed and validated
// against the Model, each with its normalized echo (to_cube_json).
#pragma once

#include <boost/json/value.hpp>
#include <string>
#include <vector>

#include "api/http_message.h"
#include "model/model.h"
#include "query/cube_query.h"
#include "query/semantic_query.h"

namespace strata {

struct ParsedCall {
  std::string query_type;  // "regularQuery", or "blendingQuery" for an array of queries
  bool multi = false;      // the caller sent queryType=multi (wants {"results": [...]})
  std::vector<SemanticQuery> queries;
  std::vector<boost::json::value> normalized;
};

// Throws UserError for unreadable input (see rest_request.h) and whatever
// parse_cube_query throws; errors inside the i-th query of an array get
// "query[i]." in front of their JSON path.
ParsedCall parse_call(const HttpRequest& request, const Model& model, const QueryLimits& limits);

}  // namespace strata
