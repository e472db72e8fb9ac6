// The folder catalog: tables are folders under a warehouse
// (<warehouse>/<ns>/<table>, nested namespaces as nested folders), plus tables
// named explicitly by location. Commits are safe on local file systems (an
// exclusive create of metadata/v<N+1>.metadata.json); on object stores
// without conditional writes two racing writers could both win, so use the
// SQL catalog there.
#pragma once

#include <map>
#include <string>

#include "lake/catalog/catalog.h"

namespace strata::lake {

class FolderCatalog : public Catalog {
 public:
  // `warehouse` may be "" (only explicit tables). `tables` maps "ns.table" to
  // a location (a table folder or metadata file).
  FolderCatalog(Storage& storage, std::string warehouse, std::map<std::string, std::string> tables,
                PathMap explicit_paths);

  std::string_view kind() const override { return "folder"; }
  std::vector<std::vector<std::string>> list_namespaces() override;
  std::vector<TableIdent> list_tables(const std::vector<std::string>& ns) override;
  std::optional<LoadedTable> load_table(const TableIdent& ident) override;
  std::string default_location(const TableIdent& ident) override;
  LoadedTable create_table(const TableIdent& ident, const std::string& location,
                           const std::string& metadata_json) override;
  bool commit(const LoadedTable& base, const std::string& metadata_json) override;

  // Commits to a table folder directly (for `strata lake append LOCATION`).
  static bool commit_in_folder(Storage& storage, const LoadedTable& base,
                               const std::string& metadata_json);

 private:
  std::string folder_of(const TableIdent& ident) const;
  Storage& storage_;
  std::string warehouse_;
  std::map<std::string, std::string> tables_;
  PathMap explicit_paths_;
};

}  // namespace strata::lake
