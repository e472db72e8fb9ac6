// Internal to the model loader: the checks that span several definitions.
// Each reports into `issues` and leaves the drafts usable by later phases.
#pragma once

#include "model/drafts.h"

namespace strata::model_loader {

// Duplicate cube or view names (cubes and views share one namespace) and
// duplicate member names within a cube (dimensions, measures and segments
// share one). The first definition is kept; later ones are reported and
// dropped, so that references resolve against one definition.
void remove_duplicates(ModelDraft& model, Issues& issues);

// Joins to a cube the model does not define are reported and dropped.
void check_join_targets(ModelDraft& model, Issues& issues);

// Drill members ("id" or "users.city") must name existing members; stores
// them as full names in each measure.
void resolve_drill_members(ModelDraft& model, Issues& issues);

// Fan-out-safe aggregation deduplicates a measure's rows by its cube's
// primary key, so every cube that has a measure and takes part in a join
// (either side) must declare one.
void check_primary_keys(const ModelDraft& model, Issues& issues);

}  // namespace strata::model_loader
