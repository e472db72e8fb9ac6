// Which tier holds a date, for every tiered cube (docs/federation.md):
//
//   GET /api/v1/sources/recommend?date=2024-05-01[&timezone=Europe/Berlin]
//   -> {"date": "2024-05-01T00:00:00.000Z",
//       "cubes": [{"cube": "events", "timeDimension": "events.created_at",
//                  "boundary": "2024-04-21T00:00:00.000Z", "tier": "hot",
//                  "dataSource": "pg", "table": "public.events"}]}
//
// `date` is a date or timestamp, wall clock in `timezone` (default UTC) unless
// it carries an offset; the answer's instants are UTC. Behind the API token.
#pragma once

#include "api/router.h"
#include "exec/query_service.h"

namespace strata {

// `service` must outlive the router.
void register_tier_routes(Router& router, QueryService& service,
                          const std::string& base_path = "/api/v1/sources");

}  // namespace strata
