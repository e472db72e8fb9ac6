// PostgreSQL types on the wire: the type OIDs strata announces in
// RowDescription and ParameterDescription, and the text and binary encodings
// of ResultSet cells and of bound parameters.
//
// strata types map to PostgreSQL types as follows (pg_oid_of):
//   kBoolean -> bool(16)       kInt16 -> int2(21)     kInt32 -> int4(23)
//   kInt64 -> int8(20)         kFloat -> float4(700)  kDouble -> float8(701)
//   kDecimal -> numeric(1700)  kString -> text(25)    kDate -> date(1082)
//   kTimestamp -> timestamp(1114)  kTimestampTz -> timestamptz(1184)
//   kTime -> time(1083)        kInterval -> interval(1186)  kUuid -> uuid(2950)
//   kJson -> json(114)         kBlob -> bytea(17)
//
// Text encodings follow PostgreSQL's output functions with DateStyle ISO,
// IntervalStyle postgres and extra_float_digits 1 (shortest exact floats).
// Binary encodings follow PostgreSQL's send functions (src/backend/utils/adt
// *_send): big-endian integers, IEEE floats, numeric as base-10000 digits,
// dates as days and timestamps as microseconds since 2000-01-01.
//
// Everything here is stateless and thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/result_set.h"
#include "core/time.h"

namespace strata::pgwire {

namespace oid {
inline constexpr int32_t kBool = 16;
inline constexpr int32_t kBytea = 17;
inline constexpr int32_t kChar = 18;
inline constexpr int32_t kName = 19;
inline constexpr int32_t kInt8 = 20;
inline constexpr int32_t kInt2 = 21;
inline constexpr int32_t kInt2Vector = 22;
inline constexpr int32_t kInt4 = 23;
inline constexpr int32_t kRegproc = 24;
inline constexpr int32_t kText = 25;
inline constexpr int32_t kOid = 26;
inline constexpr int32_t kOidVector = 30;
inline constexpr int32_t kJson = 114;
inline constexpr int32_t kFloat4 = 700;
inline constexpr int32_t kFloat8 = 701;
inline constexpr int32_t kUnknown = 705;
inline constexpr int32_t kBpchar = 1042;
inline constexpr int32_t kVarchar = 1043;
inline constexpr int32_t kDate = 1082;
inline constexpr int32_t kTime = 1083;
inline constexpr int32_t kTimestamp = 1114;
inline constexpr int32_t kTimestampTz = 1184;
inline constexpr int32_t kInterval = 1186;
inline constexpr int32_t kNumeric = 1700;
inline constexpr int32_t kRegclass = 2205;
inline constexpr int32_t kRegtype = 2206;
inline constexpr int32_t kUuid = 2950;
inline constexpr int32_t kJsonb = 3802;
inline constexpr int32_t kRegnamespace = 4089;
}  // namespace oid

// One column as RowDescription describes it.
struct PgField {
  std::string name;
  int32_t type_oid = oid::kText;
  int16_t type_len = -1;
  int32_t type_mod = -1;
  int32_t table_oid = 0;  // the cube's table OID when the column is a plain cube column
  int16_t attnum = 0;
};

int32_t pg_oid_of(const Type& t);
// pg_type.typlen: 1, 2, 4, 8, 16 for fixed-size types, -1 for varlena, -2 for cstring.
int16_t pg_type_len(int32_t oid);
// pg_attribute.atttypmod: ((precision << 16) | scale) + 4 for a decimal, -1 otherwise.
int32_t pg_type_mod_of(const Type& t);
// pg_type.typname ("int8", "timestamptz"); "" for an OID this table does not know.
std::string_view pg_type_name(int32_t oid);
// The strata type whose values arrive as `oid` (for parameters); kString when unknown.
Type strata_type_of_oid(int32_t oid);
// True when cells can be sent to a client in binary as `oid`.
bool pg_binary_supported(int32_t oid);

// Encodes the cells of one result column as one PostgreSQL type, in text or
// binary format. The target type may differ from the column's own (a portal
// described before it ran keeps its announced types): integers, decimals and
// floats convert among each other, dates and timestamps among each other, and
// anything can be sent as text. Built once per column, used for every row.
class CellEncoder {
 public:
  // `tz` is the session time zone (timestamptz text, timestamp <-> timestamptz);
  // it must outlive the encoder.
  CellEncoder(Type from, int32_t to_oid, bool binary, const TimeZone* tz);

  // Appends the cell as a DataRow field: an int32 length (-1 for NULL) and the
  // bytes. Throws UserError (SQLSTATE 22P02 / 22003 / 0A000) when the value has
  // no representation in the target type.
  void append(const Column& column, size_t row, std::string& out) const;

  int32_t to_oid() const { return to_; }
  bool binary() const { return binary_; }

 private:
  Type from_;
  int32_t to_;
  bool binary_;
  const TimeZone* tz_;
};

// Text of one cell in the column's own type's PostgreSQL output format
// ("t", "465.00", "2024-01-31 13:45:00"); "" for NULL.
std::string cell_text(const Column& column, size_t row, const TimeZone& tz);

// A parameter sent in binary as `oid`, as PostgreSQL text ("42", "t",
// "2024-01-31 00:00:00"). Throws UserError 22P03 (invalid_binary_representation)
// for bytes of the wrong length or content, 0A000 for a type without a binary
// decoder here (send it as text instead).
std::string binary_param_to_text(int32_t oid, std::string_view bytes);

// PostgreSQL's numeric binary format <-> decimal text ("-12.50", "NaN",
// "Infinity"). Throw UserError 22P03 / 22P02 on malformed input.
std::string numeric_text_to_binary(std::string_view text);
std::string numeric_binary_to_text(std::string_view bytes);

// PostgreSQL text output of the scalar types.
std::string format_float8(double v);
std::string format_float4(float v);
std::string format_pg_date(int64_t days_since_1970);
std::string format_pg_timestamp(int64_t local_micros);
std::string format_pg_timestamptz(int64_t utc_micros, const TimeZone& tz);
std::string format_pg_time(int64_t micros_since_midnight);
// ISO-8601 interval text (as strata stores intervals) -> IntervalStyle postgres
// ("1 year 2 mons 3 days 04:05:06.5"); the input is returned unchanged when it
// is not ISO-8601.
std::string format_pg_interval(std::string_view iso);

// Microseconds between 1970-01-01 and PostgreSQL's epoch 2000-01-01.
inline constexpr int64_t kPgEpochMicros = 946'684'800LL * 1'000'000LL;
inline constexpr int64_t kPgEpochDays = 10'957;

}  // namespace strata::pgwire
