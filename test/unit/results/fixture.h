// The shop fixture (test/fixtures/shop): its model loaded, its seed loaded
// into an in-memory DuckDB, and a helper that plans a SemanticQuery and runs
// the SQL, returning rows as text for easy comparison with hand-computed
// answers.
#pragma once

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "model/loader.h"
#include "plan/plan.h"
#include "source/duckdb/duckdb_source.h"
#include "sql/dialect.h"

namespace strata::testing {

using Rows = std::vector<std::vector<std::string>>;

inline std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

class ShopFixture : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    model_ = load_model(std::string(STRATA_SOURCE_DIR) + "/test/fixtures/shop/model");
    db_ = DuckDbSource::open("default", ":memory:");
    db_->query(read_file(std::string(STRATA_SOURCE_DIR) + "/test/fixtures/shop/seed.sql"), {});
  }
  static void TearDownTestSuite() {
    db_.reset();
    model_.reset();
  }

  static Plan plan(const SemanticQuery& q) {
    return plan_query(q, *model_, SecurityContext{}, [](std::string_view) -> const sql::Dialect& {
      return sql::dialect_named("duckdb");
    });
  }

  // Rows as text ("NULL" for nulls), in the order the SQL returns them.
  static Rows run(const SemanticQuery& q) { return run_sql(plan(q).sql); }

  static Rows run_sql(const std::string& sql) {
    ResultSet rs = db_->query(sql, {});
    Rows out;
    for (size_t r = 0; r < rs.row_count(); ++r) {
      std::vector<std::string> row;
      for (size_t c = 0; c < rs.column_count(); ++c) {
        const Column& col = rs.column(c);
        row.push_back(col.is_null(r) ? "NULL" : to_text(col.value_at(r)));
      }
      out.push_back(std::move(row));
    }
    return out;
  }

  static inline std::shared_ptr<const Model> model_;
  static inline std::unique_ptr<DuckDbSource> db_;
};

inline FilterNode condition(std::string member, FilterOp op, std::vector<std::string> values = {}) {
  FilterNode f;
  f.member = std::move(member);
  f.op = op;
  f.values = std::move(values);
  return f;
}

inline TimeDimensionQuery time_dimension(std::string dim, std::optional<Granularity> g,
                                         std::optional<DateRange> range = std::nullopt) {
  TimeDimensionQuery t;
  t.dimension = std::move(dim);
  t.granularity = g;
  t.date_range = range;
  return t;
}

inline int64_t local(const char* iso) {
  return parse_iso_timestamp(iso)->micros;
}

}  // namespace strata::testing
