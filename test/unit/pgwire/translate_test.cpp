// SQL -> SemanticQuery on the shop fixture model: each case states the
// SemanticQuery fields it must produce, written by hand.
#include "pgwire/translate.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "core/error.h"
#include "model/loader.h"
#include "pgwire/catalog.h"
#include "pgwire/sql_text.h"

namespace strata::pgwire {
namespace {

class TranslateTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    model_ = load_model(std::string(STRATA_SOURCE_DIR) + "/test/fixtures/shop/model");
    catalog_ = std::make_unique<Catalog>(*model_, CatalogOptions{});
  }
  static void TearDownTestSuite() {
    catalog_.reset();
    model_.reset();
  }

  BlockPlan translate(const std::string& sql,
                      const std::vector<std::optional<std::string>>* params = nullptr,
                      const std::string& tz = "UTC") {
    parsed_ = ParsedSql::parse(sql);
    const auto& st = parsed_->statements().at(0);
    TranslateContext ctx;
    ctx.catalog = catalog_.get();
    ctx.params = params;
    ctx.timezone = tz;
    ctx.limits = {10000, 50000};
    return translate_block(*node_of(*st.value).second, *parsed_, ctx, true, "t1");
  }

  // "code at position" of the error a translation throws.
  std::string error_of(const std::string& sql) {
    try {
      translate(sql);
    } catch (const Error& e) {
      return e.sqlstate() + "@" + std::to_string(e.context().position);
    }
    return "no error";
  }

  static std::shared_ptr<const Model> model_;
  static std::unique_ptr<Catalog> catalog_;
  std::shared_ptr<const ParsedSql> parsed_;
};

std::shared_ptr<const Model> TranslateTest::model_;
std::unique_ptr<Catalog> TranslateTest::catalog_;

using Strings = std::vector<std::string>;

TEST_F(TranslateTest, TheIssueExampleIsOneDirectQuery) {
  BlockPlan p = translate(
      "SELECT status, MEASURE(count), MEASURE(total_amount) FROM orders "
      "WHERE created_at >= '2024-01-01' GROUP BY 1 ORDER BY 3 DESC LIMIT 10");
  ASSERT_TRUE(p.direct) << p.not_direct_reason;
  const SemanticQuery& q = p.query;
  EXPECT_EQ(q.dimensions, Strings{"orders.status"});
  EXPECT_EQ(q.measures, (Strings{"orders.count", "orders.total_amount"}));
  ASSERT_EQ(q.filters.size(), 1u);
  EXPECT_EQ(q.filters[0].kind, FilterNode::Kind::kCondition);
  EXPECT_EQ(q.filters[0].member, "orders.created_at");
  EXPECT_EQ(q.filters[0].op, FilterOp::kGte);
  EXPECT_EQ(q.filters[0].values, Strings{"2024-01-01"});
  ASSERT_EQ(q.order.size(), 1u);
  EXPECT_EQ(q.order[0].member, "orders.total_amount");
  EXPECT_TRUE(q.order[0].descending);
  EXPECT_TRUE(q.order_given);
  EXPECT_EQ(q.limit, 10);
  EXPECT_TRUE(q.limit_given);
  EXPECT_FALSE(q.ungrouped);
  EXPECT_EQ(q.timezone, "UTC");
  ASSERT_EQ(p.outputs.size(), 3u);
  EXPECT_EQ(p.outputs[0].name, "status");
  EXPECT_EQ(p.outputs[0].key, "orders.status");
  EXPECT_EQ(p.outputs[0].type_oid, 25);
  EXPECT_EQ(p.outputs[1].name, "measure");
  EXPECT_EQ(p.outputs[1].type_oid, 20);
  EXPECT_EQ(p.outputs[2].type_oid, 1700);
}

