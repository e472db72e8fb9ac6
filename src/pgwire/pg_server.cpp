#include "pgwire/pg_server.h"

#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <boost/json.hpp>
#include <condition_variable>
#include <csignal>
#include <cstring>
#include <map>
#include <mutex>
#include <thread>

#include "core/error.h"
#include "pgwire/bytes.h"
#include "pgwire/connection.h"

namespace strata::pgwire {

SqlAuthMethod parse_auth_method(const std::string& text) {
  std::string t;
  for (char c : text) t += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (t == "scram-sha-256" || t == "scram") return SqlAuthMethod::kScramSha256;
  if (t == "md5") return SqlAuthMethod::kMd5;
  if (t == "password" || t == "cleartext") return SqlAuthMethod::kPassword;
  throw UserError("unknown SQL API authentication method '" + text + "'",
                  {.hint = "use scram-sha-256 (the default), md5 or password"});
}

struct PgServer::Impl {
  QueryService& service;
  PgServerOptions options;
  std::unique_ptr<SqlEngine> engine;
  std::shared_ptr<TlsContext> tls;
  ServerShared shared;

  int listen_fd = -1;
  uint16_t port = 0;
  std::atomic<bool> stopping{false};
  std::thread acceptor;

  struct Entry {
    std::shared_ptr<Connection> conn;
    std::thread thread;
    bool finished = false;
  };
  mutable std::mutex mu;
  std::condition_variable cv;
  std::map<uint64_t, Entry> conns;
  uint64_t next_id = 1;
  std::atomic<int32_t> next_pid{10000};

  Impl(QueryService& s, PgServerOptions o) : service(s), options(std::move(o)) {}

  ~Impl() {
    if (listen_fd >= 0) ::close(listen_fd);
  }

  void cancel(int32_t pid, int32_t key) {
    std::shared_ptr<Connection> target;
    {
      std::lock_guard lock(mu);
      for (auto& [id, e] : conns) {
        if (e.conn && e.conn->pid() == pid) target = e.conn;
      }
    }
    if (!target) return;
    // The key is secret: compare without leaking timing.
    std::string a(4, '\0'), b(4, '\0');
    patch_i32(a, 0, target->key());
    patch_i32(b, 0, key);
    if (!constant_time_equal(a, b)) {
      spdlog::warn("pgwire: a cancel request for backend {} had the wrong key", pid);
      return;
    }
    spdlog::info("pgwire: cancel request for backend {}", pid);
    target->cancel();
  }

  void reap() {
    std::vector<std::thread> done;
    {
      std::lock_guard lock(mu);
      for (auto it = conns.begin(); it != conns.end();) {
        if (it->second.finished) {
          done.push_back(std::move(it->second.thread));
          it = conns.erase(it);
        } else {
          ++it;
        }
      }
    }
    for (auto& t : done) {
      if (t.joinable()) t.join();
    }
  }

  void accept_loop() {
    while (!stopping) {
      pollfd p{listen_fd, POLLIN, 0};
      int r = ::poll(&p, 1, 200);
      reap();
      if (r <= 0) continue;
      int fd = ::accept4(listen_fd, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd < 0) continue;
      if (stopping) {
        ::close(fd);
        break;
      }
      int one = 1;
      ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
      ::setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof(one));
      int32_t key = 0;
      std::string k = random_bytes(4);
      key = get_i32(k.data());
      auto conn =
          std::make_shared<Connection>(std::make_unique<Transport>(fd), shared, next_pid++, key);
      std::lock_guard lock(mu);
      uint64_t id = next_id++;
      Entry& e = conns[id];
      e.conn = conn;
      ++shared.connections;
      e.thread = std::thread([this, id, conn] {
        conn->run();
        --shared.connections;
        std::lock_guard l(mu);
        auto it = conns.find(id);
        if (it != conns.end()) {
          it->second.finished = true;
          it->second.conn.reset();
        }
        cv.notify_all();
      });
    }
  }
};

