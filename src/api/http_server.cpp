// The Beast/Asio side of ApiServer: the listener, one Session per TCP
// connection, asynchronous waits on queries, graceful shutdown. Everything
// above the socket (routing, auth, handlers, formatting) is Beast-free and
// reached through Router::dispatch, which never throws.
#include "api/http_server.h"

#include <spdlog/spdlog.h>

#include <array>
#include <atomic>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>
#include <boost/url/parse.hpp>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>
#include <vector>

#include "api/error_response.h"
#include "api/preagg_api.h"
#include "api/rest/rest_api.h"
#include "api/router.h"
#include "core/error.h"
#include "exec/query_service.h"

namespace strata {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

constexpr size_t kHeaderLimit = 64 * 1024;  // GET /load carries the query in the URL
constexpr auto kLingerTime = std::chrono::seconds(2);
constexpr size_t kLingerBytes = 4 << 20;

// Lets query worker threads reach I/O objects for as long as the server
// exists, and not a moment longer: run_if_open() runs its function under the
// lock only while the io_context is alive. (Callbacks left in a PendingQuery
// may outlive the server, so they must hold nothing tied to the io_context,
// not even an executor, outside this gate.)
class Gate {
 public:
  template <typename Fn>
  void run_if_open(Fn&& fn) {
    std::lock_guard lock(mu_);
    if (open_) fn();
  }
  void close() {
    std::lock_guard lock(mu_);
    open_ = false;
  }

 private:
  std::mutex mu_;
  bool open_ = true;
};

bool is_http_parse_error(const beast::error_code& ec) {
  return ec.category() == http::make_error_code(http::error::bad_target).category() &&
         ec != http::error::end_of_stream && ec != http::error::partial_message &&
         ec != http::error::short_read;
}

HttpResponse plain_error(int status, std::string message) {
  boost::json::object body;
  body["error"] = std::move(message);
  body["type"] = status >= 500 ? "InternalError" : "UserError";
  return json_response(status, body);
}

}  // namespace

class Session;

// What every Session shares: the options, the router, the registry of live
// sessions (for shutdown) and the pools.
struct ServerCore {
  ApiOptions options;
  Router router;
  std::shared_ptr<Gate> gate = std::make_shared<Gate>();
  std::atomic<bool> stopping{false};
  std::atomic<bool> destroying{false};
  std::mutex sessions_mu;
  std::unordered_map<Session*, std::weak_ptr<Session>> sessions;
  std::function<void()> on_last_session_closed;  // set by Impl; called with sessions_mu released
  asio::thread_pool* blocking_pool = nullptr;

  ServerCore(ApiOptions o)
      : options(std::move(o)), router(AuthPolicy{options.api_secret, options.dev_mode}) {}

