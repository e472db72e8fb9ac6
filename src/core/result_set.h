// ResultSet: the typed, columnar result every source produces and every
// frontend formats. Columns are stored whole (one vector per column), which
// keeps formatting loops tight; streaming producers hand out several
// ResultSets of the same schema, one per batch.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "core/types.h"

namespace strata {

class Column {
 public:
  explicit Column(Type type = Type::of(TypeId::kString)) : type_(type) {}

  const Type& type() const { return type_; }
  size_t size() const { return nulls_.size(); }
  void reserve(size_t n);

  bool is_null(size_t row) const { return nulls_[row] != 0; }
  // Accessors for the physical storage of type() (see core/types.h). Calling
  // the wrong one is a programming error (checked by assert in debug builds).
  int64_t int_at(size_t row) const { return ints_[row]; }
  double double_at(size_t row) const { return doubles_[row]; }
  __int128 decimal_at(size_t row) const { return decimals_[row]; }
  const std::string& string_at(size_t row) const { return strings_[row]; }
  Value value_at(size_t row) const;

  void append_null();
  void append_int(int64_t v);
  void append_double(double v);
  void append_decimal(__int128 v);
  void append_string(std::string v);
  // Appends v, converting between storages where it is lossless or the type
  // says so (an int into a decimal column, a decimal into a double column).
  // Throws InternalError for conversions that make no sense.
  void append_value(const Value& v);

 private:
  Type type_;
  std::vector<uint8_t> nulls_;  // 1 = NULL; one entry per row in every storage
  std::vector<int64_t> ints_;
  std::vector<double> doubles_;
  std::vector<__int128> decimals_;
  std::vector<std::string> strings_;
};

struct ColumnInfo {
  std::string name;
  Type type;
};

class ResultSet {
 public:
  ResultSet() = default;
  explicit ResultSet(std::vector<ColumnInfo> schema);

  const std::vector<ColumnInfo>& schema() const { return schema_; }
  size_t column_count() const { return schema_.size(); }
  size_t row_count() const { return columns_.empty() ? 0 : columns_[0].size(); }
  // Index of the column called `name`, or -1.
  int find_column(std::string_view name) const;

  const Column& column(size_t i) const { return columns_[i]; }
  Column& column(size_t i) { return columns_[i]; }

  // Appends every row of `other`, which must have the same column types.
  void append(const ResultSet& other);
  // Keeps only rows [offset, offset + count).
  void slice(size_t offset, size_t count);

 private:
  std::vector<ColumnInfo> schema_;
  std::vector<Column> columns_;
};

}  // namespace strata
