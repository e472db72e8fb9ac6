#include "model/suggest.h"

#include <algorithm>
#include <cctype>

namespace strata::model_loader {

namespace {

size_t edit_distance(std::string_view a, std::string_view b) {
  auto low = [](char c) { return std::tolower(static_cast<unsigned char>(c)); };
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j)
    row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t above = row[j];
      size_t substitute = diagonal + (low(a[i - 1]) == low(b[j - 1]) ? 0 : 1);
      row[j] = std::min({above + 1, row[j - 1] + 1, substitute});
      diagonal = above;
    }
  }
  return row[b.size()];
}

}  // namespace

std::string closest_name(std::string_view name, const std::vector<std::string>& candidates) {
  // A third of the name may be wrong (at least one character): enough for
  // typos, few enough that unrelated short names are not suggested.
  size_t limit = std::max<size_t>(1, name.size() / 3);
  std::string best;
  size_t best_distance = limit + 1;
  for (const auto& c : candidates) {
    size_t d = edit_distance(name, c);
    if (d < best_distance) {
      best = c;
      best_distance = d;
    }
  }
  return best;
}

std::string list_names(const std::vector<std::string>& names, size_t max) {
  if (names.empty()) return "none";
  std::string out;
  for (size_t i = 0; i < names.size() && i < max; ++i) {
    if (i > 0) out += ", ";
    out += names[i];
  }
  if (names.size() > max) out += ", ...";
  return out;
}

std::string suggestion(std::string_view name, const std::vector<std::string>& candidates,
                       std::string_view listing) {
  std::string best = closest_name(name, candidates);
  if (!best.empty()) return "did you mean '" + best + "'?";
  return std::string(listing) + ": " + list_names(candidates);
}

}  // namespace strata::model_loader
