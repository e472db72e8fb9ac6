// MariaDbSource against Debian's mariadb-server (scripts/test-mariadb):
// types, errors, read-only sessions, injection strings through the dialect,
// timeouts and cancellation (KILL QUERY), pool exhaustion, unreachable
// servers, the catalog, and the shop fixture's shared answers.
#include "source/mariadb/mariadb_source.h"

#include <gtest/gtest.h>

#include <future>
#include <thread>

#include "../../fixtures/shop/shop_cases.h"
#include "../postgres/test_server.h"
#include "core/error.h"
#include "model/loader.h"
#include "plan/plan.h"
#include "sql/dialect.h"

namespace strata {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using testing::Rows;
using testing::TestServer;

TestServer& server() {
  return TestServer::shared("scripts/test-mariadb", "STRATA_MARIADB_", "STRATA_TEST_MARIADB_ENV",
                            {"--sql", TestServer::path("test/fixtures/shop/seed_mariadb.sql")});
}

MariaDbSourceOptions options_for(const TestServer& s) {
  MariaDbSourceOptions o;
  o.host = "127.0.0.1";
  o.port = s.port();
  o.user = s.get("USER");
  o.password = s.get("PASSWORD");
  o.database = s.get("DATABASE");
  o.max_connections = 4;
  o.acquire_timeout = 5s;
  o.cancel_grace = 1s;
  return o;
}

std::unique_ptr<MariaDbSource> open_db(MariaDbSourceOptions o) {
  return MariaDbSource::open("maria", std::move(o));
}

std::unique_ptr<MariaDbSource> open_db() {
  return open_db(options_for(server()));
}

Rows rows_of(const ResultSet& rs) {
  Rows out;
  for (size_t r = 0; r < rs.row_count(); ++r) {
    std::vector<std::string> row;
    for (size_t c = 0; c < rs.column_count(); ++c) {
      const Column& col = rs.column(c);
      row.push_back(col.is_null(r) ? "NULL" : to_text(col.value_at(r)));
    }
    out.push_back(std::move(row));
  }
  return out;
}

TEST(MariaDbSource, NameTypeDialect) {
  auto db = open_db();
  EXPECT_EQ(db->name(), "maria");
  EXPECT_EQ(db->type(), "mariadb");
  EXPECT_EQ(db->dialect().name(), "mariadb");
  EXPECT_EQ(&sql::dialect_named("mysql"), &db->dialect());
}

TEST(MariaDbSource, SessionIsUtcReadOnlyAnsi) {
  auto db = open_db();
  ResultSet rs = db->query(
      "SELECT @@session.time_zone, @@session.tx_read_only, "
      "@@session.sql_mode LIKE '%NO_BACKSLASH_ESCAPES%', "
      "@@session.sql_mode LIKE '%ANSI_QUOTES%'",
      {});
  EXPECT_EQ(rows_of(rs), (Rows{{"+00:00", "1", "1", "1"}}));
  try {
    db->query("INSERT INTO orders VALUES (99, 1, 'x', NOW(), 1)", {});
    FAIL() << "a write went through";
  } catch (const SourceError& e) {
    EXPECT_EQ(e.sqlstate(), "25006") << e.what();
  }
}

TEST(MariaDbSource, CommonTypes) {
  auto db = open_db();
  ResultSet rs = db->query(
      "SELECT CAST(1 AS SIGNED) AS a, 3000000000 AS b, CAST(12.5 AS DECIMAL(10,2)) AS c, "
      "CAST(2.5 AS DOUBLE) AS d, 'x' AS e, DATE '2024-02-29' AS f, "
      "TIMESTAMP '2024-01-05 10:00:00.250000' AS g, TIME '13:45:00' AS h, NULL AS i, "
      "CAST(18446744073709551615 AS UNSIGNED) AS j, 5 AS k, CAST(-5 AS TIME) AS l, "
      "CAST('abc' AS BINARY) AS m",
      {});
  const auto& s = rs.schema();
  EXPECT_EQ(s[1].type, Type::of(TypeId::kInt64));
  EXPECT_EQ(s[2].type, Type::decimal(10, 2));
  EXPECT_EQ(s[3].type, Type::of(TypeId::kDouble));
  EXPECT_EQ(s[4].type, Type::of(TypeId::kString));
  EXPECT_EQ(s[5].type, Type::of(TypeId::kDate));
  EXPECT_EQ(s[6].type, Type::of(TypeId::kTimestamp));
  EXPECT_EQ(s[7].type, Type::of(TypeId::kTime));
  EXPECT_EQ(s[9].type, Type::decimal(20, 0));
  EXPECT_EQ(s[12].type, Type::of(TypeId::kBlob));
  EXPECT_EQ(s[0].name, "a");
  Rows rows = rows_of(rs);
  EXPECT_EQ(rows,
            (Rows{{"1", "3000000000", "12.50", "2.5", "x", "2024-02-29", "2024-01-05 10:00:00.25",
                   "13:45:00", "NULL", "18446744073709551615", "5", rows[0][11], "abc"}}));
  EXPECT_EQ(rs.column(11).int_at(0), -5 * 1'000'000);
}

TEST(MariaDbSource, ManyRowsStreamedInBatches) {
  auto db = open_db();
  const std::string sql = "SELECT CAST(seq AS SIGNED), CONCAT(seq, 'x') FROM seq_1_to_20000";
  ResultSet all = db->query(sql, {});
  ASSERT_EQ(all.row_count(), 20000u);
  int64_t sum = 0;
  for (size_t r = 0; r < all.row_count(); ++r) sum += all.column(0).int_at(r);
  EXPECT_EQ(sum, int64_t{20000} * 20001 / 2);
  size_t batches = 0, rows = 0;
  db->stream(sql, {}, [&](ResultSet&& b) {
    ++batches;
    rows += b.row_count();
    return true;
  });
  EXPECT_EQ(rows, 20000u);
  EXPECT_GE(batches, 3u);
  ExecOptions o;
  o.max_rows = 5;
  EXPECT_EQ(db->query(sql, o).row_count(), 5u);
  EXPECT_EQ(rows_of(db->query("SELECT 1", {})), (Rows{{"1"}}));
}

TEST(MariaDbSource, ErrorsKeepSqlstate) {
  auto db = open_db();
  try {
    db->query("SELECT * FROM no_such_table", {});
    FAIL();
  } catch (const SourceError& e) {
    EXPECT_EQ(e.sqlstate(), "42S02");
    EXPECT_EQ(e.http_status(), 503);
    EXPECT_NE(e.message().find("no_such_table"), std::string::npos);
  }
  try {
    db->query("SELECT 1; SELECT 2", {});
    FAIL();
  } catch (const SourceError& e) {
    EXPECT_EQ(e.sqlstate(), "42000");  // several statements are a syntax error
  }
  EXPECT_EQ(rows_of(db->query("SELECT 2", {})), (Rows{{"2"}}));
}

TEST(MariaDbSource, InjectionStringsStayValues) {
  auto db = open_db();
  const sql::Dialect& d = db->dialect();
  for (std::string s :
       {std::string("x' OR '1'='1"), std::string("x\\' OR 1=1 -- "), std::string("\\"),
        std::string("a\\\\'b"), std::string("'; DROP TABLE orders; --"), std::string("`\"'"),
        std::string("\xc3\xa9t\xc3\xa9 \\n")}) {
    ResultSet rs = db->query("SELECT " + d.string_literal(s) + " AS v", {});
    ASSERT_EQ(rs.row_count(), 1u) << s;
    EXPECT_EQ(rs.column(0).string_at(0), s);
    // Also under the server's default sql_mode (backslash escapes on).
    ResultSet rs2 = db->query("SELECT v FROM (SELECT " + d.string_literal(s) +
                                  " AS v) t WHERE v = " + d.string_literal(s),
                              {});
    EXPECT_EQ(rs2.row_count(), 1u) << s;
  }
  // Identifiers with backticks.
  ResultSet rs = db->query("SELECT 1 AS " + d.quote_identifier("we`ird"), {});
  EXPECT_EQ(rs.schema()[0].name, "we`ird");
}

TEST(MariaDbSource, ReadOnlyTransaction) {
  auto db = open_db();
  EXPECT_EQ(rows_of(db->query_read_only("SELECT count(*) FROM orders", {})), (Rows{{"6"}}));
  EXPECT_THROW(db->query_read_only("SELECT * FROM missing", {}), SourceError);
  EXPECT_EQ(rows_of(db->query("SELECT 1", {})), (Rows{{"1"}}));
}

TEST(MariaDbSource, TimeoutKillsTheQuery) {
  auto db = open_db();
  ExecOptions o;
  o.timeout = 300ms;
  Clock::time_point start = Clock::now();
  try {
    db->query("SELECT SLEEP(10)", o);
    FAIL();
  } catch (const TimeoutError& e) {
    EXPECT_NE(e.message().find("300 ms"), std::string::npos) << e.message();
  }
  EXPECT_LT(Clock::now() - start, 3s);
  EXPECT_EQ(rows_of(db->query("SELECT 1", {})), (Rows{{"1"}}));
}

TEST(MariaDbSource, CancelTokenFromAnotherThread) {
  auto db = open_db();
  ExecOptions o;
  o.cancel = std::make_shared<CancelToken>();
  auto token = o.cancel;
  std::thread canceller([token] {
    std::this_thread::sleep_for(200ms);
    token->cancel();
  });
  Clock::time_point start = Clock::now();
  EXPECT_THROW(db->query("SELECT SLEEP(10)", o), TimeoutError);
  canceller.join();
  EXPECT_LT(Clock::now() - start, 3s);
}

TEST(MariaDbSource, PoolExhaustionWaitsThenFailsClearly) {
  auto o = options_for(server());
  o.max_connections = 1;
  o.acquire_timeout = 300ms;
  auto db = open_db(o);
  auto busy = std::async(std::launch::async, [&] { db->query("SELECT SLEEP(1.5)", {}); });
  std::this_thread::sleep_for(200ms);
  Clock::time_point start = Clock::now();
  try {
    db->query("SELECT 1", {});
    FAIL();
  } catch (const SourceError& e) {
    EXPECT_NE(e.message().find("all 1 connections to source 'maria' are busy"), std::string::npos)
        << e.message();
  }
  EXPECT_LT(Clock::now() - start, 1200ms);
  busy.get();
  EXPECT_EQ(rows_of(db->query("SELECT 1", {})), (Rows{{"1"}}));
}

TEST(MariaDbSource, UnreachableServerIs503NamingTheSource) {
  MariaDbSourceOptions o;
  o.port = 1;
  o.user = "x";
  auto db = MariaDbSource::open("shop_mysql", o);
  try {
    db->query("SELECT 1", {});
    FAIL();
  } catch (const SourceError& e) {
    EXPECT_EQ(e.source(), "shop_mysql");
    EXPECT_TRUE(e.message().starts_with("source 'shop_mysql' is unreachable: ")) << e.message();
    EXPECT_EQ(e.http_status(), 503);
  }
  EXPECT_FALSE(db->health().ok);
}

TEST(MariaDbSource, ListsAndDescribesTables) {
  auto db = open_db();
  std::vector<std::string> names;
  for (const auto& t : db->list_tables()) {
    if (t.schema == "strata") names.push_back(t.name);
  }
  EXPECT_EQ(names, (std::vector<std::string>{"line_items", "orders", "products", "users"}));
  TableInfo orders = db->describe_table("", "orders");
  EXPECT_EQ(orders.schema, "strata");
  ASSERT_EQ(orders.columns.size(), 5u);
  EXPECT_EQ(orders.columns[0].type, Type::of(TypeId::kInt32));
  EXPECT_FALSE(orders.columns[0].nullable);
  EXPECT_EQ(orders.columns[3].type, Type::of(TypeId::kTimestamp));
  EXPECT_EQ(orders.columns[4].type, Type::decimal(10, 2));
  EXPECT_THROW(db->describe_table("strata", "nope"), NotFoundError);
  EXPECT_TRUE(db->health().ok);
}

// --- The shop fixture's shared answers, on MariaDB ---------------------------------

class MariaDbShop : public ::testing::TestWithParam<testing::ShopCase> {
 protected:
  static void SetUpTestSuite() {
    model_ = load_model(std::string(STRATA_SOURCE_DIR) + "/test/fixtures/shop/model");
    db_ = open_db();
  }
  static void TearDownTestSuite() {
    db_.reset();
    model_.reset();
  }
  static inline std::shared_ptr<const Model> model_;
  static inline std::unique_ptr<MariaDbSource> db_;
};

TEST_P(MariaDbShop, GivesTheHandComputedAnswer) {
  const auto& c = GetParam();
  Plan p = plan_query(
      c.query(), *model_, SecurityContext{},
      [](std::string_view) -> const sql::Dialect& { return sql::dialect_named("mariadb"); });
  testing::expect_rows(rows_of(db_->query(p.sql, {})), c.expected, p.sql);
  if (c.expected_total) {
    testing::expect_rows(rows_of(db_->query(p.total_sql, {})), *c.expected_total, p.total_sql);
  }
}

INSTANTIATE_TEST_SUITE_P(Shop, MariaDbShop, ::testing::ValuesIn(testing::shop_cases()),
                         testing::shop_case_name);

}  // namespace
}  // namespace strata
