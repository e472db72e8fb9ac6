// /v1/load: parses the queries, submits them to the QueryService (planning
// errors come back at once), and defers the answer until they finish. When
// they take longer than continue_wait the server answers 200
// {"error": "Continue wait"}, which makes @cubejs-client/core retry the same
// request; the retry attaches to the same running query (QueryService
// deduplicates identical in-flight queries, and RetryHoldover bridges the
// gap when the query finishes just before the retry arrives).
//
// Answer: with queryType=multi (what the client sends)
//   {"queryType": "regularQuery" | "blendingQuery", "results": [...],
//    "pivotQuery": {...}, "slowQuery": false}
// otherwise the single result object itself (see result_format.h). An array
// of queries without queryType=multi is refused, as Cube does.
#pragma once

#include <memory>
#include <string>

#include "api/http_message.h"
#include "api/rest/formatted_results.h"
#include "api/rest/rest_api.h"
#include "api/rest/retry_holdover.h"
#include "exec/query_service.h"

namespace strata {

class LoadHandler {
 public:
  LoadHandler(QueryService& service, RestOptions options);

  // Throws strata::Error for bad input (the Router answers it).
  RouteOutcome operator()(const HttpRequest& request, const SecurityContext& security);

  RetryHoldover& holdover() { return *holdover_; }

 private:
  // Formatted answers kept for result-cache hits (api/rest/formatted_results.h).
  static constexpr size_t kFormattedResultsBytes = size_t{64} << 20;

  QueryService& service_;
  RestOptions options_;
  std::shared_ptr<RetryHoldover> holdover_;
  std::shared_ptr<FormattedResults> formatted_;
};

// The engine type of data source `name` ("duckdb", "postgres"...) as
// reported in dbType; "duckdb" when unknown.
std::string db_type_of(const SourceRegistry* sources, const std::string& name);

}  // namespace strata
