// Cube filters: every operator, nesting, value conversion and every check.
#include <gtest/gtest.h>

#include "query_test_util.h"

namespace strata::test {
namespace {

// One filter in a query that selects orders.count.
std::string with_filters(std::string_view filters) {
  return R"({"measures": ["orders.count"], "filters": )" + std::string(filters) + "}";
}

FilterNode one_filter(std::string_view filter) {
  SemanticQuery q = parse(with_filters("[" + std::string(filter) + "]"));
  EXPECT_EQ(q.filters.size(), 1u);
  return q.filters.at(0);
}

UserError filter_error(std::string_view filter) {
  return parse_error(with_filters("[" + std::string(filter) + "]"));
}

bool contains(const std::string& text, std::string_view part) {
  return text.find(part) != std::string::npos;
}

TEST(Filters, EqualsAndNotEqualsOnStrings) {
  FilterNode f = one_filter(
      R"({"member": "orders.status", "operator": "equals", "values": ["completed", "shipped"]})");
  EXPECT_EQ(f.kind, FilterNode::Kind::kCondition);
  EXPECT_EQ(f.member, "orders.status");
  EXPECT_EQ(f.op, FilterOp::kEquals);
  EXPECT_EQ(f.values, (std::vector<std::string>{"completed", "shipped"}));
  EXPECT_EQ(f.json_path, "filters[0]");
  EXPECT_FALSE(f.date_range);
  f = one_filter(R"({"member": "orders.status", "operator": "notEquals", "values": ["x"]})");
  EXPECT_EQ(f.op, FilterOp::kNotEquals);
}

TEST(Filters, NumbersAndBooleansBecomeCanonicalText) {
  FilterNode f = one_filter(
      R"({"member": "orders.amount", "operator": "equals", "values": [1, 2.5, "3", -4e2]})");
  EXPECT_EQ(f.values, (std::vector<std::string>{"1", "2.5", "3", "-400"}));
  f = one_filter(R"({"member": "orders.is_big", "operator": "equals", "values": [true, "false"]})");
  EXPECT_EQ(f.values, (std::vector<std::string>{"true", "false"}));
}

TEST(Filters, StringOperators) {
  const std::pair<const char*, FilterOp> ops[] = {
      {"contains", FilterOp::kContains},     {"notContains", FilterOp::kNotContains},
      {"startsWith", FilterOp::kStartsWith}, {"notStartsWith", FilterOp::kNotStartsWith},
      {"endsWith", FilterOp::kEndsWith},     {"notEndsWith", FilterOp::kNotEndsWith}};
  for (const auto& [name, op] : ops) {
    FilterNode f = one_filter(std::string(R"({"member": "users.city", "operator": ")") + name +
                              R"(", "values": ["York", "Ber"]})");
    EXPECT_EQ(f.op, op) << name;
    EXPECT_EQ(filter_op_name(f.op), name);
    EXPECT_EQ(f.values.size(), 2u);
  }
}

TEST(Filters, Comparisons) {
  const std::pair<const char*, FilterOp> ops[] = {{"gt", FilterOp::kGt},
                                                  {"gte", FilterOp::kGte},
                                                  {"lt", FilterOp::kLt},
                                                  {"lte", FilterOp::kLte}};
  for (const auto& [name, op] : ops) {
    const std::string n = name;
    EXPECT_EQ(
        one_filter(R"({"member": "orders.amount", "operator": ")" + n + R"(", "values": ["100"]})")
            .op,
        op);
    EXPECT_EQ(one_filter(R"({"member": "orders.count", "operator": ")" + n + R"(", "values": [5]})")
                  .values,
              std::vector<std::string>{"5"});
    EXPECT_EQ(one_filter(R"({"member": "orders.created_at", "operator": ")" + n +
                         R"(", "values": ["2024-01-01T00:00:00"]})")
                  .op,
              op);
  }
}

