// Internal to the model loader: the `{...}` references of model SQL.
//
//   {CUBE}, {cube}          the table alias of the owning cube / of `cube`
//   {member}, {CUBE.member} a member of the owning cube
//   {cube.member}           a member of another cube
//
// A one-word reference names a member of the owning cube when it has one,
// else a cube. Resolution turns SQL into a SqlTemplate: a referenced
// dimension or segment is inlined as "(" + its template + ")" (recursively,
// with its own cube aliases); a referenced measure becomes a kMeasureRef part
// and is allowed only in `number` measures. Text inside single-quoted SQL
// strings is never a reference. A whole SQL that is one bare column name
// (`sql: status`) means that column of the owning cube: {CUBE}.status.
// Adjacent text parts are merged, so templates compare equal by content.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "model/drafts.h"

namespace strata::model_loader {

struct SqlPiece {
  bool is_reference = false;
  std::string text;  // SQL text, or a reference's content without its braces
};

// Splits `sql` into text and references. Sets `error` (and returns what was
// split so far) when a '{' outside quotes is never closed.
std::vector<SqlPiece> split_references(std::string_view sql, std::string& error);

// Whether `sql` is a bare column name: an identifier that is not a SQL
// keyword standing for a value (NULL, TRUE, FALSE, CURRENT_DATE...).
bool is_bare_column(std::string_view sql);

// Resolves the SQL of every dimension, measure (and its filters), segment and
// join in `model` into the drafts' templates. Reports unknown cubes and
// members (with the closest name as a hint), malformed references, measure
// references outside number measures, and reference cycles, both among
// inlined members and among number measures. Expects duplicates removed.
void resolve_references(ModelDraft& model, Issues& issues);

}  // namespace strata::model_loader
