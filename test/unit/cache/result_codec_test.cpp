// The binary form of cached results (cache/result_codec.h): every type
// round-trips exactly, and malformed bytes are refused, never trusted.
#include "cache/result_codec.h"

#include <gtest/gtest.h>

#include <random>

#include "cache_test_util.h"

namespace strata::testing {
namespace {

CachedResult sample() {
  CachedResult r;
  r.sql = "SELECT 1";
  r.source = "default";
  r.total = 42;
  r.limit_reached = true;
  r.computed_at_utc = 1'717'000'000'123'456;
  r.served_by = {{"default", "orders", "hot", 3}, {"pg", "", "", 0}};
  UsedPreAggregation p;
  p.name = "orders.by_day";
  p.target_table = "preaggs.orders_by_day_1a2b3c4d";
  p.refresh_key_values = {"e3600000000:1", "e3600000000:2"};
  p.last_updated_utc = 99;
  p.lambda = true;
  p.version = "fingerprint:12345";
  r.pre_aggregations = {p};
  r.refresh_key_values = {"orders=e10000000:5"};
  std::vector<ColumnInfo> schema = {
      {"b", Type::of(TypeId::kBoolean)},    {"i", Type::of(TypeId::kInt64)},
      {"s16", Type::of(TypeId::kInt16)},    {"d", Type::of(TypeId::kDouble)},
      {"dec", Type::decimal(38, 2)},        {"str", Type::of(TypeId::kString)},
      {"ts", Type::of(TypeId::kTimestamp)}, {"tz", Type::of(TypeId::kTimestampTz)},
      {"date", Type::of(TypeId::kDate)},    {"blob", Type::of(TypeId::kBlob)},
  };
  ResultSet rs(schema);
  for (int row = 0; row < 5; ++row) {
    bool null = row == 3;
    auto cell = [&](size_t c, auto append) {
      if (null) {
        rs.column(c).append_null();
      } else {
        append(rs.column(c));
      }
    };
    cell(0, [&](Column& c) { c.append_int(row % 2); });
    cell(1, [&](Column& c) { c.append_int(row == 4 ? INT64_MIN : 1000000007LL * row); });
    cell(2, [&](Column& c) { c.append_int(-row); });
    cell(3, [&](Column& c) { c.append_double(row == 4 ? -0.1 : 1.0 / 3 * row); });
    cell(4, [&](Column& c) {
      __int128 big = static_cast<__int128>(INT64_MAX) * 1000 + row;
      c.append_decimal(row == 4 ? -big : big);
    });
    cell(5, [&](Column& c) {
      c.append_string(row == 0 ? std::string() : std::string("a\0b", 3) + std::to_string(row));
    });
    cell(6, [&](Column& c) { c.append_int(1'700'000'000'000'000LL + row); });
    cell(7, [&](Column& c) { c.append_int(-row); });
    cell(8, [&](Column& c) { c.append_int(19000 + row); });
    cell(9, [&](Column& c) { c.append_string(std::string("\xff\x00\x01", 3)); });
  }
  r.rows = std::move(rs);
  return r;
}

void expect_same(const CachedResult& a, const CachedResult& b) {
  EXPECT_EQ(a.sql, b.sql);
  EXPECT_EQ(a.source, b.source);
  EXPECT_EQ(a.total, b.total);
  EXPECT_EQ(a.limit_reached, b.limit_reached);
  EXPECT_EQ(a.computed_at_utc, b.computed_at_utc);
  ASSERT_EQ(a.served_by.size(), b.served_by.size());
  for (size_t i = 0; i < a.served_by.size(); ++i) {
    EXPECT_EQ(a.served_by[i].source, b.served_by[i].source);
    EXPECT_EQ(a.served_by[i].cube, b.served_by[i].cube);
    EXPECT_EQ(a.served_by[i].tier, b.served_by[i].tier);
    EXPECT_EQ(a.served_by[i].rows, b.served_by[i].rows);
  }
  ASSERT_EQ(a.pre_aggregations.size(), b.pre_aggregations.size());
  for (size_t i = 0; i < a.pre_aggregations.size(); ++i) {
    EXPECT_EQ(a.pre_aggregations[i].name, b.pre_aggregations[i].name);
    EXPECT_EQ(a.pre_aggregations[i].target_table, b.pre_aggregations[i].target_table);
    EXPECT_EQ(a.pre_aggregations[i].refresh_key_values, b.pre_aggregations[i].refresh_key_values);
    EXPECT_EQ(a.pre_aggregations[i].last_updated_utc, b.pre_aggregations[i].last_updated_utc);
    EXPECT_EQ(a.pre_aggregations[i].lambda, b.pre_aggregations[i].lambda);
    EXPECT_EQ(a.pre_aggregations[i].version, b.pre_aggregations[i].version);
  }
  EXPECT_EQ(a.refresh_key_values, b.refresh_key_values);
  ASSERT_EQ(a.rows.column_count(), b.rows.column_count());
  ASSERT_EQ(a.rows.row_count(), b.rows.row_count());
  for (size_t c = 0; c < a.rows.column_count(); ++c) {
    EXPECT_EQ(a.rows.schema()[c].name, b.rows.schema()[c].name);
    EXPECT_EQ(a.rows.schema()[c].type, b.rows.schema()[c].type);
    const Column& x = a.rows.column(c);
    const Column& y = b.rows.column(c);
    for (size_t r = 0; r < x.size(); ++r) {
      ASSERT_EQ(x.is_null(r), y.is_null(r)) << c << "/" << r;
      if (x.is_null(r)) continue;
      switch (x.type().storage()) {
        case Storage::kInt: EXPECT_EQ(x.int_at(r), y.int_at(r)); break;
        case Storage::kDouble: EXPECT_EQ(x.double_at(r), y.double_at(r)); break;
        case Storage::kDecimal: EXPECT_TRUE(x.decimal_at(r) == y.decimal_at(r)); break;
        case Storage::kString: EXPECT_EQ(x.string_at(r), y.string_at(r)); break;
      }
    }
  }
}

TEST(ResultCodec, EveryTypeRoundTrips) {
  CachedResult r = sample();
  auto back = decode_result(encode_result(r));
  ASSERT_TRUE(back);
  expect_same(r, *back);
}

TEST(ResultCodec, EmptyResultsRoundTrip) {
  CachedResult r;
  auto back = decode_result(encode_result(r));
  ASSERT_TRUE(back);
  EXPECT_EQ(back->rows.column_count(), 0u);
  EXPECT_FALSE(back->total);
  CachedResult no_rows;
  no_rows.rows = ResultSet({{"x", Type::of(TypeId::kString)}});
  back = decode_result(encode_result(no_rows));
  ASSERT_TRUE(back);
  EXPECT_EQ(back->rows.column_count(), 1u);
  EXPECT_EQ(back->rows.row_count(), 0u);
}

TEST(ResultCodec, EveryTruncationIsRefused) {
  std::string bytes = encode_result(sample());
  for (size_t n = 0; n < bytes.size(); ++n) {
    EXPECT_FALSE(decode_result(std::string_view(bytes).substr(0, n))) << "prefix of " << n;
  }
  EXPECT_FALSE(decode_result(bytes + "x"));  // trailing bytes
}

TEST(ResultCodec, WrongMagicOrVersionIsRefused) {
  std::string bytes = encode_result(sample());
  std::string magic = bytes;
  magic[0] = 'X';
  EXPECT_FALSE(decode_result(magic));
  std::string version = bytes;
  version[4] = 2;
  EXPECT_FALSE(decode_result(version));
  EXPECT_FALSE(decode_result("garbage"));
}

TEST(ResultCodec, CorruptBytesNeverCrash) {
  std::string bytes = encode_result(sample());
  std::mt19937 rng(7);
  int decoded = 0;
  for (int i = 0; i < 3000; ++i) {
    std::string copy = bytes;
    int flips = 1 + static_cast<int>(rng() % 4);
    for (int f = 0; f < flips; ++f)
      copy[rng() % copy.size()] ^= static_cast<char>(1 << (rng() % 8));
    if (decode_result(copy)) ++decoded;  // may decode to other values; must not crash
  }
  SUCCEED() << decoded << " corrupted encodings still decoded";
}

TEST(ResultCodec, HugeCountsAreRefusedWithoutAllocating) {
  std::string bytes = encode_result(CachedResult{});
  // The column count sits right after the refresh key values: make it huge.
  std::string huge = bytes;
  size_t at = huge.size() - 12;  // u32 columns, u64 rows
  huge[at] = huge[at + 1] = huge[at + 2] = huge[at + 3] = '\xff';
  EXPECT_FALSE(decode_result(huge));
  std::string rows = bytes;
  for (size_t i = rows.size() - 8; i < rows.size(); ++i) rows[i] = '\xff';
  EXPECT_FALSE(decode_result(rows));
}

TEST(ResultCodec, SizeEstimateGrowsWithRows) {
  CachedResult small = sample();
  CachedResult big = sample();
  for (int i = 0; i < 10; ++i) big.rows.append(small.rows);
  // Ten more copies of the rows: at least 8 bytes more per added cell (the
  // fixed part, SQL text and names, does not grow).
  size_t added_cells = 10 * small.rows.row_count() * small.rows.column_count();
  ASSERT_GT(added_cells, 0u);
  EXPECT_GE(estimate_bytes(big), estimate_bytes(small) + 8 * added_cells);
}

}  // namespace
}  // namespace strata::testing
