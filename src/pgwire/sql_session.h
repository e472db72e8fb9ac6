// SqlEngine and SqlSession: running one SQL statement of the SQL API.
//
// SqlEngine (one per server) holds what every connection shares: the
// QueryService, the Catalog built from the model, and the sandbox DuckDB
// with the emulated system catalogs. SqlSession (one per connection) holds a
// connection's state: its user and SecurityContext, settings (SET / SHOW,
// reported back with ParameterStatus), its transaction status, and its own
// sandbox connection.
//
// A SELECT runs along one of three paths:
//  1. direct: one SELECT over cube tables that is exactly a SemanticQuery
//     (translate.h) runs through QueryService and its rows are the answer;
//  2. post-processed: the SELECT blocks that read cubes each run as a
//     SemanticQuery through QueryService, their results are loaded into
//     temporary tables of the session's sandbox connection, and the rest of
//     the statement runs there (rewrite.h);
//  3. catalog: statements that read no cubes (catalog queries, SELECT 1,
//     version()) run in the sandbox against the emulated catalogs.
// SET, SHOW, RESET, BEGIN / COMMIT / ROLLBACK / SAVEPOINT, DISCARD and
// DEALLOCATE are handled here; anything that would write is refused (25006).
//
// Thread-safety: SqlEngine is thread-safe. A SqlSession is used by its
// connection's thread, except cancel(), which any thread may call.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/result_set.h"
#include "exec/query_service.h"
#include "pgwire/catalog.h"
#include "pgwire/protocol.h"
#include "pgwire/sandbox.h"
#include "pgwire/sql_text.h"
#include "query/cube_query.h"
#include "query/security_context.h"

namespace strata::pgwire {

struct SqlEngineOptions {
  QueryLimits limits;
  std::chrono::milliseconds query_timeout{120'000};
  std::string database = "strata";
  std::string server_version = "15.0";
  std::vector<std::string> users;  // listed in pg_roles
  SandboxOptions sandbox;
};

class SqlEngine {
 public:
  // `service` must outlive the engine. Builds the catalog and the sandbox;
  // throws InternalError when the sandbox cannot be set up.
  SqlEngine(QueryService& service, SqlEngineOptions options);

  QueryService& service() { return service_; }
  const Catalog& catalog() const { return *catalog_; }
  Sandbox& sandbox() { return *sandbox_; }
  const SqlEngineOptions& options() const { return options_; }

 private:
  QueryService& service_;
  SqlEngineOptions options_;
  std::shared_ptr<const Model> model_;  // keeps the catalog's model alive
  std::unique_ptr<Catalog> catalog_;
  std::unique_ptr<Sandbox> sandbox_;
};

// Where a statement's output goes (the connection writes it to the client).
class ResultWriter {
 public:
  virtual ~ResultWriter() = default;
  // The result's columns, once, before any rows (only for statements that
  // return rows). `types` are the strata types the cells will arrive in.
  virtual void columns(const std::vector<PgField>& fields) = 0;
  // Rows of `batch`, output column i taken from batch column map[i] (-1: NULL).
  // Returns false to stop the statement (the client went away).
  virtual bool rows(const ResultSet& batch, const std::vector<int>& map) = 0;
  virtual void notice(const ErrorFields& notice) = 0;
  virtual void parameter_status(const std::string& name, const std::string& value) = 0;
};

struct StatementDescription {
  std::vector<PgField> fields;  // empty: the statement returns no rows (NoData)
  std::vector<int32_t> param_types;
};

using SqlParams = std::vector<std::optional<std::string>>;

class SqlSession {
 public:
  // `startup` are the startup packet's parameters (application_name,
  // options, DateStyle, TimeZone, ...).
  SqlSession(SqlEngine& engine, SecurityContext security, std::string user, int32_t backend_pid,
             const std::map<std::string, std::string>& startup);
  ~SqlSession();

  // The ParameterStatus values to send after authentication.
  std::vector<std::pair<std::string, std::string>> initial_parameters() const;
  char transaction_status() const { return tx_; }  // 'I', 'T' or 'E'

  // Runs statement `index` of `sql` and returns its command tag ("SELECT 6",
  // "SET", "BEGIN"). `params` are the bound $n values as text;
  // `param_types` the OIDs declared for them (0 or missing: unspecified).
  // Throws Error (with SQLSTATE and position) on failure; the caller reports
  // it and calls failed().
  std::string execute(const ParsedSql& sql, size_t index, const SqlParams& params,
                      const std::vector<int32_t>& param_types, ResultWriter& out);
  // Columns and parameter types without running (Describe). `params` null:
  // not bound yet.
  StatementDescription describe(const ParsedSql& sql, size_t index, const SqlParams* params,
                                const std::vector<int32_t>& param_types);
  // Records a failed statement (inside a transaction block: 'E' until ROLLBACK).
  void failed();

  // Asks the running statement to stop (CancelRequest); from any thread.
  void cancel();
  // Consulted while waiting for a query: false when the client is gone.
  void set_client_alive_check(std::function<bool()> alive) { alive_ = std::move(alive); }
  // Called for DEALLOCATE (name, or nullopt for ALL) and DISCARD ALL.
  void set_deallocate_hook(std::function<void(std::optional<std::string>)> hook) {
    deallocate_ = std::move(hook);
  }

  const TimeZone& time_zone() const { return *tz_; }
  const std::string& user() const { return user_; }

 private:
  struct Run;
  std::string execute_select(const ParsedSql& sql, const SqlStatement& st, const SqlParams& params,
                             const std::vector<int32_t>& param_types, ResultWriter& out);
  std::string execute_set(const SqlStatement& st, const ParsedSql& sql, ResultWriter& out);
  std::string execute_show(const SqlStatement& st, const ParsedSql& sql, ResultWriter& out);
  std::string execute_transaction(const SqlStatement& st, ResultWriter& out);
  std::string execute_explain(const ParsedSql& sql, const SqlStatement& st, const SqlParams& params,
                              const std::vector<int32_t>& param_types, ResultWriter& out);
  const QueryResult& wait(const std::shared_ptr<PendingQuery>& pending);
  void set(const std::string& name, const std::string& value, ResultWriter* out);
  // `query` with what the session's settings add to every cube query
  // (strata.as_of: the lake tables' version).
  SemanticQuery with_session(const SemanticQuery& query) const;
  void reset_all(ResultWriter* out);
  std::chrono::milliseconds statement_timeout() const;
  SandboxSession& sandbox();

  SqlEngine& engine_;
  SecurityContext security_;
  std::string user_;
  int32_t backend_pid_;
  std::map<std::string, std::string> settings_;  // by lower-case name
  std::map<std::string, std::string> defaults_;
  std::shared_ptr<const TimeZone> tz_;
  char tx_ = 'I';
  std::unique_ptr<SandboxSession> sandbox_;
  std::atomic<bool> cancelled_{false};
  std::atomic<SandboxSession*> running_sandbox_{nullptr};
  std::function<bool()> alive_;
  std::function<void(std::optional<std::string>)> deallocate_;
  uint64_t table_counter_ = 0;
};

}  // namespace strata::pgwire
