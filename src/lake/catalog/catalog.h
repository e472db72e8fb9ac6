// Catalogs: where a table's current metadata file is, and how a writer swaps
// it atomically.
//
//   folder: a warehouse folder (<warehouse>/<ns>/<table>/metadata/...), or
//           single tables named by location (a table folder, a metadata file);
//           the current version is metadata/version-hint.text (N or a file
//           stem), else the highest vN / NNNNN- metadata file. Commits create
//           metadata/v<N+1>.metadata.json exclusively, then update the hint.
//   sql:    the iceberg_tables table of the JDBC/SQL catalogs (SQLite or
//           PostgreSQL); commits are a compare-and-swap UPDATE.
//   rest:   the Iceberg REST catalog protocol (read side).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lake/metadata/table_metadata.h"
#include "lake/storage/path_map.h"
#include "lake/storage/storage.h"

namespace strata::lake {

struct TableIdent {
  std::vector<std::string> ns;
  std::string name;

  std::string to_string() const;  // "ns.name", "a.b.name"
  std::string ns_string() const;  // "a.b"
  // "a.b.t" -> {[a, b], t}. Parts may be double-quoted ("my-ns".t).
  // Throws UserError when there is no namespace part.
  static TableIdent parse(std::string_view dotted);
  friend bool operator==(const TableIdent&, const TableIdent&) = default;
};

struct LoadedTable {
  TableIdent ident;
  std::string metadata_location;  // the metadata file read (a storage URI)
  std::string table_root;         // where the table's folder really is (parent of metadata/)
  std::shared_ptr<const TableMetadata> metadata;
  PathMap paths;         // explicit rules, then relocation rules
  int64_t version = -1;  // folder catalog: N of the metadata version; -1 when unknown
};

class Catalog {
 public:
  virtual ~Catalog() = default;
  virtual std::string_view kind() const = 0;

  virtual std::vector<std::vector<std::string>> list_namespaces() = 0;
  virtual std::vector<TableIdent> list_tables(const std::vector<std::string>& ns) = 0;
  // nullopt when the catalog has no such table; SourceError when its
  // metadata cannot be read.
  virtual std::optional<LoadedTable> load_table(const TableIdent& ident) = 0;

  // Where a new table's folder goes (for creation by writers).
  virtual std::string default_location(const TableIdent& ident) = 0;
  // Registers a new table whose first metadata JSON is `metadata_json`.
  // Returns the loaded table; throws UserError when it exists already.
  virtual LoadedTable create_table(const TableIdent& ident, const std::string& location,
                                   const std::string& metadata_json) = 0;
  // Swaps the table's metadata from `base` to `metadata_json` (the caller
  // wrote every file it references). false when another commit came first:
  // reload and retry.
  virtual bool commit(const LoadedTable& base, const std::string& metadata_json) = 0;
};

// Reads a table at a location: a table folder (with metadata/), a metadata
// file (*.metadata.json), or a folder URI on S3. `explicit_paths` are added
// before the relocation rules. Throws NotFoundError naming the location.
LoadedTable load_table_at(Storage& storage, const std::string& location,
                          const PathMap& explicit_paths);

// The metadata file of the current version in a table folder, and its N.
// Throws NotFoundError when the folder holds no metadata.
std::pair<std::string, int64_t> current_metadata_file(Storage& storage,
                                                      const std::string& table_root);

}  // namespace strata::lake
