// Finding the tables a SQL text reads: qualified names right after FROM,
// JOIN or a comma of a FROM list ("FROM sales.orders AS o JOIN sales.items i"),
// skipping string literals, quoted identifiers' contents, comments, table
// functions (name followed by '(') and subqueries. Used to decide which lake
// tables a query needs and where to substitute their per-query views.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace strata::lake {

struct SqlTableRef {
  size_t begin = 0;  // byte range of the whole qualified name in the SQL
  size_t end = 0;
  std::vector<std::string> parts;  // unquoted: "sales"."Orders" -> [sales, Orders]
};

std::vector<SqlTableRef> find_table_refs(std::string_view sql);

}  // namespace strata::lake
