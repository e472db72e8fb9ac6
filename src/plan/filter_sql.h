// Query filters as SQL conditions. User values become Literals (escaped by
// the Dialect); member expressions come from the caller, so the same code
// serves WHERE (dimension expressions) and HAVING (measure aggregates or
// subquery columns).
#pragma once

#include <functional>

#include "core/time.h"
#include "model/model.h"
#include "query/semantic_query.h"
#include "sql/ast.h"

namespace strata {

struct FilterContext {
  const Model* model = nullptr;
  const TimeZone* tz = nullptr;
  // The expression a filter on `member` tests. For a time dimension this is
  // the raw instant (bounds are converted to UTC, so the column is compared
  // as stored and indexes and pruning still apply).
  std::function<sql::ExprPtr(const ResolvedMember& member)> member_expr;
};

// The condition for `node` (and/or trees included). Throws UserError for a
// value that cannot be used (the parser validates, so this is a safety net).
sql::ExprPtr filter_expr(const FilterNode& node, const FilterContext& ctx);

// Whether the filter tree mentions measures / dimensions or segments.
bool filter_has_measure(const FilterNode& node, const Model& model);
bool filter_has_dimension(const FilterNode& node, const Model& model);

// Members the filter mentions (full names), in order.
void filter_members(const FilterNode& node, std::vector<std::string>& out);

}  // namespace strata