TEST(Filters, SetNotSetAndMeasureFilter) {
  FilterNode set = one_filter(R"({"member": "orders.status", "operator": "set"})");
  EXPECT_EQ(set.op, FilterOp::kSet);
  EXPECT_TRUE(set.values.empty());
  FilterNode not_set =
      one_filter(R"({"member": "orders.created_at", "operator": "notSet", "values": []})");
  EXPECT_EQ(not_set.op, FilterOp::kNotSet);
  FilterNode on_measure = one_filter(R"({"member": "orders.total_amount", "operator": "set"})");
  EXPECT_EQ(on_measure.op, FilterOp::kSet);
  FilterNode mf =
      one_filter(R"({"member": "orders.completed_count", "operator": "measureFilter"})");
  EXPECT_EQ(mf.op, FilterOp::kMeasureFilter);
}

TEST(Filters, DateRangeOperators) {
  FilterNode in = one_filter(
      R"({"member": "orders.created_at", "operator": "inDateRange", "values": ["2024-01-01", "2024-01-31"]})");
  EXPECT_EQ(in.op, FilterOp::kInDateRange);
  ASSERT_TRUE(in.date_range);
  EXPECT_EQ(*in.date_range, range(at(2024, 1, 1), at(2024, 2, 1)));
  EXPECT_EQ(in.values, (std::vector<std::string>{"2024-01-01", "2024-01-31"}));

  FilterNode not_in = one_filter(
      R"({"member": "orders.created_at", "operator": "notInDateRange", "values": ["last month"]})");
  EXPECT_EQ(not_in.op, FilterOp::kNotInDateRange);
  EXPECT_EQ(*not_in.date_range, range(at(2024, 4, 1), at(2024, 5, 1)));

  // Single-date operators keep the day's span; the planner picks the bound.
  const std::pair<const char*, FilterOp> ops[] = {{"beforeDate", FilterOp::kBeforeDate},
                                                  {"beforeOrOnDate", FilterOp::kBeforeOrOnDate},
                                                  {"afterDate", FilterOp::kAfterDate},
                                                  {"afterOrOnDate", FilterOp::kAfterOrOnDate}};
  for (const auto& [name, op] : ops) {
    FilterNode f = one_filter(std::string(R"({"member": "orders.created_at", "operator": ")") +
                              name + R"(", "values": ["2024-01-05"]})");
    EXPECT_EQ(f.op, op) << name;
    EXPECT_EQ(*f.date_range, range(at(2024, 1, 5), at(2024, 1, 6))) << name;
  }
  FilterNode ts = one_filter(
      R"({"member": "orders.created_at", "operator": "afterDate", "values": ["2024-01-05T10:00:00"]})");
  EXPECT_EQ(*ts.date_range, range(at(2024, 1, 5, 10), at(2024, 1, 5, 10, 0, 1)));
}

TEST(Filters, DateRangesUseTheQueryTimezone) {
  // 2024-01-01T05:00:00Z is midnight in New York; the end instant
  // 2024-01-02T04:59:59Z is 23:59:59 on January 1st there.
  SemanticQuery q = parse(R"({"measures": ["orders.count"], "timezone": "America/New_York",
      "filters": [{"member": "orders.created_at", "operator": "inDateRange",
                   "values": ["2024-01-01T05:00:00Z", "2024-01-02T04:59:59Z"]}]})");
  EXPECT_EQ(*q.filters[0].date_range, range(at(2024, 1, 1), at(2024, 1, 2)));
}

TEST(Filters, LegacyDimensionKey) {
  FilterNode f =
      one_filter(R"({"dimension": "orders.status", "operator": "equals", "values": ["a"]})");
  EXPECT_EQ(f.member, "orders.status");
}

TEST(Filters, ViewMembers) {
  FilterNode f =
      one_filter(R"({"member": "sales.users_city", "operator": "startsWith", "values": ["New"]})");
  EXPECT_EQ(f.member, "sales.users_city");
  f = one_filter(R"({"member": "sales.orders_count", "operator": "gt", "values": ["3"]})");
  EXPECT_EQ(f.op, FilterOp::kGt);
}

