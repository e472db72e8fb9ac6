// Connection: one client of the SQL API, from the startup packet to
// Terminate: SSL negotiation, authentication, then the simple and extended
// query protocols, with prepared statements and portals. Internal to
// pgwire/ (PgServer creates one per accepted socket and runs it on its own
// thread).
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "pgwire/pg_server.h"
#include "pgwire/scram.h"
#include "pgwire/sql_session.h"
#include "pgwire/transport.h"

namespace strata::pgwire {

struct UserEntry {
  SqlUser user;
  std::optional<ScramVerifier> verifier;  // for SCRAM
  bool plain_password = true;             // false when only a verifier is known
  SecurityContext security;
};

// What connections share with their server.
struct ServerShared {
  SqlEngine* engine = nullptr;
  const PgServerOptions* options = nullptr;
  TlsContext* tls = nullptr;  // null: no TLS
  std::map<std::string, UserEntry> users;
  std::atomic<int> connections{0};
  // Routes a CancelRequest to the connection with that backend PID and key.
  std::function<void(int32_t pid, int32_t key)> cancel;
};

class Connection {
 public:
  Connection(std::unique_ptr<Transport> transport, ServerShared& shared, int32_t pid, int32_t key);
  ~Connection();

  // Serves the client until it leaves, errs fatally, or shutdown() is
  // called. Never throws.
  void run();
  // From any thread: closes the socket, ending run().
  void shutdown();
  // From any thread: a CancelRequest for this connection's running statement.
  void cancel();

  int32_t pid() const { return pid_; }
  int32_t key() const { return key_; }

  struct State;

 private:
  std::unique_ptr<Transport> transport_;
  ServerShared& shared_;
  int32_t pid_;
  int32_t key_;
  std::mutex session_mu_;  // guards session_ for cancel()
  SqlSession* session_ = nullptr;
  std::unique_ptr<State> state_;
};

}  // namespace strata::pgwire
