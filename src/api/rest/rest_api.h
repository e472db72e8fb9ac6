// Cube's REST API (1.x shapes, so @cubejs-client/core works unchanged) on a
// Router. docs/rest-api.md describes every endpoint.
//
//   GET|POST {base}/v1/load       run queries (long polling: "Continue wait")
//   GET|POST {base}/v1/subscribe  the same (the client's polling subscribe())
//   GET      {base}/v1/meta       cubes, views and members
//   GET|POST {base}/v1/sql        the SQL a query compiles to
//   GET|POST {base}/v1/dry-run    normalized queries without running them
//   GET      /livez, /readyz      health probes (no token needed)
//
// With options.sources set it also registers the source administration API
// (api/sources_admin.h).
#pragma once

#include <chrono>
#include <string>

#include "api/router.h"
#include "exec/query_service.h"
#include "query/cube_query.h"
#include "source/source.h"

namespace strata {

struct RestOptions {
  QueryLimits limits;
  bool dev_mode = false;  // /meta lists hidden members too
  std::chrono::milliseconds continue_wait{10'000};
  const SourceRegistry* sources = nullptr;  // for /readyz and dbType; may be null
  std::string base_path = "/cubejs-api";
};

// `service` (and `options.sources`) must outlive the router.
void register_rest_routes(Router& router, QueryService& service, const RestOptions& options);

}  // namespace strata
