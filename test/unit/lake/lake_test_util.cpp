#include "lake_test_util.h"

#include <random>

namespace strata::lake::testing {

ScratchDir::ScratchDir(const std::string& name) {
  std::random_device rd;
  path_ = std::filesystem::path(STRATA_BINARY_DIR) / "lake-test-scratch" /
          (name + "-" + std::to_string(rd()) + std::to_string(rd()));
  std::filesystem::remove_all(path_);
  std::filesystem::create_directories(path_);
}

ScratchDir::~ScratchDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

LakeEngine& engine() {
  static LakeEngine e("lake-test", StorageOptions{}, [] {
    DuckDbSourceOptions o;
    o.threads = 2;
    return o;
  }());
  return e;
}

Read query_table(const std::string& location, const std::string& sql,
                 std::optional<TableVersion> as_of, std::vector<ScanPredicate> predicates) {
  LoadedTable t = load_table_at(engine().storage(), location, PathMap{});
  LakeView v;
  v.name = "t";
  v.table = &t;
  v.scan.as_of = as_of;
  for (auto& p : predicates) p.table = "default." + t.ident.name;
  v.scan.predicates = std::move(predicates);
  std::vector<LakeRunStats> stats;
  Read r;
  r.rows = engine().run({v}, sql, ExecOptions{}, &stats);
  if (!stats.empty()) r.stats = stats[0];
  return r;
}

int64_t count_rows(const std::string& location, std::optional<TableVersion> as_of) {
  Read r = query_table(location, "SELECT count(*) FROM t", as_of);
  return r.rows.column(0).value_at(0).i;
}

ResultSet duckdb(const std::string& sql) {
  return engine().duckdb().query(sql, ExecOptions{});
}

TableVersion snapshot(int64_t id) {
  TableVersion v;
  v.kind = TableVersion::Kind::kSnapshotId;
  v.snapshot_id = id;
  return v;
}

TableVersion ref(const std::string& name) {
  TableVersion v;
  v.kind = TableVersion::Kind::kRef;
  v.ref = name;
  return v;
}

TableVersion at_ms(int64_t ms) {
  TableVersion v;
  v.kind = TableVersion::Kind::kTimestamp;
  v.timestamp_ms = ms;
  return v;
}

// MANIFEST.md's "rows (current, after deletes)" column.
const std::vector<FixtureExpectation>& fixture_tables() {
  static const std::vector<FixtureExpectation> kTables = {
      {"lithium-iceberg-cxx/no_partitioning", 6},
      {"lithium-iceberg-cxx/partitioned_table", 6},
      {"lithium-iceberg-cxx/partition_evolution", 7},
      {"lithium-iceberg-cxx/partitioning_with_null_value", 4},
      {"lithium-iceberg-cxx/identity_partitioning", 1},
      {"lithium-iceberg-cxx/bucket_partitioning", 1},
      {"lithium-iceberg-cxx/decimal_partitioning", 1},
      {"lithium-iceberg-cxx/year_date_partitioning", 3},
      {"lithium-iceberg-cxx/year_timestamp_partitioning", 3},
      {"lithium-iceberg-cxx/year_timestamptz_partitioning", 3},
      {"lithium-iceberg-cxx/month_timestamptz_partitioning", 3},
      {"lithium-iceberg-cxx/day_timestamptz_partitioning", 3},
      {"lithium-iceberg-cxx/hour_timestamptz_partitioning", 3},
      {"lithium-iceberg-cxx/dangling_deletes", 10},
      {"lithium-iceberg-cxx/granular_deletes", 10},
      {"lithium-iceberg-cxx/deletion_vectors", 8},
      {"lithium-iceberg-cxx/spark_file_scoped_posdeletes", 10},
      {"lithium-iceberg-cxx/all_spark_types", 1},
      {"lithium-iceberg-cxx/all_trino_types", 1},
      {"lithium-iceberg-cxx/decimals", 1},
      {"lithium-iceberg-cxx/w_clean_expired_metadata", 3},
      {"lithium-iceberg-cxx/external_data_paths/iceberg", 1},
      {"lithium-iceberg-cxx/spark_add_columns", 2},
      {"lithium-iceberg-cxx/empty", 0},
      {"duckdb-iceberg/spark_v1_evolution", 7690},
      {"duckdb-iceberg/lineitem_iceberg", 51793},
      {"duckdb-iceberg/equality_deletes", 2},
      {"duckdb-iceberg/equality_deletes_partitioned", 3},
      {"duckdb-iceberg/legacy_v1", 3},
      {"duckdb-iceberg/name_mapping", 10000},
      {"duckdb-iceberg/hive_partitioned_table", 6},
      {"duckdb-iceberg/add_columns_with_defaults", 3},
      {"duckdb-iceberg/case_sensitive_names", 3},
      {"duckdb-iceberg/null_stats", 9},
      {"duckdb-iceberg/is_null_is_not_null", 8},
      {"duckdb-iceberg/map_stats", 2},
      {"duckdb-iceberg/uuid", 10},
      {"duckdb-iceberg/expression_filter", 3},
      {"duckdb-iceberg/partition_bigint", 2},
      {"duckdb-iceberg/partition_binary", 2},
      {"duckdb-iceberg/partition_bool", 2},
      {"duckdb-iceberg/partition_decimal_bigint", 10},
      {"duckdb-iceberg/partition_decimal_hugeint", 15},
      {"duckdb-iceberg/partition_decimal_integer", 3},
      {"duckdb-iceberg/partition_decimal_smallint", 2},
      {"duckdb-iceberg/partition_double", 2},
      {"duckdb-iceberg/partition_float", 2},
      {"duckdb-iceberg/partition_integer", 2},
      {"duckdb-iceberg/partition_time", 2},
      {"duckdb-iceberg/partition_timestamp", 2},
      {"duckdb-iceberg/partition_timestamptz", 2},
      {"duckdb-iceberg/partition_fixed_length_binary", 2},
  };
  return kTables;
}

std::string cell(const ResultSet& rs, size_t row, size_t col) {
  if (rs.column(col).is_null(row)) return "NULL";
  return to_text(rs.column(col).value_at(row));
}

}  // namespace strata::lake::testing
