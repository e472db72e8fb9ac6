// DuckDbSource behaviour: big results, streaming, max_rows, errors, timeouts,
// cancellation, the connection pool, catalog listing and health.
#include "source/duckdb/duckdb_source.h"

#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <filesystem>
#include <future>
#include <mutex>
#include <thread>
#include <vector>

#include "core/error.h"
#include "sql/dialect.h"

namespace strata {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// A query that runs for minutes unless interrupted.
constexpr const char* kEndlessQuery =
    "SELECT count(*) FROM range(100000000) a, range(100000) b WHERE (a.range + b.range) % 7 = 3";

std::unique_ptr<DuckDbSource> memory_db(DuckDbSourceOptions options = {}) {
  return DuckDbSource::open("db", ":memory:", options);
}

TEST(DuckDbSource, NameTypeDialect) {
  auto db = memory_db();
  EXPECT_EQ(db->name(), "db");
  EXPECT_EQ(db->type(), "duckdb");
  EXPECT_EQ(db->dialect().name(), "duckdb");
}

TEST(DuckDbSource, HundredThousandRowsMatchSqlAggregates) {
  auto db = memory_db();
  const std::string from =
      " FROM (SELECT range AS i, hash(range) AS h, range::VARCHAR || '-' || repeat('x', range % "
      "20) "
      "AS s, CASE WHEN range % 7 = 0 THEN NULL ELSE range * 0.5::DOUBLE END AS d FROM "
      "range(100000))";
  ResultSet rows = db->query("SELECT i, h, s, d" + from + " ORDER BY i", {});
  ASSERT_EQ(rows.row_count(), 100000u);
  EXPECT_EQ(rows.schema()[0].type, Type::of(TypeId::kInt64));
  EXPECT_EQ(rows.schema()[1].type, Type::decimal(20, 0));  // hash() is UBIGINT
  EXPECT_EQ(rows.schema()[2].type, Type::of(TypeId::kString));
  EXPECT_EQ(rows.schema()[3].type, Type::of(TypeId::kDouble));

  ResultSet sums = db->query(
      "SELECT sum(i)::BIGINT, sum(h)::HUGEINT, sum(length(s))::BIGINT, count(d)::BIGINT, "
      "sum(d)::DOUBLE" +
          from,
      {});
  ASSERT_EQ(sums.row_count(), 1u);
  int64_t sum_i = 0, sum_len = 0, non_null = 0;
  __int128 sum_h = 0;
  double sum_d = 0;
  for (size_t r = 0; r < rows.row_count(); ++r) {
    ASSERT_EQ(rows.column(0).int_at(r), static_cast<int64_t>(r));
    sum_i += rows.column(0).int_at(r);
    sum_h += rows.column(1).decimal_at(r);
    sum_len += static_cast<int64_t>(rows.column(2).string_at(r).size());
    if (!rows.column(3).is_null(r)) {
      ++non_null;
      sum_d += rows.column(3).double_at(r);
    }
  }
  EXPECT_EQ(sum_i, sums.column(0).int_at(0));
  EXPECT_EQ(sum_i, 100000LL * 99999 / 2);  // and by arithmetic
  EXPECT_TRUE(sum_h == sums.column(1).decimal_at(0));
  EXPECT_EQ(sum_len, sums.column(2).int_at(0));
  EXPECT_EQ(non_null, sums.column(3).int_at(0));
  EXPECT_EQ(non_null, 100000 - 14286);  // multiples of 7 below 100000: 14286
  EXPECT_DOUBLE_EQ(sum_d, sums.column(4).double_at(0));
}

TEST(DuckDbSource, MaxRowsStopsReading) {
  auto db = memory_db();
  ExecOptions o;
  o.max_rows = 10;
  ResultSet rs = db->query("SELECT range FROM range(1000000) ORDER BY range", o);
  ASSERT_EQ(rs.row_count(), 10u);
  for (size_t r = 0; r < 10; ++r)
    EXPECT_EQ(rs.column(0).int_at(r), static_cast<int64_t>(r));
  o.max_rows = 5000;  // more than one chunk, not a multiple of the chunk size
  EXPECT_EQ(db->query("SELECT range FROM range(1000000)", o).row_count(), 5000u);
  o.max_rows = 0;
  rs = db->query("SELECT range AS x FROM range(100)", o);
  EXPECT_EQ(rs.row_count(), 0u);
  ASSERT_EQ(rs.column_count(), 1u);
  EXPECT_EQ(rs.schema()[0].name, "x");
  o.max_rows = 1000;  // more than there are
  EXPECT_EQ(db->query("SELECT range FROM range(100)", o).row_count(), 100u);
}

TEST(DuckDbSource, StreamsBatchesOfSeveralChunks) {
  auto db = memory_db();
  std::vector<size_t> sizes;
  int64_t expected = 0;
  bool in_order = true;
  db->stream("SELECT range FROM range(100000) ORDER BY range", {}, [&](ResultSet&& batch) {
    sizes.push_back(batch.row_count());
    for (size_t r = 0; r < batch.row_count(); ++r) {
      if (batch.column(0).int_at(r) != expected++) in_order = false;
    }
    return true;
  });
  EXPECT_TRUE(in_order);
  EXPECT_EQ(expected, 100000);
  ASSERT_GE(sizes.size(), 2u);
  EXPECT_LE(sizes.size(), 100000 / DuckDbSource::kStreamBatchRows + 1);
  for (size_t i = 0; i + 1 < sizes.size(); ++i) {
    EXPECT_GE(sizes[i], DuckDbSource::kStreamBatchRows);  // several chunks per batch
  }
}

TEST(DuckDbSource, StreamStopsWhenSinkSaysSo) {
  auto db = memory_db();
  int calls = 0;
  db->stream("SELECT range FROM range(10000000)", {}, [&](ResultSet&& batch) {
    ++calls;
    EXPECT_GT(batch.row_count(), 0u);
    return false;
  });
  EXPECT_EQ(calls, 1);
  // The connection is free and usable again.
  EXPECT_EQ(db->query("SELECT 7", {}).column(0).int_at(0), 7);
}

TEST(DuckDbSource, StreamHonoursMaxRowsAndEmptyResults) {
  auto db = memory_db();
  ExecOptions o;
  o.max_rows = 20000;
  size_t total = 0;
  db->stream("SELECT range FROM range(1000000)", o, [&](ResultSet&& batch) {
    total += batch.row_count();
    return true;
  });
  EXPECT_EQ(total, 20000u);

  int calls = 0;
  db->stream("SELECT 1 AS one WHERE false", {}, [&](ResultSet&& batch) {
    ++calls;
    EXPECT_EQ(batch.row_count(), 0u);
    EXPECT_EQ(batch.column_count(), 1u);
    return true;
  });
  EXPECT_EQ(calls, 1);  // one empty batch carries the schema
}

TEST(DuckDbSource, SeveralStatementsReturnTheLast) {
  auto db = memory_db();
  ResultSet rs = db->query(
      "CREATE TABLE x AS SELECT 1 AS a; INSERT INTO x VALUES (2), (3);\nSELECT sum(a) FROM x;", {});
  ASSERT_EQ(rs.row_count(), 1u);
  EXPECT_TRUE(rs.column(0).decimal_at(0) == 6);  // sum(INTEGER) is HUGEINT
}

TEST(DuckDbSource, SyntaxErrorIsSourceErrorWithPosition) {
  auto db = memory_db();
  try {
    db->query("SELEC 1", {});
    FAIL() << "no error";
  } catch (const SourceError& e) {
    EXPECT_EQ(e.source(), "db");
    EXPECT_NE(e.message().find("syntax error"), std::string::npos) << e.message();
    EXPECT_NE(e.message().find("'db'"), std::string::npos) << e.message();
    EXPECT_EQ(e.context().position, 1);
    EXPECT_EQ(e.sqlstate(), "42601");
    EXPECT_EQ(e.http_status(), 503);
  }
}

TEST(DuckDbSource, CatalogAndBinderErrorsCarryPositions) {
  auto db = memory_db();
  try {
    db->query("SELECT * FROM nosuch_table", {});
    FAIL() << "no error";
  } catch (const SourceError& e) {
    EXPECT_NE(e.message().find("nosuch_table"), std::string::npos) << e.message();
    EXPECT_EQ(e.context().position, 15);
    EXPECT_EQ(e.sqlstate(), "42P01");
    EXPECT_EQ(e.message().find("LINE 1"), std::string::npos) << "position block is kept apart";
  }
  // On the second line.
  std::string sql = "SELECT 1,\n  nosuch_col FROM (SELECT 1 AS y); SELECT 2";
  try {
    db->query(sql, {});
    FAIL() << "no error";
  } catch (const SourceError& e) {
    EXPECT_EQ(e.context().position, static_cast<int>(sql.find("nosuch_col")) + 1);
    EXPECT_EQ(e.sqlstate(), "42703");
  }
  // In a later statement of a script DuckDB's position is off, so none is given.
  try {
    db->query("SELECT 1;\nSELECT nosuch_col FROM (SELECT 1 AS y)", {});
    FAIL() << "no error";
  } catch (const SourceError& e) {
    EXPECT_NE(e.message().find("nosuch_col"), std::string::npos);
    EXPECT_EQ(e.context().position, 0);
  }
  // A syntax error anywhere in a script is located in the whole text.
  std::string script = "SELECT 1;\nSELECT 2; SELEC 3";
  try {
    db->query(script, {});
    FAIL() << "no error";
  } catch (const SourceError& e) {
    EXPECT_EQ(e.context().position, static_cast<int>(script.find("SELEC 3")) + 1);
  }
  // A long line that DuckDB shows shortened ("... text ...").
  std::string long_sql = "SELECT ";
  for (int i = 0; i < 60; ++i)
    long_sql += std::to_string(i) + " + ";
  long_sql += "missing_col + 1 + 2 + 3 + 4 + 5 + 6 + 7 + 8 + 9 + 10 + 11 + 12 + 13 FROM range(1)";
  try {
    db->query(long_sql, {});
    FAIL() << "no error";
  } catch (const SourceError& e) {
    EXPECT_EQ(e.context().position, static_cast<int>(long_sql.find("missing_col")) + 1)
        << e.message();
  }
  // Errors at run time name the source too.
  try {
    db->query("SELECT 'abc'::INTEGER", {});
    FAIL() << "no error";
  } catch (const SourceError& e) {
    EXPECT_NE(e.message().find("Conversion Error"), std::string::npos) << e.message();
  }
  // The source still answers.
  EXPECT_EQ(db->query("SELECT 1", {}).row_count(), 1u);
}

TEST(DuckDbSource, TimeoutInterruptsAndConnectionStaysUsable) {
  DuckDbSourceOptions so;
  so.max_connections = 1;  // the next query must run on the interrupted connection
  auto db = memory_db(so);
  ExecOptions o;
  o.timeout = 200ms;
  auto start = Clock::now();
  try {
    db->query(kEndlessQuery, o);
    FAIL() << "no timeout";
  } catch (const TimeoutError& e) {
    EXPECT_EQ(e.message(), "query cancelled after 200 ms");
    EXPECT_EQ(e.http_status(), 504);
  }
  EXPECT_LT(Clock::now() - start, 30s);  // does not hang
  ResultSet rs = db->query("SELECT 42", {});
  ASSERT_EQ(rs.row_count(), 1u);
  EXPECT_EQ(rs.column(0).int_at(0), 42);
  // A timeout that does not fire leaves fast queries alone.
  o.timeout = 60s;
  EXPECT_EQ(db->query("SELECT 43", o).column(0).int_at(0), 43);
}

TEST(DuckDbSource, TimeoutWhileStreaming) {
  auto db = memory_db();
  ExecOptions o;
  o.timeout = 200ms;
  auto start = Clock::now();
  EXPECT_THROW(db->stream("SELECT range, hash(range) FROM range(10000000000)", o,
                          [](ResultSet&&) {
                            std::this_thread::sleep_for(20ms);  // a slow client
                            return true;
                          }),
               TimeoutError);
  EXPECT_LT(Clock::now() - start, 30s);
  EXPECT_EQ(db->query("SELECT 1", {}).row_count(), 1u);
}

TEST(DuckDbSource, CancelFromAnotherThread) {
  DuckDbSourceOptions so;
  so.max_connections = 1;
  auto db = memory_db(so);
  ExecOptions o;
  o.cancel = std::make_shared<CancelToken>();
  std::thread canceller([token = o.cancel] {
    std::this_thread::sleep_for(200ms);
    token->cancel();
  });
  auto start = Clock::now();
  try {
    db->query(kEndlessQuery, o);
    FAIL() << "not cancelled";
  } catch (const TimeoutError& e) {
    EXPECT_EQ(e.message(), "query was cancelled");
  }
  canceller.join();
  EXPECT_LT(Clock::now() - start, 30s);
  EXPECT_EQ(db->query("SELECT 5", {}).column(0).int_at(0), 5);

  // A token cancelled before the query starts stops it at once.
  auto token = std::make_shared<CancelToken>();
  token->cancel();
  ExecOptions pre;
  pre.cancel = token;
  EXPECT_THROW(db->query("SELECT 1", pre), TimeoutError);
  EXPECT_EQ(db->query("SELECT 6", {}).column(0).int_at(0), 6);
}

TEST(DuckDbSource, ManyThreadsOnASmallPool) {
  DuckDbSourceOptions so;
  so.max_connections = 4;
  so.acquire_timeout = 120s;  // wait, do not fail: this is about correctness
  auto db = memory_db(so);
  db->query("CREATE TABLE nums AS SELECT range AS n FROM range(1000)", {});
  std::atomic<int> wrong{0}, done{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int q = 0; q < 50; ++q) {
        int64_t limit = t * 50 + q;  // sum of 0..limit-1
        try {
          ResultSet rs = db->query(
              "SELECT count(*)::BIGINT, coalesce(sum(n), 0)::BIGINT, current_setting('TimeZone') "
              "FROM nums WHERE n < " +
                  std::to_string(limit),
              {});
          if (rs.row_count() != 1 || rs.column(0).int_at(0) != limit ||
              rs.column(1).int_at(0) != limit * (limit - 1) / 2 ||
              rs.column(2).string_at(0) != "UTC") {
            ++wrong;
          }
        } catch (const std::exception& e) {
          ADD_FAILURE() << e.what();
          ++wrong;
        }
        ++done;
      }
    });
  }
  for (auto& th : threads)
    th.join();
  EXPECT_EQ(done.load(), 400);
  EXPECT_EQ(wrong.load(), 0);
}

