// Appends: tables strata writes read back through the reader with the same
// answers plain DuckDB computes from the generating query; commits through
// the folder and SQLite catalogs; racing writers both survive.
#include <gtest/gtest.h>

#include <barrier>
#include <cstdlib>
#include <random>
#include <thread>

#include "core/error.h"
#include "lake/catalog/sql_catalog.h"
#include "lake/write/appender.h"
#include "lake_test_util.h"

namespace strata::lake::testing {
namespace {

// 1000 events over 10 days of January 2024, deterministic.
std::string events(int from, int to) {
  return "SELECT i AS id, TIMESTAMP '2024-01-01' + to_minutes(i * 14) AS ts, "
         "(i % 7)::INTEGER AS kind, i * 1.5 AS amount, 'user-' || (i % 13) AS who, "
         "CASE WHEN i % 5 = 0 THEN NULL ELSE (i % 3)::DOUBLE END AS score "
         "FROM range(" +
         std::to_string(from) + ", " + std::to_string(to) + ") r(i)";
}

const char* kAggregates =
    "SELECT count(*)::VARCHAR || '|' || sum(id)::VARCHAR || '|' || sum(amount)::VARCHAR || '|' || "
    "min(ts)::VARCHAR || '|' || max(ts)::VARCHAR || '|' || count(score)::VARCHAR || '|' || "
    "count(DISTINCT who)::VARCHAR || '|' || sum(kind)::VARCHAR FROM ";

std::string expected(const std::string& select) {
  return cell(duckdb(kAggregates + std::string("(") + select + ")"), 0, 0);
}

TEST(LakeAppend, PartitionedTableReadsBackIdentically) {
  ScratchDir dir("append");
  std::string loc = (dir.path() / "events").string();
  AppendTarget target;
  target.location = loc;
  AppendOptions o;
  o.create = true;
  o.partition_by = {"day(ts)"};
  AppendResult r1 = append_rows(engine(), target, events(0, 1000), o);
  EXPECT_TRUE(r1.created);
  EXPECT_EQ(r1.rows, 1000);
  EXPECT_EQ(r1.data_files, 10);  // one file per day
  Read all = query_table(loc, kAggregates + std::string("t"));
  EXPECT_EQ(cell(all.rows, 0, 0), expected(events(0, 1000)));

  AppendResult r2 = append_rows(engine(), target, events(1000, 1500), AppendOptions{});
  EXPECT_EQ(r2.rows, 500);
  EXPECT_EQ(r2.sequence_number, r1.sequence_number + 1);
  EXPECT_EQ(cell(query_table(loc, kAggregates + std::string("t")).rows, 0, 0),
            expected(events(0, 1500)));
  // Time travel to the first append.
  EXPECT_EQ(
      cell(query_table(loc, kAggregates + std::string("t"), snapshot(r1.snapshot_id)).rows, 0, 0),
      expected(events(0, 1000)));

  // Pruning by the written partitions and bounds.
  Value from = Value::temporal(TypeId::kTimestamp, 1704067200000000 + 3 * 86400000000LL);  // Jan 4
  Value to = Value::temporal(TypeId::kTimestamp, 1704067200000000 + 4 * 86400000000LL);    // Jan 5
  Read day = query_table(
      loc,
      "SELECT count(*) FROM t WHERE ts >= TIMESTAMP '2024-01-04' AND ts < TIMESTAMP '2024-01-05'",
      std::nullopt,
      {ScanPredicate{"", "ts", ScanPredicate::Op::kGte, {from}},
       ScanPredicate{"", "ts", ScanPredicate::Op::kLt, {to}}});
  ResultSet want = duckdb("SELECT count(*) FROM (" + events(0, 1500) +
                          ") WHERE ts >= TIMESTAMP '2024-01-04' AND ts < TIMESTAMP '2024-01-05'");
  EXPECT_EQ(cell(day.rows, 0, 0), cell(want, 0, 0));
  EXPECT_EQ(day.stats.files_opened,
            1);  // only Jan 4 of the first append (the second starts Jan 10)
  Read ids = query_table(loc, "SELECT count(*) FROM t WHERE id >= 1400", std::nullopt,
                         {ScanPredicate{"", "id", ScanPredicate::Op::kGte, {Value::int64(1400)}}});
  EXPECT_EQ(cell(ids.rows, 0, 0), "100");
  EXPECT_LE(ids.stats.files_opened, 2);
}

TEST(LakeAppend, UnpartitionedAndAllTypes) {
  ScratchDir dir("types");
  std::string loc = (dir.path() / "t").string();
  std::string select =
      "SELECT 1::SMALLINT AS s, 2::BIGINT AS b, 1.25::FLOAT AS f, 2.5::DOUBLE AS d, "
      "12.34::DECIMAL(10,2) AS dec, "
      "'x''y' AS str, DATE '2024-02-29' AS dt, TIME '13:45:01.5' AS tm, TIMESTAMP '2024-02-29 "
      "13:45:00' AS ts, "
      "TIMESTAMPTZ '2024-02-29 13:45:00+00' AS tstz, true AS flag, "
      "'f79c3e09-677c-4bbd-a479-3f349cb785e7'::UUID AS u, '\\x01\\x02'::BLOB AS bin";
  AppendOptions o;
  o.create = true;
  append_rows(engine(), AppendTarget{nullptr, {}, loc}, select, o);
  Read r = query_table(loc, "SELECT * FROM t");
  ResultSet want = duckdb(select);
  ASSERT_EQ(r.rows.row_count(), 1u);
  ASSERT_EQ(r.rows.column_count(), want.column_count());
  for (size_t c = 0; c < want.column_count(); ++c)
    EXPECT_EQ(cell(r.rows, 0, c), cell(want, 0, c)) << want.schema()[c].name;
}

TEST(LakeAppend, RefusesUnknownColumnsAndMissingTables) {
  ScratchDir dir("refuse");
  std::string loc = (dir.path() / "t").string();
  EXPECT_THROW(
      append_rows(engine(), AppendTarget{nullptr, {}, loc}, "SELECT 1 AS a", AppendOptions{}),
      UserError);
  AppendOptions o;
  o.create = true;
  append_rows(engine(), AppendTarget{nullptr, {}, loc}, "SELECT 1 AS a", o);
  EXPECT_THROW(
      append_rows(engine(), AppendTarget{nullptr, {}, loc}, "SELECT 1 AS nope", AppendOptions{}),
      UserError);
  // Missing columns are written as NULL.
  append_rows(engine(), AppendTarget{nullptr, {}, loc}, "SELECT 2 AS a", AppendOptions{});
  EXPECT_EQ(count_rows(loc), 2);
}

TEST(LakeAppend, RacingWritersBothCommitThroughTheFolderCatalog) {
  ScratchDir dir("race");
  std::string loc = (dir.path() / "t").string();
  AppendOptions create;
  create.create = true;
  append_rows(engine(), AppendTarget{nullptr, {}, loc}, events(0, 10), create);
  // Both writers load the same base, then both try to commit at once.
  std::barrier sync(2);
  std::vector<AppendResult> results(2);
  auto writer = [&](int w) {
    AppendOptions o;
    o.before_commit = [&](int attempt) {
      if (attempt == 1) sync.arrive_and_wait();
    };
    try {
      results[w] = append_rows(engine(), AppendTarget{nullptr, {}, loc},
                               events(100 + w * 100, 150 + w * 100), o);
    } catch (const std::exception& e) {
      ADD_FAILURE() << "writer " << w << ": " << e.what();
    }
  };
  std::thread a(writer, 0), b(writer, 1);
  a.join();
  b.join();
  EXPECT_EQ(results[0].attempts + results[1].attempts, 3);  // one of them retried once
  EXPECT_EQ(count_rows(loc), 110);
  std::string all = "SELECT * FROM (" + events(0, 10) + ") UNION ALL SELECT * FROM (" +
                    events(100, 150) + ") UNION ALL SELECT * FROM (" + events(200, 250) + ")";
  EXPECT_EQ(cell(query_table(loc, kAggregates + std::string("t")).rows, 0, 0), expected(all));
  LoadedTable t = load_table_at(engine().storage(), loc, PathMap{});
  EXPECT_EQ(t.metadata->snapshots.size(), 3u);
}

// The SQL catalog on SQLite, and on PostgreSQL when STRATA_TEST_PG_CATALOG
// holds a libpq connection string (test/e2e/run_lake_pg.sh starts a
// throwaway server and sets it).
void sql_catalog_round_trip(const std::string& db, const std::string& catalog_name) {
  ScratchDir dir("sqlcat");
  SqlCatalog catalog(engine().storage(), db, catalog_name, (dir.path() / "warehouse").string(),
                     PathMap{});
  TableIdent ident = TableIdent::parse("sales.events");
  AppendOptions create;
  create.create = true;
  create.partition_by = {"kind"};
  AppendTarget target{&catalog, ident, ""};
  AppendResult r = append_rows(engine(), target, events(0, 70), create);
  EXPECT_EQ(r.data_files, 7);  // identity(kind): 7 kinds
  // A second catalog object on the same database (another process, say).
  SqlCatalog other(engine().storage(), db, catalog_name, (dir.path() / "warehouse").string(),
                   PathMap{});
  std::barrier sync(2);
  auto writer = [&](SqlCatalog* cat, int from) {
    AppendOptions o;
    o.before_commit = [&](int attempt) {
      if (attempt == 1) sync.arrive_and_wait();
    };
    try {
      append_rows(engine(), AppendTarget{cat, ident, ""}, events(from, from + 30), o);
    } catch (const std::exception& e) {
      ADD_FAILURE() << "writer from " << from << ": " << e.what();
    }
  };
  std::thread a(writer, &catalog, 100), b(writer, &other, 200);
  a.join();
  b.join();
  auto namespaces = catalog.list_namespaces();
  ASSERT_EQ(namespaces.size(), 1u);
  EXPECT_EQ(namespaces[0], std::vector<std::string>{"sales"});
  ASSERT_EQ(catalog.list_tables({"sales"}).size(), 1u);
  auto loaded = catalog.load_table(ident);
  ASSERT_TRUE(loaded);
  EXPECT_EQ(loaded->metadata->snapshots.size(), 3u);
  LakeView v;
  v.name = "t";
  v.table = &*loaded;
  ResultSet rs = engine().run({v}, kAggregates + std::string("t"), ExecOptions{});
  std::string all = "SELECT * FROM (" + events(0, 70) + ") UNION ALL SELECT * FROM (" +
                    events(100, 130) + ") UNION ALL SELECT * FROM (" + events(200, 230) + ")";
  EXPECT_EQ(cell(rs, 0, 0), expected(all));
  // Pruning by identity partitions of a written table.
  v.scan.predicates = {ScanPredicate{"", "kind", ScanPredicate::Op::kEq, {Value::int64(3)}}};
  std::vector<LakeRunStats> stats;
  ResultSet three =
      engine().run({v}, "SELECT count(*) FROM t WHERE kind = 3", ExecOptions{}, &stats);
  EXPECT_EQ(cell(three, 0, 0),
            cell(duckdb("SELECT count(*) FROM (" + all + ") WHERE kind = 3"), 0, 0));
  EXPECT_EQ(stats.at(0).scan.files_scanned, 3);  // one file of kind 3 per append
}

TEST(LakeAppend, SqliteCatalogCommitsWithCompareAndSwap) {
  ScratchDir dir("sqlite");
  sql_catalog_round_trip("sqlite:" + (dir.path() / "catalog.db").string(), "test");
}

TEST(LakeAppend, PostgresCatalogCommitsWithCompareAndSwap) {
  const char* conninfo = std::getenv("STRATA_TEST_PG_CATALOG");
  if (!conninfo) GTEST_SKIP() << "STRATA_TEST_PG_CATALOG is not set (run test/e2e/run_lake_pg.sh)";
  // A fresh catalog name per run: the database may be shared.
  sql_catalog_round_trip(conninfo, "test_" + std::to_string(std::random_device{}()));
}

}  // namespace
}  // namespace strata::lake::testing
