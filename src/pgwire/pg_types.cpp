#include "pgwire/pg_types.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <optional>
#include <vector>

#include "core/error.h"
#include "pgwire/bytes.h"

namespace strata::pgwire {

namespace {

[[noreturn]] void fail(const std::string& message, const char* sqlstate, std::string hint = {}) {
  throw UserError(message, {.hint = std::move(hint), .sqlstate = sqlstate});
}

int64_t floor_div(int64_t a, int64_t b) {
  int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

// --- Floats: shortest exact digits, PostgreSQL's layout ---------------------------

// PostgreSQL writes the shortest digits that read back exactly, in fixed
// notation when the decimal exponent is in [-4, fixed_limit), else as
// d.ddde+XX (at least two exponent digits).
std::string shortest_float(double v, bool is_float4) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "Infinity" : "-Infinity";
  if (v == 0) return std::signbit(v) ? "-0" : "0";
  char buf[64];
  std::to_chars_result r =
      is_float4 ? std::to_chars(buf, buf + sizeof(buf), static_cast<float>(v),
                                std::chars_format::scientific)
                : std::to_chars(buf, buf + sizeof(buf), v, std::chars_format::scientific);
  std::string sci(buf, r.ptr);
  // sci: [-]d[.ddd]e[+-]XX
  bool neg = sci[0] == '-';
  std::string body = neg ? sci.substr(1) : sci;
  size_t e = body.find('e');
  std::string mantissa = body.substr(0, e);
  int exponent = std::atoi(body.c_str() + e + 1);
  std::string digits;
  for (char c : mantissa) {
    if (c != '.') digits += c;
  }
  int fixed_limit = is_float4 ? 6 : 15;
  std::string out = neg ? "-" : "";
  if (exponent < -4 || exponent >= fixed_limit) {
    out += digits[0];
    if (digits.size() > 1) {
      out += '.';
      out += digits.substr(1);
    }
    char eb[16];
    std::snprintf(eb, sizeof(eb), "e%c%02d", exponent < 0 ? '-' : '+', std::abs(exponent));
    out += eb;
    return out;
  }
  if (exponent < 0) {
    out += "0.";
    out.append(static_cast<size_t>(-exponent - 1), '0');
    out += digits;
    return out;
  }
  auto int_len = static_cast<size_t>(exponent + 1);
  if (digits.size() <= int_len) {
    out += digits;
    out.append(int_len - digits.size(), '0');
  } else {
    out += digits.substr(0, int_len);
    out += '.';
    out += digits.substr(int_len);
  }
  return out;
}

// A double as plain decimal text (numeric has no exponent notation).
std::string double_as_numeric_text(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "Infinity" : "-Infinity";
  char buf[512];
  auto r = std::to_chars(buf, buf + sizeof(buf), v, std::chars_format::fixed);
  if (r.ec != std::errc()) return shortest_float(v, false);
  std::string s(buf, r.ptr);
  if (s == "-0") s = "0";
  return s;
}

// --- Intervals ------------------------------------------------------------------

struct IntervalParts {
  int64_t months = 0;
  int64_t days = 0;
  int64_t micros = 0;
};

std::optional<IntervalParts> parse_iso_interval(std::string_view s) {
  if (s.size() < 2 || s[0] != 'P') return std::nullopt;
  IntervalParts out;
  bool in_time = false;
  size_t i = 1;
  bool any = false;
  while (i < s.size()) {
    if (s[i] == 'T') {
      if (in_time) return std::nullopt;
      in_time = true;
      ++i;
      continue;
    }
    size_t start = i;
    if (s[i] == '-' || s[i] == '+') ++i;
    while (i < s.size() && ((s[i] >= '0' && s[i] <= '9') || s[i] == '.')) ++i;
    if (i == start || i >= s.size()) return std::nullopt;
    std::string number(s.substr(start, i - start));
    char unit = s[i++];
    any = true;
    if (!in_time) {
      char* end = nullptr;
      long long n = std::strtoll(number.c_str(), &end, 10);
      if (*end != '\0') return std::nullopt;
      switch (unit) {
        case 'Y': out.months += n * 12; break;
        case 'M': out.months += n; break;
        case 'W': out.days += n * 7; break;
        case 'D': out.days += n; break;
        default: return std::nullopt;
      }
    } else {
      switch (unit) {
        case 'H': {
          char* end = nullptr;
          long long n = std::strtoll(number.c_str(), &end, 10);
          if (*end != '\0') return std::nullopt;
          out.micros += n * kMicrosPerHour;
          break;
        }
        case 'M': {
          char* end = nullptr;
          long long n = std::strtoll(number.c_str(), &end, 10);
          if (*end != '\0') return std::nullopt;
          out.micros += n * kMicrosPerMinute;
          break;
        }
        case 'S': {
          bool neg = !number.empty() && number[0] == '-';
          std::string unsigned_part =
              (neg || (!number.empty() && number[0] == '+')) ? number.substr(1) : number;
          size_t dot = unsigned_part.find('.');
          int64_t whole = std::strtoll(unsigned_part.substr(0, dot).c_str(), nullptr, 10);
          int64_t frac = 0;
          if (dot != std::string::npos) {
            std::string f = unsigned_part.substr(dot + 1, 6);
            while (f.size() < 6) f += '0';
            frac = std::strtoll(f.c_str(), nullptr, 10);
          }
          int64_t us = whole * kMicrosPerSecond + frac;
          out.micros += neg ? -us : us;
          break;
        }
        default: return std::nullopt;
      }
    }
  }
  if (!any) return std::nullopt;
  return out;
}

std::string format_interval_parts(const IntervalParts& p) {
  std::string out;
  auto add = [&](int64_t n, const char* unit, const char* plural) {
    if (n == 0) return;
    if (!out.empty()) out += ' ';
    out += std::to_string(n);
    out += ' ';
    out += n == 1 ? unit : plural;
  };
  int64_t years = p.months / 12;
  int64_t months = p.months % 12;
  add(years, "year", "years");
  add(months, "mon", "mons");
  add(p.days, "day", "days");
  if (p.micros != 0 || out.empty()) {
    if (!out.empty()) out += ' ';
    int64_t us = p.micros;
    if (us < 0) {
      out += '-';
      us = -us;
    }
    int64_t h = us / kMicrosPerHour;
    us %= kMicrosPerHour;
    int64_t m = us / kMicrosPerMinute;
    us %= kMicrosPerMinute;
    int64_t sec = us / kMicrosPerSecond;
    int64_t frac = us % kMicrosPerSecond;
    char buf[64];
    std::snprintf(buf, sizeof(buf), "%02lld:%02lld:%02lld", static_cast<long long>(h),
                  static_cast<long long>(m), static_cast<long long>(sec));
    out += buf;
    if (frac) {
      std::snprintf(buf, sizeof(buf), ".%06lld", static_cast<long long>(frac));
      std::string f = buf;
      while (f.back() == '0') f.pop_back();
      out += f;
    }
  }
  return out;
}

// --- UUID, bytea --------------------------------------------------------------------

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string uuid_binary(std::string_view text) {
  std::string out;
  int hi = -1;
  for (char c : text) {
    if (c == '-' || c == '{' || c == '}') continue;
    int v = hex_value(c);
    if (v < 0) fail("invalid input syntax for type uuid: \"" + std::string(text) + "\"", "22P02");
    if (hi < 0) {
      hi = v;
    } else {
      out.push_back(static_cast<char>((hi << 4) | v));
      hi = -1;
    }
  }
  if (out.size() != 16 || hi >= 0) {
    fail("invalid input syntax for type uuid: \"" + std::string(text) + "\"", "22P02");
  }
  return out;
}

std::string bytea_hex(std::string_view bytes) {
  static const char* kHex = "0123456789abcdef";
  std::string out = "\\x";
  out.reserve(2 + bytes.size() * 2);
  for (unsigned char c : bytes) {
    out += kHex[c >> 4];
    out += kHex[c & 15];
  }
  return out;
}

// --- Reading a cell in some shape -------------------------------------------------

std::string natural_text(const Column& c, size_t r, const TimeZone& tz) {
  const Type& t = c.type();
  switch (t.id) {
    case TypeId::kBoolean: return c.int_at(r) ? "t" : "f";
    case TypeId::kInt16:
    case TypeId::kInt32:
    case TypeId::kInt64: return std::to_string(c.int_at(r));
    case TypeId::kFloat: return format_float4(static_cast<float>(c.double_at(r)));
    case TypeId::kDouble: return format_float8(c.double_at(r));
    case TypeId::kDecimal: return decimal_to_string(c.decimal_at(r), t.scale);
    case TypeId::kDate: return format_pg_date(c.int_at(r));
    case TypeId::kTimestamp: return format_pg_timestamp(c.int_at(r));
    case TypeId::kTimestampTz: return format_pg_timestamptz(c.int_at(r), tz);
    case TypeId::kTime: return format_pg_time(c.int_at(r));
    case TypeId::kInterval: return format_pg_interval(c.string_at(r));
    case TypeId::kBlob: return bytea_hex(c.string_at(r));
    case TypeId::kNull: return "";
    default: return c.string_at(r);
  }
}

bool parse_int64(std::string_view s, int64_t& out) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size() && !s.empty();
}

__int128 pow10_i128(int n) {
  __int128 v = 1;
  for (int i = 0; i < n; ++i) v *= 10;
  return v;
}

// The cell as an integer; throws when it is not one.
int64_t cell_integer(const Column& c, size_t r, int32_t to_oid) {
  const Type& t = c.type();
  auto out_of_range = [&]() -> int64_t {
    fail("value is out of range for type " + std::string(pg_type_name(to_oid)), "22003");
  };
  switch (t.storage()) {
    case Storage::kInt:
      if (t.is_temporal()) break;
      return c.int_at(r);
    case Storage::kDecimal: {
      __int128 p = pow10_i128(t.scale);
      __int128 v = c.decimal_at(r);
      if (v % p != 0) break;
      v /= p;
      if (v > std::numeric_limits<int64_t>::max() || v < std::numeric_limits<int64_t>::min()) {
        return out_of_range();
      }
      return static_cast<int64_t>(v);
    }
    case Storage::kDouble: {
      double d = c.double_at(r);
      if (std::floor(d) != d || std::isinf(d)) break;
      if (d >= 9.2233720368547758e18 || d < -9.2233720368547758e18) return out_of_range();
      return static_cast<int64_t>(d);
    }
    case Storage::kString: {
      int64_t v = 0;
      if (parse_int64(c.string_at(r), v)) return v;
      break;
    }
  }
  fail("value " + natural_text(c, r, *TimeZone::utc()) + " cannot be sent as " +
           std::string(pg_type_name(to_oid)),
       "22P02");
}

double cell_double(const Column& c, size_t r) {
  const Type& t = c.type();
  switch (t.storage()) {
    case Storage::kInt:
      if (!t.is_temporal()) return static_cast<double>(c.int_at(r));
      break;
    case Storage::kDecimal: return decimal_to_double(c.decimal_at(r), t.scale);
    case Storage::kDouble: return c.double_at(r);
    case Storage::kString: {
      const std::string& s = c.string_at(r);
      char* end = nullptr;
      double d = std::strtod(s.c_str(), &end);
      if (!s.empty() && end == s.c_str() + s.size()) return d;
      break;
    }
  }
  fail("value " + natural_text(c, r, *TimeZone::utc()) + " is not a number", "22P02");
}

std::string cell_numeric_text(const Column& c, size_t r) {
  const Type& t = c.type();
  switch (t.storage()) {
    case Storage::kInt:
      if (!t.is_temporal()) return std::to_string(c.int_at(r));
      break;
    case Storage::kDecimal: return decimal_to_string(c.decimal_at(r), t.scale);
    case Storage::kDouble: return double_as_numeric_text(c.double_at(r));
    case Storage::kString: return c.string_at(r);
  }
  fail("value " + natural_text(c, r, *TimeZone::utc()) + " is not a number", "22P02");
}

// Local wall-clock microseconds of a date/timestamp cell.
int64_t cell_local_micros(const Column& c, size_t r, const TimeZone& tz) {
  switch (c.type().id) {
    case TypeId::kDate: return c.int_at(r) * kMicrosPerDay;
    case TypeId::kTimestamp: return c.int_at(r);
    case TypeId::kTimestampTz: return tz.utc_to_local(c.int_at(r));
    case TypeId::kString: {
      auto p = parse_iso_timestamp(c.string_at(r));
      if (p) {
        return p->offset_seconds
                   ? tz.utc_to_local(p->micros - int64_t{*p->offset_seconds} * kMicrosPerSecond)
                   : p->micros;
      }
      break;
    }
    default: break;
  }
  fail("value " + natural_text(c, r, tz) + " is not a date or timestamp", "22P02");
}

int64_t cell_utc_micros(const Column& c, size_t r, const TimeZone& tz) {
  if (c.type().id == TypeId::kTimestampTz) return c.int_at(r);
  if (c.type().id == TypeId::kString) {
    auto p = parse_iso_timestamp(c.string_at(r));
    if (p && p->offset_seconds) {
      return p->micros - int64_t{*p->offset_seconds} * kMicrosPerSecond;
    }
  }
  return tz.local_to_utc(cell_local_micros(c, r, tz));
}

bool is_textual(int32_t o) {
  switch (o) {
    case oid::kText:
    case oid::kVarchar:
    case oid::kBpchar:
    case oid::kName:
    case oid::kChar:
    case oid::kUnknown:
    case oid::kJson:
    case oid::kJsonb: return true;
    default: return false;
  }
}

void put_field(std::string& out, std::string_view bytes) {
  put_i32(out, static_cast<int32_t>(bytes.size()));
  out.append(bytes.data(), bytes.size());
}

}  // namespace

