#include "core/result_set.h"

#include <cassert>

#include "core/error.h"

namespace strata {

void Column::reserve(size_t n) {
  nulls_.reserve(n);
  switch (type_.storage()) {
    case Storage::kInt:
      ints_.reserve(n);
      break;
    case Storage::kDouble:
      doubles_.reserve(n);
      break;
    case Storage::kDecimal:
      decimals_.reserve(n);
      break;
    case Storage::kString:
      strings_.reserve(n);
      break;
  }
}

Value Column::value_at(size_t row) const {
  Value v;
  v.type = type_;
  v.null = is_null(row);
  if (v.null) return v;
  switch (type_.storage()) {
    case Storage::kInt:
      v.i = ints_[row];
      break;
    case Storage::kDouble:
      v.d = doubles_[row];
      break;
    case Storage::kDecimal:
      v.dec = decimals_[row];
      break;
    case Storage::kString:
      v.s = strings_[row];
      break;
  }
  return v;
}

// Every storage keeps one slot per row, so row i is at index i in whichever
// vector the type uses; a NULL row stores a zero/empty placeholder.
void Column::append_null() {
  nulls_.push_back(1);
  switch (type_.storage()) {
    case Storage::kInt:
      ints_.push_back(0);
      break;
    case Storage::kDouble:
      doubles_.push_back(0);
      break;
    case Storage::kDecimal:
      decimals_.push_back(0);
      break;
    case Storage::kString:
      strings_.emplace_back();
      break;
  }
}

void Column::append_int(int64_t v) {
  assert(type_.storage() == Storage::kInt);
  nulls_.push_back(0);
  ints_.push_back(v);
}

void Column::append_double(double v) {
  assert(type_.storage() == Storage::kDouble);
  nulls_.push_back(0);
  doubles_.push_back(v);
}

void Column::append_decimal(__int128 v) {
  assert(type_.storage() == Storage::kDecimal);
  nulls_.push_back(0);
  decimals_.push_back(v);
}

void Column::append_string(std::string v) {
  assert(type_.storage() == Storage::kString);
  nulls_.push_back(0);
  strings_.push_back(std::move(v));
}

namespace {

__int128 pow10_128(int n) {
  __int128 r = 1;
  for (int i = 0; i < n; ++i)
    r *= 10;
  return r;
}

}  // namespace

void Column::append_value(const Value& v) {
  if (v.null) {
    append_null();
    return;
  }
  Storage from = v.type.storage();
  Storage to = type_.storage();
  if (from == to) {
    switch (to) {
      case Storage::kInt:
        append_int(v.i);
        return;
      case Storage::kDouble:
        append_double(v.d);
        return;
      case Storage::kString:
        append_string(v.s);
        return;
      case Storage::kDecimal: {
        int shift = type_.scale - v.type.scale;
        if (shift >= 0) {
          append_decimal(v.dec * pow10_128(shift));
        } else {
          append_decimal(v.dec / pow10_128(-shift));
        }
        return;
      }
    }
  }
  if (from == Storage::kInt && to == Storage::kDecimal) {
    append_decimal(static_cast<__int128>(v.i) * pow10_128(type_.scale));
    return;
  }
  if (from == Storage::kInt && to == Storage::kDouble) {
    append_double(static_cast<double>(v.i));
    return;
  }
  if (from == Storage::kDecimal && to == Storage::kDouble) {
    append_double(decimal_to_double(v.dec, v.type.scale));
    return;
  }
  if (to == Storage::kString) {
    append_string(to_text(v));
    return;
  }
  throw InternalError("cannot store a " + v.type.name() + " value in a " + type_.name() +
                      " column");
}

ResultSet::ResultSet(std::vector<ColumnInfo> schema) : schema_(std::move(schema)) {
  columns_.reserve(schema_.size());
  for (const auto& c : schema_)
    columns_.emplace_back(c.type);
}

int ResultSet::find_column(std::string_view name) const {
  for (size_t i = 0; i < schema_.size(); ++i) {
    if (schema_[i].name == name) return static_cast<int>(i);
  }
  return -1;
}

void ResultSet::append(const ResultSet& other) {
  if (other.column_count() != column_count()) {
    throw InternalError("appending a result with " + std::to_string(other.column_count()) +
                        " columns to one with " + std::to_string(column_count()));
  }
  for (size_t c = 0; c < columns_.size(); ++c) {
    const Column& src = other.columns_[c];
    Column& dst = columns_[c];
    // No reserve(size + n) here: called once per batch, it would copy the
    // column every time; push_back's geometric growth keeps appends linear.
    for (size_t r = 0; r < src.size(); ++r)
      dst.append_value(src.value_at(r));
  }
}

void ResultSet::slice(size_t offset, size_t count) {
  size_t n = row_count();
  if (offset >= n) {
    offset = n;
    count = 0;
  }
  if (offset + count > n) count = n - offset;
  if (offset == 0 && count == n) return;
  ResultSet out(schema_);
  for (size_t c = 0; c < columns_.size(); ++c) {
    Column& dst = out.columns_[c];
    dst.reserve(count);
    for (size_t r = offset; r < offset + count; ++r)
      dst.append_value(columns_[c].value_at(r));
  }
  columns_ = std::move(out.columns_);
}

}  // namespace strata
