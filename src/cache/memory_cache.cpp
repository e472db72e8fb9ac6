#include "cache/memory_cache.h"

#include "cache/result_codec.h"

namespace strata {

MemoryCache::MemoryCache(size_t max_bytes) : max_bytes_(max_bytes) {}

void MemoryCache::erase(std::list<Entry>::iterator it) {
  stats_.bytes -= it->bytes;
  index_.erase(it->key);
  lru_.erase(it);
}

std::shared_ptr<const CachedResult> MemoryCache::get(const std::string& key) {
  std::lock_guard lock(mu_);
  auto it = index_.find(key);
  if (it == index_.end()) {
    ++stats_.misses;
    return nullptr;
  }
  if (Clock::now() >= it->second->expires) {
    erase(it->second);
    ++stats_.misses;
    return nullptr;
  }
  lru_.splice(lru_.begin(), lru_, it->second);
  ++stats_.hits;
  return it->second->value;
}

void MemoryCache::put(const std::string& key, std::shared_ptr<const CachedResult> value,
                      std::chrono::milliseconds ttl) {
  if (!value) return;
  size_t bytes = estimate_bytes(*value) + 2 * key.size() + 128;
  if (bytes > max_bytes_ / 4) return;  // would push out too much else
  std::lock_guard lock(mu_);
  if (auto it = index_.find(key); it != index_.end()) erase(it->second);
  lru_.push_front(Entry{key, std::move(value), bytes, Clock::now() + ttl});
  index_[key] = lru_.begin();
  stats_.bytes += bytes;
  while (stats_.bytes > max_bytes_ && !lru_.empty()) {
    erase(std::prev(lru_.end()));
    ++stats_.evictions;
  }
}

MemoryCache::Stats MemoryCache::stats() const {
  std::lock_guard lock(mu_);
  Stats s = stats_;
  s.entries = lru_.size();
  return s;
}

}  // namespace strata
