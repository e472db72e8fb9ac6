// ConnectionPool<C>: the bounded pool of the client-server sources
// (PostgreSQL, MariaDB). A query checks one connection out for its whole
// run and gives it back, or discards it when its state is unknown (a
// cancel, a lost connection). Idle connections are closed after
// idle_timeout, and checked with the `usable` hook before reuse (a server
// that restarted or ended the session has closed it). Connections are
// opened and closed outside the lock.
//
// Thread-safe. The pool must outlive its leases; C is the source's own
// connection type, which the pool owns while it is idle.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <utility>
#include <vector>

namespace strata {

struct PoolStats {
  int open = 0;           // connections open now (idle + in use)
  int idle = 0;           // of which idle
  int64_t opened = 0;     // connections opened since the start
  int64_t discarded = 0;  // connections closed because broken, cancelled or abandoned
};

template <typename C>
class ConnectionPool {
 public:
  using Clock = std::chrono::steady_clock;

  struct Hooks {
    std::function<std::unique_ptr<C>()> open;  // a new connection; throws SourceError
    std::function<bool(C&)> usable;            // may an idle one run a query (no lock held)
    std::function<bool(C&)> reusable;          // may a returned one be kept (lock held: be quick)
  };

  ConnectionPool(int max_connections, std::chrono::milliseconds idle_timeout, Hooks hooks)
      : max_(max_connections), idle_timeout_(idle_timeout), hooks_(std::move(hooks)) {}
  ConnectionPool(const ConnectionPool&) = delete;
  ConnectionPool& operator=(const ConnectionPool&) = delete;

  int max_connections() const { return max_; }

  // A connection for one query: an idle usable one, or a new one while
  // fewer than max_connections are open. nullptr when none frees up before
  // `deadline`. Throws what hooks.open throws.
  std::unique_ptr<C> acquire(Clock::time_point deadline) {
    std::unique_lock lock(mu_);
    for (;;) {
      std::vector<std::unique_ptr<C>> expired;
      Clock::time_point now = Clock::now();
      for (auto it = idle_.begin(); it != idle_.end();) {
        if (now - it->since > idle_timeout_) {
          expired.push_back(std::move(it->c));
          it = idle_.erase(it);
        } else {
          ++it;
        }
      }
      if (!expired.empty()) {  // closed outside the lock
        lock.unlock();
        expired.clear();
        lock.lock();
      }
      while (!idle_.empty()) {
        std::unique_ptr<C> c = std::move(idle_.back().c);
        idle_.pop_back();
        ++busy_;
        lock.unlock();
        if (!hooks_.usable || hooks_.usable(*c)) return c;
        c.reset();
        lock.lock();
        --busy_;
        ++discarded_;
      }
      if (busy_ + static_cast<int>(idle_.size()) < max_) {
        ++busy_;
        lock.unlock();
        std::unique_ptr<C> fresh;
        try {
          fresh = hooks_.open();
        } catch (...) {
          lock.lock();
          --busy_;
          cv_.notify_one();
          throw;
        }
        lock.lock();
        ++opened_;
        return fresh;
      }
      if (cv_.wait_until(lock, deadline) == std::cv_status::timeout) {
        if (!idle_.empty() || busy_ < max_) continue;
        return nullptr;
      }
    }
  }

  // Gives `c` back: kept when `reusable` (and hooks.reusable agrees), else closed.
  void release(std::unique_ptr<C> c, bool reusable) {
    std::unique_ptr<C> drop;
    {
      std::lock_guard lock(mu_);
      --busy_;
      if (reusable && c && (!hooks_.reusable || hooks_.reusable(*c))) {
        idle_.push_back({std::move(c), Clock::now()});
      } else {
        if (c) ++discarded_;
        drop = std::move(c);
      }
    }
    cv_.notify_one();
  }

  PoolStats stats() const {
    std::lock_guard lock(mu_);
    PoolStats s;
    s.idle = static_cast<int>(idle_.size());
    s.open = s.idle + busy_;
    s.opened = opened_;
    s.discarded = discarded_;
    return s;
  }

  // A checked-out connection, given back when the lease ends.
  class Lease {
   public:
    Lease(ConnectionPool& pool, std::unique_ptr<C> c) : pool_(pool), c_(std::move(c)) {}
    ~Lease() { pool_.release(std::move(c_), reusable_); }
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    C* operator->() const { return c_.get(); }
    // Close it instead of keeping it: its session state is unknown.
    void discard() { reusable_ = false; }
    bool discarded() const { return !reusable_; }

   private:
    ConnectionPool& pool_;
    std::unique_ptr<C> c_;
    bool reusable_ = true;
  };

 private:
  struct Idle {
    std::unique_ptr<C> c;
    Clock::time_point since;
  };

  const int max_;
  const std::chrono::milliseconds idle_timeout_;
  const Hooks hooks_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Idle> idle_;
  int busy_ = 0;  // checked out or being opened
  int64_t opened_ = 0;
  int64_t discarded_ = 0;
};

}  // namespace strata