// --- Type table -------------------------------------------------------------------

int32_t pg_oid_of(const Type& t) {
  switch (t.id) {
    case TypeId::kBoolean: return oid::kBool;
    case TypeId::kInt16: return oid::kInt2;
    case TypeId::kInt32: return oid::kInt4;
    case TypeId::kInt64: return oid::kInt8;
    case TypeId::kFloat: return oid::kFloat4;
    case TypeId::kDouble: return oid::kFloat8;
    case TypeId::kDecimal: return oid::kNumeric;
    case TypeId::kDate: return oid::kDate;
    case TypeId::kTimestamp: return oid::kTimestamp;
    case TypeId::kTimestampTz: return oid::kTimestampTz;
    case TypeId::kTime: return oid::kTime;
    case TypeId::kInterval: return oid::kInterval;
    case TypeId::kUuid: return oid::kUuid;
    case TypeId::kJson: return oid::kJson;
    case TypeId::kBlob: return oid::kBytea;
    case TypeId::kNull:
    case TypeId::kString: return oid::kText;
  }
  return oid::kText;
}

int16_t pg_type_len(int32_t o) {
  switch (o) {
    case oid::kBool:
    case oid::kChar: return 1;
    case oid::kInt2: return 2;
    case oid::kInt4:
    case oid::kOid:
    case oid::kRegproc:
    case oid::kRegclass:
    case oid::kRegtype:
    case oid::kRegnamespace:
    case oid::kFloat4:
    case oid::kDate: return 4;
    case oid::kInt8:
    case oid::kFloat8:
    case oid::kTime:
    case oid::kTimestamp:
    case oid::kTimestampTz: return 8;
    case oid::kInterval:
    case oid::kUuid: return 16;
    case oid::kName: return 64;
    default: return -1;
  }
}

