#include "source/postgres/pg_binary.h"

#include <arpa/inet.h>
#include <sys/socket.h>

#include <array>
#include <charconv>
#include <cstring>
#include <vector>

#include "core/time.h"
#include "source/duckdb/duckdb_convert.h"

namespace strata::pg_detail {

namespace {

struct ArrayOid {
  uint32_t array;
  uint32_t element;
};
// Array types of the element types strata knows (pg_type.dat).
constexpr std::array<ArrayOid, 27> kArrays = {{
    {1000, oid::kBool},        {1001, oid::kBytea},     {1002, oid::kChar},    {1003, oid::kName},
    {1005, oid::kInt2},        {1007, oid::kInt4},      {1009, oid::kText},    {1014, oid::kBpchar},
    {1015, oid::kVarchar},     {1016, oid::kInt8},      {1021, oid::kFloat4},  {1022, oid::kFloat8},
    {1028, oid::kOid},         {1115, oid::kTimestamp}, {1182, oid::kDate},    {1183, oid::kTime},
    {1185, oid::kTimestamptz}, {1187, oid::kInterval},  {1231, oid::kNumeric}, {1270, oid::kTimetz},
    {2951, oid::kUuid},        {199, oid::kJson},       {3807, oid::kJsonb},   {143, oid::kXml},
    {1041, oid::kInet},        {651, oid::kCidr},       {1040, oid::kMacaddr},
}};

bool is_array_oid(uint32_t o) {
  for (const auto& a : kArrays) {
    if (a.array == o) return true;
  }
  return false;
}

bool is_scalar_known(uint32_t o) {
  switch (o) {
    case oid::kBool:
    case oid::kBytea:
    case oid::kChar:
    case oid::kName:
    case oid::kInt8:
    case oid::kInt2:
    case oid::kInt4:
    case oid::kText:
    case oid::kOid:
    case oid::kJson:
    case oid::kXml:
    case oid::kCidr:
    case oid::kFloat4:
    case oid::kFloat8:
    case oid::kUnknown:
    case oid::kMacaddr:
    case oid::kInet:
    case oid::kBpchar:
    case oid::kVarchar:
    case oid::kDate:
    case oid::kTime:
    case oid::kTimestamp:
    case oid::kTimestamptz:
    case oid::kInterval:
    case oid::kTimetz:
    case oid::kNumeric:
    case oid::kUuid:
    case oid::kJsonb: return true;
    default: return false;
  }
}

constexpr __int128 pow10_i128(int n) {
  __int128 v = 1;
  for (int i = 0; i < n; ++i) v *= 10;
  return v;
}

const std::array<__int128, 39> kPow10 = [] {
  std::array<__int128, 39> t{};
  for (int i = 0; i <= 38; ++i) t[i] = pow10_i128(i);
  return t;
}();

const char kHex[] = "0123456789abcdef";

std::string hex_of(std::string_view bin) {
  std::string out = "\\x";
  out.reserve(2 + 2 * bin.size());
  for (unsigned char c : bin) {
    out += kHex[c >> 4];
    out += kHex[c & 15];
  }
  return out;
}

bool valid_utf8_text(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c == 0) return false;
    int extra = c < 0x80 ? 0 : (c >> 5) == 6 ? 1 : (c >> 4) == 14 ? 2 : (c >> 3) == 30 ? 3 : -1;
    if (extra < 0) return false;
    for (int k = 1; k <= extra; ++k) {
      if (i + k >= s.size() || (static_cast<unsigned char>(s[i + k]) >> 6) != 2) return false;
    }
    i += extra + 1;
  }
  return true;
}

// "HH:MM:SS" plus ".ffffff" without trailing zeros, as PostgreSQL writes times.
std::string time_text(int64_t micros) {
  bool negative = micros < 0;
  if (negative) micros = -micros;
  int64_t secs = micros / 1'000'000;
  int64_t frac = micros % 1'000'000;
  char buf[48];
  int n = std::snprintf(buf, sizeof buf, "%s%02lld:%02lld:%02lld", negative ? "-" : "",
                        static_cast<long long>(secs / 3600), static_cast<long long>(secs / 60 % 60),
                        static_cast<long long>(secs % 60));
  std::string out(buf, n);
  if (frac) {
    char f[8];
    std::snprintf(f, sizeof f, "%06lld", static_cast<long long>(frac));
    std::string fs(f);
    while (!fs.empty() && fs.back() == '0') fs.pop_back();
    out += "." + fs;
  }
  return out;
}

