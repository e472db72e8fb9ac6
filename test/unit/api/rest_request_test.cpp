// Reading Cube REST arguments from GET parameters and POST bodies, and the
// Continue-wait retry holdover.
#include "api/rest/rest_request.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "api/rest/retry_holdover.h"
#include "core/error.h"
#include "exec/query_service.h"

namespace strata {
namespace {

namespace json = boost::json;
using ::testing::HasSubstr;

HttpRequest get_with(std::vector<std::pair<std::string, std::string>> params) {
  HttpRequest r;
  r.method = "GET";
  r.path = "/cubejs-api/v1/load";
  r.params = std::move(params);
  return r;
}

HttpRequest post_with(std::string body) {
  HttpRequest r;
  r.method = "POST";
  r.path = "/cubejs-api/v1/load";
  r.body = std::move(body);
  return r;
}

TEST(RestCall, GetReadsQueryAndQueryType) {
  RestCall c = read_rest_call(
      get_with({{"query", R"({"measures":["orders.count"]})"}, {"queryType", "multi"}}));
  EXPECT_EQ(c.query, json::parse(R"({"measures":["orders.count"]})"));
  EXPECT_EQ(c.query_type, "multi");
  QueryList list = query_list(c);
  EXPECT_FALSE(list.is_array);
  EXPECT_EQ(list.queries.size(), 1u);
}

TEST(RestCall, PostReadsTheBody) {
  RestCall c = read_rest_call(
      post_with(R"({"query":[{"measures":["a.b"]},{"measures":["c.d"]}],"queryType":"multi"})"));
  QueryList list = query_list(c);
  EXPECT_TRUE(list.is_array);
  EXPECT_EQ(list.queries.size(), 2u);
  EXPECT_EQ(c.query_type, "multi");
}

TEST(RestCall, QueryAsAJsonStringInTheBody) {
  RestCall c = read_rest_call(post_with(R"({"query":"{\"measures\":[\"orders.count\"]}"})"));
  EXPECT_TRUE(c.query.is_object());
}

TEST(RestCall, EmptyPostBodyFallsBackToTheUrl) {
  HttpRequest r = post_with("");
  r.params = {{"query", R"({"measures":[]})"}};
  EXPECT_TRUE(read_rest_call(r).query.is_object());
}

TEST(RestCall, BadJsonNamesThePosition) {
  try {
    read_rest_call(get_with({{"query", R"({"measures": ["orders.count",]})"}}));
    FAIL();
  } catch (const UserError& e) {
    EXPECT_EQ(e.http_status(), 400);
    EXPECT_THAT(e.message(), HasSubstr("Unable to decode query param as JSON"));
    EXPECT_THAT(e.message(), HasSubstr("at character 30"));
    EXPECT_EQ(e.context().position, 30);
    EXPECT_EQ(e.context().json_path, "query");
  }
  try {
    read_rest_call(post_with("{\"query\": "));
    FAIL();
  } catch (const UserError& e) {
    EXPECT_THAT(e.message(), HasSubstr("Unable to decode request body as JSON"));
  }
  EXPECT_THROW(read_rest_call(post_with("[1,2]")), UserError);
}

TEST(RestCall, MissingOrWrongQuery) {
  try {
    query_list(read_rest_call(get_with({})));
    FAIL();
  } catch (const UserError& e) {
    EXPECT_EQ(e.message(), "Query param is required");
  }
  EXPECT_THROW(query_list(read_rest_call(get_with({{"query", "42"}}))), UserError);
  EXPECT_THROW(query_list(read_rest_call(get_with({{"query", "[]"}}))), UserError);
  try {
    query_list(read_rest_call(get_with({{"query", R"([{"measures":[]}, 7])"}})));
    FAIL();
  } catch (const UserError& e) {
    EXPECT_EQ(e.context().json_path, "query[1]");
  }
}

TEST(RetryHoldover, KeepsFindsAndReleases) {
  RetryHoldover h(std::chrono::seconds(60));
  auto q = std::make_shared<PendingQuery>();
  EXPECT_EQ(h.find("k"), nullptr);
  h.keep("k", q);
  EXPECT_EQ(h.find("k"), q);
  h.release("k", nullptr);  // another query: kept
  EXPECT_EQ(h.size(), 1u);
  h.release("k", q.get());
  EXPECT_EQ(h.find("k"), nullptr);
}

RetryHoldover::Clock::time_point g_fake_now{};
RetryHoldover::Clock::time_point fake_now() {
  return g_fake_now;
}

TEST(RetryHoldover, ExpiresWhenNobodyAsksAndStaysBounded) {
  RetryHoldover h(std::chrono::seconds(60), /*max_entries=*/3);
  h.set_clock_for_testing(&fake_now);
  auto q = std::make_shared<PendingQuery>();
  h.keep("a", q);
  g_fake_now += std::chrono::seconds(50);
  EXPECT_EQ(h.find("a"), q);  // refreshed
  g_fake_now += std::chrono::seconds(50);
  EXPECT_EQ(h.find("a"), q);
  g_fake_now += std::chrono::seconds(61);
  EXPECT_EQ(h.find("a"), nullptr);
  for (const char* k : {"1", "2", "3", "4", "5"}) {
    g_fake_now += std::chrono::seconds(1);
    h.keep(k, q);
  }
  EXPECT_LE(h.size(), 3u);
  EXPECT_EQ(h.find("5"), q);
  EXPECT_EQ(h.find("1"), nullptr);
}

}  // namespace
}  // namespace strata
