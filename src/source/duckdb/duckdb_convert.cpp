#include "source/duckdb/duckdb_convert.h"

#include <duckdb.h>

#include <charconv>
#include <cstring>
#include <limits>
#include <string_view>
#include <utility>
#include <vector>

#include "core/error.h"
#include "core/time.h"
#include "core/types.h"

namespace strata::duckdb_detail {

namespace {

// Owns a duckdb_logical_type handle.
class LogicalType {
 public:
  explicit LogicalType(duckdb_logical_type t) : t_(t) {}
  ~LogicalType() {
    if (t_) duckdb_destroy_logical_type(&t_);
  }
  LogicalType(const LogicalType&) = delete;
  LogicalType& operator=(const LogicalType&) = delete;
  duckdb_logical_type get() const { return t_; }

 private:
  duckdb_logical_type t_;
};

// Takes ownership of a char* DuckDB allocated and returns it as a string.
std::string take_c_string(char* s) {
  if (!s) return {};
  std::string out(s);
  duckdb_free(s);
  return out;
}

bool is_valid(const uint64_t* validity, idx_t row) {
  return !validity || ((validity[row / 64] >> (row % 64)) & 1) != 0;
}

std::string_view view_of(const duckdb_string_t& s) {
  uint32_t len = s.value.inlined.length;
  if (len <= 12) return {s.value.inlined.inlined, len};
  return {s.value.pointer.ptr, len};
}

__int128 to_int128(const duckdb_hugeint& h) {
  unsigned __int128 u = (static_cast<unsigned __int128>(static_cast<uint64_t>(h.upper)) << 64) |
                        static_cast<unsigned __int128>(h.lower);
  return static_cast<__int128>(u);
}

std::string uint128_to_string(unsigned __int128 u) {
  if (u == 0) return "0";
  char buf[48];
  int pos = sizeof(buf);
  while (u > 0) {
    buf[--pos] = static_cast<char>('0' + static_cast<int>(u % 10));
    u /= 10;
  }
  return std::string(buf + pos, sizeof(buf) - pos);
}

// A FLOAT as the double with the same shortest decimal form, so 1.1::FLOAT
// reads 1.1 rather than 1.100000023841858.
double float_to_double(float f) {
  char buf[32];
  auto res = std::to_chars(buf, buf + sizeof(buf), f);
  double d = 0;
  auto parsed = std::from_chars(buf, res.ptr, d);
  if (parsed.ec != std::errc()) return static_cast<double>(f);  // nan, inf
  return d;
}

std::string float_to_string(float f) {
  return double_to_string(float_to_double(f));
}

// Timestamps in other units, as microseconds; DuckDB's infinities stay infinities.
constexpr int64_t kInfinity = std::numeric_limits<int64_t>::max();
int64_t scale_up(int64_t v, int64_t factor) {
  if (v == kInfinity || v == -kInfinity) return v;
  return v * factor;
}
int64_t floor_div(int64_t v, int64_t d) {
  if (v == kInfinity || v == -kInfinity) return v;
  int64_t q = v / d;
  if (v % d != 0 && v < 0) --q;
  return q;
}

std::string format_time_of_day(int64_t micros) {
  return format_sql_timestamp(micros).substr(11);  // "HH:MM:SS[.ffffff]"
}

std::string format_time_tz(uint64_t bits) {
  duckdb_time_tz tz{bits};
  duckdb_time_tz_struct s = duckdb_from_time_tz(tz);
  int64_t micros = ((int64_t{s.time.hour} * 60 + s.time.min) * 60 + s.time.sec) * kMicrosPerSecond +
                   s.time.micros;
  std::string out = format_time_of_day(micros);
  int32_t off = s.offset;
  out += off < 0 ? '-' : '+';
  if (off < 0) off = -off;
  char buf[16];
  std::snprintf(buf, sizeof(buf), "%02d", off / 3600);
  out += buf;
  if (off % 3600 != 0) {
    std::snprintf(buf, sizeof(buf), ":%02d", (off / 60) % 60);
    out += buf;
    if (off % 60 != 0) {
      std::snprintf(buf, sizeof(buf), ":%02d", off % 60);
      out += buf;
    }
  }
  return out;
}

// BIT: the first byte counts the padding bits at the front of the second byte.
std::string format_bits(std::string_view bytes) {
  if (bytes.empty()) return {};
  int padding = static_cast<unsigned char>(bytes[0]);
  std::string out;
  out.reserve((bytes.size() - 1) * 8);
  for (size_t i = 1; i < bytes.size(); ++i) {
    auto b = static_cast<unsigned char>(bytes[i]);
    for (int bit = 7; bit >= 0; --bit) {
      if (i == 1 && 7 - bit < padding) continue;
      out += ((b >> bit) & 1) ? '1' : '0';
    }
  }
  return out;
}

// BIGNUM: a 3-byte header (top bit set for a non-negative number, then the
// byte count) and the magnitude big-endian; a negative number has every byte,
// header included, inverted.
std::string format_bignum(std::string_view bytes) {
  if (bytes.size() < 3) return {};
  bool negative = (static_cast<unsigned char>(bytes[0]) & 0x80) == 0;
  std::vector<uint8_t> mag;
  mag.reserve(bytes.size() - 3);
  for (size_t i = 3; i < bytes.size(); ++i) {
    auto b = static_cast<uint8_t>(bytes[i]);
    mag.push_back(negative ? static_cast<uint8_t>(~b) : b);
  }
  // Repeated division by 10^9 of the base-256 number.
  std::string digits;
  size_t start = 0;
  while (start < mag.size() && mag[start] == 0)
    ++start;
  while (start < mag.size()) {
    uint64_t rem = 0;
    for (size_t i = start; i < mag.size(); ++i) {
      uint64_t cur = (rem << 8) | mag[i];
      mag[i] = static_cast<uint8_t>(cur / 1'000'000'000);
      rem = cur % 1'000'000'000;
    }
    while (start < mag.size() && mag[start] == 0)
      ++start;
    for (int k = 0; k < 9; ++k) {
      if (start >= mag.size() && rem == 0) break;
      digits += static_cast<char>('0' + rem % 10);
      rem /= 10;
    }
  }
  if (digits.empty()) return "0";
  if (negative) digits += '-';
  return std::string(digits.rbegin(), digits.rend());
}

std::string escape_blob(std::string_view bytes) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (char c : bytes) {
    auto b = static_cast<unsigned char>(c);
    if (b >= 32 && b < 127 && b != '\\' && b != '\'' && b != '"') {
      out += c;
    } else {
      out += "\\x";
      out += kHex[b >> 4];
      out += kHex[b & 15];
    }
  }
  return out;
}

// Inside a nested value, text that could be misread is quoted.
bool needs_quotes(std::string_view s) {
  if (s.empty()) return true;
  if (s.size() == 4 && (s[0] == 'N' || s[0] == 'n') && (s[1] == 'U' || s[1] == 'u') &&
      (s[2] == 'L' || s[2] == 'l') && (s[3] == 'L' || s[3] == 'l')) {
    return true;
  }
  if (s.front() == ' ' || s.back() == ' ' || s.front() == '\t' || s.back() == '\t') return true;
  for (char c : s) {
    switch (c) {
      case ',':
      case '[':
      case ']':
      case '{':
      case '}':
      case '(':
      case ')':
      case '\'':
      case '"':
      case '=':
      case ':':
      case '\\':
      case '\n':
      case '\r':
        return true;
      default:
        break;
    }
  }
  return false;
}

void append_nested_text(std::string_view s, std::string& out) {
  if (!needs_quotes(s)) {
    out += s;
    return;
  }
  out += '\'';
  for (char c : s) {
    if (c == '\'' || c == '\\') out += '\\';
    out += c;
  }
  out += '\'';
}

}  // namespace

std::string format_interval(int32_t months, int32_t days, int64_t micros) {
  if (months == 0 && days == 0 && micros == 0) return "PT0S";
  std::string out = "P";
  int32_t years = months / 12;
  int32_t rest_months = months % 12;
  if (years != 0) out += std::to_string(years) + "Y";
  if (rest_months != 0) out += std::to_string(rest_months) + "M";
  if (days != 0) out += std::to_string(days) + "D";
  if (micros != 0) {
    out += 'T';
    int64_t hours = micros / kMicrosPerHour;
    int64_t rest = micros % kMicrosPerHour;
    int64_t minutes = rest / kMicrosPerMinute;
    rest %= kMicrosPerMinute;
    if (hours != 0) out += std::to_string(hours) + "H";
    if (minutes != 0) out += std::to_string(minutes) + "M";
    if (rest != 0) {
      if (rest < 0) out += '-';
      uint64_t abs_rest = rest < 0 ? static_cast<uint64_t>(-rest) : static_cast<uint64_t>(rest);
      out += std::to_string(abs_rest / kMicrosPerSecond);
      uint64_t frac = abs_rest % kMicrosPerSecond;
      if (frac != 0) {
        char buf[8];
        std::snprintf(buf, sizeof(buf), "%06llu", static_cast<unsigned long long>(frac));
        std::string f(buf);
        while (!f.empty() && f.back() == '0')
          f.pop_back();
        out += '.';
        out += f;
      }
      out += 'S';
    }
  }
  return out;
}

std::string format_uuid(uint64_t lower, int64_t upper) {
  uint64_t hi = static_cast<uint64_t>(upper) ^ (uint64_t{1} << 63);
  char buf[40];
  std::snprintf(buf, sizeof(buf), "%08llx-%04llx-%04llx-%04llx-%012llx",
                static_cast<unsigned long long>(hi >> 32),
                static_cast<unsigned long long>((hi >> 16) & 0xffff),
                static_cast<unsigned long long>(hi & 0xffff),
                static_cast<unsigned long long>(lower >> 48),
                static_cast<unsigned long long>(lower & 0xffffffffffffULL));
  return buf;
}

struct ColumnReader::Node {
  duckdb_type id = DUCKDB_TYPE_INVALID;
  duckdb_type internal = DUCKDB_TYPE_INVALID;  // DECIMAL and ENUM storage
  uint8_t width = 0;
  uint8_t scale = 0;
  bool json = false;                    // VARCHAR aliased JSON
  std::vector<std::string> dictionary;  // ENUM
  idx_t array_size = 0;                 // ARRAY
  std::vector<std::string> names;       // STRUCT fields, UNION members
  // LIST, ARRAY: the element; MAP: key, value; STRUCT: the fields; UNION: the members.
  std::vector<Node> children;
};

namespace {

using Node = ColumnReader::Node;

Node describe(duckdb_logical_type t) {
  Node n;
  n.id = duckdb_get_type_id(t);
  switch (n.id) {
    case DUCKDB_TYPE_DECIMAL:
      n.width = duckdb_decimal_width(t);
      n.scale = duckdb_decimal_scale(t);
      n.internal = duckdb_decimal_internal_type(t);
      break;
    case DUCKDB_TYPE_ENUM: {
      n.internal = duckdb_enum_internal_type(t);
      uint32_t size = duckdb_enum_dictionary_size(t);
      n.dictionary.reserve(size);
      for (uint32_t i = 0; i < size; ++i) {
        n.dictionary.push_back(take_c_string(duckdb_enum_dictionary_value(t, i)));
      }
      break;
    }
    case DUCKDB_TYPE_VARCHAR:
      n.json = take_c_string(duckdb_logical_type_get_alias(t)) == "JSON";
      break;
    case DUCKDB_TYPE_LIST: {
      LogicalType child(duckdb_list_type_child_type(t));
      n.children.push_back(describe(child.get()));
      break;
    }
    case DUCKDB_TYPE_ARRAY: {
      LogicalType child(duckdb_array_type_child_type(t));
      n.array_size = duckdb_array_type_array_size(t);
      n.children.push_back(describe(child.get()));
      break;
    }
    case DUCKDB_TYPE_MAP: {
      LogicalType key(duckdb_map_type_key_type(t));
      LogicalType value(duckdb_map_type_value_type(t));
      n.children.push_back(describe(key.get()));
      n.children.push_back(describe(value.get()));
      break;
    }
    case DUCKDB_TYPE_STRUCT: {
      idx_t count = duckdb_struct_type_child_count(t);
      for (idx_t i = 0; i < count; ++i) {
        n.names.push_back(take_c_string(duckdb_struct_type_child_name(t, i)));
        LogicalType child(duckdb_struct_type_child_type(t, i));
        n.children.push_back(describe(child.get()));
      }
      break;
    }
    case DUCKDB_TYPE_UNION: {
      idx_t count = duckdb_union_type_member_count(t);
      for (idx_t i = 0; i < count; ++i) {
        n.names.push_back(take_c_string(duckdb_union_type_member_name(t, i)));
        LogicalType child(duckdb_union_type_member_type(t, i));
        n.children.push_back(describe(child.get()));
      }
      break;
    }
    case DUCKDB_TYPE_INVALID:
    case DUCKDB_TYPE_ANY:
    case DUCKDB_TYPE_STRING_LITERAL:
    case DUCKDB_TYPE_INTEGER_LITERAL:
      throw InternalError("DuckDB returned a column of type " + std::to_string(n.id) +
                          ", which cannot be read");
    default:
      break;
  }
  return n;
}

Type type_of(const Node& n) {
  switch (n.id) {
    case DUCKDB_TYPE_BOOLEAN:
      return Type::of(TypeId::kBoolean);
    case DUCKDB_TYPE_TINYINT:
    case DUCKDB_TYPE_SMALLINT:
      return Type::of(TypeId::kInt16);
    case DUCKDB_TYPE_INTEGER:
      return Type::of(TypeId::kInt32);
    case DUCKDB_TYPE_BIGINT:
    case DUCKDB_TYPE_UTINYINT:
    case DUCKDB_TYPE_USMALLINT:
    case DUCKDB_TYPE_UINTEGER:
      return Type::of(TypeId::kInt64);
    case DUCKDB_TYPE_UBIGINT:
      return Type::decimal(20, 0);
    case DUCKDB_TYPE_HUGEINT:
      return Type::decimal(38, 0);
    case DUCKDB_TYPE_FLOAT:
      return Type::of(TypeId::kFloat);
    case DUCKDB_TYPE_DOUBLE:
      return Type::of(TypeId::kDouble);
    case DUCKDB_TYPE_DECIMAL:
      return Type::decimal(n.width, n.scale);
    case DUCKDB_TYPE_VARCHAR:
      return Type::of(n.json ? TypeId::kJson : TypeId::kString);
    case DUCKDB_TYPE_BLOB:
      return Type::of(TypeId::kBlob);
    case DUCKDB_TYPE_DATE:
      return Type::of(TypeId::kDate);
    case DUCKDB_TYPE_TIMESTAMP:
    case DUCKDB_TYPE_TIMESTAMP_S:
    case DUCKDB_TYPE_TIMESTAMP_MS:
    case DUCKDB_TYPE_TIMESTAMP_NS:
      return Type::of(TypeId::kTimestamp);
    case DUCKDB_TYPE_TIMESTAMP_TZ:
      return Type::of(TypeId::kTimestampTz);
    case DUCKDB_TYPE_TIME:
    case DUCKDB_TYPE_TIME_NS:
      return Type::of(TypeId::kTime);
    case DUCKDB_TYPE_INTERVAL:
      return Type::of(TypeId::kInterval);
    case DUCKDB_TYPE_UUID:
      return Type::of(TypeId::kUuid);
    default:
      return Type::of(TypeId::kString);  // ENUM, UHUGEINT, BIGNUM, BIT, TIME_TZ, nested, NULL
  }
}

template <typename T>
const T* data_as(duckdb_vector v) {
  return static_cast<const T*>(duckdb_vector_get_data(v));
}

// Text of one non-NULL scalar value (not a nested one).
std::string leaf_text(const Node& n, duckdb_vector v, idx_t row) {
  switch (n.id) {
    case DUCKDB_TYPE_BOOLEAN:
      return data_as<bool>(v)[row] ? "true" : "false";
    case DUCKDB_TYPE_TINYINT:
      return std::to_string(data_as<int8_t>(v)[row]);
    case DUCKDB_TYPE_SMALLINT:
      return std::to_string(data_as<int16_t>(v)[row]);
    case DUCKDB_TYPE_INTEGER:
      return std::to_string(data_as<int32_t>(v)[row]);
    case DUCKDB_TYPE_BIGINT:
      return std::to_string(data_as<int64_t>(v)[row]);
    case DUCKDB_TYPE_UTINYINT:
      return std::to_string(data_as<uint8_t>(v)[row]);
    case DUCKDB_TYPE_USMALLINT:
      return std::to_string(data_as<uint16_t>(v)[row]);
    case DUCKDB_TYPE_UINTEGER:
      return std::to_string(data_as<uint32_t>(v)[row]);
    case DUCKDB_TYPE_UBIGINT:
      return std::to_string(data_as<uint64_t>(v)[row]);
    case DUCKDB_TYPE_HUGEINT:
      return int128_to_string(to_int128(data_as<duckdb_hugeint>(v)[row]));
    case DUCKDB_TYPE_UHUGEINT: {
      const duckdb_uhugeint& u = data_as<duckdb_uhugeint>(v)[row];
      return uint128_to_string((static_cast<unsigned __int128>(u.upper) << 64) | u.lower);
    }
    case DUCKDB_TYPE_FLOAT:
      return float_to_string(data_as<float>(v)[row]);
    case DUCKDB_TYPE_DOUBLE:
      return double_to_string(data_as<double>(v)[row]);
    case DUCKDB_TYPE_DECIMAL: {
      __int128 unscaled = 0;
      switch (n.internal) {
        case DUCKDB_TYPE_SMALLINT:
          unscaled = data_as<int16_t>(v)[row];
          break;
        case DUCKDB_TYPE_INTEGER:
          unscaled = data_as<int32_t>(v)[row];
          break;
        case DUCKDB_TYPE_BIGINT:
          unscaled = data_as<int64_t>(v)[row];
          break;
        default:
          unscaled = to_int128(data_as<duckdb_hugeint>(v)[row]);
          break;
      }
      return decimal_to_string(unscaled, n.scale);
    }
    case DUCKDB_TYPE_VARCHAR:
      return std::string(view_of(data_as<duckdb_string_t>(v)[row]));
    case DUCKDB_TYPE_BLOB:
      return escape_blob(view_of(data_as<duckdb_string_t>(v)[row]));
    case DUCKDB_TYPE_BIT:
      return format_bits(view_of(data_as<duckdb_string_t>(v)[row]));
    case DUCKDB_TYPE_BIGNUM:
      return format_bignum(view_of(data_as<duckdb_string_t>(v)[row]));
    case DUCKDB_TYPE_DATE:
      return format_date(data_as<int32_t>(v)[row]);
    case DUCKDB_TYPE_TIMESTAMP:
      return format_sql_timestamp(data_as<int64_t>(v)[row]);
    case DUCKDB_TYPE_TIMESTAMP_S:
      return format_sql_timestamp(scale_up(data_as<int64_t>(v)[row], kMicrosPerSecond));
    case DUCKDB_TYPE_TIMESTAMP_MS:
      return format_sql_timestamp(scale_up(data_as<int64_t>(v)[row], 1000));
    case DUCKDB_TYPE_TIMESTAMP_NS:
      return format_sql_timestamp(floor_div(data_as<int64_t>(v)[row], 1000));
    case DUCKDB_TYPE_TIMESTAMP_TZ:
      return format_sql_timestamp(data_as<int64_t>(v)[row]) + "+00";
    case DUCKDB_TYPE_TIME:
      return format_time_of_day(data_as<int64_t>(v)[row]);
    case DUCKDB_TYPE_TIME_NS:
      return format_time_of_day(floor_div(data_as<int64_t>(v)[row], 1000));
    case DUCKDB_TYPE_TIME_TZ:
      return format_time_tz(data_as<uint64_t>(v)[row]);
    case DUCKDB_TYPE_INTERVAL: {
      const duckdb_interval& i = data_as<duckdb_interval>(v)[row];
      return format_interval(i.months, i.days, i.micros);
    }
    case DUCKDB_TYPE_UUID: {
      const duckdb_hugeint& h = data_as<duckdb_hugeint>(v)[row];
      return format_uuid(h.lower, h.upper);
    }
    case DUCKDB_TYPE_ENUM: {
      uint64_t index = 0;
      switch (n.internal) {
        case DUCKDB_TYPE_UTINYINT:
          index = data_as<uint8_t>(v)[row];
          break;
        case DUCKDB_TYPE_USMALLINT:
          index = data_as<uint16_t>(v)[row];
          break;
        default:
          index = data_as<uint32_t>(v)[row];
          break;
      }
      return index < n.dictionary.size() ? n.dictionary[index] : std::string();
    }
    default:
      return {};
  }
}

bool is_nested(duckdb_type id) {
  return id == DUCKDB_TYPE_LIST || id == DUCKDB_TYPE_ARRAY || id == DUCKDB_TYPE_MAP ||
         id == DUCKDB_TYPE_STRUCT || id == DUCKDB_TYPE_UNION;
}

// Appends the text of row `row` of `v`; `inner` is true inside a nested value.
void write_text(const Node& n, duckdb_vector v, idx_t row, bool inner, std::string& out) {
  if (n.id == DUCKDB_TYPE_SQLNULL || !is_valid(duckdb_vector_get_validity(v), row)) {
    out += "NULL";
    return;
  }
  switch (n.id) {
    case DUCKDB_TYPE_LIST:
    case DUCKDB_TYPE_MAP: {
      const duckdb_list_entry& e = data_as<duckdb_list_entry>(v)[row];
      duckdb_vector child = duckdb_list_vector_get_child(v);
      bool map = n.id == DUCKDB_TYPE_MAP;
      duckdb_vector keys = map ? duckdb_struct_vector_get_child(child, 0) : nullptr;
      duckdb_vector values = map ? duckdb_struct_vector_get_child(child, 1) : nullptr;
      out += map ? '{' : '[';
      for (idx_t i = e.offset; i < e.offset + e.length; ++i) {
        if (i != e.offset) out += ", ";
        if (map) {
          write_text(n.children[0], keys, i, true, out);
          out += '=';
          write_text(n.children[1], values, i, true, out);
        } else {
          write_text(n.children[0], child, i, true, out);
        }
      }
      out += map ? '}' : ']';
      return;
    }
    case DUCKDB_TYPE_ARRAY: {
      duckdb_vector child = duckdb_array_vector_get_child(v);
      out += '[';
      for (idx_t i = 0; i < n.array_size; ++i) {
        if (i != 0) out += ", ";
        write_text(n.children[0], child, row * n.array_size + i, true, out);
      }
      out += ']';
      return;
    }
    case DUCKDB_TYPE_STRUCT: {
      out += '{';
      for (size_t i = 0; i < n.children.size(); ++i) {
        if (i != 0) out += ", ";
        out += '\'';
        for (char c : n.names[i]) {
          if (c == '\'' || c == '\\') out += '\\';
          out += c;
        }
        out += "': ";
        write_text(n.children[i], duckdb_struct_vector_get_child(v, i), row, true, out);
      }
      out += '}';
      return;
    }
    case DUCKDB_TYPE_UNION: {
      // A union is a struct vector: the tag, then one vector per member.
      uint8_t tag = data_as<uint8_t>(duckdb_struct_vector_get_child(v, 0))[row];
      if (tag >= n.children.size()) {
        out += "NULL";
        return;
      }
      write_text(n.children[tag], duckdb_struct_vector_get_child(v, tag + 1), row, inner, out);
      return;
    }
    default:
      break;
  }
  std::string text = leaf_text(n, v, row);
  if (inner) {
    append_nested_text(text, out);
  } else {
    out += text;
  }
}

// Fast paths: one typed loop per physical layout.
template <typename T, typename F>
void append_ints(duckdb_vector v, const uint64_t* validity, idx_t begin, idx_t end, Column& out,
                 F convert) {
  const T* data = data_as<T>(v);
  for (idx_t r = begin; r < end; ++r) {
    if (is_valid(validity, r)) {
      out.append_int(convert(data[r]));
    } else {
      out.append_null();
    }
  }
}

template <typename T>
void append_plain_ints(duckdb_vector v, const uint64_t* validity, idx_t begin, idx_t end,
                       Column& out) {
  append_ints<T>(v, validity, begin, end, out, [](T x) { return static_cast<int64_t>(x); });
}

template <typename T, typename F>
void append_decimals(duckdb_vector v, const uint64_t* validity, idx_t begin, idx_t end, Column& out,
                     F convert) {
  const T* data = data_as<T>(v);
  for (idx_t r = begin; r < end; ++r) {
    if (is_valid(validity, r)) {
      out.append_decimal(convert(data[r]));
    } else {
      out.append_null();
    }
  }
}

template <typename T>
void append_plain_decimals(duckdb_vector v, const uint64_t* validity, idx_t begin, idx_t end,
                           Column& out) {
  append_decimals<T>(v, validity, begin, end, out, [](T x) { return static_cast<__int128>(x); });
}

}  // namespace

ColumnReader::ColumnReader(_duckdb_logical_type* type)
    : root_(std::make_unique<Node>(describe(type))), type_(type_of(*root_)) {}
ColumnReader::~ColumnReader() = default;
ColumnReader::ColumnReader(ColumnReader&&) noexcept = default;
ColumnReader& ColumnReader::operator=(ColumnReader&&) noexcept = default;

Type strata_type_of(_duckdb_logical_type* type) {
  return type_of(describe(type));
}

void ColumnReader::append(_duckdb_vector* vector, size_t begin, size_t end, Column& out) const {
  const Node& n = *root_;
  duckdb_vector v = vector;
  if (end <= begin) return;
  if (n.id == DUCKDB_TYPE_SQLNULL) {
    for (size_t r = begin; r < end; ++r)
      out.append_null();
    return;
  }
  const uint64_t* validity = duckdb_vector_get_validity(v);
  switch (n.id) {
    case DUCKDB_TYPE_BOOLEAN:
      append_ints<bool>(v, validity, begin, end, out, [](bool b) { return b ? 1 : 0; });
      return;
    case DUCKDB_TYPE_TINYINT:
      append_plain_ints<int8_t>(v, validity, begin, end, out);
      return;
    case DUCKDB_TYPE_SMALLINT:
      append_plain_ints<int16_t>(v, validity, begin, end, out);
      return;
    case DUCKDB_TYPE_INTEGER:
      append_plain_ints<int32_t>(v, validity, begin, end, out);
      return;
    case DUCKDB_TYPE_BIGINT:
      append_plain_ints<int64_t>(v, validity, begin, end, out);
      return;
    case DUCKDB_TYPE_UTINYINT:
      append_plain_ints<uint8_t>(v, validity, begin, end, out);
      return;
    case DUCKDB_TYPE_USMALLINT:
      append_plain_ints<uint16_t>(v, validity, begin, end, out);
      return;
    case DUCKDB_TYPE_UINTEGER:
      append_plain_ints<uint32_t>(v, validity, begin, end, out);
      return;
    case DUCKDB_TYPE_UBIGINT:
      append_plain_decimals<uint64_t>(v, validity, begin, end, out);
      return;
    case DUCKDB_TYPE_HUGEINT:
      append_decimals<duckdb_hugeint>(v, validity, begin, end, out, to_int128);
      return;
    case DUCKDB_TYPE_DECIMAL:
      switch (n.internal) {
        case DUCKDB_TYPE_SMALLINT:
          append_plain_decimals<int16_t>(v, validity, begin, end, out);
          return;
        case DUCKDB_TYPE_INTEGER:
          append_plain_decimals<int32_t>(v, validity, begin, end, out);
          return;
        case DUCKDB_TYPE_BIGINT:
          append_plain_decimals<int64_t>(v, validity, begin, end, out);
          return;
        default:
          append_decimals<duckdb_hugeint>(v, validity, begin, end, out, to_int128);
          return;
      }
    case DUCKDB_TYPE_FLOAT: {
      const float* data = data_as<float>(v);
      for (size_t r = begin; r < end; ++r) {
        if (is_valid(validity, r)) {
          out.append_double(float_to_double(data[r]));
        } else {
          out.append_null();
        }
      }
      return;
    }
    case DUCKDB_TYPE_DOUBLE: {
      const double* data = data_as<double>(v);
      for (size_t r = begin; r < end; ++r) {
        if (is_valid(validity, r)) {
          out.append_double(data[r]);
        } else {
          out.append_null();
        }
      }
      return;
    }
    case DUCKDB_TYPE_VARCHAR:
    case DUCKDB_TYPE_BLOB: {
      const duckdb_string_t* data = data_as<duckdb_string_t>(v);
      for (size_t r = begin; r < end; ++r) {
        if (is_valid(validity, r)) {
          out.append_string(std::string(view_of(data[r])));
        } else {
          out.append_null();
        }
      }
      return;
    }
    case DUCKDB_TYPE_DATE:
      append_plain_ints<int32_t>(v, validity, begin, end, out);
      return;
    case DUCKDB_TYPE_TIMESTAMP:
    case DUCKDB_TYPE_TIMESTAMP_TZ:
    case DUCKDB_TYPE_TIME:
      append_plain_ints<int64_t>(v, validity, begin, end, out);
      return;
    case DUCKDB_TYPE_TIMESTAMP_S:
      append_ints<int64_t>(v, validity, begin, end, out,
                           [](int64_t x) { return scale_up(x, kMicrosPerSecond); });
      return;
    case DUCKDB_TYPE_TIMESTAMP_MS:
      append_ints<int64_t>(v, validity, begin, end, out,
                           [](int64_t x) { return scale_up(x, 1000); });
      return;
    case DUCKDB_TYPE_TIMESTAMP_NS:
    case DUCKDB_TYPE_TIME_NS:
      append_ints<int64_t>(v, validity, begin, end, out,
                           [](int64_t x) { return floor_div(x, 1000); });
      return;
    default:
      break;
  }
  // Everything else is text: UUID, INTERVAL, ENUM, UHUGEINT, BIGNUM, BIT,
  // TIME WITH TIME ZONE and nested values.
  bool nested = is_nested(n.id);
  for (size_t r = begin; r < end; ++r) {
    if (!is_valid(validity, r)) {
      out.append_null();
    } else if (nested) {
      std::string text;
      write_text(n, v, r, false, text);
      out.append_string(std::move(text));
    } else {
      out.append_string(leaf_text(n, v, r));
    }
  }
}

}  // namespace strata::duckdb_detail
