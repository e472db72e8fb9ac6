#include "api/rest/retry_holdover.h"

#include <algorithm>

namespace strata {

void RetryHoldover::prune_locked(Clock::time_point now) {
  for (auto it = entries_.begin(); it != entries_.end();) {
    if (now - it->second.touched > keep_for_) {
      it = entries_.erase(it);
    } else {
      ++it;
    }
  }
  // Still too many (a flood of distinct slow queries): drop the stalest.
  while (entries_.size() >= max_entries_ && !entries_.empty()) {
    auto oldest = std::min_element(
        entries_.begin(), entries_.end(),
        [](const auto& a, const auto& b) { return a.second.touched < b.second.touched; });
    entries_.erase(oldest);
  }
}

std::shared_ptr<PendingQuery> RetryHoldover::find(const std::string& key) {
  std::lock_guard lock(mu_);
  auto now = now_();
  auto it = entries_.find(key);
  if (it == entries_.end()) return nullptr;
  if (now - it->second.touched > keep_for_) {
    entries_.erase(it);
    return nullptr;
  }
  it->second.touched = now;
  return it->second.query;
}

void RetryHoldover::keep(const std::string& key, std::shared_ptr<PendingQuery> query) {
  std::lock_guard lock(mu_);
  auto now = now_();
  auto it = entries_.find(key);
  if (it != entries_.end()) {
    it->second = Entry{std::move(query), now};
    return;
  }
  prune_locked(now);
  entries_.emplace(key, Entry{std::move(query), now});
}

void RetryHoldover::release(const std::string& key, const PendingQuery* query) {
  std::lock_guard lock(mu_);
  auto it = entries_.find(key);
  if (it != entries_.end() && it->second.query.get() == query) entries_.erase(it);
}

size_t RetryHoldover::size() const {
  std::lock_guard lock(mu_);
  return entries_.size();
}

}  // namespace strata
