// Mergeable HyperLogLog sketches for count_distinct_approx in rollups,
// computed and merged in DuckDB SQL (DuckDB's own approx_count_distinct
// cannot be merged across rows).
//
// A sketch is a LIST(BIGINT) of register codes, one per non-empty register:
// code = index * 64 + rank. Each value is hashed with DuckDB's 64-bit
// hash(); the low kSketchPrecision bits pick one of 2^p registers and the
// rank is one plus the number of trailing zero bits of the remaining 52 bits
// (53 when they are all zero). A register keeps the largest rank seen.
// Merging sketches is concatenating their lists (the estimate takes the
// largest rank per register), so rows merge in any order and grouping.
//
// Estimate: E = alpha_m * m^2 / sum_j 2^-rank_j (empty registers count 1),
// with linear counting m * ln(m / V) when E <= 2.5 m and V registers are
// empty. With p = 12 (m = 4096) the standard error is 1.04 / sqrt(m) = 1.6%;
// small counts (up to a few hundred) are nearly exact through linear
// counting. Sparse lists keep small groups small: a sketch never holds more
// than min(distinct values, 4096) codes.
#pragma once

#include <string>
#include <vector>

#include "sql/ast.h"

namespace strata {

inline constexpr int kSketchPrecision = 12;

// DuckDB SQL over table `table` whose columns `groups` and `value` hold
// (group, value) rows: one row per group with its sketch as column `sketch`.
// NULL values are skipped (a group with only NULLs gets an empty sketch).
std::string sketch_build_sql(const std::string& table, const std::vector<std::string>& groups,
                             const std::string& value);

// A DuckDB expression: the estimated number of distinct values (BIGINT) of
// `merged`, a list of codes from one or more sketches; 0 for NULL or empty.
sql::ExprPtr sketch_estimate(sql::ExprPtr merged);

}  // namespace strata
