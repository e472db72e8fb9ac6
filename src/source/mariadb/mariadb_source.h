// MariaDbSource: a MariaDB (or MySQL) server as a Source, over MariaDB
// Connector/C (libmariadb). SQL in sql::MariaDbDialect.
//
// Connections. A bounded pool (max_connections) opened on demand; a query
// checks one out for its whole run. Every session runs
//   SET SESSION time_zone = '+00:00'   (naive DATETIMEs are UTC instants,
//                                        TIMESTAMPs read as UTC)
//   sql_mode += ANSI_QUOTES, NO_BACKSLASH_ESCAPES, PIPES_AS_CONCAT
//                                       (standard SQL quoting and ||)
//   SET SESSION TRANSACTION READ ONLY   (unless read_only is false)
// with character set utf8mb4. A pooled connection whose socket turned
// readable while idle (the server closed it) is replaced before use; idle
// connections older than idle_timeout are closed. A full pool makes a query
// wait at most acquire_timeout, then SourceError "all N connections ... are
// busy".
//
// Timeouts and cancellation. At options.timeout, or when options.cancel
// fires, `KILL QUERY <connection id>` is sent from a separate connection (on
// a helper thread). If the query is still running cancel_grace later, its
// socket is shut down so the waiting call returns at once. A connection that
// was killed or shut down is never reused. The caller gets TimeoutError.
//
// Broken connections: a query that could not be sent because the connection
// had gone away is sent once more on a new connection; a query that was sent
// is never re-run. Unreachable server: SourceError "source 'x' is
// unreachable: ..." (503). Created without connecting. Errors carry the
// server's SQLSTATE and message; the password never appears anywhere.
//
// Results (text protocol, streamed with mysql_use_result):
//   TINYINT, SMALLINT, YEAR -> kInt16; MEDIUMINT, INT -> kInt32 (INT UNSIGNED
//   -> kInt64); BIGINT -> kInt64 (UNSIGNED -> decimal(20,0)); BIT -> kInt64;
//   FLOAT -> kFloat; DOUBLE -> kDouble; DECIMAL(p,s) -> decimal(p,s) (kString
//   beyond 38 digits); DATE -> kDate; DATETIME -> kTimestamp; TIMESTAMP ->
//   kTimestampTz; TIME -> kTime (may be negative or beyond 24 h); zero dates
//   ('0000-00-00') -> NULL; CHAR, VARCHAR, TEXT, ENUM, SET, JSON -> kString;
//   binary strings and BLOBs -> kBlob; anything else -> kString.
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

struct MariaDbSourceOptions {
  std::string host = "127.0.0.1";  // "localhost" means the Unix socket, as libmariadb has it
  int port = 3306;
  std::string database;
  std::string user;
  std::string password;  // never logged
  // TLS: "disable" (default), "require" (encrypted, server certificate not
  // checked), "verify" (encrypted and the certificate checked against ssl_ca).
  std::string ssl = "disable";
  std::string ssl_ca;
  bool read_only = true;
  int max_connections = 10;
  std::chrono::milliseconds idle_timeout{300'000};
  std::chrono::milliseconds connect_timeout{5'000};
  std::chrono::milliseconds acquire_timeout{10'000};
  // After KILL QUERY, how long to wait before the socket is shut down.
  std::chrono::milliseconds cancel_grace{2'000};
};

class MariaDbSource : public Source {
 public:
  // Validates the options without connecting (UserError when they are wrong).
  static std::unique_ptr<MariaDbSource> open(std::string name, MariaDbSourceOptions options);
  ~MariaDbSource() override;
  MariaDbSource(const MariaDbSource&) = delete;
  MariaDbSource& operator=(const MariaDbSource&) = delete;

  const std::string& name() const override;
  std::string_view type() const override { return "mariadb"; }
  const sql::Dialect& dialect() const override;  // sql::dialect_named("mariadb")

  // One statement (several are rejected: multi-statements are off).
  ResultSet query(const std::string& sql, const ExecOptions& options) override;
  // Hands batches of about kStreamBatchRows rows as they arrive (at least one,
  // possibly empty); stops reading when `sink` returns false.
  void stream(const std::string& sql, const ExecOptions& options,
              const std::function<bool(ResultSet&& batch)>& sink) override;
  // Runs `sql` inside START TRANSACTION READ ONLY ... ROLLBACK (the admin
  // API's SQL pass-through). Same errors as query().
  ResultSet query_read_only(const std::string& sql, const ExecOptions& options);

  // Base tables and views of every database but the system ones, ordered by
  // database (reported as the schema) and name.
  std::vector<TableInfo> list_tables() override;
  // "" schema: the connection's database. NotFoundError when there is no such table.
  TableInfo describe_table(const std::string& schema, const std::string& name) override;
  SourceHealth health() override;  // SELECT 1; never throws

  PoolStats pool_stats() const;  // the connection pool now (source/connection_pool.h)

  static constexpr size_t kStreamBatchRows = 8192;

  struct Impl;  // public only so that the implementation's helpers can name it

 private:
  // Only open() constructs (through std::make_unique, which needs a public
  // constructor): a key only the class can make.
  struct Passkey {
    explicit Passkey() = default;
  };

 public:
  MariaDbSource(Passkey, std::shared_ptr<Impl> impl);

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace strata
