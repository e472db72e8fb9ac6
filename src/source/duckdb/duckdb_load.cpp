#include "source/duckdb/duckdb_load.h"

#include <cstring>
#include <memory>
#include <vector>

#include "core/error.h"

namespace strata::duckdb_internal {

namespace {

std::string quote(std::string_view id) {
  std::string out = "\"";
  for (char c : id) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

// The DuckDB type a column is stored as, and the SQL spelling of it.
duckdb_logical_type logical_type(const Type& t) {
  switch (t.id) {
    case TypeId::kBoolean: return duckdb_create_logical_type(DUCKDB_TYPE_BOOLEAN);
    case TypeId::kInt16: return duckdb_create_logical_type(DUCKDB_TYPE_SMALLINT);
    case TypeId::kInt32: return duckdb_create_logical_type(DUCKDB_TYPE_INTEGER);
    case TypeId::kInt64: return duckdb_create_logical_type(DUCKDB_TYPE_BIGINT);
    case TypeId::kFloat: return duckdb_create_logical_type(DUCKDB_TYPE_FLOAT);
    case TypeId::kDouble: return duckdb_create_logical_type(DUCKDB_TYPE_DOUBLE);
    case TypeId::kDecimal: return duckdb_create_decimal_type(38, t.scale);
    case TypeId::kDate: return duckdb_create_logical_type(DUCKDB_TYPE_DATE);
    case TypeId::kTimestamp: return duckdb_create_logical_type(DUCKDB_TYPE_TIMESTAMP);
    case TypeId::kTimestampTz: return duckdb_create_logical_type(DUCKDB_TYPE_TIMESTAMP_TZ);
    case TypeId::kTime: return duckdb_create_logical_type(DUCKDB_TYPE_TIME);
    default: return duckdb_create_logical_type(DUCKDB_TYPE_VARCHAR);
  }
}

std::string sql_type(const Type& t) {
  switch (t.id) {
    case TypeId::kBoolean: return "BOOLEAN";
    case TypeId::kInt16: return "SMALLINT";
    case TypeId::kInt32: return "INTEGER";
    case TypeId::kInt64: return "BIGINT";
    case TypeId::kFloat: return "FLOAT";
    case TypeId::kDouble: return "DOUBLE";
    case TypeId::kDecimal: return "DECIMAL(38," + std::to_string(t.scale) + ")";
    case TypeId::kDate: return "DATE";
    case TypeId::kTimestamp: return "TIMESTAMP";
    case TypeId::kTimestampTz: return "TIMESTAMPTZ";
    case TypeId::kTime: return "TIME";
    default: return "VARCHAR";
  }
}

struct TypeList {
  std::vector<duckdb_logical_type> types;
  ~TypeList() {
    for (auto& t : types) duckdb_destroy_logical_type(&t);
  }
};

struct ChunkHandle {
  duckdb_data_chunk chunk = nullptr;
  ~ChunkHandle() {
    if (chunk) duckdb_destroy_data_chunk(&chunk);
  }
};

struct AppenderHandle {
  duckdb_appender appender = nullptr;
  ~AppenderHandle() {
    if (appender) duckdb_appender_destroy(&appender);
  }
};

void exec(duckdb_connection conn, const std::string& source, const std::string& sql) {
  duckdb_result result;
  bool failed = duckdb_query(conn, sql.c_str(), &result) == DuckDBError;
  std::string error = failed && duckdb_result_error(&result) ? duckdb_result_error(&result) : "";
  duckdb_destroy_result(&result);
  if (failed) throw SourceError(source, "loading a merge table failed: " + error);
}

// Copies rows [begin, begin + n) of `col` into chunk vector `v`.
void fill(duckdb_vector v, const Column& col, size_t begin, size_t n) {
  const Type& t = col.type();
  bool any_null = false;
  for (size_t r = 0; r < n && !any_null; ++r) any_null = col.is_null(begin + r);
  uint64_t* validity = nullptr;
  if (any_null) {
    duckdb_vector_ensure_validity_writable(v);
    validity = duckdb_vector_get_validity(v);
  }
  void* data = duckdb_vector_get_data(v);
  for (size_t r = 0; r < n; ++r) {
    size_t row = begin + r;
    if (col.is_null(row)) {
      duckdb_validity_set_row_invalid(validity, r);
      continue;
    }
    switch (t.id) {
      case TypeId::kBoolean: static_cast<bool*>(data)[r] = col.int_at(row) != 0; break;
      case TypeId::kInt16:
        static_cast<int16_t*>(data)[r] = static_cast<int16_t>(col.int_at(row));
        break;
      case TypeId::kInt32:
        static_cast<int32_t*>(data)[r] = static_cast<int32_t>(col.int_at(row));
        break;
      case TypeId::kDate:
        static_cast<int32_t*>(data)[r] = static_cast<int32_t>(col.int_at(row));
        break;
      case TypeId::kInt64:
      case TypeId::kTimestamp:
      case TypeId::kTimestampTz:
      case TypeId::kTime: static_cast<int64_t*>(data)[r] = col.int_at(row); break;
      case TypeId::kFloat:
        static_cast<float*>(data)[r] = static_cast<float>(col.double_at(row));
        break;
      case TypeId::kDouble: static_cast<double*>(data)[r] = col.double_at(row); break;
      case TypeId::kDecimal: {
        __int128 value = col.decimal_at(row);
        duckdb_hugeint h;
        h.lower = static_cast<uint64_t>(value);
        h.upper = static_cast<int64_t>(value >> 64);
        static_cast<duckdb_hugeint*>(data)[r] = h;
        break;
      }
      default: {
        const std::string& s = col.type().storage() == Storage::kString
                                   ? col.string_at(row)
                                   : to_text(col.value_at(row));
        duckdb_vector_assign_string_element_len(v, r, s.data(), s.size());
        break;
      }
    }
  }
}

}  // namespace

void load_temp_table(duckdb_connection conn, const std::string& source, const std::string& name,
                     const ResultSet& rows) {
  std::string ddl = "CREATE OR REPLACE TEMP TABLE " + quote(name) + " (";
  for (size_t c = 0; c < rows.column_count(); ++c) {
    if (c) ddl += ", ";
    const auto& info = rows.schema()[c];
    // Unnamed columns still need distinct names in a table.
    ddl += quote(info.name.empty() ? "col" + std::to_string(c) : info.name) + " " +
           sql_type(info.type);
  }
  ddl += ")";
  exec(conn, source, ddl);
  if (rows.row_count() == 0) return;

  AppenderHandle appender;
  if (duckdb_appender_create_ext(conn, "temp", "main", name.c_str(), &appender.appender) ==
      DuckDBError) {
    std::string e = appender.appender && duckdb_appender_error(appender.appender)
                        ? duckdb_appender_error(appender.appender)
                        : "cannot create an appender";
    throw SourceError(source, "loading merge table " + name + ": " + e);
  }
  TypeList types;
  for (const auto& info : rows.schema()) types.types.push_back(logical_type(info.type));
  const size_t capacity = duckdb_vector_size();
  ChunkHandle chunk;
  chunk.chunk = duckdb_create_data_chunk(types.types.data(), types.types.size());
  for (size_t begin = 0; begin < rows.row_count(); begin += capacity) {
    size_t n = std::min(capacity, rows.row_count() - begin);
    duckdb_data_chunk_reset(chunk.chunk);
    for (size_t c = 0; c < rows.column_count(); ++c) {
      fill(duckdb_data_chunk_get_vector(chunk.chunk, c), rows.column(c), begin, n);
    }
    duckdb_data_chunk_set_size(chunk.chunk, n);
    if (duckdb_append_data_chunk(appender.appender, chunk.chunk) == DuckDBError) {
      const char* e = duckdb_appender_error(appender.appender);
      throw SourceError(source, "loading merge table " + name + ": " + (e ? e : "append failed"));
    }
  }
  if (duckdb_appender_close(appender.appender) == DuckDBError) {
    const char* e = duckdb_appender_error(appender.appender);
    throw SourceError(source, "loading merge table " + name + ": " + (e ? e : "close failed"));
  }
}

void drop_temp_table(duckdb_connection conn, const std::string& name) {
  duckdb_result result;
  std::string sql = "DROP TABLE IF EXISTS temp.main." + quote(name);
  duckdb_query(conn, sql.c_str(), &result);
  duckdb_destroy_result(&result);
}

}  // namespace strata::duckdb_internal
