#include "pgwire/transport.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>

#include "core/error.h"

namespace strata::pgwire {

namespace {

int remaining_ms(TransportClock::time_point deadline) {
  if (deadline == TransportClock::time_point::max()) return 1000;
  auto left =
      std::chrono::duration_cast<std::chrono::milliseconds>(deadline - TransportClock::now());
  if (left.count() <= 0) return 0;
  return static_cast<int>(std::min<int64_t>(left.count(), 1000));
}

std::string ssl_error_text() {
  unsigned long e = ERR_get_error();
  if (!e) return "unknown TLS error";
  char buf[256];
  ERR_error_string_n(e, buf, sizeof(buf));
  return buf;
}

}  // namespace

// --- TlsContext ------------------------------------------------------------------

struct TlsContext::Impl {
  SSL_CTX* ctx = nullptr;
  ~Impl() {
    if (ctx) SSL_CTX_free(ctx);
  }
};

TlsContext::TlsContext(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
TlsContext::~TlsContext() = default;

std::shared_ptr<TlsContext> TlsContext::load(const std::string& cert, const std::string& key) {
  auto impl = std::make_unique<Impl>();
  impl->ctx = SSL_CTX_new(TLS_server_method());
  if (!impl->ctx) throw InternalError("cannot create a TLS context: " + ssl_error_text());
  SSL_CTX_set_min_proto_version(impl->ctx, TLS1_2_VERSION);
  SSL_CTX_set_options(impl->ctx, SSL_OP_NO_RENEGOTIATION);
  if (SSL_CTX_use_certificate_chain_file(impl->ctx, cert.c_str()) != 1) {
    throw UserError("cannot read the SQL API's TLS certificate " + cert + ": " + ssl_error_text(),
                    {.hint = "pg_tls_cert must name a PEM certificate file"});
  }
  if (SSL_CTX_use_PrivateKey_file(impl->ctx, key.c_str(), SSL_FILETYPE_PEM) != 1) {
    throw UserError("cannot read the SQL API's TLS key " + key + ": " + ssl_error_text(),
                    {.hint = "pg_tls_key must name a PEM private key file"});
  }
  if (SSL_CTX_check_private_key(impl->ctx) != 1) {
    throw UserError("the SQL API's TLS key does not match its certificate",
                    {.hint = "pg_tls_cert and pg_tls_key must belong together"});
  }
  return std::make_shared<TlsContext>(std::move(impl));
}

// --- Transport -----------------------------------------------------------------------

struct Transport::Impl {
  int fd = -1;
  SSL* ssl = nullptr;
  std::atomic<bool> shut{false};
  std::string buffer;  // read ahead, not yet consumed
  size_t pos = 0;

  ~Impl() {
    if (ssl) SSL_free(ssl);
    if (fd >= 0) ::close(fd);
  }

  // Waits for `events` on the socket; false on deadline or shutdown.
  bool wait_for(short events, TransportClock::time_point deadline) {
    for (;;) {
      if (shut) return false;
      int ms = remaining_ms(deadline);
      if (ms == 0) return false;
      pollfd p{fd, events, 0};
      int r = ::poll(&p, 1, ms);
      if (r < 0) {
        if (errno == EINTR) continue;
        return false;
      }
      if (r == 0) continue;  // re-check deadline and shutdown
      if (p.revents & (POLLERR | POLLNVAL)) return false;
      return true;  // readable/writable, or hung up (the read reports EOF)
    }
  }

  // Reads what is available into `buffer`; false when the connection is over.
  bool fill(TransportClock::time_point deadline) {
    char chunk[16384];
    for (;;) {
      if (shut) return false;
      if (ssl) {
        ERR_clear_error();
        int n = SSL_read(ssl, chunk, sizeof(chunk));
        if (n > 0) {
          buffer.append(chunk, static_cast<size_t>(n));
          return true;
        }
        int err = SSL_get_error(ssl, n);
        if (err == SSL_ERROR_WANT_READ) {
          if (!wait_for(POLLIN, deadline)) return false;
          continue;
        }
        if (err == SSL_ERROR_WANT_WRITE) {
          if (!wait_for(POLLOUT, deadline)) return false;
          continue;
        }
        return false;
      }
      ssize_t n = ::recv(fd, chunk, sizeof(chunk), 0);
      if (n > 0) {
        buffer.append(chunk, static_cast<size_t>(n));
        return true;
      }
      if (n == 0) return false;
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) {
        if (!wait_for(POLLIN, deadline)) return false;
        continue;
      }
      return false;
    }
  }

  void compact() {
    if (pos > 0 && pos == buffer.size()) {
      buffer.clear();
      pos = 0;
    } else if (pos > 65536) {
      buffer.erase(0, pos);
      pos = 0;
    }
  }
};

Transport::Transport(int fd) : impl_(std::make_unique<Impl>()) {
  impl_->fd = fd;
  int flags = ::fcntl(fd, F_GETFL, 0);
  if (flags >= 0) ::fcntl(fd, F_SETFL, flags | O_NONBLOCK);
}

Transport::~Transport() = default;

bool Transport::read_exact(size_t n, std::string& out, TransportClock::time_point deadline) {
  Impl& s = *impl_;
  while (s.buffer.size() - s.pos < n) {
    if (!s.fill(deadline)) return false;
  }
  out.append(s.buffer, s.pos, n);
  s.pos += n;
  s.compact();
  return true;
}

bool Transport::wait_readable(TransportClock::time_point deadline) {
  Impl& s = *impl_;
  if (s.buffer.size() > s.pos) return true;
  if (s.ssl && SSL_pending(s.ssl) > 0) return true;
  return s.fill(deadline);
}

bool Transport::write_all(const char* data, size_t n, std::chrono::milliseconds timeout) {
  Impl& s = *impl_;
  size_t done = 0;
  while (done < n) {
    if (s.shut) return false;
    auto deadline = TransportClock::now() + timeout;
    if (s.ssl) {
      ERR_clear_error();
      int w = SSL_write(s.ssl, data + done, static_cast<int>(std::min<size_t>(n - done, 1 << 20)));
      if (w > 0) {
        done += static_cast<size_t>(w);
        continue;
      }
      int err = SSL_get_error(s.ssl, w);
      if (err == SSL_ERROR_WANT_WRITE) {
        if (!s.wait_for(POLLOUT, deadline)) return false;
        continue;
      }
      if (err == SSL_ERROR_WANT_READ) {
        if (!s.wait_for(POLLIN, deadline)) return false;
        continue;
      }
      return false;
    }
    ssize_t w = ::send(s.fd, data + done, n - done, MSG_NOSIGNAL);
    if (w > 0) {
      done += static_cast<size_t>(w);
      continue;
    }
    if (w < 0 && errno == EINTR) continue;
    if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      if (!s.wait_for(POLLOUT, deadline)) return false;
      continue;
    }
    return false;
  }
  return true;
}

