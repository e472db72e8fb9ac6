// Rewriting a client's SELECT for the sandbox (DuckDB): PostgreSQL catalog
// references go to the emulated catalog (pg_catalog.pg_class ->
// __pg_catalog.pg_class, information_schema.tables -> __information_schema.tables),
// catalog functions to their macros, PostgreSQL-only syntax to DuckDB's
// (OPERATOR(pg_catalog.~), ::regclass, COLLATE pg_catalog.default, regex
// operators, = ANY(array), a function alias used as its column), session
// functions to literals (current_user, current_database(), version(),
// current_setting('x')), and $n parameters to literals. Edits that cube
// blocks bring (see translate.h) are merged in.
//
// Only known relations are allowed: cube tables (handled by their blocks),
// CTEs, and the emulated catalogs. Anything else is 42P01 (relation does not
// exist), and table functions other than generate_series and unnest are
// 42883, so a client never reaches DuckDB's own catalog or functions that
// touch the file system.
#pragma once

#include <boost/json/value.hpp>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "pgwire/catalog.h"
#include "pgwire/sql_text.h"

namespace strata::pgwire {

struct SessionFacts {
  std::string user;
  std::string database;
  std::string version;  // version()'s text
  int32_t backend_pid = 0;
  // Current session settings by lower-case name (current_setting, SHOW).
  const std::map<std::string, std::string>* settings = nullptr;
};

struct RewriteInput {
  const ParsedSql* sql = nullptr;
  const SqlStatement* statement = nullptr;
  const Catalog* catalog = nullptr;
  SessionFacts session;
  // $n values (nullopt: NULL); null when not bound (describing): $n stays.
  const std::vector<std::optional<std::string>>* params = nullptr;
  const std::vector<int32_t>* param_types = nullptr;  // declared OIDs, may be shorter
  std::set<std::string> cte_names;
  // SelectStmt bodies translated as cube blocks: their FROM items are theirs.
  std::set<const boost::json::object*> cube_blocks;
  std::vector<TextEdit> block_edits;
};

// The statement as the sandbox runs it. Throws UserError (42P01, 42883,
// 0A000) with the position of the offending reference.
std::string rewrite_for_sandbox(const RewriteInput& in);

// True for a set operation's branch (`larg`/`rarg`), which libpg_query's JSON
// writes as a bare SelectStmt body.
bool is_set_operand(std::string_view key, const boost::json::value& v);

// Names of CTEs defined anywhere in `node`.
void collect_cte_names(const boost::json::value& node, std::set<std::string>& out);

// SelectStmt bodies in `node` whose FROM reads a cube or view (directly or in
// a JOIN), outermost first.
std::vector<const boost::json::object*> find_cube_blocks(const boost::json::value& node,
                                                         const Catalog& catalog,
                                                         const std::set<std::string>& cte_names);

}  // namespace strata::pgwire
