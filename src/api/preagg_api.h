// The pre-aggregation API, behind the same token check as the REST API
// (docs/caching.md shows every field):
//
//   GET  {base}/v1/pre-aggregations        every pre-aggregation with its
//        definition and status: built partitions (range, rows, size, refresh
//        key, build time), total rows and size, last refresh, last error
//   POST {base}/v1/pre-aggregations/jobs   Cube's Orchestration API:
//        {"action": "post", "selector": {"preAggregations": [...], "cubes": [...],
//         "dataSources": [...], "dateRange": [from, to], "contexts": [...],
//         "timezones": [...]}} queues forced builds and answers their tokens;
//        {"action": "get", "tokens": [...], "resType": "object"?} answers each
//        job's {token, table, status, selector}; status is scheduled,
//        processing, done or missing_partition (failed)
//
// Building runs on the refresh worker's thread, never on the I/O threads.
#pragma once

#include <string>

#include "api/router.h"
#include "cache/preagg_store.h"
#include "cache/refresh_worker.h"

namespace strata {

// `store` and `worker` must outlive the router; `worker` may be null (then
// jobs are refused with 400).
void register_pre_aggregation_routes(Router& router, PreAggStore& store, RefreshWorker* worker,
                                     const std::string& base_path = "/cubejs-api");

}  // namespace strata
