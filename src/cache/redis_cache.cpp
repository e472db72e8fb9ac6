#include "cache/redis_cache.h"

#include <openssl/evp.h>
#include <spdlog/spdlog.h>

#include "cache/result_codec.h"
#include "core/error.h"
#include "core/time.h"

namespace strata {

std::string sha256_hex(std::string_view text) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(text.data(), text.size(), digest, &len, EVP_sha256(), nullptr);
  static const char* kHex = "0123456789abcdef";
  std::string out;
  out.reserve(len * 2);
  for (unsigned int i = 0; i < len; ++i) {
    out += kHex[digest[i] >> 4];
    out += kHex[digest[i] & 15];
  }
  return out;
}

RedisCache::RedisCache(std::shared_ptr<RedisClient> client, std::string prefix)
    : client_(std::move(client)), prefix_(std::move(prefix)) {}

std::string RedisCache::redis_key(const std::string& key) const {
  return prefix_ + sha256_hex(key);
}

void RedisCache::warn(const std::string& what) {
  int64_t now = now_utc_micros();
  int64_t last = last_warning_.load();
  if (now - last < 30 * kMicrosPerSecond) return;
  if (!last_warning_.compare_exchange_strong(last, now)) return;
  spdlog::warn("result cache: {}; answering without the shared cache", what);
}

std::shared_ptr<const CachedResult> RedisCache::get(const std::string& key) {
  try {
    RedisClient::Reply r = client_->command({"GET", redis_key(key)});
    if (r.kind != RedisClient::Reply::Kind::kString) return nullptr;
    auto decoded = decode_result(r.text);
    if (!decoded) warn("a cached entry in Redis is corrupt or of another version (ignored)");
    return decoded;
  } catch (const Error& e) {
    warn(e.message());
    return nullptr;
  } catch (const std::exception& e) {
    warn(e.what());
    return nullptr;
  }
}

void RedisCache::put(const std::string& key, std::shared_ptr<const CachedResult> value,
                     std::chrono::milliseconds ttl) {
  if (!value) return;
  try {
    client_->command({"SET", redis_key(key), encode_result(*value), "PX",
                      std::to_string(std::max<int64_t>(ttl.count(), 1))});
  } catch (const Error& e) {
    warn(e.message());
  } catch (const std::exception& e) {
    warn(e.what());
  }
}

}  // namespace strata