TEST(Filters, NestedGroupsAndPaths) {
  SemanticQuery q = parse(with_filters(R"([
    {"member": "orders.status", "operator": "set"},
    {"or": [
      {"member": "users.city", "operator": "equals", "values": ["Berlin"]},
      {"and": [
        {"member": "orders.amount", "operator": "gt", "values": ["10"]},
        {"or": [{"member": "orders.is_big", "operator": "equals", "values": [true]}]}
      ]}
    ]}
  ])"));
  ASSERT_EQ(q.filters.size(), 2u);
  const FilterNode& group = q.filters[1];
  EXPECT_EQ(group.kind, FilterNode::Kind::kOr);
  EXPECT_EQ(group.json_path, "filters[1]");
  ASSERT_EQ(group.children.size(), 2u);
  EXPECT_EQ(group.children[0].json_path, "filters[1].or[0]");
  const FilterNode& inner = group.children[1];
  EXPECT_EQ(inner.kind, FilterNode::Kind::kAnd);
  EXPECT_EQ(inner.json_path, "filters[1].or[1]");
  EXPECT_EQ(inner.children[0].json_path, "filters[1].or[1].and[0]");
  EXPECT_EQ(inner.children[1].kind, FilterNode::Kind::kOr);
  EXPECT_EQ(inner.children[1].children[0].json_path, "filters[1].or[1].and[1].or[0]");
  EXPECT_EQ(inner.children[1].children[0].member, "orders.is_big");
}

TEST(Filters, ErrorPathReachesIntoNestedValues) {
  UserError e = parse_error(with_filters(R"([
    {"member": "orders.status", "operator": "set"},
    {"member": "orders.status", "operator": "set"},
    {"or": [{"member": "orders.amount", "operator": "equals", "values": ["1", "abc"]}]}
  ])"));
  EXPECT_EQ(e.context().json_path, "filters[2].or[0].values[1]");
  EXPECT_TRUE(contains(e.message(), "expected a number")) << e.message();
  EXPECT_TRUE(contains(e.message(), "a number dimension")) << e.message();
  EXPECT_TRUE(contains(e.message(), "'abc'"));
  EXPECT_TRUE(contains(e.what(), "filters[2].or[0].values[1]"));
}

TEST(Filters, UnknownOperator) {
  UserError e = filter_error(R"({"member": "orders.status", "operator": "like", "values": ["a"]})");
  EXPECT_EQ(e.message(), "unknown filter operator 'like'");
  EXPECT_EQ(e.context().json_path, "filters[0].operator");
  EXPECT_TRUE(contains(e.context().hint, "notStartsWith"));
  EXPECT_TRUE(contains(e.context().hint, "measureFilter"));
}

TEST(Filters, UnknownMember) {
  UserError e = filter_error(R"({"member": "orders.stauts", "operator": "set"})");
  EXPECT_EQ(e.message(), "unknown member 'orders.stauts'");
  EXPECT_EQ(e.context().json_path, "filters[0].member");
  EXPECT_TRUE(contains(e.context().hint, "'orders.status'")) << e.context().hint;
  UserError legacy = filter_error(R"({"dimension": "orders.nope", "operator": "set"})");
  EXPECT_EQ(legacy.context().json_path, "filters[0].dimension");
}

