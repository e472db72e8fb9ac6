// DuckDB statements strata runs on its own embedded databases (rollup files,
// tables loaded into memory), rendered with identifiers quoted and paths as
// string literals. Only names and paths strata makes go in; never request
// values.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace strata::sql {

// The table function over Parquet files: "read_parquet(['a', 'b'])".
std::string duckdb_read_parquet(const std::vector<std::string>& paths);
// COPY (<select>) TO '<path>' (FORMAT parquet)
std::string duckdb_copy_to_parquet(std::string_view select, const std::string& path);
// CREATE TABLE "<table>" AS <select>
std::string duckdb_create_table_as(std::string_view table, std::string_view select);
// DROP TABLE IF EXISTS "<table>"
std::string duckdb_drop_table(std::string_view table);

}  // namespace strata::sql
