// Errors of the lake. Every failure that concerns a file (a metadata JSON, a
// manifest, a data file) names that file in its message and in
// ErrorContext::file, so a broken table is diagnosed from the message alone.
//
//   corrupt or missing files referenced by a table -> SourceError (503)
//   a table, namespace or location the user named   -> NotFoundError (404)
//   bad settings or requests                        -> UserError (400)
#pragma once

#include <string>

#include "core/error.h"

namespace strata::lake {

// The source name lake errors carry until an IcebergSource renames them.
inline constexpr const char* kLakeSourceName = "iceberg";

// Throws SourceError "<what> (file <file>)" with context().file = file.
[[noreturn]] void fail_file(const std::string& file, const std::string& what,
                            const std::string& hint = {});

// Throws NotFoundError "<what> (file <file>)".
[[noreturn]] void not_found_file(const std::string& file, const std::string& what,
                                 const std::string& hint = {});

}  // namespace strata::lake
