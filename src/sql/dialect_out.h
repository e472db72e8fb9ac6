// Internal to sql/: the text buffer dialects render into (Dialect::Out), for
// dialects implemented in their own .cpp file.
#pragma once

#include <string>
#include <string_view>

#include "sql/dialect.h"

namespace strata::sql {

struct Dialect::Out {
  std::string s;
  Out& operator<<(std::string_view v) {
    s.append(v);
    return *this;
  }
};

}  // namespace strata::sql