int32_t pg_type_mod_of(const Type& t) {
  if (t.id == TypeId::kDecimal && t.precision > 0) {
    return ((static_cast<int32_t>(t.precision) << 16) | t.scale) + 4;
  }
  return -1;
}

std::string_view pg_type_name(int32_t o) {
  switch (o) {
    case oid::kBool: return "bool";
    case oid::kBytea: return "bytea";
    case oid::kChar: return "char";
    case oid::kName: return "name";
    case oid::kInt8: return "int8";
    case oid::kInt2: return "int2";
    case oid::kInt2Vector: return "int2vector";
    case oid::kInt4: return "int4";
    case oid::kRegproc: return "regproc";
    case oid::kText: return "text";
    case oid::kOid: return "oid";
    case oid::kOidVector: return "oidvector";
    case oid::kJson: return "json";
    case oid::kFloat4: return "float4";
    case oid::kFloat8: return "float8";
    case oid::kUnknown: return "unknown";
    case oid::kBpchar: return "bpchar";
    case oid::kVarchar: return "varchar";
    case oid::kDate: return "date";
    case oid::kTime: return "time";
    case oid::kTimestamp: return "timestamp";
    case oid::kTimestampTz: return "timestamptz";
    case oid::kInterval: return "interval";
    case oid::kNumeric: return "numeric";
    case oid::kRegclass: return "regclass";
    case oid::kRegtype: return "regtype";
    case oid::kUuid: return "uuid";
    case oid::kJsonb: return "jsonb";
    case oid::kRegnamespace: return "regnamespace";
    default: return "";
  }
}

