// Cube REST query parsing: members, time dimensions, order, limits, the
// request envelope, the normalized echo and the canonical key.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "model/loader.h"
#include "query_test_util.h"

namespace strata::test {
namespace {

bool contains(const std::string& text, std::string_view part) {
  return text.find(part) != std::string::npos;
}

TEST(CubeQuery, MinimalQueryGetsDefaults) {
  SemanticQuery q = parse(R"({"measures": ["orders.count"]})");
  EXPECT_EQ(q.measures, std::vector<std::string>{"orders.count"});
  EXPECT_TRUE(q.dimensions.empty());
  EXPECT_EQ(q.limit, 10000);
  EXPECT_FALSE(q.limit_given);
  EXPECT_EQ(q.offset, 0);
  EXPECT_FALSE(q.order_given);
  EXPECT_TRUE(q.order.empty());
  EXPECT_EQ(q.timezone, "UTC");
  EXPECT_FALSE(q.total);
  EXPECT_FALSE(q.ungrouped);
  EXPECT_FALSE(q.renew_query);
}

TEST(CubeQuery, FullQuery) {
  SemanticQuery q = parse(R"({
    "query": {
      "measures": ["orders.count", "orders.total_amount"],
      "dimensions": ["orders.status", "users.city", "orders.created_at"],
      "timeDimensions": [{"dimension": "orders.created_at", "granularity": "month",
                          "dateRange": ["2024-01-01", "2024-03-31"]}],
      "segments": ["orders.completed", "users.new_yorkers"],
      "filters": [{"member": "orders.status", "operator": "notEquals", "values": ["cancelled"]}],
      "order": {"orders.count": "desc", "orders.status": "asc"},
      "limit": 500, "offset": 20, "total": true, "ungrouped": false, "renewQuery": true,
      "timezone": "Europe/Berlin",
      "responseFormat": "compact", "queryType": "regularQuery"
    }})");
  EXPECT_EQ(q.measures, (std::vector<std::string>{"orders.count", "orders.total_amount"}));
  EXPECT_EQ(q.dimensions,
            (std::vector<std::string>{"orders.status", "users.city", "orders.created_at"}));
  ASSERT_EQ(q.time_dimensions.size(), 1u);
  EXPECT_EQ(q.time_dimensions[0].dimension, "orders.created_at");
  EXPECT_EQ(q.time_dimensions[0].granularity, Granularity::kMonth);
  EXPECT_EQ(*q.time_dimensions[0].date_range, range(at(2024, 1, 1), at(2024, 4, 1)));
  EXPECT_EQ(q.time_dimensions[0].date_range_text, "");
  EXPECT_EQ(q.time_dimensions[0].json_path, "timeDimensions[0]");
  EXPECT_EQ(q.segments, (std::vector<std::string>{"orders.completed", "users.new_yorkers"}));
  ASSERT_EQ(q.filters.size(), 1u);
  ASSERT_EQ(q.order.size(), 2u);
  EXPECT_EQ(q.order[0].member, "orders.count");
  EXPECT_TRUE(q.order[0].descending);
  EXPECT_EQ(q.order[1].member, "orders.status");
  EXPECT_FALSE(q.order[1].descending);
  EXPECT_TRUE(q.order_given);
  EXPECT_EQ(q.limit, 500);
  EXPECT_TRUE(q.limit_given);
  EXPECT_EQ(q.offset, 20);
  EXPECT_TRUE(q.total);
  EXPECT_FALSE(q.ungrouped);
  EXPECT_TRUE(q.renew_query);
  EXPECT_EQ(q.timezone, "Europe/Berlin");
}

TEST(CubeQuery, NullFieldsMeanAbsent) {
  SemanticQuery q = parse(R"({"measures": ["orders.count"], "dimensions": null, "limit": null,
                              "order": null, "timezone": null, "filters": null})");
  EXPECT_EQ(q.limit, 10000);
  EXPECT_FALSE(q.order_given);
  EXPECT_EQ(q.timezone, "UTC");
}

TEST(CubeQuery, ParsesAJsonValue) {
  boost::json::value v = boost::json::parse(R"({"dimensions": ["users.city"]})");
  SemanticQuery q = parse_cube_query(v, shop(), options_at());
  EXPECT_EQ(q.dimensions, std::vector<std::string>{"users.city"});
}

