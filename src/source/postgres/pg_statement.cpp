#include "source/postgres/pg_statement.h"

#include <pg_query.h>

#include <array>
#include <memory>
#include <string_view>

#include "core/error.h"

namespace strata {

namespace {

struct ParseResult {
  PgQueryParseResult r;
  ~ParseResult() { pg_query_free_parse_result(r); }
};

struct SplitResult {
  PgQuerySplitResult r;
  ~SplitResult() { pg_query_free_split_result(r); }
};

[[noreturn]] void reject(const std::string& why) {
  throw UserError("the SQL pass-through only runs one read-only statement: " + why,
                  {.hint = "use SELECT, WITH ... SELECT, VALUES, TABLE, EXPLAIN or SHOW"});
}

// Parse-tree nodes (JSON keys) that write or lock.
constexpr std::array<std::string_view, 6> kWritingNodes = {
    "\"InsertStmt\":", "\"UpdateStmt\":", "\"DeleteStmt\":",
    "\"MergeStmt\":",  "\"intoClause\":", "\"lockingClause\":"};

// Functions with side effects outside the transaction (or on the server).
constexpr std::array<std::string_view, 24> kDeniedFunctions = {"set_config",
                                                               "pg_terminate_backend",
                                                               "pg_cancel_backend",
                                                               "pg_reload_conf",
                                                               "pg_rotate_logfile",
                                                               "pg_promote",
                                                               "pg_switch_wal",
                                                               "pg_create_restore_point",
                                                               "lo_import",
                                                               "lo_export",
                                                               "lo_unlink",
                                                               "lo_create",
                                                               "lo_from_bytea",
                                                               "lo_put",
                                                               "dblink_exec",
                                                               "dblink_connect",
                                                               "dblink",
                                                               "pg_read_file",
                                                               "pg_read_binary_file",
                                                               "pg_ls_dir",
                                                               "pg_stat_file",
                                                               "pg_notify",
                                                               "pg_advisory_lock",
                                                               "pg_advisory_xact_lock"};

}  // namespace

void check_postgres_read_only(const std::string& sql) {
  SplitResult split{pg_query_split_with_parser(sql.c_str())};
  if (split.r.error) {
    throw UserError("syntax error in the SQL: " + std::string(split.r.error->message),
                    {.position = split.r.error->cursorpos});
  }
  if (split.r.n_stmts != 1) reject(std::to_string(split.r.n_stmts) + " statements were sent");
  ParseResult parsed{pg_query_parse(sql.c_str())};
  if (parsed.r.error) {
    throw UserError("syntax error in the SQL: " + std::string(parsed.r.error->message),
                    {.position = parsed.r.error->cursorpos});
  }
  std::string_view tree = parsed.r.parse_tree ? parsed.r.parse_tree : "";
  size_t at = tree.find("\"stmts\":[{\"stmt\":{\"");
  if (at == std::string_view::npos) reject("no statement was found");
  std::string_view kind = tree.substr(at + 19);
  kind = kind.substr(0, kind.find('"'));
  if (kind != "SelectStmt" && kind != "ExplainStmt" && kind != "VariableShowStmt") {
    reject("a " + std::string(kind) + " is not a read");
  }
  for (std::string_view node : kWritingNodes) {
    if (tree.find(node) != std::string_view::npos) {
      reject("it contains " + std::string(node.substr(1, node.size() - 3)));
    }
  }
  for (std::string_view fn : kDeniedFunctions) {
    std::string needle = "{\"String\":{\"sval\":\"" + std::string(fn) + "\"}}]";
    if (tree.find(needle) != std::string_view::npos) {
      reject("it calls " + std::string(fn) + "()");
    }
  }
}

}  // namespace strata
