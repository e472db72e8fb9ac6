// Cube-shaped /load results from a hand-built QueryResult over the shop model.
#include "api/rest/result_format.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "core/error.h"
#include "core/time.h"
#include "model/loader.h"

namespace strata {
namespace {

namespace json = boost::json;

std::shared_ptr<const Model> shop_model() {
  static auto model =
      load_model(std::filesystem::path(STRATA_SOURCE_DIR) / "test/fixtures/shop/model");
  return model;
}

int64_t at(int y, int mo, int d, int h = 0, int mi = 0, int s = 0) {
  return micros_from_civil(CivilTime{y, mo, d, h, mi, s, 0});
}

OutputColumn column(const Model& model, std::string member, OutputRole role,
                    std::optional<Granularity> granularity = std::nullopt) {
  OutputColumn c;
  c.member = member;
  c.key = granularity ? member + "." + std::string(granularity_name(*granularity)) : member;
  c.alias = "c" + std::to_string(member.size());
  c.role = role;
  c.granularity = granularity;
  c.resolved = model.find_member(member);
  return c;
}

// orders by status and month: the shape of a typical dashboard query.
struct Fixture {
  SemanticQuery query;
  QueryResult result;

  Fixture() {
    const Model& m = *shop_model();
    query.measures = {"orders.count", "orders.total_amount", "orders.average_amount"};
    query.dimensions = {"orders.status", "orders.is_big"};
    TimeDimensionQuery td;
    td.dimension = "orders.created_at";
    td.granularity = Granularity::kMonth;
    query.time_dimensions.push_back(td);

    result.columns = {
        column(m, "orders.status", OutputRole::kDimension),
        column(m, "orders.is_big", OutputRole::kDimension),
        column(m, "orders.created_at", OutputRole::kTimeDimension, Granularity::kMonth),
        column(m, "orders.count", OutputRole::kMeasure),
        column(m, "orders.total_amount", OutputRole::kMeasure),
        column(m, "orders.average_amount", OutputRole::kMeasure),
    };
    ResultSet rows({{"c0", Type::of(TypeId::kString)},
                    {"c1", Type::of(TypeId::kBoolean)},
                    {"c2", Type::of(TypeId::kTimestamp)},
                    {"c3", Type::of(TypeId::kInt64)},
                    {"c4", Type::decimal(38, 2)},
                    {"c5", Type::of(TypeId::kDouble)}});
    // completed, big, Jan 2024, 3, 370.00, 123.5
    rows.column(0).append_string("completed");
    rows.column(1).append_int(1);
    rows.column(2).append_int(at(2024, 1, 1));
    rows.column(3).append_int(3);
    rows.column(4).append_decimal(37000);
    rows.column(5).append_double(123.5);
    // NULL status, not big, Feb 2024, 1, 0.05, NULL
    rows.column(0).append_null();
    rows.column(1).append_int(0);
    rows.column(2).append_int(at(2024, 2, 1));
    rows.column(3).append_int(1);
    rows.column(4).append_decimal(5);
    rows.column(5).append_null();
    result.rows = std::move(rows);
    result.source = "default";
  }
};

TEST(FormatCell, NumbersAreStringsAsCubeDriversReturnThem) {
  Column ints(Type::of(TypeId::kInt64));
  ints.append_int(6);
  ints.append_int(-42);
  Column decimals(Type::decimal(38, 2));
  decimals.append_decimal(46500);
  decimals.append_decimal(-5);
  Column doubles(Type::of(TypeId::kDouble));
  doubles.append_double(77.5);
  doubles.append_double(3.0);
  ValueFormatOptions o;
  EXPECT_EQ(format_cell(ints, 0, o), json::value("6"));
  EXPECT_EQ(format_cell(ints, 1, o), json::value("-42"));
  EXPECT_EQ(format_cell(decimals, 0, o), json::value("465.00"));
  EXPECT_EQ(format_cell(decimals, 1, o), json::value("-0.05"));
  EXPECT_EQ(format_cell(doubles, 0, o), json::value("77.5"));
  EXPECT_EQ(format_cell(doubles, 1, o), json::value("3"));
}

TEST(FormatCell, BooleansNullsAndStrings) {
  Column b(Type::of(TypeId::kBoolean));
  b.append_int(1);
  b.append_int(0);
  b.append_null();
  Column s(Type::of(TypeId::kString));
  s.append_string("New York");
  s.append_string("");
  ValueFormatOptions o;
  EXPECT_EQ(format_cell(b, 0, o), json::value(true));
  EXPECT_EQ(format_cell(b, 1, o), json::value(false));
  EXPECT_TRUE(format_cell(b, 2, o).is_null());
  EXPECT_EQ(format_cell(s, 0, o), json::value("New York"));
  EXPECT_EQ(format_cell(s, 1, o), json::value(""));
}

TEST(FormatCell, TimesAreLocalWallClockWithMilliseconds) {
  Column ts(Type::of(TypeId::kTimestamp));
  ts.append_int(at(2024, 3, 31, 23, 59, 59) + 123456);
  Column date(Type::of(TypeId::kDate));
  date.append_int(days_from_civil(2024, 2, 29));
  Column tz(Type::of(TypeId::kTimestampTz));
  tz.append_int(at(2024, 1, 1, 0, 30));  // an instant: 00:30 UTC
  ValueFormatOptions utc;
  EXPECT_EQ(format_cell(ts, 0, utc), json::value("2024-03-31T23:59:59.123"));
  EXPECT_EQ(format_cell(date, 0, utc), json::value("2024-02-29T00:00:00.000"));
  EXPECT_EQ(format_cell(tz, 0, utc), json::value("2024-01-01T00:30:00.000"));
  ValueFormatOptions new_york;
  new_york.utc_to_local = [](int64_t u) { return u - 5 * kMicrosPerHour; };
  EXPECT_EQ(format_cell(tz, 0, new_york), json::value("2023-12-31T19:30:00.000"));
}

TEST(FormatRows, KeysEveryMemberAndBothTimeKeys) {
  Fixture f;
  json::array rows = format_rows(f.result, f.query, {});
  ASSERT_EQ(rows.size(), 2u);
  const json::object& r0 = rows[0].as_object();
  EXPECT_EQ(r0.at("orders.status"), json::value("completed"));
  EXPECT_EQ(r0.at("orders.is_big"), json::value(true));
  EXPECT_EQ(r0.at("orders.created_at.month"), json::value("2024-01-01T00:00:00.000"));
  EXPECT_EQ(r0.at("orders.created_at"), json::value("2024-01-01T00:00:00.000"));
  EXPECT_EQ(r0.at("orders.count"), json::value("3"));
  EXPECT_EQ(r0.at("orders.total_amount"), json::value("370.00"));
  EXPECT_EQ(r0.at("orders.average_amount"), json::value("123.5"));
  EXPECT_EQ(r0.size(), 7u);
  EXPECT_FALSE(r0.contains("time.month"));
  const json::object& r1 = rows[1].as_object();
  EXPECT_TRUE(r1.at("orders.status").is_null());
  EXPECT_EQ(r1.at("orders.is_big"), json::value(false));
  EXPECT_EQ(r1.at("orders.total_amount"), json::value("0.05"));
  EXPECT_TRUE(r1.at("orders.average_amount").is_null());
}

TEST(FormatRows, NoBareTimeKeyWhenTheDimensionIsAlsoListed) {
  Fixture f;
  f.query.dimensions.push_back("orders.created_at");
  json::array rows = format_rows(f.result, f.query, {});
  EXPECT_FALSE(rows[0].as_object().contains("orders.created_at"));
  EXPECT_TRUE(rows[0].as_object().contains("orders.created_at.month"));
}

TEST(FormatRows, BlendingAddsTheTimeKey) {
  Fixture f;
  json::array rows = format_rows(f.result, f.query, {}, /*blending=*/true);
  EXPECT_EQ(rows[1].as_object().at("time.month"), json::value("2024-02-01T00:00:00.000"));
}

TEST(FormatRows, MismatchedColumnsIsAnInternalError) {
  Fixture f;
  f.result.columns.pop_back();
  EXPECT_THROW(format_rows(f.result, f.query, {}), InternalError);
}

TEST(Annotation, TitlesTypesFormatsAndDrillMembers) {
  Fixture f;
  json::object a = format_annotation(f.query, *shop_model());
  const json::object& count = a.at("measures").at("orders.count").as_object();
  EXPECT_EQ(count.at("title"), json::value("Orders Count"));
  EXPECT_EQ(count.at("shortTitle"), json::value("Count"));
  EXPECT_EQ(count.at("type"), json::value("number"));
  EXPECT_EQ(count.at("drillMembers"),
            json::parse(R"(["orders.id","orders.status","orders.created_at"])"));
  EXPECT_EQ(
      count.at("drillMembersGrouped"),
      json::parse(
          R"({"measures":[],"dimensions":["orders.id","orders.status","orders.created_at"]})"));
  const json::object& total = a.at("measures").at("orders.total_amount").as_object();
  EXPECT_EQ(total.at("title"), json::value("Orders Total Amount"));
  EXPECT_EQ(total.at("format"), json::value("currency"));
  EXPECT_EQ(total.at("drillMembers"), json::array());

  const json::object& status = a.at("dimensions").at("orders.status").as_object();
  EXPECT_EQ(status.at("type"), json::value("string"));
  EXPECT_EQ(status.at("shortTitle"), json::value("Status"));
  EXPECT_FALSE(status.contains("drillMembers"));
  EXPECT_EQ(a.at("dimensions").at("orders.is_big").at("type"), json::value("boolean"));

  const json::object& tds = a.at("timeDimensions").as_object();
  ASSERT_TRUE(tds.contains("orders.created_at.month"));
  ASSERT_TRUE(tds.contains("orders.created_at"));
  const json::object& month = tds.at("orders.created_at.month").as_object();
  EXPECT_EQ(month.at("title"), json::value("Orders Created at"));
  EXPECT_EQ(month.at("type"), json::value("time"));
  EXPECT_EQ(
      month.at("granularity"),
      json::parse(R"({"name":"month","title":"Month","interval":"1 month","type":"built-in"})"));
  EXPECT_FALSE(tds.at("orders.created_at").as_object().contains("granularity"));
  EXPECT_EQ(a.at("segments"), json::object());
}

TEST(Annotation, ViewMembersUseTheViewTitle) {
  SemanticQuery q;
  q.measures = {"sales.revenue"};
  q.dimensions = {"sales.product_category", "sales.orders_status"};
  json::object a = format_annotation(q, *shop_model());
  EXPECT_EQ(a.at("measures").at("sales.revenue").at("title"), json::value("Sales Revenue"));
  EXPECT_EQ(a.at("dimensions").at("sales.product_category").at("shortTitle"),
            json::value("Product Category"));
  EXPECT_EQ(a.at("dimensions").at("sales.orders_status").at("title"),
            json::value("Sales Orders Status"));
}

TEST(Annotation, SegmentsAreAnnotated) {
  SemanticQuery q;
  q.measures = {"orders.count"};
  q.segments = {"orders.completed"};
  json::object a = format_annotation(q, *shop_model());
  EXPECT_EQ(a.at("segments").at("orders.completed").at("title"), json::value("Orders Completed"));
}

TEST(FormatResult, CubeFieldsTotalAndLimitReached) {
  Fixture f;
  f.query.total = true;
  f.result.total = 42;
  f.result.limit_reached = true;
  ResultInfo info;
  info.db_type = "duckdb";
  info.last_refresh_time = "2024-05-01T10:00:00.000Z";
  json::object normalized = json::parse(R"({"measures":["orders.count"]})").as_object();
  json::object r = format_result(f.result, f.query, normalized, *shop_model(), {}, info);
  EXPECT_EQ(r.at("query"), json::value(normalized));
  EXPECT_EQ(r.at("data").as_array().size(), 2u);
  EXPECT_EQ(r.at("lastRefreshTime"), json::value("2024-05-01T10:00:00.000Z"));
  EXPECT_TRUE(r.at("annotation").as_object().contains("timeDimensions"));
  EXPECT_EQ(r.at("dataSource"), json::value("default"));
  EXPECT_EQ(r.at("dbType"), json::value("duckdb"));
  EXPECT_EQ(r.at("external"), json::value(false));
  EXPECT_EQ(r.at("slowQuery"), json::value(false));
  EXPECT_EQ(r.at("total"), json::value(42));
  EXPECT_EQ(r.at("limitReached"), json::value(true));

  f.query.total = false;
  f.result.limit_reached = false;
  json::object plain = format_result(f.result, f.query, normalized, *shop_model(), {}, info);
  EXPECT_TRUE(plain.at("total").is_null());
  EXPECT_EQ(plain.at("limitReached"), json::value(false));
}

TEST(PivotQuery, RegularAddsQueryType) {
  std::vector<json::value> normalized{
      json::parse(R"({"measures":["orders.count"],"dimensions":[]})")};
  json::object p = pivot_query("regularQuery", normalized);
  EXPECT_EQ(p.at("queryType"), json::value("regularQuery"));
  EXPECT_EQ(p.at("measures"), json::parse(R"(["orders.count"])"));
}

TEST(PivotQuery, BlendingMergesMembersAndUsesTime) {
  std::vector<json::value> normalized{
      json::parse(R"({"measures":["orders.count"],"dimensions":["orders.status"],
                      "timeDimensions":[{"dimension":"orders.created_at","granularity":"month"}]})"),
      json::parse(R"({"measures":["users.count","orders.count"],"dimensions":[],
                      "timeDimensions":[{"dimension":"users.created_at","granularity":"month"}]})")};
  json::object p = pivot_query("blendingQuery", normalized);
  EXPECT_EQ(p.at("measures"), json::parse(R"(["orders.count","users.count"])"));
  EXPECT_EQ(p.at("dimensions"), json::parse(R"(["orders.status"])"));
  EXPECT_EQ(p.at("timeDimensions"), json::parse(R"([{"dimension":"time","granularity":"month"}])"));
  EXPECT_EQ(p.at("queryType"), json::value("blendingQuery"));
}

TEST(CheckBlending, RequiresOneGranularity) {
  SemanticQuery a, b;
  TimeDimensionQuery td;
  td.dimension = "orders.created_at";
  td.granularity = Granularity::kMonth;
  a.time_dimensions.push_back(td);
  td.dimension = "users.created_at";
  b.time_dimensions.push_back(td);
  EXPECT_NO_THROW(check_blending({a, b}));
  b.time_dimensions[0].granularity = Granularity::kDay;
  EXPECT_THROW(check_blending({a, b}), UserError);
  b.time_dimensions.clear();
  try {
    check_blending({a, b});
    FAIL();
  } catch (const UserError& e) {
    EXPECT_THAT(e.message(), ::testing::HasSubstr("without granularity"));
    EXPECT_EQ(e.context().json_path, "query[1].timeDimensions");
  }
}

}  // namespace
}  // namespace strata