std::string offset_text(int offset_seconds) {
  char sign = offset_seconds < 0 ? '-' : '+';
  int a = offset_seconds < 0 ? -offset_seconds : offset_seconds;
  char buf[24];
  int n = std::snprintf(buf, sizeof buf, "%c%02d", sign, a / 3600);
  std::string out(buf, n);
  if (a % 3600) {
    n = std::snprintf(buf, sizeof buf, ":%02d", a / 60 % 60);
    out.append(buf, n);
    if (a % 60) {
      n = std::snprintf(buf, sizeof buf, ":%02d", a % 60);
      out.append(buf, n);
    }
  }
  return out;
}

std::string timestamp_text(int64_t pg_micros, bool with_zone) {
  if (pg_micros == INT64_MAX) return "infinity";
  if (pg_micros == INT64_MIN) return "-infinity";
  int64_t micros = pg_micros + kEpochShiftMicros;
  std::string out = format_sql_timestamp(micros);
  if (with_zone) out += "+00";
  return out;
}

std::string inet_text(std::string_view bin, bool cidr) {
  if (bin.size() < 4) return hex_of(bin);
  int family = static_cast<unsigned char>(bin[0]);
  int bits = static_cast<unsigned char>(bin[1]);
  size_t nb = static_cast<unsigned char>(bin[3]);
  if (bin.size() < 4 + nb) return hex_of(bin);
  char buf[INET6_ADDRSTRLEN + 8] = {};
  int af = family == 3 ? AF_INET6 : AF_INET;
  size_t want = af == AF_INET6 ? 16 : 4;
  if (nb != want) return hex_of(bin);
  unsigned char addr[16] = {};
  std::memcpy(addr, bin.data() + 4, nb);
  if (!inet_ntop(af, addr, buf, sizeof buf)) return hex_of(bin);
  std::string out = buf;
  int max_bits = af == AF_INET6 ? 128 : 32;
  if (cidr || bits != max_bits) out += "/" + std::to_string(bits);
  return out;
}

std::string quote_array_element(const std::string& s) {
  bool needs =
      s.empty() || (s.size() == 4 && (s[0] == 'N' || s[0] == 'n') && (s[1] == 'U' || s[1] == 'u') &&
                    (s[2] == 'L' || s[2] == 'l') && (s[3] == 'L' || s[3] == 'l'));
  for (char c : s) {
    if (c == '{' || c == '}' || c == ',' || c == '"' || c == '\\' || c == ' ' || c == '\t' ||
        c == '\n' || c == '\r' || c == '\v' || c == '\f') {
      needs = true;
    }
  }
  if (!needs) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  out += '"';
  return out;
}

std::string array_text(std::string_view bin) {
  if (bin.size() < 12) return hex_of(bin);
  const char* p = bin.data();
  const char* end = p + bin.size();
  int32_t ndim = read_i32(p);
  uint32_t elem = static_cast<uint32_t>(read_i32(p + 8));
  p += 12;
  if (ndim == 0) return "{}";
  if (ndim < 0 || ndim > 6 || end - p < 8 * ndim) return hex_of(bin);
  std::vector<int32_t> dims(ndim), lower(ndim);
  bool default_bounds = true;
  for (int d = 0; d < ndim; ++d) {
    dims[d] = read_i32(p);
    lower[d] = read_i32(p + 4);
    if (dims[d] < 0) return hex_of(bin);
    if (lower[d] != 1) default_bounds = false;
    p += 8;
  }
  std::string out;
  if (!default_bounds) {
    for (int d = 0; d < ndim; ++d) {
      out += "[" + std::to_string(lower[d]) + ":" +
             std::to_string(static_cast<int64_t>(lower[d]) + dims[d] - 1) + "]";
    }
    out += "=";
  }
  // Elements in row-major order; braces open and close per dimension.
  std::vector<int32_t> index(ndim, 0);
  int64_t total = 1;
  for (int d = 0; d < ndim; ++d) total *= dims[d];
  for (int d = 0; d < ndim; ++d) out += '{';
  for (int64_t k = 0; k < total; ++k) {
    if (k > 0) {
      // Close the dimensions that just wrapped, then reopen them.
      int wrapped = 0;
      for (int d = ndim - 1; d > 0 && index[d] == 0; --d) ++wrapped;
      for (int w = 0; w < wrapped; ++w) out += '}';
      out += ',';
      for (int w = 0; w < wrapped; ++w) out += '{';
    }
    if (end - p < 4) return hex_of(bin);
    int32_t len = read_i32(p);
    p += 4;
    if (len < 0) {
      out += "NULL";
    } else {
      if (end - p < len) return hex_of(bin);
      out += quote_array_element(text_of(elem, std::string_view(p, len)));
      p += len;
    }
    for (int d = ndim - 1; d >= 0; --d) {
      if (++index[d] < dims[d]) break;
      index[d] = 0;
    }
  }
  for (int d = 0; d < ndim; ++d) out += '}';
  return out;
}

}  // namespace

bool is_known(uint32_t o) {
  return is_scalar_known(o) || is_array_oid(o);
}

