#include "pgwire/scram.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include <vector>

#include "core/error.h"

namespace strata::pgwire {

namespace {

[[noreturn]] void bad_message(const std::string& what) {
  throw UnauthorizedError("malformed SCRAM message: " + what, {.sqlstate = "08P01"});
}

[[noreturn]] void auth_failed() {
  throw UnauthorizedError("password authentication failed", {.sqlstate = "28P01"});
}

std::string xor_bytes(std::string_view a, std::string_view b) {
  std::string out(a.size(), '\0');
  for (size_t i = 0; i < a.size() && i < b.size(); ++i) out[i] = static_cast<char>(a[i] ^ b[i]);
  return out;
}

// Splits "k=v,k=v,..." keeping order; values may contain '='.
std::vector<std::pair<char, std::string>> attributes(std::string_view s) {
  std::vector<std::pair<char, std::string>> out;
  size_t pos = 0;
  while (pos <= s.size()) {
    size_t comma = s.find(',', pos);
    std::string_view part = s.substr(pos, comma == std::string_view::npos ? s.npos : comma - pos);
    if (part.size() < 2 || part[1] != '=') bad_message("expected attribute=value");
    out.emplace_back(part[0], std::string(part.substr(2)));
    if (comma == std::string_view::npos) break;
    pos = comma + 1;
  }
  return out;
}

bool printable_nonce(std::string_view n) {
  if (n.empty()) return false;
  for (char c : n) {
    if (c < 0x21 || c > 0x7e || c == ',') return false;
  }
  return true;
}

}  // namespace

// --- Primitives ---------------------------------------------------------------------

std::string sha256(std::string_view data) {
  unsigned char md[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), md);
  return std::string(reinterpret_cast<char*>(md), sizeof(md));
}

std::string hmac_sha256(std::string_view key, std::string_view data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (!HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
            reinterpret_cast<const unsigned char*>(data.data()), data.size(), md, &len)) {
    throw InternalError("HMAC-SHA-256 failed");
  }
  return std::string(reinterpret_cast<char*>(md), len);
}

std::string pbkdf2_sha256(std::string_view password, std::string_view salt, int iterations) {
  unsigned char out[32];
  if (PKCS5_PBKDF2_HMAC(password.data(), static_cast<int>(password.size()),
                        reinterpret_cast<const unsigned char*>(salt.data()),
                        static_cast<int>(salt.size()), iterations, EVP_sha256(), sizeof(out),
                        out) != 1) {
    throw InternalError("PBKDF2 failed");
  }
  return std::string(reinterpret_cast<char*>(out), sizeof(out));
}

bool constant_time_equal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string random_bytes(size_t n) {
  std::string out(n, '\0');
  if (n > 0 && RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(n)) != 1) {
    throw InternalError("the system's random number generator failed");
  }
  return out;
}

std::string base64_encode(std::string_view bytes) {
  static const char* kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    uint32_t v = (static_cast<uint8_t>(bytes[i]) << 16) |
                 (static_cast<uint8_t>(bytes[i + 1]) << 8) | static_cast<uint8_t>(bytes[i + 2]);
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += kAlphabet[v & 63];
  }
  if (i + 1 == bytes.size()) {
    uint32_t v = static_cast<uint8_t>(bytes[i]) << 16;
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += "==";
  } else if (i + 2 == bytes.size()) {
    uint32_t v = (static_cast<uint8_t>(bytes[i]) << 16) | (static_cast<uint8_t>(bytes[i + 1]) << 8);
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += '=';
  }
  return out;
}

std::optional<std::string> base64_decode(std::string_view text) {
  auto value = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
  };
  if (text.size() % 4 != 0) return std::nullopt;
  std::string out;
  for (size_t i = 0; i < text.size(); i += 4) {
    int v[4];
    int pad = 0;
    for (int k = 0; k < 4; ++k) {
      char c = text[i + static_cast<size_t>(k)];
      if (c == '=') {
        if (i + 4 != text.size() || k < 2) return std::nullopt;
        v[k] = 0;
        ++pad;
      } else {
        if (pad) return std::nullopt;
        v[k] = value(c);
        if (v[k] < 0) return std::nullopt;
      }
    }
    uint32_t n = (static_cast<uint32_t>(v[0]) << 18) | (static_cast<uint32_t>(v[1]) << 12) |
                 (static_cast<uint32_t>(v[2]) << 6) | static_cast<uint32_t>(v[3]);
    out += static_cast<char>((n >> 16) & 0xff);
    if (pad < 2) out += static_cast<char>((n >> 8) & 0xff);
    if (pad < 1) out += static_cast<char>(n & 0xff);
  }
  return out;
}

// --- Verifiers -----------------------------------------------------------------------

ScramVerifier make_scram_verifier(std::string_view password, std::string_view salt,
                                  int iterations) {
  ScramVerifier v;
  v.salt = std::string(salt);
  v.iterations = iterations;
  std::string salted = pbkdf2_sha256(password, salt, iterations);
  v.stored_key = sha256(hmac_sha256(salted, "Client Key"));
  v.server_key = hmac_sha256(salted, "Server Key");
  return v;
}

std::optional<ScramVerifier> parse_scram_verifier(std::string_view text) {
  constexpr std::string_view kPrefix = "SCRAM-SHA-256$";
  if (!text.starts_with(kPrefix)) return std::nullopt;
  text.remove_prefix(kPrefix.size());
  size_t colon = text.find(':');
  size_t dollar = text.find('$');
  if (colon == text.npos || dollar == text.npos || colon > dollar) return std::nullopt;
  size_t colon2 = text.find(':', dollar);
  if (colon2 == text.npos) return std::nullopt;
  ScramVerifier v;
  try {
    v.iterations = std::stoi(std::string(text.substr(0, colon)));
  } catch (const std::exception&) {
    return std::nullopt;
  }
  auto salt = base64_decode(text.substr(colon + 1, dollar - colon - 1));
  auto stored = base64_decode(text.substr(dollar + 1, colon2 - dollar - 1));
  auto server = base64_decode(text.substr(colon2 + 1));
  if (!salt || !stored || !server || v.iterations < 1 || stored->size() != 32 ||
      server->size() != 32) {
    return std::nullopt;
  }
  v.salt = *salt;
  v.stored_key = *stored;
  v.server_key = *server;
  return v;
}

