// The /v1/meta body: {"cubes": [...]}, cubes and views in model order, each
//
//   {name, type: "cube" | "view", title, description?, isVisible, public,
//    connectedComponent (cubes only), meta?, measures, dimensions, segments,
//    hierarchies: [], folders: [], nestedFolders: []}
//
// with member entries as api/rest/member_json.h describes. Like Cube, only
// public members are listed (and cubes left without any are dropped) unless
// `include_hidden` (dev mode), which lists everything with its public flag.
#pragma once

#include <boost/json/object.hpp>

#include "model/model.h"

namespace strata {

struct MetaOptions {
  bool include_hidden = false;
  bool only_views = false;  // ?onlyViews=true
  bool extended = false;    // ?extended: adds SQL, sql_table and joins
};

boost::json::object format_meta(const Model& model, const MetaOptions& options);

}  // namespace strata
