// Federation and tiers with a real PostgreSQL: every shared question of the
// shop fixture (test/fixtures/shop/shop_cases.h, hand-computed answers for
// one database holding all rows) asked with
//  - orders and line_items in PostgreSQL joined to users and products in
//    DuckDB (the cross-source join);
//  - orders tiered: the hot tier in PostgreSQL, the cold tier in DuckDB, both
//    tables holding every row, so only the boundary keeps rows from being
//    counted twice.
#include <gtest/gtest.h>

#include "../../fixtures/shop/layouts.h"
#include "source/postgres/postgres_source.h"
#include "test_server.h"

namespace strata::testing {
namespace {

using namespace std::chrono_literals;

TestServer& pg_server() {
  return TestServer::shared(
      "scripts/test-postgres", "STRATA_PG_", "STRATA_TEST_POSTGRES_ENV",
      {"--ssl", "--sql", TestServer::path("test/fixtures/shop/seed_postgres.sql")});
}

std::unique_ptr<PostgresSource> open_pg(const std::string& name) {
  const TestServer& s = pg_server();
  PostgresSourceOptions o;
  o.host = "127.0.0.1";
  o.port = s.port();
  o.user = s.get("USER");
  o.password = s.get("PASSWORD");
  o.database = s.get("DATABASE");
  o.max_connections = 4;
  o.acquire_timeout = 10s;
  return PostgresSource::open(name, std::move(o));
}

Layout& pg_federated() {
  static Layout layout = [] {
    Layout l;
    auto files = fixture_model_files();
    for (const char* f : {"orders.yml", "line_items.yml"}) {
      auto& m = file(files, f);
      std::string table = std::string(f) == "orders.yml" ? "orders" : "line_items";
      m.content = replace(m.content, "sql_table: " + table,
                          "sql_table: " + table + "\n    data_source: pg");
    }
    l.model = load_model_from_files(files);
    l.sources->add(open_pg("pg"));
    l.sources->add(seeded("default", "DROP TABLE orders; DROP TABLE line_items;"));
    l.start();
    return l;
  }();
  return layout;
}

Layout& pg_tiered() {
  static Layout layout = [] {
    Layout l;
    auto files = fixture_model_files();
    file(files, "orders.yml").content = tiered_orders("{retention: 20 days}", "pg", "default");
    l.model = load_model_from_files(files);
    l.sources->add(open_pg("pg"));
    l.sources->add(seeded("default", ""));
    l.start();
    return l;
  }();
  return layout;
}

class PostgresFederation : public ::testing::TestWithParam<ShopCase> {
 protected:
  // Boundary: 2024-03-01 minus 20 days = 2024-02-10 00:00 UTC.
  static void SetUpTestSuite() { set_now_for_testing(shop_local("2024-03-01T12:00:00")); }
  static void TearDownTestSuite() { set_now_for_testing(std::nullopt); }
};

TEST_P(PostgresFederation, JoinAcrossPostgresAndDuckDb) {
  expect_case(pg_federated(), GetParam());
}
TEST_P(PostgresFederation, HotTierInPostgresColdInDuckDb) {
  expect_case(pg_tiered(), GetParam());
}

INSTANTIATE_TEST_SUITE_P(Shop, PostgresFederation, ::testing::ValuesIn(shop_cases()),
                         shop_case_name);

TEST_F(PostgresFederation, TiersReportWhichSourceServedThem) {
  SemanticQuery q;
  q.measures = {"orders.count"};
  q.time_dimensions = {
      shop_time_dimension("orders.created_at", std::nullopt,
                          DateRange{shop_local("2024-02-01"), shop_local("2024-03-01")})};
  QueryResult r = pg_tiered().run(q);
  EXPECT_EQ(text_rows(r.rows), (Rows{{"2"}}));  // o3 (hot), o4 (hot); none cold in Feb 1-9
  ASSERT_EQ(r.served_by.size(), 2u);
  EXPECT_EQ(r.served_by[0].source, "pg");
  EXPECT_EQ(r.served_by[0].tier, "hot");
  EXPECT_EQ(r.served_by[1].source, "default");
  EXPECT_EQ(r.served_by[1].tier, "cold");
}

}  // namespace
}  // namespace strata::testing
