// Internal to the model loader: a cube's YAML (or JSON) map into a CubeDraft.
#pragma once

#include <yaml-cpp/yaml.h>

#include <optional>

#include "model/drafts.h"
#include "model/yaml_util.h"

namespace strata::model_loader {

// Reads one entry of `cubes:`. Reports what is malformed (missing name, sql
// or type, unknown type or relationship, sql_table and sql both or neither)
// and keeps every member that can still be used, so later phases do not
// report follow-on errors. nullopt only when the cube has no usable name.
// References in SQL are left as written; see references.h.
std::optional<CubeDraft> parse_cube(const YAML::Node& node, const FileReader& reader);

}  // namespace strata::model_loader
