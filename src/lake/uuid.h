// Random identifiers for lake writes: UUIDs (version 4) and snapshot ids.
#pragma once

#include <cstdint>
#include <string>

namespace strata::lake {

std::string random_uuid();     // "f79c3e09-677c-4bbd-a479-3f349cb785e7"
int64_t random_snapshot_id();  // a random positive 63-bit value

}  // namespace strata::lake
