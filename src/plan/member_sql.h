// How model members become SQL expressions. Pure functions over the Model;
// no query state beyond what is passed in.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "core/time.h"
#include "model/model.h"
#include "sql/ast.h"

namespace strata {

// Resolves a number measure's {measure} reference to an expression: the
// referenced measure's aggregate (inline) or a column of a subquery.
using MeasureRefResolver = std::function<sql::ExprPtr(const Measure& referenced)>;

// Model SQL as an expression. kMeasureRef parts need `resolve`; a template
// with such parts and no resolver is an internal error.
sql::ExprPtr template_expr(const SqlTemplate& t, const Model& model,
                           const MeasureRefResolver* resolve = nullptr);

sql::ExprPtr dimension_expr(const Dimension& d, const Model& model);

// A time value as wall clock in `tz` (UTC: a plain cast to TIMESTAMP),
// truncated to `granularity` when given.
sql::ExprPtr local_time_expr(sql::ExprPtr instant, const TimeZone& tz,
                             std::optional<Granularity> granularity);

// The value a leaf measure aggregates, with the measure's filters applied
// (CASE WHEN filters THEN value END). Null for a plain count(*).
sql::ExprPtr measure_input(const Measure& m, const Model& model);

// The measure's aggregate expression: count/sum/... over measure_input, or
// for a number measure its expression with references resolved by `resolve`
// (default: each referenced measure's own aggregate, inline).
sql::ExprPtr measure_aggregate(const Measure& m, const Model& model,
                               const MeasureRefResolver* resolve = nullptr);

// Measures a number measure depends on, transitively, that are not
// themselves number measures (the aggregates it is built from).
std::vector<const Measure*> leaf_measures(const Measure& m, const Model& model);

// Every cube whose alias the measure's SQL mentions (its own cube included
// when it aggregates a column of it), transitively through references.
std::set<std::string> measure_cubes(const Measure& m, const Model& model);

}  // namespace strata