Type strata_type_of_oid(int32_t o) {
  switch (o) {
    case oid::kBool: return Type::of(TypeId::kBoolean);
    case oid::kInt2: return Type::of(TypeId::kInt16);
    case oid::kInt4:
    case oid::kOid: return Type::of(TypeId::kInt32);
    case oid::kInt8: return Type::of(TypeId::kInt64);
    case oid::kFloat4: return Type::of(TypeId::kFloat);
    case oid::kFloat8: return Type::of(TypeId::kDouble);
    case oid::kNumeric: return Type::decimal(38, 10);
    case oid::kDate: return Type::of(TypeId::kDate);
    case oid::kTimestamp: return Type::of(TypeId::kTimestamp);
    case oid::kTimestampTz: return Type::of(TypeId::kTimestampTz);
    case oid::kTime: return Type::of(TypeId::kTime);
    case oid::kInterval: return Type::of(TypeId::kInterval);
    case oid::kUuid: return Type::of(TypeId::kUuid);
    case oid::kJson:
    case oid::kJsonb: return Type::of(TypeId::kJson);
    case oid::kBytea: return Type::of(TypeId::kBlob);
    default: return Type::of(TypeId::kString);
  }
}

bool pg_binary_supported(int32_t o) {
  switch (o) {
    case oid::kBool:
    case oid::kBytea:
    case oid::kInt2:
    case oid::kInt4:
    case oid::kInt8:
    case oid::kOid:
    case oid::kFloat4:
    case oid::kFloat8:
    case oid::kNumeric:
    case oid::kDate:
    case oid::kTime:
    case oid::kTimestamp:
    case oid::kTimestampTz:
    case oid::kInterval:
    case oid::kUuid: return true;
    default: return is_textual(o);
  }
}

