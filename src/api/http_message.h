// Plain HTTP request/response values shared by the router and the handlers.
// The Beast session (http_server.cpp) converts to and from these, so nothing
// above the socket layer sees Beast or Asio and every handler can be tested
// by calling it with a hand-built HttpRequest.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace strata {

class PendingQuery;

struct HttpRequest {
  std::string method;  // "GET", "POST", ... (upper case, as sent)
  std::string target;  // as sent: "/cubejs-api/v1/load?query=..."
  std::string path;    // percent-decoded path without the query string
  // Decoded URL query parameters in order ('+' decodes to a space, as in forms).
  std::vector<std::pair<std::string, std::string>> params;
  std::string authorization;  // Authorization (or x-cube-authorization) header, "" when absent
  std::string content_type;
  std::string request_id;  // x-request-id header, "" when absent
  std::string body;

  // The first parameter called `name`, or nullptr.
  const std::string* param(std::string_view name) const {
    for (const auto& [k, v] : params) {
      if (k == name) return &v;
    }
    return nullptr;
  }
};

struct HttpResponse {
  int status = 200;
  std::string body;
  std::string content_type = "application/json; charset=utf-8";
  std::vector<std::pair<std::string, std::string>> headers;  // extra headers
  std::string log_note;  // appended to the request's log line, e.g. "continue wait"
};

// Work a handler could not finish at once: the server waits for `pending`
// without blocking an I/O thread (at most ApiOptions::continue_wait), then
// sends finish() once every query is done, or timed_out() when the wait ran
// out first. finish() and timed_out() run on the connection's I/O thread;
// they may throw strata::Error (sent as an error response).
struct Deferred {
  std::vector<std::shared_ptr<PendingQuery>> pending;
  std::function<HttpResponse()> finish;
  std::function<HttpResponse()> timed_out;
};

// What a handler returns: a response to send now, or deferred work, or
// blocking work (for example a health check that pings a database), which
// the server runs on a separate small thread pool and then sends.
struct RouteOutcome {
  HttpResponse response;
  std::optional<Deferred> deferred;
  std::function<HttpResponse()> blocking;

  static RouteOutcome now(HttpResponse r) {
    RouteOutcome o;
    o.response = std::move(r);
    return o;
  }
};

}  // namespace strata
