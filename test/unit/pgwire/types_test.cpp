// Type encoders: text formats and binary formats of result cells, and the
// decoding of binary parameters. Expected bytes are PostgreSQL 15's own
// send functions (SELECT numeric_send(465.00), date_send(...), ...).
#include <gtest/gtest.h>

#include "core/error.h"
#include "pgwire/bytes.h"
#include "pgwire/pg_types.h"

namespace strata::pgwire {
namespace {

std::string hex(const std::string& bytes) {
  static const char* kHex = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out += kHex[c >> 4];
    out += kHex[c & 15];
  }
  return out;
}

// The DataRow field of one cell: its length prefix stripped (or "NULL").
std::string encode(const Column& c, int32_t oid, bool binary, size_t row = 0,
                   const TimeZone* tz = nullptr) {
  std::string out;
  CellEncoder(c.type(), oid, binary, tz).append(c, row, out);
  int32_t len = get_i32(out.data());
  if (len < 0) return "NULL";
  EXPECT_EQ(static_cast<size_t>(len), out.size() - 4);
  return out.substr(4);
}

Column decimal_column(__int128 unscaled, uint8_t scale) {
  Column c(Type::decimal(38, scale));
  c.append_decimal(unscaled);
  return c;
}

TEST(NumericBinary, MatchesPostgresNumericSend) {
  EXPECT_EQ(hex(numeric_text_to_binary("465.00")), "000100000000000201d1");
  EXPECT_EQ(hex(numeric_text_to_binary("12345.678")), "0003000100000003000109291a7c");
  EXPECT_EQ(hex(numeric_text_to_binary("-0.0001")), "0001ffff400000040001");
  EXPECT_EQ(hex(numeric_text_to_binary("0")), "0000000000000000");
  EXPECT_EQ(hex(numeric_text_to_binary("NaN")), "00000000c0000000");
  EXPECT_EQ(hex(numeric_text_to_binary("100000000")), "00010002000000000001");
  EXPECT_EQ(hex(numeric_text_to_binary("0.5")), "0001ffff000000011388");
  EXPECT_EQ(hex(numeric_text_to_binary("1.5e3")), hex(numeric_text_to_binary("1500")));
  EXPECT_THROW(numeric_text_to_binary("12a"), UserError);
  EXPECT_THROW(numeric_text_to_binary(""), UserError);
}

TEST(NumericBinary, DecodesBackToText) {
  for (const char* t : {"465.00", "12345.678", "-0.0001", "0", "NaN", "100000000", "0.5",
                        "-98765.4321", "0.000000001"}) {
    EXPECT_EQ(numeric_binary_to_text(numeric_text_to_binary(t)), t) << t;
  }
  EXPECT_THROW(numeric_binary_to_text("\x00\x01"), UserError);
  // A digit out of range.
  std::string bad = numeric_text_to_binary("1");
  bad[8] = '\x7f';
  EXPECT_THROW(numeric_binary_to_text(bad), UserError);
}

TEST(CellEncoder, DecimalAsNumericTextAndBinary) {
  Column c = decimal_column(46500, 2);
  EXPECT_EQ(encode(c, oid::kNumeric, false), "465.00");
  EXPECT_EQ(hex(encode(c, oid::kNumeric, true)), "000100000000000201d1");
  // Announced as numeric, arriving as an integer or a double.
  Column i(Type::of(TypeId::kInt32));
  i.append_int(7);
  EXPECT_EQ(encode(i, oid::kNumeric, false), "7");
  Column d(Type::of(TypeId::kDouble));
  d.append_double(77.5);
  EXPECT_EQ(encode(d, oid::kNumeric, false), "77.5");
  EXPECT_EQ(numeric_binary_to_text(encode(d, oid::kNumeric, true)), "77.5");
}

TEST(CellEncoder, Integers) {
  Column c(Type::of(TypeId::kInt64));
  c.append_int(6);
  c.append_null();
  EXPECT_EQ(encode(c, oid::kInt8, false), "6");
  EXPECT_EQ(hex(encode(c, oid::kInt8, true)), "0000000000000006");
  EXPECT_EQ(hex(encode(c, oid::kInt4, true)), "00000006");
  EXPECT_EQ(hex(encode(c, oid::kInt2, true)), "0006");
  EXPECT_EQ(encode(c, oid::kInt8, true, 1), "NULL");
  Column big(Type::of(TypeId::kInt64));
  big.append_int(int64_t{1} << 40);
  EXPECT_THROW(encode(big, oid::kInt4, true), UserError);
  // A decimal that holds an integer can go out as int8; 1.5 cannot.
  EXPECT_EQ(encode(decimal_column(600, 2), oid::kInt8, false), "6");
  EXPECT_THROW(encode(decimal_column(150, 2), oid::kInt8, false), UserError);
}

TEST(CellEncoder, Floats) {
  Column d(Type::of(TypeId::kDouble));
  d.append_double(1.5);
  EXPECT_EQ(hex(encode(d, oid::kFloat8, true)), "3ff8000000000000");
  Column f(Type::of(TypeId::kFloat));
  f.append_double(0.1);
  EXPECT_EQ(hex(encode(f, oid::kFloat4, true)), "3dcccccd");
  EXPECT_EQ(encode(f, oid::kFloat4, false), "0.1");
}

TEST(FloatText, FollowsPostgresLayout) {
  // SELECT 1e20::float8, 100000::float8, 1e15::float8, 1e14::float8, 1e-5::float8 ...
  EXPECT_EQ(format_float8(1e20), "1e+20");
  EXPECT_EQ(format_float8(100000), "100000");
  EXPECT_EQ(format_float8(1e15), "1e+15");
  EXPECT_EQ(format_float8(1e14), "100000000000000");
  EXPECT_EQ(format_float8(1e-5), "1e-05");
  EXPECT_EQ(format_float8(0.0001), "0.0001");
  EXPECT_EQ(format_float8(77.5), "77.5");
  EXPECT_EQ(format_float8(-0.0), "-0");
  EXPECT_EQ(format_float4(100000.0f), "100000");
  EXPECT_EQ(format_float4(1e6f), "1e+06");
  EXPECT_EQ(format_float4(123456.0f), "123456");
}

TEST(CellEncoder, DatesAndTimestamps) {
  Column date(Type::of(TypeId::kDate));
  date.append_int(days_from_civil(2024, 1, 31));
  EXPECT_EQ(encode(date, oid::kDate, false), "2024-01-31");
  EXPECT_EQ(hex(encode(date, oid::kDate, true)), "0000225c");

  int64_t ts = micros_from_civil({2024, 1, 5, 10, 0, 0, 0});
  Column t(Type::of(TypeId::kTimestamp));
  t.append_int(ts);
  EXPECT_EQ(encode(t, oid::kTimestamp, false), "2024-01-05 10:00:00");
  EXPECT_EQ(hex(encode(t, oid::kTimestamp, true)), "0002b12eae0b2800");

  Column tz(Type::of(TypeId::kTimestampTz));
  tz.append_int(ts);
  EXPECT_EQ(hex(encode(tz, oid::kTimestampTz, true)), "0002b12eae0b2800");
  EXPECT_EQ(encode(tz, oid::kTimestampTz, false), "2024-01-05 10:00:00+00");
  auto berlin = TimeZone::load("Europe/Berlin");
  EXPECT_EQ(encode(tz, oid::kTimestampTz, false, 0, berlin.get()), "2024-01-05 11:00:00+01");

  Column frac(Type::of(TypeId::kTimestamp));
  frac.append_int(ts + 500'000);
  EXPECT_EQ(encode(frac, oid::kTimestamp, false), "2024-01-05 10:00:00.5");
}

TEST(CellEncoder, TextBoolIntervalUuid) {
  Column s(Type::of(TypeId::kString));
  s.append_string("completed");
  EXPECT_EQ(encode(s, oid::kText, false), "completed");
  EXPECT_EQ(encode(s, oid::kText, true), "completed");
  Column b(Type::of(TypeId::kBoolean));
  b.append_int(1);
  b.append_int(0);
  EXPECT_EQ(encode(b, oid::kBool, false), "t");
  EXPECT_EQ(encode(b, oid::kBool, false, 1), "f");
  EXPECT_EQ(hex(encode(b, oid::kBool, true)), "01");
  Column iv(Type::of(TypeId::kInterval));
  iv.append_string("P1DT2H");
  EXPECT_EQ(encode(iv, oid::kInterval, false), "1 day 02:00:00");
  EXPECT_EQ(hex(encode(iv, oid::kInterval, true)), "00000001ad2748000000000100000000");
  Column u(Type::of(TypeId::kUuid));
  u.append_string("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11");
  EXPECT_EQ(hex(encode(u, oid::kUuid, true)), "a0eebc999c0b4ef8bb6d6bb9bd380a11");
}

TEST(IntervalText, PostgresStyle) {
  EXPECT_EQ(format_pg_interval("P1Y2M3DT4H5M6.5S"), "1 year 2 mons 3 days 04:05:06.5");
  EXPECT_EQ(format_pg_interval("PT0S"), "00:00:00");
  EXPECT_EQ(format_pg_interval("P-1Y"), "-1 years");
  EXPECT_EQ(format_pg_interval("P1DT-1H"), "1 day -01:00:00");
}

TEST(BinaryParams, DecodeToText) {
  std::string b;
  put_i32(b, -42);
  EXPECT_EQ(binary_param_to_text(oid::kInt4, b), "-42");
  b.clear();
  put_i64(b, 6);
  EXPECT_EQ(binary_param_to_text(oid::kInt8, b), "6");
  EXPECT_EQ(binary_param_to_text(oid::kBool, std::string(1, '\1')), "true");
  EXPECT_EQ(binary_param_to_text(oid::kText, "pending"), "pending");
  EXPECT_EQ(binary_param_to_text(oid::kNumeric, numeric_text_to_binary("465.00")), "465.00");
  b.clear();
  put_i32(b, 0x225c);
  EXPECT_EQ(binary_param_to_text(oid::kDate, b), "2024-01-31");
  b.clear();
  put_i64(b, 0x0002b12eae0b2800LL);
  EXPECT_EQ(binary_param_to_text(oid::kTimestamp, b), "2024-01-05 10:00:00");
  // Wrong sizes and unknown types.
  EXPECT_THROW(binary_param_to_text(oid::kInt4, "abc"), UserError);
  EXPECT_THROW(binary_param_to_text(oid::kInt8, ""), UserError);
  try {
    binary_param_to_text(600, "x");
    FAIL();
  } catch (const UserError& e) {
    EXPECT_EQ(e.sqlstate(), "0A000");
  }
}

TEST(TypeTable, OidsAndNames) {
  EXPECT_EQ(pg_oid_of(Type::of(TypeId::kInt64)), 20);
  EXPECT_EQ(pg_oid_of(Type::decimal(38, 2)), 1700);
  EXPECT_EQ(pg_oid_of(Type::of(TypeId::kTimestamp)), 1114);
  EXPECT_EQ(pg_oid_of(Type::of(TypeId::kString)), 25);
  EXPECT_EQ(pg_type_name(1184), "timestamptz");
  EXPECT_EQ(pg_type_len(20), 8);
  EXPECT_EQ(pg_type_len(25), -1);
  EXPECT_EQ(pg_type_mod_of(Type::decimal(10, 2)), (10 << 16 | 2) + 4);
}

}  // namespace
}  // namespace strata::pgwire
