// Internal to source/duckdb/: loading a ResultSet into a DuckDB table
// through the appender, one data chunk at a time (no SQL text per value).
#pragma once

#include <duckdb.h>

#include <string>

#include "core/result_set.h"

namespace strata::duckdb_internal {

// Creates TEMP table `name` with columns named and typed after `rows` and
// appends every row. Decimals keep their scale (stored as DECIMAL(38, s));
// strings, UUIDs, JSON, intervals and blobs are VARCHAR. Throws SourceError
// (naming `source`) with DuckDB's message when a step fails.
void load_temp_table(duckdb_connection conn, const std::string& source, const std::string& name,
                     const ResultSet& rows);

// Drops TEMP table `name` if it exists; never throws.
void drop_temp_table(duckdb_connection conn, const std::string& name);

}  // namespace strata::duckdb_internal