  void add_session(Session* s, std::weak_ptr<Session> w) {
    std::lock_guard lock(sessions_mu);
    sessions.emplace(s, std::move(w));
  }
  void remove_session(Session* s) {
    bool last = false;
    {
      std::lock_guard lock(sessions_mu);
      sessions.erase(s);
      last = sessions.empty();
    }
    if (last && stopping && !destroying && on_last_session_closed) on_last_session_closed();
  }
};

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket&& socket, ServerCore& core)
      : stream_(std::move(socket)), core_(core), wait_timer_(stream_.get_executor()) {}
  ~Session() { core_.remove_session(this); }

  void start() {
    core_.add_session(this, weak_from_this());
    asio::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->do_read(); });
  }

  // From any thread: finish up because the server is stopping.
  void shutdown() {
    asio::post(stream_.get_executor(), [self = shared_from_this()] { self->on_shutdown(); });
  }

 private:
  enum class State { kReading, kBusy, kClosed };

  struct WaitState {
    Deferred deferred;
    size_t remaining = 0;
    bool finished = false;
  };

  void do_read() {
    if (core_.stopping) return close();
    state_ = State::kReading;
    parser_.emplace();
    parser_->body_limit(core_.options.max_body_bytes);
    parser_->header_limit(kHeaderLimit);
    stream_.expires_after(core_.options.read_timeout);
    http::async_read_header(stream_, buffer_, *parser_,
                            beast::bind_front_handler(&Session::on_header, shared_from_this()));
  }

  void on_header(beast::error_code ec, size_t) {
    try {
      if (ec) return on_read_error(ec);
      if (parser_->is_done()) return on_request();
      auto& req = parser_->get();
      auto expect = req[http::field::expect];
      if (beast::iequals(expect, "100-continue")) {
        continue_response_.emplace(http::status::continue_, req.version());
        http::async_write(stream_, *continue_response_,
                          [self = shared_from_this()](beast::error_code wec, size_t) {
                            if (wec) return self->close();
                            self->read_body();
                          });
        return;
      }
      read_body();
    } catch (...) {
      close();
    }
  }

  void read_body() {
    http::async_read(stream_, buffer_, *parser_,
                     beast::bind_front_handler(&Session::on_body, shared_from_this()));
  }

  void on_body(beast::error_code ec, size_t) {
    try {
      if (ec) return on_read_error(ec);
      on_request();
    } catch (...) {
      close();
    }
  }

  // Method and path of a request whose reading failed, as far as they were read.
  void begin_failed_request() {
    std::string method = "-", path = "-";
    if (parser_ && parser_->got_some()) {
      const auto& req = parser_->get();
      if (!req.method_string().empty()) method = std::string(req.method_string());
      std::string_view target = req.target();
      if (!target.empty()) path = std::string(target.substr(0, target.find('?')));
    }
    begin_request(std::move(method), std::move(path));
  }

  void on_read_error(const beast::error_code& ec) {
    if (ec == http::error::body_limit) {
      begin_failed_request();
      keep_alive_ = false;
      return send(plain_error(413, "Request body too large: the limit is " +
                                       std::to_string(core_.options.max_body_bytes) + " bytes"));
    }
    if (ec == http::error::header_limit) {
      begin_failed_request();
      keep_alive_ = false;
      return send(plain_error(431, "Request headers too large: the limit is " +
                                       std::to_string(kHeaderLimit) + " bytes"));
    }
    if (is_http_parse_error(ec)) {
      begin_failed_request();
      keep_alive_ = false;
      return send(plain_error(400, "Malformed HTTP request: " + ec.message()));
    }
    close();  // end of stream, timeout, reset, or shutdown
  }

  void begin_request(std::string method, std::string path) {
    state_ = State::kBusy;
    started_ = std::chrono::steady_clock::now();
    method_ = std::move(method);
    path_ = std::move(path);
    stream_.expires_never();
  }

  void on_request() {
    auto& req = parser_->get();
    std::string target(req.target());
    auto query_start = target.find('?');
    begin_request(std::string(req.method_string()), target.substr(0, query_start));
    keep_alive_ = req.keep_alive();

    HttpRequest request;
    request.method = method_;
    request.target = target;
    auto url = boost::urls::parse_origin_form(target);
    if (!url) {
      keep_alive_ = false;
      return send(plain_error(400, "Malformed request target: it is not a valid URL path"));
    }
    request.path = std::string(url->path());
    path_ = request.path;
    for (auto p : url->params()) {
      request.params.emplace_back(std::string(p.key), p.has_value ? std::string(p.value) : "");
    }
    if (auto it = req.find("x-cube-authorization"); it != req.end()) {
      request.authorization = std::string(it->value());
    } else {
      request.authorization = std::string(req[http::field::authorization]);
    }
    request.content_type = std::string(req[http::field::content_type]);
    request.request_id = std::string(req["x-request-id"]);
    request.body = std::move(req.body());

    RouteOutcome outcome = core_.router.dispatch(request);
    if (outcome.deferred) return start_wait(std::move(*outcome.deferred));
    if (outcome.blocking) return run_blocking(std::move(outcome.blocking));
    send(std::move(outcome.response));
  }

  // Waits for the deferred queries without blocking: each completion is
  // posted back to this connection's strand; a timer bounds the wait.
  void start_wait(Deferred deferred) {
    auto wait = std::make_shared<WaitState>();
    wait->remaining = deferred.pending.size();
    wait->deferred = std::move(deferred);
    current_wait_ = wait;
    wait_timer_.expires_after(core_.options.continue_wait);
    wait_timer_.async_wait([self = shared_from_this(), wait](beast::error_code ec) {
      if (!ec) self->finish_wait(wait, /*timed_out=*/true);
    });
    std::weak_ptr<Session> weak_self = shared_from_this();
    std::weak_ptr<WaitState> weak_wait = wait;
    auto gate = core_.gate;
    // Copy: a callback may run (and finish the wait) before the loop ends.
    auto pending = wait->deferred.pending;
    for (const auto& query : pending) {
      query->on_done([gate, weak_self, weak_wait] {
        gate->run_if_open([&] {
          if (auto self = weak_self.lock()) {
            asio::post(self->stream_.get_executor(), [weak_self, weak_wait] {
              auto s = weak_self.lock();
              auto w = weak_wait.lock();
              if (s && w) s->on_query_done(w);
            });
          }
        });
      });
    }
  }

  void on_query_done(const std::shared_ptr<WaitState>& wait) {
    if (wait->finished) return;
    if (wait->remaining > 0) --wait->remaining;
    if (wait->remaining == 0) finish_wait(wait, /*timed_out=*/false);
  }

  // `wait` by value: it may be current_wait_, which this resets.
  void finish_wait(std::shared_ptr<WaitState> wait, bool timed_out) {
    if (wait->finished) return;
    wait->finished = true;
    wait_timer_.cancel();
    current_wait_.reset();
    HttpResponse response;
    try {
      if (!timed_out) {
        response = wait->deferred.finish();
      } else if (wait->deferred.timed_out) {
        response = wait->deferred.timed_out();
      } else {
        response = plain_error(504, "The request did not finish in time");
      }
    } catch (...) {
      response = current_exception_response();
    }
    wait->deferred = Deferred{};  // drop the queries and their results now
    send(std::move(response));
  }

  void run_blocking(std::function<HttpResponse()> work) {
    auto executor = stream_.get_executor();
    asio::post(*core_.blocking_pool, [self = shared_from_this(), work = std::move(work), executor] {
      HttpResponse response;
      try {
        response = work();
      } catch (...) {
        response = current_exception_response();
      }
      asio::post(executor, [self, response = std::move(response)]() mutable {
        self->send(std::move(response));
      });
    });
  }

  void send(HttpResponse response) {
    if (state_ == State::kClosed) return;
    try {
      auto& res = response_.emplace();
      res.version(11);
      res.result(static_cast<unsigned>(response.status));
      res.set(http::field::server, "strata");
      if (!response.content_type.empty()) res.set(http::field::content_type, response.content_type);
      res.set(http::field::access_control_allow_origin, "*");
      for (auto& [name, value] : response.headers) res.set(name, value);
      res.body() = std::move(response.body);
      res.keep_alive(keep_alive_ && !core_.stopping);
      res.prepare_payload();
      auto elapsed =
          std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started_);
      if (response.log_note.empty()) {
        spdlog::info("{} {} {} {:.1f}ms", method_, path_, response.status, elapsed.count());
      } else {
        spdlog::info("{} {} {} {:.1f}ms ({})", method_, path_, response.status, elapsed.count(),
                     response.log_note);
      }
      stream_.expires_after(core_.options.read_timeout);
      http::async_write(stream_, res,
                        beast::bind_front_handler(&Session::on_write, shared_from_this()));
    } catch (const std::exception& e) {
      spdlog::error("could not send a response: {}", e.what());
      close();
    }
  }

  void on_write(beast::error_code ec, size_t) {
    bool keep = response_ && response_->keep_alive();
    response_.reset();
    if (ec) return close();
    if (!keep || core_.stopping) return linger_close();
    do_read();
  }

  // Closes after the response without resetting the connection: a client
  // still sending a body we refused would otherwise see a reset instead of
  // our answer. Sends FIN, then reads and drops what arrives, briefly.
  void linger_close() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    if (ec) return close();
    state_ = State::kBusy;
    lingered_ = 0;
    stream_.expires_after(kLingerTime);
    drain();
  }

  void drain() {
    stream_.async_read_some(asio::buffer(drain_buffer_),
                            [self = shared_from_this()](beast::error_code ec, size_t n) {
                              self->lingered_ += n;
                              if (ec || self->lingered_ > kLingerBytes) return self->close();
                              self->drain();
                            });
  }

  void on_shutdown() {
    if (state_ == State::kReading) return close();
    if (current_wait_) finish_wait(current_wait_, /*timed_out=*/true);
    // Otherwise a response is being produced or written; on_write closes.
  }

  void close() {
    if (state_ == State::kClosed) return;
    state_ = State::kClosed;
    wait_timer_.cancel();
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
    stream_.close();
  }

  beast::tcp_stream stream_;
  ServerCore& core_;
  asio::steady_timer wait_timer_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::optional<http::response<http::empty_body>> continue_response_;
  std::optional<http::response<http::string_body>> response_;
  std::shared_ptr<WaitState> current_wait_;
  State state_ = State::kReading;
  bool keep_alive_ = false;
  std::string method_, path_;
  std::chrono::steady_clock::time_point started_;
  std::array<char, 16 * 1024> drain_buffer_{};
  size_t lingered_ = 0;
};

