#include "api/rest/parsed_call.h"

#include <boost/json.hpp>

#include "api/rest/rest_request.h"
#include "core/error.h"

namespace strata {

ParsedCall parse_call(const HttpRequest& request, const Model& model, const QueryLimits& limits) {
  RestCall call = read_rest_call(request);
  QueryList list = query_list(call);
  ParsedCall out;
  out.multi = call.query_type == "multi";
  out.query_type = list.is_array ? "blendingQuery" : "regularQuery";
  ParseOptions options;
  options.limits = limits;
  for (size_t i = 0; i < list.queries.size(); ++i) {
    try {
      out.queries.push_back(parse_cube_query(*list.queries[i], model, options));
    } catch (const Error& e) {
      if (!list.is_array) throw;
      ErrorContext context = e.context();
      std::string prefix = "query[" + std::to_string(i) + "]";
      context.json_path = context.json_path.empty() ? prefix : prefix + "." + context.json_path;
      throw Error(e.kind(), e.message(), std::move(context));
    }
    out.normalized.push_back(to_cube_json(out.queries.back()));
  }
  return out;
}

}  // namespace strata
