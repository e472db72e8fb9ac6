// Who is asking an HTTP request: the JWT in the Authorization header (or
// x-cube-authorization, which Cube also reads), verified against the API
// secret. In dev mode a request without a token is let through as an
// anonymous SecurityContext; a token that is present is still verified.
#pragma once

#include <string>

#include "api/http_message.h"
#include "query/security_context.h"

namespace strata {

struct AuthPolicy {
  std::string api_secret;
  bool dev_mode = false;
};

// Throws UnauthorizedError (403): "Authorization header isn't set" when no
// token is sent outside dev mode, "Invalid token: ..." when verification fails.
// The literal header values "undefined" and "null" (what browser code sends
// when it has no token) count as no token.
SecurityContext authenticate(const HttpRequest& request, const AuthPolicy& policy);

}  // namespace strata
