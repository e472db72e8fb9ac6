// The source administration API (docs/sources.md), behind the same token
// check as the REST API:
//
//   GET  /api/v1/sources                              every source, its type and health
//   GET  /api/v1/sources/{name}/tables                its tables and views
//   GET  /api/v1/sources/{name}/tables/{table}/stats  row count; per column null
//        fraction, approximate distinct count, min, max ({table} is "name" or
//        "schema.name"; ?schema=S names the schema explicitly)
//   POST /api/v1/sources/{name}/query                 {"sql": "...", "limit": 1000,
//        "timeoutMs": 30000}: read-only SQL pass-through, rows as JSON
//
// Every handler runs on the server's blocking pool, bounded by a timeout.
// The table of a stats request must be one list_tables() reports; the stats
// SQL is built by the source's dialect from describe_table()'s names (quoted).
// The pass-through checks the SQL before the database sees it
// (check_read_only_sql, plus PostgreSQL's own parser for PostgreSQL sources)
// and runs it in a read-only transaction on PostgreSQL and MariaDB.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "api/router.h"
#include "source/source.h"

namespace strata {

struct SourcesAdminOptions {
  std::string base_path = "/api/v1/sources";
  int64_t default_limit = 1000;  // pass-through rows when the request names none
  int64_t max_limit = 50'000;
  std::chrono::milliseconds default_timeout{30'000};  // pass-through and stats
  std::chrono::milliseconds max_timeout{300'000};
};

// `sources` must outlive the router.
void register_sources_admin_routes(Router& router, const SourceRegistry& sources,
                                   const SourcesAdminOptions& options = {});

// The conservative check every engine gets: one statement (a trailing ';'
// allowed) that starts with SELECT, WITH, VALUES, TABLE, SHOW, EXPLAIN,
// DESCRIBE or DESC, and has no word that writes, locks or changes the session
// (INSERT, UPDATE, DELETE, INTO, SET, COPY, CREATE, ...) outside quoted
// strings, quoted identifiers and comments. String literals holding a
// backslash and any '$' outside quotes are refused, because engines disagree
// on what they mean. Throws UserError naming what it refused.
void check_read_only_sql(const std::string& sql);

}  // namespace strata
