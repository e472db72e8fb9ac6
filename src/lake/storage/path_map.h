// Where the files a table's metadata names really are. Paths inside Iceberg
// metadata are absolute URIs written where the table was created
// ("s3a://warehouse/orders/data/...", or repo-relative strings); a copied
// table keeps them. A PathMap rewrites them by prefix:
//
//   explicit rules from configuration (path_map: "s3a://warehouse -> /data/lake"),
//   then relocation rules derived when a table is found somewhere other than
//   its recorded `location` (location -> the folder it was found in, and the
//   location's parent prefix -> the folder's parent when they share trailing
//   path components, for data files kept beside the table folder).
//
// Normalization before matching: "s3a://" and "s3n://" become "s3://",
// "file://" is dropped ("file:///a" -> "/a", "file://rel" -> "rel"), a leading
// "./" is dropped. Prefixes match whole path components.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace strata::lake {

std::string normalize_uri(std::string_view uri);

class PathMap {
 public:
  void add(const std::string& from, const std::string& to);
  void add_all(const PathMap& other);
  // The longest matching rule's rewrite of `recorded` (normalized), or the
  // normalized path itself when no rule matches.
  std::string map(std::string_view recorded) const;
  bool empty() const { return rules_.empty(); }
  const std::vector<std::pair<std::string, std::string>>& rules() const { return rules_; }

  // "from -> to" pairs separated by commas or newlines. Throws UserError
  // naming `where` for a pair without "->".
  static PathMap parse(std::string_view spec, const std::string& where);
  // Relocation rules for a table whose metadata says `location` but whose
  // metadata folder's parent is `found_at` (see above); none when they agree.
  static PathMap relocation(std::string_view location, std::string_view found_at);

 private:
  std::vector<std::pair<std::string, std::string>> rules_;  // normalized, no trailing '/'
};

}  // namespace strata::lake
