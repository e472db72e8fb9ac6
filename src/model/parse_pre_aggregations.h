// Internal to the model loader: a cube's `refresh_key` and `pre_aggregations`
// (Cube's syntax; docs/caching.md lists every key).
//
//   refresh_key: {every: 10 minute}              # or
//   refresh_key: {sql: SELECT max(updated_at) FROM orders, every: 1 minute}
//   pre_aggregations:
//     - name: by_day
//       type: rollup                              # rollup | original_sql | rollup_lambda
//       measures: [CUBE.count, revenue]
//       dimensions: [products.category, orders.status]
//       segments: [orders.completed]
//       time_dimension: orders.created_at
//       granularity: day
//       partition_granularity: month
//       refresh_key: {every: 1 hour, incremental: true, update_window: 7 day}
//       build_range_start: {sql: SELECT min(created_at) FROM orders}
//       build_range_end: {sql: SELECT now()}
//
// Parsing resolves member names against the declaring cube (`CUBE.count`
// and `count` both name its member); check_pre_aggregations then checks the
// references against the whole model, once it is assembled.
#pragma once

#include <yaml-cpp/yaml.h>

#include <optional>
#include <string>
#include <vector>

#include "model/drafts.h"
#include "model/yaml_util.h"

namespace strata::model_loader {

// `owner` names the cube or pre-aggregation in messages. Reports every
// problem as an issue; nullopt when the block is unusable.
std::optional<RefreshKey> parse_refresh_key(const YAML::Node& node, const std::string& owner,
                                            bool for_pre_aggregation, const FileReader& r);

std::vector<PreAggregation> parse_pre_aggregations(const YAML::Node& node, const Cube& cube,
                                                   const FileReader& r);

// Checks what needs the whole model: referenced members exist and have the
// right kind, the time dimension is a time dimension, measures can be
// re-aggregated, members are reachable by joins, lambda rollups name a
// partitioned rollup. Reports into `issues`.
void check_pre_aggregations(const Model& model, Issues& issues);

}  // namespace strata::model_loader
