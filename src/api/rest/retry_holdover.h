// Keeps the queries a client was told to "Continue wait" for, so that its
// retry of the same request finds the same query even when it finished in
// the short gap between the answer and the retry (QueryService only
// deduplicates queries still in flight). An entry lives while the client
// keeps polling: each lookup refreshes it, and it is dropped `keep_for`
// after the last one, or once a retry has been served its finished result.
// Thread-safe.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <string>

namespace strata {

class PendingQuery;

class RetryHoldover {
 public:
  using Clock = std::chrono::steady_clock;

  explicit RetryHoldover(std::chrono::milliseconds keep_for, size_t max_entries = 4096)
      : keep_for_(keep_for), max_entries_(max_entries) {}

  // The query kept under `key`, or nullptr. Refreshes the entry.
  std::shared_ptr<PendingQuery> find(const std::string& key);
  void keep(const std::string& key, std::shared_ptr<PendingQuery> query);
  // Drops `key` if it still holds `query` (after its result was delivered).
  void release(const std::string& key, const PendingQuery* query);

  size_t size() const;
  // For tests: the clock the expiry is measured with.
  void set_clock_for_testing(Clock::time_point (*now)()) { now_ = now; }

 private:
  struct Entry {
    std::shared_ptr<PendingQuery> query;
    Clock::time_point touched;
  };
  void prune_locked(Clock::time_point now);

  std::chrono::milliseconds keep_for_;
  size_t max_entries_;
  Clock::time_point (*now_)() = &Clock::now;
  mutable std::mutex mu_;
  std::map<std::string, Entry> entries_;
};

}  // namespace strata
