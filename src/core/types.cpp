#include "core/types.h"

#include <charconv>
#include <cmath>
#include <cstdio>

#include "core/time.h"

namespace strata {

Storage Type::storage() const {
  switch (id) {
    case TypeId::kFloat:
    case TypeId::kDouble:
      return Storage::kDouble;
    case TypeId::kDecimal:
      return Storage::kDecimal;
    case TypeId::kNull:
    case TypeId::kString:
    case TypeId::kInterval:
    case TypeId::kUuid:
    case TypeId::kJson:
    case TypeId::kBlob:
      return Storage::kString;
    default:
      return Storage::kInt;
  }
}

bool Type::is_numeric() const {
  switch (id) {
    case TypeId::kInt16:
    case TypeId::kInt32:
    case TypeId::kInt64:
    case TypeId::kFloat:
    case TypeId::kDouble:
    case TypeId::kDecimal:
      return true;
    default:
      return false;
  }
}

bool Type::is_temporal() const {
  return id == TypeId::kDate || id == TypeId::kTimestamp || id == TypeId::kTimestampTz ||
         id == TypeId::kTime;
}

std::string Type::name() const {
  switch (id) {
    case TypeId::kNull:
      return "null";
    case TypeId::kBoolean:
      return "boolean";
    case TypeId::kInt16:
      return "smallint";
    case TypeId::kInt32:
      return "integer";
    case TypeId::kInt64:
      return "bigint";
    case TypeId::kFloat:
      return "real";
    case TypeId::kDouble:
      return "double precision";
    case TypeId::kDecimal:
      return "numeric(" + std::to_string(precision) + "," + std::to_string(scale) + ")";
    case TypeId::kString:
      return "text";
    case TypeId::kDate:
      return "date";
    case TypeId::kTimestamp:
      return "timestamp";
    case TypeId::kTimestampTz:
      return "timestamp with time zone";
    case TypeId::kTime:
      return "time";
    case TypeId::kInterval:
      return "interval";
    case TypeId::kUuid:
      return "uuid";
    case TypeId::kJson:
      return "json";
    case TypeId::kBlob:
      return "bytea";
  }
  return "unknown";
}

std::string int128_to_string(__int128 v) {
  if (v == 0) return "0";
  bool negative = v < 0;
  // Work with the magnitude as unsigned so the minimum value does not overflow.
  unsigned __int128 u = negative ? -static_cast<unsigned __int128>(v) : v;
  char buf[48];
  int pos = sizeof(buf);
  while (u > 0) {
    buf[--pos] = static_cast<char>('0' + static_cast<int>(u % 10));
    u /= 10;
  }
  if (negative) buf[--pos] = '-';
  return std::string(buf + pos, sizeof(buf) - pos);
}

std::string decimal_to_string(__int128 unscaled, int scale) {
  if (scale <= 0) return int128_to_string(unscaled);
  bool negative = unscaled < 0;
  unsigned __int128 u = negative ? -static_cast<unsigned __int128>(unscaled) : unscaled;
  std::string digits = int128_to_string(static_cast<__int128>(u));
  if (static_cast<int>(digits.size()) <= scale) {
    digits.insert(0, scale - digits.size() + 1, '0');
  }
  std::string out = negative ? "-" : "";
  out += digits.substr(0, digits.size() - scale);
  out += '.';
  out += digits.substr(digits.size() - scale);
  return out;
}

double decimal_to_double(__int128 unscaled, int scale) {
  return static_cast<double>(unscaled) / std::pow(10.0, scale);
}

std::string double_to_string(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "Infinity" : "-Infinity";
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof(buf), v);
  return std::string(buf, res.ptr);
}

std::string to_text(const Value& v) {
  if (v.null) return "";
  switch (v.type.id) {
    case TypeId::kBoolean:
      return v.i ? "true" : "false";
    case TypeId::kInt16:
    case TypeId::kInt32:
    case TypeId::kInt64:
      return std::to_string(v.i);
    case TypeId::kFloat:
    case TypeId::kDouble:
      return double_to_string(v.d);
    case TypeId::kDecimal:
      return decimal_to_string(v.dec, v.type.scale);
    case TypeId::kDate:
      return format_date(v.i);
    case TypeId::kTimestamp:
      return format_sql_timestamp(v.i);
    case TypeId::kTimestampTz:
      return format_sql_timestamp(v.i) + "+00";
    case TypeId::kTime: {
      std::string ts = format_sql_timestamp(v.i);
      return ts.substr(11);
    }
    default:
      return v.s;
  }
}

}  // namespace strata
