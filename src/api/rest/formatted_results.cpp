#include "api/rest/formatted_results.h"

namespace strata {

FormattedResults::FormattedResults(size_t max_bytes) : max_bytes_(max_bytes) {}

void FormattedResults::erase(std::list<Entry>::iterator it) {
  bytes_ -= it->bytes;
  index_.erase(it->key);
  lru_.erase(it);
}

std::shared_ptr<const std::string> FormattedResults::get(const std::string& key) {
  std::lock_guard lock(mu_);
  auto it = index_.find(key);
  if (it == index_.end()) return nullptr;
  lru_.splice(lru_.begin(), lru_, it->second);
  return it->second->text;
}

void FormattedResults::put(const std::string& key, std::shared_ptr<const std::string> text) {
  if (!text) return;
  size_t bytes = text->size() + 2 * key.size() + 128;
  if (bytes > max_bytes_ / 4) return;
  std::lock_guard lock(mu_);
  if (auto it = index_.find(key); it != index_.end()) erase(it->second);
  lru_.push_front(Entry{key, std::move(text), bytes});
  index_[key] = lru_.begin();
  bytes_ += bytes;
  while (bytes_ > max_bytes_ && !lru_.empty()) erase(std::prev(lru_.end()));
}

size_t FormattedResults::bytes() const {
  std::lock_guard lock(mu_);
  return bytes_;
}

}  // namespace strata
