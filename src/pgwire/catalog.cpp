#include "pgwire/catalog.h"

#include <algorithm>
#include <cctype>
#include <set>

#include "pgwire/sql_text.h"

namespace strata::pgwire {

namespace {

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

// --- PostgreSQL's types ----------------------------------------------------------

struct PgTypeRow {
  int32_t oid;
  const char* name;
  int16_t len;
  bool byval;
  char category;
  int32_t elem;          // for arrays: the element type
  int32_t array;         // the array type, 0 when none
  const char* sql_name;  // what format_type() says
};

// The base types strata can produce or clients commonly look up, and their arrays.
const std::vector<PgTypeRow>& pg_types() {
  static const std::vector<PgTypeRow> kTypes = {
      {16, "bool", 1, true, 'B', 0, 1000, "boolean"},
      {17, "bytea", -1, false, 'U', 0, 1001, "bytea"},
      {18, "char", 1, true, 'Z', 0, 1002, "\"char\""},
      {19, "name", 64, false, 'S', 0, 1003, "name"},
      {20, "int8", 8, true, 'N', 0, 1016, "bigint"},
      {21, "int2", 2, true, 'N', 0, 1005, "smallint"},
      {22, "int2vector", -1, false, 'A', 21, 1006, "int2vector"},
      {23, "int4", 4, true, 'N', 0, 1007, "integer"},
      {24, "regproc", 4, true, 'N', 0, 1008, "regproc"},
      {25, "text", -1, false, 'S', 0, 1009, "text"},
      {26, "oid", 4, true, 'N', 0, 1028, "oid"},
      {30, "oidvector", -1, false, 'A', 26, 1013, "oidvector"},
      {114, "json", -1, false, 'U', 0, 199, "json"},
      {700, "float4", 4, true, 'N', 0, 1021, "real"},
      {701, "float8", 8, true, 'N', 0, 1022, "double precision"},
      {705, "unknown", -2, false, 'X', 0, 0, "unknown"},
      {1042, "bpchar", -1, false, 'S', 0, 1014, "character"},
      {1043, "varchar", -1, false, 'S', 0, 1015, "character varying"},
      {1082, "date", 4, true, 'D', 0, 1182, "date"},
      {1083, "time", 8, true, 'D', 0, 1183, "time without time zone"},
      {1114, "timestamp", 8, true, 'D', 0, 1115, "timestamp without time zone"},
      {1184, "timestamptz", 8, true, 'D', 0, 1185, "timestamp with time zone"},
      {1186, "interval", 16, false, 'T', 0, 1187, "interval"},
      {1700, "numeric", -1, false, 'N', 0, 1231, "numeric"},
      {2205, "regclass", 4, true, 'N', 0, 2210, "regclass"},
      {2206, "regtype", 4, true, 'N', 0, 2211, "regtype"},
      {2249, "record", -1, false, 'P', 0, 2287, "record"},
      {2278, "void", 4, true, 'P', 0, 0, "void"},
      {2950, "uuid", 16, false, 'U', 0, 2951, "uuid"},
      {3802, "jsonb", -1, false, 'U', 0, 3807, "jsonb"},
      {4089, "regnamespace", 4, true, 'N', 0, 4090, "regnamespace"},
  };
  return kTypes;
}

std::string lit(std::string_view s) {
  return quote_literal(s);
}
std::string b(bool v) {
  return v ? "true" : "false";
}

// Helper to write CREATE TABLE and INSERT statements.
class Script {
 public:
  void table(const std::string& qualified, const std::string& columns) {
    sql_ += "CREATE TABLE " + qualified + " (" + columns + ");\n";
  }
  void rows(const std::string& qualified, const std::vector<std::string>& values) {
    if (values.empty()) return;
    sql_ += "INSERT INTO " + qualified + " VALUES ";
    for (size_t i = 0; i < values.size(); ++i) {
      if (i) sql_ += ",\n  ";
      sql_ += "(" + values[i] + ")";
    }
    sql_ += ";\n";
  }
  void raw(const std::string& s) { sql_ += s + ";\n"; }
  std::string take() { return std::move(sql_); }

