// DuckDbSource: every DuckDB type read into the right strata Type and value,
// checked against literal SELECTs whose answers are known independently.
#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "core/error.h"
#include "core/time.h"
#include "source/duckdb/duckdb_source.h"

namespace strata {
namespace {

class DuckDbTypes : public ::testing::Test {
 protected:
  void SetUp() override { db_ = DuckDbSource::open("db", ":memory:"); }

  // The single value of a one-row, one-column query, with its column type.
  Value one(const std::string& sql) {
    ResultSet rs = db_->query(sql, {});
    EXPECT_EQ(rs.row_count(), 1u) << sql;
    EXPECT_EQ(rs.column_count(), 1u) << sql;
    if (rs.row_count() != 1 || rs.column_count() != 1) return {};
    return rs.column(0).value_at(0);
  }

  std::unique_ptr<DuckDbSource> db_;
};

int64_t micros(int y, int mo, int d, int h, int mi, int s, int us) {
  return micros_from_civil({y, mo, d, h, mi, s, us});
}

__int128 pow10(int n) {
  __int128 r = 1;
  for (int i = 0; i < n; ++i)
    r *= 10;
  return r;
}

TEST_F(DuckDbTypes, Boolean) {
  Value t = one("SELECT true");
  EXPECT_EQ(t.type, Type::of(TypeId::kBoolean));
  EXPECT_FALSE(t.null);
  EXPECT_EQ(t.i, 1);
  EXPECT_EQ(one("SELECT false").i, 0);
}

TEST_F(DuckDbTypes, Integers) {
  Value v = one("SELECT (-128)::TINYINT");
  EXPECT_EQ(v.type, Type::of(TypeId::kInt16));
  EXPECT_EQ(v.i, -128);
  v = one("SELECT 32767::SMALLINT");
  EXPECT_EQ(v.type, Type::of(TypeId::kInt16));
  EXPECT_EQ(v.i, 32767);
  v = one("SELECT (-2147483648)::INTEGER");
  EXPECT_EQ(v.type, Type::of(TypeId::kInt32));
  EXPECT_EQ(v.i, -2147483648LL);
  v = one("SELECT 9223372036854775807::BIGINT");
  EXPECT_EQ(v.type, Type::of(TypeId::kInt64));
  EXPECT_EQ(v.i, INT64_MAX);
  v = one("SELECT (-9223372036854775808)::BIGINT");
  EXPECT_EQ(v.i, INT64_MIN);
}

TEST_F(DuckDbTypes, UnsignedIntegers) {
  Value v = one("SELECT 255::UTINYINT");
  EXPECT_EQ(v.type, Type::of(TypeId::kInt64));
  EXPECT_EQ(v.i, 255);
  v = one("SELECT 65535::USMALLINT");
  EXPECT_EQ(v.type, Type::of(TypeId::kInt64));
  EXPECT_EQ(v.i, 65535);
  v = one("SELECT 4294967295::UINTEGER");
  EXPECT_EQ(v.type, Type::of(TypeId::kInt64));
  EXPECT_EQ(v.i, 4294967295LL);
  v = one("SELECT 18446744073709551615::UBIGINT");
  EXPECT_EQ(v.type, Type::decimal(20, 0));
  EXPECT_EQ(int128_to_string(v.dec), "18446744073709551615");
}

TEST_F(DuckDbTypes, HugeInt) {
  Value v = one("SELECT 1267650600228229401496703205376::HUGEINT");  // 2^100
  EXPECT_EQ(v.type, Type::decimal(38, 0));
  EXPECT_TRUE(v.dec == (static_cast<__int128>(1) << 100));
  v = one("SELECT (-1267650600228229401496703205377)::HUGEINT");  // -(2^100) - 1
  EXPECT_TRUE(v.dec == -(static_cast<__int128>(1) << 100) - 1);
  v = one("SELECT (-1)::HUGEINT");
  EXPECT_TRUE(v.dec == -1);
  v = one("SELECT 170141183460469231731687303715884105727::HUGEINT");  // 2^127 - 1
  EXPECT_EQ(int128_to_string(v.dec), "170141183460469231731687303715884105727");
}

TEST_F(DuckDbTypes, UHugeIntIsDecimalText) {
  Value v = one("SELECT 340282366920938463463374607431768211455::UHUGEINT");
  EXPECT_EQ(v.type, Type::of(TypeId::kString));
  EXPECT_EQ(v.s, "340282366920938463463374607431768211455");
}

TEST_F(DuckDbTypes, FloatAndDouble) {
  Value v = one("SELECT 1.1::FLOAT");
  EXPECT_EQ(v.type, Type::of(TypeId::kFloat));
  EXPECT_EQ(v.d, 1.1);  // the float's shortest form, not 1.100000023841858
  v = one("SELECT (-2.5)::FLOAT");
  EXPECT_EQ(v.d, -2.5);
  v = one("SELECT 0.1::DOUBLE");
  EXPECT_EQ(v.type, Type::of(TypeId::kDouble));
  EXPECT_EQ(v.d, 0.1);
  v = one("SELECT 'infinity'::DOUBLE");
  EXPECT_TRUE(std::isinf(v.d) && v.d > 0);
  v = one("SELECT 'nan'::DOUBLE");
  EXPECT_TRUE(std::isnan(v.d));
}

TEST_F(DuckDbTypes, DecimalsOfEveryWidth) {
  Value v = one("SELECT 12.34::DECIMAL(10,2)");
  EXPECT_EQ(v.type, Type::decimal(10, 2));
  EXPECT_TRUE(v.dec == 1234);
  v = one("SELECT (-123.4)::DECIMAL(4,1)");  // stored as int16
  EXPECT_EQ(v.type, Type::decimal(4, 1));
  EXPECT_TRUE(v.dec == -1234);
  v = one("SELECT 123456.789::DECIMAL(9,3)");  // int32
  EXPECT_EQ(v.type, Type::decimal(9, 3));
  EXPECT_TRUE(v.dec == 123456789);
  v = one("SELECT 1234567890123456.78::DECIMAL(18,2)");  // int64
  EXPECT_EQ(v.type, Type::decimal(18, 2));
  EXPECT_TRUE(v.dec == 123456789012345678LL);
  v = one("SELECT (-12345678901234567890.1234567890)::DECIMAL(38,10)");  // hugeint
  EXPECT_EQ(v.type, Type::decimal(38, 10));
  // 12345678901234567890 * 10^10 + 1234567890, negated.
  EXPECT_TRUE(v.dec ==
              -((static_cast<__int128>(1234567890123456789LL) * 10) * pow10(10) + 1234567890));
  EXPECT_EQ(decimal_to_string(v.dec, 10), "-12345678901234567890.1234567890");
}

TEST_F(DuckDbTypes, StringsShortAndLong) {
  // DuckDB inlines strings of up to 12 bytes and points to longer ones.
  Value v = one("SELECT 'abc'");
  EXPECT_EQ(v.type, Type::of(TypeId::kString));
  EXPECT_EQ(v.s, "abc");
  EXPECT_EQ(one("SELECT 'abcdefghijkl'").s, "abcdefghijkl");    // 12
  EXPECT_EQ(one("SELECT 'abcdefghijklm'").s, "abcdefghijklm");  // 13
  EXPECT_EQ(one("SELECT ''").s, "");
  std::string xy;
  for (int i = 0; i < 50; ++i)
    xy += "xy";
  EXPECT_EQ(one("SELECT repeat('xy', 50)").s, xy);
  EXPECT_EQ(one("SELECT 'héllo wörld ✓ and more'").s, "héllo wörld ✓ and more");
  EXPECT_EQ(one("SELECT 'a' || chr(0) || 'b'").s, std::string("a\0b", 3));
}

TEST_F(DuckDbTypes, Json) {
  Value v = one("SELECT '{\"a\": [1, 2]}'::JSON");
  EXPECT_EQ(v.type, Type::of(TypeId::kJson));
  EXPECT_EQ(v.s, "{\"a\": [1, 2]}");
}

TEST_F(DuckDbTypes, Dates) {
  Value v = one("SELECT DATE '2024-02-29'");
  EXPECT_EQ(v.type, Type::of(TypeId::kDate));
  EXPECT_EQ(v.i, days_from_civil(2024, 2, 29));
  EXPECT_EQ(v.i, 19782);
  EXPECT_EQ(one("SELECT DATE '1969-12-31'").i, -1);
}

TEST_F(DuckDbTypes, Timestamps) {
  Value v = one("SELECT '2024-02-29 13:45:00.123456'::TIMESTAMP");
  EXPECT_EQ(v.type, Type::of(TypeId::kTimestamp));
  EXPECT_EQ(v.i, micros(2024, 2, 29, 13, 45, 0, 123456));
  EXPECT_EQ(v.i, 1709214300123456LL);
  v = one("SELECT '2024-02-29 13:45:07'::TIMESTAMP_S");
  EXPECT_EQ(v.type, Type::of(TypeId::kTimestamp));
  EXPECT_EQ(v.i, micros(2024, 2, 29, 13, 45, 7, 0));
  v = one("SELECT '2024-02-29 13:45:00.123'::TIMESTAMP_MS");
  EXPECT_EQ(v.type, Type::of(TypeId::kTimestamp));
  EXPECT_EQ(v.i, micros(2024, 2, 29, 13, 45, 0, 123000));
  v = one("SELECT '2024-02-29 13:45:00.123456789'::TIMESTAMP_NS");
  EXPECT_EQ(v.type, Type::of(TypeId::kTimestamp));
  EXPECT_EQ(v.i, micros(2024, 2, 29, 13, 45, 0, 123456));
  // Before 1970, nanoseconds are floored, not truncated toward zero.
  v = one("SELECT '1969-12-31 23:59:59.999999500'::TIMESTAMP_NS");
  EXPECT_EQ(v.i, -1);
  v = one("SELECT '1900-01-01 00:00:00'::TIMESTAMP");
  EXPECT_EQ(v.i, micros(1900, 1, 1, 0, 0, 0, 0));
}

TEST_F(DuckDbTypes, TimestampTzIsUtc) {
  Value v = one("SELECT '2024-02-29 13:45:00+02'::TIMESTAMPTZ");
  EXPECT_EQ(v.type, Type::of(TypeId::kTimestampTz));
  EXPECT_EQ(v.i, micros(2024, 2, 29, 11, 45, 0, 0));
  // The session time zone is UTC: a naive timestamp cast to TIMESTAMPTZ is a UTC instant.
  v = one("SELECT '2024-02-29 13:45:00'::TIMESTAMP::TIMESTAMPTZ");
  EXPECT_EQ(v.i, micros(2024, 2, 29, 13, 45, 0, 0));
  EXPECT_EQ(one("SELECT current_setting('TimeZone')").s, "UTC");
}

TEST_F(DuckDbTypes, Times) {
  Value v = one("SELECT TIME '13:45:00.5'");
  EXPECT_EQ(v.type, Type::of(TypeId::kTime));
  EXPECT_EQ(v.i, (13 * 3600 + 45 * 60) * 1'000'000LL + 500'000);
  v = one("SELECT '13:45:00+02'::TIMETZ");
  EXPECT_EQ(v.type, Type::of(TypeId::kString));
  EXPECT_EQ(v.s, "13:45:00+02");
  v = one("SELECT '01:02:03.25-05:30'::TIMETZ");
  EXPECT_EQ(v.s, "01:02:03.25-05:30");
}

TEST_F(DuckDbTypes, IntervalsAsIso8601) {
  Value v = one("SELECT INTERVAL '1 year 2 months 3 days 04:05:06.5'");
  EXPECT_EQ(v.type, Type::of(TypeId::kInterval));
  EXPECT_EQ(v.s, "P1Y2M3DT4H5M6.5S");
  EXPECT_EQ(one("SELECT INTERVAL '0 seconds'").s, "PT0S");
  EXPECT_EQ(one("SELECT INTERVAL '-1 day'").s, "P-1D");
  EXPECT_EQ(one("SELECT INTERVAL '-90 minutes'").s, "PT-1H-30M");
  EXPECT_EQ(one("SELECT INTERVAL '14 months'").s, "P1Y2M");
  EXPECT_EQ(one("SELECT INTERVAL '1.000001 seconds'").s, "PT1.000001S");
  EXPECT_EQ(one("SELECT INTERVAL '-0.25 seconds'").s, "PT-0.25S");
}

TEST_F(DuckDbTypes, UuidsCanonical) {
  Value v = one("SELECT '550e8400-e29b-41d4-a716-446655440000'::UUID");
  EXPECT_EQ(v.type, Type::of(TypeId::kUuid));
  EXPECT_EQ(v.s, "550e8400-e29b-41d4-a716-446655440000");
  // The extremes show whether the top bit is flipped back.
  EXPECT_EQ(one("SELECT '00000000-0000-0000-0000-000000000000'::UUID").s,
            "00000000-0000-0000-0000-000000000000");
  EXPECT_EQ(one("SELECT 'FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF'::UUID").s,
            "ffffffff-ffff-ffff-ffff-ffffffffffff");
  EXPECT_EQ(one("SELECT '7fffffff-0000-0000-0000-000000000001'::UUID").s,
            "7fffffff-0000-0000-0000-000000000001");
  EXPECT_EQ(one("SELECT '80000000-0000-0000-0000-000000000000'::UUID").s,
            "80000000-0000-0000-0000-000000000000");
}

TEST_F(DuckDbTypes, Blobs) {
  Value v = one("SELECT '\\xAA\\x00\\xFFabc'::BLOB");
  EXPECT_EQ(v.type, Type::of(TypeId::kBlob));
  EXPECT_EQ(v.s, std::string("\xAA\x00\xFF"
                             "abc",
                             6));
  EXPECT_EQ(one("SELECT repeat('\\x01'::BLOB, 20)").s, std::string(20, '\x01'));
}

TEST_F(DuckDbTypes, Enums) {
  db_->query("CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy')", {});
  Value v = one("SELECT 'happy'::mood");
  EXPECT_EQ(v.type, Type::of(TypeId::kString));
  EXPECT_EQ(v.s, "happy");
  // More than 255 values: the dictionary index is stored in 16 bits.
  db_->query("CREATE TYPE big AS ENUM (SELECT 'v' || range::VARCHAR FROM range(300))", {});
  EXPECT_EQ(one("SELECT 'v299'::big").s, "v299");
  ResultSet rs = db_->query("SELECT m FROM (VALUES ('ok'::mood), (NULL), ('sad'::mood)) t(m)", {});
  ASSERT_EQ(rs.row_count(), 3u);
  EXPECT_EQ(rs.column(0).string_at(0), "ok");
  EXPECT_TRUE(rs.column(0).is_null(1));
  EXPECT_EQ(rs.column(0).string_at(2), "sad");
}

TEST_F(DuckDbTypes, OtherScalarsAsText) {
  EXPECT_EQ(one("SELECT '0101'::BIT").s, "0101");
  EXPECT_EQ(one("SELECT '111100001'::BIT").s, "111100001");
  Value v = one("SELECT 12345678901234567890123::BIGNUM");
  EXPECT_EQ(v.type, Type::of(TypeId::kString));
  EXPECT_EQ(v.s, "12345678901234567890123");
  EXPECT_EQ(one("SELECT (-12345678901234567890123)::BIGNUM").s, "-12345678901234567890123");
  EXPECT_EQ(one("SELECT 0::BIGNUM").s, "0");
  EXPECT_EQ(one("SELECT (-256)::BIGNUM").s, "-256");
}

TEST_F(DuckDbTypes, NestedValuesAsText) {
  Value v = one("SELECT [1, 2, NULL]");
  EXPECT_EQ(v.type, Type::of(TypeId::kString));
  EXPECT_EQ(v.s, "[1, 2, NULL]");
  EXPECT_EQ(one("SELECT {'a': 1, 'b': 'hello'}").s, "{'a': 1, 'b': hello}");
  EXPECT_EQ(one("SELECT MAP {'k': 'v', 'x': NULL}").s, "{k=v, x=NULL}");
  EXPECT_EQ(one("SELECT ['a b', 'c,d', '', NULL, 'NULL', 'it''s']").s,
            "[a b, 'c,d', '', NULL, 'NULL', 'it\\'s']");
  EXPECT_EQ(one("SELECT [[1, 2], [], [3]]").s, "[[1, 2], [], [3]]");
  EXPECT_EQ(one("SELECT [{'x': 1}, NULL]").s, "[{'x': 1}, NULL]");
  EXPECT_EQ(one("SELECT [1, 2]::INTEGER[2]").s, "[1, 2]");
  EXPECT_EQ(one("SELECT union_value(num := 2)::UNION(num INTEGER, s VARCHAR)").s, "2");
  EXPECT_EQ(one("SELECT [DATE '2024-01-02', NULL]").s, "[2024-01-02, NULL]");
  EXPECT_EQ(one("SELECT [1.50::DECIMAL(5,2)]").s, "[1.50]");
  EXPECT_EQ(one("SELECT {'t': TIMESTAMP '2024-01-02 03:04:05.5'}").s,
            "{'t': '2024-01-02 03:04:05.5'}");
  EXPECT_EQ(one("SELECT ['550e8400-e29b-41d4-a716-446655440000'::UUID]").s,
            "[550e8400-e29b-41d4-a716-446655440000]");
  // The simple cases read exactly as DuckDB's own cast to VARCHAR.
  for (const char* expr : {"[1, 2, NULL]", "{'a': 1, 'b': 'hello'}", "MAP {'k': 'v'}",
                           "[[1, 2], [3]]", "[{'x': 1}]", "['a b', 'c,d', '', NULL]"}) {
    std::string sql = std::string("SELECT ") + expr;
    EXPECT_EQ(one(sql).s, one(sql + "::VARCHAR").s) << expr;
  }
}

TEST_F(DuckDbTypes, NestedColumnsAcrossChunks) {
  // Several chunks, NULL rows, lists of varying length and a constant list.
  ResultSet rs = db_->query(
      "SELECT CASE WHEN range % 3 = 0 THEN NULL ELSE [range, range + 1] END AS l, "
      "[1, 2] AS c, {'k': range::VARCHAR} AS s FROM range(5000) ORDER BY range",
      {});
  ASSERT_EQ(rs.row_count(), 5000u);
  for (size_t r = 0; r < rs.row_count(); ++r) {
    if (r % 3 == 0) {
      ASSERT_TRUE(rs.column(0).is_null(r)) << r;
    } else {
      ASSERT_EQ(rs.column(0).string_at(r),
                "[" + std::to_string(r) + ", " + std::to_string(r + 1) + "]");
    }
    ASSERT_EQ(rs.column(1).string_at(r), "[1, 2]");
    ASSERT_EQ(rs.column(2).string_at(r), "{'k': " + std::to_string(r) + "}");
  }
}

TEST_F(DuckDbTypes, NullsOfEveryType) {
  struct Case {
    const char* sql_type;
    Type type;
  };
  const Case cases[] = {
      {"BOOLEAN", Type::of(TypeId::kBoolean)},
      {"TINYINT", Type::of(TypeId::kInt16)},
      {"SMALLINT", Type::of(TypeId::kInt16)},
      {"INTEGER", Type::of(TypeId::kInt32)},
      {"BIGINT", Type::of(TypeId::kInt64)},
      {"UTINYINT", Type::of(TypeId::kInt64)},
      {"USMALLINT", Type::of(TypeId::kInt64)},
      {"UINTEGER", Type::of(TypeId::kInt64)},
      {"UBIGINT", Type::decimal(20, 0)},
      {"HUGEINT", Type::decimal(38, 0)},
      {"FLOAT", Type::of(TypeId::kFloat)},
      {"DOUBLE", Type::of(TypeId::kDouble)},
      {"DECIMAL(4,1)", Type::decimal(4, 1)},
      {"DECIMAL(9,2)", Type::decimal(9, 2)},
      {"DECIMAL(18,3)", Type::decimal(18, 3)},
      {"DECIMAL(38,4)", Type::decimal(38, 4)},
      {"VARCHAR", Type::of(TypeId::kString)},
      {"JSON", Type::of(TypeId::kJson)},
      {"DATE", Type::of(TypeId::kDate)},
      {"TIMESTAMP", Type::of(TypeId::kTimestamp)},
      {"TIMESTAMP_S", Type::of(TypeId::kTimestamp)},
      {"TIMESTAMP_MS", Type::of(TypeId::kTimestamp)},
      {"TIMESTAMP_NS", Type::of(TypeId::kTimestamp)},
      {"TIMESTAMPTZ", Type::of(TypeId::kTimestampTz)},
      {"TIME", Type::of(TypeId::kTime)},
      {"TIMETZ", Type::of(TypeId::kString)},
      {"INTERVAL", Type::of(TypeId::kInterval)},
      {"UUID", Type::of(TypeId::kUuid)},
      {"BLOB", Type::of(TypeId::kBlob)},
      {"BIT", Type::of(TypeId::kString)},
      {"UHUGEINT", Type::of(TypeId::kString)},
      {"INTEGER[]", Type::of(TypeId::kString)},
      {"STRUCT(a INTEGER)", Type::of(TypeId::kString)},
      {"MAP(VARCHAR, INTEGER)", Type::of(TypeId::kString)},
  };
  std::string sql = "SELECT ";
  for (size_t i = 0; i < std::size(cases); ++i) {
    if (i) sql += ", ";
    sql += std::string("NULL::") + cases[i].sql_type;
  }
  // One NULL row and one non-NULL row per column, so NULLs sit beside values.
  ResultSet rs = db_->query(sql, {});
  ASSERT_EQ(rs.row_count(), 1u);
  ASSERT_EQ(rs.column_count(), std::size(cases));
  for (size_t i = 0; i < std::size(cases); ++i) {
    EXPECT_EQ(rs.schema()[i].type, cases[i].type) << cases[i].sql_type;
    EXPECT_TRUE(rs.column(i).is_null(0)) << cases[i].sql_type;
  }
  // An untyped NULL.
  Value n = one("SELECT NULL");
  EXPECT_TRUE(n.null);
}

TEST_F(DuckDbTypes, NullsBesideValues) {
  ResultSet rs = db_->query(
      "SELECT i, d, s, t FROM (VALUES (1, 1.5::DECIMAL(5,2), 'a', TIMESTAMP '2024-01-01'), "
      "(NULL, NULL, NULL, NULL), (3, 3.25, 'a long string value', TIMESTAMP '2024-01-03')) "
      "v(i, d, s, t)",
      {});
  ASSERT_EQ(rs.row_count(), 3u);
  EXPECT_EQ(rs.column(0).int_at(0), 1);
  EXPECT_TRUE(rs.column(0).is_null(1));
  EXPECT_EQ(rs.column(0).int_at(2), 3);
  EXPECT_TRUE(rs.column(1).decimal_at(0) == 150);
  EXPECT_TRUE(rs.column(1).is_null(1));
  EXPECT_TRUE(rs.column(1).decimal_at(2) == 325);
  EXPECT_EQ(rs.column(2).string_at(0), "a");
  EXPECT_TRUE(rs.column(2).is_null(1));
  EXPECT_EQ(rs.column(2).string_at(2), "a long string value");
  EXPECT_EQ(rs.column(3).int_at(2), micros(2024, 1, 3, 0, 0, 0, 0));
  EXPECT_TRUE(rs.column(3).is_null(1));
}

TEST_F(DuckDbTypes, ColumnNames) {
  ResultSet rs = db_->query("SELECT 1 AS \"Order Count\", 'x' AS status, 2", {});
  ASSERT_EQ(rs.column_count(), 3u);
  EXPECT_EQ(rs.schema()[0].name, "Order Count");
  EXPECT_EQ(rs.schema()[1].name, "status");
  EXPECT_EQ(rs.schema()[2].name, "2");
}

}  // namespace
}  // namespace strata
