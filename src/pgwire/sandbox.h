// The SQL API's embedded DuckDB: an in-memory database that holds the
// PostgreSQL catalog emulation (built from the model at start-up) and, per
// statement, the results of the SemanticQueries a richer SQL statement was
// split into (as temporary tables). It never holds source data: the only rows
// in it are the catalog and results the QueryService already produced.
//
// Locked down after set-up: no file system or network access, no extension
// loading, configuration frozen; sessions may only run SELECTs.
//
// Thread-safety: Sandbox is thread-safe; each SandboxSession is used by one
// thread at a time, except interrupt(), which any thread may call.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/result_set.h"

namespace strata::pgwire {

class SandboxSession;

struct SandboxOptions {
  int threads = 2;                   // DuckDB worker threads for the whole sandbox
  std::string memory_limit = "1GB";  // DuckDB syntax
};

class Sandbox {
 public:
  // Opens the in-memory database, runs `setup_sql` (statements separated by
  // ';', e.g. the catalog), then locks the database down. Throws
  // InternalError with DuckDB's message when set-up fails.
  static std::unique_ptr<Sandbox> open(const std::string& setup_sql, SandboxOptions options = {});
  ~Sandbox();
  Sandbox(const Sandbox&) = delete;
  Sandbox& operator=(const Sandbox&) = delete;

  // A new connection. Its temporary tables are private to it.
  std::unique_ptr<SandboxSession> session();

  struct Impl;
  explicit Sandbox(std::unique_ptr<Impl> impl);  // use open()

 private:
  std::unique_ptr<Impl> impl_;
};

struct SandboxColumn {
  std::string name;
  Type type;
};

class SandboxSession {
 public:
  ~SandboxSession();
  SandboxSession(const SandboxSession&) = delete;
  SandboxSession& operator=(const SandboxSession&) = delete;

  // Runs one SELECT and hands its rows to `sink` in batches (at least one,
  // possibly empty, so the schema is always seen); stops early when `sink`
  // returns false. `timeout` 0 means none. Throws UserError with a SQLSTATE
  // derived from DuckDB's error class (42P01 unknown table, 42703 unknown
  // column, 42883 unknown function, 22P02 bad input, 0A000 unsupported, 57014
  // interrupted, ...) and DuckDB's message without its "LINE 1:" excerpt.
  void run(const std::string& sql, const std::function<bool(ResultSet&&)>& sink,
           std::chrono::milliseconds timeout = std::chrono::milliseconds(0));
  // The result columns of `sql` without running it; `params` receives the
  // types DuckDB infers for $1..$n (kString when it cannot tell).
  std::vector<SandboxColumn> describe(const std::string& sql, std::vector<Type>* params = nullptr);
  // CREATE TEMP TABLE `name` with the columns of `rows` (named `column_names`)
  // and appends every row.
  void load_table(const std::string& name, const std::vector<std::string>& column_names,
                  const ResultSet& rows);
  void drop_table(const std::string& name);
  // Stops the statement running on this session (from any thread); it fails
  // with 57014.
  void interrupt();

  struct Impl;
  explicit SandboxSession(std::unique_ptr<Impl> impl);

 private:
  std::unique_ptr<Impl> impl_;
};

// The DuckDB column type strata writes for `t` in a temporary table.
std::string duckdb_type_name(const Type& t);

}  // namespace strata::pgwire
