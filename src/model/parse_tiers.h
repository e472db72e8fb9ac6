// Internal to the model loader: the `tiers:` block of a cube.
//
//   tiers:
//     time_dimension: created_at
//     hot:  {data_source: pg,   sql_table: public.events}
//     cold: {data_source: lake, sql_table: analytics.events}
//     boundary:
//       retention: 30 days              # or
//       watermark: SELECT min(created_at) FROM public.events
//       watermark_refresh: 1 minute     # optional, default 1 minute
#pragma once

#include <yaml-cpp/yaml.h>

#include <optional>

#include "model/drafts.h"
#include "model/yaml_util.h"

namespace strata::model_loader {

// Reports every problem as an issue; returns nullopt when the block is unusable.
std::optional<Tiering> parse_tiers(const YAML::Node& node, const Cube& cube, const FileReader& r);

// Checks what needs the cube's dimensions: time_dimension names a time dimension.
void check_tiers(const CubeDraft& cube, const FileReader& r, const YAML::Node& node);

}  // namespace strata::model_loader
