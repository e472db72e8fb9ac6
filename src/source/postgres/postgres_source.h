// PostgresSource: a PostgreSQL server as a Source, over libpq.
//
// Connections. A bounded pool (max_connections) opened on demand; a query
// checks one out for its whole run. Every session starts with TimeZone 'UTC'
// (naive timestamps are UTC instants, as the planner assumes),
// standard_conforming_strings on, application_name 'strata', the configured
// search_path and, unless read_only is false, default_transaction_read_only
// on; all through the startup packet, so opening costs no extra round trip.
// Before a pooled connection is reused it is checked without a round trip (a
// server restart leaves the socket readable or the connection bad) and
// replaced when broken; idle connections older than idle_timeout are closed.
// When the pool is full a query waits at most acquire_timeout, then fails
// with SourceError "all N connections ... are busy".
//
// Timeouts and cancellation. The query thread waits on the socket itself
// (poll, never a blocking libpq call while a query runs): at options.timeout,
// or when options.cancel fires, it sends a cancel request (PQcancel, on a
// helper thread so an unreachable server cannot block anyone) and waits at
// most cancel_grace for the server to stop; a server that does not answer
// (a stopped backend) has its connection abandoned. A connection that was
// cancelled is never reused (a late cancel request must not hit the next
// query); the pool opens a fresh one. Either way the caller gets
// TimeoutError "query cancelled after N ms" / "query was cancelled".
//
// Broken connections. A connection that turns out broken before the query
// was sent is replaced and the query sent once more; a query that was sent is
// never re-run (it may have executed): the caller gets SourceError and the
// connection is replaced. A server that cannot be reached is SourceError
// "source 'x' is unreachable: ..." (503). The source is created without
// connecting, so a server that is down does not stop strata from starting.
//
// Errors keep PostgreSQL's SQLSTATE (ErrorContext::sqlstate), its position
// in the SQL and its detail and hint. The password is never logged or put in
// an error message.
//
// Results. A statement that COPY accepts (SELECT, WITH, VALUES, TABLE) is
// parsed and described (one pipelined round trip), then its rows are read as
// binary COPY (COPY (...) TO STDOUT (FORMAT binary)): the faster bulk path
// (BENCHMARKS.md), two round trips in all; copy_results: false, or any other
// statement, uses one round trip of the extended protocol with binary
// results. Either way the binary values are decoded straight into Columns:
//   bool -> kBoolean; int2 -> kInt16; int4 -> kInt32; int8, oid -> kInt64;
//   float4 -> kFloat (its shortest decimal form, as DuckDB's); float8 ->
//   kDouble; numeric(p,s) -> decimal(p,s); numeric without a declared scale
//   (sum(), avg()) -> decimal(38, the largest scale among the values); a
//   numeric column with NaN, infinities or values beyond 38 digits -> kString
//   with PostgreSQL's text; text, varchar, bpchar, name, char, xml, enums ->
//   kString; json, jsonb -> kJson (text); date -> kDate; time -> kTime;
//   timestamp -> kTimestamp; timestamptz -> kTimestampTz (UTC micros);
//   interval -> kInterval (ISO-8601 text, as the DuckDB source writes it);
//   uuid -> kUuid; bytea -> kBlob; timetz, inet, cidr, macaddr -> kString in
//   PostgreSQL's text form; one-dimensional and multi-dimensional arrays of
//   those types -> kString in PostgreSQL's text form ({1,2,NULL}). Other
//   types (user-defined, ranges, geometry) -> kString: their binary form when
//   it is text (enums, citext, ...), else "\x" and its hex digits; cast them
//   to text in the model to get PostgreSQL's text.
//   date/timestamp 'infinity' read as the largest/smallest value the column
//   storage holds.
//
// Thread-safety: every method may be called from any number of threads. The
// source must outlive every call into it.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "source/connection_pool.h"
#include "source/source.h"

namespace strata {

struct PostgresSourceOptions {
  std::string host = "127.0.0.1";  // a host name, an address, or a Unix socket folder
  int port = 5432;
  std::string database;  // "": the user's name (libpq's default)
  std::string user;      // "": libpq's default (the OS user)
  std::string password;  // never logged
  // libpq's sslmode: disable, allow, prefer, require, verify-ca, verify-full.
  std::string sslmode = "prefer";
  std::string sslrootcert;  // CA file for verify-ca / verify-full; "": libpq's default
  std::string search_path;  // "": the server's default
  bool read_only = true;    // default_transaction_read_only = on for every session
  int max_connections = 10;
  std::chrono::milliseconds idle_timeout{300'000};    // close connections idle this long
  std::chrono::milliseconds connect_timeout{5'000};   // per attempt (libpq rounds up to s, min 2)
  std::chrono::milliseconds acquire_timeout{10'000};  // wait for a free connection
  // After a cancel request, how long to wait for the server before the
  // connection is abandoned.
  std::chrono::milliseconds cancel_grace{2'000};
  // Read query results as binary COPY (faster for many rows, one more round
  // trip); false: binary results of the extended protocol (one round trip).
  bool copy_results = true;
};

class PostgresSource : public Source {
 public:
  // Validates the options (UserError for a bad sslmode or pool size) without
  // connecting.
  static std::unique_ptr<PostgresSource> open(std::string name, PostgresSourceOptions options);
  ~PostgresSource() override;
  PostgresSource(const PostgresSource&) = delete;
  PostgresSource& operator=(const PostgresSource&) = delete;

  const std::string& name() const override;
  std::string_view type() const override { return "postgres"; }
  const sql::Dialect& dialect() const override;  // sql::dialect_named("postgres")

  // One statement (several are rejected by the server: extended protocol).
  // Errors as described above.
  ResultSet query(const std::string& sql, const ExecOptions& options) override;
  // query() and one batch.
  void stream(const std::string& sql, const ExecOptions& options,
              const std::function<bool(ResultSet&& batch)>& sink) override;

  // Runs `sql` inside BEGIN READ ONLY ... ROLLBACK on one connection, so that
  // neither writes nor session changes (set_config) survive it; for the SQL
  // pass-through of the admin API. Same errors as query().
  ResultSet query_read_only(const std::string& sql, const ExecOptions& options);

  // Tables, views, materialized views and foreign tables the user can see,
  // outside pg_catalog and information_schema, ordered by schema and name.
  std::vector<TableInfo> list_tables() override;
  // Columns in order with their strata types (as a query reads them) and
  // nullability. "" schema: the first schema of the search_path that has the
  // table. NotFoundError when there is no such table.
  TableInfo describe_table(const std::string& schema, const std::string& name) override;
  // SELECT 1 on a pooled connection (waiting at most acquire_timeout); never throws.
  SourceHealth health() override;

  PoolStats pool_stats() const;  // the connection pool now (source/connection_pool.h)

  struct Impl;  // public only so that the implementation's helpers can name it

 private:
  // Only open() constructs (through std::make_unique, which needs a public
  // constructor): a key only the class can make.
  struct Passkey {
    explicit Passkey() = default;
  };

 public:
  PostgresSource(Passkey, std::unique_ptr<Impl> impl);

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace strata
