// JSON Web Tokens signed with HMAC-SHA256 (HS256), the scheme Cube's REST
// API uses: a client signs its claims with the shared API secret and sends
// the token in the Authorization header.
//
// Verification accepts only HS256 (an unsigned "none" token or any other
// algorithm is refused), compares signatures in constant time, and checks
// the time claims `exp` and `nbf` with a small leeway for clock skew. Every
// failure throws UnauthorizedError whose message starts with "Invalid token"
// (what Cube answers) followed by what exactly was wrong; a missing token
// says "Authorization header isn't set". Messages never contain the token or
// the secret.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "query/security_context.h"

namespace strata {

struct JwtVerifyOptions {
  // Tolerated clock skew for `exp` and `nbf`.
  std::chrono::seconds leeway{30};
  // The current time in seconds since the Unix epoch; 0 = the system clock.
  int64_t now_seconds = 0;
};

// The token inside an Authorization header value: "Bearer <jwt>" or a bare
// "<jwt>" (the scheme is matched case-insensitively; surrounding whitespace
// is ignored). Returns "" when the header holds no token.
std::string_view token_from_authorization(std::string_view header_value);

// Verifies `token` against `secret`. On success returns a SecurityContext
// with claims_json = the payload (re-serialized JSON object), subject = the
// `sub` claim when it is a string, authenticated = true.
// Throws UnauthorizedError, each case with its own message: empty token,
// not three dot-separated parts, a part that is not base64url, a header or
// payload that is not a JSON object, a missing or non-HS256 `alg` ("none"
// named explicitly), a signature that does not match, a non-numeric
// `exp`/`nbf`, an expired token, a token not valid yet, and an empty secret
// (a server without a secret cannot verify anything).
SecurityContext verify_jwt(std::string_view token, std::string_view secret,
                           const JwtVerifyOptions& options = {});

// Signs `payload_json` (which must be a JSON object; throws UserError
// otherwise) with HS256 under `secret`; returns the compact serialization
// "header.payload.signature". For tests, benchmarks and `strata token`.
std::string sign_jwt_hs256(std::string_view payload_json, std::string_view secret);

// Base64url without padding (RFC 7515 section 2), as JWTs use it.
std::string base64url_encode(std::string_view bytes);
// Decodes base64url; tolerates trailing '=' padding. nullopt when the text
// has characters outside the alphabet or an impossible length.
std::optional<std::string> base64url_decode(std::string_view text);

}  // namespace strata
