#include "security/jwt.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <array>
#include <boost/json.hpp>
#include <cctype>
#include <ctime>

#include "core/error.h"
#include "core/time.h"

namespace strata {

namespace json = boost::json;

namespace {

constexpr std::string_view kAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
constexpr size_t kSha256Size = 32;
constexpr std::string_view kHint =
    "send a token signed with HS256 under the server's API secret, as 'Authorization: <jwt>' or "
    "'Authorization: Bearer <jwt>'";

[[noreturn]] void reject(const std::string& what) {
  throw UnauthorizedError("Invalid token: " + what, {.hint = std::string(kHint)});
}

int decode_char(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '-') return 62;
  if (c == '_') return 63;
  return -1;
}

std::array<unsigned char, kSha256Size> hmac_sha256(std::string_view key, std::string_view data) {
  std::array<unsigned char, kSha256Size> out{};
  unsigned int len = 0;
  // A zero-length key is legal for HMAC but OpenSSL wants a non-null pointer.
  static const unsigned char kEmpty = 0;
  const void* key_ptr = key.empty() ? static_cast<const void*>(&kEmpty) : key.data();
  if (HMAC(EVP_sha256(), key_ptr, static_cast<int>(key.size()),
           reinterpret_cast<const unsigned char*>(data.data()), data.size(), out.data(),
           &len) == nullptr ||
      len != kSha256Size) {
    throw InternalError("HMAC-SHA256 failed in OpenSSL");
  }
  return out;
}

// Parses one decoded JWT part as a JSON object.
json::object parse_object(const std::string& text, std::string_view part) {
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec) reject("the " + std::string(part) + " is not valid JSON");
  if (!v.is_object()) reject("the " + std::string(part) + " is not a JSON object");
  return std::move(v.as_object());
}

std::string decode_part(std::string_view text, std::string_view part) {
  auto decoded = base64url_decode(text);
  if (!decoded) reject("the " + std::string(part) + " is not valid base64url");
  return std::move(*decoded);
}

// A numeric date claim (`exp`, `nbf`) in seconds; nullopt when absent.
std::optional<double> numeric_claim(const json::object& payload, std::string_view name) {
  auto it = payload.find(name);
  if (it == payload.end()) return std::nullopt;
  const json::value& v = it->value();
  if (v.is_int64()) return static_cast<double>(v.get_int64());
  if (v.is_uint64()) return static_cast<double>(v.get_uint64());
  if (v.is_double()) return v.get_double();
  reject("the '" + std::string(name) + "' claim must be a number of seconds since the epoch");
}

std::string describe_instant(double seconds) {
  constexpr double kMaxSeconds = 253402300799.0;  // 9999-12-31T23:59:59Z
  if (seconds > kMaxSeconds || seconds < -kMaxSeconds) return std::to_string(seconds) + " s";
  auto micros = static_cast<int64_t>(seconds) * kMicrosPerSecond;
  return format_iso_local(micros, 0) + "Z";
}

}  // namespace

std::string_view token_from_authorization(std::string_view header_value) {
  auto is_space = [](char c) { return c == ' ' || c == '\t'; };
  while (!header_value.empty() && is_space(header_value.front())) header_value.remove_prefix(1);
  while (!header_value.empty() && is_space(header_value.back())) header_value.remove_suffix(1);
  constexpr std::string_view kBearer = "bearer";
  if (header_value.size() > kBearer.size() && is_space(header_value[kBearer.size()])) {
    bool matches = true;
    for (size_t i = 0; i < kBearer.size(); ++i) {
      if (std::tolower(static_cast<unsigned char>(header_value[i])) != kBearer[i]) {
        matches = false;
        break;
      }
    }
    if (matches) {
      header_value.remove_prefix(kBearer.size());
      while (!header_value.empty() && is_space(header_value.front())) header_value.remove_prefix(1);
    }
  }
  return header_value;
}

std::string base64url_encode(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() * 4 + 2) / 3);
  size_t i = 0;
  auto byte = [&](size_t k) { return static_cast<uint32_t>(static_cast<unsigned char>(bytes[k])); };
  for (; i + 3 <= bytes.size(); i += 3) {
    uint32_t n = (byte(i) << 16) | (byte(i + 1) << 8) | byte(i + 2);
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += kAlphabet[(n >> 6) & 63];
    out += kAlphabet[n & 63];
  }
  size_t rest = bytes.size() - i;
  if (rest == 1) {
    uint32_t n = byte(i) << 16;
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
  } else if (rest == 2) {
    uint32_t n = (byte(i) << 16) | (byte(i + 1) << 8);
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += kAlphabet[(n >> 6) & 63];
  }
  return out;
}

