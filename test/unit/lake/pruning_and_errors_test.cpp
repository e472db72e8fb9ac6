// Pruning proven by the number of files a scan opens (and answers equal to
// the unpruned scan's), and corrupt tables failing with errors that name
// the file.
#include <gtest/gtest.h>

#include <fstream>

#include "core/error.h"
#include "core/time.h"
#include "lake_test_util.h"

namespace strata::lake::testing {
namespace {

Value ts(int y, int m, int d, int h = 0) {
  return Value::temporal(TypeId::kTimestamp, micros_from_civil(CivilTime{y, m, d, h, 0, 0, 0}));
}

ScanPredicate pred(const std::string& column, ScanPredicate::Op op, std::vector<Value> values) {
  return ScanPredicate{"", column, op, std::move(values)};
}

struct Pruned {
  int64_t files = 0;
  std::string answer;
};

// Runs `sql` with and without the pruning hints: the answers must agree.
Pruned scan(const std::string& table, const std::string& sql, std::vector<ScanPredicate> preds) {
  Read all = query_table(fixture(table), sql);
  Read pruned = query_table(fixture(table), sql, std::nullopt, std::move(preds));
  EXPECT_EQ(cell(all.rows, 0, 0), cell(pruned.rows, 0, 0)) << table << ": " << sql;
  return Pruned{pruned.stats.files_opened, cell(pruned.rows, 0, 0)};
}

TEST(LakePruning, IdentityPartitions) {
  const char* t = "lithium-iceberg-cxx/partitioned_table";  // 6 files, one row each
  EXPECT_EQ(query_table(fixture(t), "SELECT 1").stats.files_opened, 6);
  Pruned p = scan(t, "SELECT count(*) FROM t WHERE c1 = 2",
                  {pred("c1", ScanPredicate::Op::kEq, {Value::int64(2)})});
  EXPECT_EQ(p.answer, "2");
  EXPECT_EQ(p.files, 2);
  p = scan(t, "SELECT count(*) FROM t WHERE c2 >= DATE '2025-03-04'",
           {pred("c2", ScanPredicate::Op::kGte, {ts(2025, 3, 4)})});
  EXPECT_EQ(p.answer, "3");
  EXPECT_EQ(p.files, 3);
  p = scan(t, "SELECT count(*) FROM t WHERE c1 IN (7, 8)",
           {pred("c1", ScanPredicate::Op::kIn, {Value::int64(7), Value::int64(8)})});
  EXPECT_EQ(p.answer, "0");
  EXPECT_EQ(p.files, 0);
}

TEST(LakePruning, TemporalTransforms) {
  // year(c2): 2025-03-03 (2 rows), 2024-03-03: two files.
  Pruned p = scan("lithium-iceberg-cxx/year_date_partitioning",
                  "SELECT count(*) FROM t WHERE c2 >= DATE '2025-01-01'",
                  {pred("c2", ScanPredicate::Op::kGte, {ts(2025, 1, 1)})});
  EXPECT_EQ(p.answer, "2");
  EXPECT_EQ(p.files, 1);
  // month/day/hour of timestamptz, with a NULL partition that comparisons prune.
  for (const char* t : {"lithium-iceberg-cxx/month_timestamptz_partitioning",
                        "lithium-iceberg-cxx/day_timestamptz_partitioning",
                        "lithium-iceberg-cxx/hour_timestamptz_partitioning"}) {
    Pruned q = scan(t, "SELECT count(*) FROM t WHERE c2 < TIMESTAMPTZ '2025-01-01 00:00:00+00'",
                    {pred("c2", ScanPredicate::Op::kLt, {ts(2025, 1, 1)})});
    EXPECT_EQ(q.answer, "1") << t;
    EXPECT_EQ(q.files, 1) << t;
    Pruned n = scan(t, "SELECT count(*) FROM t WHERE c2 IS NULL",
                    {pred("c2", ScanPredicate::Op::kIsNull, {})});
    EXPECT_EQ(n.answer, "1") << t;
    EXPECT_EQ(n.files, 1) << t;
  }
}

TEST(LakePruning, BucketPartitionsByEquality) {
  const char* t = "lithium-iceberg-cxx/bucket_partitioning";  // col_int = 1 in bucket 0 of 2
  Pruned hit = scan(t, "SELECT count(*) FROM t WHERE col_int = 1",
                    {pred("col_int", ScanPredicate::Op::kEq, {Value::int64(1)})});
  EXPECT_EQ(hit.answer, "1");
  EXPECT_EQ(hit.files, 1);
  // The spec's vector: hash(34) = 2017239379, odd, so bucket[2](34) = 1.
  Pruned miss = scan(t, "SELECT count(*) FROM t WHERE col_int = 34",
                     {pred("col_int", ScanPredicate::Op::kEq, {Value::int64(34)})});
  EXPECT_EQ(miss.answer, "0");
  EXPECT_EQ(miss.files, 0);
}

TEST(LakePruning, ColumnBoundsAndNullCounts) {
  // Three appends: ids 1-3, 4-6, 7-9; flag all NULL in the last file.
  const char* t = "duckdb-iceberg/null_stats";
  Pruned p = scan(t, "SELECT count(*) FROM t WHERE id >= 7",
                  {pred("id", ScanPredicate::Op::kGte, {Value::int64(7)})});
  EXPECT_EQ(p.answer, "3");
  EXPECT_EQ(p.files, 1);
  p = scan(t, "SELECT count(*) FROM t WHERE id < 2 OR id > 100",
           {pred("id", ScanPredicate::Op::kLt, {Value::int64(4)})});
  EXPECT_EQ(p.answer, "1");
  EXPECT_EQ(p.files, 1);
  // PyIceberg wrote no null counts here: a missing bound proves nothing, so
  // only the file whose flags are all true is skipped.
  p = scan(t, "SELECT count(*) FROM t WHERE flag = false",
           {pred("flag", ScanPredicate::Op::kEq, {Value::boolean(false)})});
  EXPECT_EQ(p.answer, "1");
  EXPECT_EQ(p.files, 2);
  // Java wrote null counts: all-NULL and NULL-free files are skipped.
  const char* n = "duckdb-iceberg/is_null_is_not_null";
  p = scan(n, "SELECT count(*) FROM t WHERE value IS NULL",
           {pred("value", ScanPredicate::Op::kIsNull, {})});
  EXPECT_EQ(p.answer, "4");
  EXPECT_EQ(p.files, 2);
  p = scan(n, "SELECT count(*) FROM t WHERE value IS NOT NULL",
           {pred("value", ScanPredicate::Op::kNotNull, {})});
  EXPECT_EQ(p.answer, "4");
  EXPECT_EQ(p.files, 2);
  p = scan(t, "SELECT count(*) FROM t WHERE name = 'e'",
           {pred("name", ScanPredicate::Op::kEq, {Value::string("e")})});
  EXPECT_EQ(p.answer, "1");
  EXPECT_EQ(p.files, 1);
}

TEST(LakePruning, EachManifestWithItsOwnSpec) {
  // partition_evolution: 6 files of spec 0 (c1, c2), 1 of spec 1 (c3).
  const char* t = "lithium-iceberg-cxx/partition_evolution";
  Pruned p = scan(t, "SELECT count(*) FROM t WHERE c1 = 1",
                  {pred("c1", ScanPredicate::Op::kEq, {Value::int64(1)})});
  Read all = query_table(fixture(t), "SELECT count(*) FILTER (WHERE c1 = 1) FROM t");
  EXPECT_EQ(p.answer, cell(all.rows, 0, 0));
  EXPECT_LT(p.files, 7);
}

TEST(LakePruning, DeletesStillApplyToPrunedScans) {
  const char* t = "lithium-iceberg-cxx/dangling_deletes";
  Pruned p = scan(t, "SELECT count(*) FROM t WHERE c1 >= 9",
                  {pred("c1", ScanPredicate::Op::kGte, {Value::int64(9)})});
  EXPECT_EQ(p.answer, "4");  // 10, 11, 13, 14
}

// ---------------------------------------------------------------- corrupt input

class CorruptTable : public ::testing::Test {
 protected:
  void SetUp() override {
    std::filesystem::copy(fixture("lithium-iceberg-cxx/no_partitioning"), dir_.path() / "t",
                          std::filesystem::copy_options::recursive);
    root_ = dir_.path() / "t";
    for (const auto& e : std::filesystem::recursive_directory_iterator(root_)) {
      std::string name = e.path().filename().string();
      if (name.rfind("00002-", 0) == 0) metadata_ = e.path();
      if (name.rfind("snap-6247215453669530946", 0) == 0) list_ = e.path();
      if (name.ends_with("-m0.avro")) manifest_ = e.path();
      if (name.ends_with(".parquet")) data_ = e.path();
    }
    ASSERT_FALSE(metadata_.empty());
    ASSERT_FALSE(list_.empty());
    ASSERT_FALSE(manifest_.empty());
    ASSERT_FALSE(data_.empty());
  }

