// Internal to the model loader: "did you mean ...?" hints for misspelt names.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace strata::model_loader {

// The candidate closest to `name` by edit distance (ignoring case), or "" when
// none is close enough to be a likely typo. Ties go to the earlier candidate.
std::string closest_name(std::string_view name, const std::vector<std::string>& candidates);

// "a, b, c" (at most `max` names, then ", ..."), or "none" for an empty list.
std::string list_names(const std::vector<std::string>& names, size_t max = 12);

// A hint for an unknown `name`: "did you mean 'x'?" when a candidate is close,
// else "<listing>: a, b, c", e.g. listing = "cube orders has".
std::string suggestion(std::string_view name, const std::vector<std::string>& candidates,
                       std::string_view listing);

}  // namespace strata::model_loader
