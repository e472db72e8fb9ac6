// The model syntax the loader accepts: references, spellings, JSON files,
// meta and views. Expected values are what the YAML in each test says.
#include <gtest/gtest.h>

#include "model/loader.h"
#include "model_test_util.h"

namespace strata {
namespace {

using testing::alias;
using testing::load_yaml;
using testing::measure_ref;
using testing::only_issue;
using testing::text;
using Parts = std::vector<SqlTemplate::Part>;

// One cube `orders` with the given dimension sql (type string) named `d`.
std::shared_ptr<const Model> with_dimension_sql(const std::string& sql) {
  return load_yaml(
      "cubes:\n  - name: orders\n    sql_table: orders\n    dimensions:\n"
      "      - name: d\n        type: string\n        sql: \"" +
      sql + "\"\n");
}

Parts dimension_parts(const std::string& sql) {
  return with_dimension_sql(sql)->find_cube("orders")->find_dimension("d")->sql.parts;
}

TEST(References, QuotedTextIsNotAReference) {
  EXPECT_EQ(dimension_parts("{CUBE}.note = '{not a ref}'"),
            (Parts{alias("orders"), text(".note = '{not a ref}'")}));
  // A doubled quote stays inside the string.
  EXPECT_EQ(dimension_parts("{CUBE}.note = 'it''s {x}' || {CUBE}.y"),
            (Parts{alias("orders"), text(".note = 'it''s {x}' || "), alias("orders"), text(".y")}));
}

TEST(References, CubeAliases) {
  EXPECT_EQ(dimension_parts("{CUBE}.col"), (Parts{alias("orders"), text(".col")}));
  EXPECT_EQ(dimension_parts("{orders}.col"), (Parts{alias("orders"), text(".col")}));
  EXPECT_EQ(dimension_parts("lower({ CUBE }.col)"),
            (Parts{text("lower("), alias("orders"), text(".col)")}));
}

TEST(References, BareIdentifierIsTheCubesColumn) {
  EXPECT_EQ(dimension_parts("status"), (Parts{alias("orders"), text(".status")}));
  EXPECT_EQ(dimension_parts("  _col9 "), (Parts{alias("orders"), text("._col9")}));
  // Keywords that stand for values, and anything that is not one identifier,
  // are taken as written.
  EXPECT_EQ(dimension_parts("NULL"), (Parts{text("NULL")}));
  EXPECT_EQ(dimension_parts("true"), (Parts{text("true")}));
  EXPECT_EQ(dimension_parts("quantity * price"), (Parts{text("quantity * price")}));
  EXPECT_EQ(dimension_parts("1"), (Parts{text("1")}));
}

TEST(References, DimensionsInlineRecursivelyAcrossCubes) {
  auto model = load_yaml(R"yaml(cubes:
  - name: orders
    sql_table: orders
    dimensions:
      - name: city_upper
        sql: "upper({users.city})"
        type: string
      - name: label
        sql: "{city_upper} || {orders.id}"
        type: string
      - name: id
        sql: id
        type: number
  - name: users
    sql_table: users
    dimensions:
      - name: city
        sql: "{CUBE}.city_name"
        type: string
)yaml");
  const Cube* orders = model->find_cube("orders");
  EXPECT_EQ(orders->find_dimension("city_upper")->sql.parts,
            (Parts{text("upper(("), alias("users"), text(".city_name))")}));
  EXPECT_EQ(orders->find_dimension("label")->sql.to_string(),
            "(upper(({users}.city_name))) || ({orders}.id)");
  EXPECT_EQ(orders->find_dimension("label")->sql.cubes(),
            (std::set<std::string>{"orders", "users"}));
}

TEST(References, MeasureSqlInlinesDimensionsAndNumberMeasuresReferenceMeasures) {
  auto model = load_yaml(R"yaml(cubes:
  - name: orders
    sql_table: orders
    dimensions:
      - name: amount
        sql: amount
        type: number
    measures:
      - name: total
        sql: "{amount}"
        type: sum
      - name: big_count
        type: count
        filters:
          - sql: "{amount} > 100"
          - sql: "{CUBE}.status <> 'void'"
      - name: per_user
        sql: "{total} / {users.count}"
        type: number
  - name: users
    sql_table: users
    measures:
      - name: count
        type: count
)yaml");
  const Cube* orders = model->find_cube("orders");
  EXPECT_EQ(orders->find_measure("total")->sql.parts,
            (Parts{text("("), alias("orders"), text(".amount)")}));
  const Measure* big = orders->find_measure("big_count");
  ASSERT_EQ(big->filters.size(), 2u);
  EXPECT_EQ(big->filters[0].parts, (Parts{text("("), alias("orders"), text(".amount) > 100")}));
  EXPECT_EQ(big->filters[1].parts, (Parts{alias("orders"), text(".status <> 'void'")}));
  EXPECT_EQ(orders->find_measure("per_user")->sql.parts,
            (Parts{measure_ref("orders.total"), text(" / "), measure_ref("users.count")}));
}

TEST(References, MalformedReference) {
  ModelIssue i = only_issue(R"yaml(cubes:
  - name: orders
    sql_table: orders
    dimensions:
      - name: x
        sql: "{a.b.c} + 1"
        type: number
)yaml");
  EXPECT_EQ(i.message, "malformed reference '{a.b.c}' in the sql of dimension orders.x");
  EXPECT_EQ(i.loc.line, 6);
}

TEST(Syntax, JsonModelFile) {
  auto model = load_model_from_files({{"orders.json", R"yaml({
	"cubes": [
		{
			"name": "orders",
			"sql_table": "public.orders",
			"dimensions": [
				{"name": "id", "sql": "id", "type": "number", "primary_key": true},
				{"name": "status", "sql": "{CUBE}.status", "type": "string"}
			],
			"measures": [{"name": "count", "type": "count", "meta": {"unit": "orders", "n": 1}}]
		}
	]
})yaml"}});
  const Cube* orders = model->find_cube("orders");
  ASSERT_NE(orders, nullptr);
  EXPECT_EQ(orders->sql_table, "public.orders");
  EXPECT_EQ(orders->loc.file, "orders.json");
  EXPECT_EQ(orders->loc.line, 3);  // where the cube's object opens
  ASSERT_EQ(orders->primary_keys().size(), 1u);
  EXPECT_EQ(orders->primary_keys()[0]->name, "id");
  EXPECT_EQ(orders->find_dimension("status")->sql.parts, (Parts{alias("orders"), text(".status")}));
  EXPECT_EQ(orders->find_measure("count")->meta_json, R"({"unit":"orders","n":1})");
}

TEST(Syntax, CamelCaseKeysAndValues) {
  auto model = load_yaml(R"yaml(cubes:
  - name: orders
    sqlTable: orders
    dataSource: warehouse
    shown: false
    joins:
      - name: users
        relationship: belongsTo
        sql: "{CUBE}.user_id = {users}.id"
    dimensions:
      - name: id
        sql: id
        type: number
        primaryKey: true
      - name: secret
        sql: secret
        type: string
        shown: false
    measures:
      - name: buyers
        sql: user_id
        type: countDistinct
        drillMembers: [id, users.id]
      - name: buyers_approx
        sql: user_id
        type: countDistinctApprox
        public: false
  - name: users
    sql: SELECT * FROM users
    joins:
      - name: profiles
        relationship: hasOne
        sql: "{users}.id = {profiles}.user_id"
    dimensions:
      - name: id
        sql: id
        type: number
        primary_key: true
  - name: profiles
    sql_table: profiles
views:
  - name: v
    public: false
    cubes:
      - joinPath: orders.users
        includes: "*"
)yaml");
  const Cube* orders = model->find_cube("orders");
  EXPECT_EQ(orders->sql_table, "orders");
  EXPECT_EQ(orders->data_source, "warehouse");
  EXPECT_FALSE(orders->shown);
  EXPECT_EQ(orders->joins[0].relationship, Relationship::kManyToOne);
  EXPECT_TRUE(orders->find_dimension("id")->primary_key);
  EXPECT_TRUE(orders->find_dimension("id")->shown);
  EXPECT_FALSE(orders->find_dimension("secret")->shown);
  EXPECT_EQ(orders->find_measure("buyers")->type, MeasureType::kCountDistinct);
  EXPECT_EQ(orders->find_measure("buyers")->drill_members,
            (std::vector<std::string>{"orders.id", "users.id"}));
  EXPECT_EQ(orders->find_measure("buyers_approx")->type, MeasureType::kCountDistinctApprox);
  EXPECT_FALSE(orders->find_measure("buyers_approx")->shown);
  const Cube* users = model->find_cube("users");
  EXPECT_EQ(users->sql, "SELECT * FROM users");
  EXPECT_EQ(users->sql_table, "");
  EXPECT_EQ(users->data_source, "default");
  EXPECT_EQ(users->joins[0].relationship, Relationship::kOneToOne);
  const View* v = model->find_view("v");
  EXPECT_FALSE(v->shown);
  ASSERT_EQ(v->members.size(), 1u);
  EXPECT_EQ(v->members[0].join_path, (std::vector<std::string>{"orders", "users"}));
}

TEST(Syntax, OlderRelationshipNames) {
  auto model = load_yaml(R"yaml(cubes:
  - name: a
    sql_table: a
    joins:
      - name: b
        relationship: belongs_to
        sql: "{a}.b_id = {b}.id"
      - name: c
        relationship: has_many
        sql: "{a}.id = {c}.a_id"
      - name: d
        relationship: has_one
        sql: "{a}.id = {d}.a_id"
      - name: e
        relationship: hasMany
        sql: "{a}.id = {e}.a_id"
      - name: f
        relationship: oneToMany
        sql: "{a}.id = {f}.a_id"
  - {name: b, sql_table: b}
  - {name: c, sql_table: c}
  - {name: d, sql_table: d}
  - {name: e, sql_table: e}
  - {name: f, sql_table: f}
)yaml");
  const auto& joins = model->find_cube("a")->joins;
  ASSERT_EQ(joins.size(), 5u);
  EXPECT_EQ(joins[0].relationship, Relationship::kManyToOne);
  EXPECT_EQ(joins[1].relationship, Relationship::kOneToMany);
  EXPECT_EQ(joins[2].relationship, Relationship::kOneToOne);
  EXPECT_EQ(joins[3].relationship, Relationship::kOneToMany);
  EXPECT_EQ(joins[4].relationship, Relationship::kOneToMany);
}

TEST(Syntax, MetaIsSerializedAsJson) {
  auto model = load_yaml(R"yaml(cubes:
  - name: orders
    sql_table: orders
    meta:
      owner: "sales team"
      tags: [finance, 2024, "2024", 1.5, -3e2]
      nested: {enabled: true, off: false, none: null, tilde: ~}
      quote: "say \"hi\"\tnow"
      multi: |
        line one
        line two
    dimensions:
      - name: id
        sql: id
        type: number
        meta: {format_hint: "0,0"}
)yaml");
  const Cube* orders = model->find_cube("orders");
  EXPECT_EQ(orders->meta_json, R"({"owner":"sales team","tags":["finance",2024,"2024",1.5,-3e2],)"
                               R"("nested":{"enabled":true,"off":false,"none":null,"tilde":null},)"
                               R"("quote":"say \"hi\"\tnow","multi":"line one\nline two\n"})");
  EXPECT_EQ(orders->find_dimension("id")->meta_json, R"({"format_hint":"0,0"})");
}

TEST(Syntax, TitlesDescriptionsFormatsAndUnknownKeys) {
  auto model = load_yaml(R"yaml(cubes:
  - name: orders
    sql_table: orders
    description: All orders
    refresh_key:
      every: 1 hour
    pre_aggregations:
      - name: main
        measures: [count]
    dimensions:
      - name: amount
        sql: amount
        type: number
        title: Amount
        description: Order amount
        format: currency
        case: {when: []}
    measures:
      - name: count
        type: count
        title: Orders
        rolling_window: {trailing: 7 day}
    segments:
      - name: big
        sql: "{amount} > 100"
        title: Big ones
        public: false
)yaml");
  const Cube* orders = model->find_cube("orders");
  EXPECT_EQ(orders->description, "All orders");
  const Dimension* amount = orders->find_dimension("amount");
  EXPECT_EQ(amount->title, "Amount");
  EXPECT_EQ(amount->description, "Order amount");
  EXPECT_EQ(amount->format, "currency");
  EXPECT_EQ(orders->find_measure("count")->title, "Orders");
  const Segment* big = orders->find_segment("big");
  EXPECT_EQ(big->title, "Big ones");
  EXPECT_FALSE(big->shown);
  EXPECT_EQ(big->sql.parts, (Parts{text("("), alias("orders"), text(".amount) > 100")}));
}

TEST(Views, IncludeAllExcludesAndAliasedPrefix) {
  auto model = load_yaml(R"yaml(cubes:
  - name: orders
    sql_table: orders
    joins:
      - name: users
        relationship: many_to_one
        sql: "{CUBE}.user_id = {users}.id"
    dimensions:
      - name: id
        sql: id
        type: number
        primary_key: true
      - name: status
        sql: status
        type: string
    measures:
      - name: count
        type: count
    segments:
      - name: done
        sql: "{CUBE}.status = 'done'"
  - name: users
    sql_table: users
    dimensions:
      - name: id
        sql: id
        type: number
        primary_key: true
      - name: city
        sql: city
        type: string
views:
  - name: overview
    description: Orders with their buyers
    meta: {team: sales}
    cubes:
      - join_path: orders
        includes: "*"
        excludes: [id]
      - join_path: orders.users
        prefix: true
        alias: buyer
        includes:
          - city
          - name: id
            alias: key
            title: Buyer key
)yaml");
  const View* v = model->find_view("overview");
  ASSERT_NE(v, nullptr);
  EXPECT_EQ(v->description, "Orders with their buyers");
  EXPECT_EQ(v->meta_json, R"({"team":"sales"})");
  std::vector<std::string> names;
  for (const auto& m : v->members)
    names.push_back(m.name);
  EXPECT_EQ(names,
            (std::vector<std::string>{"status", "count", "done", "buyer_city", "buyer_key"}));
  const ViewMember* done = v->find_member("done");
  EXPECT_EQ(done->kind, MemberKind::kSegment);
  EXPECT_EQ(done->join_path, (std::vector<std::string>{"orders"}));
  const ViewMember* key = v->find_member("buyer_key");
  EXPECT_EQ(key->cube, "users");
  EXPECT_EQ(key->member, "id");
  EXPECT_EQ(key->title, "Buyer key");
  EXPECT_EQ(key->join_path, (std::vector<std::string>{"orders", "users"}));
  // A view path may walk a join against its declared direction.
  auto reverse = load_yaml(R"yaml(cubes:
  - name: orders
    sql_table: orders
    joins:
      - name: users
        relationship: many_to_one
        sql: "{CUBE}.user_id = {users}.id"
  - name: users
    sql_table: users
    dimensions:
      - name: city
        sql: city
        type: string
views:
  - name: by_user
    cubes:
      - join_path: users
        includes: [city]
      - join_path: users.orders
        includes: []
)yaml");
  EXPECT_EQ(reverse->find_view("by_user")->members.size(), 1u);
}

}  // namespace
}  // namespace strata
