// IcebergSource behind the real planner and QueryService: a cube with
// `sql_table: ns.table` on an iceberg data source, pruned by the query's
// filters, read as of a snapshot through the REST query's asOf.
#include "lake/iceberg_source.h"

#include <gtest/gtest.h>

#include <fstream>
#include <thread>

#include "exec/query_service.h"
#include "lake/write/appender.h"
#include "lake_test_util.h"
#include "model/loader.h"
#include "query/cube_query.h"

namespace strata::lake::testing {
namespace {

class LakeSourceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::filesystem::create_directories(dir_.path() / "model");
    std::ofstream(dir_.path() / "model" / "events.yml") << R"(cubes:
  - name: events
    sql_table: shop.events
    data_source: lake
    dimensions:
      - {name: id, sql: id, type: number, primary_key: true}
      - {name: ts, sql: ts, type: time}
      - {name: kind, sql: kind, type: number}
    measures:
      - {name: count, type: count}
      - {name: amount, sql: amount, type: sum}
)";
    std::string table = (dir_.path() / "warehouse" / "shop" / "events").string();
    AppendOptions o;
    o.create = true;
    o.partition_by = {"day(ts)"};
    auto rows = [](int from, int to) {
      return "SELECT i AS id, TIMESTAMP '2024-01-01' + to_hours(i) AS ts, (i % 4)::INTEGER AS "
             "kind, "
             "i::DOUBLE AS amount FROM range(" +
             std::to_string(from) + ", " + std::to_string(to) + ") r(i)";
    };
    first_ = append_rows(engine(), AppendTarget{nullptr, {}, table}, rows(0, 240), o).snapshot_id;
    append_rows(engine(), AppendTarget{nullptr, {}, table}, rows(240, 480), AppendOptions{});

    LakeConfig config = parse_lake_config("lake", {{"warehouse", "warehouse"}}, dir_.path());
    auto source = IcebergSource::open(config);
    lake_ = source.get();
    sources_.add(std::move(source));
    model_ = load_model(dir_.path() / "model");
    QueryServiceOptions so;
    so.worker_threads = 2;
    service_ = std::make_unique<QueryService>(model_, sources_, so);
  }

  QueryResult run(const std::string& json) {
    SemanticQuery q = parse_cube_query_text(json, *model_, ParseOptions{});
    return service_->run(q, SecurityContext{});
  }

  ScratchDir dir_{"source"};
  int64_t first_ = 0;
  SourceRegistry sources_;
  IcebergSource* lake_ = nullptr;
  std::shared_ptr<const Model> model_;
  std::unique_ptr<QueryService> service_;
};

TEST_F(LakeSourceTest, CountsAndSumsThroughThePlanner) {
  QueryResult r = run(R"({"measures": ["events.count", "events.amount"]})");
  EXPECT_EQ(cell(r.rows, 0, 0), "480");
  EXPECT_EQ(cell(r.rows, 0, 1), "114960");  // 0 + 1 + ... + 479
  auto stats = lake_->last_query_stats();
  ASSERT_EQ(stats.size(), 1u);
  EXPECT_EQ(stats[0].table, "shop.events");
  EXPECT_EQ(stats[0].scan.files_scanned, 20);  // 10 days x 2 appends (the 2nd starts on day 11)
}

TEST_F(LakeSourceTest, DateRangePrunesToOneDay) {
  QueryResult r = run(R"({"measures": ["events.count"], "timeDimensions": [
      {"dimension": "events.ts", "dateRange": ["2024-01-05", "2024-01-05"]}]})");
  EXPECT_EQ(cell(r.rows, 0, 0), "24");
  auto stats = lake_->last_query_stats();
  ASSERT_EQ(stats.size(), 1u);
  EXPECT_EQ(stats[0].scan.files_scanned, 1);
  // The second append's manifest (days 11-20) is skipped by its partition
  // summary; 9 files of the first are skipped by their partition values.
  EXPECT_EQ(stats[0].scan.manifests_skipped, 1);
  EXPECT_EQ(stats[0].scan.files_skipped_partition + stats[0].scan.files_skipped_stats, 9);
}

TEST_F(LakeSourceTest, AsOfSnapshotReadsTheFirstAppend) {
  QueryResult r = run(R"({"measures": ["events.count"], "asOf": {"snapshotId": ")" +
                      std::to_string(first_) + R"("}})");
  EXPECT_EQ(cell(r.rows, 0, 0), "240");
  QueryResult s = run(R"({"measures": ["events.count"], "asOf": "snapshot:)" +
                      std::to_string(first_) + R"("})");
  EXPECT_EQ(cell(s.rows, 0, 0), "240");
  QueryResult m = run(R"({"measures": ["events.count"], "asOf": {"ref": "main"}})");
  EXPECT_EQ(cell(m.rows, 0, 0), "480");
  EXPECT_THROW(run(R"({"measures": ["events.count"], "asOf": {"snapshotId": 42}})"), NotFoundError);
}

TEST_F(LakeSourceTest, DifferentVersionsDoNotShareCacheKeys) {
  SemanticQuery a =
      parse_cube_query_text(R"({"measures": ["events.count"]})", *model_, ParseOptions{});
  SemanticQuery b = parse_cube_query_text(R"({"measures": ["events.count"], "asOf": "ref:main"})",
                                          *model_, ParseOptions{});
  EXPECT_NE(canonical_key(a), canonical_key(b));
}

TEST_F(LakeSourceTest, ConcurrentQueriesWithDifferentFileSets) {
  std::vector<std::thread> threads;
  std::vector<std::string> got(8);
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&, i] {
      std::string day = "2024-01-0" + std::to_string(1 + i % 8);
      std::string json =
          i % 2
              ? R"({"measures": ["events.count"], "asOf": "snapshot:)" + std::to_string(first_) +
                    R"("})"
              : R"({"measures": ["events.count"], "timeDimensions": [{"dimension": "events.ts", "dateRange": [")" +
                    day + "\", \"" + day + "\"]}]}";
      try {
        got[i] = cell(run(json).rows, 0, 0);
      } catch (const std::exception& e) {
        got[i] = e.what();
      }
    });
  }
  for (auto& t : threads) t.join();
  for (int i = 0; i < 8; ++i) EXPECT_EQ(got[i], i % 2 ? "240" : "24") << i;
}

TEST_F(LakeSourceTest, ListsAndDescribesTables) {
  auto tables = lake_->list_tables();
  ASSERT_EQ(tables.size(), 1u);
  EXPECT_EQ(tables[0].schema, "shop");
  EXPECT_EQ(tables[0].name, "events");
  TableInfo info = lake_->describe_table("shop", "events");
  ASSERT_EQ(info.columns.size(), 4u);
  EXPECT_EQ(info.columns[1].name, "ts");
  EXPECT_EQ(info.columns[1].type.id, TypeId::kTimestamp);
  EXPECT_THROW(lake_->describe_table("shop", "nope"), NotFoundError);
  EXPECT_TRUE(lake_->health().ok);
}

}  // namespace
}  // namespace strata::lake::testing
