// The shop model of test/fixtures/shop/model, built directly (the query tests
// check parsing, not the model loader): orders, users, products, line_items
// and the sales view.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "model/model.h"

namespace strata::test {

inline SqlTemplate column_sql(const std::string& cube, const std::string& column) {
  return SqlTemplate{{{SqlTemplate::Part::Kind::kCubeAlias, cube},
                      {SqlTemplate::Part::Kind::kText, "." + column}}};
}

inline Dimension dim(const std::string& cube, const std::string& name, DimensionType type,
                     bool pk = false) {
  Dimension d;
  d.cube = cube;
  d.name = name;
  d.type = type;
  d.primary_key = pk;
  d.sql = column_sql(cube, name);
  return d;
}

inline Measure measure(const std::string& cube, const std::string& name, MeasureType type,
                       const std::string& column = "") {
  Measure m;
  m.cube = cube;
  m.name = name;
  m.type = type;
  if (!column.empty()) m.sql = column_sql(cube, column);
  return m;
}

inline Segment segment(const std::string& cube, const std::string& name) {
  Segment s;
  s.cube = cube;
  s.name = name;
  s.sql = column_sql(cube, name);
  return s;
}

inline Join join(const std::string& target) {
  Join j;
  j.target = target;
  j.relationship = Relationship::kManyToOne;
  return j;
}

inline ViewMember view_member(const std::string& name, MemberKind kind, const std::string& cube,
                              const std::string& member, std::vector<std::string> path) {
  ViewMember vm;
  vm.name = name;
  vm.kind = kind;
  vm.cube = cube;
  vm.member = member;
  vm.join_path = std::move(path);
  return vm;
}

inline std::shared_ptr<const Model> shop_model() {
  using DT = DimensionType;
  using MT = MeasureType;
  std::vector<Cube> cubes(4);

  Cube& line_items = cubes[0];
  line_items.name = "line_items";
  line_items.sql_table = "line_items";
  line_items.joins = {join("orders"), join("products")};
  line_items.dimensions = {dim("line_items", "id", DT::kNumber, true),
                           dim("line_items", "quantity", DT::kNumber)};
  line_items.measures = {measure("line_items", "count", MT::kCount),
                         measure("line_items", "revenue", MT::kSum, "revenue"),
                         measure("line_items", "units", MT::kSum, "quantity")};

  Cube& orders = cubes[1];
  orders.name = "orders";
  orders.sql_table = "orders";
  orders.joins = {join("users")};
  orders.dimensions = {dim("orders", "id", DT::kNumber, true), dim("orders", "status", DT::kString),
                       dim("orders", "created_at", DT::kTime), dim("orders", "amount", DT::kNumber),
                       dim("orders", "is_big", DT::kBoolean)};
  orders.measures = {measure("orders", "count", MT::kCount),
                     measure("orders", "total_amount", MT::kSum, "amount"),
                     measure("orders", "average_amount", MT::kAvg, "amount"),
                     measure("orders", "min_amount", MT::kMin, "amount"),
                     measure("orders", "max_amount", MT::kMax, "amount"),
                     measure("orders", "buyers", MT::kCountDistinct, "user_id"),
                     measure("orders", "buyers_approx", MT::kCountDistinctApprox, "user_id"),
                     measure("orders", "completed_count", MT::kCount),
                     measure("orders", "completed_share", MT::kNumber)};
  orders.segments = {segment("orders", "completed")};

  Cube& products = cubes[2];
  products.name = "products";
  products.sql_table = "products";
  products.dimensions = {dim("products", "id", DT::kNumber, true),
                         dim("products", "name", DT::kString),
                         dim("products", "category", DT::kString)};
  products.measures = {measure("products", "count", MT::kCount)};

  Cube& users = cubes[3];
  users.name = "users";
  users.sql_table = "users";
  users.dimensions = {dim("users", "id", DT::kNumber, true), dim("users", "name", DT::kString),
                      dim("users", "city", DT::kString), dim("users", "created_at", DT::kTime)};
  users.measures = {measure("users", "count", MT::kCount)};
  users.segments = {segment("users", "new_yorkers")};

  View sales;
  sales.name = "sales";
  using MK = MemberKind;
  sales.members = {
      view_member("revenue", MK::kMeasure, "line_items", "revenue", {"line_items"}),
      view_member("units", MK::kMeasure, "line_items", "units", {"line_items"}),
      view_member("count", MK::kMeasure, "line_items", "count", {"line_items"}),
      view_member("orders_status", MK::kDimension, "orders", "status", {"line_items", "orders"}),
      view_member("orders_created_at", MK::kDimension, "orders", "created_at",
                  {"line_items", "orders"}),
      view_member("orders_total_amount", MK::kMeasure, "orders", "total_amount",
                  {"line_items", "orders"}),
      view_member("orders_count", MK::kMeasure, "orders", "count", {"line_items", "orders"}),
      view_member("users_city", MK::kDimension, "users", "city", {"line_items", "orders", "users"}),
      view_member("users_name", MK::kDimension, "users", "name", {"line_items", "orders", "users"}),
      view_member("product_category", MK::kDimension, "products", "category",
                  {"line_items", "products"}),
  };
  return std::make_shared<const Model>(std::move(cubes), std::vector<View>{sales});
}

}  // namespace strata::test
