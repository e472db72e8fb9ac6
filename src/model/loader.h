// Loading a model folder: every .yml, .yaml and .json file under it (sorted
// by path, so load order and hence tie-breaking is deterministic), in Cube's
// data-model syntax:
//
//   cubes:
//     - name: orders
//       sql_table: orders            # or sql: SELECT ...
//       data_source: default
//       joins:
//         - name: users              # the target cube
//           relationship: many_to_one  # one_to_many, one_to_one, belongs_to, has_many, has_one
//           sql: "{CUBE}.user_id = {users.id}"
//       dimensions: [{name, sql, type, primary_key, title, description, format, meta, public}]
//       measures:   [{name, sql, type, filters: [{sql}], title, description, format, drill_members, meta, public}]
//       segments:   [{name, sql}]
//   views:
//     - name: orders_view
//       cubes:
//         - join_path: orders.users
//           includes: "*"            # or a list of names, or [{name, alias}]
//           excludes: [id]
//           prefix: true             # expose as users_<member>
//
// References: {CUBE} and {cube_name} are table aliases; {member} and
// {CUBE.member} refer to a member of the same cube, {other.member} to another
// cube's. A bare column name as a whole sql (`sql: status`) means the owning
// cube's column. All references are resolved at load time.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "core/error.h"
#include "model/model.h"

namespace strata {

struct ModelIssue {
  std::string message;  // what is wrong
  SourceLocation loc;   // where
  std::string member;   // which cube or member ("orders", "orders.count"), "" if none
  std::string hint;     // how to fix it
};

// Thrown when a model folder has problems; carries all of them, not just the
// first. what() lists every issue, one per line.
class ModelError : public UserError {
 public:
  explicit ModelError(std::vector<ModelIssue> issues);
  const std::vector<ModelIssue>& issues() const { return issues_; }

 private:
  std::vector<ModelIssue> issues_;
};

// Loads and validates every model file under `dir`. Throws ModelError listing
// every problem found (unknown member or cube, reference cycle, duplicate
// name, unknown type or relationship, missing primary key where a join needs
// one, unreadable or malformed file), or NotFoundError when `dir` does not exist.
std::shared_ptr<const Model> load_model(const std::filesystem::path& dir);

// The same from in-memory files (name -> content); for tests and tools.
struct ModelFile {
  std::string name;  // e.g. "orders.yml"; its extension picks YAML or JSON
  std::string content;
};
std::shared_ptr<const Model> load_model_from_files(const std::vector<ModelFile>& files);

}  // namespace strata