  // The read fails with an error naming `file`.
  void expect_error_naming(const std::filesystem::path& file) {
    try {
      int64_t n = count_rows(root_.string());
      ADD_FAILURE() << "read " << n << " rows from a damaged table";
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find(file.filename().string()), std::string::npos)
          << e.what();
    }
  }

  static void truncate_half(const std::filesystem::path& p) {
    std::filesystem::resize_file(p, std::filesystem::file_size(p) / 2);
  }

  ScratchDir dir_{"corrupt"};
  std::filesystem::path root_, metadata_, list_, manifest_, data_;
};

TEST_F(CorruptTable, IntactCopyReads) {
  EXPECT_EQ(count_rows(root_.string()), 6);
}

TEST_F(CorruptTable, TruncatedMetadataJson) {
  truncate_half(metadata_);
  expect_error_naming(metadata_);
}

TEST_F(CorruptTable, MissingManifest) {
  std::filesystem::remove(manifest_);
  expect_error_naming(manifest_);
}

TEST_F(CorruptTable, TruncatedManifestList) {
  truncate_half(list_);
  expect_error_naming(list_);
}

TEST_F(CorruptTable, NotAnAvroFile) {
  std::ofstream(manifest_, std::ios::trunc) << "this is not avro";
  expect_error_naming(manifest_);
}

TEST_F(CorruptTable, MissingDataFile) {
  std::filesystem::remove(data_);
  expect_error_naming(data_);
}

TEST_F(CorruptTable, DataFileThatIsNotParquet) {
  std::ofstream(data_, std::ios::trunc) << "garbage";
  expect_error_naming(data_);
}

TEST_F(CorruptTable, NoMetadataAtAll) {
  std::filesystem::remove_all(root_ / "metadata");
  EXPECT_THROW(count_rows(root_.string()), NotFoundError);
}

}  // namespace
}  // namespace strata::lake::testing
