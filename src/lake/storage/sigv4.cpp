#include "lake/storage/sigv4.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

#include <algorithm>
#include <ctime>

#include "lake/storage/http_client.h"

namespace strata::lake {

std::string to_hex(std::string_view bytes) {
  static const char* kHex = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (char c : bytes) {
    auto b = static_cast<uint8_t>(c);
    out += kHex[b >> 4];
    out += kHex[b & 15];
  }
  return out;
}

std::string sha256_hex(std::string_view data) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest);
  return to_hex(std::string_view(reinterpret_cast<const char*>(digest), sizeof digest));
}

std::string hmac_sha256(std::string_view key, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), out, &len);
  return std::string(reinterpret_cast<const char*>(out), len);
}

std::string amz_date(int64_t unix_seconds) {
  std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%SZ", &tm);
  return buf;
}

std::string sigv4_canonical_request(const SigV4Request& r) {
  std::vector<std::pair<std::string, std::string>> q;
  for (const auto& [k, v] : r.query) q.emplace_back(uri_encode(k, false), uri_encode(v, false));
  std::sort(q.begin(), q.end());
  std::string query;
  for (const auto& [k, v] : q) {
    if (!query.empty()) query += '&';
    query += k + "=" + v;
  }
  std::string headers, signed_headers;
  for (const auto& [k, v] : r.headers) {  // std::map: sorted by name
    std::string value = v;
    size_t a = value.find_first_not_of(' ');
    size_t b = value.find_last_not_of(' ');
    value = a == std::string::npos ? "" : value.substr(a, b - a + 1);
    headers += k + ":" + value + "\n";
    if (!signed_headers.empty()) signed_headers += ';';
    signed_headers += k;
  }
  return r.method + "\n" + r.canonical_uri + "\n" + query + "\n" + headers + "\n" + signed_headers +
         "\n" + r.payload_sha256;
}

std::string sigv4_authorization(const SigV4Request& r, const AwsCredentials& creds,
                                const std::string& region, const std::string& service,
                                const std::string& date_time) {
  std::string date = date_time.substr(0, 8);
  std::string scope = date + "/" + region + "/" + service + "/aws4_request";
  std::string canonical = sigv4_canonical_request(r);
  std::string to_sign =
      "AWS4-HMAC-SHA256\n" + date_time + "\n" + scope + "\n" + sha256_hex(canonical);
  std::string k = hmac_sha256("AWS4" + creds.secret_access_key, date);
  k = hmac_sha256(k, region);
  k = hmac_sha256(k, service);
  k = hmac_sha256(k, "aws4_request");
  std::string signature = to_hex(hmac_sha256(k, to_sign));
  std::string signed_headers;
  for (const auto& [name, v] : r.headers) {
    if (!signed_headers.empty()) signed_headers += ';';
    signed_headers += name;
  }
  return "AWS4-HMAC-SHA256 Credential=" + creds.access_key_id + "/" + scope +
         ", SignedHeaders=" + signed_headers + ", Signature=" + signature;
}

}  // namespace strata::lake