struct ApiServer::Impl {
  // Destroyed last: sessions torn down with the io_context still use it.
  ServerCore core;
  QueryService& service;
  asio::io_context ioc;
  asio::thread_pool blocking_pool{2};
  tcp::acceptor acceptor;
  asio::steady_timer grace_timer;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work;
  std::vector<std::thread> threads;
  std::mutex threads_mu;
  uint16_t port = 0;
  bool started = false;

  Impl(QueryService& s, ApiOptions options)
      : core(std::move(options)),
        service(s),
        acceptor(asio::make_strand(ioc)),
        grace_timer(acceptor.get_executor()) {
    core.blocking_pool = &blocking_pool;
    RestOptions rest;
    rest.limits = core.options.limits;
    rest.dev_mode = core.options.dev_mode;
    rest.continue_wait = core.options.continue_wait;
    rest.sources = core.options.sources;
    rest.base_path = core.options.base_path;
    register_rest_routes(core.router, service, rest);
    if (core.options.pre_aggregations) {
      register_pre_aggregation_routes(core.router, *core.options.pre_aggregations,
                                      core.options.refresh, core.options.base_path);
    }
    core.on_last_session_closed = [this] {
      asio::post(acceptor.get_executor(), [this] { grace_timer.cancel(); });
    };
  }