// --- Text formats -------------------------------------------------------------------

std::string format_float8(double v) {
  return shortest_float(v, false);
}
std::string format_float4(float v) {
  return shortest_float(v, true);
}

std::string format_pg_date(int64_t days) {
  CivilTime t = civil_from_micros(days * kMicrosPerDay);
  char buf[32];
  if (t.year <= 0) {
    std::snprintf(buf, sizeof(buf), "%04d-%02d-%02d BC", 1 - t.year, t.month, t.day);
  } else {
    std::snprintf(buf, sizeof(buf), "%04d-%02d-%02d", t.year, t.month, t.day);
  }
  return buf;
}

namespace {
std::string time_of_day(const CivilTime& t) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%02d:%02d:%02d", t.hour, t.minute, t.second);
  std::string out = buf;
  if (t.micros) {
    std::snprintf(buf, sizeof(buf), ".%06d", t.micros);
    std::string f = buf;
    while (f.back() == '0') f.pop_back();
    out += f;
  }
  return out;
}
}  // namespace

std::string format_pg_timestamp(int64_t local_micros) {
  CivilTime t = civil_from_micros(local_micros);
  char buf[32];
  int year = t.year <= 0 ? 1 - t.year : t.year;
  std::snprintf(buf, sizeof(buf), "%04d-%02d-%02d ", year, t.month, t.day);
  std::string out = buf + time_of_day(t);
  if (t.year <= 0) out += " BC";
  return out;
}

std::string format_pg_timestamptz(int64_t utc_micros, const TimeZone& tz) {
  int offset = tz.offset_at_utc(utc_micros);
  std::string out = format_pg_timestamp(utc_micros + int64_t{offset} * kMicrosPerSecond);
  bool bc = out.ends_with(" BC");
  if (bc) out.resize(out.size() - 3);
  int a = offset < 0 ? -offset : offset;
  char buf[16];
  if (a % 60 != 0) {
    std::snprintf(buf, sizeof(buf), "%c%02d:%02d:%02d", offset < 0 ? '-' : '+', a / 3600,
                  (a / 60) % 60, a % 60);
  } else if ((a / 60) % 60 != 0) {
    std::snprintf(buf, sizeof(buf), "%c%02d:%02d", offset < 0 ? '-' : '+', a / 3600, (a / 60) % 60);
  } else {
    std::snprintf(buf, sizeof(buf), "%c%02d", offset < 0 ? '-' : '+', a / 3600);
  }
  out += buf;
  if (bc) out += " BC";
  return out;
}

std::string format_pg_time(int64_t micros) {
  CivilTime t = civil_from_micros(micros);
  if (micros == kMicrosPerDay) return "24:00:00";
  return time_of_day(t);
}

std::string format_pg_interval(std::string_view iso) {
  auto p = parse_iso_interval(iso);
  if (!p) return std::string(iso);
  return format_interval_parts(*p);
}

std::string cell_text(const Column& column, size_t row, const TimeZone& tz) {
  if (column.is_null(row)) return "";
  return natural_text(column, row, tz);
}

// --- Numeric binary -------------------------------------------------------------------

