// MariaDbDialect rendering, without a server (the server-backed checks are in
// mariadb_source_test.cpp).
#include <gtest/gtest.h>

#include "core/error.h"
#include "sql/dialect.h"

namespace strata::sql {
namespace {

const Dialect& maria() {
  return dialect_named("mariadb");
}

TEST(MariaDbDialect, NamedMariadbAndMysql) {
  EXPECT_EQ(maria().name(), "mariadb");
  EXPECT_EQ(&dialect_named("mysql"), &maria());
  EXPECT_THROW(dialect_named("oracle"), UserError);
}

TEST(MariaDbDialect, BacktickIdentifiers) {
  EXPECT_EQ(maria().quote_identifier("orders"), "`orders`");
  EXPECT_EQ(maria().quote_identifier("we`ird"), "`we``ird`");
  EXPECT_EQ(maria().render(*column("o", "id")), "`o`.`id`");
  EXPECT_THROW(maria().quote_identifier(std::string("a\0b", 3)), UserError);
}

TEST(MariaDbDialect, StringLiteralsMeanTheSameInEverySqlMode) {
  EXPECT_EQ(maria().string_literal("it's"), "'it''s'");
  // A backslash would be an escape unless NO_BACKSLASH_ESCAPES: hex instead.
  EXPECT_EQ(maria().string_literal("a\\b"), "_utf8mb4 X'615C62'");
  EXPECT_EQ(maria().string_literal("x\\' OR 1=1 -- "), "_utf8mb4 X'785C27204F5220313D31202D2D20'");
  EXPECT_THROW(maria().string_literal(std::string("a\0b", 3)), UserError);
}

TEST(MariaDbDialect, LikeIsCaseInsensitiveWithItsOwnEscape) {
  ExprPtr e = like(column("u", "name"), "50%_a!", LikeMode::kContains, false, true);
  EXPECT_EQ(maria().render(*e), "LOWER(`u`.`name`) LIKE LOWER('%50!%!_a!!%') ESCAPE '!'");
  e = like(column("u", "name"), "x", LikeMode::kStartsWith, true, false);
  EXPECT_EQ(maria().render(*e), "NOT ((`u`.`name`) LIKE BINARY 'x%' ESCAPE '!')");
}

TEST(MariaDbDialect, ApproxDistinctIsExactAndNullsSortLast) {
  EXPECT_EQ(maria().render(*aggregate(AggregateFn::kApproxCountDistinct, column("o", "u"))),
            "count(DISTINCT `o`.`u`)");
  Select s;
  s.items.push_back({column("", "a"), ""});
  s.from = TableRef{TableRef::Kind::kTable, "t", nullptr, {}, ""};
  s.order_by.push_back({column("", "a"), true});
  s.order_by.push_back({literal(Value::int64(2)), false});
  s.offset = 5;
  EXPECT_EQ(maria().render(s),
            "SELECT `a` FROM t ORDER BY `a` IS NULL, `a` DESC, 2 ASC "
            "LIMIT 18446744073709551615 OFFSET 5");
  // Ordering by the query's own aliases (an aggregate's, say): an outer SELECT.
  Select g;
  g.items.push_back({column("t", "k"), "k"});
  g.items.push_back({aggregate(AggregateFn::kCount, nullptr), "n"});
  g.from = TableRef{TableRef::Kind::kTable, "t", nullptr, {}, ""};
  g.group_by.push_back(literal(Value::int64(1)));
  g.order_by.push_back({column("", "n"), false});
  g.limit = 3;
  EXPECT_EQ(maria().render(g),
            "SELECT * FROM (SELECT `t`.`k` AS `k`, count(*) AS `n` FROM t GROUP BY 1) AS "
            "`strata_ordered` ORDER BY `n` IS NULL, `n` ASC LIMIT 3");
}

TEST(MariaDbDialect, TimeZonesWithoutServerTables) {
  // UTC: no arithmetic at all.
  EXPECT_EQ(maria().render(*to_local_time(column("o", "t"), "UTC")),
            "(CAST(`o`.`t` AS DATETIME(6)))");
  // A fixed offset: one addition.
  EXPECT_EQ(maria().render(*to_local_time(column("o", "t"), "Etc/GMT+5")),
            "(CAST(`o`.`t` AS DATETIME(6)) + INTERVAL -18000 SECOND)");
  // A zone with daylight saving: the offsets and the instants they start at.
  std::string ny = maria().render(*to_local_time(column("o", "t"), "America/New_York"));
  EXPECT_NE(ny.find("ELT(INTERVAL(TIMESTAMPDIFF(SECOND, TIMESTAMP '1970-01-01 00:00:00', `o`.`t`)"),
            std::string::npos);
  EXPECT_NE(ny.find("1710054000"), std::string::npos);  // 2024-03-10 07:00 UTC: EDT starts
  EXPECT_NE(ny.find("1730613600"), std::string::npos);  // 2024-11-03 06:00 UTC: EST again
  EXPECT_NE(ny.find("-14400"), std::string::npos);
  EXPECT_THROW(maria().render(*to_local_time(column("o", "t"), "Mars/Olympus")), UserError);
}

TEST(MariaDbDialect, TruncationPerGranularity) {
  auto trunc = [](Granularity g) { return maria().render(*time_trunc(g, column("", "x"))); };
  EXPECT_EQ(trunc(Granularity::kDay), "CAST(CAST(`x` AS DATE) AS DATETIME)");
  EXPECT_EQ(trunc(Granularity::kWeek),
            "CAST(CAST(`x` AS DATE) - INTERVAL WEEKDAY(`x`) DAY AS DATETIME)");
  EXPECT_EQ(trunc(Granularity::kMonth), "CAST(DATE_FORMAT(`x`, '%Y-%m-01') AS DATETIME)");
  EXPECT_EQ(trunc(Granularity::kQuarter),
            "CAST(MAKEDATE(YEAR(`x`), 1) + INTERVAL (QUARTER(`x`) - 1) QUARTER AS DATETIME)");
  EXPECT_EQ(trunc(Granularity::kYear), "CAST(DATE_FORMAT(`x`, '%Y-01-01') AS DATETIME)");
  EXPECT_EQ(trunc(Granularity::kHour), "CAST(DATE_FORMAT(`x`, '%Y-%m-%d %H:00:00') AS DATETIME)");
}

TEST(MariaDbDialect, CastsUseMariaDbTypes) {
  EXPECT_EQ(maria().render(*cast(column("", "x"), Type::of(TypeId::kInt64))),
            "CAST(`x` AS SIGNED)");
  EXPECT_EQ(maria().render(*cast(column("", "x"), Type::of(TypeId::kTimestamp))),
            "CAST(`x` AS DATETIME(6))");
  EXPECT_EQ(maria().render(*cast(column("", "x"), Type::of(TypeId::kString))), "CAST(`x` AS CHAR)");
  EXPECT_EQ(maria().render(*binary(BinaryOp::kIsNotDistinctFrom, column("", "a"), column("", "b"))),
            "(`a`) <=> (`b`)");
}

}  // namespace
}  // namespace strata::sql
