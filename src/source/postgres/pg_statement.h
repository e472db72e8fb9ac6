// Read-only statement check for PostgreSQL SQL, with PostgreSQL's own parser
// (libpg_query): what the admin API's SQL pass-through lets through to a
// PostgreSQL source, before the database sees it.
#pragma once

#include <string>

namespace strata {

// Returns normally when `sql` is exactly one statement that reads: SELECT,
// VALUES or TABLE (no INTO, no FOR UPDATE/SHARE, no data-modifying WITH),
// EXPLAIN of one (ANALYZE included: it runs a read), or SHOW; and calls none
// of the server functions with side effects (pg_terminate_backend,
// set_config, lo_import, ...). Otherwise throws UserError saying why (with
// the position of a syntax error).
void check_postgres_read_only(const std::string& sql);

}  // namespace strata
