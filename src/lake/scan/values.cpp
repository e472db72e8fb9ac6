#include "lake/scan/values.h"

#include <boost/json.hpp>
#include <cmath>
#include <cstring>

#include "core/time.h"

namespace strata::lake {

namespace {

template <typename T>
T load_le(std::string_view b) {
  T v{};
  uint64_t acc = 0;
  for (size_t i = 0; i < sizeof(T); ++i)
    acc |= static_cast<uint64_t>(static_cast<uint8_t>(b[i])) << (8 * i);
  if constexpr (std::is_integral_v<T>) {
    v = static_cast<T>(acc);
  } else if constexpr (sizeof(T) == 4) {
    auto bits = static_cast<uint32_t>(acc);
    std::memcpy(&v, &bits, 4);
  } else {
    std::memcpy(&v, &acc, 8);
  }
  return v;
}

template <typename T>
std::string store_le(T v) {
  uint64_t bits = 0;
  if constexpr (std::is_integral_v<T>) {
    bits = static_cast<uint64_t>(v);
  } else if constexpr (sizeof(T) == 4) {
    uint32_t b32 = 0;
    std::memcpy(&b32, &v, 4);
    bits = b32;
  } else {
    std::memcpy(&bits, &v, 8);
  }
  std::string out(sizeof(T), '\0');
  for (size_t i = 0; i < sizeof(T); ++i) out[i] = static_cast<char>((bits >> (8 * i)) & 0xff);
  return out;
}

Value with_type(Value v, Type t) {
  v.type = t;
  return v;
}

Value int_value(TypeId id, int64_t x) {
  return Value::temporal(id, x);
}

int64_t floor_div(int64_t a, int64_t b) {
  int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

std::string quote_sql(std::string_view s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') out += '\'';
    out += c;
  }
  return out + "'";
}

std::string hex(std::string_view bytes) {
  static const char* kHex = "0123456789abcdef";
  std::string out;
  for (char c : bytes) {
    auto b = static_cast<uint8_t>(c);
    out += kHex[b >> 4];
    out += kHex[b & 15];
  }
  return out;
}

std::optional<std::string> unhex(std::string_view text) {
  if (text.size() % 2) return std::nullopt;
  std::string out;
  auto nib = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  for (size_t i = 0; i < text.size(); i += 2) {
    int hi = nib(text[i]), lo = nib(text[i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out += static_cast<char>(hi * 16 + lo);
  }
  return out;
}

std::optional<__int128> parse_decimal_text(std::string_view text, int scale) {
  bool neg = false;
  size_t i = 0;
  if (i < text.size() && (text[i] == '-' || text[i] == '+')) neg = text[i++] == '-';
  __int128 v = 0;
  int frac = -1;
  bool any = false;
  for (; i < text.size(); ++i) {
    char c = text[i];
    if (c == '.') {
      if (frac >= 0) return std::nullopt;
      frac = 0;
      continue;
    }
    if (c < '0' || c > '9') return std::nullopt;
    any = true;
    if (frac >= 0) {
      if (frac == scale) continue;  // extra digits are cut
      ++frac;
    }
    v = v * 10 + (c - '0');
  }
  if (!any) return std::nullopt;
  for (int f = frac < 0 ? 0 : frac; f < scale; ++f) v *= 10;
  return neg ? -v : v;
}

}  // namespace

std::string decimal_to_bytes(__int128 unscaled) {
  std::string be;
  for (int i = 15; i >= 0; --i)
    be += static_cast<char>(
        static_cast<uint8_t>((static_cast<unsigned __int128>(unscaled) >> (8 * i)) & 0xff));
  // Drop redundant sign bytes.
  size_t start = 0;
  while (start + 1 < be.size()) {
    auto b0 = static_cast<uint8_t>(be[start]);
    auto b1 = static_cast<uint8_t>(be[start + 1]);
    if ((b0 == 0x00 && (b1 & 0x80) == 0) || (b0 == 0xff && (b1 & 0x80) != 0)) {
      ++start;
    } else {
      break;
    }
  }
  return be.substr(start);
}

__int128 decimal_from_bytes(std::string_view bytes) {
  if (bytes.empty()) return 0;
  unsigned __int128 v =
      (static_cast<uint8_t>(bytes[0]) & 0x80) ? ~static_cast<unsigned __int128>(0) : 0;
  for (char c : bytes) v = (v << 8) | static_cast<uint8_t>(c);
  return static_cast<__int128>(v);
}

std::optional<std::string> uuid_bytes(std::string_view text) {
  std::string digits;
  for (char c : text) {
    if (c != '-') digits += c;
  }
  if (digits.size() != 32) return std::nullopt;
  return unhex(digits);
}

std::string uuid_text(std::string_view b) {
  std::string h = hex(b);
  if (h.size() != 32) return h;
  return h.substr(0, 8) + "-" + h.substr(8, 4) + "-" + h.substr(12, 4) + "-" + h.substr(16, 4) +
         "-" + h.substr(20);
}

std::optional<Value> decode_single_value(std::string_view b, const IcebergType& t) {
  switch (t.kind) {
    case TypeKind::kBoolean:
      if (b.size() != 1) return std::nullopt;
      return Value::boolean(b[0] != 0);
    case TypeKind::kInt:
      if (b.size() != 4) return std::nullopt;
      return int_value(TypeId::kInt32, load_le<int32_t>(b));
    case TypeKind::kLong:
      if (b.size() == 4) return int_value(TypeId::kInt64, load_le<int32_t>(b));
      if (b.size() != 8) return std::nullopt;
      return int_value(TypeId::kInt64, load_le<int64_t>(b));
    case TypeKind::kFloat:
      if (b.size() != 4) return std::nullopt;
      return with_type(Value::float64(load_le<float>(b)), Type::of(TypeId::kFloat));
    case TypeKind::kDouble:
      if (b.size() == 4) return Value::float64(load_le<float>(b));
      if (b.size() != 8) return std::nullopt;
      return Value::float64(load_le<double>(b));
    case TypeKind::kDecimal:
      if (b.empty() || b.size() > 16) return std::nullopt;
      return Value::decimal(decimal_from_bytes(b), static_cast<uint8_t>(t.precision),
                            static_cast<uint8_t>(t.scale));
    case TypeKind::kDate:
      if (b.size() != 4) return std::nullopt;
      return int_value(TypeId::kDate, load_le<int32_t>(b));
    case TypeKind::kTime:
      if (b.size() != 8) return std::nullopt;
      return int_value(TypeId::kTime, load_le<int64_t>(b));
    case TypeKind::kTimestamp:
    case TypeKind::kTimestampTz: {
      TypeId id = t.kind == TypeKind::kTimestamp ? TypeId::kTimestamp : TypeId::kTimestampTz;
      if (b.size() == 4) return int_value(id, int64_t{load_le<int32_t>(b)} * kMicrosPerDay);
      if (b.size() != 8) return std::nullopt;
      return int_value(id, load_le<int64_t>(b));
    }
    case TypeKind::kTimestampNs:
    case TypeKind::kTimestampTzNs: {
      TypeId id = t.kind == TypeKind::kTimestampNs ? TypeId::kTimestamp : TypeId::kTimestampTz;
      if (b.size() != 8) return std::nullopt;
      return int_value(id, floor_div(load_le<int64_t>(b), 1000));
    }
    case TypeKind::kString: return Value::string(std::string(b));
    case TypeKind::kUuid:
      if (b.size() != 16) return std::nullopt;
      return with_type(Value::string(std::string(b)), Type::of(TypeId::kUuid));
    case TypeKind::kFixed:
    case TypeKind::kBinary:
      return with_type(Value::string(std::string(b)), Type::of(TypeId::kBlob));
    default: return std::nullopt;
  }
}

std::string encode_single_value(const Value& v, const IcebergType& t) {
  switch (t.kind) {
    case TypeKind::kBoolean: return std::string(1, v.i ? '\x01' : '\x00');
    case TypeKind::kInt:
    case TypeKind::kDate: return store_le<int32_t>(static_cast<int32_t>(v.i));
    case TypeKind::kLong:
    case TypeKind::kTime:
    case TypeKind::kTimestamp:
    case TypeKind::kTimestampTz: return store_le<int64_t>(v.i);
    case TypeKind::kTimestampNs:
    case TypeKind::kTimestampTzNs: return store_le<int64_t>(v.i * 1000);
    case TypeKind::kFloat: return store_le<float>(static_cast<float>(v.d));
    case TypeKind::kDouble: return store_le<double>(v.d);
    case TypeKind::kDecimal: return decimal_to_bytes(v.dec);
    default: return v.s;
  }
}

Value partition_value(const Value& raw, const IcebergType& t) {
  if (raw.null) {
    return Value::null_of(strata_type(t));
  }
  switch (t.kind) {
    case TypeKind::kBoolean: return Value::boolean(raw.i != 0);
    case TypeKind::kInt: return int_value(TypeId::kInt32, raw.i);
    case TypeKind::kLong: return int_value(TypeId::kInt64, raw.i);
    case TypeKind::kDate: return int_value(TypeId::kDate, raw.i);
    case TypeKind::kTime: return int_value(TypeId::kTime, raw.i);
    case TypeKind::kTimestamp: return int_value(TypeId::kTimestamp, raw.i);
    case TypeKind::kTimestampTz: return int_value(TypeId::kTimestampTz, raw.i);
    case TypeKind::kTimestampNs: return int_value(TypeId::kTimestamp, floor_div(raw.i, 1000));
    case TypeKind::kTimestampTzNs: return int_value(TypeId::kTimestampTz, floor_div(raw.i, 1000));
    case TypeKind::kFloat: return with_type(Value::float64(raw.d), Type::of(TypeId::kFloat));
    case TypeKind::kDouble: return Value::float64(raw.d);
    case TypeKind::kDecimal:
      if (raw.type.storage() == Storage::kString) {
        return Value::decimal(decimal_from_bytes(raw.s), static_cast<uint8_t>(t.precision),
                              static_cast<uint8_t>(t.scale));
      }
      return Value::decimal(raw.i, static_cast<uint8_t>(t.precision),
                            static_cast<uint8_t>(t.scale));
    case TypeKind::kString: return Value::string(raw.s);
    case TypeKind::kUuid: return with_type(Value::string(raw.s), Type::of(TypeId::kUuid));
    case TypeKind::kFixed:
    case TypeKind::kBinary: return with_type(Value::string(raw.s), Type::of(TypeId::kBlob));
    default: return raw;
  }
}

std::optional<Value> parse_json_value(const std::string& json_text, const IcebergType& t) {
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(json_text, ec);
  if (ec) return std::nullopt;
  if (v.is_null()) return Value::null_of(strata_type(t));
  auto as_text = [&]() -> std::optional<std::string> {
    if (v.is_string()) return std::string(v.get_string());
    return std::nullopt;
  };
  auto as_int = [&]() -> std::optional<int64_t> {
    if (v.is_int64()) return v.get_int64();
    if (v.is_uint64()) return static_cast<int64_t>(v.get_uint64());
    return std::nullopt;
  };
  auto timestamp = [&](TypeId id) -> std::optional<Value> {
    auto s = as_text();
    if (!s) return std::nullopt;
    auto p = parse_iso_timestamp(*s);
    if (!p) return std::nullopt;
    int64_t micros = p->micros - int64_t{p->offset_seconds.value_or(0)} * kMicrosPerSecond;
    return int_value(id, micros);
  };
  switch (t.kind) {
    case TypeKind::kBoolean:
      if (!v.is_bool()) return std::nullopt;
      return Value::boolean(v.get_bool());
    case TypeKind::kInt:
    case TypeKind::kLong: {
      auto i = as_int();
      if (!i) return std::nullopt;
      return int_value(t.kind == TypeKind::kInt ? TypeId::kInt32 : TypeId::kInt64, *i);
    }
    case TypeKind::kFloat:
    case TypeKind::kDouble: {
      if (!v.is_number()) return std::nullopt;
      Value out = Value::float64(v.to_number<double>());
      if (t.kind == TypeKind::kFloat) out.type = Type::of(TypeId::kFloat);
      return out;
    }
    case TypeKind::kDecimal: {
      auto s = as_text();
      if (!s) return std::nullopt;
      auto d = parse_decimal_text(*s, t.scale);
      if (!d) return std::nullopt;
      return Value::decimal(*d, static_cast<uint8_t>(t.precision), static_cast<uint8_t>(t.scale));
    }
    case TypeKind::kDate: {
      auto s = as_text();
      auto p = s ? parse_iso_timestamp(*s) : std::nullopt;
      if (!p) return std::nullopt;
      return int_value(TypeId::kDate, floor_div(p->micros, kMicrosPerDay));
    }
    case TypeKind::kTime: {
      auto s = as_text();
      if (!s) return std::nullopt;
      auto p = parse_iso_timestamp("1970-01-01T" + *s);
      if (!p) return std::nullopt;
      return int_value(TypeId::kTime, p->micros);
    }
    case TypeKind::kTimestamp:
    case TypeKind::kTimestampNs: return timestamp(TypeId::kTimestamp);
    case TypeKind::kTimestampTz:
    case TypeKind::kTimestampTzNs: return timestamp(TypeId::kTimestampTz);
    case TypeKind::kString: {
      auto s = as_text();
      if (!s) return std::nullopt;
      return Value::string(*s);
    }
    case TypeKind::kUuid: {
      auto s = as_text();
      auto b = s ? uuid_bytes(*s) : std::nullopt;
      if (!b) return std::nullopt;
      return with_type(Value::string(*b), Type::of(TypeId::kUuid));
    }
    case TypeKind::kFixed:
    case TypeKind::kBinary: {
      auto s = as_text();
      auto b = s ? unhex(*s) : std::nullopt;
      if (!b) return std::nullopt;
      return with_type(Value::string(*b), Type::of(TypeId::kBlob));
    }
    default: return std::nullopt;
  }
}

std::string display_value(const Value& v) {
  if (v.null) return "null";
  switch (v.type.id) {
    case TypeId::kUuid: return uuid_text(v.s);
    case TypeId::kBlob: return "0x" + hex(v.s);
    case TypeId::kFloat:
    case TypeId::kDouble: return double_to_string(v.d);
    default: return to_text(v);
  }
}

std::string sql_literal(const Value& v, const IcebergType& t) {
  std::string type = duckdb_type(t);
  if (v.null) return "CAST(NULL AS " + type + ")";
  std::string text;
  switch (v.type.id) {
    case TypeId::kBoolean: return v.i ? "TRUE" : "FALSE";
    case TypeId::kUuid: text = uuid_text(v.s); break;
    case TypeId::kBlob: {
      // DuckDB reads \xHH escapes when casting text to BLOB.
      for (char c : v.s) {
        static const char* kHex = "0123456789ABCDEF";
        auto b = static_cast<uint8_t>(c);
        text += "\\x";
        text += kHex[b >> 4];
        text += kHex[b & 15];
      }
      break;
    }
    case TypeId::kFloat:
    case TypeId::kDouble:
      if (std::isnan(v.d)) {
        text = "nan";
      } else if (std::isinf(v.d)) {
        text = v.d > 0 ? "inf" : "-inf";
      } else {
        text = double_to_string(v.d);
      }
      break;
    case TypeId::kTimestampTz: text = format_sql_timestamp(v.i) + "+00"; break;
    default: text = to_text(v); break;
  }
  return "CAST(" + quote_sql(text) + " AS " + type + ")";
}

}  // namespace strata::lake