TEST(CubeQuery, ViewMembers) {
  SemanticQuery q = parse(R"({"measures": ["sales.revenue", "sales.orders_count"],
                              "dimensions": ["sales.users_city", "sales.product_category"],
                              "timeDimensions": [{"dimension": "sales.orders_created_at",
                                                  "granularity": "week"}]})");
  EXPECT_EQ(q.measures.size(), 2u);
  EXPECT_EQ(q.time_dimensions[0].granularity, Granularity::kWeek);
}

TEST(CubeQuery, GranularityInADimensionName) {
  SemanticQuery q = parse(R"({"dimensions": ["orders.created_at.month", "orders.status"]})");
  EXPECT_EQ(q.dimensions, std::vector<std::string>{"orders.status"});
  ASSERT_EQ(q.time_dimensions.size(), 1u);
  EXPECT_EQ(q.time_dimensions[0].dimension, "orders.created_at");
  EXPECT_EQ(q.time_dimensions[0].granularity, Granularity::kMonth);
  EXPECT_EQ(q.time_dimensions[0].json_path, "dimensions[0]");
  UserError e = parse_error(R"({"dimensions": ["orders.status.month"]})");
  EXPECT_EQ(e.message(), "unknown member 'orders.status.month'");
}

TEST(CubeQuery, UnknownMemberSuggestsCloseNames) {
  UserError e = parse_error(R"({"measures": ["orders.count", "orders.cuont"]})");
  EXPECT_EQ(e.message(), "unknown member 'orders.cuont'");
  EXPECT_EQ(e.context().json_path, "measures[1]");
  EXPECT_EQ(e.context().member, "orders.cuont");
  EXPECT_TRUE(contains(e.context().hint, "did you mean 'orders.count'")) << e.context().hint;
  EXPECT_TRUE(contains(e.context().hint, "/cubejs-api/v1/meta"));
  EXPECT_TRUE(contains(e.what(), "measures[1]"));

  // Suggestions prefer the kind asked for: a measure, not the dimension users.city.
  UserError cube_typo = parse_error(R"({"measures": ["user.count"]})");
  EXPECT_TRUE(contains(cube_typo.context().hint, "'users.count'")) << cube_typo.context().hint;

  UserError dim = parse_error(R"({"dimensions": ["users.cty"]})");
  EXPECT_TRUE(contains(dim.context().hint, "'users.city'")) << dim.context().hint;
  EXPECT_EQ(dim.context().json_path, "dimensions[0]");

  UserError far = parse_error(R"({"measures": ["warehouse.stock_level"]})");
  EXPECT_FALSE(contains(far.context().hint, "did you mean"));
  EXPECT_TRUE(contains(far.context().hint, "GET /cubejs-api/v1/meta"));

  UserError bare = parse_error(R"({"measures": ["count"]})");
  EXPECT_TRUE(contains(bare.context().hint, "cube.member")) << bare.context().hint;
}

TEST(CubeQuery, MembersMustBeOfTheRightKind) {
  UserError dim_as_measure = parse_error(R"({"measures": ["orders.status"]})");
  EXPECT_EQ(dim_as_measure.message(), "'orders.status' is a string dimension, not a measure");
  EXPECT_EQ(dim_as_measure.context().json_path, "measures[0]");
  EXPECT_TRUE(contains(dim_as_measure.context().hint, "in dimensions"));

  UserError measure_as_dim = parse_error(R"({"dimensions": ["orders.count"]})");
  EXPECT_EQ(measure_as_dim.message(), "'orders.count' is a count measure, not a dimension");
  EXPECT_TRUE(contains(measure_as_dim.context().hint, "in measures"));

  UserError segment_as_measure = parse_error(R"({"measures": ["orders.completed"]})");
  EXPECT_TRUE(contains(segment_as_measure.context().hint, "in segments"));

  UserError dim_as_segment =
      parse_error(R"({"measures": ["orders.count"], "segments": ["orders.status"]})");
  EXPECT_EQ(dim_as_segment.context().json_path, "segments[0]");
  EXPECT_TRUE(contains(dim_as_segment.message(), "not a segment"));

  UserError not_time = parse_error(R"({"measures": ["orders.count"],
      "timeDimensions": [{"dimension": "orders.status", "granularity": "day"}]})");
  EXPECT_EQ(not_time.message(), "'orders.status' is a string dimension, not a time dimension");
  EXPECT_EQ(not_time.context().json_path, "timeDimensions[0].dimension");
  EXPECT_TRUE(contains(not_time.context().hint, "orders.created_at")) << not_time.context().hint;

  // Time dimensions may also be plain dimensions.
  SemanticQuery q = parse(R"({"dimensions": ["orders.created_at"]})");
  EXPECT_EQ(q.dimensions, std::vector<std::string>{"orders.created_at"});
}

