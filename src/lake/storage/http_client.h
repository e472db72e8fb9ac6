// A minimal blocking HTTP client over libcurl, for S3 and the Iceberg REST
// catalog. Thread-safe (one curl handle per request).
#pragma once

#include <chrono>
#include <cstdio>
#include <string>
#include <utility>
#include <vector>

namespace strata::lake {

struct HttpResult {
  long status = 0;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased

  const std::string* header(const std::string& lower_name) const;
};

struct HttpCall {
  std::string method = "GET";
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  // When set, the response body is written to this file instead of `body`.
  FILE* download_to = nullptr;
  std::chrono::milliseconds timeout{60'000};
};

// Performs the call. Throws SourceError (source "iceberg") naming the URL for
// transport failures (connection refused, timeout); HTTP error statuses are
// returned, not thrown.
HttpResult http_call(const HttpCall& call);

// RFC 3986 percent-encoding of everything but unreserved characters (and '/'
// when keep_slash).
std::string uri_encode(std::string_view s, bool keep_slash);

}  // namespace strata::lake
