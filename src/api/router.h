// Router: maps (method, path) to a handler, authenticates, and turns every
// failure into a JSON error response, so nothing a handler throws ever
// reaches the socket layer.
//
//   unknown path                      -> 404 {"error": "...", "type": "NotFoundError"}
//   known path, other method          -> 405 with an Allow header
//   OPTIONS on a known path           -> 204 CORS preflight answer
//   authenticated route, bad token    -> 403 (see api/auth.h)
//   handler throws strata::Error      -> its http_status() (see api/error_response.h)
//   handler throws anything else      -> 500 InternalError
//
// Paths match exactly; one trailing slash is ignored ("/v1/load/" = "/v1/load").
// A route segment written {name} matches any one non-empty segment
// ("/api/v1/sources/{name}/tables"); the handler reads it from request.path.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "api/auth.h"
#include "api/http_message.h"
#include "query/security_context.h"

namespace strata {

class Router {
 public:
  using Handler = std::function<RouteOutcome(const HttpRequest&, const SecurityContext&)>;

  explicit Router(AuthPolicy auth) : auth_(std::move(auth)) {}

  // `authenticated` routes see the verified SecurityContext; public routes
  // (health probes) get an anonymous one and skip token checks.
  void add(std::string method, std::string path, Handler handler, bool authenticated = true);

  // Never throws.
  RouteOutcome dispatch(const HttpRequest& request) const noexcept;

 private:
  struct Route {
    std::string method;
    std::string path;
    Handler handler;
    bool authenticated = true;
  };
  AuthPolicy auth_;
  std::vector<Route> routes_;
};

}  // namespace strata