TEST(CubeQuery, WrongJsonTypes) {
  UserError not_array = parse_error(R"({"measures": "orders.count"})");
  EXPECT_EQ(not_array.context().json_path, "measures");
  EXPECT_TRUE(contains(not_array.message(), "must be an array"));
  UserError not_string = parse_error(R"({"measures": ["orders.count", 7]})");
  EXPECT_EQ(not_string.context().json_path, "measures[1]");
  UserError td_not_object = parse_error(R"({"timeDimensions": ["orders.created_at"]})");
  EXPECT_EQ(td_not_object.context().json_path, "timeDimensions[0]");
}

TEST(CubeQuery, TimeDimensions) {
  SemanticQuery q = parse(R"({"measures": ["orders.count"], "timeDimensions": [
      {"dimension": "orders.created_at", "granularity": "day", "dateRange": "last 7 days"},
      {"dimension": "users.created_at", "dateRange": ["2024-01-01T00:00:00.000", "2024-01-31T23:59:59.999"]},
      {"dimension": "orders.created_at", "granularity": "quarter"}]})");
  ASSERT_EQ(q.time_dimensions.size(), 3u);
  EXPECT_EQ(q.time_dimensions[0].date_range_text, "last 7 days");
  EXPECT_EQ(*q.time_dimensions[0].date_range, range(at(2024, 5, 8), at(2024, 5, 15)));
  // Cube's own inclusive ".999" end means the whole last millisecond.
  EXPECT_FALSE(q.time_dimensions[1].granularity);
  EXPECT_EQ(*q.time_dimensions[1].date_range, range(at(2024, 1, 1), at(2024, 2, 1)));
  EXPECT_FALSE(q.time_dimensions[2].date_range);
  EXPECT_EQ(q.time_dimensions[2].json_path, "timeDimensions[2]");
}

TEST(CubeQuery, TimeDimensionErrors) {
  UserError granularity = parse_error(R"({"measures": ["orders.count"],
      "timeDimensions": [{"dimension": "orders.created_at", "granularity": "fortnight"}]})");
  EXPECT_EQ(granularity.message(), "unknown granularity 'fortnight'");
  EXPECT_EQ(granularity.context().json_path, "timeDimensions[0].granularity");
  EXPECT_EQ(granularity.context().hint,
            "granularities: second, minute, hour, day, week, month, quarter, year");

  UserError backwards = parse_error(R"({"measures": ["orders.count"],
      "timeDimensions": [{"dimension": "orders.created_at", "dateRange": ["2024-02-01", "2024-01-01"]}]})");
  EXPECT_TRUE(contains(backwards.message(), "impossible date range")) << backwards.message();
  EXPECT_EQ(backwards.context().json_path, "timeDimensions[0].dateRange");

  UserError bad_date = parse_error(R"({"measures": ["orders.count"],
      "timeDimensions": [{"dimension": "orders.created_at", "dateRange": ["2024-02-30", "2024-03-01"]}]})");
  EXPECT_EQ(bad_date.context().json_path, "timeDimensions[0].dateRange[0]");

  UserError three = parse_error(R"({"measures": ["orders.count"],
      "timeDimensions": [{"dimension": "orders.created_at", "dateRange": ["2024-01-01", "2024-01-02", "2024-01-03"]}]})");
  EXPECT_EQ(three.context().json_path, "timeDimensions[0].dateRange");

  UserError phrase = parse_error(R"({"measures": ["orders.count"],
      "timeDimensions": [{"dimension": "orders.created_at", "dateRange": "a while ago"}]})");
  EXPECT_EQ(phrase.context().json_path, "timeDimensions[0].dateRange");
  EXPECT_TRUE(contains(phrase.message(), "cannot understand the date range 'a while ago'"));

  UserError no_dimension = parse_error(R"({"measures": ["orders.count"],
      "timeDimensions": [{"granularity": "day"}]})");
  EXPECT_EQ(no_dimension.context().json_path, "timeDimensions[0]");
}