TEST(DuckDbSource, PoolExhaustionFailsAfterAcquireTimeout) {
  DuckDbSourceOptions so;
  so.max_connections = 1;
  so.acquire_timeout = 200ms;
  auto db = memory_db(so);

  // Hold the only connection: a stream whose sink waits for a signal.
  std::mutex mu;
  std::condition_variable cv;
  bool holding = false, release = false;
  std::thread holder([&] {
    db->stream("SELECT range FROM range(100000000)", {}, [&](ResultSet&&) {
      std::unique_lock lock(mu);
      holding = true;
      cv.notify_all();
      cv.wait(lock, [&] { return release; });
      return false;
    });
  });
  {
    std::unique_lock lock(mu);
    cv.wait(lock, [&] { return holding; });
  }
  auto start = Clock::now();
  try {
    db->query("SELECT 1", {});
    ADD_FAILURE() << "no error";
  } catch (const SourceError& e) {
    EXPECT_EQ(e.message(), "all 1 connections to source 'db' are busy");
    EXPECT_EQ(e.source(), "db");
  }
  auto waited = Clock::now() - start;
  EXPECT_GE(waited, 190ms);
  EXPECT_LT(waited, 30s);
  {
    std::lock_guard lock(mu);
    release = true;
  }
  cv.notify_all();
  holder.join();
  EXPECT_EQ(db->query("SELECT 1", {}).row_count(), 1u);
}

