// Internal to the DuckDB source: turning DuckDB result vectors into strata
// Columns (the type mapping is documented in duckdb_source.h). DuckDB's own
// header stays in the .cpp files; its handle types are only forward-declared.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "core/result_set.h"

struct _duckdb_logical_type;
struct _duckdb_vector;

namespace strata::duckdb_detail {

// Reads one result column. Built once per result from the column's logical
// type (which it does not keep), then used for every chunk. Immutable after
// construction, so it may be shared between threads.
class ColumnReader {
 public:
  // Throws InternalError for a type that cannot occur in a query result.
  explicit ColumnReader(_duckdb_logical_type* type);
  ~ColumnReader();
  ColumnReader(ColumnReader&&) noexcept;
  ColumnReader& operator=(ColumnReader&&) noexcept;

  // The strata type of the column.
  const Type& type() const { return type_; }
  // Appends rows [begin, end) of `vector` (a column of a fetched data chunk,
  // of this reader's type) to `out`, whose type must be type().
  void append(_duckdb_vector* vector, size_t begin, size_t end, Column& out) const;

  struct Node;  // the column's type tree

 private:
  std::unique_ptr<Node> root_;
  Type type_;
};

// The strata type DuckDB's `type` is read as (as ColumnReader would).
Type strata_type_of(_duckdb_logical_type* type);

// ISO-8601 text of a DuckDB interval: "P1Y2M3DT4H5M6.5S", "PT0S" when zero;
// each field carries its own sign ("P-1Y2M", "PT-1.5S"), as PostgreSQL writes
// intervals in its iso_8601 style.
std::string format_interval(int32_t months, int32_t days, int64_t micros);
// Canonical text of a UUID given as DuckDB stores it: a hugeint whose top bit
// is flipped (so that UUIDs sort as unsigned numbers).
std::string format_uuid(uint64_t lower, int64_t upper);

}  // namespace strata::duckdb_detail