Type type_of(uint32_t o, int typmod) {
  switch (o) {
    case oid::kBool: return Type::of(TypeId::kBoolean);
    case oid::kInt2: return Type::of(TypeId::kInt16);
    case oid::kInt4: return Type::of(TypeId::kInt32);
    case oid::kInt8:
    case oid::kOid: return Type::of(TypeId::kInt64);
    case oid::kFloat4: return Type::of(TypeId::kFloat);
    case oid::kFloat8: return Type::of(TypeId::kDouble);
    case oid::kNumeric: {
      if (typmod < 4) return Type::decimal(38, 0);  // the scale is decided by the values
      int precision = ((typmod - 4) >> 16) & 0xffff;
      int scale = (((typmod - 4) & 0x7ff) ^ 1024) - 1024;
      if (scale < 0) {
        precision -= scale;
        scale = 0;
      }
      if (precision < 1 || precision > 38 || scale > precision) return Type::of(TypeId::kString);
      return Type::decimal(static_cast<uint8_t>(precision), static_cast<uint8_t>(scale));
    }
    case oid::kJson:
    case oid::kJsonb: return Type::of(TypeId::kJson);
    case oid::kDate: return Type::of(TypeId::kDate);
    case oid::kTime: return Type::of(TypeId::kTime);
    case oid::kTimestamp: return Type::of(TypeId::kTimestamp);
    case oid::kTimestamptz: return Type::of(TypeId::kTimestampTz);
    case oid::kInterval: return Type::of(TypeId::kInterval);
    case oid::kUuid: return Type::of(TypeId::kUuid);
    case oid::kBytea: return Type::of(TypeId::kBlob);
    default: return Type::of(TypeId::kString);
  }
}

std::optional<Numeric> parse_numeric(std::string_view bin) {
  if (bin.size() < 8) return std::nullopt;
  int ndigits = read_i16(bin.data());
  uint16_t sign = static_cast<uint16_t>(read_i16(bin.data() + 4));
  int dscale = static_cast<uint16_t>(read_i16(bin.data() + 6));
  if (ndigits < 0 || bin.size() != 8 + 2 * static_cast<size_t>(ndigits)) return std::nullopt;
  Numeric n;
  n.raw = bin;
  n.dscale = dscale & 0x3fff;
  switch (sign) {
    case 0x0000:
    case 0x4000: break;
    case 0xC000: n.special = Numeric::Special::kNaN; break;
    case 0xD000: n.special = Numeric::Special::kInfinity; break;
    case 0xF000: n.special = Numeric::Special::kNegInfinity; break;
    default: return std::nullopt;
  }
  return n;
}

std::optional<__int128> numeric_unscaled(std::string_view bin, int scale) {
  auto n = parse_numeric(bin);
  if (!n || n->special != Numeric::Special::kNone || scale < 0 || scale > 38) return std::nullopt;
  int ndigits = read_i16(bin.data());
  int weight = read_i16(bin.data() + 2);
  bool negative = static_cast<uint16_t>(read_i16(bin.data() + 4)) == 0x4000;
  const __int128 limit = kPow10[38];
  __int128 acc = 0;
  for (int i = 0; i < ndigits; ++i) {
    int d = read_i16(bin.data() + 8 + 2 * i);
    if (d == 0) continue;
    if (d < 0 || d > 9999) return std::nullopt;
    int e = 4 * (weight - i) + scale;  // the power of ten of this group, in unscaled units
    __int128 part;
    if (e >= 0) {
      if (e > 38) return std::nullopt;
      part = static_cast<__int128>(d) * kPow10[e];
      if (part >= limit) return std::nullopt;
    } else {
      if (-e >= 4) return std::nullopt;  // digits beyond `scale`
      if (d % static_cast<int>(kPow10[-e]) != 0) return std::nullopt;
      part = d / static_cast<int>(kPow10[-e]);
    }
    acc += part;
    if (acc >= limit) return std::nullopt;
  }
  return negative ? -acc : acc;
}

std::string numeric_text(std::string_view bin) {
  auto n = parse_numeric(bin);
  if (!n) return hex_of(bin);
  switch (n->special) {
    case Numeric::Special::kNaN: return "NaN";
    case Numeric::Special::kInfinity: return "Infinity";
    case Numeric::Special::kNegInfinity: return "-Infinity";
    case Numeric::Special::kNone: break;
  }
  int ndigits = read_i16(bin.data());
  int weight = read_i16(bin.data() + 2);
  bool negative = static_cast<uint16_t>(read_i16(bin.data() + 4)) == 0x4000;
  auto digit = [&](int i) { return i >= 0 && i < ndigits ? read_i16(bin.data() + 8 + 2 * i) : 0; };
  std::string out;
  if (negative) out += '-';
  if (weight < 0) {
    out += '0';
  } else {
    for (int g = 0; g <= weight; ++g) {
      char buf[8];
      int len = std::snprintf(buf, sizeof buf, g == 0 ? "%d" : "%04d", digit(g));
      out.append(buf, len);
    }
  }
  if (n->dscale > 0) {
    out += '.';
    std::string frac;
    for (int g = weight + 1; static_cast<int>(frac.size()) < n->dscale; ++g) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "%04d", digit(g));
      frac += buf;
    }
    frac.resize(n->dscale);
    out += frac;
  }
  return out;
}