TEST(CubeQuery, CompareDateRangeIsNotSupportedYet) {
  UserError e = parse_error(R"({"measures": ["orders.count"], "timeDimensions": [
      {"dimension": "orders.created_at", "compareDateRange": ["this week", "last week"]}]})");
  EXPECT_TRUE(contains(e.message(), "compareDateRange"));
  EXPECT_TRUE(contains(e.message(), "not supported yet"));
  EXPECT_EQ(e.context().json_path, "timeDimensions[0].compareDateRange");
}

TEST(CubeQuery, NothingToSelect) {
  UserError e = parse_error(R"({"timeDimensions": [
      {"dimension": "orders.created_at", "dateRange": "last week"}], "segments": ["orders.completed"]})");
  EXPECT_EQ(e.message(), "the query selects nothing");
  EXPECT_TRUE(contains(e.context().hint, "granularity"));
  EXPECT_NO_THROW(parse(R"({"timeDimensions": [
      {"dimension": "orders.created_at", "granularity": "day", "dateRange": "last week"}]})"));
  UserError empty = parse_error("{}");
  EXPECT_EQ(empty.message(), "the query selects nothing");
}

TEST(CubeQuery, TimezoneAffectsRelativeRanges) {
  // 03:00 UTC on 2024-05-15 is 20:00 on 2024-05-14 in Los Angeles.
  const char* q = R"({"measures": ["orders.count"], "timezone": "America/Los_Angeles",
      "timeDimensions": [{"dimension": "orders.created_at", "dateRange": "today"}]})";
  SemanticQuery la = parse(q, options_at(at(2024, 5, 15, 3)));
  EXPECT_EQ(la.timezone, "America/Los_Angeles");
  EXPECT_EQ(*la.time_dimensions[0].date_range, range(at(2024, 5, 14), at(2024, 5, 15)));
}

TEST(CubeQuery, TimezoneErrors) {
  UserError unknown = parse_error(R"({"measures": ["orders.count"], "timezone": "Mars/Base"})");
  EXPECT_EQ(unknown.message(), "unknown time zone 'Mars/Base'");
  EXPECT_EQ(unknown.context().json_path, "timezone");
  EXPECT_TRUE(contains(unknown.context().hint, "America/New_York"));
  UserError path = parse_error(R"({"measures": ["orders.count"], "timezone": "../../etc/passwd"})");
  EXPECT_EQ(path.context().json_path, "timezone");
  UserError number = parse_error(R"({"measures": ["orders.count"], "timezone": 5})");
  EXPECT_EQ(number.context().json_path, "timezone");
}

// The fixture model as the loader builds it accepts the same members as the
// hand-built one used everywhere else here.
TEST(CubeQuery, FixtureModelFromTheLoader) {
  auto model = load_model(STRATA_SOURCE_DIR "/test/fixtures/shop/model");
  SemanticQuery q = parse_cube_query_text(
      R"({"measures": ["sales.revenue", "orders.completed_share"],
          "dimensions": ["sales.users_city", "sales.product_category"],
          "timeDimensions": [{"dimension": "sales.orders_created_at", "granularity": "month"}],
          "segments": ["users.new_yorkers"],
          "filters": [{"member": "orders.is_big", "operator": "equals", "values": [true]}]})",
      *model, options_at());
  EXPECT_EQ(q.dimensions.size(), 2u);
  EXPECT_EQ(q.filters[0].values, std::vector<std::string>{"true"});
}

// ------------------------------------------------------------------ order

TEST(CubeQueryOrder, ObjectKeepsKeyOrder) {
  SemanticQuery q = parse(R"({"measures": ["orders.count", "orders.total_amount"],
      "dimensions": ["orders.status"],
      "order": {"orders.total_amount": "asc", "orders.status": "DESC", "orders.count": "desc"}})");
  ASSERT_EQ(q.order.size(), 3u);
  EXPECT_EQ(q.order[0].member, "orders.total_amount");
  EXPECT_FALSE(q.order[0].descending);
  EXPECT_EQ(q.order[1].member, "orders.status");
  EXPECT_TRUE(q.order[1].descending);
  EXPECT_EQ(q.order[2].member, "orders.count");
}