PgServer::PgServer(QueryService& service, PgServerOptions options)
    : impl_(std::make_unique<Impl>(service, std::move(options))) {
  Impl& s = *impl_;
  for (const auto& u : s.options.users) {
    if (u.name.empty()) throw UserError("a SQL user needs a name");
    if (u.password.empty()) {
      throw UserError("SQL user '" + u.name + "' has no password",
                      {.hint = "give every SQL user a password"});
    }
    if (s.shared.users.count(u.name)) throw UserError("SQL user '" + u.name + "' is listed twice");
    UserEntry e;
    e.user = u;
    if (auto v = parse_scram_verifier(u.password)) {
      e.verifier = *v;
      e.plain_password = false;
    } else {
      e.verifier = make_scram_verifier(u.password, random_bytes(16));
    }
    e.security.subject = u.name;
    e.security.authenticated = true;
    if (u.claims_json.empty()) {
      boost::json::object o;
      o["sub"] = u.name;
      e.security.claims_json = boost::json::serialize(o);
    } else {
      boost::system::error_code ec;
      auto v = boost::json::parse(u.claims_json, ec);
      if (ec || !v.is_object()) {
        throw UserError("the security context of SQL user '" + u.name + "' is not a JSON object");
      }
      e.security.claims_json = boost::json::serialize(v);
    }
    s.shared.users.emplace(u.name, std::move(e));
    s.options.engine.users.push_back(u.name);
  }
  if (!s.options.tls_cert.empty() || !s.options.tls_key.empty()) {
    if (s.options.tls_cert.empty() || s.options.tls_key.empty()) {
      throw UserError("TLS for the SQL API needs both a certificate and a key",
                      {.hint = "set pg_tls_cert and pg_tls_key"});
    }
    s.tls = TlsContext::load(s.options.tls_cert, s.options.tls_key);
  }
  s.engine = std::make_unique<SqlEngine>(service, s.options.engine);
  s.shared.engine = s.engine.get();
  s.shared.options = &s.options;
  s.shared.tls = s.tls.get();
  s.shared.cancel = [this](int32_t pid, int32_t key) { impl_->cancel(pid, key); };
}

PgServer::~PgServer() {
  stop();
  wait();
}

uint16_t PgServer::start() {
  Impl& s = *impl_;
  // A client that vanishes must not kill the process with SIGPIPE.
  std::signal(SIGPIPE, SIG_IGN);
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* res = nullptr;
  std::string port = std::to_string(s.options.port);
  int rc = ::getaddrinfo(s.options.host.c_str(), port.c_str(), &hints, &res);
  if (rc != 0 || !res) {
    throw UserError("cannot resolve the SQL API's address " + s.options.host + ": " +
                    gai_strerror(rc));
  }
  std::string last_error = "no address";
  for (addrinfo* a = res; a; a = a->ai_next) {
    int fd = ::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
    if (fd < 0) continue;
    int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (::bind(fd, a->ai_addr, a->ai_addrlen) == 0 && ::listen(fd, 512) == 0) {
      s.listen_fd = fd;
      break;
    }
    last_error = std::strerror(errno);
    ::close(fd);
  }
  ::freeaddrinfo(res);
  if (s.listen_fd < 0) {
    throw UserError(
        "the SQL API cannot listen on " + s.options.host + ":" + port + ": " + last_error,
        {.hint = "pick another --pg-listen address or stop what uses the port"});
  }
  sockaddr_storage addr{};
  socklen_t len = sizeof(addr);
  ::getsockname(s.listen_fd, reinterpret_cast<sockaddr*>(&addr), &len);
  s.port = addr.ss_family == AF_INET6 ? ntohs(reinterpret_cast<sockaddr_in6*>(&addr)->sin6_port)
                                      : ntohs(reinterpret_cast<sockaddr_in*>(&addr)->sin_port);
  s.acceptor = std::thread([&s] { s.accept_loop(); });
  return s.port;
}

void PgServer::stop() {
  Impl& s = *impl_;
  if (s.stopping.exchange(true)) return;
  std::lock_guard lock(s.mu);
  for (auto& [id, e] : s.conns) {
    if (e.conn) e.conn->shutdown();
  }
}

void PgServer::wait() {
  Impl& s = *impl_;
  if (s.acceptor.joinable()) s.acceptor.join();
  for (;;) {
    std::vector<std::thread> threads;
    {
      std::lock_guard lock(s.mu);
      for (auto& [id, e] : s.conns) {
        if (e.conn) e.conn->shutdown();
        if (e.thread.joinable()) threads.push_back(std::move(e.thread));
      }
    }
    if (threads.empty()) break;
    for (auto& t : threads) t.join();
  }
  std::lock_guard lock(s.mu);
  s.conns.clear();
}

uint16_t PgServer::port() const {
  return impl_->port;
}

size_t PgServer::connection_count() const {
  return static_cast<size_t>(impl_->shared.connections.load());
}

}  // namespace strata::pgwire
