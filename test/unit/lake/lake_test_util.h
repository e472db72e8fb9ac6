// Helpers for the lake tests: the shared Iceberg fixtures
// (../shared/testdata/iceberg, see its MANIFEST.md) and a LakeEngine to run
// SQL over a table named t.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "core/result_set.h"
#include "core/scan.h"
#include "lake/catalog/catalog.h"
#include "lake/lake_engine.h"

namespace strata::lake::testing {

inline std::filesystem::path fixtures() {
  return std::filesystem::path(STRATA_SOURCE_DIR) / ".." / "shared" / "testdata" / "iceberg";
}

inline std::string fixture(const std::string& rel) {
  return (fixtures() / rel).lexically_normal().string();
}

struct FixtureExpectation {
  const char* location;  // relative to the fixtures folder
  int64_t rows;          // current snapshot, after deletes (MANIFEST.md)
};
// Every table of the fixtures folder.
const std::vector<FixtureExpectation>& fixture_tables();

// A fresh scratch folder under the build tree, removed by the destructor.
class ScratchDir {
 public:
  explicit ScratchDir(const std::string& name);
  ~ScratchDir();
  const std::filesystem::path& path() const { return path_; }
  std::string str() const { return path_.string(); }

 private:
  std::filesystem::path path_;
};

// One process-wide engine (DuckDB in memory, local storage only).
LakeEngine& engine();

struct Read {
  ResultSet rows;
  LakeRunStats stats;
};

// Runs `sql` over the table at `location` as view t.
Read query_table(const std::string& location, const std::string& sql,
                 std::optional<TableVersion> as_of = std::nullopt,
                 std::vector<ScanPredicate> predicates = {});
int64_t count_rows(const std::string& location, std::optional<TableVersion> as_of = std::nullopt);

// Plain DuckDB over files (no lake logic), for independent answers.
ResultSet duckdb(const std::string& sql);

TableVersion snapshot(int64_t id);
TableVersion ref(const std::string& name);
TableVersion at_ms(int64_t ms);

// The cell as text (core to_text; "NULL" for nulls).
std::string cell(const ResultSet& rs, size_t row, size_t col);

}  // namespace strata::lake::testing
