// ApiServer: strata's HTTP server (HTTP/1.1 with keep-alive), serving Cube's
// REST API (api/rest/) and the health probes. One io_context runs on a pool
// of I/O threads; queries run on the QueryService's own workers and the I/O
// threads only parse, route, wait asynchronously and format, so a slow query
// never holds an I/O thread.
//
//   ApiServer server(service, options);
//   uint16_t port = server.start();  // bound and serving when it returns
//   ...
//   server.stop();                   // from any thread, e.g. a signal handler's
//   server.wait();
//
// Per connection: a request must arrive within read_timeout (also the idle
// keep-alive limit); bodies over max_body_bytes get 413; malformed HTTP gets
// 400 and the connection is closed. Every request is logged on one line
// (method, path, status, duration); tokens and secrets never are.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "query/cube_query.h"

namespace strata {

class QueryService;
class SourceRegistry;
class PreAggStore;
class RefreshWorker;

struct ApiOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 4000;  // 0: an ephemeral port (start() returns it)
  int threads = 0;       // I/O threads; 0: one per core
  std::string api_secret;
  // Requests without a token are served as anonymous (a token that is sent
  // is still verified); /meta lists hidden members. Logged loudly at start.
  bool dev_mode = false;
  // How long /load waits for a query before answering "Continue wait".
  std::chrono::milliseconds continue_wait{10'000};
  QueryLimits limits;
  size_t max_body_bytes = 1 << 20;
  std::chrono::milliseconds read_timeout{30'000};
  // stop() lets requests in progress finish for at most this long.
  std::chrono::milliseconds shutdown_grace{5'000};
  // For /readyz (source health) and dbType; may be null. Must outlive the server.
  const SourceRegistry* sources = nullptr;
  std::string base_path = "/cubejs-api";
  // Pre-aggregations for {base}/v1/pre-aggregations (api/preagg_api.h); may
  // be null. Must outlive the server.
  PreAggStore* pre_aggregations = nullptr;
  RefreshWorker* refresh = nullptr;
};

class ApiServer {
 public:
  // `service` must outlive the server.
  ApiServer(QueryService& service, ApiOptions options);
  ~ApiServer();  // stop() and wait()
  ApiServer(const ApiServer&) = delete;
  ApiServer& operator=(const ApiServer&) = delete;

  // Binds host:port, starts the I/O threads and returns the bound port.
  // Throws UserError when the address cannot be resolved or bound.
  uint16_t start();
  // Stops accepting, closes idle connections, answers requests still waiting
  // on a query with "Continue wait", and lets responses in flight finish
  // (at most shutdown_grace). Thread-safe and idempotent; does not block.
  void stop();
  // Blocks until every I/O thread has exited (after stop()).
  void wait();

  uint16_t port() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace strata
