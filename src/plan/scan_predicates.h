// Pruning hints (core/scan.h) from a query: conditions the SQL applies to
// plain table columns, in a form a file-based source can test against file
// statistics and partitions.
#pragma once

#include <vector>

#include "core/scan.h"
#include "core/time.h"
#include "model/model.h"
#include "query/semantic_query.h"

namespace strata {

// Only conditions that hold for every row the query reads are returned:
// top-level (AND-ed) filters and time dimension date ranges, on dimensions
// whose SQL is one column of a cube's table, with null-rejecting
// operators (equals, gt/gte/lt/lte, set, date ranges). Negative operators and
// IS NULL are left out: they keep rows of LEFT JOINed tables that do not
// match, so pruning by them could drop rows the answer needs. For a tiered
// cube `table` is empty: the federated planner fills in each tier's table.
// The column a dimension reads when its SQL is one column of its cube's
// table ({CUBE}.created_at -> "created_at"), else "".
std::string plain_column_name(const Dimension& d, const Model& model);

std::vector<ScanPredicate> extract_scan_predicates(const SemanticQuery& query, const Model& model,
                                                   const TimeZone& tz);

}  // namespace strata
