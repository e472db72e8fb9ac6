#include "source/deadline_timer.h"

#include <vector>

namespace strata {

DeadlineTimer::DeadlineTimer() : thread_([this](std::stop_token st) { loop(st); }) {}

DeadlineTimer::Key DeadlineTimer::add(Clock::time_point at, std::function<void()> fn) {
  std::lock_guard lock(mu_);
  Key key{at, next_id_++};
  bool earliest = entries_.empty() || key < entries_.begin()->first;
  entries_.emplace(key, std::move(fn));
  if (earliest) cv_.notify_all();
  return key;
}

void DeadlineTimer::remove(const Key& key) {
  std::lock_guard lock(mu_);
  entries_.erase(key);
}

void DeadlineTimer::loop(std::stop_token st) {
  std::unique_lock lock(mu_);
  while (!st.stop_requested()) {
    if (entries_.empty()) {
      cv_.wait(lock, st, [&] { return !entries_.empty(); });
      continue;
    }
    Clock::time_point first = entries_.begin()->first.first;
    if (Clock::now() < first) {
      cv_.wait_until(lock, st, first,
                     [&] { return entries_.empty() || entries_.begin()->first.first < first; });
      continue;
    }
    std::vector<std::function<void()>> due;
    auto now = Clock::now();
    while (!entries_.empty() && entries_.begin()->first.first <= now) {
      due.push_back(std::move(entries_.begin()->second));
      entries_.erase(entries_.begin());
    }
    lock.unlock();
    for (auto& fn : due) fn();
    lock.lock();
  }
}

}  // namespace strata
