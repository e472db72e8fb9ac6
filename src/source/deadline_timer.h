// DeadlineTimer: one thread that runs callbacks at their deadlines, for the
// sources that stop queries from outside the query's thread (a DuckDB
// interrupt, a MariaDB KILL QUERY or socket shutdown). DeadlineGuard removes
// a callback that is no longer due when its scope ends. Thread-safe; a
// callback runs on the timer's thread, outside its lock, at most once.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <stop_token>
#include <thread>
#include <utility>

namespace strata {

class DeadlineTimer {
 public:
  using Clock = std::chrono::steady_clock;
  using Key = std::pair<Clock::time_point, uint64_t>;

  DeadlineTimer();
  ~DeadlineTimer() = default;  // stops and joins the thread; pending callbacks never run
  DeadlineTimer(const DeadlineTimer&) = delete;
  DeadlineTimer& operator=(const DeadlineTimer&) = delete;

  // Runs `fn` at `at` (or soon after) unless removed first.
  Key add(Clock::time_point at, std::function<void()> fn);
  void remove(const Key& key);

 private:
  void loop(std::stop_token st);

  std::mutex mu_;
  std::condition_variable_any cv_;
  std::map<Key, std::function<void()>> entries_;
  uint64_t next_id_ = 0;
  std::jthread thread_;  // last: stopped and joined before the rest is destroyed
};

class DeadlineGuard {
 public:
  DeadlineGuard(DeadlineTimer& timer, DeadlineTimer::Clock::time_point at, std::function<void()> fn)
      : timer_(timer), key_(timer.add(at, std::move(fn))) {}
  ~DeadlineGuard() { timer_.remove(key_); }
  DeadlineGuard(const DeadlineGuard&) = delete;
  DeadlineGuard& operator=(const DeadlineGuard&) = delete;

 private:
  DeadlineTimer& timer_;
  DeadlineTimer::Key key_;
};

}  // namespace strata
