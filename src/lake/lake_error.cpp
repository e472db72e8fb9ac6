#include "lake/lake_error.h"

namespace strata::lake {

void fail_file(const std::string& file, const std::string& what, const std::string& hint) {
  throw SourceError(kLakeSourceName, what + " (file " + file + ")", {.file = file, .hint = hint});
}

void not_found_file(const std::string& file, const std::string& what, const std::string& hint) {
  throw NotFoundError(what + " (file " + file + ")", {.file = file, .hint = hint});
}

}  // namespace strata::lake
