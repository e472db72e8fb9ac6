// SCRAM-SHA-256 against RFC 7677's test vector, md5 against a known hash,
// and the exchange's failure cases.
#include "pgwire/scram.h"

#include <gtest/gtest.h>

#include "core/error.h"

namespace strata::pgwire {
namespace {

// RFC 7677, section 3: user "user", password "pencil".
constexpr const char* kClientFirst = "n,,n=user,r=rOprNGfwEbeRWgbNEkqO";
constexpr const char* kServerNonce = "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0";
constexpr const char* kSaltB64 = "W22ZaJ0SNY7soEsUEjb6gQ==";
constexpr const char* kServerFirst =
    "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096";
constexpr const char* kClientFinal =
    "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
    "p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=";
constexpr const char* kServerFinal = "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=";

ScramVerifier rfc_verifier() {
  return make_scram_verifier("pencil", *base64_decode(kSaltB64));
}

TEST(Scram, Rfc7677TestVector) {
  ScramServer s(rfc_verifier(), kServerNonce);
  EXPECT_EQ(s.handle_client_first(kClientFirst), kServerFirst);
  EXPECT_EQ(s.handle_client_final(kClientFinal), kServerFinal);
}

TEST(Scram, VerifierRoundTripsThroughPostgresFormat) {
  ScramVerifier v = rfc_verifier();
  std::string text = format_scram_verifier(v);
  EXPECT_TRUE(text.starts_with("SCRAM-SHA-256$4096:W22ZaJ0SNY7soEsUEjb6gQ==$"));
  auto back = parse_scram_verifier(text);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->stored_key, v.stored_key);
  EXPECT_EQ(back->server_key, v.server_key);
  ScramServer s(*back, kServerNonce);
  s.handle_client_first(kClientFirst);
  EXPECT_EQ(s.handle_client_final(kClientFinal), kServerFinal);
  EXPECT_FALSE(parse_scram_verifier("md5abc"));
  EXPECT_FALSE(parse_scram_verifier("SCRAM-SHA-256$x:abc$def:ghi"));
}

TEST(Scram, WrongPasswordFailsWith28P01) {
  ScramServer s(make_scram_verifier("not-pencil", *base64_decode(kSaltB64)), kServerNonce);
  s.handle_client_first(kClientFirst);
  try {
    s.handle_client_final(kClientFinal);
    FAIL() << "a wrong password was accepted";
  } catch (const UnauthorizedError& e) {
    EXPECT_EQ(e.sqlstate(), "28P01");
    EXPECT_EQ(std::string(e.message()).find("pencil"), std::string::npos);
  }
}

TEST(Scram, UnknownUserRunsTheExchangeThenFails) {
  ScramServer s(std::nullopt, kServerNonce);
  std::string first = s.handle_client_first(kClientFirst);
  EXPECT_TRUE(first.starts_with("r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s="));
  EXPECT_THROW(s.handle_client_final(kClientFinal), UnauthorizedError);
}

TEST(Scram, RejectsTamperedMessages) {
  {
    ScramServer s(rfc_verifier(), kServerNonce);
    s.handle_client_first(kClientFirst);
    // Nonce changed.
    std::string bad = kClientFinal;
    bad.replace(bad.find("k0,p="), 2, "k1");
    EXPECT_THROW(s.handle_client_final(bad), UnauthorizedError);
  }
  {
    ScramServer s(rfc_verifier(), kServerNonce);
    s.handle_client_first(kClientFirst);
    // Channel binding data that does not match the gs2 header ("y,," in base64).
    std::string bad = kClientFinal;
    bad.replace(0, 6, "c=eSws");
    EXPECT_THROW(s.handle_client_final(bad), UnauthorizedError);
  }
  {
    ScramServer s(rfc_verifier(), kServerNonce);
    EXPECT_THROW(s.handle_client_first("p=tls-server-end-point,,n=,r=abc"), UnauthorizedError);
  }
  {
    ScramServer s(rfc_verifier(), kServerNonce);
    EXPECT_THROW(s.handle_client_first("x"), UnauthorizedError);
  }
  {
    ScramServer s(rfc_verifier(), kServerNonce);
    EXPECT_THROW(s.handle_client_first("n,a=admin,n=,r=abc"), UnauthorizedError);
  }
  {
    ScramServer s(rfc_verifier(), kServerNonce);
    EXPECT_THROW(s.handle_client_final(kClientFinal), UnauthorizedError);  // out of order
  }
}

TEST(Scram, PrimitivesMatchKnownValues) {
  // SHA-256("abc") from FIPS 180-2.
  EXPECT_EQ(base64_encode(sha256("abc")), "ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=");
  // HMAC-SHA-256 test case 2 of RFC 4231 ("Jefe").
  EXPECT_EQ(base64_encode(hmac_sha256("Jefe", "what do ya want for nothing?")),
            "W9zBRr9gdU5qBCQmCJV1x1oAPwidJzmDnexYuWTsOEM=");
  EXPECT_EQ(*base64_decode(base64_encode("any carnal pleas")), "any carnal pleas");
  EXPECT_FALSE(base64_decode("abc"));
  EXPECT_FALSE(base64_decode("ab!="));
  EXPECT_TRUE(constant_time_equal("abc", "abc"));
  EXPECT_FALSE(constant_time_equal("abc", "abd"));
  EXPECT_FALSE(constant_time_equal("abc", "ab"));
  EXPECT_EQ(random_bytes(16).size(), 16u);
}

TEST(Md5, MatchesPostgresFormula) {
  // md5(md5("pencil" + "user") hex + salt), computed with Python's hashlib:
  //   inner = md5(b"penciluser").hexdigest()
  //   "md5" + md5(inner.encode() + b"\x01\x02\x03\x04").hexdigest()
  EXPECT_EQ(md5_password_response("user", "pencil", std::string("\x01\x02\x03\x04", 4)),
            "md54376eb6913b38f9aaff38dc7cf19ca76");
}

}  // namespace
}  // namespace strata::pgwire
