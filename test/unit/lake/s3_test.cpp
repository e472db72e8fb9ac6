// The shared tables served from S3. These tests need an S3-compatible
// endpoint: test/e2e/run_lake_s3.sh starts s3rver (an S3 fake from npm, on
// 127.0.0.1) and runs them with STRATA_TEST_S3_ENDPOINT set; without it they
// are skipped. Every table is uploaded through strata's own SigV4-signed
// client, then read back from s3:// with the same answers as from disk.
#include <gtest/gtest.h>

#include <cstdlib>

#include "core/error.h"
#include "lake/iceberg_source.h"
#include "lake/write/appender.h"
#include "lake_test_util.h"

namespace strata::lake::testing {
namespace {

const char* endpoint() {
  return std::getenv("STRATA_TEST_S3_ENDPOINT");
}

class LakeS3 : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (!endpoint()) return;
    cache_ = std::make_unique<ScratchDir>("s3cache");
    engine_ = std::make_unique<LakeEngine>("s3", storage_options(cache_->str(), 10ull << 30),
                                           DuckDbSourceOptions{});
    // Upload every fixture file once (s3://lake/<source>/<table>/...).
    for (const char* src : {"lithium-iceberg-cxx", "duckdb-iceberg"}) {
      std::filesystem::path root = fixtures() / src;
      for (const auto& e : std::filesystem::recursive_directory_iterator(root)) {
        if (!e.is_regular_file()) continue;
        std::string rel = e.path().lexically_relative(fixtures()).string();
        engine_->storage().upload(e.path(), "s3://lake/" + rel);
      }
    }
  }
  static void TearDownTestSuite() {
    engine_.reset();
    cache_.reset();
  }
  void SetUp() override {
    if (!endpoint())
      GTEST_SKIP() << "STRATA_TEST_S3_ENDPOINT is not set (run test/e2e/run_lake_s3.sh)";
  }

  static StorageOptions storage_options(const std::string& cache, uint64_t cap) {
    StorageOptions o;
    S3Options s3;
    s3.endpoint = endpoint();
    s3.region = "us-east-1";
    s3.path_style = true;
    s3.credentials = {"S3RVER", "S3RVER", ""};  // s3rver's default key pair
    o.s3 = s3;
    o.cache_dir = cache;
    o.cache_max_bytes = cap;
    return o;
  }

  static int64_t count_s3(LakeEngine& engine, const std::string& uri,
                          std::optional<TableVersion> as_of = std::nullopt) {
    LoadedTable t = load_table_at(engine.storage(), uri, PathMap{});
    LakeView v;
    v.name = "t";
    v.table = &t;
    v.scan.as_of = as_of;
    return engine.run({v}, "SELECT count(*) FROM t", ExecOptions{}).column(0).value_at(0).i;
  }

  static inline std::unique_ptr<ScratchDir> cache_;
  static inline std::unique_ptr<LakeEngine> engine_;
};

TEST_F(LakeS3, EveryTableAnswersAsOnDisk) {
  for (const auto& e : fixture_tables()) {
    std::string uri = std::string("s3://lake/") + e.location;
    EXPECT_EQ(count_s3(*engine_, uri), e.rows) << uri;
  }
}

TEST_F(LakeS3, AggregatesTimeTravelAndDeletes) {
  for (const char* table :
       {"lithium-iceberg-cxx/dangling_deletes", "duckdb-iceberg/equality_deletes_partitioned",
        "lithium-iceberg-cxx/deletion_vectors", "duckdb-iceberg/spark_v1_evolution"}) {
    LoadedTable local = load_table_at(engine().storage(), fixture(table), PathMap{});
    for (const auto& entry : local.metadata->snapshot_log) {
      if (!local.metadata->snapshot(entry.snapshot_id)) continue;
      EXPECT_EQ(count_s3(*engine_, std::string("s3://lake/") + table, snapshot(entry.snapshot_id)),
                count_rows(fixture(table), snapshot(entry.snapshot_id)))
          << table << " @ " << entry.snapshot_id;
    }
  }
  LoadedTable t =
      load_table_at(engine_->storage(), "s3://lake/duckdb-iceberg/spark_v1_evolution", PathMap{});
  LakeView v;
  v.name = "t";
  v.table = &t;
  std::string sql = "SELECT sum(hash(t)) FROM t";
  EXPECT_EQ(cell(engine_->run({v}, sql, ExecOptions{}), 0, 0),
            cell(query_table(fixture("duckdb-iceberg/spark_v1_evolution"), sql).rows, 0, 0));
}