TEST_F(TranslateTest, AggregatesMatchingMeasureTypes) {
  BlockPlan p = translate(
      "SELECT COUNT(*) AS n, SUM(total_amount), AVG(average_amount), MIN(min_amount), "
      "MAX(max_amount), COUNT(DISTINCT buyers) FROM orders");
  ASSERT_TRUE(p.direct) << p.not_direct_reason;
  EXPECT_TRUE(p.query.dimensions.empty());
  EXPECT_EQ(p.query.measures,
            (Strings{"orders.count", "orders.total_amount", "orders.average_amount",
                     "orders.min_amount", "orders.max_amount", "orders.buyers"}));
  EXPECT_EQ(p.outputs[0].name, "n");
  EXPECT_EQ(p.outputs[1].name, "sum");
  EXPECT_FALSE(p.query.limit_given);
  EXPECT_EQ(p.query.limit, 50000);
}

TEST_F(TranslateTest, DateTruncIsATimeDimension) {
  BlockPlan p = translate(
      "SELECT DATE_TRUNC('month', created_at) AS month, COUNT(*) FROM orders "
      "GROUP BY 1 ORDER BY 1");
  ASSERT_TRUE(p.direct) << p.not_direct_reason;
  ASSERT_EQ(p.query.time_dimensions.size(), 1u);
  EXPECT_EQ(p.query.time_dimensions[0].dimension, "orders.created_at");
  EXPECT_EQ(p.query.time_dimensions[0].granularity, Granularity::kMonth);
  EXPECT_TRUE(p.query.dimensions.empty());
  ASSERT_EQ(p.query.order.size(), 1u);
  EXPECT_EQ(p.query.order[0].member, "orders.created_at.month");
  EXPECT_FALSE(p.query.order[0].descending);
  EXPECT_EQ(p.outputs[0].name, "month");
  EXPECT_EQ(p.outputs[0].key, "orders.created_at.month");
  EXPECT_EQ(p.outputs[0].type_oid, 1114);
}

TEST_F(TranslateTest, SegmentsAreBooleanColumnsAndInequalityExcludesNulls) {
  BlockPlan p = translate("SELECT MEASURE(count) FROM orders WHERE completed AND status <> 'x'");
  ASSERT_TRUE(p.direct);
  EXPECT_EQ(p.query.segments, Strings{"orders.completed"});
  ASSERT_EQ(p.query.filters.size(), 1u);
  const FilterNode& f = p.query.filters[0];
  ASSERT_EQ(f.kind, FilterNode::Kind::kAnd);
  ASSERT_EQ(f.children.size(), 2u);
  EXPECT_EQ(f.children[0].op, FilterOp::kNotEquals);
  EXPECT_EQ(f.children[0].values, Strings{"x"});
  EXPECT_EQ(f.children[1].op, FilterOp::kSet);
}

TEST_F(TranslateTest, HavingOnMeasuresBecomesMeasureFilters) {
  BlockPlan p = translate(
      "SELECT status, MEASURE(count) FROM orders GROUP BY status HAVING MEASURE(count) > 1");
  ASSERT_TRUE(p.direct) << p.not_direct_reason;
  ASSERT_EQ(p.query.filters.size(), 1u);
  EXPECT_EQ(p.query.filters[0].member, "orders.count");
  EXPECT_EQ(p.query.filters[0].op, FilterOp::kGt);
  EXPECT_EQ(p.query.filters[0].values, Strings{"1"});
}