 private:
  std::string sql_;
};

const std::set<std::string, std::less<>>& emulated_functions() {
  static const std::set<std::string, std::less<>> kNames = {
      "format_type",
      "pg_get_userbyid",
      "pg_table_is_visible",
      "pg_type_is_visible",
      "pg_function_is_visible",
      "pg_get_expr",
      "obj_description",
      "col_description",
      "shobj_description",
      "pg_encoding_to_char",
      "has_table_privilege",
      "has_schema_privilege",
      "has_database_privilege",
      "has_column_privilege",
      "has_any_column_privilege",
      "has_function_privilege",
      "pg_has_role",
      "pg_get_indexdef",
      "pg_get_constraintdef",
      "pg_get_viewdef",
      "pg_get_triggerdef",
      "pg_get_functiondef",
      "pg_get_function_arguments",
      "pg_get_function_result",
      "pg_get_function_identity_arguments",
      "pg_get_partkeydef",
      "pg_get_statisticsobjdef_columns",
      "pg_relation_size",
      "pg_total_relation_size",
      "pg_table_size",
      "pg_indexes_size",
      "pg_relation_is_publishable",
      "pg_is_in_recovery",
      "pg_postmaster_start_time",
      "inet_server_addr",
      "inet_server_port",
      "inet_client_addr",
      "inet_client_port",
      "array_upper",
      "array_lower",
      "array_length",
      "array_ndims",
      "quote_ident",
      "set_config",
      "txid_current",
      "pg_get_serial_sequence",
      "to_regclass",
      "to_regtype",
      "pg_collation_is_visible",
      "pg_is_other_temp_schema",
      "pg_my_temp_schema",
      "pg_get_keywords",
      "__regclass_oid",
      "__regclass_name",
      "__regtype_oid",
      "__regnamespace_name",
      "pg_tablespace_location",
      "pg_get_ruledef",
      "pg_conversion_is_visible",
      "pg_opclass_is_visible",
      "pg_operator_is_visible",
      "pg_ts_config_is_visible",
      "age",
      "pg_backend_pid",
      "pg_size_pretty",
  };
  return kNames;
}

}  // namespace

bool is_emulated_function(std::string_view name) {
  return emulated_functions().count(name) > 0;
}

namespace {
const std::set<std::string, std::less<>>& pg_relations() {
  static const std::set<std::string, std::less<>> kNames = {
      "pg_namespace",
      "pg_class",
      "pg_attribute",
      "pg_type",
      "pg_database",
      "pg_roles",
      "pg_user",
      "pg_authid",
      "pg_shadow",
      "pg_description",
      "pg_shdescription",
      "pg_attrdef",
      "pg_index",
      "pg_constraint",
      "pg_inherits",
      "pg_am",
      "pg_policy",
      "pg_statistic_ext",
      "pg_publication",
      "pg_publication_namespace",
      "pg_publication_rel",
      "pg_trigger",
      "pg_rewrite",
      "pg_collation",
      "pg_proc",
      "pg_settings",
      "pg_tablespace",
      "pg_extension",
      "pg_enum",
      "pg_range",
      "pg_matviews",
      "pg_views",
      "pg_tables",
      "pg_sequence",
      "pg_sequences",
      "pg_depend",
      "pg_foreign_table",
      "pg_foreign_server",
      "pg_foreign_data_wrapper",
      "pg_language",
      "pg_cast",
      "pg_operator",
      "pg_opclass",
      "pg_aggregate",
      "pg_event_trigger",
      "pg_stat_activity",
      "pg_locks",
      "pg_indexes",
      "pg_partitioned_table",
      "pg_auth_members",
      "pg_stat_user_tables",
      "pg_statio_user_tables",
      "pg_prepared_statements",
      "pg_timezone_names",
      "pg_available_extensions",
      "pg_stat_database",
      "pg_conversion",
      "pg_default_acl",
      "pg_init_privs",
      "pg_seclabel",
      "pg_transform",
      "pg_ts_config",
      "pg_ts_dict",
      "pg_ts_parser",
      "pg_ts_template",
      "pg_largeobject_metadata",
      "pg_subscription",
      "pg_replication_slots",
      "pg_group",
      "pg_stat_ssl",
      "pg_statistic_ext_data",
      "pg_attribute_encryption",
  };
  return kNames;
}
const std::set<std::string, std::less<>>& is_relations() {
  static const std::set<std::string, std::less<>> kNames = {
      "schemata",
      "tables",
      "columns",
      "views",
      "key_column_usage",
      "table_constraints",
      "referential_constraints",
      "constraint_column_usage",
      "routines",
      "parameters",
      "character_sets",
      "check_constraints",
      "table_privileges",
      "column_privileges",
      "sequences",
      "triggers",
      "domains",
      "enabled_roles",
      "applicable_roles",
      "information_schema_catalog_name",
      "element_types",
      "attributes",
  };
  return kNames;
}
}  // namespace

bool is_emulated_pg_relation(std::string_view name) {
  return pg_relations().count(name) > 0;
}
bool is_emulated_information_schema_relation(std::string_view name) {
  return is_relations().count(name) > 0;
}

// --- Members ------------------------------------------------------------------------

int32_t member_type_oid(const ResolvedMember& m) {
  if (m.segment) return oid::kBool;
  if (m.measure) {
    switch (m.measure->type) {
      case MeasureType::kCount:
      case MeasureType::kCountDistinct:
      case MeasureType::kCountDistinctApprox: return oid::kInt8;
      default: return oid::kNumeric;
    }
  }
  if (m.dimension) {
    switch (m.dimension->type) {
      case DimensionType::kString: return oid::kText;
      case DimensionType::kNumber: return oid::kNumeric;
      case DimensionType::kTime: return oid::kTimestamp;
      case DimensionType::kBoolean: return oid::kBool;
    }
  }
  return oid::kText;
}

Type member_strata_type(const ResolvedMember& m) {
  switch (member_type_oid(m)) {
    case oid::kBool: return Type::of(TypeId::kBoolean);
    case oid::kInt8: return Type::of(TypeId::kInt64);
    case oid::kNumeric: return Type::decimal(38, 10);
    case oid::kTimestamp: return Type::of(TypeId::kTimestamp);
    default: return Type::of(TypeId::kString);
  }
}

const CatalogColumn* CatalogTable::find(std::string_view name) const {
  for (const auto& c : columns) {
    if (c.name == name) return &c;
  }
  const CatalogColumn* found = nullptr;
  for (const auto& c : columns) {
    if (iequals(c.name, name)) {
      if (found) return nullptr;
      found = &c;
    }
  }
  return found;
}

// --- Catalog --------------------------------------------------------------------------

Catalog::Catalog(const Model& model, CatalogOptions options)
    : model_(model), options_(std::move(options)) {
  int32_t next_oid = kFirstTableOid;
  auto add_column = [&](CatalogTable& t, const std::string& name, const std::string& full) {
    const ResolvedMember* m = model_.find_member(full);
    if (!m) return;
    bool shown = m->dimension ? m->dimension->shown
                 : m->measure ? m->measure->shown
                              : (m->segment ? m->segment->shown : false);
    if (!shown) return;
    CatalogColumn c;
    c.name = name;
    c.kind = m->kind;
    c.member = full;
    c.resolved = m;
    c.type_oid = member_type_oid(*m);
    c.attnum = static_cast<int16_t>(t.columns.size() + 1);
    if (m->view_member && !m->view_member->description.empty()) {
      c.description = m->view_member->description;
    } else if (m->dimension) {
      c.description = m->dimension->description;
    } else if (m->measure) {
      c.description = m->measure->description;
    } else if (m->segment) {
      c.description = m->segment->description;
    }
    t.columns.push_back(std::move(c));
  };
  for (const Cube& cube : model_.cubes()) {
    if (!cube.shown) continue;
    CatalogTable t;
    t.name = cube.name;
    t.oid = next_oid++;
    t.description = cube.description;
    for (const auto& d : cube.dimensions) add_column(t, d.name, d.full_name());
    for (const auto& m : cube.measures) add_column(t, m.name, m.full_name());
    for (const auto& s : cube.segments) add_column(t, s.name, s.full_name());
    tables_.push_back(std::move(t));
  }
  for (const View& view : model_.views()) {
    if (!view.shown) continue;
    CatalogTable t;
    t.name = view.name;
    t.oid = next_oid++;
    t.is_view = true;
    t.description = view.description;
    // Dimensions, then measures, then segments, each in the view's order.
    for (MemberKind kind : {MemberKind::kDimension, MemberKind::kMeasure, MemberKind::kSegment}) {
      for (const auto& m : view.members) {
        if (m.kind == kind) add_column(t, m.name, view.name + "." + m.name);
      }
    }
    tables_.push_back(std::move(t));
  }
  for (size_t i = 0; i < tables_.size(); ++i) by_name_.emplace(tables_[i].name, i);
}

const CatalogTable* Catalog::find_table(std::string_view name) const {
  auto it = by_name_.find(name);
  if (it != by_name_.end()) return &tables_[it->second];
  const CatalogTable* found = nullptr;
  for (const auto& t : tables_) {
    if (iequals(t.name, name)) {
      if (found) return nullptr;
      found = &t;
    }
  }
  return found;
}

const CatalogTable* Catalog::find_table(int32_t oid) const {
  for (const auto& t : tables_) {
    if (t.oid == oid) return &t;
  }
  return nullptr;
}

std::string Catalog::version_text() const {
  return "PostgreSQL " + options_.server_version +
         " on x86_64-pc-linux-gnu, compiled by strata (a semantic layer speaking the "
         "PostgreSQL protocol), 64-bit";
}

std::string Catalog::setup_sql() const {
  Script s;
  const std::string pc = "__pg_catalog.";
  const std::string is = "__information_schema.";
  s.raw("CREATE SCHEMA __pg_catalog");
  s.raw("CREATE SCHEMA __information_schema");

  // pg_namespace
  s.table(pc + "pg_namespace", "oid BIGINT, nspname VARCHAR, nspowner BIGINT, nspacl VARCHAR");
  s.rows(pc + "pg_namespace",
         {"11, 'pg_catalog', 10, NULL", "2200, 'public', 6171, NULL", "99, 'pg_toast', 10, NULL",
          std::to_string(kInformationSchemaNamespace) + ", 'information_schema', 10, NULL"});

  // pg_roles and friends
  s.table(pc + "pg_roles",
          "rolname VARCHAR, rolsuper BOOLEAN, rolinherit BOOLEAN, rolcreaterole BOOLEAN, "
          "rolcreatedb BOOLEAN, rolcanlogin BOOLEAN, rolreplication BOOLEAN, rolconnlimit "
          "INTEGER, rolpassword VARCHAR, rolvaliduntil TIMESTAMPTZ, rolbypassrls BOOLEAN, "
          "rolconfig VARCHAR, oid BIGINT");
  std::vector<std::string> roles = {
      "'strata', true, true, false, false, false, false, -1, '********', NULL, false, NULL, 10",
      "'pg_database_owner', false, true, false, false, false, false, -1, '********', NULL, "
      "false, NULL, 6171"};
  for (size_t i = 0; i < options_.users.size(); ++i) {
    roles.push_back(
        lit(options_.users[i]) +
        ", false, true, false, false, true, false, -1, '********', NULL, false, NULL, " +
        std::to_string(kFirstUserOid + static_cast<int32_t>(i)));
  }
  s.rows(pc + "pg_roles", roles);
  s.raw("CREATE VIEW " + pc +
        "pg_authid AS SELECT oid, rolname, rolsuper, rolinherit, rolcreaterole, rolcreatedb, "
        "rolcanlogin, rolreplication, rolbypassrls, rolconnlimit, NULL::VARCHAR AS rolpassword, "
        "rolvaliduntil FROM " +
        pc + "pg_roles");
  s.raw("CREATE VIEW " + pc +
        "pg_user AS SELECT rolname AS usename, oid AS usesysid, rolcreatedb AS usecreatedb, "
        "rolsuper AS usesuper, rolreplication AS userepl, rolbypassrls AS usebypassrls, "
        "'********' AS passwd, rolvaliduntil AS valuntil, rolconfig AS useconfig FROM " +
        pc + "pg_roles WHERE rolcanlogin");
  s.raw("CREATE VIEW " + pc + "pg_shadow AS SELECT * FROM " + pc + "pg_user");
  s.table(pc + "pg_auth_members",
          "oid BIGINT, roleid BIGINT, member BIGINT, grantor BIGINT, admin_option BOOLEAN");
  s.raw("CREATE VIEW " + pc +
        "pg_group AS SELECT rolname AS groname, oid AS grosysid, NULL::VARCHAR AS grolist FROM " +
        pc + "pg_roles WHERE NOT rolcanlogin");

  // pg_database
  s.table(pc + "pg_database",
          "oid BIGINT, datname VARCHAR, datdba BIGINT, encoding INTEGER, datlocprovider VARCHAR, "
          "datistemplate BOOLEAN, datallowconn BOOLEAN, datconnlimit INTEGER, datfrozenxid "
          "BIGINT, datminmxid BIGINT, dattablespace BIGINT, datcollate VARCHAR, datctype VARCHAR, "
          "daticulocale VARCHAR, datcollversion VARCHAR, datacl VARCHAR");
  s.rows(pc + "pg_database",
         {std::to_string(kDatabaseOid) + ", " + lit(options_.database) +
          ", 10, 6, 'c', false, true, -1, 0, 1, 1663, 'C.UTF-8', 'C.UTF-8', NULL, NULL, NULL"});

  // pg_type
  s.table(pc + "pg_type",
          "oid BIGINT, typname VARCHAR, typnamespace BIGINT, typowner BIGINT, typlen SMALLINT, "
          "typbyval BOOLEAN, typtype VARCHAR, typcategory VARCHAR, typispreferred BOOLEAN, "
          "typisdefined BOOLEAN, typdelim VARCHAR, typrelid BIGINT, typsubscript VARCHAR, "
          "typelem BIGINT, typarray BIGINT, typinput VARCHAR, typoutput VARCHAR, typreceive "
          "VARCHAR, typsend VARCHAR, typmodin VARCHAR, typmodout VARCHAR, typanalyze VARCHAR, "
          "typalign VARCHAR, typstorage VARCHAR, typnotnull BOOLEAN, typbasetype BIGINT, "
          "typtypmod INTEGER, typndims INTEGER, typcollation BIGINT, typdefaultbin VARCHAR, "
          "typdefault VARCHAR, typacl VARCHAR");
  s.table(pc + "__type_names", "oid BIGINT, sqlname VARCHAR");
  std::vector<std::string> types, names;
  for (const auto& t : pg_types()) {
    std::string n = t.name;
    std::string align = t.len == 8 || t.len == -1 ? (t.len == 8 ? "d" : "i")
                                                  : (t.len == 2 ? "s" : (t.len == 1 ? "c" : "i"));
    bool collatable = t.category == 'S';
    types.push_back(std::to_string(t.oid) + ", " + lit(n) + ", 11, 10, " + std::to_string(t.len) +
                    ", " + b(t.byval) + ", " + (t.category == 'P' ? "'p'" : "'b'") + ", '" +
                    t.category + "', false, true, ',', 0, " +
                    (t.elem ? "'array_subscript_handler'" : "'-'") + ", " + std::to_string(t.elem) +
                    ", " + std::to_string(t.array) + ", " + lit(n + "in") + ", " + lit(n + "out") +
                    ", " + lit(n + "recv") + ", " + lit(n + "send") + ", '-', '-', '-', " +
                    lit(align) + ", " + (t.len == -1 ? "'x'" : "'p'") + ", false, 0, -1, 0, " +
                    (collatable ? "100" : "0") + ", NULL, NULL, NULL");
    names.push_back(std::to_string(t.oid) + ", " + lit(t.sql_name));
    if (t.array) {
      std::string an = "_" + n;
      types.push_back(std::to_string(t.array) + ", " + lit(an) +
                      ", 11, 10, -1, false, 'b', 'A', false, true, ',', 0, "
                      "'array_subscript_handler', " +
                      std::to_string(t.oid) +
                      ", 0, 'array_in', 'array_out', 'array_recv', "
                      "'array_send', '-', '-', 'array_typanalyze', " +
                      lit(align) + ", 'x', false, 0, -1, 0, " + (collatable ? "100" : "0") +
                      ", NULL, NULL, NULL");
      names.push_back(std::to_string(t.array) + ", " + lit(std::string(t.sql_name) + "[]"));
    }
  }
  s.rows(pc + "pg_type", types);
  s.rows(pc + "__type_names", names);

  // pg_class, pg_attribute, pg_description, pg_tables, pg_views
  s.table(pc + "pg_class",
          "oid BIGINT, relname VARCHAR, relnamespace BIGINT, reltype BIGINT, reloftype BIGINT, "
          "relowner BIGINT, relam BIGINT, relfilenode BIGINT, reltablespace BIGINT, relpages "
          "INTEGER, reltuples FLOAT, relallvisible INTEGER, reltoastrelid BIGINT, relhasindex "
          "BOOLEAN, relisshared BOOLEAN, relpersistence VARCHAR, relkind VARCHAR, relnatts "
          "SMALLINT, relchecks SMALLINT, relhasrules BOOLEAN, relhastriggers BOOLEAN, "
          "relhassubclass BOOLEAN, relrowsecurity BOOLEAN, relforcerowsecurity BOOLEAN, "
          "relispopulated BOOLEAN, relreplident VARCHAR, relispartition BOOLEAN, relrewrite "
          "BIGINT, relfrozenxid BIGINT, relminmxid BIGINT, relacl VARCHAR, reloptions VARCHAR, "
          "relpartbound VARCHAR");
  s.table(pc + "pg_attribute",
          "attrelid BIGINT, attname VARCHAR, atttypid BIGINT, attstattarget INTEGER, attlen "
          "SMALLINT, attnum SMALLINT, attndims INTEGER, attcacheoff INTEGER, atttypmod INTEGER, "
          "attbyval BOOLEAN, attalign VARCHAR, attstorage VARCHAR, attcompression VARCHAR, "
          "attnotnull BOOLEAN, atthasdef BOOLEAN, atthasmissing BOOLEAN, attidentity VARCHAR, "
          "attgenerated VARCHAR, attisdropped BOOLEAN, attislocal BOOLEAN, attinhcount INTEGER, "
          "attcollation BIGINT, attacl VARCHAR, attoptions VARCHAR, attfdwoptions VARCHAR, "
          "attmissingval VARCHAR");
  s.table(pc + "pg_description",
          "objoid BIGINT, classoid BIGINT, objsubid INTEGER, description VARCHAR");
  s.table(pc + "pg_shdescription", "objoid BIGINT, classoid BIGINT, description VARCHAR");
  std::vector<std::string> classes, attrs, descriptions, tables, views;
  for (const auto& t : tables_) {
    std::string o = std::to_string(t.oid);
    classes.push_back(o + ", " + lit(t.name) + ", 2200, 0, 0, 10, " + (t.is_view ? "0" : "2") +
                      ", " + (t.is_view ? "0" : o) + ", 0, 0, -1, 0, 0, false, false, 'p', " +
                      (t.is_view ? "'v'" : "'r'") + ", " + std::to_string(t.columns.size()) +
                      ", 0, " + b(t.is_view) + ", false, false, false, false, true, " +
                      (t.is_view ? "'n'" : "'d'") + ", false, 0, 0, 0, NULL, NULL, NULL");
    if (!t.description.empty()) {
      descriptions.push_back(o + ", 1259, 0, " + lit(t.description));
    }
    for (const auto& c : t.columns) {
      int16_t len = pg_type_len(c.type_oid);
      bool byval = len > 0 && len <= 8;
      attrs.push_back(o + ", " + lit(c.name) + ", " + std::to_string(c.type_oid) + ", -1, " +
                      std::to_string(len) + ", " + std::to_string(c.attnum) + ", 0, -1, -1, " +
                      b(byval) + ", " + (len == 8 ? "'d'" : "'i'") + ", " +
                      (len == -1 ? "'x'" : "'p'") +
                      ", '', false, false, false, '', '', false, true, 0, " +
                      (c.type_oid == oid::kText ? "100" : "0") + ", NULL, NULL, NULL, NULL");
      if (!c.description.empty()) {
        descriptions.push_back(o + ", 1259, " + std::to_string(c.attnum) + ", " +
                               lit(c.description));
      }
    }
    if (t.is_view) {
      views.push_back("'public', " + lit(t.name) + ", 'strata', " +
                      lit("-- a strata view; see the model"));
    } else {
      tables.push_back("'public', " + lit(t.name) + ", 'strata', NULL, false, false, false, false");
    }
  }
  s.rows(pc + "pg_class", classes);
  s.rows(pc + "pg_attribute", attrs);
  s.rows(pc + "pg_description", descriptions);
  s.table(pc + "pg_tables",
          "schemaname VARCHAR, tablename VARCHAR, tableowner VARCHAR, tablespace VARCHAR, "
          "hasindexes BOOLEAN, hasrules BOOLEAN, hastriggers BOOLEAN, rowsecurity BOOLEAN");
  s.rows(pc + "pg_tables", tables);
  s.table(pc + "pg_views",
          "schemaname VARCHAR, viewname VARCHAR, viewowner VARCHAR, definition VARCHAR");
  s.rows(pc + "pg_views", views);
  s.table(pc + "pg_matviews",
          "schemaname VARCHAR, matviewname VARCHAR, matviewowner VARCHAR, tablespace VARCHAR, "
          "hasindexes BOOLEAN, ispopulated BOOLEAN, definition VARCHAR");

  // Fixed small catalogs.
  s.table(pc + "pg_am", "oid BIGINT, amname VARCHAR, amhandler VARCHAR, amtype VARCHAR");
  s.rows(pc + "pg_am",
         {"2, 'heap', 'heap_tableam_handler', 't'", "403, 'btree', 'bthandler', 'i'"});
  s.table(pc + "pg_tablespace",
          "oid BIGINT, spcname VARCHAR, spcowner BIGINT, spcacl VARCHAR, spcoptions VARCHAR");
  s.rows(pc + "pg_tablespace",
         {"1663, 'pg_default', 10, NULL, NULL", "1664, 'pg_global', 10, NULL, NULL"});
  s.table(pc + "pg_collation",
          "oid BIGINT, collname VARCHAR, collnamespace BIGINT, collowner BIGINT, collprovider "
          "VARCHAR, collisdeterministic BOOLEAN, collencoding INTEGER, collcollate VARCHAR, "
          "collctype VARCHAR, colliculocale VARCHAR, collversion VARCHAR");
  s.rows(pc + "pg_collation", {"100, 'default', 11, 10, 'd', true, -1, NULL, NULL, NULL, NULL",
                               "950, 'C', 11, 10, 'c', true, -1, 'C', 'C', NULL, NULL"});
  s.table(pc + "pg_language",
          "oid BIGINT, lanname VARCHAR, lanowner BIGINT, lanispl BOOLEAN, lanpltrusted BOOLEAN, "
          "lanplcallfoid BIGINT, laninline BIGINT, lanvalidator BIGINT, lanacl VARCHAR");
  s.rows(pc + "pg_language",
         {"12, 'internal', 10, false, false, 0, 0, 0, NULL",
          "13, 'c', 10, false, false, 0, 0, 0, NULL", "14, 'sql', 10, false, true, 0, 0, 0, NULL"});
  s.table(pc + "pg_settings",
          "name VARCHAR, setting VARCHAR, unit VARCHAR, category VARCHAR, short_desc VARCHAR, "
          "extra_desc VARCHAR, context VARCHAR, vartype VARCHAR, source VARCHAR, min_val VARCHAR, "
          "max_val VARCHAR, enumvals VARCHAR, boot_val VARCHAR, reset_val VARCHAR, sourcefile "
          "VARCHAR, sourceline INTEGER, pending_restart BOOLEAN");
  std::vector<std::string> settings;
  for (const auto& [k, v] : std::vector<std::pair<std::string, std::string>>{
           {"server_version", options_.server_version},
           {"server_version_num", options_.server_version_num},
           {"server_encoding", "UTF8"},
           {"client_encoding", "UTF8"},
           {"DateStyle", "ISO, MDY"},
           {"TimeZone", "UTC"},
           {"integer_datetimes", "on"},
           {"standard_conforming_strings", "on"},
           {"max_identifier_length", "63"},
           {"default_transaction_read_only", "on"},
           {"transaction_isolation", "read committed"},
           {"search_path", "\"$user\", public"},
           {"max_connections", "100"},
           {"lc_collate", "C.UTF-8"},
           {"lc_ctype", "C.UTF-8"}}) {
    settings.push_back(lit(k) + ", " + lit(v) +
                       ", NULL, 'strata', '', NULL, 'user', 'string', 'default', NULL, NULL, "
                       "NULL, " +
                       lit(v) + ", " + lit(v) + ", NULL, NULL, false");
  }
  s.rows(pc + "pg_settings", settings);

  // Catalogs that exist but are always empty here.
  const std::vector<std::pair<std::string, std::string>> empty = {
      {"pg_attrdef", "oid BIGINT, adrelid BIGINT, adnum SMALLINT, adbin VARCHAR"},
      {"pg_index",
       "indexrelid BIGINT, indrelid BIGINT, indnatts SMALLINT, indnkeyatts SMALLINT, indisunique "
       "BOOLEAN, indnullsnotdistinct BOOLEAN, indisprimary BOOLEAN, indisexclusion BOOLEAN, "
       "indimmediate BOOLEAN, indisclustered BOOLEAN, indisvalid BOOLEAN, indcheckxmin BOOLEAN, "
       "indisready BOOLEAN, indislive BOOLEAN, indisreplident BOOLEAN, indkey VARCHAR, "
       "indcollation VARCHAR, indclass VARCHAR, indoption VARCHAR, indexprs VARCHAR, indpred "
       "VARCHAR"},
      {"pg_constraint",
       "oid BIGINT, conname VARCHAR, connamespace BIGINT, contype VARCHAR, condeferrable BOOLEAN, "
       "condeferred BOOLEAN, convalidated BOOLEAN, conrelid BIGINT, contypid BIGINT, conindid "
       "BIGINT, conparentid BIGINT, confrelid BIGINT, confupdtype VARCHAR, confdeltype VARCHAR, "
       "confmatchtype VARCHAR, conislocal BOOLEAN, coninhcount INTEGER, connoinherit BOOLEAN, "
       "conkey VARCHAR, confkey VARCHAR, conpfeqop VARCHAR, conppeqop VARCHAR, conffeqop "
       "VARCHAR, confdelsetcols VARCHAR, conexclop VARCHAR, conbin VARCHAR"},
      {"pg_inherits",
       "inhrelid BIGINT, inhparent BIGINT, inhseqno INTEGER, inhdetachpending BOOLEAN"},
      {"pg_policy",
       "oid BIGINT, polname VARCHAR, polrelid BIGINT, polcmd VARCHAR, polpermissive BOOLEAN, "
       "polroles VARCHAR, polqual VARCHAR, polwithcheck VARCHAR"},
      {"pg_statistic_ext",
       "oid BIGINT, stxrelid BIGINT, stxname VARCHAR, stxnamespace BIGINT, stxowner BIGINT, "
       "stxstattarget INTEGER, stxkeys VARCHAR, stxkind VARCHAR, stxexprs VARCHAR"},
      {"pg_statistic_ext_data", "stxoid BIGINT, stxdinherit BOOLEAN"},
      {"pg_publication",
       "oid BIGINT, pubname VARCHAR, pubowner BIGINT, puballtables BOOLEAN, pubinsert BOOLEAN, "
       "pubupdate BOOLEAN, pubdelete BOOLEAN, pubtruncate BOOLEAN, pubviaroot BOOLEAN"},
      {"pg_publication_namespace", "oid BIGINT, pnpubid BIGINT, pnnspid BIGINT"},
      {"pg_publication_rel",
       "oid BIGINT, prpubid BIGINT, prrelid BIGINT, prqual VARCHAR, prattrs VARCHAR"},
      {"pg_subscription", "oid BIGINT, subdbid BIGINT, subname VARCHAR, subowner BIGINT"},
      {"pg_trigger",
       "oid BIGINT, tgrelid BIGINT, tgparentid BIGINT, tgname VARCHAR, tgfoid BIGINT, tgtype "
       "SMALLINT, tgenabled VARCHAR, tgisinternal BOOLEAN, tgconstrrelid BIGINT, tgconstrindid "
       "BIGINT, tgconstraint BIGINT, tgdeferrable BOOLEAN, tginitdeferred BOOLEAN, tgnargs "
       "SMALLINT, tgattr VARCHAR, tgargs VARCHAR, tgqual VARCHAR, tgoldtable VARCHAR, "
       "tgnewtable VARCHAR"},
      {"pg_event_trigger",
       "oid BIGINT, evtname VARCHAR, evtevent VARCHAR, evtowner BIGINT, evtfoid BIGINT, "
       "evtenabled VARCHAR, evttags VARCHAR"},
      {"pg_rewrite",
       "oid BIGINT, rulename VARCHAR, ev_class BIGINT, ev_type VARCHAR, ev_enabled VARCHAR, "
       "is_instead BOOLEAN, ev_qual VARCHAR, ev_action VARCHAR"},
      {"pg_proc",
       "oid BIGINT, proname VARCHAR, pronamespace BIGINT, proowner BIGINT, prolang BIGINT, "
       "procost FLOAT, prorows FLOAT, provariadic BIGINT, prosupport VARCHAR, prokind VARCHAR, "
       "prosecdef BOOLEAN, proleakproof BOOLEAN, proisstrict BOOLEAN, proretset BOOLEAN, "
       "provolatile VARCHAR, proparallel VARCHAR, pronargs SMALLINT, pronargdefaults SMALLINT, "
       "prorettype BIGINT, proargtypes VARCHAR, proallargtypes VARCHAR, proargmodes VARCHAR, "
       "proargnames VARCHAR, proargdefaults VARCHAR, protrftypes VARCHAR, prosrc VARCHAR, "
       "probin VARCHAR, prosqlbody VARCHAR, proconfig VARCHAR, proacl VARCHAR"},
      {"pg_aggregate", "aggfnoid VARCHAR, aggkind VARCHAR, aggnumdirectargs SMALLINT"},
      {"pg_operator",
       "oid BIGINT, oprname VARCHAR, oprnamespace BIGINT, oprowner BIGINT, oprkind VARCHAR, "
       "oprcanmerge BOOLEAN, oprcanhash BOOLEAN, oprleft BIGINT, oprright BIGINT, oprresult "
       "BIGINT, oprcom BIGINT, oprnegate BIGINT, oprcode VARCHAR, oprrest VARCHAR, oprjoin "
       "VARCHAR"},
      {"pg_opclass",
       "oid BIGINT, opcmethod BIGINT, opcname VARCHAR, opcnamespace BIGINT, opcowner BIGINT, "
       "opcfamily BIGINT, opcintype BIGINT, opcdefault BOOLEAN, opckeytype BIGINT"},
      {"pg_cast",
       "oid BIGINT, castsource BIGINT, casttarget BIGINT, castfunc BIGINT, castcontext VARCHAR, "
       "castmethod VARCHAR"},
      {"pg_conversion",
       "oid BIGINT, conname VARCHAR, connamespace BIGINT, conowner BIGINT, conforencoding "
       "INTEGER, contoencoding INTEGER, conproc VARCHAR, condefault BOOLEAN"},
      {"pg_extension",
       "oid BIGINT, extname VARCHAR, extowner BIGINT, extnamespace BIGINT, extrelocatable "
       "BOOLEAN, extversion VARCHAR, extconfig VARCHAR, extcondition VARCHAR"},
      {"pg_available_extensions",
       "name VARCHAR, default_version VARCHAR, installed_version VARCHAR, comment VARCHAR"},
      {"pg_enum", "oid BIGINT, enumtypid BIGINT, enumsortorder FLOAT, enumlabel VARCHAR"},
      {"pg_range",
       "rngtypid BIGINT, rngsubtype BIGINT, rngmultitypid BIGINT, rngcollation BIGINT, "
       "rngsubopc BIGINT, rngcanonical VARCHAR, rngsubdiff VARCHAR"},
      {"pg_sequence",
       "seqrelid BIGINT, seqtypid BIGINT, seqstart BIGINT, seqincrement BIGINT, seqmax BIGINT, "
       "seqmin BIGINT, seqcache BIGINT, seqcycle BOOLEAN"},
      {"pg_sequences",
       "schemaname VARCHAR, sequencename VARCHAR, sequenceowner VARCHAR, data_type VARCHAR, "
       "start_value BIGINT, min_value BIGINT, max_value BIGINT, increment_by BIGINT, cycle "
       "BOOLEAN, cache_size BIGINT, last_value BIGINT"},
      {"pg_depend",
       "classid BIGINT, objid BIGINT, objsubid INTEGER, refclassid BIGINT, refobjid BIGINT, "
       "refobjsubid INTEGER, deptype VARCHAR"},
      {"pg_foreign_table", "ftrelid BIGINT, ftserver BIGINT, ftoptions VARCHAR"},
      {"pg_foreign_server",
       "oid BIGINT, srvname VARCHAR, srvowner BIGINT, srvfdw BIGINT, srvtype VARCHAR, "
       "srvversion VARCHAR, srvacl VARCHAR, srvoptions VARCHAR"},
      {"pg_foreign_data_wrapper",
       "oid BIGINT, fdwname VARCHAR, fdwowner BIGINT, fdwhandler BIGINT, fdwvalidator BIGINT, "
       "fdwacl VARCHAR, fdwoptions VARCHAR"},
      {"pg_partitioned_table",
       "partrelid BIGINT, partstrat VARCHAR, partnatts SMALLINT, partdefid BIGINT, partattrs "
       "VARCHAR, partclass VARCHAR, partcollation VARCHAR, partexprs VARCHAR"},
      {"pg_indexes",
       "schemaname VARCHAR, tablename VARCHAR, indexname VARCHAR, tablespace VARCHAR, indexdef "
       "VARCHAR"},
      {"pg_stat_activity",
       "datid BIGINT, datname VARCHAR, pid INTEGER, usesysid BIGINT, usename VARCHAR, "
       "application_name VARCHAR, client_addr VARCHAR, client_hostname VARCHAR, client_port "
       "INTEGER, backend_start TIMESTAMPTZ, xact_start TIMESTAMPTZ, query_start TIMESTAMPTZ, "
       "state_change TIMESTAMPTZ, wait_event_type VARCHAR, wait_event VARCHAR, state VARCHAR, "
       "backend_xid VARCHAR, backend_xmin VARCHAR, query VARCHAR, backend_type VARCHAR"},
      {"pg_stat_database", "datid BIGINT, datname VARCHAR, numbackends INTEGER"},
      {"pg_stat_user_tables",
       "relid BIGINT, schemaname VARCHAR, relname VARCHAR, seq_scan BIGINT, n_live_tup BIGINT"},
      {"pg_statio_user_tables", "relid BIGINT, schemaname VARCHAR, relname VARCHAR"},
      {"pg_stat_ssl", "pid INTEGER, ssl BOOLEAN, version VARCHAR, cipher VARCHAR"},
      {"pg_locks",
       "locktype VARCHAR, database BIGINT, relation BIGINT, pid INTEGER, mode VARCHAR, granted "
       "BOOLEAN"},
      {"pg_prepared_statements",
       "name VARCHAR, statement VARCHAR, prepare_time TIMESTAMPTZ, parameter_types VARCHAR, "
       "from_sql BOOLEAN"},
      {"pg_timezone_names", "name VARCHAR, abbrev VARCHAR, utc_offset INTERVAL, is_dst BOOLEAN"},
      {"pg_default_acl",
       "oid BIGINT, defaclrole BIGINT, defaclnamespace BIGINT, defaclobjtype VARCHAR, defaclacl "
       "VARCHAR"},
      {"pg_init_privs",
       "objoid BIGINT, classoid BIGINT, objsubid INTEGER, privtype VARCHAR, initprivs VARCHAR"},
      {"pg_seclabel",
       "objoid BIGINT, classoid BIGINT, objsubid INTEGER, provider VARCHAR, label VARCHAR"},
      {"pg_transform", "oid BIGINT, trftype BIGINT, trflang BIGINT"},
      {"pg_ts_config", "oid BIGINT, cfgname VARCHAR, cfgnamespace BIGINT"},
      {"pg_ts_dict", "oid BIGINT, dictname VARCHAR, dictnamespace BIGINT"},
      {"pg_ts_parser", "oid BIGINT, prsname VARCHAR, prsnamespace BIGINT"},
      {"pg_ts_template", "oid BIGINT, tmplname VARCHAR, tmplnamespace BIGINT"},
      {"pg_largeobject_metadata", "oid BIGINT, lomowner BIGINT, lomacl VARCHAR"},
      {"pg_replication_slots", "slot_name VARCHAR, plugin VARCHAR, slot_type VARCHAR"},
      {"pg_attribute_encryption", "attrelid BIGINT"},
  };
  for (const auto& [name, cols] : empty) s.table(pc + name, cols);

  // information_schema
  const std::string db = lit(options_.database);
  s.table(is + "information_schema_catalog_name", "catalog_name VARCHAR");
  s.rows(is + "information_schema_catalog_name", {db});
  s.table(is + "schemata",
          "catalog_name VARCHAR, schema_name VARCHAR, schema_owner VARCHAR, "
          "default_character_set_catalog VARCHAR, default_character_set_schema VARCHAR, "
          "default_character_set_name VARCHAR, sql_path VARCHAR");
  s.rows(is + "schemata", {db + ", 'public', 'pg_database_owner', NULL, NULL, NULL, NULL",
                           db + ", 'pg_catalog', 'strata', NULL, NULL, NULL, NULL",
                           db + ", 'information_schema', 'strata', NULL, NULL, NULL, NULL"});
  s.table(is + "tables",
          "table_catalog VARCHAR, table_schema VARCHAR, table_name VARCHAR, table_type VARCHAR, "
          "self_referencing_column_name VARCHAR, reference_generation VARCHAR, "
          "user_defined_type_catalog VARCHAR, user_defined_type_schema VARCHAR, "
          "user_defined_type_name VARCHAR, is_insertable_into VARCHAR, is_typed VARCHAR, "
          "commit_action VARCHAR");
  s.table(is + "columns",
          "table_catalog VARCHAR, table_schema VARCHAR, table_name VARCHAR, column_name VARCHAR, "
          "ordinal_position INTEGER, column_default VARCHAR, is_nullable VARCHAR, data_type "
          "VARCHAR, character_maximum_length INTEGER, character_octet_length INTEGER, "
          "numeric_precision INTEGER, numeric_precision_radix INTEGER, numeric_scale INTEGER, "
          "datetime_precision INTEGER, interval_type VARCHAR, interval_precision INTEGER, "
          "character_set_catalog VARCHAR, character_set_schema VARCHAR, character_set_name "
          "VARCHAR, collation_catalog VARCHAR, collation_schema VARCHAR, collation_name VARCHAR, "
          "domain_catalog VARCHAR, domain_schema VARCHAR, domain_name VARCHAR, udt_catalog "
          "VARCHAR, udt_schema VARCHAR, udt_name VARCHAR, scope_catalog VARCHAR, scope_schema "
          "VARCHAR, scope_name VARCHAR, maximum_cardinality INTEGER, dtd_identifier VARCHAR, "
          "is_self_referencing VARCHAR, is_identity VARCHAR, identity_generation VARCHAR, "
          "identity_start VARCHAR, identity_increment VARCHAR, identity_maximum VARCHAR, "
          "identity_minimum VARCHAR, identity_cycle VARCHAR, is_generated VARCHAR, "
          "generation_expression VARCHAR, is_updatable VARCHAR");
  s.table(is + "views",
          "table_catalog VARCHAR, table_schema VARCHAR, table_name VARCHAR, view_definition "
          "VARCHAR, check_option VARCHAR, is_updatable VARCHAR, is_insertable_into VARCHAR, "
          "is_trigger_updatable VARCHAR, is_trigger_deletable VARCHAR, "
          "is_trigger_insertable_into VARCHAR");
  std::vector<std::string> is_tables, is_columns, is_views;
  for (const auto& t : tables_) {
    is_tables.push_back(db + ", 'public', " + lit(t.name) + ", " +
                        (t.is_view ? "'VIEW'" : "'BASE TABLE'") +
                        ", NULL, NULL, NULL, NULL, NULL, 'NO', 'NO', NULL");
    if (t.is_view) {
      is_views.push_back(db + ", 'public', " + lit(t.name) +
                         ", NULL, 'NONE', 'NO', 'NO', 'NO', 'NO', 'NO'");
    }
    for (const auto& c : t.columns) {
      std::string data_type, udt, precision = "NULL", radix = "NULL", scale = "NULL",
                                  dt_precision = "NULL";
      switch (c.type_oid) {
        case oid::kInt8:
          data_type = "bigint";
          udt = "int8";
          precision = "64";
          radix = "2";
          scale = "0";
          break;
        case oid::kNumeric:
          data_type = "numeric";
          udt = "numeric";
          radix = "10";
          break;
        case oid::kTimestamp:
          data_type = "timestamp without time zone";
          udt = "timestamp";
          dt_precision = "6";
          break;
        case oid::kBool:
          data_type = "boolean";
          udt = "bool";
          break;
        default:
          data_type = "text";
          udt = "text";
          break;
      }
      is_columns.push_back(db + ", 'public', " + lit(t.name) + ", " + lit(c.name) + ", " +
                           std::to_string(c.attnum) + ", NULL, 'YES', " + lit(data_type) +
                           ", NULL, " + (c.type_oid == oid::kText ? "1073741824" : "NULL") + ", " +
                           precision + ", " + radix + ", " + scale + ", " + dt_precision +
                           ", NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, " +
                           db + ", 'pg_catalog', " + lit(udt) + ", NULL, NULL, NULL, NULL, " +
                           lit(std::to_string(c.attnum)) +
                           ", 'NO', 'NO', NULL, NULL, NULL, NULL, NULL, 'NO', 'NEVER', NULL, 'NO'");
    }
  }
  s.rows(is + "tables", is_tables);
  s.rows(is + "columns", is_columns);
  s.rows(is + "views", is_views);
  const std::vector<std::pair<std::string, std::string>> is_empty = {
      {"key_column_usage",
       "constraint_catalog VARCHAR, constraint_schema VARCHAR, constraint_name VARCHAR, "
       "table_catalog VARCHAR, table_schema VARCHAR, table_name VARCHAR, column_name VARCHAR, "
       "ordinal_position INTEGER, position_in_unique_constraint INTEGER"},
      {"table_constraints",
       "constraint_catalog VARCHAR, constraint_schema VARCHAR, constraint_name VARCHAR, "
       "table_catalog VARCHAR, table_schema VARCHAR, table_name VARCHAR, constraint_type "
       "VARCHAR, is_deferrable VARCHAR, initially_deferred VARCHAR, enforced VARCHAR, "
       "nulls_distinct VARCHAR"},
      {"referential_constraints",
       "constraint_catalog VARCHAR, constraint_schema VARCHAR, constraint_name VARCHAR, "
       "unique_constraint_catalog VARCHAR, unique_constraint_schema VARCHAR, "
       "unique_constraint_name VARCHAR, match_option VARCHAR, update_rule VARCHAR, delete_rule "
       "VARCHAR"},
      {"constraint_column_usage",
       "table_catalog VARCHAR, table_schema VARCHAR, table_name VARCHAR, column_name VARCHAR, "
       "constraint_catalog VARCHAR, constraint_schema VARCHAR, constraint_name VARCHAR"},
      {"check_constraints",
       "constraint_catalog VARCHAR, constraint_schema VARCHAR, constraint_name VARCHAR, "
       "check_clause VARCHAR"},
      {"routines",
       "specific_catalog VARCHAR, specific_schema VARCHAR, specific_name VARCHAR, "
       "routine_catalog VARCHAR, routine_schema VARCHAR, routine_name VARCHAR, routine_type "
       "VARCHAR, data_type VARCHAR, routine_definition VARCHAR, external_language VARCHAR"},
      {"parameters",
       "specific_catalog VARCHAR, specific_schema VARCHAR, specific_name VARCHAR, "
       "ordinal_position INTEGER, parameter_mode VARCHAR, parameter_name VARCHAR, data_type "
       "VARCHAR"},
      {"character_sets",
       "character_set_catalog VARCHAR, character_set_schema VARCHAR, character_set_name "
       "VARCHAR, character_repertoire VARCHAR, form_of_use VARCHAR"},
      {"table_privileges",
       "grantor VARCHAR, grantee VARCHAR, table_catalog VARCHAR, table_schema VARCHAR, "
       "table_name VARCHAR, privilege_type VARCHAR, is_grantable VARCHAR, with_hierarchy "
       "VARCHAR"},
      {"column_privileges",
       "grantor VARCHAR, grantee VARCHAR, table_catalog VARCHAR, table_schema VARCHAR, "
       "table_name VARCHAR, column_name VARCHAR, privilege_type VARCHAR, is_grantable VARCHAR"},
      {"sequences",
       "sequence_catalog VARCHAR, sequence_schema VARCHAR, sequence_name VARCHAR, data_type "
       "VARCHAR"},
      {"triggers",
       "trigger_catalog VARCHAR, trigger_schema VARCHAR, trigger_name VARCHAR, "
       "event_manipulation VARCHAR, event_object_catalog VARCHAR, event_object_schema VARCHAR, "
       "event_object_table VARCHAR"},
      {"domains", "domain_catalog VARCHAR, domain_schema VARCHAR, domain_name VARCHAR"},
      {"enabled_roles", "role_name VARCHAR"},
      {"applicable_roles", "grantee VARCHAR, role_name VARCHAR, is_grantable VARCHAR"},
      {"element_types",
       "object_catalog VARCHAR, object_schema VARCHAR, object_name VARCHAR, object_type "
       "VARCHAR, collection_type_identifier VARCHAR, data_type VARCHAR"},
      {"attributes",
       "udt_catalog VARCHAR, udt_schema VARCHAR, udt_name VARCHAR, attribute_name VARCHAR"},
  };
  for (const auto& [name, cols] : is_empty) s.table(is + name, cols);

  // Functions. Lookups are CASE expressions over the catalog's (fixed) content:
  // DuckDB binds correlated subqueries inside macros unreliably.
  auto macro = [&](const std::string& def) { s.raw("CREATE MACRO " + pc + def); };
  auto cases = [](const std::string& subject,
                  const std::vector<std::pair<std::string, std::string>>& branches,
                  const std::string& otherwise) {
    if (branches.empty()) return "(" + otherwise + ")";
    std::string out = "CASE " + subject;
    for (const auto& [when, then] : branches) out += " WHEN " + when + " THEN " + then;
    return out + " ELSE " + otherwise + " END";
  };
  std::vector<std::pair<std::string, std::string>> type_names, type_oids;
  for (const auto& t : pg_types()) {
    type_names.emplace_back(std::to_string(t.oid), lit(t.sql_name));
    type_oids.emplace_back(lit(t.name), std::to_string(t.oid));
    type_oids.emplace_back(lit(t.sql_name), std::to_string(t.oid));
    if (t.array) {
      type_names.emplace_back(std::to_string(t.array), lit(std::string(t.sql_name) + "[]"));
      type_oids.emplace_back(lit(std::string("_") + t.name), std::to_string(t.array));
    }
  }
  std::vector<std::pair<std::string, std::string>> unique_oids;
  {
    std::set<std::string> seen;
    for (const auto& p : type_oids) {
      if (seen.insert(p.first).second) unique_oids.push_back(p);
    }
  }
  macro(
      "format_type(t, m) AS CASE WHEN t IS NULL THEN NULL "
      "WHEN t = 1700 AND m >= 4 THEN 'numeric(' || ((m - 4) // 65536) || ',' || "
      "((m - 4) % 65536) || ')' "
      "WHEN t = 1043 AND m >= 4 THEN 'character varying(' || (m - 4) || ')' "
      "WHEN t = 1042 AND m >= 4 THEN 'character(' || (m - 4) || ')' ELSE " +
      cases("t", type_names, "repeat('?', 3)") + " END");
  std::vector<std::pair<std::string, std::string>> users = {{"10", "'strata'"},
                                                            {"6171", "'pg_database_owner'"}};
  for (size_t i = 0; i < options_.users.size(); ++i) {
    users.emplace_back(std::to_string(kFirstUserOid + static_cast<int32_t>(i)),
                       lit(options_.users[i]));
  }
  macro("pg_get_userbyid(r) AS " + cases("r", users, "'unknown (OID=' || r || ')'"));
  macro("pg_table_is_visible(o) AS true");
  macro("pg_type_is_visible(o) AS true");
  macro("pg_function_is_visible(o) AS true");
  macro("pg_collation_is_visible(o) AS true");
  macro("pg_conversion_is_visible(o) AS true");
  macro("pg_opclass_is_visible(o) AS true");
  macro("pg_operator_is_visible(o) AS true");
  macro("pg_ts_config_is_visible(o) AS true");
  macro("pg_is_other_temp_schema(o) AS false");
  macro("pg_my_temp_schema() AS 0");
  macro("pg_get_expr(e, r) AS NULL::VARCHAR, (e, r, p) AS NULL::VARCHAR");
  std::vector<std::pair<std::string, std::string>> table_descriptions, column_descriptions,
      class_oids, class_names;
  for (const auto& t : tables_) {
    std::string o = std::to_string(t.oid);
    if (!t.description.empty()) table_descriptions.emplace_back(o, lit(t.description));
    for (const auto& c : t.columns) {
      if (!c.description.empty()) {
        column_descriptions.emplace_back("o = " + o + " AND n = " + std::to_string(c.attnum),
                                         lit(c.description));
      }
    }
    class_oids.emplace_back(lit(t.name), o);
    class_names.emplace_back(o, lit(t.name));
  }
  macro("obj_description(o) AS " + cases("o", table_descriptions, "NULL::VARCHAR") +
        ", (o, k) AS " + cases("o", table_descriptions, "NULL::VARCHAR"));
  macro("col_description(o, n) AS " + cases("", column_descriptions, "NULL::VARCHAR"));
  macro("shobj_description(o, c) AS NULL::VARCHAR");
  macro("pg_encoding_to_char(e) AS 'UTF8'");
  for (const char* f : {"has_table_privilege", "has_schema_privilege", "has_database_privilege",
                        "has_function_privilege", "has_any_column_privilege", "pg_has_role"}) {
    macro(std::string(f) + "(a, b) AS true, (a, b, c) AS true");
  }
  macro("has_column_privilege(a, b, c) AS true, (a, b, c, d) AS true");
  for (const char* f :
       {"pg_get_indexdef", "pg_get_constraintdef", "pg_get_viewdef", "pg_get_triggerdef",
        "pg_get_functiondef", "pg_get_function_arguments", "pg_get_function_result",
        "pg_get_function_identity_arguments", "pg_get_partkeydef",
        "pg_get_statisticsobjdef_columns", "pg_tablespace_location", "pg_get_ruledef"}) {
    macro(std::string(f) +
          "(a) AS NULL::VARCHAR, (a, b) AS NULL::VARCHAR, (a, b, c) AS "
          "NULL::VARCHAR");
  }
  for (const char* f :
       {"pg_relation_size", "pg_total_relation_size", "pg_table_size", "pg_indexes_size"}) {
    macro(std::string(f) + "(a) AS 0::BIGINT, (a, b) AS 0::BIGINT");
  }
  macro("pg_relation_is_publishable(a) AS false");
  macro("pg_is_in_recovery() AS false");
  macro("inet_server_addr() AS NULL::VARCHAR");
  macro("inet_server_port() AS NULL::INTEGER");
  macro("inet_client_addr() AS NULL::VARCHAR");
  macro("inet_client_port() AS NULL::INTEGER");
  macro("array_upper(a, d) AS CASE WHEN len(a) = 0 THEN NULL ELSE len(a) END");
  macro("array_lower(a, d) AS CASE WHEN len(a) = 0 THEN NULL ELSE 1 END");
  macro("array_length(a, d) AS CASE WHEN len(a) = 0 THEN NULL ELSE len(a) END");
  macro("array_ndims(a) AS 1");
  macro(
      "quote_ident(x) AS CASE WHEN regexp_full_match(x, '[a-z_][a-z0-9_$]*') THEN x ELSE '\"' "
      "|| replace(x, '\"', '\"\"') || '\"' END");
  macro("set_config(n, v, l) AS v");
  macro("txid_current() AS 1::BIGINT");
  macro("age(x) AS 0");
  macro("pg_get_serial_sequence(t, c) AS NULL::VARCHAR");
  macro("__regclass_oid(n) AS " +
        cases("regexp_replace(regexp_replace(n::VARCHAR, '^(public|pg_catalog)\\.', ''), "
              "'^\"(.*)\"$', '\\1')",
              class_oids, "NULL::BIGINT"));
  macro("to_regclass(n) AS __pg_catalog.__regclass_oid(n)");
  macro("__regclass_name(o) AS " + cases("o", class_names, "o::VARCHAR"));
  macro("__regtype_oid(n) AS " + cases("regexp_replace(lower(n::VARCHAR), '^pg_catalog\\.', '')",
                                       unique_oids, "NULL::BIGINT"));
  macro("to_regtype(n) AS __pg_catalog.__regtype_oid(n)");
  macro("__regnamespace_name(o) AS " +
        cases("o",
              {{"11", "'pg_catalog'"},
               {"2200", "'public'"},
               {"99", "'pg_toast'"},
               {std::to_string(kInformationSchemaNamespace), "'information_schema'"}},
              "o::VARCHAR"));
  macro("pg_postmaster_start_time() AS current_timestamp");
  macro("pg_backend_pid() AS 0");
  macro(
      "pg_size_pretty(n) AS CASE WHEN n < 10240 THEN n || ' bytes' WHEN n < 10485760 THEN "
      "round(n / 1024) || ' kB' WHEN n < 10737418240 THEN round(n / 1048576) || ' MB' ELSE "
      "round(n / 1073741824) || ' GB' END");
  macro(
      "pg_get_keywords() AS TABLE SELECT NULL::VARCHAR AS word, NULL::VARCHAR AS catcode, "
      "NULL::VARCHAR AS catdesc WHERE false");
  return s.take();
}

}  // namespace strata::pgwire