std::string numeric_text_to_binary(std::string_view text) {
  std::string out;
  std::string_view s = text;
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  auto special = [&](uint16_t sign) {
    put_i16(out, 0);
    put_i16(out, 0);
    put_i16(out, static_cast<int16_t>(sign));
    put_i16(out, 0);
    return out;
  };
  auto eq_ci = [](std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i) {
      if (std::tolower(static_cast<unsigned char>(a[i])) !=
          std::tolower(static_cast<unsigned char>(b[i]))) {
        return false;
      }
    }
    return true;
  };
  if (eq_ci(s, "NaN")) return special(0xC000);
  if (eq_ci(s, "Infinity") || eq_ci(s, "+Infinity")) return special(0xD000);
  if (eq_ci(s, "-Infinity")) return special(0xF000);
  bool negative = false;
  if (!s.empty() && (s.front() == '-' || s.front() == '+')) {
    negative = s.front() == '-';
    s.remove_prefix(1);
  }
  std::string int_digits, frac_digits;
  int exp10 = 0;
  size_t i = 0;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') int_digits += s[i++];
  if (i < s.size() && s[i] == '.') {
    ++i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') frac_digits += s[i++];
  }
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    size_t start = i;
    if (i < s.size() && (s[i] == '-' || s[i] == '+')) ++i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    exp10 = std::atoi(std::string(s.substr(start, i - start)).c_str());
    if (exp10 > 1000 || exp10 < -1000) {
      fail("numeric value out of range: \"" + std::string(text) + "\"", "22003");
    }
  }
  if (i != s.size() || (int_digits.empty() && frac_digits.empty())) {
    fail("invalid input syntax for type numeric: \"" + std::string(text) + "\"", "22P02");
  }
  // Apply the exponent by moving the decimal point.
  while (exp10 > 0) {
    int_digits += frac_digits.empty() ? '0' : frac_digits[0];
    if (!frac_digits.empty()) frac_digits.erase(0, 1);
    --exp10;
  }
  while (exp10 < 0) {
    frac_digits.insert(frac_digits.begin(), int_digits.empty() ? '0' : int_digits.back());
    if (!int_digits.empty()) int_digits.pop_back();
    ++exp10;
  }
  auto dscale = static_cast<int16_t>(frac_digits.size());
  // Groups of 4 digits around the decimal point.
  size_t int_pad = (4 - int_digits.size() % 4) % 4;
  std::string ip = std::string(int_pad, '0') + int_digits;
  size_t frac_pad = (4 - frac_digits.size() % 4) % 4;
  std::string fp = frac_digits + std::string(frac_pad, '0');
  std::vector<int16_t> groups;
  for (size_t g = 0; g < ip.size(); g += 4)
    groups.push_back(static_cast<int16_t>(std::atoi(ip.substr(g, 4).c_str())));
  int weight = static_cast<int>(ip.size() / 4) - 1;
  for (size_t g = 0; g < fp.size(); g += 4)
    groups.push_back(static_cast<int16_t>(std::atoi(fp.substr(g, 4).c_str())));
  size_t first = 0;
  while (first < groups.size() && groups[first] == 0) {
    ++first;
    --weight;
  }
  size_t last = groups.size();
  while (last > first && groups[last - 1] == 0) --last;
  if (first == last) {  // zero
    put_i16(out, 0);
    put_i16(out, 0);
    put_i16(out, 0);
    put_i16(out, dscale);
    return out;
  }
  put_i16(out, static_cast<int16_t>(last - first));
  put_i16(out, static_cast<int16_t>(weight));
  put_i16(out, static_cast<int16_t>(negative ? 0x4000 : 0x0000));
  put_i16(out, dscale);
  for (size_t g = first; g < last; ++g) put_i16(out, groups[g]);
  return out;
}

std::string numeric_binary_to_text(std::string_view b) {
  if (b.size() < 8) fail("insufficient data left in message for numeric", "22P03");
  int ndigits = get_i16(b.data());
  int weight = get_i16(b.data() + 2);
  uint16_t sign = get_u16(b.data() + 4);
  int dscale = get_i16(b.data() + 6);
  if (sign == 0xC000) return "NaN";
  if (sign == 0xD000) return "Infinity";
  if (sign == 0xF000) return "-Infinity";
  if ((sign != 0 && sign != 0x4000) || ndigits < 0 || dscale < 0 || dscale > 16383 ||
      b.size() != 8 + static_cast<size_t>(ndigits) * 2) {
    fail("invalid external \"numeric\" value", "22P03");
  }
  std::vector<int> digits;
  for (int i = 0; i < ndigits; ++i) {
    int d = get_i16(b.data() + 8 + 2 * i);
    if (d < 0 || d >= 10000) fail("invalid digit in external \"numeric\" value", "22P03");
    digits.push_back(d);
  }
  // Integer part: groups with weight >= 0.
  std::string int_part;
  for (int w = weight, i = 0; w >= 0; --w, ++i) {
    int d = i < ndigits ? digits[static_cast<size_t>(i)] : 0;
    char buf[8];
    std::snprintf(buf, sizeof(buf), int_part.empty() ? "%d" : "%04d", d);
    if (int_part.empty() && d == 0) continue;
    int_part += buf;
  }
  if (int_part.empty()) int_part = "0";
  std::string frac;
  for (int w = -1, i = weight + 1; static_cast<int>(frac.size()) < dscale; --w, ++i) {
    int d = (i >= 0 && i < ndigits) ? digits[static_cast<size_t>(i)] : 0;
    char buf[8];
    std::snprintf(buf, sizeof(buf), "%04d", d);
    frac += buf;
  }
  frac.resize(static_cast<size_t>(dscale));
  std::string out = sign == 0x4000 ? "-" : "";
  out += int_part;
  if (dscale > 0) out += "." + frac;
  return out;
}

