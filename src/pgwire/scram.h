// Password authentication for the SQL API: SCRAM-SHA-256 (RFC 5802 with
// RFC 7677's SHA-256, as PostgreSQL implements it), md5 and cleartext. All
// cryptography is OpenSSL's (PBKDF2, HMAC, SHA-256, MD5, RAND_bytes);
// secrets are compared in constant time and never appear in messages.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace strata::pgwire {

// What a server keeps for a SCRAM user (PostgreSQL's pg_authid format is
// "SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>", base64).
struct ScramVerifier {
  std::string salt;  // raw bytes
  int iterations = 4096;
  std::string stored_key;  // raw SHA-256 bytes
  std::string server_key;
};

// Derives the verifier of `password` (used as given: no SASLprep, so a
// non-ASCII password must be written as clients normalize it).
ScramVerifier make_scram_verifier(std::string_view password, std::string_view salt,
                                  int iterations = 4096);
// Parses PostgreSQL's text form; nullopt when `text` is not one.
std::optional<ScramVerifier> parse_scram_verifier(std::string_view text);
std::string format_scram_verifier(const ScramVerifier& v);

// One SCRAM-SHA-256 exchange, server side. Not thread-safe (one per login).
class ScramServer {
 public:
  // `verifier` null means the user does not exist: the exchange runs on with
  // a made-up salt and fails at the proof, so a client cannot tell unknown
  // users from wrong passwords. `server_nonce` "" draws 18 random bytes
  // (base64); tests pass RFC 7677's.
  ScramServer(std::optional<ScramVerifier> verifier, std::string server_nonce = "");

  // client-first-message -> server-first-message. Throws UnauthorizedError
  // (28000) for a malformed message, channel binding requested ("p=", which
  // this server does not offer) or an authorization identity ("a=").
  std::string handle_client_first(std::string_view client_first);
  // client-final-message -> server-final-message ("v=..."). Throws
  // UnauthorizedError (28P01) when the nonce, channel binding or proof is wrong.
  std::string handle_client_final(std::string_view client_final);

 private:
  std::optional<ScramVerifier> verifier_;
  ScramVerifier mock_;
  std::string server_nonce_;
  std::string client_first_bare_;
  std::string server_first_;
  std::string gs2_header_;
  std::string nonce_;
  bool first_done_ = false;
};

// md5 authentication: "md5" + hex(md5(hex(md5(password + user)) + salt)),
// what the client sends back for `salt4`.
std::string md5_password_response(std::string_view user, std::string_view password,
                                  std::string_view salt4);

bool constant_time_equal(std::string_view a, std::string_view b);
std::string random_bytes(size_t n);  // from OpenSSL's CSPRNG; throws InternalError on failure
std::string base64_encode(std::string_view bytes);
std::optional<std::string> base64_decode(std::string_view text);

// Exposed for tests: the primitives, raw bytes in and out.
std::string sha256(std::string_view data);
std::string hmac_sha256(std::string_view key, std::string_view data);
std::string pbkdf2_sha256(std::string_view password, std::string_view salt, int iterations);

}  // namespace strata::pgwire
