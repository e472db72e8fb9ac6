// Federation with a real MariaDB: every shared question of the shop fixture
// (test/fixtures/shop/shop_cases.h) asked with orders and line_items in
// MariaDB joined to users and products in DuckDB, and with orders tiered
// (hot in DuckDB, cold in MariaDB, both holding every row). The answers must
// be the hand-computed ones for one database holding all rows.
#include <gtest/gtest.h>

#include "../../fixtures/shop/layouts.h"
#include "../postgres/test_server.h"
#include "source/mariadb/mariadb_source.h"

namespace strata::testing {
namespace {

using namespace std::chrono_literals;

TestServer& mariadb_server() {
  return TestServer::shared("scripts/test-mariadb", "STRATA_MARIADB_", "STRATA_TEST_MARIADB_ENV",
                            {"--sql", TestServer::path("test/fixtures/shop/seed_mariadb.sql")});
}

std::unique_ptr<MariaDbSource> open_mariadb(const std::string& name) {
  const TestServer& s = mariadb_server();
  MariaDbSourceOptions o;
  o.host = "127.0.0.1";
  o.port = s.port();
  o.user = s.get("USER");
  o.password = s.get("PASSWORD");
  o.database = s.get("DATABASE");
  o.max_connections = 4;
  o.acquire_timeout = 10s;
  return MariaDbSource::open(name, std::move(o));
}

Layout& mariadb_federated() {
  static Layout layout = [] {
    Layout l;
    auto files = fixture_model_files();
    for (const char* f : {"orders.yml", "line_items.yml"}) {
      auto& m = file(files, f);
      std::string table = std::string(f) == "orders.yml" ? "orders" : "line_items";
      m.content = replace(m.content, "sql_table: " + table,
                          "sql_table: " + table + "\n    data_source: maria");
    }
    l.model = load_model_from_files(files);
    l.sources->add(open_mariadb("maria"));
    l.sources->add(seeded("default", "DROP TABLE orders; DROP TABLE line_items;"));
    l.start();
    return l;
  }();
  return layout;
}

Layout& mariadb_tiered() {
  static Layout layout = [] {
    Layout l;
    auto files = fixture_model_files();
    file(files, "orders.yml").content = tiered_orders("{retention: 20 days}", "default", "maria");
    l.model = load_model_from_files(files);
    l.sources->add(open_mariadb("maria"));
    l.sources->add(seeded("default", ""));
    l.start();
    return l;
  }();
  return layout;
}

class MariaDbFederation : public ::testing::TestWithParam<ShopCase> {
 protected:
  static void SetUpTestSuite() { set_now_for_testing(shop_local("2024-03-01T12:00:00")); }
  static void TearDownTestSuite() { set_now_for_testing(std::nullopt); }
};

TEST_P(MariaDbFederation, JoinAcrossMariaDbAndDuckDb) {
  expect_case(mariadb_federated(), GetParam());
}
TEST_P(MariaDbFederation, HotTierInDuckDbColdInMariaDb) {
  expect_case(mariadb_tiered(), GetParam());
}

INSTANTIATE_TEST_SUITE_P(Shop, MariaDbFederation, ::testing::ValuesIn(shop_cases()),
                         shop_case_name);

}  // namespace
}  // namespace strata::testing
