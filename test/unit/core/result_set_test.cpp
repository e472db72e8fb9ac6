#include "core/result_set.h"

#include <gtest/gtest.h>

#include "core/error.h"

namespace strata {
namespace {

TEST(Decimal, FormatsWithScale) {
  EXPECT_EQ(decimal_to_string(12345, 2), "123.45");
  EXPECT_EQ(decimal_to_string(-5, 2), "-0.05");
  EXPECT_EQ(decimal_to_string(7, 0), "7");
  EXPECT_EQ(decimal_to_string(0, 3), "0.000");
  __int128 big = static_cast<__int128>(1) << 100;
  EXPECT_EQ(int128_to_string(big), "1267650600228229401496703205376");
  EXPECT_EQ(int128_to_string(-big), "-1267650600228229401496703205376");
}

TEST(Double, ShortestRoundTrip) {
  EXPECT_EQ(double_to_string(0.1), "0.1");
  EXPECT_EQ(double_to_string(2.5), "2.5");
  EXPECT_EQ(double_to_string(3.0), "3");
}

TEST(Column, AppendsValuesAcrossStorages) {
  Column c(Type::decimal(18, 2));
  c.append_value(Value::int64(3));                // 3 -> 3.00
  c.append_value(Value::decimal(1234, 18, 3));    // 1.234 -> 1.23
  c.append_null();
  ASSERT_EQ(c.size(), 3u);
  EXPECT_EQ(c.decimal_at(0), 300);
  EXPECT_EQ(c.decimal_at(1), 123);
  EXPECT_TRUE(c.is_null(2));
  EXPECT_EQ(to_text(c.value_at(0)), "3.00");
}

TEST(ResultSet, SliceKeepsRange) {
  ResultSet rs({{"a", Type::of(TypeId::kInt64)}, {"b", Type::of(TypeId::kString)}});
  for (int i = 0; i < 5; ++i) {
    rs.column(0).append_int(i);
    rs.column(1).append_string("s" + std::to_string(i));
  }
  rs.slice(1, 3);
  ASSERT_EQ(rs.row_count(), 3u);
  EXPECT_EQ(rs.column(0).int_at(0), 1);
  EXPECT_EQ(rs.column(1).string_at(2), "s3");
  EXPECT_EQ(rs.find_column("b"), 1);
  EXPECT_EQ(rs.find_column("zz"), -1);
}

TEST(Errors, MapToHttpAndSqlstate) {
  UserError u("bad", {.json_path = "measures[0]", .hint = "fix it"});
  EXPECT_EQ(u.http_status(), 400);
  EXPECT_EQ(u.sqlstate(), "22023");
  EXPECT_STREQ(u.what(), "bad (at JSON path measures[0]). fix it");
  UnauthorizedError a("no token");
  EXPECT_EQ(a.http_status(), 403);
  SourceError s("pg", "down");
  EXPECT_EQ(s.http_status(), 503);
  EXPECT_EQ(s.source(), "pg");
  UserError custom("syntax", {.position = 7, .sqlstate = "42601"});
  EXPECT_EQ(custom.sqlstate(), "42601");
}

}  // namespace
}  // namespace strata
