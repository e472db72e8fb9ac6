// PostgreSQL binary formats decoded without a server (bytes written by hand
// from the send functions' layouts).
#include "source/postgres/pg_binary.h"

#include <gtest/gtest.h>

#include <vector>

namespace strata::pg_detail {
namespace {

std::string numeric(int16_t weight, uint16_t sign, uint16_t dscale, std::vector<int16_t> digits) {
  std::string out;
  auto put16 = [&](uint16_t v) {
    out += static_cast<char>(v >> 8);
    out += static_cast<char>(v & 0xff);
  };
  put16(static_cast<uint16_t>(digits.size()));
  put16(static_cast<uint16_t>(weight));
  put16(sign);
  put16(dscale);
  for (int16_t d : digits) put16(static_cast<uint16_t>(d));
  return out;
}

TEST(PgBinary, NumericToUnscaledAndText) {
  std::string v = numeric(0, 0, 2, {12, 5000});  // 12.50
  EXPECT_EQ(numeric_text(v), "12.50");
  EXPECT_EQ(*numeric_unscaled(v, 2), 1250);
  EXPECT_EQ(*numeric_unscaled(v, 4), 125000);
  EXPECT_FALSE(numeric_unscaled(v, 0).has_value());      // would lose the .5
  std::string neg = numeric(-1, 0x4000, 8, {12, 3400});  // -0.00123400 (dscale 8)
  EXPECT_EQ(numeric_text(neg), "-0.00123400");
  EXPECT_EQ(*numeric_unscaled(neg, 8), -123400);
  std::string big = numeric(1, 0, 0, {1, 0});  // 10000
  EXPECT_EQ(numeric_text(big), "10000");
  EXPECT_EQ(*numeric_unscaled(big, 0), 10000);
  std::string zero = numeric(0, 0, 3, {});
  EXPECT_EQ(numeric_text(zero), "0.000");
  EXPECT_EQ(*numeric_unscaled(zero, 3), 0);
  std::string huge = numeric(10, 0, 0, {1});  // 10^40
  EXPECT_FALSE(numeric_unscaled(huge, 0).has_value());
  EXPECT_EQ(numeric_text(huge), "1" + std::string(40, '0'));
  EXPECT_EQ(numeric_text(numeric(0, 0xC000, 0, {})), "NaN");
  EXPECT_EQ(numeric_text(numeric(0, 0xF000, 0, {})), "-Infinity");
  EXPECT_FALSE(parse_numeric("abc").has_value());
}

TEST(PgBinary, TypesOfOids) {
  EXPECT_EQ(type_of(oid::kNumeric, ((10 << 16) | 2) + 4), Type::decimal(10, 2));
  EXPECT_EQ(type_of(oid::kNumeric, ((50 << 16) | 2) + 4), Type::of(TypeId::kString));
  EXPECT_EQ(type_of(oid::kTimestamptz, -1), Type::of(TypeId::kTimestampTz));
  EXPECT_EQ(type_of(oid::kJsonb, -1), Type::of(TypeId::kJson));
  EXPECT_EQ(type_of(99999, -1), Type::of(TypeId::kString));
}

TEST(PgBinary, TextOfUnknownBytes) {
  EXPECT_EQ(text_of(99999, "happy"), "happy");  // an enum's label
  EXPECT_EQ(text_of(99999, std::string("\x00\x01", 2)), "\\x0001");
  EXPECT_EQ(uuid_text(std::string(16, '\x11')), "11111111-1111-1111-1111-111111111111");
  EXPECT_DOUBLE_EQ(float4_as_double(1.1f), 1.1);
}

}  // namespace
}  // namespace strata::pg_detail
