// Logical column types of a ResultSet, and Value, one typed scalar.
//
// Physical representation (what a Column stores for each type):
//   kBoolean, kInt16, kInt32, kInt64  -> int64_t
//   kDate                              -> int64_t days since 1970-01-01
//   kTimestamp                         -> int64_t microseconds since 1970-01-01 00:00 (wall clock)
//   kTimestampTz                       -> int64_t microseconds since the Unix epoch (UTC instant)
//   kTime                              -> int64_t microseconds since midnight
//   kFloat, kDouble                    -> double
//   kDecimal                           -> __int128 unscaled, with Type::scale digits after the
//   point kString, kUuid, kJson, kInterval, kBlob -> std::string (interval as ISO text)
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace strata {

enum class TypeId : uint8_t {
  kNull,  // only for a Value that is an untyped NULL
  kBoolean,
  kInt16,
  kInt32,
  kInt64,
  kFloat,
  kDouble,
  kDecimal,
  kString,
  kDate,
  kTimestamp,
  kTimestampTz,
  kTime,
  kInterval,
  kUuid,
  kJson,
  kBlob,
};

enum class Storage : uint8_t { kInt, kDouble, kDecimal, kString };

struct Type {
  TypeId id = TypeId::kNull;
  uint8_t precision = 0;  // kDecimal only
  uint8_t scale = 0;      // kDecimal only

  static Type of(TypeId id) { return Type{id, 0, 0}; }
  static Type decimal(uint8_t precision, uint8_t scale) {
    return Type{TypeId::kDecimal, precision, scale};
  }

  Storage storage() const;
  bool is_numeric() const;   // integers, floats and decimals
  bool is_temporal() const;  // date, timestamp, timestamptz, time
  // Lower-case SQL-ish name: "bigint", "decimal(18,2)", "timestamp with time zone".
  std::string name() const;

  friend bool operator==(const Type&, const Type&) = default;
};

// One typed scalar: a query literal, a cell read out of a Column.
struct Value {
  Type type;
  bool null = true;
  int64_t i = 0;     // Storage::kInt
  double d = 0;      // Storage::kDouble
  __int128 dec = 0;  // Storage::kDecimal (unscaled)
  std::string s;     // Storage::kString

  static Value null_of(Type t) {
    Value x;
    x.type = t;
    return x;
  }
  static Value boolean(bool b) { return of_int(Type::of(TypeId::kBoolean), b ? 1 : 0); }
  static Value int64(int64_t v) { return of_int(Type::of(TypeId::kInt64), v); }
  static Value temporal(TypeId id, int64_t v) { return of_int(Type::of(id), v); }
  static Value float64(double v) {
    Value x;
    x.type = Type::of(TypeId::kDouble);
    x.null = false;
    x.d = v;
    return x;
  }
  static Value string(std::string v) {
    Value x;
    x.type = Type::of(TypeId::kString);
    x.null = false;
    x.s = std::move(v);
    return x;
  }
  static Value decimal(__int128 unscaled, uint8_t precision, uint8_t scale) {
    Value x;
    x.type = Type::decimal(precision, scale);
    x.null = false;
    x.dec = unscaled;
    return x;
  }

 private:
  static Value of_int(Type t, int64_t v) {
    Value x;
    x.type = t;
    x.null = false;
    x.i = v;
    return x;
  }
};

// PostgreSQL-style text of a non-null value: "42", "12.50", "t"/"f" is NOT used
// here (booleans are "true"/"false"), "2024-01-31", "2024-01-31 13:45:00",
// "2024-01-31 13:45:00+00", doubles in shortest round-trip form.
std::string to_text(const Value& v);

// Decimal helpers shared by every formatter.
std::string decimal_to_string(__int128 unscaled, int scale);
double decimal_to_double(__int128 unscaled, int scale);
std::string int128_to_string(__int128 v);
// Shortest text that reads back as the same double ("0.1", "1e+20", "NaN", "Infinity").
std::string double_to_string(double v);

}  // namespace strata