  ~Impl() {
    stop();
    join();
    blocking_pool.join();
    core.gate->close();
    core.destroying = true;
  }

  uint16_t start() {
    if (started) throw UserError("the API server is already started");
    std::string where = core.options.host + ":" + std::to_string(core.options.port);
    beast::error_code ec;
    tcp::resolver resolver(ioc);
    auto endpoints = resolver.resolve(core.options.host, std::to_string(core.options.port), ec);
    if (ec || endpoints.empty()) {
      throw UserError("cannot resolve the listen address " + where + ": " + ec.message(),
                      {.hint = "use an IP address or a resolvable host name, e.g. 127.0.0.1:4000"});
    }
    tcp::endpoint endpoint = endpoints.begin()->endpoint();
    acceptor.open(endpoint.protocol(), ec);
    if (!ec) acceptor.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) acceptor.bind(endpoint, ec);
    if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) {
      throw UserError("cannot listen on " + where + ": " + ec.message(),
                      {.hint = "pick a free port with --listen HOST:PORT"});
    }
    port = acceptor.local_endpoint().port();
    started = true;
    if (core.options.dev_mode) {
      spdlog::warn("*****************************************************************");
      spdlog::warn("DEV MODE: the REST API accepts requests WITHOUT a token and lists");
      spdlog::warn("hidden members in /meta. Never run dev mode where others can reach it.");
      spdlog::warn("*****************************************************************");
    } else if (core.options.api_secret.empty()) {
      spdlog::warn("no API secret is set: every authenticated request will be refused");
    }
    work.emplace(ioc.get_executor());
    asio::dispatch(acceptor.get_executor(), [this] { do_accept(); });
    int n = core.options.threads > 0 ? core.options.threads
                                     : static_cast<int>(std::thread::hardware_concurrency());
    n = std::max(n, 1);
    std::lock_guard lock(threads_mu);
    for (int i = 0; i < n; ++i) {
      threads.emplace_back([this] {
        for (;;) {
          try {
            ioc.run();
            return;
          } catch (const std::exception& e) {  // a handler threw: log it, keep serving
            spdlog::error("uncaught exception on an I/O thread: {}", e.what());
          }
        }
      });
    }
    spdlog::info("REST API listening on http://{}:{}{}/v1 ({} I/O threads)", core.options.host,
                 port, core.options.base_path, n);
    return port;
  }

  void do_accept() {
    acceptor.async_accept(asio::make_strand(ioc), [this](beast::error_code ec, tcp::socket socket) {
      if (ec) {
        if (core.stopping || ec == asio::error::operation_aborted) return;
        spdlog::warn("accept failed: {}", ec.message());
      } else {
        beast::error_code ignored;
        socket.set_option(tcp::no_delay(true), ignored);
        std::make_shared<Session>(std::move(socket), core)->start();
      }
      if (!core.stopping) do_accept();
    });
  }

  void stop() {
    if (core.stopping.exchange(true)) return;
    if (!started) return;
    asio::post(acceptor.get_executor(), [this] {
      beast::error_code ec;
      acceptor.close(ec);
      std::vector<std::shared_ptr<Session>> live;
      {
        std::lock_guard lock(core.sessions_mu);
        for (auto& [ptr, weak] : core.sessions) {
          if (auto s = weak.lock()) live.push_back(std::move(s));
        }
      }
      for (auto& s : live) s->shutdown();
      work.reset();
      if (live.empty()) return;
      grace_timer.expires_after(core.options.shutdown_grace);
      grace_timer.async_wait([this](beast::error_code tec) {
        if (tec) return;
        spdlog::warn("shutdown: connections still busy after the grace period; closing them");
        ioc.stop();
      });
    });
  }

  void join() {
    std::lock_guard lock(threads_mu);
    for (auto& t : threads) {
      if (t.joinable()) t.join();
    }
    threads.clear();
  }
};

ApiServer::ApiServer(QueryService& service, ApiOptions options)
    : impl_(std::make_unique<Impl>(service, std::move(options))) {}

ApiServer::~ApiServer() = default;

uint16_t ApiServer::start() {
  return impl_->start();
}
void ApiServer::stop() {
  impl_->stop();
}
void ApiServer::wait() {
  impl_->join();
}
uint16_t ApiServer::port() const {
  return impl_->port;
}

}  // namespace strata