TEST_F(TranslateTest, InLikeBetweenAndNullTests) {
  BlockPlan p = translate(
      "SELECT MEASURE(count) FROM orders WHERE status IN ('completed', 'pending') "
      "AND status ILIKE '%comp%' AND amount BETWEEN 10 AND 100 AND created_at IS NOT NULL "
      "AND status NOT LIKE 'x'");
  ASSERT_TRUE(p.direct) << p.not_direct_reason;
  const auto& f = p.query.filters;
  ASSERT_EQ(f.size(), 5u);
  EXPECT_EQ(f[0].op, FilterOp::kEquals);
  EXPECT_EQ(f[0].values, (Strings{"completed", "pending"}));
  EXPECT_EQ(f[1].op, FilterOp::kContains);
  EXPECT_EQ(f[1].values, Strings{"comp"});
  ASSERT_EQ(f[2].kind, FilterNode::Kind::kAnd);
  EXPECT_EQ(f[2].children[0].op, FilterOp::kGte);
  EXPECT_EQ(f[2].children[0].values, Strings{"10"});
  EXPECT_EQ(f[2].children[1].op, FilterOp::kLte);
  EXPECT_EQ(f[2].children[1].values, Strings{"100"});
  EXPECT_EQ(f[3].op, FilterOp::kSet);
  EXPECT_EQ(f[3].member, "orders.created_at");
  ASSERT_EQ(f[4].kind, FilterNode::Kind::kAnd);  // NOT LIKE without wildcards: <> and not NULL
  EXPECT_EQ(f[4].children[0].op, FilterOp::kNotEquals);
}

TEST_F(TranslateTest, OrBecomesAnOrFilterAndNotNegates) {
  BlockPlan p = translate(
      "SELECT MEASURE(count) FROM orders WHERE (status = 'a' OR amount < 5) AND NOT (amount > 7)");
  ASSERT_TRUE(p.direct);
  ASSERT_EQ(p.query.filters.size(), 2u);
  EXPECT_EQ(p.query.filters[0].kind, FilterNode::Kind::kOr);
  EXPECT_EQ(p.query.filters[0].children[1].op, FilterOp::kLt);
  EXPECT_EQ(p.query.filters[1].op, FilterOp::kLte);
  EXPECT_EQ(p.query.filters[1].values, Strings{"7"});
}

TEST_F(TranslateTest, ParametersAndNegativeNumbers) {
  std::vector<std::optional<std::string>> params = {std::string("pending"), std::string("5")};
  BlockPlan p =
      translate("SELECT status FROM orders WHERE status = $1 AND amount > -3 LIMIT $2", &params);
  ASSERT_TRUE(p.direct);
  ASSERT_EQ(p.query.filters.size(), 2u);
  EXPECT_EQ(p.query.filters[0].values, Strings{"pending"});
  EXPECT_EQ(p.query.filters[1].values, Strings{"-3"});
  EXPECT_EQ(p.query.limit, 5);
}

TEST_F(TranslateTest, JoinsMapOntoTheModel) {
  BlockPlan p = translate(
      "SELECT u.city, MEASURE(o.count) FROM orders o JOIN users u ON o.user_id = u.id "
      "GROUP BY 1");
  ASSERT_TRUE(p.direct) << p.not_direct_reason;
  EXPECT_EQ(p.query.dimensions, Strings{"users.city"});
  EXPECT_EQ(p.query.measures, Strings{"orders.count"});
  BlockPlan c =
      translate("SELECT users.city, MEASURE(orders.count) FROM orders CROSS JOIN users GROUP BY 1");
  EXPECT_TRUE(c.direct);
  EXPECT_EQ(error_of("SELECT 1 FROM orders o JOIN users u ON o.amount > u.id"), "0A000@40");
}

TEST_F(TranslateTest, UngroupedRowsAndSelectStar) {
  BlockPlan p = translate("SELECT status, amount FROM orders WHERE amount > 50 LIMIT 3");
  ASSERT_TRUE(p.direct);
  EXPECT_TRUE(p.query.ungrouped);
  EXPECT_EQ(p.query.dimensions, (Strings{"orders.status", "orders.amount"}));
  EXPECT_EQ(p.query.limit, 3);

  BlockPlan s = translate("SELECT * FROM orders LIMIT 0");
  ASSERT_TRUE(s.direct);
  EXPECT_TRUE(s.skip_run);
  EXPECT_TRUE(s.query.ungrouped);
  // Dimensions, then measures, then segments (always NULL), as \d orders lists them.
  ASSERT_EQ(s.outputs.size(), 15u);
  EXPECT_EQ(s.outputs[0].name, "id");
  EXPECT_EQ(s.outputs[5].name, "count");
  EXPECT_EQ(s.outputs[14].name, "completed");
  EXPECT_EQ(s.outputs[14].key, "");
  EXPECT_EQ(s.outputs[14].type_oid, 16);
}

