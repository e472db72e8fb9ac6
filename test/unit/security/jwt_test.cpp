#include "security/jwt.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "core/error.h"

namespace strata {
namespace {

using ::testing::HasSubstr;

constexpr std::string_view kSecret = "test-secret";
constexpr int64_t kNow = 1'700'000'000;  // 2023-11-14T22:13:20Z

JwtVerifyOptions at_now() {
  JwtVerifyOptions o;
  o.now_seconds = kNow;
  return o;
}

// Runs verify_jwt and returns the UnauthorizedError message ("" when it passed).
std::string rejection(std::string_view token, std::string_view secret = kSecret,
                      JwtVerifyOptions options = at_now()) {
  try {
    verify_jwt(token, secret, options);
  } catch (const UnauthorizedError& e) {
    EXPECT_EQ(e.http_status(), 403);
    EXPECT_EQ(std::string(e.what()).find(std::string(kSecret)), std::string::npos);
    return e.message();
  }
  return "";
}

// "header.payload" with an arbitrary header; callers append a signature part.
std::string unsigned_input(std::string_view header_json, std::string_view payload_json) {
  return base64url_encode(header_json) + "." + base64url_encode(payload_json);
}

TEST(Base64Url, RoundTripsAllLengths) {
  std::string bytes;
  for (int i = 0; i < 40; ++i) {
    bytes += static_cast<char>(i * 37 + 11);
    auto encoded = base64url_encode(bytes);
    EXPECT_EQ(encoded.find_first_of("+/="), std::string::npos);
    auto decoded = base64url_decode(encoded);
    ASSERT_TRUE(decoded.has_value());
    EXPECT_EQ(*decoded, bytes);
  }
}

TEST(Base64Url, KnownVectorsAndPadding) {
  EXPECT_EQ(base64url_encode("f"), "Zg");
  EXPECT_EQ(base64url_encode("fo"), "Zm8");
  EXPECT_EQ(base64url_encode("foo"), "Zm9v");
  EXPECT_EQ(base64url_encode("\xfb\xff"), "-_8");
  EXPECT_EQ(base64url_decode("Zm8="), std::optional<std::string>("fo"));
  EXPECT_EQ(base64url_decode("Zm8"), std::optional<std::string>("fo"));
  EXPECT_FALSE(base64url_decode("Zm+v").has_value());  // '+' is not base64url
  EXPECT_FALSE(base64url_decode("Z").has_value());     // impossible length
  EXPECT_FALSE(base64url_decode("Zm 9").has_value());
}

TEST(AuthorizationHeader, AcceptsBearerOrBareToken) {
  EXPECT_EQ(token_from_authorization("Bearer abc.def.ghi"), "abc.def.ghi");
  EXPECT_EQ(token_from_authorization("bearer   abc.def.ghi  "), "abc.def.ghi");
  EXPECT_EQ(token_from_authorization("abc.def.ghi"), "abc.def.ghi");
  EXPECT_EQ(token_from_authorization("  "), "");
  EXPECT_EQ(token_from_authorization(""), "");
  EXPECT_EQ(token_from_authorization("Bearer"), "Bearer");  // no token after the scheme
}

TEST(Jwt, ValidTokenGivesClaimsAndSubject) {
  std::string token =
      sign_jwt_hs256(R"({"sub":"alice","tenant":"acme","exp":1800000000})", kSecret);
  auto ctx = verify_jwt(token, kSecret, at_now());
  EXPECT_TRUE(ctx.authenticated);
  EXPECT_EQ(ctx.subject, "alice");
  auto claims = boost::json::parse(ctx.claims_json);
  EXPECT_EQ(claims.at("tenant").as_string(), "acme");
  EXPECT_EQ(claims.at("exp").to_number<int64_t>(), 1800000000);
}

TEST(Jwt, BearerPrefixedHeaderVerifies) {
  std::string header = "Bearer " + sign_jwt_hs256(R"({"sub":"bob"})", kSecret);
  EXPECT_EQ(verify_jwt(token_from_authorization(header), kSecret, at_now()).subject, "bob");
}

TEST(Jwt, NoSubjectIsFine) {
  auto ctx = verify_jwt(sign_jwt_hs256("{}", kSecret), kSecret, at_now());
  EXPECT_TRUE(ctx.authenticated);
  EXPECT_EQ(ctx.subject, "");
  EXPECT_EQ(ctx.claims_json, "{}");
}

TEST(Jwt, MissingToken) {
  EXPECT_EQ(rejection(""), "Authorization header isn't set");
}

TEST(Jwt, Expired) {
  std::string token = sign_jwt_hs256(R"({"exp":1699999000})", kSecret);
  EXPECT_THAT(rejection(token), HasSubstr("expired at 2023-11-14T21:56:40Z"));
}

TEST(Jwt, ExpiryWithinLeewayIsAccepted) {
  std::string token = sign_jwt_hs256(R"({"exp":1699999990})", kSecret);  // 10 s ago
  EXPECT_EQ(rejection(token), "");
  JwtVerifyOptions strict = at_now();
  strict.leeway = std::chrono::seconds(0);
  EXPECT_THAT(rejection(token, kSecret, strict), HasSubstr("expired"));
}

TEST(Jwt, NotYetValid) {
  std::string token = sign_jwt_hs256(R"({"nbf":1700003600})", kSecret);
  EXPECT_THAT(rejection(token), HasSubstr("not valid before 2023-11-14T23:13:20Z"));
  std::string soon = sign_jwt_hs256(R"({"nbf":1700000010})", kSecret);  // within leeway
  EXPECT_EQ(rejection(soon), "");
}

TEST(Jwt, NonNumericTimeClaim) {
  EXPECT_THAT(rejection(sign_jwt_hs256(R"({"exp":"tomorrow"})", kSecret)),
              HasSubstr("'exp' claim must be a number"));
}

TEST(Jwt, ForgedSignature) {
  std::string other = sign_jwt_hs256(R"({"sub":"mallory"})", "another-secret");
  EXPECT_THAT(rejection(other), HasSubstr("signature verification failed"));

  // Payload swapped under a valid signature.
  std::string good = sign_jwt_hs256(R"({"sub":"alice"})", kSecret);
  size_t d1 = good.find('.');
  size_t d2 = good.find('.', d1 + 1);
  std::string tampered =
      good.substr(0, d1 + 1) + base64url_encode(R"({"sub":"admin"})") + good.substr(d2);
  EXPECT_THAT(rejection(tampered), HasSubstr("signature verification failed"));

  // Truncated signature.
  EXPECT_THAT(rejection(good.substr(0, good.size() - 4)),
              HasSubstr("signature verification failed"));
}

TEST(Jwt, AlgNoneIsRejected) {
  std::string unsigned_token = unsigned_input(R"({"alg":"none","typ":"JWT"})", R"({"sub":"x"})");
  EXPECT_THAT(rejection(unsigned_token + "."), HasSubstr("alg \"none\""));
  std::string upper = unsigned_input(R"({"alg":"NONE"})", R"({"sub":"x"})");
  EXPECT_THAT(rejection(upper + ".c2ln"), HasSubstr("alg \"none\""));
}

TEST(Jwt, OtherAlgorithmsAreRejected) {
  std::string rs = unsigned_input(R"({"alg":"RS256"})", "{}");
  EXPECT_THAT(rejection(rs + ".c2ln"), HasSubstr("algorithm 'RS256' is not accepted"));
  std::string hs512 = unsigned_input(R"({"alg":"HS512"})", "{}");
  EXPECT_THAT(rejection(hs512 + ".c2ln"), HasSubstr("'HS512'"));
  std::string no_alg = unsigned_input(R"({"typ":"JWT"})", "{}");
  EXPECT_THAT(rejection(no_alg + ".c2ln"), HasSubstr("no 'alg'"));
}

TEST(Jwt, MalformedPieces) {
  EXPECT_THAT(rejection("abc"), HasSubstr("this one has 1"));
  EXPECT_THAT(rejection("a.b"), HasSubstr("this one has 2"));
  EXPECT_THAT(rejection("a.b.c.d"), HasSubstr("this one has 4"));
  EXPECT_THAT(rejection("undefined"), HasSubstr("three dot-separated parts"));

  std::string good = sign_jwt_hs256(R"({"sub":"alice"})", kSecret);
  size_t d1 = good.find('.');
  size_t d2 = good.find('.', d1 + 1);
  EXPECT_THAT(rejection("@@@" + good.substr(d1)), HasSubstr("header is not valid base64url"));
  EXPECT_THAT(rejection(good.substr(0, d1 + 1) + "***" + good.substr(d2)),
              HasSubstr("payload is not valid base64url"));
  EXPECT_THAT(rejection(good.substr(0, d2 + 1) + "%%"),
              HasSubstr("signature is not valid base64url"));
  EXPECT_THAT(rejection(base64url_encode("not json") + good.substr(d1)),
              HasSubstr("header is not valid JSON"));
  EXPECT_THAT(rejection(base64url_encode("[1,2]") + good.substr(d1)),
              HasSubstr("header is not a JSON object"));
  EXPECT_THAT(rejection(good.substr(0, d1 + 1) + base64url_encode("{oops") + good.substr(d2)),
              HasSubstr("payload is not valid JSON"));
  EXPECT_THAT(rejection(good.substr(0, d1 + 1) + base64url_encode("42") + good.substr(d2)),
              HasSubstr("payload is not a JSON object"));
}

TEST(Jwt, EmptySecretVerifiesNothing) {
  std::string token = sign_jwt_hs256("{}", "");
  EXPECT_THAT(rejection(token, ""), HasSubstr("no API secret configured"));
}

TEST(Jwt, MessagesStartWithCubesWording) {
  EXPECT_THAT(rejection("a.b"), ::testing::StartsWith("Invalid token: "));
}

TEST(Jwt, SignRejectsNonObjectPayload) {
  EXPECT_THROW(sign_jwt_hs256("[1]", kSecret), UserError);
  EXPECT_THROW(sign_jwt_hs256("{", kSecret), UserError);
}

TEST(Jwt, KnownHs256Vector) {
  // The widely published HS256 example token (header {"alg":"HS256","typ":"JWT"}).
  const std::string expected =
      "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."
      "eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ."
      "SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c";
  EXPECT_EQ(sign_jwt_hs256(R"({"sub":"1234567890","name":"John Doe","iat":1516239022})",
                           "your-256-bit-secret"),
            expected);
  EXPECT_EQ(verify_jwt(expected, "your-256-bit-secret", at_now()).subject, "1234567890");
}

}  // namespace
}  // namespace strata