std::string format_scram_verifier(const ScramVerifier& v) {
  return "SCRAM-SHA-256$" + std::to_string(v.iterations) + ":" + base64_encode(v.salt) + "$" +
         base64_encode(v.stored_key) + ":" + base64_encode(v.server_key);
}

// --- The exchange ----------------------------------------------------------------------

ScramServer::ScramServer(std::optional<ScramVerifier> verifier, std::string server_nonce)
    : verifier_(std::move(verifier)), server_nonce_(std::move(server_nonce)) {
  if (server_nonce_.empty()) server_nonce_ = base64_encode(random_bytes(18));
  if (!verifier_) {
    // A made-up user: random salt, keys nobody can match.
    mock_.salt = random_bytes(16);
    mock_.iterations = 4096;
    mock_.stored_key = random_bytes(32);
    mock_.server_key = random_bytes(32);
  }
}

std::string ScramServer::handle_client_first(std::string_view msg) {
  if (first_done_) bad_message("client-first-message sent twice");
  first_done_ = true;
  // gs2-header: cbind-flag "," [authzid] ","
  if (msg.empty()) bad_message("empty client-first-message");
  char flag = msg[0];
  size_t pos = 0;
  if (flag == 'n' || flag == 'y') {
    if (msg.size() < 2 || msg[1] != ',') bad_message("expected ',' after the channel binding flag");
    pos = 2;
  } else if (flag == 'p') {
    throw UnauthorizedError(
        "the client requires SCRAM channel binding, which this server does not offer",
        {.hint = "connect with channel_binding=disable or prefer", .sqlstate = "28000"});
  } else {
    bad_message("unexpected channel binding flag");
  }
  size_t comma = msg.find(',', pos);
  if (comma == msg.npos) bad_message("missing authorization identity separator");
  if (comma != pos) {
    throw UnauthorizedError("client uses authorization identity, but it is not supported",
                            {.sqlstate = "0A000"});
  }
  gs2_header_ = std::string(msg.substr(0, comma + 1));
  client_first_bare_ = std::string(msg.substr(comma + 1));
  auto attrs = attributes(client_first_bare_);
  if (attrs.size() < 2 || attrs[0].first != 'n' || attrs[1].first != 'r') {
    if (!attrs.empty() && attrs[0].first == 'm') {
      throw UnauthorizedError("SCRAM extensions are not supported", {.sqlstate = "0A000"});
    }
    bad_message("client-first-message must start with n= and r=");
  }
  // PostgreSQL ignores the SCRAM user name (the startup packet's counts).
  const std::string& client_nonce = attrs[1].second;
  if (!printable_nonce(client_nonce)) bad_message("invalid client nonce");
  nonce_ = client_nonce + server_nonce_;
  const ScramVerifier& v = verifier_ ? *verifier_ : mock_;
  server_first_ =
      "r=" + nonce_ + ",s=" + base64_encode(v.salt) + ",i=" + std::to_string(v.iterations);
  return server_first_;
}

std::string ScramServer::handle_client_final(std::string_view msg) {
  if (!first_done_ || server_first_.empty()) bad_message("client-final-message out of order");
  size_t proof_at = msg.rfind(",p=");
  if (proof_at == msg.npos) bad_message("missing proof");
  std::string_view without_proof = msg.substr(0, proof_at);
  auto attrs = attributes(without_proof);
  if (attrs.size() < 2 || attrs[0].first != 'c' || attrs[1].first != 'r') {
    bad_message("client-final-message must start with c= and r=");
  }
  auto binding = base64_decode(attrs[0].second);
  if (!binding || *binding != gs2_header_) {
    throw UnauthorizedError("SCRAM channel binding check failed", {.sqlstate = "28000"});
  }
  if (attrs[1].second != nonce_) {
    throw UnauthorizedError("SCRAM nonce mismatch", {.sqlstate = "28000"});
  }
  auto proof = base64_decode(msg.substr(proof_at + 3));
  if (!proof || proof->size() != 32) bad_message("malformed proof");
  const ScramVerifier& v = verifier_ ? *verifier_ : mock_;
  std::string auth_message =
      client_first_bare_ + "," + server_first_ + "," + std::string(without_proof);
  std::string client_signature = hmac_sha256(v.stored_key, auth_message);
  std::string client_key = xor_bytes(*proof, client_signature);
  if (!verifier_ || !constant_time_equal(sha256(client_key), v.stored_key)) auth_failed();
  return "v=" + base64_encode(hmac_sha256(v.server_key, auth_message));
}

// --- md5 -------------------------------------------------------------------------------

namespace {
std::string md5_hex(std::string_view data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_Digest(data.data(), data.size(), md, &len, EVP_md5(), nullptr) != 1) {
    throw InternalError("MD5 failed");
  }
  static const char* kHex = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < len; ++i) {
    out += kHex[md[i] >> 4];
    out += kHex[md[i] & 15];
  }
  return out;
}
}  // namespace

std::string md5_password_response(std::string_view user, std::string_view password,
                                  std::string_view salt4) {
  std::string inner = md5_hex(std::string(password) + std::string(user));
  return "md5" + md5_hex(inner + std::string(salt4));
}

}  // namespace strata::pgwire
