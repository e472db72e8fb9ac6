#include "api/router.h"

#include <boost/json.hpp>
#include <string_view>

#include "api/error_response.h"
#include "core/error.h"

namespace strata {

namespace {

std::string_view normalize_path(std::string_view path) {
  if (path.size() > 1 && path.back() == '/') path.remove_suffix(1);
  return path;
}

// `pattern` segments written {name} match any one non-empty segment.
bool path_matches(std::string_view pattern, std::string_view path) {
  if (pattern.find('{') == std::string_view::npos) return pattern == path;
  while (!pattern.empty() || !path.empty()) {
    size_t pe = pattern.find('/', 1);
    size_t qe = path.find('/', 1);
    std::string_view p = pattern.substr(0, pe);
    std::string_view q = path.substr(0, qe);
    bool wildcard = p.size() > 3 && p[1] == '{' && p.back() == '}';
    if (wildcard ? q.size() < 2 || q[0] != '/' : p != q) return false;
    pattern = pe == std::string_view::npos ? std::string_view() : pattern.substr(pe);
    path = qe == std::string_view::npos ? std::string_view() : path.substr(qe);
  }
  return true;
}

}  // namespace

void Router::add(std::string method, std::string path, Handler handler, bool authenticated) {
  routes_.push_back(Route{std::move(method), std::move(path), std::move(handler), authenticated});
}

RouteOutcome Router::dispatch(const HttpRequest& request) const noexcept {
  try {
    std::string_view path = normalize_path(request.path);
    const Route* match = nullptr;
    std::string allowed;
    for (const auto& route : routes_) {
      if (!path_matches(route.path, path)) continue;
      if (allowed.find(route.method) == std::string::npos) {
        if (!allowed.empty()) allowed += ", ";
        allowed += route.method;
      }
      if (route.method == request.method) match = &route;
    }
    if (allowed.empty()) {
      return RouteOutcome::now(error_response(NotFoundError(
          "Not found: " + request.method + " " + std::string(path),
          {.hint = "the Cube REST API lives under /cubejs-api/v1 (load, meta, sql, dry-run); "
                   "health probes are /livez and /readyz"})));
    }
    if (request.method == "OPTIONS") {
      HttpResponse r;
      r.status = 204;
      r.content_type.clear();
      r.headers.emplace_back("Access-Control-Allow-Methods", allowed + ", OPTIONS");
      r.headers.emplace_back("Access-Control-Allow-Headers",
                             "Authorization, Content-Type, x-request-id, x-cube-authorization");
      r.headers.emplace_back("Access-Control-Max-Age", "600");
      return RouteOutcome::now(std::move(r));
    }
    if (match == nullptr) {
      boost::json::object body;
      body["error"] = "Method " + request.method + " is not allowed on " + std::string(path) +
                      "; use " + allowed;
      body["type"] = "UserError";
      HttpResponse r = json_response(405, body);
      r.headers.emplace_back("Allow", allowed);
      return RouteOutcome::now(std::move(r));
    }
    SecurityContext security;
    if (match->authenticated) security = authenticate(request, auth_);
    return match->handler(request, security);
  } catch (...) {
    try {
      return RouteOutcome::now(current_exception_response());
    } catch (...) {
      RouteOutcome last_resort;  // building the error itself failed (out of memory)
      last_resort.response.status = 500;
      return last_resort;
    }
  }
}

}  // namespace strata