TEST(CubeQueryOrder, ArrayOfPairs) {
  SemanticQuery q = parse(R"({"measures": ["orders.count"], "dimensions": ["orders.status"],
      "order": [["orders.status", "asc"], ["orders.count", "desc"]]})");
  ASSERT_EQ(q.order.size(), 2u);
  EXPECT_EQ(q.order[0].member, "orders.status");
  EXPECT_TRUE(q.order[1].descending);
}

TEST(CubeQueryOrder, TimeDimensions) {
  const char* base = R"({"measures": ["orders.count"],
      "timeDimensions": [{"dimension": "orders.created_at", "granularity": "day"}], "order": )";
  SemanticQuery plain = parse(std::string(base) + R"({"orders.created_at": "asc"}})");
  EXPECT_EQ(plain.order[0].member, "orders.created_at");
  SemanticQuery with_granularity =
      parse(std::string(base) + R"({"orders.created_at.day": "desc"}})");
  EXPECT_EQ(with_granularity.order[0].member, "orders.created_at.day");
  UserError other_granularity =
      parse_error(std::string(base) + R"({"orders.created_at.month": "asc"}})");
  EXPECT_TRUE(contains(other_granularity.message(), "is not in the query"));
  EXPECT_EQ(other_granularity.context().json_path, R"(order["orders.created_at.month"])");
}

TEST(CubeQueryOrder, EmptyOrderMeansNoOrdering) {
  SemanticQuery object = parse(R"({"measures": ["orders.count"], "order": {}})");
  EXPECT_TRUE(object.order_given);
  EXPECT_TRUE(object.order.empty());
  SemanticQuery array = parse(R"({"measures": ["orders.count"], "order": []})");
  EXPECT_TRUE(array.order_given);
  EXPECT_TRUE(array.order.empty());
}

TEST(CubeQueryOrder, Errors) {
  UserError not_requested =
      parse_error(R"({"measures": ["orders.count"], "order": {"orders.status": "asc"}})");
  EXPECT_EQ(not_requested.message(), "'orders.status' is not in the query, so it cannot order it");
  EXPECT_EQ(not_requested.context().json_path, R"(order["orders.status"])");
  EXPECT_TRUE(contains(not_requested.context().hint, "add it to the query"));

  UserError unknown =
      parse_error(R"({"measures": ["orders.count"], "order": [["orders.cont", "asc"]]})");
  EXPECT_EQ(unknown.message(), "unknown member 'orders.cont'");
  EXPECT_EQ(unknown.context().json_path, "order[0][0]");
  EXPECT_TRUE(contains(unknown.context().hint, "'orders.count'"));

  UserError direction =
      parse_error(R"({"measures": ["orders.count"], "order": {"orders.count": "up"}})");
  EXPECT_TRUE(contains(direction.message(), "asc or desc"));
  UserError pair = parse_error(R"({"measures": ["orders.count"], "order": [["orders.count"]]})");
  EXPECT_EQ(pair.context().json_path, "order[0]");
  UserError type = parse_error(R"({"measures": ["orders.count"], "order": "orders.count"})");
  EXPECT_EQ(type.context().json_path, "order");
}

// ------------------------------------------------------------------ limits

TEST(CubeQueryLimits, LimitRules) {
  EXPECT_EQ(parse(R"({"measures": ["orders.count"], "limit": 50000})").limit, 50000);
  EXPECT_EQ(parse(R"({"measures": ["orders.count"], "limit": 1})").limit, 1);
  EXPECT_EQ(parse(R"({"measures": ["orders.count"], "limit": 20.0})").limit, 20);

  UserError over = parse_error(R"({"measures": ["orders.count"], "limit": 60000})");
  EXPECT_EQ(over.message(), "limit 60000 is over the maximum 50000");
  EXPECT_EQ(over.context().json_path, "limit");
  EXPECT_TRUE(contains(over.context().hint, "offset"));

  for (const char* bad : {"0", "-5", "\"10\"", "2.5", "true"}) {
    UserError e =
        parse_error(std::string(R"({"measures": ["orders.count"], "limit": )") + bad + "}");
    EXPECT_EQ(e.context().json_path, "limit") << bad;
  }
  EXPECT_EQ(parse_error(R"({"measures": ["orders.count"], "limit": 0})").message(),
            "limit must be a positive integer, got 0");
}

