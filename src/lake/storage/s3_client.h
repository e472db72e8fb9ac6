// S3 (and S3-compatible stores: MinIO, s3rver, ...) over HTTP with SigV4
// signed requests: get, head, put, delete and ListObjectsV2.
#pragma once

#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "lake/storage/sigv4.h"

namespace strata::lake {

struct S3Options {
  // "https://s3.eu-west-1.amazonaws.com", "http://127.0.0.1:4569"; "" means
  // AWS's regional endpoint for `region`.
  std::string endpoint;
  std::string region = "us-east-1";
  bool path_style = false;     // http://host/bucket/key instead of http://bucket.host/key
  AwsCredentials credentials;  // empty: anonymous requests (unsigned)
};

struct S3Location {
  std::string bucket;
  std::string key;
};

// "s3://bucket/a/b" -> {bucket, "a/b"}; nullopt when not an s3:// URI.
std::optional<S3Location> parse_s3_uri(const std::string& normalized_uri);

class S3Client {
 public:
  explicit S3Client(S3Options options);

  // The object's bytes; nullopt when it does not exist (404). Throws
  // SourceError for other failures (naming the URI and S3's error code).
  std::optional<std::string> get(const S3Location& loc) const;
  // Streams the object into `out`; false when it does not exist.
  bool download(const S3Location& loc, FILE* out) const;
  std::optional<int64_t> head(const S3Location& loc) const;  // size, nullopt when absent
  // `if_none_match`: only create (S3 conditional writes); returns false when
  // the object exists already (412).
  bool put(const S3Location& loc, const std::string& body, bool if_none_match = false) const;
  void remove(const S3Location& loc) const;
  // Keys under `prefix` (with `delimiter` "/": only the next level, sub-folders
  // returned as prefixes ending in '/').
  std::vector<std::string> list(const std::string& bucket, const std::string& prefix,
                                bool delimited) const;

  const S3Options& options() const { return options_; }

 private:
  // Every page of one ListObjectsV2 listing.
  std::vector<std::string> list_page(const std::string& bucket, const std::string& prefix,
                                     bool delimited) const;
  struct Prepared;
  Prepared prepare(const std::string& method, const S3Location& loc,
                   const std::vector<std::pair<std::string, std::string>>& query,
                   const std::string& payload) const;
  S3Options options_;
};

}  // namespace strata::lake
