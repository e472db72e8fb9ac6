// Routing, authentication and error responses, without any socket.
#include "api/router.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "api/error_response.h"
#include "core/error.h"
#include "security/jwt.h"

namespace strata {
namespace {

namespace json = boost::json;
using ::testing::HasSubstr;

constexpr const char* kSecret = "router-secret";

HttpRequest get(std::string path, std::string authorization = "") {
  HttpRequest r;
  r.method = "GET";
  r.path = std::move(path);
  r.target = r.path;
  r.authorization = std::move(authorization);
  return r;
}

json::object body_of(const RouteOutcome& o) {
  return json::parse(o.response.body).as_object();
}

Router make_router(bool dev_mode = false) {
  Router router(AuthPolicy{kSecret, dev_mode});
  router.add("GET", "/api/echo", [](const HttpRequest&, const SecurityContext& s) {
    json::object b;
    b["subject"] = s.subject;
    b["authenticated"] = s.authenticated;
    return RouteOutcome::now(json_response(200, b));
  });
  router.add("POST", "/api/echo", [](const HttpRequest&, const SecurityContext&) {
    return RouteOutcome::now(json_response(201, json::object()));
  });
  router.add(
      "GET", "/api/user-error", [](const HttpRequest&, const SecurityContext&) -> RouteOutcome {
        throw UserError("unknown member 'orders.foo'",
                        {.member = "orders.foo", .json_path = "measures[0]", .hint = "see /meta"});
      });
  router.add("GET", "/api/crash", [](const HttpRequest&, const SecurityContext&) -> RouteOutcome {
    throw std::runtime_error("boom");
  });
  router.add("GET", "/api/source", [](const HttpRequest&, const SecurityContext&) -> RouteOutcome {
    throw SourceError("default", "connection refused");
  });
  router.add(
      "GET", "/open",
      [](const HttpRequest&, const SecurityContext&) {
        return RouteOutcome::now(json_response(200, json::object()));
      },
      /*authenticated=*/false);
  return router;
}

TEST(ErrorJson, CarriesEveryContextField) {
  UserError e("bad date range", {.member = "orders.created_at",
                                 .file = "orders.yml",
                                 .line = 12,
                                 .json_path = "timeDimensions[0].dateRange",
                                 .position = 3,
                                 .hint = "use YYYY-MM-DD"});
  HttpResponse r = error_response(e);
  EXPECT_EQ(r.status, 400);
  json::object b = json::parse(r.body).as_object();
  EXPECT_EQ(b.at("error"), json::value("bad date range"));
  EXPECT_EQ(b.at("type"), json::value("UserError"));
  EXPECT_EQ(b.at("path"), json::value("timeDimensions[0].dateRange"));
  EXPECT_EQ(b.at("member"), json::value("orders.created_at"));
  EXPECT_EQ(b.at("hint"), json::value("use YYYY-MM-DD"));
  EXPECT_EQ(b.at("file"), json::value("orders.yml"));
  EXPECT_EQ(b.at("line"), json::value(12));
  EXPECT_EQ(b.at("position"), json::value(3));
}

TEST(ErrorJson, StatusPerKindAndNoEmptyFields) {
  EXPECT_EQ(error_response(NotFoundError("x")).status, 404);
  EXPECT_EQ(error_response(UnauthorizedError("x")).status, 403);
  EXPECT_EQ(error_response(SourceError("pg", "down")).status, 503);
  EXPECT_EQ(error_response(TimeoutError("slow")).status, 504);
  EXPECT_EQ(error_response(InternalError("bug")).status, 500);
  json::object b = json::parse(error_response(TimeoutError("slow")).body).as_object();
  EXPECT_EQ(b.size(), 2u);
  EXPECT_EQ(b.at("type"), json::value("TimeoutError"));
  json::object s = json::parse(error_response(SourceError("pg", "down")).body).as_object();
  EXPECT_EQ(s.at("source"), json::value("pg"));
}

TEST(Router, UnknownPathIs404Json) {
  Router router = make_router();
  RouteOutcome o = router.dispatch(get("/nope"));
  EXPECT_EQ(o.response.status, 404);
  EXPECT_THAT(std::string(body_of(o).at("error").as_string()), HasSubstr("Not found: GET /nope"));
  EXPECT_EQ(body_of(o).at("type"), json::value("NotFoundError"));
}

TEST(Router, WrongMethodIs405WithAllow) {
  Router router = make_router();
  HttpRequest r = get("/api/echo");
  r.method = "DELETE";
  RouteOutcome o = router.dispatch(r);
  EXPECT_EQ(o.response.status, 405);
  ASSERT_EQ(o.response.headers.size(), 1u);
  EXPECT_EQ(o.response.headers[0].first, "Allow");
  EXPECT_EQ(o.response.headers[0].second, "GET, POST");
}

TEST(Router, OptionsIsACorsPreflight) {
  Router router = make_router();
  HttpRequest r = get("/api/echo");
  r.method = "OPTIONS";
  RouteOutcome o = router.dispatch(r);
  EXPECT_EQ(o.response.status, 204);
  EXPECT_TRUE(o.response.body.empty());
}

TEST(Router, MissingTokenIs403AsCube) {
  Router router = make_router();
  RouteOutcome o = router.dispatch(get("/api/echo"));
  EXPECT_EQ(o.response.status, 403);
  EXPECT_EQ(body_of(o).at("error"), json::value("Authorization header isn't set"));
  // The JavaScript client sends "undefined" when it has no token.
  EXPECT_EQ(router.dispatch(get("/api/echo", "undefined")).response.status, 403);
}

TEST(Router, BadTokensAre403WithTheReason) {
  Router router = make_router();
  std::string forged = sign_jwt_hs256(R"({"sub":"eve"})", "wrong-secret");
  RouteOutcome o = router.dispatch(get("/api/echo", forged));
  EXPECT_EQ(o.response.status, 403);
  EXPECT_THAT(std::string(body_of(o).at("error").as_string()),
              HasSubstr("Invalid token: signature verification failed"));
  std::string expired = sign_jwt_hs256(R"({"exp":1000})", kSecret);
  RouteOutcome e = router.dispatch(get("/api/echo", "Bearer " + expired));
  EXPECT_EQ(e.response.status, 403);
  EXPECT_THAT(std::string(body_of(e).at("error").as_string()), HasSubstr("expired"));
  // The token never appears in the answer.
  EXPECT_EQ(e.response.body.find(expired), std::string::npos);
}

TEST(Router, ValidTokenReachesTheHandler) {
  Router router = make_router();
  std::string token = sign_jwt_hs256(R"({"sub":"alice"})", kSecret);
  RouteOutcome o = router.dispatch(get("/api/echo", "Bearer " + token));
  EXPECT_EQ(o.response.status, 200);
  EXPECT_EQ(body_of(o).at("subject"), json::value("alice"));
  EXPECT_EQ(body_of(o).at("authenticated"), json::value(true));
  // One trailing slash is ignored.
  EXPECT_EQ(router.dispatch(get("/api/echo/", token)).response.status, 200);
}

TEST(Router, DevModeLetsAnonymousInButStillChecksTokens) {
  Router router = make_router(/*dev_mode=*/true);
  RouteOutcome anon = router.dispatch(get("/api/echo"));
  EXPECT_EQ(anon.response.status, 200);
  EXPECT_EQ(body_of(anon).at("authenticated"), json::value(false));
  std::string forged = sign_jwt_hs256("{}", "wrong-secret");
  EXPECT_EQ(router.dispatch(get("/api/echo", forged)).response.status, 403);
}

TEST(Router, PublicRoutesNeedNoToken) {
  Router router = make_router();
  EXPECT_EQ(router.dispatch(get("/open")).response.status, 200);
}

TEST(Router, HandlerErrorsBecomeJsonResponses) {
  Router router = make_router();
  std::string token = sign_jwt_hs256("{}", kSecret);
  RouteOutcome user = router.dispatch(get("/api/user-error", token));
  EXPECT_EQ(user.response.status, 400);
  EXPECT_EQ(body_of(user).at("path"), json::value("measures[0]"));
  EXPECT_EQ(body_of(user).at("hint"), json::value("see /meta"));
  RouteOutcome crash = router.dispatch(get("/api/crash", token));
  EXPECT_EQ(crash.response.status, 500);
  EXPECT_EQ(body_of(crash).at("type"), json::value("InternalError"));
  EXPECT_THAT(std::string(body_of(crash).at("error").as_string()), HasSubstr("boom"));
  EXPECT_EQ(router.dispatch(get("/api/source", token)).response.status, 503);
}

}  // namespace
}  // namespace strata