std::string interval_text(std::string_view bin) {
  if (bin.size() != 16) return hex_of(bin);
  return duckdb_detail::format_interval(read_i32(bin.data() + 12), read_i32(bin.data() + 8),
                                        read_i64(bin.data()));
}

std::string uuid_text(std::string_view bin) {
  if (bin.size() != 16) return hex_of(bin);
  std::string out;
  out.reserve(36);
  for (size_t i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out += '-';
    unsigned char c = static_cast<unsigned char>(bin[i]);
    out += kHex[c >> 4];
    out += kHex[c & 15];
  }
  return out;
}

double float4_as_double(float f) {
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, f);
  if (ec != std::errc()) return static_cast<double>(f);
  double d = 0;
  auto [p, ec2] = std::from_chars(buf, end, d);
  if (ec2 != std::errc()) return static_cast<double>(f);
  return d;
}

std::string text_of(uint32_t o, std::string_view bin) {
  auto need = [&](size_t n) { return bin.size() == n; };
  switch (o) {
    case oid::kBool: return need(1) ? (bin[0] ? "t" : "f") : hex_of(bin);
    case oid::kInt2: return need(2) ? std::to_string(read_i16(bin.data())) : hex_of(bin);
    case oid::kInt4: return need(4) ? std::to_string(read_i32(bin.data())) : hex_of(bin);
    case oid::kOid:
      return need(4) ? std::to_string(static_cast<uint32_t>(read_i32(bin.data()))) : hex_of(bin);
    case oid::kInt8: return need(8) ? std::to_string(read_i64(bin.data())) : hex_of(bin);
    case oid::kFloat4: {
      if (!need(4)) return hex_of(bin);
      uint32_t u = static_cast<uint32_t>(read_i32(bin.data()));
      float f;
      std::memcpy(&f, &u, 4);
      return double_to_string(float4_as_double(f));
    }
    case oid::kFloat8: {
      if (!need(8)) return hex_of(bin);
      uint64_t u = static_cast<uint64_t>(read_i64(bin.data()));
      double d;
      std::memcpy(&d, &u, 8);
      return double_to_string(d);
    }
    case oid::kNumeric: return numeric_text(bin);
    case oid::kBytea: return hex_of(bin);
    case oid::kJsonb: return !bin.empty() && bin[0] == 1 ? std::string(bin.substr(1)) : hex_of(bin);
    case oid::kDate: {
      if (!need(4)) return hex_of(bin);
      int32_t d = read_i32(bin.data());
      if (d == INT32_MAX) return "infinity";
      if (d == INT32_MIN) return "-infinity";
      return format_date(static_cast<int64_t>(d) + kEpochShiftDays);
    }
    case oid::kTime: return need(8) ? time_text(read_i64(bin.data())) : hex_of(bin);
    case oid::kTimetz:
      // time micros, then the zone as seconds west of UTC
      return need(12) ? time_text(read_i64(bin.data())) + offset_text(-read_i32(bin.data() + 8))
                      : hex_of(bin);
    case oid::kTimestamp:
      return need(8) ? timestamp_text(read_i64(bin.data()), false) : hex_of(bin);
    case oid::kTimestamptz:
      return need(8) ? timestamp_text(read_i64(bin.data()), true) : hex_of(bin);
    case oid::kInterval: return interval_text(bin);
    case oid::kUuid: return uuid_text(bin);
    case oid::kInet: return inet_text(bin, false);
    case oid::kCidr: return inet_text(bin, true);
    case oid::kMacaddr: {
      if (!need(6)) return hex_of(bin);
      char buf[24];
      auto u = reinterpret_cast<const unsigned char*>(bin.data());
      std::snprintf(buf, sizeof buf, "%02x:%02x:%02x:%02x:%02x:%02x", u[0], u[1], u[2], u[3], u[4],
                    u[5]);
      return buf;
    }
    case oid::kText:
    case oid::kVarchar:
    case oid::kBpchar:
    case oid::kName:
    case oid::kChar:
    case oid::kJson:
    case oid::kXml:
    case oid::kUnknown: return std::string(bin);
    default:
      if (is_array_oid(o)) return array_text(bin);
      if (valid_utf8_text(bin)) return std::string(bin);
      return hex_of(bin);
  }
}

}  // namespace strata::pg_detail