TEST(DuckDbSource, ListsAndDescribesTables) {
  auto db = memory_db();
  db->query(
      "CREATE TABLE orders (id INTEGER NOT NULL, status VARCHAR, amount DECIMAL(10,2), "
      "created_at TIMESTAMP);"
      "CREATE VIEW big_orders AS SELECT id, amount FROM orders WHERE amount > 100;"
      "CREATE SCHEMA sales; CREATE TABLE sales.\"Line Items\" (sku VARCHAR, qty SMALLINT);",
      {});
  std::vector<TableInfo> tables = db->list_tables();
  ASSERT_EQ(tables.size(), 3u);
  EXPECT_EQ(tables[0].schema, "main");
  EXPECT_EQ(tables[0].name, "big_orders");
  EXPECT_EQ(tables[1].schema, "main");
  EXPECT_EQ(tables[1].name, "orders");
  EXPECT_EQ(tables[2].schema, "sales");
  EXPECT_EQ(tables[2].name, "Line Items");

  TableInfo orders = db->describe_table("main", "orders");
  EXPECT_EQ(orders.schema, "main");
  EXPECT_EQ(orders.name, "orders");
  ASSERT_EQ(orders.columns.size(), 4u);
  EXPECT_EQ(orders.columns[0].name, "id");
  EXPECT_EQ(orders.columns[0].type, Type::of(TypeId::kInt32));
  EXPECT_FALSE(orders.columns[0].nullable);
  EXPECT_EQ(orders.columns[1].name, "status");
  EXPECT_EQ(orders.columns[1].type, Type::of(TypeId::kString));
  EXPECT_TRUE(orders.columns[1].nullable);
  EXPECT_EQ(orders.columns[2].type, Type::decimal(10, 2));
  EXPECT_EQ(orders.columns[3].type, Type::of(TypeId::kTimestamp));

  TableInfo view = db->describe_table("", "big_orders");
  ASSERT_EQ(view.columns.size(), 2u);
  EXPECT_EQ(view.columns[1].name, "amount");
  EXPECT_EQ(view.columns[1].type, Type::decimal(10, 2));

  TableInfo items = db->describe_table("sales", "Line Items");
  ASSERT_EQ(items.columns.size(), 2u);
  EXPECT_EQ(items.columns[1].type, Type::of(TypeId::kInt16));

  EXPECT_THROW(db->describe_table("main", "nosuch"), NotFoundError);
  EXPECT_THROW(db->describe_table("sales", "orders"), NotFoundError);
  EXPECT_THROW(db->describe_table("main", "x'; DROP TABLE orders; --"), NotFoundError);
  EXPECT_EQ(db->describe_table("main", "orders").columns.size(), 4u);
}