TEST(Filters, ValueCounts) {
  UserError set =
      filter_error(R"({"member": "orders.status", "operator": "set", "values": ["x"]})");
  EXPECT_EQ(set.message(), "'set' takes no values");
  EXPECT_EQ(set.context().json_path, "filters[0].values");
  UserError mf = filter_error(
      R"({"member": "orders.completed_count", "operator": "measureFilter", "values": ["1"]})");
  EXPECT_TRUE(contains(mf.message(), "takes no values"));
  UserError eq = filter_error(R"({"member": "orders.status", "operator": "equals", "values": []})");
  EXPECT_EQ(eq.message(), "'equals' needs at least one value");
  EXPECT_TRUE(contains(eq.context().hint, "set or notSet"));
  UserError missing = filter_error(R"({"member": "orders.status", "operator": "contains"})");
  EXPECT_TRUE(contains(missing.message(), "needs at least one value"));
  UserError gt =
      filter_error(R"({"member": "orders.amount", "operator": "gt", "values": ["1", "2"]})");
  EXPECT_TRUE(contains(gt.message(), "exactly one value, got 2"));
  UserError in = filter_error(
      R"({"member": "orders.created_at", "operator": "inDateRange", "values": ["2024-01-01", "2024-01-02", "2024-01-03"]})");
  EXPECT_TRUE(contains(in.message(), "two dates"));
  UserError before = filter_error(
      R"({"member": "orders.created_at", "operator": "beforeDate", "values": ["2024-01-01", "2024-01-02"]})");
  EXPECT_TRUE(contains(before.message(), "exactly one date"));
}

TEST(Filters, NullValues) {
  UserError eq =
      filter_error(R"({"member": "orders.status", "operator": "equals", "values": [null]})");
  EXPECT_EQ(eq.context().json_path, "filters[0].values[0]");
  EXPECT_TRUE(contains(eq.context().hint, "notSet"));
  UserError ne =
      filter_error(R"({"member": "orders.status", "operator": "notEquals", "values": [null]})");
  EXPECT_TRUE(contains(ne.context().hint, "the set operator"));
  UserError other =
      filter_error(R"({"member": "orders.status", "operator": "contains", "values": ["a", null]})");
  EXPECT_EQ(other.context().json_path, "filters[0].values[1]");
}

TEST(Filters, OperatorMustFitTheMemberType) {
  UserError contains_number =
      filter_error(R"({"member": "orders.amount", "operator": "contains", "values": ["1"]})");
  EXPECT_EQ(contains_number.message(),
            "operator 'contains' applies to string dimensions, but 'orders.amount' is a number "
            "dimension");
  EXPECT_EQ(contains_number.context().json_path, "filters[0].operator");
  EXPECT_TRUE(contains(contains_number.context().hint, "gte"));

  UserError date_on_string = filter_error(
      R"({"member": "orders.status", "operator": "inDateRange", "values": ["last week"]})");
  EXPECT_TRUE(contains(date_on_string.message(), "applies to time dimensions"));
  EXPECT_TRUE(contains(date_on_string.message(), "a string dimension"));

  UserError date_on_measure = filter_error(
      R"({"member": "orders.count", "operator": "afterDate", "values": ["2024-01-01"]})");
  EXPECT_TRUE(contains(date_on_measure.message(), "a count measure"));

  UserError mf_on_dimension =
      filter_error(R"({"member": "orders.status", "operator": "measureFilter"})");
  EXPECT_TRUE(contains(mf_on_dimension.message(), "applies to measures"));

  UserError gt_on_string =
      filter_error(R"({"member": "orders.status", "operator": "gt", "values": ["a"]})");
  EXPECT_TRUE(contains(gt_on_string.message(), "'gt' applies to numbers and times"));

  UserError contains_on_measure =
      filter_error(R"({"member": "orders.count", "operator": "startsWith", "values": ["1"]})");
  EXPECT_TRUE(contains(contains_on_measure.context().hint, "measures take"));
}

