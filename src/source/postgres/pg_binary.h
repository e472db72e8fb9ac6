// Internal to the PostgreSQL source: PostgreSQL's binary wire formats (what
// a "send" function writes, as documented with each type and in
// src/backend/utils/adt) turned into strata values and text. Pure functions
// over bytes, so they are tested without a server; libpq stays in the .cpp.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/types.h"

namespace strata::pg_detail {

// Type OIDs of the built-in types strata decodes (pg_type.dat).
namespace oid {
constexpr uint32_t kBool = 16, kBytea = 17, kChar = 18, kName = 19, kInt8 = 20, kInt2 = 21,
                   kInt4 = 23, kText = 25, kOid = 26, kJson = 114, kXml = 142, kCidr = 650,
                   kFloat4 = 700, kFloat8 = 701, kUnknown = 705, kMacaddr = 829, kInet = 869,
                   kBpchar = 1042, kVarchar = 1043, kDate = 1082, kTime = 1083, kTimestamp = 1114,
                   kTimestamptz = 1184, kInterval = 1186, kTimetz = 1266, kNumeric = 1700,
                   kUuid = 2950, kJsonb = 3802;
}

// Microseconds (days) between 1970-01-01 and PostgreSQL's epoch 2000-01-01.
constexpr int64_t kEpochShiftMicros = 946'684'800'000'000;
constexpr int64_t kEpochShiftDays = 10'957;

inline int16_t read_i16(const char* p) {
  auto u = reinterpret_cast<const unsigned char*>(p);
  return static_cast<int16_t>((u[0] << 8) | u[1]);
}
inline int32_t read_i32(const char* p) {
  auto u = reinterpret_cast<const unsigned char*>(p);
  return static_cast<int32_t>((uint32_t{u[0]} << 24) | (uint32_t{u[1]} << 16) |
                              (uint32_t{u[2]} << 8) | uint32_t{u[3]});
}
inline int64_t read_i64(const char* p) {
  return static_cast<int64_t>((static_cast<uint64_t>(static_cast<uint32_t>(read_i32(p))) << 32) |
                              static_cast<uint32_t>(read_i32(p + 4)));
}

// How strata reads a column of type `oid` with type modifier `typmod` (see
// postgres_source.h). Unknown OIDs read as kString.
Type type_of(uint32_t oid, int typmod);
// Whether `oid` is one of the types type_of() knows (arrays of them included).
bool is_known(uint32_t oid);

// NUMERIC (binary). nullopt when the bytes are malformed.
struct Numeric {
  enum class Special { kNone, kNaN, kInfinity, kNegInfinity };
  Special special = Special::kNone;
  int dscale = 0;  // digits after the point in the value's text
  std::string_view raw;
};
std::optional<Numeric> parse_numeric(std::string_view bin);
// The value as an unscaled integer with `scale` digits after the point;
// nullopt when it is special, needs more than 38 digits, or loses digits.
std::optional<__int128> numeric_unscaled(std::string_view bin, int scale);
// PostgreSQL's text of the value ("12.50", "NaN", "-Infinity").
std::string numeric_text(std::string_view bin);

// ISO-8601 interval text from PostgreSQL's binary interval (micros, days, months).
std::string interval_text(std::string_view bin);
std::string uuid_text(std::string_view bin);

// PostgreSQL's text form of a binary value of a known type (arrays
// included), e.g. for elements of an array or a timetz. For a type it does
// not know: the bytes themselves when they are valid UTF-8 without NUL,
// else "\x" and hex digits.
std::string text_of(uint32_t oid, std::string_view bin);

// A float4's shortest decimal form read back as a double (1.1f -> 1.1).
double float4_as_double(float f);

}  // namespace strata::pg_detail