TEST_F(LakeS3, DataFilesAreCachedAndEvictedUnderTheCap) {
  std::string uri = "s3://lake/duckdb-iceberg/lineitem_iceberg";
  StorageStats before = engine_->storage().stats();
  count_s3(*engine_, uri);
  count_s3(*engine_, uri);
  StorageStats after = engine_->storage().stats();
  EXPECT_GE(after.cache_hits, before.cache_hits + 1);  // the second scan reads the cached copy
  // A tiny cap: files are evicted after use, and reads still succeed.
  ScratchDir small("s3small");
  LakeEngine tight("s3tight", storage_options(small.str(), 1), DuckDbSourceOptions{});
  EXPECT_EQ(count_s3(tight, uri), 51793);
  EXPECT_EQ(count_s3(tight, "s3://lake/lithium-iceberg-cxx/no_partitioning"), 6);
  size_t cached = 0;
  for (const auto& e : std::filesystem::directory_iterator(small.path()))
    cached += e.is_regular_file();
  EXPECT_LE(cached, 1u);
}

TEST_F(LakeS3, MissingObjectsNameTheFile) {
  engine_->storage().upload(fixture("lithium-iceberg-cxx/no_partitioning/metadata/"
                                    "00002-f7dd062a-ad44-4948-ba0c-4cd9f585ba04.metadata.json"),
                            "s3://lake/broken/t/metadata/00002-x.metadata.json");
  try {
    count_s3(*engine_, "s3://lake/broken/t");
    ADD_FAILURE() << "read a table whose files are missing";
  } catch (const SourceError& e) {
    EXPECT_NE(std::string(e.what()).find("snap-6247215453669530946"), std::string::npos)
        << e.what();
  }
  EXPECT_THROW(count_s3(*engine_, "s3://lake/nothing/here"), NotFoundError);
}

TEST_F(LakeS3, IcebergSourceOverAnS3WarehouseWithPathMap) {
  LakeConfig c =
      parse_lake_config("lakes3",
                        {{"warehouse", "s3://lake"},
                         {"s3_endpoint", endpoint()},
                         {"s3_path_style", "true"},
                         {"s3_access_key_id", "S3RVER"},
                         {"s3_secret_access_key", "S3RVER"},
                         {"cache_dir", cache_->str()},
                         // The recorded location of no_partitioning, mapped by configuration.
                         {"path_map", "s3a://warehouse -> s3://lake/lithium-iceberg-cxx"}},
                        ".");
  auto source = IcebergSource::open(c);
  ResultSet rs = source->query(
      "SELECT count(*), sum(c3) FROM \"lithium-iceberg-cxx\".no_partitioning", ExecOptions{});
  EXPECT_EQ(cell(rs, 0, 0), "6");
  EXPECT_EQ(cell(rs, 0, 1), "9.5");
  auto namespaces = source->catalog().list_namespaces();
  EXPECT_GE(namespaces.size(), 2u);
  auto tables = source->catalog().list_tables({"duckdb-iceberg"});
  EXPECT_GE(tables.size(), 20u);
}

TEST_F(LakeS3, AppendsToAnS3Table) {
  AppendOptions o;
  o.create = true;
  o.partition_by = {"kind"};
  AppendTarget target{nullptr, {}, "s3://lake/written/events"};
  append_rows(*engine_, target, "SELECT i AS id, (i % 3)::INTEGER AS kind FROM range(300) r(i)", o);
  append_rows(*engine_, target,
              "SELECT i AS id, (i % 3)::INTEGER AS kind FROM range(300, 400) r(i)",
              AppendOptions{});
  LoadedTable t = load_table_at(engine_->storage(), "s3://lake/written/events", PathMap{});
  LakeView v;
  v.name = "t";
  v.table = &t;
  EXPECT_EQ(
      cell(engine_->run({v}, "SELECT count(*) || '/' || sum(id) FROM t", ExecOptions{}), 0, 0),
      "400/79800");
}

}  // namespace
}  // namespace strata::lake::testing