TEST(Filters, ValuesMustFitTheMemberType) {
  UserError boolean =
      filter_error(R"({"member": "orders.is_big", "operator": "equals", "values": ["yes"]})");
  EXPECT_EQ(boolean.message(),
            "expected true or false for 'orders.is_big' (a boolean dimension), got 'yes'");
  EXPECT_EQ(boolean.context().json_path, "filters[0].values[0]");

  UserError time = filter_error(
      R"({"member": "orders.created_at", "operator": "gte", "values": ["yesterday"]})");
  EXPECT_TRUE(contains(time.message(), "expected an ISO date or timestamp")) << time.message();
  EXPECT_TRUE(contains(time.message(), "a time dimension"));
  EXPECT_TRUE(contains(time.context().hint, "inDateRange"));

  UserError measure =
      filter_error(R"({"member": "orders.total_amount", "operator": "lt", "values": ["lots"]})");
  EXPECT_TRUE(contains(measure.message(),
                       "expected a number for 'orders.total_amount' (a sum "
                       "measure)"));
  for (const char* bad : {R"("")", R"("1,5")", R"("inf")", R"("nan")", R"("0x10")", R"(" 1")"}) {
    UserError e = filter_error(
        std::string(R"({"member": "orders.amount", "operator": "equals", "values": [)") + bad +
        "]}");
    EXPECT_TRUE(contains(e.message(), "expected a number")) << bad;
  }
}

TEST(Filters, BadDatesInDateOperators) {
  UserError impossible = filter_error(
      R"({"member": "orders.created_at", "operator": "inDateRange", "values": ["2024-02-01", "2024-01-01"]})");
  EXPECT_TRUE(contains(impossible.message(), "impossible date range")) << impossible.message();
  EXPECT_EQ(impossible.context().json_path, "filters[0].values");
  UserError bad_date = filter_error(
      R"({"member": "orders.created_at", "operator": "inDateRange", "values": ["2024-01-01", "2024-02-30"]})");
  EXPECT_EQ(bad_date.context().json_path, "filters[0].values[1]");
  EXPECT_TRUE(contains(bad_date.message(), "'2024-02-30' is not a date"));
  UserError phrase = filter_error(
      R"({"member": "orders.created_at", "operator": "beforeDate", "values": ["soonish"]})");
  EXPECT_EQ(phrase.context().json_path, "filters[0].values[0]");
}

TEST(Filters, ShapeErrors) {
  UserError not_array = parse_error(with_filters(R"({"member": "orders.status"})"));
  EXPECT_EQ(not_array.context().json_path, "filters");
  UserError not_object = filter_error(R"("orders.status = 'x'")");
  EXPECT_EQ(not_object.context().json_path, "filters[0]");
  EXPECT_TRUE(contains(not_object.context().hint, "\"operator\""));
  UserError values_not_array =
      filter_error(R"({"member": "orders.status", "operator": "equals", "values": "x"})");
  EXPECT_EQ(values_not_array.context().json_path, "filters[0].values");
  UserError both = filter_error(R"({"and": [], "or": []})");
  EXPECT_TRUE(contains(both.message(), "not both"));
  UserError mixed = filter_error(R"({"member": "orders.status", "operator": "set", "or": []})");
  EXPECT_TRUE(contains(mixed.message(), "not both"));
  UserError empty = filter_error(R"({"or": []})");
  EXPECT_EQ(empty.context().json_path, "filters[0].or");
  UserError segment = filter_error(R"({"member": "orders.completed", "operator": "set"})");
  EXPECT_TRUE(contains(segment.message(), "is a segment"));
  UserError no_operator = filter_error(R"({"member": "orders.status", "values": ["a"]})");
  EXPECT_EQ(no_operator.message(), "a filter needs an operator");
  UserError no_member = filter_error(R"({"operator": "set"})");
  EXPECT_EQ(no_member.message(), "a filter needs a member");
  UserError object_value =
      filter_error(R"({"member": "orders.status", "operator": "equals", "values": [{"a": 1}]})");
  EXPECT_TRUE(contains(object_value.message(), "must be a string, number or boolean"));
  UserError two_members =
      filter_error(R"({"member": "orders.status", "dimension": "users.city", "operator": "set"})");
  EXPECT_TRUE(contains(two_members.message(), "two members"));
}

}  // namespace
}  // namespace strata::test