// --- Binary parameters ------------------------------------------------------------------

std::string binary_param_to_text(int32_t o, std::string_view b) {
  auto need = [&](size_t n) {
    if (b.size() != n) {
      fail("incorrect binary data format in bind parameter: " + std::string(pg_type_name(o)) +
               " takes " + std::to_string(n) + " bytes, got " + std::to_string(b.size()),
           "22P03");
    }
  };
  switch (o) {
    case oid::kBool: need(1); return b[0] ? "true" : "false";
    case oid::kInt2: need(2); return std::to_string(get_i16(b.data()));
    case oid::kInt4: need(4); return std::to_string(get_i32(b.data()));
    case oid::kOid:
    case oid::kRegclass:
    case oid::kRegtype: need(4); return std::to_string(get_u32(b.data()));
    case oid::kInt8: need(8); return std::to_string(get_i64(b.data()));
    case oid::kFloat4: {
      need(4);
      uint32_t u = get_u32(b.data());
      float f;
      std::memcpy(&f, &u, 4);
      return format_float4(f);
    }
    case oid::kFloat8: {
      need(8);
      auto u = static_cast<uint64_t>(get_i64(b.data()));
      double d;
      std::memcpy(&d, &u, 8);
      return format_float8(d);
    }
    case oid::kNumeric: return numeric_binary_to_text(b);
    case oid::kDate: {
      need(4);
      return format_pg_date(int64_t{get_i32(b.data())} + kPgEpochDays);
    }
    case oid::kTimestamp: {
      need(8);
      return format_pg_timestamp(get_i64(b.data()) + kPgEpochMicros);
    }
    case oid::kTimestampTz: {
      need(8);
      return format_pg_timestamptz(get_i64(b.data()) + kPgEpochMicros, *TimeZone::utc());
    }
    case oid::kTime: {
      need(8);
      return format_pg_time(get_i64(b.data()));
    }
    case oid::kUuid: {
      need(16);
      static const char* kHex = "0123456789abcdef";
      std::string out;
      for (size_t i = 0; i < 16; ++i) {
        if (i == 4 || i == 6 || i == 8 || i == 10) out += '-';
        auto c = static_cast<unsigned char>(b[i]);
        out += kHex[c >> 4];
        out += kHex[c & 15];
      }
      return out;
    }
    case oid::kJsonb:
      if (b.empty() || b[0] != 1) fail("unsupported jsonb version number", "22P03");
      return std::string(b.substr(1));
    case oid::kBytea:
    case oid::kText:
    case oid::kVarchar:
    case oid::kBpchar:
    case oid::kName:
    case oid::kChar:
    case oid::kUnknown:
    case oid::kJson: return std::string(b);
    default:
      fail("binary parameters of type " +
               (pg_type_name(o).empty() ? "OID " + std::to_string(o)
                                        : std::string(pg_type_name(o))) +
               " are not supported",
           "0A000", "send this parameter in text format");
  }
}

// --- CellEncoder ----------------------------------------------------------------------

CellEncoder::CellEncoder(Type from, int32_t to_oid, bool binary, const TimeZone* tz)
    : from_(from), to_(to_oid), binary_(binary), tz_(tz ? tz : TimeZone::utc().get()) {
  if (binary_ && !pg_binary_supported(to_)) {
    fail("binary output of type " + std::string(pg_type_name(to_)) + " is not supported", "0A000",
         "ask for this column in text format");
  }
}

