// The lake administration API (docs/lake.md), behind the same token check as
// the REST API:
//
//   GET /api/v1/lake                                      the iceberg data sources
//   GET /api/v1/lake/{source}/namespaces                  their namespaces
//   GET /api/v1/lake/{source}/namespaces/{ns}/tables      a namespace's tables ({ns}: "a.b")
//   GET /api/v1/lake/{source}/tables/{table}              a table: schema, partition specs,
//        snapshots with summaries, refs, file and row counts ({table}: "ns.name");
//        ?asOf=V counts at a version (query/table_version.h), ?count=false skips
//        counting rows after deletes
//
// Handlers run on the server's blocking pool (they read catalogs and files).
#pragma once

#include <string>

#include "api/router.h"
#include "source/source.h"

namespace strata {

// `sources` must outlive the router.
void register_lake_admin_routes(Router& router, const SourceRegistry& sources,
                                const std::string& base_path = "/api/v1/lake");

}  // namespace strata