TEST_F(TranslateTest, DistinctGroupsByDimensions) {
  BlockPlan p = translate("SELECT DISTINCT status FROM orders");
  ASSERT_TRUE(p.direct) << p.not_direct_reason;
  EXPECT_FALSE(p.query.ungrouped);
  EXPECT_EQ(p.query.dimensions, Strings{"orders.status"});
}

TEST_F(TranslateTest, ViewsAreTables) {
  BlockPlan p =
      translate("SELECT orders_status, MEASURE(revenue) FROM sales GROUP BY 1 ORDER BY 2 DESC");
  ASSERT_TRUE(p.direct) << p.not_direct_reason;
  EXPECT_EQ(p.query.dimensions, Strings{"sales.orders_status"});
  EXPECT_EQ(p.query.measures, Strings{"sales.revenue"});
}

TEST_F(TranslateTest, SessionTimeZoneIsTheQueryTimeZone) {
  BlockPlan p = translate("SELECT MEASURE(count) FROM orders", nullptr, "Europe/Berlin");
  EXPECT_EQ(p.query.timezone, "Europe/Berlin");
}

TEST_F(TranslateTest, RicherSqlIsPostProcessed) {
  BlockPlan p = translate("SELECT status, MEASURE(count) * 2 AS twice FROM orders GROUP BY 1");
  EXPECT_FALSE(p.direct);
  EXPECT_EQ(p.query.dimensions, Strings{"orders.status"});
  EXPECT_EQ(p.query.measures, Strings{"orders.count"});
  EXPECT_FALSE(p.edits.empty());
  std::string text = apply_edits(parsed_->text(), p.edits, 0, parsed_->text().size());
  EXPECT_EQ(text,
            "SELECT \"t1\".\"orders.status\" AS \"status\", max(\"t1\".\"orders.count\") * 2 AS "
            "twice FROM \"t1\" GROUP BY 1");
}

TEST_F(TranslateTest, CoarserGroupsReaggregateAdditiveMeasures) {
  BlockPlan p = translate("SELECT upper(status), SUM(total_amount) FROM orders GROUP BY 1");
  EXPECT_FALSE(p.direct);
  EXPECT_EQ(p.query.dimensions, Strings{"orders.status"});
  std::string text = apply_edits(parsed_->text(), p.edits, 0, parsed_->text().size());
  EXPECT_EQ(text,
            "SELECT upper(\"t1\".\"orders.status\") AS \"upper\", "
            "sum(\"t1\".\"orders.total_amount\") AS \"sum\" FROM \"t1\" GROUP BY 1");
  EXPECT_EQ(error_of("SELECT upper(status), AVG(average_amount) FROM orders GROUP BY 1"),
            "0A000@23");
}

TEST_F(TranslateTest, ErrorsCarrySqlstateAndPosition) {
  // Unknown column: 42703 at the column.
  EXPECT_EQ(error_of("SELECT statuss FROM orders"), "42703@8");
  // Aggregate that does not match the measure's type.
  EXPECT_EQ(error_of("SELECT SUM(count) FROM orders"), "0A000@8");
  // A measure in WHERE.
  EXPECT_EQ(error_of("SELECT status FROM orders WHERE count > 2"), "42803@33");
  // MEASURE() over a dimension.
  EXPECT_EQ(error_of("SELECT MEASURE(status) FROM orders"), "42883@8");
  // Ambiguous column across a join.
  EXPECT_EQ(error_of("SELECT count FROM orders JOIN users ON orders.id = users.id"), "42702@8");
  // A segment in the SELECT list.
  EXPECT_EQ(error_of("SELECT completed FROM orders"), "0A000@8");
  // A cube joined with a subquery.
  EXPECT_EQ(error_of("SELECT 1 FROM orders, (SELECT 1) s"), "0A000@23");
}

}  // namespace
}  // namespace strata::pgwire
