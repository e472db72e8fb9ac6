// SecurityContext: who is asking. Built by the frontends from a verified JWT
// payload (REST, GraphQL, MCP) or a configured SQL user (pgwire); consumed by
// the planner (access policies) and by caches (it shapes the cache key).
#pragma once

#include <string>

namespace strata {

struct SecurityContext {
  std::string claims_json = "{}";  // the verified token payload, serialized
  std::string subject;             // `sub` claim or SQL user name, "" when anonymous
  bool authenticated = false;      // false only in dev mode without a token
};

}  // namespace strata
