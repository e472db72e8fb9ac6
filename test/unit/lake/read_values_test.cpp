// Values read from the shared fixtures, against what MANIFEST.md states or
// what plain DuckDB computes over the right Parquet files.
#include <gtest/gtest.h>

#include <fstream>

#include "core/error.h"
#include "lake_test_util.h"

namespace strata::lake::testing {
namespace {

std::string one(const std::string& table, const std::string& sql,
                std::optional<TableVersion> as_of = std::nullopt) {
  Read r = query_table(fixture(table), sql, as_of);
  EXPECT_EQ(r.rows.row_count(), 1u) << sql;
  return r.rows.row_count() ? cell(r.rows, 0, 0) : "";
}

TEST(LakeRead, SparkV1EvolutionEqualsTheExpectedRows) {
  // _expected/spark_v1_evolution holds the current snapshot's rows as plain
  // Parquet (column names = current schema, column 16 promoted to BIGINT).
  std::string expected =
      "read_parquet('" + fixture("duckdb-iceberg/_expected/spark_v1_evolution") + "/*.parquet')";
  Read r = query_table(fixture("duckdb-iceberg/spark_v1_evolution"),
                       "SELECT (SELECT count(*) FROM (SELECT * FROM t EXCEPT ALL SELECT * FROM " +
                           expected + ")), (SELECT count(*) FROM (SELECT * FROM " + expected +
                           " EXCEPT ALL SELECT * FROM t)), (SELECT count(*) FROM t)");
  EXPECT_EQ(cell(r.rows, 0, 0), "0");
  EXPECT_EQ(cell(r.rows, 0, 1), "0");
  EXPECT_EQ(cell(r.rows, 0, 2), "7690");
}

TEST(LakeRead, DanglingDeletesLeaveTheStatedRows) {
  EXPECT_EQ(one("lithium-iceberg-cxx/dangling_deletes",
                "SELECT string_agg(c1::VARCHAR, ',' ORDER BY c1) FROM t"),
            "1,2,4,5,7,8,10,11,13,14");
}

TEST(LakeRead, EqualityDeletesFollowSequenceNumbers) {
  EXPECT_EQ(one("duckdb-iceberg/equality_deletes",
                "SELECT string_agg(id || '/' || name || '/' || bir, ',' ORDER BY id) FROM t"),
            "4/d/2025-01-04,5/e/2025-01-05");
  EXPECT_EQ(one("duckdb-iceberg/equality_deletes_partitioned",
                "SELECT string_agg(id || name, ',' ORDER BY id) FROM t"),
            "1a,4d,5e");
}

TEST(LakeRead, PositionDeletesScopedToFiles) {
  // DELETE WHERE a % 3 = 0 over 1..16 leaves 10 rows, none divisible by 3.
  EXPECT_EQ(one("lithium-iceberg-cxx/spark_file_scoped_posdeletes",
                "SELECT count(*) FILTER (WHERE a % 3 = 0) || '/' || count(*) FROM t"),
            "0/10");
  EXPECT_EQ(one("lithium-iceberg-cxx/granular_deletes", "SELECT count(*) FROM t"), "10");
}

TEST(LakeRead, DeletionVectorsOfFormatV3) {
  // Insert 1..8, delete c1 % 3 = 0, insert 8 more, delete c1 % 3 = 1.
  EXPECT_EQ(one("lithium-iceberg-cxx/deletion_vectors",
                "SELECT count(*) FILTER (WHERE c1 % 3 = 1) FROM t"),
            "0");
}

TEST(LakeRead, CopyOnWriteSkipsDeletedEntries) {
  // The live file is the rewritten one (51793 rows); plain DuckDB over it.
  ResultSet files = duckdb("SELECT file_name FROM parquet_file_metadata('" +
                           fixture("duckdb-iceberg/lineitem_iceberg") +
                           "/data/*.parquet') WHERE num_rows = 51793");
  ASSERT_EQ(files.row_count(), 1u);
  ResultSet expected = duckdb("SELECT sum(l_quantity)::VARCHAR FROM read_parquet('" +
                              files.column(0).string_at(0) + "')");
  EXPECT_EQ(one("duckdb-iceberg/lineitem_iceberg", "SELECT sum(l_quantity)::VARCHAR FROM t"),
            expected.column(0).string_at(0));
}

TEST(LakeRead, IdentityPartitionValuesOfEveryType) {
  Read r = query_table(fixture("lithium-iceberg-cxx/identity_partitioning"), "SELECT * FROM t");
  ASSERT_EQ(r.rows.row_count(), 1u);
  std::vector<std::string> want = {"false",
                                   "1",
                                   "2",
                                   "2.25",
                                   "2.375",
                                   "3.00",
                                   "2025-03-03",
                                   "17:00:00",
                                   "2025-03-03 00:00:00",
                                   "2025-03-03 00:00:00+00",
                                   "some-string",
                                   "12151fd2-7586-11e9-8f9e-2a86e4085a59"};
  for (size_t i = 0; i < want.size(); ++i)
    EXPECT_EQ(cell(r.rows, 0, i), want[i]) << r.rows.schema()[i].name;
  EXPECT_EQ(cell(r.rows, 0, 12), "some-varbinary");
}

TEST(LakeRead, PartitionColumnsMissingFromFilesComeFromManifests) {
  // write.data.partition-columns=false: the Parquet files lack them.
  EXPECT_EQ(one("duckdb-iceberg/partition_integer",
                "SELECT string_agg(partition_col || ':' || user_id, ',' ORDER BY user_id) FROM t"),
            "42:12345,1337:67890");
  EXPECT_EQ(
      one("duckdb-iceberg/hive_partitioned_table",
          "SELECT count(*) FILTER (WHERE event_date IS NULL OR event_type IS NULL) || '/' || "
          "string_agg(DISTINCT event_date::VARCHAR, ',' ORDER BY event_date::VARCHAR) FROM t"),
      "0/2024-01-01,2024-01-02,2024-01-03,2024-01-04");
  EXPECT_EQ(one("duckdb-iceberg/partition_decimal_integer",
                "SELECT string_agg(partition_col::VARCHAR, ',' ORDER BY partition_col) FROM t"),
            "1.2300,42.5630,1234.5432");
  EXPECT_EQ(one("duckdb-iceberg/partition_bool", "SELECT count(DISTINCT partition_col) FROM t"),
            "2");
  EXPECT_EQ(one("duckdb-iceberg/partition_time",
                "SELECT count(*) FILTER (WHERE partition_col IS NULL) FROM t"),
            "0");
}

TEST(LakeRead, AddedColumnsReadInitialDefaultsOrNull) {
  // The first file predates columns 2..15: its rows read their initial-default.
  EXPECT_EQ(
      one("duckdb-iceberg/add_columns_with_defaults",
          "SELECT string_agg(col_integer || '/' || col_string || '/' || col_decimal || '/' || "
          "col_date || '/' || col_uuid || '/' || hex(col_fixed), ',' ORDER BY col1) FROM t "
          "WHERE col1 <> 'test'"),
      "342342/HELLO/12345.00/2003-10-20/f79c3e09-677c-4bbd-a479-3f349cb785e7/010203FF03,"
      "342342/HELLO/12345.00/2003-10-20/f79c3e09-677c-4bbd-a479-3f349cb785e7/010203FF03");
  // Without defaults: NULL (the first file only has field id 1).
  EXPECT_EQ(one("lithium-iceberg-cxx/spark_add_columns",
                "SELECT count(*) FILTER (WHERE boolean_col IS NULL AND string_col IS NULL AND "
                "array_col IS NULL) FROM t WHERE id = 1"),
            "1");
  // The hand-edited DefaultValues.json adds initial defaults: row 1 reads them.
  Read r =
      query_table(fixture("lithium-iceberg-cxx/spark_add_columns/metadata/DefaultValues.json"),
                  "SELECT count(*) FILTER (WHERE integer_col IS NOT NULL) FROM t WHERE id = 1");
  EXPECT_EQ(cell(r.rows, 0, 0), "1");
}

TEST(LakeRead, NameMappingForFilesWithoutFieldIds) {
  // Current: b was dropped and re-added (id 3), its file values are NULL.
  EXPECT_EQ(one("duckdb-iceberg/name_mapping",
                "SELECT count(*) || '/' || count(b) || '/' || sum(a) FROM t"),
            "10000/0/49995000");
}

TEST(LakeRead, TypePromotionIntToLong) {
  Read r = query_table(fixture("duckdb-iceberg/spark_v1_evolution"),
                       "SELECT typeof(schema_evol_added_col_1) FROM t LIMIT 1");
  EXPECT_EQ(cell(r.rows, 0, 0), "BIGINT");
}

TEST(LakeRead, NestedColumnsByName) {
  EXPECT_EQ(one("lithium-iceberg-cxx/all_trino_types", "SELECT list_col::VARCHAR FROM t"),
            "[1.1, 2.2, 3.3]");
  EXPECT_EQ(one("duckdb-iceberg/map_stats",
                "SELECT count(*) FILTER (WHERE metadata['key'] = 'value1') FROM t"),
            "2");
}

TEST(LakeRead, CaseOnlyDifferentNamesByFieldId) {
  // DuckDB names are case-insensitive: the second column is exposed as uSeR_Id_1.
  Read r =
      query_table(fixture("duckdb-iceberg/case_sensitive_names"), "SELECT * FROM t ORDER BY 1");
  ASSERT_EQ(r.rows.row_count(), 3u);
  EXPECT_EQ(cell(r.rows, 0, 0), "1");
  EXPECT_EQ(cell(r.rows, 0, 1), "user_1");
}

TEST(LakeRead, RenamedColumnKeepsItsData) {
  // Copy no_partitioning and rename c3 (id 3) to "amount" in its metadata.
  ScratchDir dir("rename");
  std::filesystem::copy(fixture("lithium-iceberg-cxx/no_partitioning"), dir.path() / "t",
                        std::filesystem::copy_options::recursive);
  std::filesystem::path meta =
      dir.path() / "t" / "metadata" / "00002-f7dd062a-ad44-4948-ba0c-4cd9f585ba04.metadata.json";
  std::ifstream in(meta);
  std::string text((std::istreambuf_iterator<char>(in)), {});
  in.close();
  size_t pos = text.find("\"name\" : \"c3\"");
  ASSERT_NE(pos, std::string::npos);
  text.replace(pos, 13, "\"name\" : \"amount\"");
  std::ofstream(meta) << text;
  Read r = query_table((dir.path() / "t").string(), "SELECT sum(amount) FROM t");
  EXPECT_EQ(cell(r.rows, 0, 0), "9.5");  // 0 - 1 + 1.5 + 42 + 17 - 50
}

TEST(LakeRead, UnknownSnapshotAndRefAreNotFound) {
  std::string t = fixture("lithium-iceberg-cxx/no_partitioning");
  EXPECT_THROW(count_rows(t, snapshot(12345)), NotFoundError);
  EXPECT_THROW(count_rows(t, ref("nope")), NotFoundError);
  EXPECT_THROW(count_rows(t, at_ms(1000)), NotFoundError);  // before the first snapshot
}

TEST(LakeRead, BranchesAndTagsFromEditedMetadata) {
  // Add a tag at the first data snapshot and a branch at the current one.
  ScratchDir dir("refs");
  std::filesystem::copy(fixture("duckdb-iceberg/equality_deletes_partitioned"), dir.path() / "t",
                        std::filesystem::copy_options::recursive);
  LoadedTable base = load_table_at(engine().storage(), (dir.path() / "t").string(), PathMap{});
  const auto& log = base.metadata->snapshot_log;
  ASSERT_GE(log.size(), 2u);
  std::filesystem::path meta = base.metadata_location;
  std::ifstream in(meta);
  std::string text((std::istreambuf_iterator<char>(in)), {});
  in.close();
  size_t refs = text.find("\"refs\"");
  ASSERT_NE(refs, std::string::npos);
  size_t brace = text.find('{', refs);
  text.insert(brace + 1, "\"eow-01\" : {\"snapshot-id\" : " + std::to_string(log[0].snapshot_id) +
                             ", \"type\" : \"tag\"}, \"dev\" : {\"snapshot-id\" : " +
                             std::to_string(log[1].snapshot_id) + ", \"type\" : \"branch\"}, ");
  std::ofstream(meta) << text;
  std::string loc = (dir.path() / "t").string();
  EXPECT_EQ(count_rows(loc, ref("eow-01")), 4);  // rows per snapshot: 4, 3, 2, 4, 3
  EXPECT_EQ(count_rows(loc, ref("dev")), 3);
  EXPECT_EQ(count_rows(loc, ref("main")), 3);
}

}  // namespace
}  // namespace strata::lake::testing
