// Internal to the model loader: views, from YAML to their exposed members.
#pragma once

#include <yaml-cpp/yaml.h>

#include <optional>
#include <vector>

#include "model/drafts.h"
#include "model/yaml_util.h"

namespace strata::model_loader {

// Reads one entry of `views:`; nullopt only when it has no usable name.
std::optional<ViewDraft> parse_view(const YAML::Node& node, const FileReader& reader);

// Expands each view's `cubes:` entries into ViewMembers. Every join_path must
// name known cubes, start at the same root cube, and follow declared joins
// (in either direction); included and excluded names must be members of the
// path's last cube; no two members may be exposed under one name. With
// `prefix`, a member is exposed as <alias or cube>_<member or its alias>.
std::vector<View> build_views(std::vector<ViewDraft>& views, const std::vector<Cube>& cubes,
                              Issues& issues);

}  // namespace strata::model_loader
