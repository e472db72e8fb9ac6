// The SQL catalog layout that Iceberg's JDBC catalog and PyIceberg's SQL
// catalog keep in a relational database:
//
//   iceberg_tables(catalog_name, table_namespace, table_name,
//                  metadata_location, previous_metadata_location)
//   iceberg_namespace_properties(catalog_name, namespace, property_key, property_value)
//
// in SQLite ("sqlite:///abs/path.db", "sqlite:relative.db") or PostgreSQL
// ("postgresql://user:pass@host:port/db" or a libpq key=value string).
// Multi-level namespaces are stored joined with '.'. A commit is
//   UPDATE iceberg_tables SET metadata_location = new, previous_metadata_location = old
//   WHERE catalog_name = ? AND table_namespace = ? AND table_name = ? AND metadata_location = old
// and succeeds when it changed one row.
#pragma once

#include <memory>
#include <string>

#include "lake/catalog/catalog.h"

namespace strata::lake {

class SqlCatalog : public Catalog {
 public:
  // Connects and creates the two tables when missing. Throws SourceError when
  // the database cannot be opened. `warehouse` is where new tables go.
  SqlCatalog(Storage& storage, const std::string& uri, std::string catalog_name,
             std::string warehouse, PathMap explicit_paths);
  ~SqlCatalog() override;

  std::string_view kind() const override { return "sql"; }
  std::vector<std::vector<std::string>> list_namespaces() override;
  std::vector<TableIdent> list_tables(const std::vector<std::string>& ns) override;
  std::optional<LoadedTable> load_table(const TableIdent& ident) override;
  std::string default_location(const TableIdent& ident) override;
  LoadedTable create_table(const TableIdent& ident, const std::string& location,
                           const std::string& metadata_json) override;
  bool commit(const LoadedTable& base, const std::string& metadata_json) override;

  // Registers an existing metadata file under a name (like the JDBC
  // catalog's registerTable). Throws UserError when the name is taken.
  void register_table(const TableIdent& ident, const std::string& metadata_location);

  struct Db;  // the connection (SQLite or libpq); public for the implementation

 private:
  Storage& storage_;
  std::string catalog_name_;
  std::string warehouse_;
  PathMap explicit_paths_;
  std::unique_ptr<Db> db_;
};

// The next metadata file name for a commit in the SQL and REST catalogs:
// "<table_root>/metadata/<NNNNN>-<uuid>.metadata.json" with NNNNN one past
// `version` (the base's).
std::string next_metadata_path(const std::string& table_root, int64_t version);

}  // namespace strata::lake
