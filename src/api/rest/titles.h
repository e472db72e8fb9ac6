// Human-readable titles of cubes, views and members, as Cube derives them
// for /meta and result annotations: a name is turned into words
// ("total_amount" -> "Total Amount", "lineItems" -> "Line Items"); a member's
// full title is its container's title followed by its own ("Orders Total
// Amount"), its short title only its own ("Total Amount"). Explicit `title`s
// in the model win over derived ones at each level.
#pragma once

#include <string>
#include <string_view>

#include "model/model.h"

namespace strata {

std::string titleize(std::string_view name);

std::string cube_title(const Cube& cube);
std::string view_title(const View& view);

struct MemberTitles {
  std::string title;        // "Orders Count"
  std::string short_title;  // "Count"
  std::string description;  // "" when none
};

// Titles of a member as named in a query or listed in /meta: through a view
// when `member.view` is set (the view's title, then the view member's own
// title override, the backing member's title, or its name in the view).
MemberTitles member_titles(const ResolvedMember& member);

}  // namespace strata
