// ThreadPool: a fixed set of worker threads running queued tasks in FIFO
// order. The query service runs queries on it so that the threads that accept
// requests never wait on a database.
//
// Thread-safety: post() may be called from any thread. Tasks must not throw
// (an escaping exception is logged and swallowed so the worker survives).
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace strata {

class ThreadPool {
 public:
  // Starts `threads` workers (at least one).
  explicit ThreadPool(int threads);
  // stop(), then joins the workers.
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  // Queues `task`. Returns false, without queueing it, once stop() has begun.
  bool post(std::function<void()> task);
  // Stops accepting tasks and waits until every task already accepted (queued
  // or running) has finished. Idempotent; must not be called from a task.
  void stop();

  size_t size() const { return workers_.size(); }
  // Tasks waiting for a worker (not counting those running).
  size_t queued() const;

 private:
  void work();

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> tasks_;
  bool stopping_ = false;
  std::once_flag joined_;
  std::vector<std::thread> workers_;
};

}  // namespace strata
