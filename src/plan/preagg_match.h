// Answering a query from a rollup pre-aggregation (preagg_match.cpp, part of
// the planner: plan_query tries it first when given a PreAggregationLookup).
//
// Candidates: the rollup_lambda pre-aggregations (with
// union_with_source_data) of the cubes the query reads, then their rollups,
// each in declaration order; the first that matches and is built answers.
// A rollup matches when:
//  - the query is grouped, has measures, names no view members, reads the
//    current data (no asOf) and uses no measureFilter;
//  - every leaf measure of the requested measures (and of measure filters)
//    is kept by the rollup (number measures are computed from their
//    leaves; a number measure whose SQL aggregates columns directly does not
//    match); count, sum, min, max and avg (kept as sum and count) are
//    re-aggregated; count_distinct_approx is merged from its sketches;
//  - every dimension is a rollup dimension, every time dimension with a
//    granularity is the rollup's time dimension at a granularity the
//    rollup's divides (day -> week, month...; week -> week only);
//  - every segment is one of the rollup's (kept as grouped booleans);
//  - every filter's member is a rollup dimension, or the rollup's time
//    dimension used with date operators (inDateRange, notInDateRange,
//    before/after dates, set, notSet) whose bounds fall on the rollup's
//    bucket boundaries; date ranges of time dimensions likewise;
//  - exact grain (the query groups by exactly the rollup's dimensions and
//    time bucket and filters every rollup segment) when a count_distinct is
//    asked for, or when the rollup's joins fan out its measure cube's rows
//    (one_to_many): such values do not add up;
//  - the joins from the measure cube to each member are those of the
//    rollup;
//  - time zones: the query's zone is the rollup's, or the rollup is in UTC
//    at hour (or finer) granularity and the query zone's offsets are whole
//    multiples of it over the built range (whole hours: New York, Tokyo;
//    not Kolkata). A day rollup in UTC cannot answer a New York day.
// Partitions are chosen by the query's date range; a lambda reads every
// partition but the newest from the rollup and the newest one's range from
// the source (the build query, planned on the source), merged in DuckDB.
// Otherwise the query is planned on the sources as usual.
#pragma once

#include <cstdint>

#include "core/time.h"

namespace strata {

// Whether the offsets of `zone` are whole multiples of `g` (hour, minute
// or second) over [from_utc, to_utc): then buckets of `g` in UTC map onto
// buckets of `g` on that zone's wall clock. Sampled twice a day; cached.
bool zone_fits_utc_buckets(const TimeZone& zone, Granularity g, int64_t from_utc, int64_t to_utc);

}  // namespace strata