TEST(CubeQueryLimits, ConfiguredLimits) {
  ParseOptions options = options_at();
  options.limits.default_limit = 100;
  options.limits.max_limit = 500;
  EXPECT_EQ(parse(R"({"measures": ["orders.count"]})", options).limit, 100);
  EXPECT_EQ(parse(R"({"measures": ["orders.count"], "limit": 500})", options).limit, 500);
  EXPECT_EQ(parse_error(R"({"measures": ["orders.count"], "limit": 501})", options).message(),
            "limit 501 is over the maximum 500");
}

TEST(CubeQueryLimits, OffsetAndFlags) {
  EXPECT_EQ(parse(R"({"measures": ["orders.count"], "offset": 0})").offset, 0);
  UserError negative = parse_error(R"({"measures": ["orders.count"], "offset": -1})");
  EXPECT_EQ(negative.context().json_path, "offset");
  EXPECT_TRUE(contains(negative.message(), "must not be negative"));
  EXPECT_EQ(parse_error(R"({"measures": ["orders.count"], "offset": "x"})").context().json_path,
            "offset");
  SemanticQuery q = parse(R"({"measures": ["orders.count"], "ungrouped": true, "total": false})");
  EXPECT_TRUE(q.ungrouped);
  for (const char* flag : {"total", "ungrouped", "renewQuery"}) {
    UserError e =
        parse_error(std::string(R"({"measures": ["orders.count"], ")") + flag + R"(": "yes"})");
    EXPECT_EQ(e.context().json_path, flag);
    EXPECT_TRUE(contains(e.message(), "true or false"));
  }
}

// ------------------------------------------------------------------ envelope

TEST(CubeQueryEnvelope, MalformedJson) {
  UserError e = parse_error("{\n  \"measures\": [\"orders.count\",]\n}");
  EXPECT_TRUE(contains(e.message(), "malformed JSON")) << e.message();
  EXPECT_TRUE(contains(e.message(), "line 2")) << e.message();
  UserError truncated = parse_error(R"({"measures": ["orders.count")");
  EXPECT_TRUE(contains(truncated.message(), "malformed JSON"));
  UserError empty = parse_error("");
  EXPECT_TRUE(contains(empty.message(), "malformed JSON"));
  UserError trailing = parse_error(R"({"measures": ["orders.count"]} x)");
  EXPECT_TRUE(contains(trailing.message(), "malformed JSON"));
}

TEST(CubeQueryEnvelope, NotAnObject) {
  EXPECT_TRUE(
      contains(parse_error(R"([{"measures": ["orders.count"]}])").message(), "data blending"));
  EXPECT_TRUE(contains(parse_error(R"("orders.count")").message(), "must be a JSON object"));
  EXPECT_TRUE(contains(parse_error(R"({"query": [{"measures": ["orders.count"]}]})").message(),
                       "not supported yet"));
}

TEST(CubeQueryEnvelope, DeeplyNestedFilters) {
  std::string filter = R"({"member": "orders.status", "operator": "set"})";
  for (int i = 0; i < 40; ++i)
    filter = R"({"and": [)" + filter + "]}";
  SemanticQuery q = parse(R"({"measures": ["orders.count"], "filters": [)" + filter + "]}");
  const FilterNode* n = &q.filters[0];
  int depth = 0;
  while (!n->children.empty()) {
    n = &n->children[0];
    ++depth;
  }
  EXPECT_EQ(depth, 40);
  EXPECT_EQ(n->member, "orders.status");
}

// ------------------------------------------------------------------ echo and key

TEST(CubeQueryEcho, NormalizedLikeCube) {
  SemanticQuery q = parse(R"({"measures": ["orders.count"], "dimensions": ["orders.status"],
      "timeDimensions": [{"dimension": "orders.created_at", "granularity": "month",
                          "dateRange": ["2024-01-01", "2024-01-31"]}],
      "filters": [{"dimension": "users.city", "operator": "equals", "values": ["Berlin"]},
                  {"or": [{"member": "orders.status", "operator": "set"}]}],
      "segments": ["orders.completed"],
      "order": {"orders.count": "desc"}, "limit": 100, "offset": 10, "total": true,
      "timezone": "Europe/Berlin", "renewQuery": true})");
  boost::json::value expected = boost::json::parse(R"({
    "measures": ["orders.count"],
    "dimensions": ["orders.status"],
    "timeDimensions": [{"dimension": "orders.created_at", "granularity": "month",
                        "dateRange": ["2024-01-01T00:00:00.000", "2024-01-31T23:59:59.999"]}],
    "segments": ["orders.completed"],
    "filters": [{"member": "users.city", "operator": "equals", "values": ["Berlin"]},
                {"or": [{"member": "orders.status", "operator": "set"}]}],
    "order": [["orders.count", "desc"]],
    "limit": 100, "offset": 10, "timezone": "Europe/Berlin", "total": true,
    "rowLimit": 100, "queryType": "regularQuery"})");
  EXPECT_EQ(to_cube_json(q), expected) << boost::json::serialize(to_cube_json(q));
}

