// PostgresSource against a real PostgreSQL 15 (scripts/test-postgres): types,
// errors, read-only sessions, timeouts and cancellation (also of a backend
// stopped with SIGSTOP), pool exhaustion, unreachable servers, a restart,
// SSL, the catalog, and the shop fixture's shared answers.
#include "source/postgres/postgres_source.h"

#include <gtest/gtest.h>
#include <signal.h>

#include <atomic>
#include <future>
#include <thread>

#include "../../fixtures/shop/shop_cases.h"
#include "core/error.h"
#include "model/loader.h"
#include "plan/plan.h"
#include "sql/dialect.h"
#include "test_server.h"

namespace strata {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using testing::Rows;
using testing::TestServer;

TestServer& server() {
  return TestServer::shared(
      "scripts/test-postgres", "STRATA_PG_", "STRATA_TEST_POSTGRES_ENV",
      {"--ssl", "--sql", TestServer::path("test/fixtures/shop/seed_postgres.sql")});
}

PostgresSourceOptions options_for(const TestServer& s) {
  PostgresSourceOptions o;
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

std::unique_ptr<PostgresSource> open_pg(PostgresSourceOptions o) {
  return PostgresSource::open("pg", std::move(o));
}

std::unique_ptr<PostgresSource> open_pg() {
  return open_pg(options_for(server()));
}

std::string text(const ResultSet& rs, size_t col, size_t row = 0) {
  const Column& c = rs.column(col);
  return c.is_null(row) ? "NULL" : to_text(c.value_at(row));
}

Rows rows_of(const ResultSet& rs) {
  Rows out;
  for (size_t r = 0; r < rs.row_count(); ++r) {
    std::vector<std::string> row;
    for (size_t c = 0; c < rs.column_count(); ++c) row.push_back(text(rs, c, r));
    out.push_back(std::move(row));
  }
  return out;
}

TEST(PostgresSource, NameTypeDialect) {
  auto pg = open_pg();
  EXPECT_EQ(pg->name(), "pg");
  EXPECT_EQ(pg->type(), "postgres");
  EXPECT_EQ(pg->dialect().name(), "postgres");
}

TEST(PostgresSource, SessionIsUtcReadOnlyAndStandardStrings) {
  auto pg = open_pg();
  ResultSet rs = pg->query(
      "SELECT current_setting('TimeZone'), current_setting('default_transaction_read_only'), "
      "current_setting('standard_conforming_strings'), current_setting('application_name')",
      {});
  EXPECT_EQ(rows_of(rs), (Rows{{"UTC", "on", "on", "strata"}}));
  try {
    pg->query("CREATE TABLE nope (x int)", {});
    FAIL() << "a write went through";
  } catch (const SourceError& e) {
    EXPECT_EQ(e.sqlstate(), "25006") << e.what();  // read_only_sql_transaction
    EXPECT_EQ(e.source(), "pg");
  }
}

TEST(PostgresSource, CommonTypesDecodeFromBinary) {
  auto pg = open_pg();
  ResultSet rs = pg->query(
      "SELECT 1::int2 AS a, 2::int4 AS b, 3000000000::int8 AS c, 12.50::numeric(10,2) AS d, "
      "1.1::float4 AS e, 2.5::float8 AS f, 'x'::text AS g, 'y'::varchar(3) AS h, "
      "'z'::char(2) AS i, true AS j, DATE '2024-02-29' AS k, "
      "TIMESTAMP '2024-01-05 10:00:00.25' AS l, TIMESTAMPTZ '2024-01-05 10:00:00+02' AS m, "
      "'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid AS n, '{\"a\": [1, 2]}'::json AS o, "
      "'{\"a\": [1, 2]}'::jsonb AS p, INTERVAL '1 year 2 months 3 days 04:05:06.5' AS q, "
      "TIME '13:45:00' AS r, 'pg_class'::name AS s, '\\x00ff'::bytea AS t, NULL::int4 AS u",
      {});
  ASSERT_EQ(rs.row_count(), 1u);
  const auto& s = rs.schema();
  EXPECT_EQ(s[0].type, Type::of(TypeId::kInt16));
  EXPECT_EQ(s[1].type, Type::of(TypeId::kInt32));
  EXPECT_EQ(s[2].type, Type::of(TypeId::kInt64));
  EXPECT_EQ(s[3].type, Type::decimal(10, 2));
  EXPECT_EQ(s[4].type, Type::of(TypeId::kFloat));
  EXPECT_EQ(s[5].type, Type::of(TypeId::kDouble));
  EXPECT_EQ(s[9].type, Type::of(TypeId::kBoolean));
  EXPECT_EQ(s[10].type, Type::of(TypeId::kDate));
  EXPECT_EQ(s[11].type, Type::of(TypeId::kTimestamp));
  EXPECT_EQ(s[12].type, Type::of(TypeId::kTimestampTz));
  EXPECT_EQ(s[13].type, Type::of(TypeId::kUuid));
  EXPECT_EQ(s[14].type, Type::of(TypeId::kJson));
  EXPECT_EQ(s[15].type, Type::of(TypeId::kJson));
  EXPECT_EQ(s[16].type, Type::of(TypeId::kInterval));
  EXPECT_EQ(s[17].type, Type::of(TypeId::kTime));
  EXPECT_EQ(s[19].type, Type::of(TypeId::kBlob));
  EXPECT_EQ(s[0].name, "a");
  EXPECT_EQ(rows_of(rs), (Rows{{"1",
                                "2",
                                "3000000000",
                                "12.50",
                                "1.1",
                                "2.5",
                                "x",
                                "y",
                                "z ",
                                "true",
                                "2024-02-29",
                                "2024-01-05 10:00:00.25",
                                "2024-01-05 08:00:00+00",
                                "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11",
                                "{\"a\": [1, 2]}",
                                "{\"a\": [1, 2]}",
                                "P1Y2M3DT4H5M6.5S",
                                "13:45:00",
                                "pg_class",
                                std::string("\0\xff", 2),
                                "NULL"}}));
  EXPECT_EQ(rs.column(11).int_at(0), 1704448800250000);  // micros since 1970
  EXPECT_EQ(rs.column(12).int_at(0), 1704441600000000);
}

TEST(PostgresSource, CopyAndRowResultPathsAgree) {
  const std::string sql =
      "SELECT i, i * 1.25 AS n, (i * 1.5)::numeric(12,3) AS d, 'row ' || i AS s, "
      "CASE WHEN i % 3 = 0 THEN NULL ELSE DATE '2024-01-01' + i END AS day, "
      "TIMESTAMPTZ '2024-01-01 00:00:00+00' + i * INTERVAL '1 minute' AS at, "
      "ARRAY[i, i + 1] AS arr, (i % 2 = 0) AS even FROM generate_series(1, 3000) i ORDER BY i";
  auto o = options_for(server());
  o.copy_results = true;
  ResultSet copied = open_pg(o)->query(sql, {});
  o.copy_results = false;
  ResultSet rows = open_pg(o)->query(sql, {});
  ASSERT_EQ(copied.row_count(), 3000u);
  ASSERT_EQ(copied.column_count(), rows.column_count());
  for (size_t c = 0; c < copied.column_count(); ++c) {
    EXPECT_EQ(copied.schema()[c].type, rows.schema()[c].type) << c;
    EXPECT_EQ(copied.schema()[c].name, rows.schema()[c].name) << c;
  }
  EXPECT_EQ(rows_of(copied), rows_of(rows));
  EXPECT_EQ(copied.schema()[1].type, Type::decimal(38, 2));
  EXPECT_EQ(text(copied, 1, 2999), "3750.00");
  // Statements COPY refuses at parse time still run (a trailing ';' or comment).
  for (const char* s : {"SELECT 1 AS x;", "SELECT 1 AS x -- the end", "SHOW TimeZone",
                        "EXPLAIN SELECT 1", "  (SELECT 1 AS x)"}) {
    ResultSet r = open_pg()->query(s, {});
    EXPECT_EQ(r.row_count(), 1u) << s;
  }
}

TEST(PostgresSource, NumericScalesAndOverflow) {
  auto pg = open_pg();
  // Unconstrained numeric (sum/avg results): the largest scale among the values.
  ResultSet rs = pg->query(
      "SELECT v FROM (VALUES (1.5::numeric), (-2.25), (1000000), (NULL), (0.001)) t(v)", {});
  EXPECT_EQ(rs.schema()[0].type, Type::decimal(38, 3));
  EXPECT_EQ(rows_of(rs), (Rows{{"1.500"}, {"-2.250"}, {"1000000.000"}, {"NULL"}, {"0.001"}}));
  // Beyond 38 digits, NaN, infinities: the column becomes PostgreSQL's text.
  rs = pg->query("SELECT v FROM (VALUES (1e40::numeric), (1.25), ('NaN'), ('-Infinity')) t(v)", {});
  EXPECT_EQ(rs.schema()[0].type, Type::of(TypeId::kString));
  EXPECT_EQ(
      rows_of(rs),
      (Rows{{"10000000000000000000000000000000000000000"}, {"1.25"}, {"NaN"}, {"-Infinity"}}));
  rs = pg->query(
      "SELECT 123456789012345678901234567890.12345678::numeric(38,8), "
      "-0.00001234::numeric(10,8), 0::numeric(5,0)",
      {});
  EXPECT_EQ(rows_of(rs), (Rows{{"123456789012345678901234567890.12345678", "-0.00001234", "0"}}));
}

TEST(PostgresSource, ArraysAndOtherTypesAsText) {
  auto pg = open_pg();
  ResultSet rs = pg->query(
      "SELECT ARRAY[1, NULL, 3]::int4[], ARRAY['a b', 'c\"d', '']::text[], "
      "ARRAY[[1,2],[3,4]]::int8[], '192.168.0.1/24'::inet, '10.0.0.0/8'::cidr, "
      "TIME WITH TIME ZONE '13:45:00+02', '08:00:2b:01:02:03'::macaddr, "
      "'(1,2)'::point, ARRAY[1.5]::numeric[]",
      {});
  EXPECT_EQ(rows_of(rs),
            (Rows{{"{1,NULL,3}", "{\"a b\",\"c\\\"d\",\"\"}", "{{1,2},{3,4}}", "192.168.0.1/24",
                   "10.0.0.0/8", "13:45:00+02", "08:00:2b:01:02:03", rows_of(rs)[0][7], "{1.5}"}}));
  EXPECT_EQ(rs.schema()[7].type, Type::of(TypeId::kString));
}

TEST(PostgresSource, ManyRowsAndMaxRows) {
  auto pg = open_pg();
  ResultSet rs = pg->query(
      "SELECT i, i::text || 'x', i * 0.5 FROM generate_series(1, 100000) i ORDER BY i", {});
  ASSERT_EQ(rs.row_count(), 100000u);
  int64_t sum = 0;
  for (size_t r = 0; r < rs.row_count(); ++r) sum += rs.column(0).int_at(r);
  EXPECT_EQ(sum, int64_t{100000} * 100001 / 2);
  EXPECT_EQ(rs.column(1).string_at(99999), "100000x");
  ExecOptions o;
  o.max_rows = 10;
  EXPECT_EQ(pg->query("SELECT i FROM generate_series(1, 1000) i", o).row_count(), 10u);
  size_t batches = 0, rows = 0;
  pg->stream("SELECT i FROM generate_series(1, 500) i", {}, [&](ResultSet&& b) {
    ++batches;
    rows += b.row_count();
    return true;
  });
  EXPECT_EQ(rows, 500u);
  EXPECT_GE(batches, 1u);
}

TEST(PostgresSource, ErrorsKeepSqlstatePositionAndHint) {
  auto pg = open_pg();
  try {
    pg->query("SELECT * FROM no_such_table", {});
    FAIL();
  } catch (const SourceError& e) {
    EXPECT_EQ(e.sqlstate(), "42P01");
    EXPECT_EQ(e.context().position, 15);
    EXPECT_EQ(e.http_status(), 503);
    EXPECT_NE(e.message().find("no_such_table"), std::string::npos) << e.message();
    EXPECT_NE(e.message().find("data source 'pg'"), std::string::npos) << e.message();
  }
  try {
    pg->query("SELECT 1 +", {});
    FAIL();
  } catch (const SourceError& e) {
    EXPECT_EQ(e.sqlstate(), "42601");
  }
  try {
    pg->query("SELECT 1/0", {});
    FAIL();
  } catch (const SourceError& e) {
    EXPECT_EQ(e.sqlstate(), "22012");
  }
  try {
    pg->query("SELECT 1; SELECT 2", {});
    FAIL();
  } catch (const SourceError& e) {
    EXPECT_EQ(e.sqlstate(), "42601");  // several statements cannot be one prepared statement
  }
  // The connection is still good after errors.
  EXPECT_EQ(rows_of(pg->query("SELECT 42", {})), (Rows{{"42"}}));
}

TEST(PostgresSource, ReadOnlyTransactionRollsBackSessionChanges) {
  auto o = options_for(server());
  o.max_connections = 1;
  auto pg = open_pg(o);
  pg->query_read_only("SELECT set_config('default_transaction_read_only', 'off', false)", {});
  EXPECT_EQ(rows_of(pg->query("SHOW default_transaction_read_only", {})), (Rows{{"on"}}));
  EXPECT_THROW(pg->query_read_only("SELECT * FROM missing", {}), SourceError);
  EXPECT_EQ(rows_of(pg->query_read_only("SELECT count(*) FROM orders", {})), (Rows{{"6"}}));
}

TEST(PostgresSource, TimeoutCancelsTheBackendQuery) {
  auto pg = open_pg();
  ExecOptions o;
  o.timeout = 300ms;
  const std::string marker = "timeout_marker_" + std::to_string(::getpid());
  Clock::time_point start = Clock::now();
  try {
    pg->query("SELECT pg_sleep(10) /* " + marker + " */", o);
    FAIL();
  } catch (const TimeoutError& e) {
    EXPECT_NE(e.message().find("300 ms"), std::string::npos) << e.message();
    EXPECT_EQ(e.http_status(), 504);
  }
  EXPECT_LT(Clock::now() - start, 3s);
  // The backend query is gone, not still sleeping.
  auto other = open_pg();
  std::string active = "1";
  for (int i = 0; i < 50 && active != "0"; ++i) {
    std::this_thread::sleep_for(20ms);
    active = rows_of(other->query("SELECT count(*) FROM pg_stat_activity WHERE query LIKE '%" +
                                      marker + " */%' AND state = 'active' AND pid <> "
                                      "pg_backend_pid()",
                                  {}))[0][0];
  }
  EXPECT_EQ(active, "0");
  EXPECT_EQ(rows_of(pg->query("SELECT 1", {})), (Rows{{"1"}}));
}

TEST(PostgresSource, CancelTokenFromAnotherThread) {
  auto pg = open_pg();
  ExecOptions o;
  o.cancel = std::make_shared<CancelToken>();
  auto token = o.cancel;
  std::thread canceller([token] {
    std::this_thread::sleep_for(200ms);
    token->cancel();
  });
  Clock::time_point start = Clock::now();
  try {
    pg->query("SELECT pg_sleep(10)", o);
    FAIL();
  } catch (const TimeoutError& e) {
    EXPECT_EQ(e.message(), "query was cancelled");
  }
  canceller.join();
  EXPECT_LT(Clock::now() - start, 3s);
  EXPECT_EQ(rows_of(pg->query("SELECT 1", {})), (Rows{{"1"}}));
}

TEST(PostgresSource, StoppedBackendIsAbandonedAtTheTimeoutAndThePoolRecovers) {
  auto o = options_for(server());
  o.cancel_grace = 500ms;
  auto pg = open_pg(o);
  auto watcher = open_pg();
  const std::string marker = "sigstop_marker_" + std::to_string(::getpid());
  ExecOptions exec;
  exec.timeout = 1500ms;
  auto running = std::async(std::launch::async, [&] {
    Clock::time_point start = Clock::now();
    try {
      pg->query("SELECT pg_sleep(30) /* " + marker + " */", exec);
      return std::string("no error");
    } catch (const TimeoutError&) {
      return std::string("timeout after ") +
             std::to_string(
                 std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start)
                     .count());
    } catch (const std::exception& e) {
      return std::string(e.what());
    }
  });
  // Find the backend serving it and stop it.
  int64_t pid = 0;
  for (int i = 0; i < 100 && pid == 0; ++i) {
    ResultSet rs = watcher->query("SELECT pid FROM pg_stat_activity WHERE query LIKE '%" + marker +
                                      "%' AND pid <> pg_backend_pid()",
                                  {});
    if (rs.row_count() == 1) pid = rs.column(0).int_at(0);
    if (pid == 0) std::this_thread::sleep_for(20ms);
  }
  ASSERT_NE(pid, 0);
  ASSERT_EQ(::kill(static_cast<pid_t>(pid), SIGSTOP), 0);
  std::string outcome = running.get();
  ::kill(static_cast<pid_t>(pid), SIGCONT);
  ASSERT_TRUE(outcome.starts_with("timeout after ")) << outcome;
  int64_t ms = std::stoll(outcome.substr(14));
  EXPECT_GE(ms, 1500);
  EXPECT_LT(ms, 4000);  // the timeout, the grace, some slack; never the 30 s sleep
  EXPECT_GE(pg->pool_stats().discarded, 1);
  // The pool recovers: a fresh connection answers.
  EXPECT_EQ(rows_of(pg->query("SELECT 7", {})), (Rows{{"7"}}));
}

TEST(PostgresSource, PoolExhaustionWaitsThenFailsClearly) {
  auto o = options_for(server());
  o.max_connections = 1;
  o.acquire_timeout = 300ms;
  auto pg = open_pg(o);
  auto busy = std::async(std::launch::async, [&] { pg->query("SELECT pg_sleep(1.5)", {}); });
  std::this_thread::sleep_for(200ms);
  Clock::time_point start = Clock::now();
  try {
    pg->query("SELECT 1", {});
    FAIL();
  } catch (const SourceError& e) {
    EXPECT_NE(e.message().find("all 1 connections to source 'pg' are busy"), std::string::npos)
        << e.message();
    EXPECT_EQ(e.http_status(), 503);
  }
  auto waited = Clock::now() - start;
  EXPECT_GE(waited, 250ms);
  EXPECT_LT(waited, 1200ms);
  busy.get();
  EXPECT_EQ(rows_of(pg->query("SELECT 1", {})), (Rows{{"1"}}));
}

TEST(PostgresSource, ManyThreadsShareASmallPool) {
  auto o = options_for(server());
  o.max_connections = 3;
  auto pg = open_pg(o);
  std::vector<std::future<int64_t>> runs;
  for (int t = 0; t < 8; ++t) {
    runs.push_back(std::async(std::launch::async, [&pg, t] {
      int64_t sum = 0;
      for (int k = 0; k < 10; ++k) {
        ResultSet rs = pg->query("SELECT " + std::to_string(t * 100 + k) + "::int8", {});
        sum += rs.column(0).int_at(0);
      }
      return sum;
    }));
  }
  for (int t = 0; t < 8; ++t) EXPECT_EQ(runs[t].get(), t * 1000 + 45);
  EXPECT_LE(pg->pool_stats().open, 3);
}

TEST(PostgresSource, UnreachableServerIs503NamingTheSource) {
  PostgresSourceOptions o;
  o.host = "127.0.0.1";
  o.port = 1;  // nothing listens there
  o.user = "x";
  o.connect_timeout = 2s;
  auto pg = PostgresSource::open("warehouse", o);  // opening does not connect
  try {
    pg->query("SELECT 1", {});
    FAIL();
  } catch (const SourceError& e) {
    EXPECT_EQ(e.source(), "warehouse");
    EXPECT_TRUE(e.message().starts_with("source 'warehouse' is unreachable: ")) << e.message();
    EXPECT_EQ(e.http_status(), 503);
  }
  SourceHealth h = pg->health();
  EXPECT_FALSE(h.ok);
  EXPECT_NE(h.detail.find("unreachable"), std::string::npos);
}

TEST(PostgresSource, WrongPasswordSaysSoWithoutThePassword) {
  auto o = options_for(server());
  o.password = "not-the-password-123";
  auto pg = open_pg(o);
  try {
    pg->query("SELECT 1", {});
    FAIL();
  } catch (const SourceError& e) {
    EXPECT_NE(e.message().find("cannot connect"), std::string::npos) << e.message();
    EXPECT_EQ(std::string(e.what()).find("not-the-password-123"), std::string::npos);
  }
}

TEST(PostgresSource, BadOptionsAreUserErrors) {
  PostgresSourceOptions o;
  o.sslmode = "sometimes";
  EXPECT_THROW(PostgresSource::open("x", o), UserError);
  o.sslmode = "prefer";
  o.max_connections = 0;
  EXPECT_THROW(PostgresSource::open("x", o), UserError);
}

TEST(PostgresSource, SslModes) {
  auto o = options_for(server());
  o.sslmode = "require";
  EXPECT_EQ(
      rows_of(open_pg(o)->query("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()", {})),
      (Rows{{"true"}}));
  o.sslmode = "disable";
  EXPECT_EQ(
      rows_of(open_pg(o)->query("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()", {})),
      (Rows{{"false"}}));
  o.sslmode = "verify-full";  // the self-signed certificate cannot be verified
  o.sslrootcert = "/nonexistent/root.crt";
  EXPECT_THROW(open_pg(o)->query("SELECT 1", {}), SourceError);
}

TEST(PostgresSource, ListsAndDescribesTables) {
  auto pg = open_pg();
  auto tables = pg->list_tables();
  std::vector<std::string> names;
  for (const auto& t : tables) {
    if (t.schema == "public") names.push_back(t.name);
  }
  EXPECT_EQ(names, (std::vector<std::string>{"line_items", "orders", "products", "users"}));
  TableInfo orders = pg->describe_table("", "orders");
  EXPECT_EQ(orders.schema, "public");
  ASSERT_EQ(orders.columns.size(), 5u);
  EXPECT_EQ(orders.columns[0].name, "id");
  EXPECT_EQ(orders.columns[0].type, Type::of(TypeId::kInt32));
  EXPECT_FALSE(orders.columns[0].nullable);
  EXPECT_EQ(orders.columns[3].type, Type::of(TypeId::kTimestamp));
  EXPECT_EQ(orders.columns[4].type, Type::decimal(10, 2));
  EXPECT_TRUE(orders.columns[4].nullable);
  EXPECT_EQ(pg->describe_table("public", "users").columns.size(), 4u);
  EXPECT_THROW(pg->describe_table("public", "nope"), NotFoundError);
  EXPECT_THROW(pg->describe_table("public'; --", "orders"), NotFoundError);
  EXPECT_TRUE(pg->health().ok);
}

TEST(PostgresSource, RestartMidRunReconnects) {
  auto own = TestServer::start("scripts/test-postgres", "STRATA_PG_");
  auto o = options_for(*own);
  o.max_connections = 2;
  auto pg = open_pg(o);
  // Two pooled connections, both idle.
  auto a = std::async(std::launch::async, [&] { return pg->query("SELECT pg_sleep(0.2)", {}); });
  auto b = std::async(std::launch::async, [&] { return pg->query("SELECT pg_sleep(0.2)", {}); });
  a.get();
  b.get();
  int64_t opened = pg->pool_stats().opened;
  EXPECT_EQ(opened, 2);
  ASSERT_EQ(own->script("restart", ">/dev/null"), 0);
  // The next queries succeed on new connections.
  EXPECT_EQ(rows_of(pg->query("SELECT 1", {})), (Rows{{"1"}}));
  EXPECT_EQ(rows_of(pg->query("SELECT 2", {})), (Rows{{"2"}}));
  EXPECT_GT(pg->pool_stats().opened, opened);
  // A query in flight when the server goes away fails (it is not re-run) ...
  auto slow = std::async(std::launch::async, [&] {
    try {
      pg->query("SELECT pg_sleep(5)", {});
      return std::string("no error");
    } catch (const SourceError& e) {
      return e.message();
    }
  });
  std::this_thread::sleep_for(300ms);
  ASSERT_EQ(own->script("restart", ">/dev/null"), 0);
  std::string message = slow.get();
  EXPECT_NE(message.find("data source 'pg'"), std::string::npos) << message;
  // ... and the source still answers afterwards.
  EXPECT_EQ(rows_of(pg->query("SELECT 3", {})), (Rows{{"3"}}));
}

// --- The shop fixture's shared answers, on PostgreSQL ------------------------------

class PostgresShop : public ::testing::TestWithParam<testing::ShopCase> {
 protected:
  static void SetUpTestSuite() {
    model_ = load_model(std::string(STRATA_SOURCE_DIR) + "/test/fixtures/shop/model");
    pg_ = open_pg();
  }
  static void TearDownTestSuite() {
    pg_.reset();
    model_.reset();
  }
  static inline std::shared_ptr<const Model> model_;
  static inline std::unique_ptr<PostgresSource> pg_;
};

TEST_P(PostgresShop, GivesTheHandComputedAnswer) {
  const auto& c = GetParam();
  Plan p = plan_query(
      c.query(), *model_, SecurityContext{},
      [](std::string_view) -> const sql::Dialect& { return sql::dialect_named("postgres"); });
  testing::expect_rows(rows_of(pg_->query(p.sql, {})), c.expected, p.sql);
  if (c.expected_total) {
    testing::expect_rows(rows_of(pg_->query(p.total_sql, {})), *c.expected_total, p.total_sql);
  }
}

INSTANTIATE_TEST_SUITE_P(Shop, PostgresShop, ::testing::ValuesIn(testing::shop_cases()),
                         testing::shop_case_name);

}  // namespace
}  // namespace strata
