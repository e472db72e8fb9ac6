#include "sql/dialect.h"

#include <gtest/gtest.h>

#include "core/error.h"

namespace strata::sql {
namespace {

const Dialect& duck() {
  return dialect_named("duckdb");
}
const Dialect& pg() {
  return dialect_named("postgres");
}

TEST(Dialect, QuotesIdentifiersAndDoublesEmbeddedQuotes) {
  EXPECT_EQ(duck().quote_identifier("orders"), "\"orders\"");
  EXPECT_EQ(duck().quote_identifier("we\"ird"), "\"we\"\"ird\"");
  EXPECT_THROW(duck().quote_identifier(std::string("a\0b", 3)), UserError);
}

TEST(Dialect, StringLiteralsEscapeQuotesAndRejectNul) {
  EXPECT_EQ(duck().render(*literal(Value::string("it's"))), "'it''s'");
  EXPECT_EQ(pg().render(*literal(Value::string("x' OR '1'='1"))), "'x'' OR ''1''=''1'");
  // Backslashes are ordinary characters in standard SQL strings.
  EXPECT_EQ(pg().render(*literal(Value::string("a\\b"))), "'a\\b'");
  EXPECT_THROW(duck().render(*literal(Value::string(std::string("a\0b", 3)))), UserError);
}

TEST(Dialect, NumbersBooleansNullsAndTimestamps) {
  EXPECT_EQ(duck().render(*literal(Value::int64(42))), "42");
  EXPECT_EQ(duck().render(*literal(Value::int64(-3))), "(-3)");
  EXPECT_EQ(duck().render(*literal(Value::float64(2.5))), "2.5");
  EXPECT_EQ(duck().render(*literal(Value::boolean(true))), "TRUE");
  EXPECT_EQ(duck().render(*literal(Value::null_of(Type::of(TypeId::kNull)))), "NULL");
  EXPECT_EQ(duck().render(*literal(Value::decimal(12345, 10, 2))), "123.45");
  int64_t t = parse_iso_timestamp("2024-01-31T13:45:00")->micros;
  EXPECT_EQ(pg().render(*timestamp_literal(t)), "TIMESTAMP '2024-01-31 13:45:00'");
}

TEST(Dialect, LikePatternsEscapeWildcards) {
  auto e = like(column("u", "name"), "50%_off\\", LikeMode::kContains, false, true);
  EXPECT_EQ(duck().render(*e), "\"u\".\"name\" ILIKE '%50\\%\\_off\\\\%' ESCAPE '\\'");
  auto starts = like(column("u", "name"), "ab", LikeMode::kStartsWith, true, true);
  EXPECT_EQ(pg().render(*starts), "NOT (\"u\".\"name\" ILIKE 'ab%' ESCAPE '\\')");
  auto ends = like(column("u", "name"), "it's", LikeMode::kEndsWith, false, true);
  EXPECT_EQ(pg().render(*ends), "\"u\".\"name\" ILIKE '%it''s' ESCAPE '\\'");
}

TEST(Dialect, TimeZonesAndTruncation) {
  auto local = to_local_time(column("o", "created_at"), "America/New_York");
  EXPECT_EQ(duck().render(*local),
            "timezone('America/New_York', CAST(\"o\".\"created_at\" AS TIMESTAMPTZ))");
  EXPECT_EQ(pg().render(*local),
            "(CAST(\"o\".\"created_at\" AS TIMESTAMPTZ) AT TIME ZONE 'America/New_York')");
  auto month = time_trunc(Granularity::kMonth, column("o", "t"));
  EXPECT_EQ(pg().render(*month), "date_trunc('month', \"o\".\"t\")");
  EXPECT_EQ(duck().render(*month), "CAST(date_trunc('month', \"o\".\"t\") AS TIMESTAMP)");
}

TEST(Dialect, ApproximateDistinctCount) {
  auto e = aggregate(AggregateFn::kApproxCountDistinct, column("o", "user_id"));
  EXPECT_EQ(duck().render(*e), "approx_count_distinct(\"o\".\"user_id\")");
  EXPECT_EQ(pg().render(*e), "count(DISTINCT \"o\".\"user_id\")");
}

TEST(Dialect, OperatorsAreParenthesizedByStructure) {
  auto a = binary(BinaryOp::kEq, column("t", "a"), literal(Value::int64(1)));
  auto b = binary(BinaryOp::kEq, column("t", "b"), literal(Value::int64(2)));
  auto c = binary(BinaryOp::kEq, column("t", "c"), literal(Value::int64(3)));
  auto e = and_all({or_all({a, b}), c});
  EXPECT_EQ(duck().render(*e), "(\"t\".\"a\" = 1 OR \"t\".\"b\" = 2) AND \"t\".\"c\" = 3");
  EXPECT_EQ(duck().render(*and_all({a, b, c})),
            "\"t\".\"a\" = 1 AND \"t\".\"b\" = 2 AND \"t\".\"c\" = 3");
  EXPECT_EQ(and_all({}), nullptr);
}

TEST(Dialect, SelectWithJoinsGroupOrderLimit) {
  Select s;
  s.items.push_back({column("o", "status"), "status"});
  s.items.push_back({aggregate(AggregateFn::kCount, nullptr), "n"});
  s.from = TableRef{TableRef::Kind::kTable, "public.orders", nullptr, {}, "o"};
  s.joins.push_back({JoinType::kLeft, TableRef{TableRef::Kind::kTable, "users", nullptr, {}, "u"},
                     binary(BinaryOp::kEq, column("o", "user_id"), column("u", "id"))});
  s.group_by = {literal(Value::int64(1))};
  s.order_by = {{column("", "n"), true}};
  s.limit = 11;
  s.offset = 5;
  EXPECT_EQ(pg().render(s),
            "SELECT \"o\".\"status\" AS \"status\", count(*) AS \"n\" FROM public.orders AS \"o\" "
            "LEFT JOIN users AS \"u\" ON \"o\".\"user_id\" = \"u\".\"id\" GROUP BY 1 "
            "ORDER BY \"n\" DESC NULLS LAST LIMIT 11 OFFSET 5");
}

TEST(Dialect, UnknownDialect) {
  EXPECT_THROW(dialect_named("oracle"), UserError);
}

}  // namespace
}  // namespace strata::sql
