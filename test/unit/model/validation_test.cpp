// One test per model problem the loader must report: the message, the file,
// the 1-based line (counted in the YAML below) and the member.
#include <gtest/gtest.h>

#include "model/loader.h"
#include "model_test_util.h"

namespace strata {
namespace {

using testing::issues_of;
using testing::load_yaml;
using testing::only_issue;

bool contains(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

TEST(Validation, UnknownMemberSuggestsTheClosestName) {
  ModelIssue i = only_issue(R"yaml(cubes:
  - name: orders
    sql_table: orders
    dimensions:
      - name: amount
        sql: amount
        type: number
      - name: is_big
        sql: "{amont} >= 100"
        type: boolean
)yaml");
  EXPECT_TRUE(contains(i.message, "{amont}")) << i.message;
  EXPECT_EQ(i.loc.file, "model.yml");
  EXPECT_EQ(i.loc.line, 9);
  EXPECT_EQ(i.member, "orders.is_big");
  EXPECT_EQ(i.hint, "did you mean {amount}?");
}

TEST(Validation, UnknownQualifiedMemberListsTheCubesMembers) {
  ModelIssue i = only_issue(R"yaml(cubes:
  - name: orders
    sql_table: orders
    dimensions:
      - name: amount
        sql: amount
        type: number
      - name: status
        sql: status
        type: string
    measures:
      - name: total
        sql: "{orders.zzzzzz}"
        type: sum
)yaml");
  EXPECT_TRUE(contains(i.message, "orders.zzzzzz")) << i.message;
  EXPECT_EQ(i.loc.line, 13);
  EXPECT_EQ(i.member, "orders.total");
  EXPECT_EQ(i.hint, "cube orders has: amount, status, total");
}

TEST(Validation, UnknownCubeInReference) {
  ModelIssue i = only_issue(R"yaml(cubes:
  - name: orders
    sql_table: orders
    dimensions:
      - name: user_city
        sql: "{userz.city}"
        type: string
  - name: users
    sql_table: users
    dimensions:
      - name: city
        sql: city
        type: string
)yaml");
  EXPECT_TRUE(contains(i.message, "unknown cube 'userz'")) << i.message;
  EXPECT_EQ(i.loc.line, 6);
  EXPECT_EQ(i.member, "orders.user_city");
  EXPECT_EQ(i.hint, "did you mean {users.city}?");
}

TEST(Validation, JoinToUnknownCube) {
  ModelIssue i = only_issue(R"yaml(cubes:
  - name: orders
    sql_table: orders
    joins:
      - name: userz
        relationship: many_to_one
        sql: "{CUBE}.user_id = {userz}.id"
  - name: users
    sql_table: users
)yaml");
  EXPECT_EQ(i.message, "join from orders to unknown cube 'userz'");
  EXPECT_EQ(i.loc.line, 5);
  EXPECT_EQ(i.member, "orders");
  EXPECT_EQ(i.hint, "did you mean 'users'?");
}

TEST(Validation, DimensionReferenceCycle) {
  ModelIssue i = only_issue(R"yaml(cubes:
  - name: orders
    sql_table: orders
    dimensions:
      - name: a
        sql: "{b} + 1"
        type: number
      - name: b
        sql: "{c} * 2"
        type: number
      - name: c
        sql: "{CUBE.a} - 3"
        type: number
)yaml");
  EXPECT_EQ(i.message, "reference cycle: orders.a -> orders.b -> orders.c -> orders.a");
  EXPECT_EQ(i.loc.line, 6);
  EXPECT_EQ(i.member, "orders.a");
  EXPECT_FALSE(i.hint.empty());
}

TEST(Validation, SelfReference) {
  ModelIssue i = only_issue(R"yaml(cubes:
  - name: orders
    sql_table: orders
    dimensions:
      - name: a
        sql: "{a} + 1"
        type: number
)yaml");
  EXPECT_EQ(i.message, "reference cycle: orders.a -> orders.a");
}

TEST(Validation, NumberMeasureCycle) {
  ModelIssue i = only_issue(R"yaml(cubes:
  - name: orders
    sql_table: orders
    measures:
      - name: count
        type: count
      - name: x
        sql: "{y} + {count}"
        type: number
      - name: y
        sql: "{x} / 2"
        type: number
)yaml");
  EXPECT_EQ(i.message, "reference cycle: orders.x -> orders.y -> orders.x");
  EXPECT_EQ(i.loc.line, 8);
  EXPECT_EQ(i.member, "orders.x");
}

TEST(Validation, MeasureReferenceInNonNumberMeasure) {
  ModelIssue i = only_issue(R"yaml(cubes:
  - name: orders
    sql_table: orders
    measures:
      - name: count
        type: count
      - name: doubled
        sql: "{count} * 2"
        type: sum
)yaml");
  EXPECT_TRUE(contains(i.message, "references measure orders.count")) << i.message;
  EXPECT_EQ(i.loc.line, 8);
  EXPECT_EQ(i.member, "orders.doubled");
  EXPECT_TRUE(contains(i.hint, "type: number")) << i.hint;
}

TEST(Validation, MeasureReferenceInDimension) {
  ModelIssue i = only_issue(R"yaml(cubes:
  - name: orders
    sql_table: orders
    dimensions:
      - name: big
        sql: "{count} > 10"
        type: boolean
    measures:
      - name: count
        type: count
)yaml");
  EXPECT_EQ(i.message, "dimension orders.big references measure orders.count");
  EXPECT_EQ(i.member, "orders.big");
  EXPECT_EQ(i.loc.line, 6);
}

TEST(Validation, DuplicateCubeAcrossFiles) {
  auto issues = issues_of({
      {"a.yml", "cubes:\n  - name: orders\n    sql_table: orders\n"},
      {"b.yml", "\ncubes:\n  - name: orders\n    sql_table: orders2\n"},
  });
  ASSERT_EQ(issues.size(), 1u);
  EXPECT_EQ(issues[0].message, "duplicate cube name 'orders'");
  EXPECT_EQ(issues[0].loc.file, "b.yml");
  EXPECT_EQ(issues[0].loc.line, 3);
  EXPECT_EQ(issues[0].member, "orders");
  EXPECT_TRUE(contains(issues[0].hint, "a.yml:2")) << issues[0].hint;
}

TEST(Validation, ViewNamedLikeACube) {
  ModelIssue i = only_issue(R"yaml(cubes:
  - name: orders
    sql_table: orders
    dimensions:
      - name: id
        sql: id
        type: number
views:
  - name: orders
    cubes:
      - join_path: orders
        includes: "*"
)yaml");
  EXPECT_EQ(i.message, "view name 'orders' is already the name of a cube");
  EXPECT_EQ(i.loc.line, 9);
  EXPECT_EQ(i.member, "orders");
}

TEST(Validation, DuplicateViewName) {
  auto issues = issues_of({
      {"a.yml",
       "cubes:\n  - name: orders\n    sql_table: orders\n"
       "views:\n  - name: v\n    cubes:\n      - join_path: orders\n"},
      {"b.yml", "views:\n  - name: v\n    cubes:\n      - join_path: orders\n"},
  });
  ASSERT_EQ(issues.size(), 1u);
  EXPECT_EQ(issues[0].message, "duplicate view name 'v'");
  EXPECT_EQ(issues[0].loc.file, "b.yml");
  EXPECT_EQ(issues[0].loc.line, 2);
}

TEST(Validation, DuplicateMemberAcrossKinds) {
  ModelIssue i = only_issue(R"yaml(cubes:
  - name: orders
    sql_table: orders
    dimensions:
      - name: count
        sql: n
        type: number
    measures:
      - name: count
        type: count
)yaml");
  EXPECT_EQ(i.message, "duplicate member name 'orders.count'");
  EXPECT_EQ(i.loc.line, 9);
  EXPECT_EQ(i.member, "orders.count");
  EXPECT_TRUE(contains(i.hint, "model.yml:5")) << i.hint;
}

TEST(Validation, UnknownDimensionType) {
  ModelIssue i = only_issue(R"yaml(cubes:
  - name: orders
    sql_table: orders
    dimensions:
      - name: location
        sql: loc
        type: geo
)yaml");
  EXPECT_EQ(i.message, "unknown dimension type 'geo'");
  EXPECT_EQ(i.loc.line, 7);
  EXPECT_EQ(i.member, "orders.location");
  EXPECT_TRUE(contains(i.hint, "string, number, time or boolean")) << i.hint;
}

TEST(Validation, UnknownMeasureType) {
  ModelIssue i = only_issue(R"yaml(cubes:
  - name: orders
    sql_table: orders
    measures:
      - name: median
        sql: amount
        type: median
)yaml");
  EXPECT_EQ(i.message, "unknown measure type 'median'");
  EXPECT_EQ(i.loc.line, 7);
  EXPECT_EQ(i.member, "orders.median");
}

TEST(Validation, UnknownRelationship) {
  ModelIssue i = only_issue(R"yaml(cubes:
  - name: orders
    sql_table: orders
    joins:
      - name: users
        relationship: many_to_many
        sql: "{CUBE}.user_id = {users}.id"
  - name: users
    sql_table: users
)yaml");
  EXPECT_TRUE(contains(i.message, "unknown relationship 'many_to_many'")) << i.message;
  EXPECT_EQ(i.loc.line, 6);
  EXPECT_EQ(i.member, "orders");
}

TEST(Validation, MissingNames) {
  auto issues = issues_of(R"yaml(cubes:
  - sql_table: orders
  - name: users
    sql_table: users
    dimensions:
      - sql: city
        type: string
)yaml");
  ASSERT_EQ(issues.size(), 2u);
  EXPECT_EQ(issues[0].message, "cube has no name");
  EXPECT_EQ(issues[0].loc.line, 2);
  EXPECT_EQ(issues[1].message, "dimension has no name");
  EXPECT_EQ(issues[1].loc.line, 6);
  EXPECT_EQ(issues[1].member, "users");
}

TEST(Validation, MissingSql) {
  auto issues = issues_of(R"yaml(cubes:
  - name: orders
    sql_table: orders
    dimensions:
      - name: status
        type: string
        primary_key: true
    measures:
      - name: count
        type: count
      - name: total
        type: sum
    segments:
      - name: done
  - name: users
    sql_table: users
    joins:
      - name: orders
        relationship: one_to_many
)yaml");
  ASSERT_EQ(issues.size(), 4u);
  EXPECT_EQ(issues[0].message, "dimension orders.status has no sql");
  EXPECT_EQ(issues[0].loc.line, 5);
  EXPECT_EQ(issues[0].member, "orders.status");
  EXPECT_EQ(issues[1].message, "measure orders.total has no sql");
  EXPECT_EQ(issues[1].loc.line, 11);
  EXPECT_EQ(issues[1].member, "orders.total");
  EXPECT_EQ(issues[2].message, "segment orders.done has no sql");
  EXPECT_EQ(issues[2].loc.line, 14);
  EXPECT_EQ(issues[3].message, "the join from users to orders has no sql");
  EXPECT_EQ(issues[3].loc.line, 18);
  EXPECT_EQ(issues[3].member, "users");
}

TEST(Validation, UnknownMemberInJoinSql) {
  ModelIssue i = only_issue(R"yaml(cubes:
  - name: orders
    sql_table: orders
    joins:
      - name: users
        relationship: many_to_one
        sql: "{CUBE}.user_id = {users.idd}"
  - name: users
    sql_table: users
    dimensions:
      - name: id
        sql: id
        type: number
)yaml");
  EXPECT_EQ(i.message,
            "unknown member 'users.idd' referenced in the sql of the join from orders to users");
  EXPECT_EQ(i.loc.line, 7);
  EXPECT_EQ(i.member, "orders");
  EXPECT_EQ(i.hint, "did you mean {users.id}?");
}

TEST(Validation, SqlTableAndSqlBothOrNeither) {
  auto issues = issues_of(R"yaml(cubes:
  - name: both
    sql_table: orders
    sql: SELECT * FROM orders
  - name: neither
    title: Nothing
)yaml");
  ASSERT_EQ(issues.size(), 2u);
  EXPECT_EQ(issues[0].message, "cube both has both sql_table and sql");
  EXPECT_EQ(issues[0].loc.line, 2);
  EXPECT_EQ(issues[0].member, "both");
  EXPECT_EQ(issues[1].message, "cube neither has neither sql_table nor sql");
  EXPECT_EQ(issues[1].loc.line, 5);
  EXPECT_EQ(issues[1].member, "neither");
}

TEST(Validation, JoinedCubeWithMeasuresNeedsPrimaryKey) {
  ModelIssue i = only_issue(R"yaml(cubes:
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
  - name: users
    sql_table: users
    measures:
      - name: count
        type: count
)yaml");
  EXPECT_EQ(i.message, "cube users has measures and joins but no primary key");
  EXPECT_EQ(i.loc.line, 13);
  EXPECT_EQ(i.member, "users");
  EXPECT_TRUE(contains(i.hint,
                       "add primary_key: true to the dimension that uniquely identifies "
                       "a row of users"))
      << i.hint;
}

TEST(Validation, NoPrimaryKeyNeededWithoutJoinsOrMeasures) {
  auto model = load_yaml(R"yaml(cubes:
  - name: lonely
    sql_table: t
    measures:
      - name: count
        type: count
  - name: a
    sql_table: a
    joins:
      - name: b
        relationship: one_to_one
        sql: "{a}.id = {b}.id"
  - name: b
    sql_table: b
)yaml");
  EXPECT_EQ(model->cubes().size(), 3u);
}

TEST(Validation, MalformedYaml) {
  // sql_table is indented less than name: the sequence entry ends badly.
  auto issues = issues_of({{"broken.yml", "cubes:\n  - name: orders\n   sql_table: orders\n"}});
  ASSERT_EQ(issues.size(), 1u);
  EXPECT_TRUE(issues[0].message.starts_with("malformed YAML")) << issues[0].message;
  EXPECT_EQ(issues[0].loc.file, "broken.yml");
  EXPECT_EQ(issues[0].loc.line, 3);
}

TEST(Validation, MalformedJson) {
  auto issues = issues_of(
      {{"broken.json", "{\n  \"cubes\": [\n    {\"name\": \"orders\" \"x\": 1}\n  ]\n}\n"}});
  ASSERT_EQ(issues.size(), 1u);
  EXPECT_TRUE(issues[0].message.starts_with("malformed JSON")) << issues[0].message;
  EXPECT_EQ(issues[0].loc.file, "broken.json");
  EXPECT_EQ(issues[0].loc.line, 3);
}

TEST(Validation, UnknownDrillMember) {
  ModelIssue i = only_issue(R"yaml(cubes:
  - name: orders
    sql_table: orders
    dimensions:
      - name: status
        sql: status
        type: string
    measures:
      - name: count
        type: count
        drill_members: [status, statsu]
)yaml");
  EXPECT_EQ(i.message, "unknown drill member 'orders.statsu' of measure orders.count");
  EXPECT_EQ(i.loc.line, 11);
  EXPECT_EQ(i.hint, "did you mean 'status'?");
}

TEST(Validation, MalformedReference) {
  ModelIssue i = only_issue(R"yaml(cubes:
  - name: orders
    sql_table: orders
    dimensions:
      - name: x
        sql: "{a.b.c} + {CUBE"
        type: number
)yaml");
  EXPECT_TRUE(contains(i.message, "unclosed '{'")) << i.message;
  EXPECT_EQ(i.member, "orders.x");
}

TEST(Validation, ViewProblems) {
  auto issues = issues_of(R"yaml(cubes:
  - name: orders
    sql_table: orders
    joins:
      - name: users
        relationship: many_to_one
        sql: "{CUBE}.user_id = {users}.id"
    dimensions:
      - name: status
        sql: status
        type: string
  - name: users
    sql_table: users
    dimensions:
      - name: status
        sql: status
        type: string
  - name: products
    sql_table: products
views:
  - name: v
    cubes:
      - join_path: orders
        includes: [status, nope]
      - join_path: orders.users
        includes: "*"
      - join_path: users
        includes: "*"
      - join_path: orders.products
        includes: "*"
      - join_path: orders.userz
        includes: "*"
)yaml");
  ASSERT_EQ(issues.size(), 5u);
  EXPECT_EQ(issues[0].message, "view v includes unknown member 'orders.nope'");
  EXPECT_EQ(issues[0].loc.line, 24);
  EXPECT_EQ(issues[0].member, "v");
  EXPECT_EQ(issues[1].message,
            "view v exposes two members named 'status' (orders.status and users.status)");
  EXPECT_EQ(issues[1].loc.line, 25);
  EXPECT_EQ(issues[1].member, "v.status");
  EXPECT_TRUE(contains(issues[2].message, "starts at users, but the view's root cube is orders"))
      << issues[2].message;
  EXPECT_EQ(issues[2].loc.line, 27);
  EXPECT_TRUE(contains(issues[3].message, "steps from orders to products, but no join"))
      << issues[3].message;
  EXPECT_EQ(issues[3].loc.line, 29);
  EXPECT_TRUE(contains(issues[4].message, "unknown cube 'userz'")) << issues[4].message;
  EXPECT_EQ(issues[4].hint, "did you mean 'users'?");
}

TEST(Validation, EveryIssueOfALoadIsReported) {
  std::vector<ModelFile> files = {
      {"orders.yml", R"yaml(cubes:
  - name: orders
    sql_table: orders
    dimensions:
      - name: status
        sql: status
        type: text
      - name: bad
        sql: "{missing}"
        type: string
)yaml"},
      {"users.yml", R"yaml(cubes:
  - name: users
    sql: SELECT 1
    sql_table: users
    measures:
      - name: total
        type: sum
)yaml"},
      {"broken.yml", "cubes:\n  - name: [x\n    sql_table: x\n"},
  };
  auto issues = issues_of(files);
  ASSERT_EQ(issues.size(), 5u);
  // A malformed file does not stop the others from being checked.
  EXPECT_EQ(issues[0].loc.file, "broken.yml");
  issues.erase(issues.begin());
  // Sorted by file, then line.
  EXPECT_EQ(issues[0].loc.file, "orders.yml");
  EXPECT_EQ(issues[0].loc.line, 7);
  EXPECT_EQ(issues[1].loc.file, "orders.yml");
  EXPECT_EQ(issues[1].loc.line, 9);
  EXPECT_EQ(issues[2].loc.file, "users.yml");
  EXPECT_EQ(issues[2].loc.line, 2);
  EXPECT_EQ(issues[3].loc.file, "users.yml");
  EXPECT_EQ(issues[3].loc.line, 6);

  try {
    load_model_from_files(files);
    FAIL();
  } catch (const ModelError& e) {
    std::string what = e.what();
    EXPECT_TRUE(what.starts_with("the model has 5 problems:")) << what;
    EXPECT_TRUE(contains(what,
                         "\n  unknown dimension type 'text' (at orders.yml:7, member "
                         "orders.status)"))
        << what;
    EXPECT_TRUE(contains(what, "(at users.yml:6, member users.total)")) << what;
    EXPECT_EQ(e.http_status(), 400);
  }
}

TEST(Validation, OneIssueKeepsItsLocationInTheError) {
  try {
    load_yaml("cubes:\n  - name: orders\n");
    FAIL();
  } catch (const ModelError& e) {
    EXPECT_EQ(e.context().file, "model.yml");
    EXPECT_EQ(e.context().line, 2);
    EXPECT_EQ(e.context().member, "orders");
    EXPECT_FALSE(e.context().hint.empty());
  }
}

}  // namespace
}  // namespace strata