TEST(CubeQueryEcho, DefaultsAndRelativeRanges) {
  SemanticQuery q = parse(R"({"measures": ["orders.count"],
      "timeDimensions": [{"dimension": "orders.created_at", "dateRange": "last 7 days"}]})");
  boost::json::value expected = boost::json::parse(R"({
    "measures": ["orders.count"], "dimensions": [],
    "timeDimensions": [{"dimension": "orders.created_at",
                        "dateRange": ["2024-05-08T00:00:00.000", "2024-05-14T23:59:59.999"]}],
    "segments": [], "filters": [], "limit": 10000, "timezone": "UTC",
    "rowLimit": 10000, "queryType": "regularQuery"})");
  EXPECT_EQ(to_cube_json(q), expected) << boost::json::serialize(to_cube_json(q));
}

TEST(CubeQueryKey, IgnoresFormattingFieldOrderAndRenewQuery) {
  const std::string a = canonical_key(parse(R"({"measures": ["orders.count"],
      "filters": [{"member": "orders.status", "operator": "equals", "values": ["a"]},
                  {"member": "users.city", "operator": "set"}],
      "segments": ["orders.completed", "users.new_yorkers"], "limit": 10})"));
  const std::string b = canonical_key(parse(R"({"query": {"limit": 10, "renewQuery": true,
      "segments": ["users.new_yorkers", "orders.completed"],
      "filters": [{"dimension": "users.city", "operator": "set"},
                  {"operator": "equals", "values": ["a"], "member": "orders.status"}],
      "measures": ["orders.count"]}})"));
  EXPECT_EQ(a, b);
}

TEST(CubeQueryKey, ChangesWithAnythingThatShapesTheAnswer) {
  const std::string base =
      canonical_key(parse(R"({"measures": ["orders.count", "orders.total_amount"]})"));
  for (
      const char* other : {
          R"({"measures": ["orders.total_amount", "orders.count"]})",
          R"({"measures": ["orders.count", "orders.total_amount"], "limit": 5})",
          R"({"measures": ["orders.count", "orders.total_amount"], "offset": 5})",
          R"({"measures": ["orders.count", "orders.total_amount"], "total": true})",
          R"({"measures": ["orders.count", "orders.total_amount"], "ungrouped": true})",
          R"({"measures": ["orders.count", "orders.total_amount"], "order": []})",
          R"({"measures": ["orders.count", "orders.total_amount"], "timezone": "Asia/Tokyo"})",
          R"({"measures": ["orders.count", "orders.total_amount"], "segments": ["orders.completed"]})",
      }) {
    EXPECT_NE(canonical_key(parse(other)), base) << other;
  }
  // The same phrase on another day is another question.
  const char* weekly = R"({"measures": ["orders.count"],
      "timeDimensions": [{"dimension": "orders.created_at", "dateRange": "last 7 days"}]})";
  EXPECT_NE(canonical_key(parse(weekly, options_at(at(2024, 5, 15, 12)))),
            canonical_key(parse(weekly, options_at(at(2024, 5, 16, 12)))));
  EXPECT_EQ(canonical_key(parse(weekly, options_at(at(2024, 5, 15, 1)))),
            canonical_key(parse(weekly, options_at(at(2024, 5, 15, 23)))));
}

}  // namespace
}  // namespace strata::test
