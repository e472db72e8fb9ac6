#include "sql/duckdb_statements.h"

#include "sql/dialect.h"

namespace strata::sql {

namespace {

const Dialect& duckdb() {
  return dialect_named("duckdb");
}

}  // namespace

std::string duckdb_read_parquet(const std::vector<std::string>& paths) {
  std::string out = "read_parquet([";
  for (size_t i = 0; i < paths.size(); ++i) {
    if (i) out += ", ";
    out += duckdb().string_literal(paths[i]);
  }
  return out + "])";
}

std::string duckdb_copy_to_parquet(std::string_view select, const std::string& path) {
  return "COPY (" + std::string(select) + ") TO " + duckdb().string_literal(path) +
         " (FORMAT parquet)";
}

std::string duckdb_create_table_as(std::string_view table, std::string_view select) {
  return "CREATE TABLE " + duckdb().quote_identifier(table) + " AS " + std::string(select);
}

std::string duckdb_drop_table(std::string_view table) {
  return "DROP TABLE IF EXISTS " + duckdb().quote_identifier(table);
}

}  // namespace strata::sql