TEST(DuckDbSource, Health) {
  auto db = memory_db();
  SourceHealth h = db->health();
  EXPECT_TRUE(h.ok);
  EXPECT_EQ(h.detail, "ok");
  EXPECT_GE(h.latency.count(), 0);
}

TEST(DuckDbSource, FileDatabaseReadOnly) {
  auto dir =
      std::filesystem::temp_directory_path() / ("strata_duckdb_test_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::string path = (dir / "shop.duckdb").string();
  std::filesystem::remove(path);
  {
    auto db = DuckDbSource::open("file", path);
    db->query("CREATE TABLE t AS SELECT range AS v FROM range(10)", {});
  }
  {
    DuckDbSourceOptions so;
    so.read_only = true;
    so.threads = 2;
    so.memory_limit = "256MB";
    auto db = DuckDbSource::open("file", path, so);
    ResultSet rs = db->query("SELECT sum(v)::BIGINT FROM t", {});
    EXPECT_EQ(rs.column(0).int_at(0), 45);
    EXPECT_THROW(db->query("INSERT INTO t VALUES (1)", {}), SourceError);
    EXPECT_EQ(db->query("SELECT current_setting('threads')::BIGINT", {}).column(0).int_at(0), 2);
  }
  std::filesystem::remove_all(dir);
}

TEST(DuckDbSource, OpenErrorsAreSourceErrors) {
  DuckDbSourceOptions so;
  so.read_only = true;
  try {
    DuckDbSource::open("mem", ":memory:", so);
    FAIL() << "opened";
  } catch (const SourceError& e) {
    EXPECT_EQ(e.source(), "mem");
  }
  EXPECT_THROW(DuckDbSource::open("bad", "/nonexistent-dir/x/y.duckdb"), SourceError);
  DuckDbSourceOptions bad_limit;
  bad_limit.memory_limit = "lots";
  EXPECT_THROW(DuckDbSource::open("m", ":memory:", bad_limit), SourceError);
}

TEST(DuckDbSource, RegistryHoldsIt) {
  SourceRegistry registry;
  registry.add(DuckDbSource::open("default", ":memory:"));
  EXPECT_EQ(registry.get("default").type(), "duckdb");
  EXPECT_EQ(registry.get("default").query("SELECT 3", {}).column(0).int_at(0), 3);
}

}  // namespace
}  // namespace strata
