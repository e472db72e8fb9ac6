#include "lake/storage/http_client.h"

#include <curl/curl.h>

#include <algorithm>
#include <memory>
#include <mutex>

#include "core/error.h"
#include "lake/lake_error.h"

namespace strata::lake {

namespace {

void init_curl() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct CurlDeleter {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
};
struct SlistDeleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};

struct Upload {
  const std::string* body;
  size_t pos = 0;
};

size_t write_string(char* ptr, size_t size, size_t n, void* user) {
  static_cast<std::string*>(user)->append(ptr, size * n);
  return size * n;
}

size_t write_file(char* ptr, size_t size, size_t n, void* user) {
  return fwrite(ptr, size, n, static_cast<FILE*>(user)) * size;
}

size_t read_body(char* ptr, size_t size, size_t n, void* user) {
  auto* u = static_cast<Upload*>(user);
  size_t left = u->body->size() - u->pos;
  size_t take = std::min(left, size * n);
  std::copy_n(u->body->data() + u->pos, take, ptr);
  u->pos += take;
  return take;
}

size_t on_header(char* ptr, size_t size, size_t n, void* user) {
  std::string line(ptr, size * n);
  size_t colon = line.find(':');
  if (colon != std::string::npos) {
    std::string name = line.substr(0, colon);
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    std::string value = line.substr(colon + 1);
    size_t a = value.find_first_not_of(" \t");
    size_t b = value.find_last_not_of(" \t\r\n");
    value = a == std::string::npos ? "" : value.substr(a, b - a + 1);
    static_cast<HttpResult*>(user)->headers.emplace_back(std::move(name), std::move(value));
  }
  return size * n;
}

}  // namespace

const std::string* HttpResult::header(const std::string& lower_name) const {
  for (const auto& [k, v] : headers) {
    if (k == lower_name) return &v;
  }
  return nullptr;
}

std::string uri_encode(std::string_view s, bool keep_slash) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    bool unreserved = std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~';
    if (unreserved || (keep_slash && c == '/')) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

HttpResult http_call(const HttpCall& call) {
  init_curl();
  std::unique_ptr<CURL, CurlDeleter> curl(curl_easy_init());
  if (!curl) throw SourceError(kLakeSourceName, "cannot start an HTTP request (libcurl)");
  CURL* c = curl.get();
  HttpResult result;
  curl_easy_setopt(c, CURLOPT_URL, call.url.c_str());
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(call.timeout.count()));
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, 10'000L);
  curl_slist* raw_headers = nullptr;
  for (const auto& [k, v] : call.headers)
    raw_headers = curl_slist_append(raw_headers, (k + ": " + v).c_str());
  // libcurl would add these on its own; S3 signatures must see exactly ours.
  raw_headers = curl_slist_append(raw_headers, "Expect:");
  std::unique_ptr<curl_slist, SlistDeleter> headers(raw_headers);
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());
  Upload upload{&call.body};
  if (call.method == "GET") {
    curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
  } else if (call.method == "HEAD") {
    curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
  } else if (call.method == "PUT") {
    curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(c, CURLOPT_READFUNCTION, read_body);
    curl_easy_setopt(c, CURLOPT_READDATA, &upload);
    curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(call.body.size()));
  } else {
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, call.method.c_str());
    if (!call.body.empty() || call.method == "POST") {
      curl_easy_setopt(c, CURLOPT_POSTFIELDS, call.body.data());
      curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(call.body.size()));
    }
  }
  if (call.download_to) {
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, write_file);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, call.download_to);
  } else {
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, write_string);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &result.body);
  }
  curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(c, CURLOPT_HEADERDATA, &result);
  CURLcode rc = curl_easy_perform(c);
  if (rc != CURLE_OK) {
    throw SourceError(kLakeSourceName,
                      call.method + " " + call.url + " failed: " + curl_easy_strerror(rc),
                      {.hint = "check the endpoint, the network and that the server is running"});
  }
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &result.status);
  return result;
}

}  // namespace strata::lake
