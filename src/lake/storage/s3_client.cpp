#include "lake/storage/s3_client.h"

#include <algorithm>
#include <chrono>

#include "core/error.h"
#include "lake/lake_error.h"
#include "lake/storage/http_client.h"

namespace strata::lake {

namespace {

std::string xml_text(const std::string& xml, const std::string& tag, size_t& pos) {
  std::string open = "<" + tag + ">", close = "</" + tag + ">";
  size_t a = xml.find(open, pos);
  if (a == std::string::npos) {
    pos = std::string::npos;
    return "";
  }
  a += open.size();
  size_t b = xml.find(close, a);
  if (b == std::string::npos) {
    pos = std::string::npos;
    return "";
  }
  pos = b + close.size();
  return xml.substr(a, b - a);
}

std::string xml_unescape(std::string s) {
  static const std::pair<const char*, const char*> kEntities[] = {
      {"&lt;", "<"}, {"&gt;", ">"}, {"&quot;", "\""}, {"&apos;", "'"}, {"&amp;", "&"}};
  for (const auto& [from, to] : kEntities) {
    std::string f = from;
    for (size_t p = s.find(f); p != std::string::npos; p = s.find(f, p + 1))
      s.replace(p, f.size(), to);
  }
  return s;
}

std::string describe_error(const HttpResult& r) {
  size_t pos = 0;
  std::string code = xml_text(r.body, "Code", pos);
  pos = 0;
  std::string message = xml_text(r.body, "Message", pos);
  std::string out = "HTTP " + std::to_string(r.status);
  if (!code.empty()) out += " " + code;
  if (!message.empty()) out += ": " + xml_unescape(message);
  return out;
}

std::string uri_of(const S3Location& loc) {
  return "s3://" + loc.bucket + "/" + loc.key;
}

}  // namespace

std::optional<S3Location> parse_s3_uri(const std::string& uri) {
  if (uri.rfind("s3://", 0) != 0) return std::nullopt;
  std::string rest = uri.substr(5);
  size_t slash = rest.find('/');
  S3Location loc;
  loc.bucket = rest.substr(0, slash);
  if (slash != std::string::npos) loc.key = rest.substr(slash + 1);
  if (loc.bucket.empty()) return std::nullopt;
  return loc;
}

struct S3Client::Prepared {
  HttpCall call;
};

S3Client::S3Client(S3Options options) : options_(std::move(options)) {
  if (options_.endpoint.empty()) {
    options_.endpoint = "https://s3." + options_.region + ".amazonaws.com";
  }
  while (!options_.endpoint.empty() && options_.endpoint.back() == '/')
    options_.endpoint.pop_back();
  if (options_.endpoint.find("://") == std::string::npos) {
    options_.endpoint = "https://" + options_.endpoint;
  }
}

S3Client::Prepared S3Client::prepare(const std::string& method, const S3Location& loc,
                                     const std::vector<std::pair<std::string, std::string>>& query,
                                     const std::string& payload) const {
  size_t scheme_end = options_.endpoint.find("://") + 3;
  std::string scheme = options_.endpoint.substr(0, scheme_end);
  std::string host = options_.endpoint.substr(scheme_end);
  std::string base_path;
  if (size_t slash = host.find('/'); slash != std::string::npos) {
    base_path = host.substr(slash);
    host = host.substr(0, slash);
  }
  std::string path;
  if (options_.path_style) {
    path = base_path + "/" + uri_encode(loc.bucket, false);
    if (!loc.key.empty()) path += "/" + uri_encode(loc.key, true);
  } else {
    host = loc.bucket + "." + host;
    path = base_path + "/" + uri_encode(loc.key, true);
  }
  if (loc.key.empty() && !options_.path_style) path = base_path + "/";
  SigV4Request sig;
  sig.method = method;
  sig.canonical_uri = path;
  sig.query = query;
  sig.payload_sha256 = sha256_hex(payload);
  std::string date = amz_date(std::chrono::duration_cast<std::chrono::seconds>(
                                  std::chrono::system_clock::now().time_since_epoch())
                                  .count());
  sig.headers["host"] = host;
  sig.headers["x-amz-date"] = date;
  sig.headers["x-amz-content-sha256"] = sig.payload_sha256;
  if (!options_.credentials.session_token.empty()) {
    sig.headers["x-amz-security-token"] = options_.credentials.session_token;
  }
  Prepared p;
  std::string q;
  for (const auto& [k, v] : query) {
    q += q.empty() ? "?" : "&";
    q += uri_encode(k, false) + "=" + uri_encode(v, false);
  }
  p.call.method = method;
  p.call.url = scheme + host + path + q;
  for (const auto& [k, v] : sig.headers) {
    if (k != "host") p.call.headers.emplace_back(k, v);
  }
  if (!options_.credentials.access_key_id.empty()) {
    p.call.headers.emplace_back("Authorization", sigv4_authorization(sig, options_.credentials,
                                                                     options_.region, "s3", date));
  }
  p.call.body = payload;
  return p;
}

std::optional<std::string> S3Client::get(const S3Location& loc) const {
  Prepared p = prepare("GET", loc, {}, "");
  HttpResult r = http_call(p.call);
  if (r.status == 404) return std::nullopt;
  if (r.status != 200) {
    throw SourceError(kLakeSourceName, "cannot read " + uri_of(loc) + ": " + describe_error(r),
                      {.file = uri_of(loc)});
  }
  return std::move(r.body);
}

bool S3Client::download(const S3Location& loc, FILE* out) const {
  Prepared p = prepare("GET", loc, {}, "");
  p.call.download_to = out;
  p.call.timeout = std::chrono::minutes(30);
  HttpResult r = http_call(p.call);
  if (r.status == 404) return false;
  if (r.status != 200) {
    throw SourceError(kLakeSourceName,
                      "cannot download " + uri_of(loc) + ": HTTP " + std::to_string(r.status),
                      {.file = uri_of(loc)});
  }
  return true;
}

std::optional<int64_t> S3Client::head(const S3Location& loc) const {
  Prepared p = prepare("HEAD", loc, {}, "");
  HttpResult r = http_call(p.call);
  if (r.status == 404) return std::nullopt;
  if (r.status != 200) {
    throw SourceError(kLakeSourceName,
                      "cannot stat " + uri_of(loc) + ": HTTP " + std::to_string(r.status),
                      {.file = uri_of(loc)});
  }
  const std::string* len = r.header("content-length");
  return len ? std::stoll(*len) : 0;
}

bool S3Client::put(const S3Location& loc, const std::string& body, bool if_none_match) const {
  Prepared p = prepare("PUT", loc, {}, body);
  if (if_none_match) p.call.headers.emplace_back("If-None-Match", "*");
  p.call.timeout = std::chrono::minutes(30);
  HttpResult r = http_call(p.call);
  if (r.status == 412 || r.status == 409) return false;
  if (r.status != 200) {
    throw SourceError(kLakeSourceName, "cannot write " + uri_of(loc) + ": " + describe_error(r),
                      {.file = uri_of(loc)});
  }
  return true;
}

void S3Client::remove(const S3Location& loc) const {
  Prepared p = prepare("DELETE", loc, {}, "");
  HttpResult r = http_call(p.call);
  if (r.status != 204 && r.status != 200 && r.status != 404) {
    throw SourceError(kLakeSourceName, "cannot delete " + uri_of(loc) + ": " + describe_error(r),
                      {.file = uri_of(loc)});
  }
}

std::vector<std::string> S3Client::list(const std::string& bucket, const std::string& prefix,
                                        bool delimited) const {
  if (delimited) {
    std::vector<std::string> out = list_page(bucket, prefix, true);
    if (!out.empty()) return out;
    // Some S3 fakes (s3rver) return no common prefixes for delimited
    // listings: derive the next level from a full listing.
    std::vector<std::string> levels;
    for (const std::string& key : list_page(bucket, prefix, false)) {
      std::string rest = key.substr(prefix.size());
      size_t slash = rest.find('/');
      std::string entry = prefix + (slash == std::string::npos ? rest : rest.substr(0, slash + 1));
      if (levels.empty() || levels.back() != entry) {
        if (std::find(levels.begin(), levels.end(), entry) == levels.end()) levels.push_back(entry);
      }
    }
    return levels;
  }
  return list_page(bucket, prefix, false);
}

std::vector<std::string> S3Client::list_page(const std::string& bucket, const std::string& prefix,
                                             bool delimited) const {
  std::vector<std::string> out;
  std::string token;
  for (int page = 0; page < 10'000; ++page) {
    std::vector<std::pair<std::string, std::string>> q = {{"list-type", "2"}, {"prefix", prefix}};
    if (delimited) q.emplace_back("delimiter", "/");
    if (!token.empty()) q.emplace_back("continuation-token", token);
    Prepared p = prepare("GET", S3Location{bucket, ""}, q, "");
    HttpResult r = http_call(p.call);
    if (r.status != 200) {
      throw SourceError(kLakeSourceName,
                        "cannot list s3://" + bucket + "/" + prefix + ": " + describe_error(r));
    }
    size_t pos = 0;
    for (;;) {
      size_t start = r.body.find("<Contents>", pos);
      if (start == std::string::npos) break;
      size_t kp = start;
      std::string key = xml_text(r.body, "Key", kp);
      if (kp == std::string::npos) break;
      out.push_back(xml_unescape(key));
      pos = kp;
    }
    pos = 0;
    for (;;) {
      size_t start = r.body.find("<CommonPrefixes>", pos);
      if (start == std::string::npos) break;
      size_t kp = start;
      std::string pre = xml_text(r.body, "Prefix", kp);
      if (kp == std::string::npos) break;
      out.push_back(xml_unescape(pre));
      pos = kp;
    }
    size_t tp = 0;
    std::string truncated = xml_text(r.body, "IsTruncated", tp);
    tp = 0;
    token = xml_unescape(xml_text(r.body, "NextContinuationToken", tp));
    if (truncated != "true" || token.empty()) break;
  }
  return out;
}

}  // namespace strata::lake
