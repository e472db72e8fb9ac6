// GET /api/v1/sources/recommend: which tier holds a date.
#include "api/tiers_admin.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "api/error_response.h"
#include "api/router.h"
#include "model/loader.h"
#include "security/jwt.h"
#include "source/duckdb/duckdb_source.h"

namespace strata {
namespace {

namespace json = boost::json;

constexpr const char* kSecret = "tiers-secret";

constexpr const char* kModel = R"(
cubes:
  - name: events
    tiers:
      time_dimension: created_at
      hot: {data_source: hot, sql_table: public.events}
      cold: {data_source: cold, sql_table: archive.events}
      boundary: {retention: 30 days}
    dimensions:
      - {name: id, sql: id, type: number, primary_key: true}
      - {name: created_at, sql: created_at, type: time}
    measures:
      - {name: count, type: count}
  - name: plain
    sql_table: plain
    dimensions:
      - {name: id, sql: id, type: number, primary_key: true}
)";

class Recommend : public ::testing::Test {
 protected:
  void SetUp() override {
    // 2024-05-20 15:00 UTC: the boundary is 2024-05-20 00:00 minus 30 days = 2024-04-20.
    set_now_for_testing(parse_iso_timestamp("2024-05-20T15:00:00")->micros);
    sources_.add(DuckDbSource::open("hot", ":memory:"));
    sources_.add(DuckDbSource::open("cold", ":memory:"));
    sources_.add(DuckDbSource::open("default", ":memory:"));
    service_ = std::make_unique<QueryService>(load_model_from_files({{"m.yml", kModel}}), sources_,
                                              QueryServiceOptions{});
    register_tier_routes(router_, *service_);
  }
  void TearDown() override { set_now_for_testing(std::nullopt); }

  RouteOutcome ask(const std::string& query, bool with_token = true) {
    HttpRequest r;
    r.method = "GET";
    r.path = "/api/v1/sources/recommend";
    r.target = r.path + "?" + query;
    size_t eq = query.find('=');
    if (eq != std::string::npos) {
      size_t amp = query.find('&');
      r.params.push_back({query.substr(0, eq), query.substr(eq + 1, amp - eq - 1)});
      if (amp != std::string::npos) {
        std::string rest = query.substr(amp + 1);
        size_t e2 = rest.find('=');
        r.params.push_back({rest.substr(0, e2), rest.substr(e2 + 1)});
      }
    }
    if (with_token) r.authorization = sign_jwt_hs256("{}", kSecret);
    RouteOutcome o = router_.dispatch(r);
    if (o.blocking) {
      // As the server runs blocking handlers: a throw becomes its error response.
      try {
        o.response = o.blocking();
      } catch (...) {
        o.response = current_exception_response();
      }
    }
    return o;
  }

  SourceRegistry sources_;
  std::unique_ptr<QueryService> service_;
  Router router_{AuthPolicy{kSecret, false}};
};

TEST_F(Recommend, DatesOnEachSideOfTheBoundary) {
  auto recent = json::parse(ask("date=2024-05-01").response.body).as_object();
  ASSERT_EQ(recent["cubes"].as_array().size(), 1u);  // only the tiered cube
  auto cube = recent["cubes"].as_array()[0].as_object();
  EXPECT_EQ(cube["cube"], "events");
  EXPECT_EQ(cube["boundary"], "2024-04-20T00:00:00.000Z");
  EXPECT_EQ(cube["tier"], "hot");
  EXPECT_EQ(cube["dataSource"], "hot");
  EXPECT_EQ(cube["table"], "public.events");

  auto old = json::parse(ask("date=2024-04-19T23:59:59").response.body).as_object();
  EXPECT_EQ(old["cubes"].as_array()[0].as_object()["tier"], "cold");
  EXPECT_EQ(old["cubes"].as_array()[0].as_object()["table"], "archive.events");
  // The boundary instant itself belongs to hot.
  auto at = json::parse(ask("date=2024-04-20").response.body).as_object();
  EXPECT_EQ(at["cubes"].as_array()[0].as_object()["tier"], "hot");
}

TEST_F(Recommend, DatesAreWallClockInTheGivenZone) {
  // Midnight of Apr 20 in New York is 04:00 UTC: hot. 23:00 on Apr 19 there is 03:00 UTC: hot.
  auto o = json::parse(ask("date=2024-04-19T19:30:00&timezone=America/New_York").response.body)
               .as_object();
  EXPECT_EQ(o["date"], "2024-04-19T23:30:00.000Z");
  EXPECT_EQ(o["cubes"].as_array()[0].as_object()["tier"], "cold");
}

TEST_F(Recommend, BadInputIsAClear400) {
  auto missing = ask("");
  EXPECT_EQ(missing.response.status, 400);
  EXPECT_NE(missing.response.body.find("`date` parameter is missing"), std::string::npos);
  auto bad = ask("date=yesterday-ish");
  EXPECT_EQ(bad.response.status, 400);
  EXPECT_NE(bad.response.body.find("not a date or timestamp"), std::string::npos);
  EXPECT_EQ(ask("date=2024-05-01", false).response.status, 403);
}

}  // namespace
}  // namespace strata