bool Transport::start_tls(TlsContext& ctx, TransportClock::time_point deadline) {
  Impl& s = *impl_;
  if (s.buffer.size() > s.pos) return false;  // bytes after SSLRequest: not a TLS client
  s.ssl = SSL_new(ctx.impl().ctx);
  if (!s.ssl) return false;
  SSL_set_fd(s.ssl, s.fd);
  for (;;) {
    ERR_clear_error();
    int r = SSL_accept(s.ssl);
    if (r == 1) return true;
    int err = SSL_get_error(s.ssl, r);
    if (err == SSL_ERROR_WANT_READ) {
      if (!s.wait_for(POLLIN, deadline)) return false;
      continue;
    }
    if (err == SSL_ERROR_WANT_WRITE) {
      if (!s.wait_for(POLLOUT, deadline)) return false;
      continue;
    }
    return false;
  }
}

bool Transport::tls() const {
  return impl_->ssl != nullptr;
}

bool Transport::peer_closed() const {
  pollfd p{impl_->fd, static_cast<short>(POLLRDHUP | POLLHUP | POLLERR), 0};
  int r = ::poll(&p, 1, 0);
  return r > 0 && (p.revents & (POLLRDHUP | POLLHUP | POLLERR | POLLNVAL));
}

void Transport::shutdown() {
  impl_->shut = true;
  ::shutdown(impl_->fd, SHUT_RDWR);
}

std::string Transport::peer_address() const {
  sockaddr_storage addr{};
  socklen_t len = sizeof(addr);
  if (::getpeername(impl_->fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) return "?";
  char host[INET6_ADDRSTRLEN] = "?";
  int port = 0;
  if (addr.ss_family == AF_INET) {
    auto* a = reinterpret_cast<sockaddr_in*>(&addr);
    ::inet_ntop(AF_INET, &a->sin_addr, host, sizeof(host));
    port = ntohs(a->sin_port);
  } else if (addr.ss_family == AF_INET6) {
    auto* a = reinterpret_cast<sockaddr_in6*>(&addr);
    ::inet_ntop(AF_INET6, &a->sin6_addr, host, sizeof(host));
    port = ntohs(a->sin6_port);
  }
  return std::string(host) + ":" + std::to_string(port);
}

}  // namespace strata::pgwire
