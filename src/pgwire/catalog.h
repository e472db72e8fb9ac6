// Catalog: how the model looks to SQL clients. Every public cube and view is
// a table in schema `public` whose columns are its public dimensions, then
// measures, then segments, typed by one rule (member_type_oid) that both the
// catalog emulation and RowDescription use, so `\d orders` and a query's
// column types always agree:
//
//   dimension string -> text       dimension number -> numeric
//   dimension time   -> timestamp  dimension boolean -> bool
//   measure count, count_distinct, count_distinct_approx -> int8
//   other measures -> numeric      segment -> bool
//
// The catalog also writes the DuckDB script that creates the emulated
// pg_catalog and information_schema (schemas __pg_catalog and
// __information_schema in the sandbox) with PostgreSQL's OIDs, names and
// column layouts, and the macros behind PostgreSQL's catalog functions
// (format_type, pg_get_userbyid, pg_table_is_visible, obj_description, ...).
//
// Immutable after construction; shared read-only between threads.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "model/model.h"
#include "pgwire/pg_types.h"

namespace strata::pgwire {

inline constexpr int32_t kPgCatalogNamespace = 11;
inline constexpr int32_t kPublicNamespace = 2200;
inline constexpr int32_t kInformationSchemaNamespace = 13000;
inline constexpr int32_t kFirstTableOid = 16384;
inline constexpr int32_t kBootstrapRoleOid = 10;
inline constexpr int32_t kFirstUserOid = 40000;
inline constexpr int32_t kDatabaseOid = 16383;

struct CatalogColumn {
  std::string name;
  MemberKind kind = MemberKind::kDimension;
  std::string member;  // full member name, "orders.status" or "sales.orders_status"
  const ResolvedMember* resolved = nullptr;
  int32_t type_oid = oid::kText;
  int16_t attnum = 0;  // 1-based
  std::string description;
};

struct CatalogTable {
  std::string name;
  int32_t oid = 0;
  bool is_view = false;
  std::string description;
  std::vector<CatalogColumn> columns;

  // The column called `name` (exact, then the only case-insensitive match), or nullptr.
  const CatalogColumn* find(std::string_view name) const;
};

// PostgreSQL type of a member under the rule above.
int32_t member_type_oid(const ResolvedMember& m);
// The same as a strata type (what the fast path converts results to).
Type member_strata_type(const ResolvedMember& m);

struct CatalogOptions {
  std::string database = "strata";  // the one database the SQL API shows
  std::string server_version = "15.0";
  std::string server_version_num = "150000";
  std::vector<std::string> users;  // SQL user names, listed in pg_roles
};

class Catalog {
 public:
  // `model` must outlive the catalog.
  Catalog(const Model& model, CatalogOptions options);

  const std::vector<CatalogTable>& tables() const { return tables_; }
  // By name: exact, then the only case-insensitive match; nullptr when none.
  const CatalogTable* find_table(std::string_view name) const;
  const CatalogTable* find_table(int32_t oid) const;
  const Model& model() const { return model_; }
  const CatalogOptions& options() const { return options_; }

  // The DuckDB script that creates the emulated system catalogs.
  std::string setup_sql() const;
  // version()'s text.
  std::string version_text() const;

 private:
  const Model& model_;
  CatalogOptions options_;
  std::vector<CatalogTable> tables_;
  std::map<std::string, size_t, std::less<>> by_name_;
};

// Names of the catalog functions the sandbox implements as macros in
// __pg_catalog (a call pg_catalog.f(...) or f(...) is redirected there).
bool is_emulated_function(std::string_view name);
// Names of the tables and views of the emulated pg_catalog / information_schema.
bool is_emulated_pg_relation(std::string_view name);
bool is_emulated_information_schema_relation(std::string_view name);

}  // namespace strata::pgwire