void CellEncoder::append(const Column& c, size_t r, std::string& out) const {
  if (c.is_null(r)) {
    put_i32(out, -1);
    return;
  }
  const TimeZone& tz = *tz_;
  const Type& t = c.type();
  if (!binary_) {
    switch (to_) {
      case oid::kBool:
        if (t.id == TypeId::kBoolean) return put_field(out, c.int_at(r) ? "t" : "f");
        break;
      case oid::kInt2:
      case oid::kInt4:
      case oid::kInt8:
      case oid::kOid:
        if (t.storage() == Storage::kInt && !t.is_temporal()) {
          char buf[24];
          auto res = std::to_chars(buf, buf + sizeof(buf), c.int_at(r));
          return put_field(out, std::string_view(buf, static_cast<size_t>(res.ptr - buf)));
        }
        return put_field(out, std::to_string(cell_integer(c, r, to_)));
      case oid::kFloat4:
        return put_field(out, format_float4(static_cast<float>(cell_double(c, r))));
      case oid::kFloat8: return put_field(out, format_float8(cell_double(c, r)));
      case oid::kNumeric: return put_field(out, cell_numeric_text(c, r));
      case oid::kDate:
        return put_field(out,
                         format_pg_date(floor_div(cell_local_micros(c, r, tz), kMicrosPerDay)));
      case oid::kTimestamp: return put_field(out, format_pg_timestamp(cell_local_micros(c, r, tz)));
      case oid::kTimestampTz:
        return put_field(out, format_pg_timestamptz(cell_utc_micros(c, r, tz), tz));
      default: break;
    }
    if (t.storage() == Storage::kString && t.id != TypeId::kBlob && t.id != TypeId::kInterval) {
      return put_field(out, c.string_at(r));
    }
    return put_field(out, natural_text(c, r, tz));
  }

  // Binary.
  switch (to_) {
    case oid::kBool: {
      bool v = false;
      if (t.id == TypeId::kBoolean) {
        v = c.int_at(r) != 0;
      } else {
        std::string s = natural_text(c, r, tz);
        if (s == "t" || s == "true" || s == "1") {
          v = true;
        } else if (!(s == "f" || s == "false" || s == "0")) {
          fail("value " + s + " is not a boolean", "22P02");
        }
      }
      put_i32(out, 1);
      put_u8(out, v ? 1 : 0);
      return;
    }
    case oid::kInt2: {
      int64_t v = cell_integer(c, r, to_);
      if (v < -32768 || v > 32767) fail("smallint out of range", "22003");
      put_i32(out, 2);
      put_i16(out, static_cast<int16_t>(v));
      return;
    }
    case oid::kInt4:
    case oid::kOid: {
      int64_t v = cell_integer(c, r, to_);
      if (to_ == oid::kInt4 && (v < INT32_MIN || v > INT32_MAX))
        fail("integer out of range", "22003");
      put_i32(out, 4);
      put_i32(out, static_cast<int32_t>(v));
      return;
    }
    case oid::kInt8: {
      put_i32(out, 8);
      put_i64(out, cell_integer(c, r, to_));
      return;
    }
    case oid::kFloat4: {
      auto f = static_cast<float>(cell_double(c, r));
      uint32_t u;
      std::memcpy(&u, &f, 4);
      put_i32(out, 4);
      put_i32(out, static_cast<int32_t>(u));
      return;
    }
    case oid::kFloat8: {
      double d = cell_double(c, r);
      uint64_t u;
      std::memcpy(&u, &d, 8);
      put_i32(out, 8);
      put_i64(out, static_cast<int64_t>(u));
      return;
    }
    case oid::kNumeric: return put_field(out, numeric_text_to_binary(cell_numeric_text(c, r)));
    case oid::kDate: {
      int64_t days = floor_div(cell_local_micros(c, r, tz), kMicrosPerDay) - kPgEpochDays;
      put_i32(out, 4);
      put_i32(out, static_cast<int32_t>(days));
      return;
    }
    case oid::kTimestamp: {
      put_i32(out, 8);
      put_i64(out, cell_local_micros(c, r, tz) - kPgEpochMicros);
      return;
    }
    case oid::kTimestampTz: {
      put_i32(out, 8);
      put_i64(out, cell_utc_micros(c, r, tz) - kPgEpochMicros);
      return;
    }
    case oid::kTime: {
      if (t.id != TypeId::kTime) break;
      put_i32(out, 8);
      put_i64(out, c.int_at(r));
      return;
    }
    case oid::kInterval: {
      if (t.storage() != Storage::kString) break;
      auto p = parse_iso_interval(c.string_at(r));
      if (!p) break;
      put_i32(out, 16);
      put_i64(out, p->micros);
      put_i32(out, static_cast<int32_t>(p->days));
      put_i32(out, static_cast<int32_t>(p->months));
      return;
    }
    case oid::kUuid: {
      if (t.storage() != Storage::kString) break;
      return put_field(out, uuid_binary(c.string_at(r)));
    }
    case oid::kBytea: {
      if (t.storage() == Storage::kString) return put_field(out, c.string_at(r));
      return put_field(out, natural_text(c, r, tz));
    }
    case oid::kJsonb: {
      std::string s = "\x01";
      s += t.storage() == Storage::kString ? c.string_at(r) : natural_text(c, r, tz);
      return put_field(out, s);
    }
    default:
      if (is_textual(to_)) {
        if (t.storage() == Storage::kString && t.id != TypeId::kBlob && t.id != TypeId::kInterval) {
          return put_field(out, c.string_at(r));
        }
        return put_field(out, natural_text(c, r, tz));
      }
      break;
  }
  fail("value " + natural_text(c, r, tz) + " cannot be sent as binary " +
           std::string(pg_type_name(to_)),
       "0A000", "ask for this column in text format");
}

}  // namespace strata::pgwire
