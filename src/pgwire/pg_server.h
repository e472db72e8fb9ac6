// PgServer: strata's SQL API, a PostgreSQL protocol (v3) server. Clients
// (psql, libpq, JDBC, node pg, BI tools) connect, authenticate as one of the
// configured SQL users (each mapped to a security context) and query the
// model's cubes and views as tables; see docs/sql-api.md.
//
//   PgServer server(service, options);
//   uint16_t port = server.start();   // bound and accepting when it returns
//   ...
//   server.stop();                    // from any thread (a signal handler's too)
//   server.wait();
//
// One thread per connection (bounded by max_connections); queries run on
// the QueryService's workers, so a slow query never holds up other clients.
// A malformed or truncated message, an absurd length, or a client that stops
// sending mid-message closes only that connection. Passwords and tokens are
// never logged.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "pgwire/sql_session.h"

namespace strata {

class QueryService;

namespace pgwire {

struct SqlUser {
  std::string name;
  // The password in plain text, or a SCRAM verifier as PostgreSQL stores it
  // ("SCRAM-SHA-256$4096:salt$StoredKey:ServerKey"; then only SCRAM works).
  std::string password;
  // The security context this user's queries run with (a JSON object, like a
  // token's claims); "" means {"sub": name}.
  std::string claims_json;
};

enum class SqlAuthMethod { kScramSha256, kMd5, kPassword };

// "scram-sha-256", "md5", "password" (cleartext); throws UserError otherwise.
SqlAuthMethod parse_auth_method(const std::string& text);

struct PgServerOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 15432;  // 0: an ephemeral port (start() returns it)
  std::vector<SqlUser> users;
  SqlAuthMethod auth = SqlAuthMethod::kScramSha256;
  // With no users configured, dev mode lets anyone in without a password as
  // an anonymous, unauthenticated context (like the REST API's --dev).
  bool dev_mode = false;
  std::string tls_cert;  // PEM files; both set: SSLRequest is answered 'S'
  std::string tls_key;
  int max_connections = 256;
  size_t max_message_bytes = 64 << 20;
  // Authentication must finish within this; once a message has started to
  // arrive, the rest must arrive within message_timeout.
  std::chrono::milliseconds startup_timeout{60'000};
  std::chrono::milliseconds message_timeout{60'000};
  std::chrono::milliseconds write_timeout{60'000};
  // Connections idle (between messages) for longer are closed; 0: never.
  std::chrono::milliseconds idle_timeout{0};
  SqlEngineOptions engine;
};

class PgServer {
 public:
  // `service` must outlive the server. Builds the SQL engine (catalog and
  // sandbox) and the users' SCRAM verifiers. Throws UserError for bad TLS
  // files or users (a duplicate or empty name, an empty password).
  PgServer(QueryService& service, PgServerOptions options);
  ~PgServer();  // stop() and wait()
  PgServer(const PgServer&) = delete;
  PgServer& operator=(const PgServer&) = delete;

  // Binds host:port and starts accepting. Throws UserError when the address
  // cannot be resolved or bound.
  uint16_t start();
  // Stops accepting and closes every connection. Thread-safe, idempotent,
  // does not block.
  void stop();
  // Blocks until the accept loop and every connection thread have finished.
  void wait();

  uint16_t port() const;
  size_t connection_count() const;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace pgwire
}  // namespace strata
