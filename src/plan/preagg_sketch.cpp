#include "plan/preagg_sketch.h"

#include <cmath>
#include <cstdio>

#include "sql/dialect.h"

namespace strata {

namespace {

std::string q(const std::string& id) {
  return sql::dialect_named("duckdb").quote_identifier(id);
}

std::string registers() {
  return std::to_string(1 << kSketchPrecision);
}

}  // namespace

std::string sketch_build_sql(const std::string& table, const std::vector<std::string>& groups,
                             const std::string& value) {
  std::string g;
  for (const auto& name : groups) g += q(name) + ", ";
  const std::string mask = std::to_string((1 << kSketchPrecision) - 1);
  const std::string shift = std::to_string(kSketchPrecision);
  const int bits = 64 - kSketchPrecision;
  // 1. hash each value; 2. register index and rank; 3. the largest rank per
  // register; 4. the codes of a group as one list. Groups without a single
  // non-NULL value come back with an empty list through the outer join.
  std::string hashed = "SELECT " + g + "hash(" + q(value) + ") AS h FROM " + q(table) + " WHERE " +
                       q(value) + " IS NOT NULL";
  std::string ranked = "SELECT " + g + "CAST(h & " + mask + " AS BIGINT) AS idx, CASE WHEN (h >> " +
                       shift + ") = 0 THEN " + std::to_string(bits + 1) +
                       " ELSE CAST(log2(CAST(h >> " + shift + " AS BIGINT) & -CAST(h >> " + shift +
                       " AS BIGINT)) AS BIGINT) + 1 END AS rk FROM (" + hashed + ")";
  std::string per_register =
      "SELECT " + g + "idx * 64 + max(rk) AS code FROM (" + ranked + ") GROUP BY " + g + "idx";
  std::string sketches =
      "SELECT " + g + "list(code ORDER BY code) AS sketch FROM (" + per_register + ")" +
      (groups.empty() ? std::string() : " GROUP BY " + g.substr(0, g.size() - 2));
  if (groups.empty()) {
    return "SELECT coalesce((" + sketches + "), CAST([] AS BIGINT[])) AS sketch";
  }
  std::string all_groups = "SELECT DISTINCT " + g.substr(0, g.size() - 2) + " FROM " + q(table);
  std::string on;
  for (const auto& name : groups) {
    if (!on.empty()) on += " AND ";
    on += "a." + q(name) + " IS NOT DISTINCT FROM s." + q(name);
  }
  std::string select;
  for (const auto& name : groups) select += "a." + q(name) + ", ";
  return "SELECT " + select + "coalesce(s.sketch, CAST([] AS BIGINT[])) AS sketch FROM (" +
         all_groups + ") AS a LEFT JOIN (" + sketches + ") AS s ON " + on;
}

sql::ExprPtr sketch_estimate(sql::ExprPtr merged) {
  const double m = static_cast<double>(1 << kSketchPrecision);
  const double alpha = 0.7213 / (1 + 1.079 / m);
  char alpha_text[64];
  std::snprintf(alpha_text, sizeof alpha_text, "%.17g", alpha * m * m);
  const std::string regs = registers();
  using Piece = sql::Expr::RawPiece;
  std::vector<Piece> pieces;
  // (SELECT CASE WHEN e <= 2.5 m AND v > 0 THEN m ln(m / v) ELSE e END
  //  FROM (SELECT alpha m^2 / (sum 2^-rank + empty) AS e, empty AS v
  //        FROM (SELECT max(code % 64) AS r FROM unnest(list) GROUP BY code // 64)))
  pieces.push_back({Piece::Kind::kText,
                    "(SELECT CAST(round(CASE WHEN e <= 2.5 * " + regs + " AND v > 0 THEN " + regs +
                        " * ln(" + regs + ".0 / v) ELSE e END) AS BIGINT) FROM (SELECT " +
                        alpha_text + " / (coalesce(sum(pow(2.0, -r)), 0) + (" + regs +
                        " - count(*))) AS e, " + regs +
                        " - count(*) AS v FROM (SELECT max(c % 64) AS r FROM unnest(",
                    nullptr});
  pieces.push_back({Piece::Kind::kExpr, "", std::move(merged)});
  pieces.push_back({Piece::Kind::kText, ") AS u(c) GROUP BY c // 64)))", nullptr});
  return sql::raw_sql(std::move(pieces));
}

}  // namespace strata
