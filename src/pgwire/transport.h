// Transport: one client socket of the SQL API, in plain TCP or TLS
// (OpenSSL), with deadlines on reads and writes so that a client that stops
// sending or reading never holds a server thread forever. OpenSSL's types
// stay in transport.cpp.
//
// Thread-safety: one thread reads and writes; shutdown() and peer_closed()
// may be called from any thread.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>

namespace strata::pgwire {

using TransportClock = std::chrono::steady_clock;

// A server-side TLS context (certificate and key), shared by connections.
class TlsContext {
 public:
  // Loads a PEM certificate (chain) and private key. Throws UserError naming
  // the file when either cannot be read or they do not match.
  static std::shared_ptr<TlsContext> load(const std::string& cert_file,
                                          const std::string& key_file);
  ~TlsContext();
  TlsContext(const TlsContext&) = delete;
  TlsContext& operator=(const TlsContext&) = delete;

  struct Impl;
  explicit TlsContext(std::unique_ptr<Impl> impl);
  Impl& impl() { return *impl_; }

 private:
  std::unique_ptr<Impl> impl_;
};

class Transport {
 public:
  // Takes ownership of a connected socket (made non-blocking).
  explicit Transport(int fd);
  ~Transport();  // closes the socket
  Transport(const Transport&) = delete;
  Transport& operator=(const Transport&) = delete;

  // Reads exactly `n` bytes into `out` (appending). False when the peer
  // closed, the deadline passed, shutdown() was called or the socket failed.
  bool read_exact(size_t n, std::string& out, TransportClock::time_point deadline);
  // Waits until at least one byte can be read (or the deadline); false when
  // the connection is over.
  bool wait_readable(TransportClock::time_point deadline);
  // Writes everything (blocking up to `timeout` per stall). False on failure.
  bool write_all(const char* data, size_t n, std::chrono::milliseconds timeout);
  // Server side of the TLS handshake on this socket. False on failure.
  bool start_tls(TlsContext& ctx, TransportClock::time_point deadline);
  bool tls() const;
  // True when the peer has closed or reset the connection (does not consume data).
  bool peer_closed() const;
  // Unblocks reads and writes from another thread (server shutdown).
  void shutdown();
  std::string peer_address() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace strata::pgwire
