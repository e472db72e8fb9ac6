// The refresh worker: which partitions it builds and when (refresh keys,
// incremental windows, a changed definition, a shrinking range), what it
// records in the manifest, garbage collection, jobs.
#include "cache/refresh_worker.h"

#include <gtest/gtest.h>

#include <thread>

#include "core/time.h"
#include "preagg_harness.h"

namespace strata::testing {
namespace {

using namespace std::chrono_literals;

std::string rollup(const std::string& refresh_key) {
  return R"(    pre_aggregations:
      - name: monthly
        measures: [count, revenue]
        dimensions: [orders.status]
        time_dimension: orders.created_at
        granularity: day
        partition_granularity: month
)" + refresh_key;
}

std::shared_ptr<const Model> model_with(const std::string& rollups) {
  return load_model_from_files({ModelFile{"m.yml", generated_model(rollups)}});
}

class Refresh : public ::testing::Test {
 protected:
  void TearDown() override { set_now_for_testing(std::nullopt); }
};

TEST_F(Refresh, FirstPassBuildsEveryPartitionAndRecordsIt) {
  set_now_for_testing(micros_from_civil({2026, 1, 10, 8, 15, 0, 0}));  // within one hour's key
  PreAggHarness h(model_with(rollup("")), generated_seed(2000));
  RefreshReport r = h.build();
  ASSERT_EQ(r.items.size(), 1u);
  EXPECT_EQ(r.items[0].built, 24);
  const PreAggregation* def = h.store->find("line_items.monthly");
  ASSERT_TRUE(def);
  auto m = h.store->read_manifest(*def);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->pre_aggregation, "line_items.monthly");
  EXPECT_EQ(m->type, "rollup");
  EXPECT_EQ(m->fingerprint, h.store->fingerprint(*def));
  EXPECT_TRUE(m->table.starts_with("preaggs.line_items_monthly_"));
  ASSERT_EQ(m->partitions.size(), 24u);
  EXPECT_EQ(m->partitions.front().name, "20240101");
  EXPECT_EQ(m->partitions.back().name, "20251201");
  int64_t rows = 0;
  for (const auto& p : m->partitions) {
    EXPECT_GT(p.rows, 0);
    EXPECT_GT(p.bytes, 0);
    EXPECT_TRUE(std::filesystem::exists(h.store->folder(*def) / p.file)) << p.file;
    EXPECT_EQ(p.to_local, add_local(p.from_local, Granularity::kMonth, 1));
    rows += p.rows;
  }
  // Rows: one per (day, status) group, as plain SQL over the source counts them.
  ResultSet groups = h.db->query(
      "SELECT count(*) FROM (SELECT DISTINCT date_trunc('day', o.created_at), o.status "
      "FROM line_items li JOIN orders o ON li.order_id = o.id)",
      {});
  EXPECT_EQ(rows, groups.column(0).int_at(0));
  // A second pass within the refresh key's hour builds nothing.
  RefreshReport again = h.build();
  EXPECT_EQ(again.items[0].built, 0);
  EXPECT_EQ(again.items[0].kept, 24);
}

TEST_F(Refresh, ANewRefreshKeyValueRebuildsOnlyTheUpdateWindow) {
  int64_t now = micros_from_civil({2025, 12, 20, 12, 0, 0, 0});
  set_now_for_testing(now);
  PreAggHarness h(
      model_with(rollup("        refresh_key: {every: 1 hour, incremental: true, update_window: "
                        "40 day}\n")),
      generated_seed(2000));
  EXPECT_EQ(h.build().items[0].built, 24);
  set_now_for_testing(now + 30 * kMicrosPerMinute);  // same hour
  EXPECT_EQ(h.build().items[0].built, 0);
  set_now_for_testing(now + 2 * kMicrosPerHour);  // next hour: Nov and Dec 2025 are in the window
  RefreshReport r = h.build();
  EXPECT_EQ(r.items[0].built, 2);
  EXPECT_EQ(r.items[0].kept, 22);
}

TEST_F(Refresh, ANonIncrementalKeyRebuildsEverything) {
  int64_t now = micros_from_civil({2025, 12, 20, 12, 0, 0, 0});
  set_now_for_testing(now);
  PreAggHarness h(model_with(rollup("        refresh_key: {every: 1 hour}\n")),
                  generated_seed(1000));
  h.build();
  set_now_for_testing(now + 2 * kMicrosPerHour);
  EXPECT_EQ(h.build().items[0].built, 24);
}

TEST_F(Refresh, ASqlKeyRebuildsWhenItsValueChanges) {
  PreAggHarness h(
      model_with(rollup("        refresh_key: {sql: SELECT count(*) FROM line_items, every: 1 "
                        "second}\n")),
      generated_seed(1000));
  int64_t t0 = now_utc_micros();
  set_now_for_testing(t0);
  EXPECT_EQ(h.build().items[0].built, 24);
  set_now_for_testing(t0 + 5 * kMicrosPerSecond);
  EXPECT_EQ(h.build().items[0].built, 0);  // re-read, unchanged
  h.db->query("DELETE FROM line_items WHERE id = 1", {});
  set_now_for_testing(t0 + 10 * kMicrosPerSecond);
  EXPECT_EQ(h.build().items[0].built, 24);
}

