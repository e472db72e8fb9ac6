// A join between cubes of different sources cannot run in either source, so
// each side computes its half of the join condition and the merge step
// compares them. That needs the condition as AND-ed equalities whose sides
// each read one side's cubes: "{CUBE}.user_id = {users}.id".
#pragma once

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "model/model.h"

namespace strata {

struct JoinKeyPair {
  SqlTemplate near;  // reads only cubes in `near_cubes`
  SqlTemplate far;   // reads only other cubes
};

// Splits `on` at top-level ANDs and `=` (outside parentheses and quotes).
// nullopt when a conjunct is not an equality between an expression of the
// near side and one of the far side.
std::optional<std::vector<JoinKeyPair>> split_equi_join(const SqlTemplate& on,
                                                        const std::set<std::string>& near_cubes);

}  // namespace strata
