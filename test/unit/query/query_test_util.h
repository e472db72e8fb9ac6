// Helpers for the query tests: the shop model, parsing with a pinned clock,
// and catching the UserError a bad query must raise.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "core/error.h"
#include "query/cube_query.h"
#include "shop_model.h"

namespace strata::test {

inline const Model& shop() {
  static const auto model = shop_model();
  return *model;
}

inline int64_t at(int y, int mo, int d, int h = 0, int mi = 0, int s = 0, int us = 0) {
  return micros_from_civil({y, mo, d, h, mi, s, us});
}

// Wednesday 2024-05-15 13:45:00 UTC: the query time of every test that
// resolves relative dates.
inline const int64_t kNow = at(2024, 5, 15, 13, 45);

inline ParseOptions options_at(int64_t now = kNow) {
  ParseOptions o;
  o.now_utc_micros = now;
  return o;
}

inline SemanticQuery parse(std::string_view json, const ParseOptions& options = options_at()) {
  return parse_cube_query_text(json, shop(), options);
}

inline UserError parse_error(std::string_view json, const ParseOptions& options = options_at()) {
  try {
    parse_cube_query_text(json, shop(), options);
  } catch (const UserError& e) {
    return e;
  }
  ADD_FAILURE() << "parsed without an error: " << json;
  return UserError("(no error)");
}

inline DateRange range(int64_t from, int64_t to) {
  return DateRange{from, to};
}

// Readable failure output for DateRange comparisons.
inline std::string show(const DateRange& r) {
  return "[" + format_iso_local(r.from_local, 6) + ", " +
         format_iso_local(r.to_local_exclusive, 6) + ")";
}

}  // namespace strata::test

namespace strata {
inline void PrintTo(const DateRange& r, std::ostream* os) {
  *os << test::show(r);
}
}  // namespace strata