std::optional<std::string> base64url_decode(std::string_view text) {
  while (!text.empty() && text.back() == '=') text.remove_suffix(1);
  if (text.size() % 4 == 1) return std::nullopt;
  std::string out;
  out.reserve(text.size() * 3 / 4);
  uint32_t acc = 0;
  int bits = 0;
  for (char c : text) {
    int v = decode_char(c);
    if (v < 0) return std::nullopt;
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xFF);
    }
  }
  return out;
}

SecurityContext verify_jwt(std::string_view token, std::string_view secret,
                           const JwtVerifyOptions& options) {
  if (token.empty()) {
    throw UnauthorizedError("Authorization header isn't set", {.hint = std::string(kHint)});
  }
  size_t dot1 = token.find('.');
  size_t dot2 = dot1 == std::string_view::npos ? dot1 : token.find('.', dot1 + 1);
  if (dot1 == std::string_view::npos || dot2 == std::string_view::npos ||
      token.find('.', dot2 + 1) != std::string_view::npos) {
    size_t parts = 1;
    for (char c : token) parts += c == '.' ? 1 : 0;
    reject("a JWT has three dot-separated parts (header.payload.signature), this one has " +
           std::to_string(parts));
  }
  std::string_view header_b64 = token.substr(0, dot1);
  std::string_view payload_b64 = token.substr(dot1 + 1, dot2 - dot1 - 1);
  std::string_view signature_b64 = token.substr(dot2 + 1);

  json::object header = parse_object(decode_part(header_b64, "header"), "header");
  auto alg_it = header.find("alg");
  if (alg_it == header.end() || !alg_it->value().is_string()) {
    reject("the header has no 'alg'; only HS256 is accepted");
  }
  std::string alg(alg_it->value().get_string());
  std::string alg_lower;
  for (char c : alg) alg_lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (alg_lower == "none") reject("unsigned tokens (alg \"none\") are not accepted; use HS256");
  if (alg != "HS256") reject("algorithm '" + alg + "' is not accepted; only HS256 is");

  json::object payload = parse_object(decode_part(payload_b64, "payload"), "payload");
  std::string signature = decode_part(signature_b64, "signature");

  if (secret.empty()) reject("the server has no API secret configured to verify it with");
  auto expected = hmac_sha256(secret, token.substr(0, dot2));
  if (signature.size() != expected.size() ||
      CRYPTO_memcmp(signature.data(), expected.data(), expected.size()) != 0) {
    reject("signature verification failed (signed with another secret, or altered)");
  }

  double now = options.now_seconds != 0 ? static_cast<double>(options.now_seconds)
                                        : static_cast<double>(std::time(nullptr));
  auto leeway = static_cast<double>(options.leeway.count());
  if (auto exp = numeric_claim(payload, "exp"); exp && now >= *exp + leeway) {
    reject("the token expired at " + describe_instant(*exp));
  }
  if (auto nbf = numeric_claim(payload, "nbf"); nbf && now + leeway < *nbf) {
    reject("the token is not valid before " + describe_instant(*nbf));
  }

  SecurityContext ctx;
  ctx.claims_json = json::serialize(payload);
  if (auto it = payload.find("sub"); it != payload.end() && it->value().is_string()) {
    ctx.subject = std::string(it->value().get_string());
  }
  ctx.authenticated = true;
  return ctx;
}

std::string sign_jwt_hs256(std::string_view payload_json, std::string_view secret) {
  boost::system::error_code ec;
  json::value payload = json::parse(payload_json, ec);
  if (ec || !payload.is_object()) {
    throw UserError("a JWT payload must be a JSON object", {.hint = "e.g. {\"sub\": \"alice\"}"});
  }
  std::string signing_input = base64url_encode(R"({"alg":"HS256","typ":"JWT"})") + "." +
                              base64url_encode(json::serialize(payload));
  auto mac = hmac_sha256(secret, signing_input);
  return signing_input + "." +
         base64url_encode(std::string_view(reinterpret_cast<const char*>(mac.data()), mac.size()));
}

}  // namespace strata
