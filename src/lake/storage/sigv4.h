// AWS Signature Version 4 for S3 requests (header-based signing), written
// from AWS's published description of the algorithm: a canonical request,
// a string to sign over its SHA-256, and an HMAC-SHA256 chain that derives
// the signing key from the secret, the date, the region and the service.
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

namespace strata::lake {

struct AwsCredentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;  // "" when none
};

struct SigV4Request {
  std::string method;         // "GET"
  std::string canonical_uri;  // URI-encoded path, '/' kept: "/bucket/key%20x"
  std::vector<std::pair<std::string, std::string>> query;  // decoded names and values
  std::map<std::string, std::string> headers;  // lower-case names, as sent (must include host)
  std::string payload_sha256;                  // hex, or "UNSIGNED-PAYLOAD"
};

// The Authorization header value for `r` signed at `amz_date`
// ("20130524T000000Z"). `r.headers` must already hold x-amz-date and
// x-amz-content-sha256 (and x-amz-security-token with a session token).
std::string sigv4_authorization(const SigV4Request& r, const AwsCredentials& creds,
                                const std::string& region, const std::string& service,
                                const std::string& amz_date);

// Pieces, exposed for tests.
std::string sigv4_canonical_request(const SigV4Request& r);
std::string sha256_hex(std::string_view data);
std::string hmac_sha256(std::string_view key, std::string_view data);  // raw bytes
std::string to_hex(std::string_view bytes);
// "20130524T000000Z" for a Unix time in seconds.
std::string amz_date(int64_t unix_seconds);

}  // namespace strata::lake
