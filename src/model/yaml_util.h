// Internal to the model loader: reading values out of yaml-cpp nodes with
// issues instead of exceptions, key spelling, and `meta` as JSON text.
#pragma once

#include <yaml-cpp/yaml.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/drafts.h"

namespace strata::model_loader {

// Reads the nodes of one model file, reporting type mismatches as issues
// located in that file.
class FileReader {
 public:
  FileReader(std::string file, Issues& issues) : file_(std::move(file)), issues_(issues) {}

  const std::string& file() const { return file_; }
  Issues& issues() const { return issues_; }

  // The node's location; `fallback` is used for nodes without a mark
  // (yaml-cpp gives none to a key that is absent).
  SourceLocation at(const YAML::Node& node, int fallback = 0) const;

  void report(const YAML::Node& node, std::string message, std::string member,
              std::string hint) const;

  // A scalar as text; null (`title:`) reads as absent. Anything else is
  // reported as "`key` must be a string".
  std::optional<std::string> string_value(const YAML::Node& value, std::string_view key,
                                          const std::string& member) const;
  // true/false (also yes/no, on/off, in any case).
  std::optional<bool> bool_value(const YAML::Node& value, std::string_view key,
                                 const std::string& member) const;
  // A list of strings, or one string as a list of one.
  std::vector<std::string> string_list(const YAML::Node& value, std::string_view key,
                                       const std::string& member) const;
  // Each element of a sequence that must hold maps, reporting any other
  // element. A null value (`dimensions:`) is an empty list.
  std::vector<YAML::Node> map_list(const YAML::Node& value, std::string_view key,
                                   const std::string& member) const;

 private:
  std::string file_;
  Issues& issues_;
};

// Keys and enum values are snake_case; Cube also spells them in camelCase
// (sqlTable, primaryKey, countDistinct, belongsTo). Both map to snake_case.
std::string snake_case(std::string_view key);

// [A-Za-z_][A-Za-z0-9_]*: the names of cubes, views and members.
bool is_identifier(std::string_view s);

// Compact JSON for any YAML value. Quoted scalars are strings; plain scalars
// become null, true/false or a number when they read as one, else strings.
std::string yaml_to_json(const YAML::Node& node);

}  // namespace strata::model_loader