TEST_F(Refresh, AChangedDefinitionIsRebuiltAndOldFilesAreCollected) {
  auto dir = std::filesystem::temp_directory_path() / ("strata-preagg-test-" + random_token(6));
  RefreshOptions o;
  o.gc_grace = 0ms;
  std::vector<std::string> first_files;
  {
    PreAggHarness h(model_with(rollup("")), generated_seed(1000), o, nullptr, dir);
    h.build();
    auto m = h.store->read_manifest(*h.store->find("line_items.monthly"));
    for (const auto& p : m->partitions) first_files.push_back(p.file);
  }
  // Same name, another dimension: another fingerprint.
  std::string changed = rollup("");
  changed.replace(changed.find("[orders.status]"), 15, "[products.category]");
  PreAggHarness h(model_with(changed), generated_seed(1000), o, nullptr, dir);
  const PreAggregation* def = h.store->find("line_items.monthly");
  EXPECT_FALSE(h.store->lookup(*def));  // built for the old definition: not used
  EXPECT_EQ(h.build().items[0].built, 24);
  EXPECT_TRUE(h.store->lookup(*def));
  for (const auto& f : first_files) {
    EXPECT_FALSE(std::filesystem::exists(h.store->folder(*def) / f)) << f;
  }
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
}

TEST_F(Refresh, PartitionsOutsideTheBuildRangeAreDropped) {
  std::string ranged = rollup(
      "        build_range_start: {sql: \"SELECT TIMESTAMP '2025-01-01'\"}\n"
      "        build_range_end: {sql: \"SELECT TIMESTAMP '2025-03-15'\"}\n");
  PreAggHarness h(model_with(ranged), generated_seed(1000));
  RefreshReport r = h.build();
  EXPECT_EQ(r.items[0].built, 3);  // Jan, Feb, Mar 2025
  auto m = h.store->read_manifest(*h.store->find("line_items.monthly"));
  ASSERT_EQ(m->partitions.size(), 3u);
  EXPECT_EQ(m->partitions[0].name, "20250101");
  EXPECT_EQ(m->partitions[2].name, "20250301");
}

TEST_F(Refresh, AModelWithoutDataBuildsNothingAndIsNotMatched) {
  PreAggHarness h(model_with(rollup("")), generated_seed(1000) + "DELETE FROM line_items;");
  RefreshReport r = h.build();
  EXPECT_EQ(r.items[0].built, 0);
  EXPECT_FALSE(h.store->lookup(*h.store->find("line_items.monthly")));
}

TEST_F(Refresh, JobsForceABuildAndReportTheirStatus) {
  PreAggHarness h(model_with(rollup("")), generated_seed(1000));
  h.build();
  RefreshSelector s;
  s.pre_aggregations = {"line_items.monthly"};
  s.date_range = std::make_pair(micros_from_civil({2024, 3, 1, 0, 0, 0, 0}),
                                micros_from_civil({2024, 5, 1, 0, 0, 0, 0}));
  int built = 0;
  std::vector<std::string> tokens = h.worker->submit(s);
  ASSERT_EQ(tokens.size(), 1u);
  for (int i = 0; i < 200; ++i) {
    auto j = h.worker->job(tokens[0]);
    ASSERT_TRUE(j);
    if (j->status == "done" || j->status == "missing_partition") break;
    std::this_thread::sleep_for(50ms);
  }
  auto job = h.worker->job(tokens[0]);
  EXPECT_EQ(job->status, "done") << job->error;
  EXPECT_EQ(job->pre_aggregation, "line_items.monthly");
  auto m = h.store->read_manifest(*h.store->find("line_items.monthly"));
  for (const auto& p : m->partitions) {
    if (p.name == "20240301" || p.name == "20240401") ++built;
  }
  EXPECT_EQ(built, 2);
  EXPECT_FALSE(h.worker->job("no-such-token"));
  RefreshSelector none;
  none.cubes = {"users"};
  EXPECT_TRUE(h.worker->submit(none).empty());
}

TEST_F(Refresh, ABuildErrorIsReportedAndLeavesTheOldPartitions) {
  PreAggHarness h(model_with(rollup("")), generated_seed(1000));
  h.build();
  auto before = h.store->read_manifest(*h.store->find("line_items.monthly"));
  h.db->query("ALTER TABLE line_items RENAME TO line_items_gone", {});
  RefreshReport r = h.worker->refresh({}, true);
  ASSERT_EQ(r.items.size(), 1u);
  EXPECT_NE(r.items[0].error, "");
  auto after = h.store->read_manifest(*h.store->find("line_items.monthly"));
  ASSERT_TRUE(after);
  EXPECT_EQ(after->partitions.size(), before->partitions.size());
  EXPECT_EQ(after->partitions[0].file, before->partitions[0].file);
  EXPECT_EQ(h.worker->status("line_items.monthly").last_error, r.items[0].error);
}

}  // namespace
}  // namespace strata::testing
