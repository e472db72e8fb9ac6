#include "api/auth.h"

#include "core/error.h"
#include "security/jwt.h"

namespace strata {

SecurityContext authenticate(const HttpRequest& request, const AuthPolicy& policy) {
  std::string_view token = token_from_authorization(request.authorization);
  if (token == "undefined" || token == "null") token = {};
  if (token.empty()) {
    if (policy.dev_mode) return SecurityContext{};  // anonymous, authenticated = false
    throw UnauthorizedError(
        "Authorization header isn't set",
        {.hint = "send a JWT signed with HS256 under the API secret as 'Authorization: <jwt>' "
                 "or 'Authorization: Bearer <jwt>'"});
  }
  return verify_jwt(token, policy.api_secret);
}

}  // namespace strata
