// Time travel: which version of lake tables a query reads (SemanticQuery::as_of).
// One syntax for every API (REST "asOf", the SQL API's SET strata.as_of,
// `strata lake --as-of`):
//
//   "snapshot:8765"  or a bare integer "8765"      a snapshot id
//   "timestamp:2024-05-01T12:00:00Z", or any ISO date/timestamp
//     ("2024-05-01", "2024-05-01 12:00:00+02:00"; UTC when no offset)
//                                                  the snapshot current at that instant
//   "timestamp_ms:1714564800000"                   the same, in Unix milliseconds
//   "ref:main", "branch:dev", "tag:eow-01", or any other word ("main")
//                                                  a branch or tag
//
// REST queries may also send an object: {"snapshotId": 8765},
// {"timestamp": "2024-05-01T12:00:00Z"} (or Unix milliseconds as a number),
// {"ref": "main"} (also {"branch": ...} / {"tag": ...}).
#pragma once

#include <string>
#include <string_view>

#include "core/scan.h"

namespace strata {

// Throws UserError (with `json_path` in its context when given) for text
// that is empty or malformed ("snapshot:abc", "timestamp:yesterday").
TableVersion parse_table_version(std::string_view text, const std::string& json_path = {});

// The canonical text: "snapshot:8765", "timestamp:2024-05-01T12:00:00.000Z",
// "ref:main". parse_table_version(table_version_text(v)) == v.
std::string table_version_text(const TableVersion& v);

}  // namespace strata
