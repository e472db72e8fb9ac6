// PendingQuery: waiting, callbacks (once, outside the lock), errors; and the
// ThreadPool the service runs queries on.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "core/error.h"
#include "exec/query_service.h"
#include "exec/thread_pool.h"

namespace strata {
namespace {

using namespace std::chrono_literals;

QueryResult result_with_sql(std::string sql) {
  QueryResult r;
  r.sql = std::move(sql);
  return r;
}

TEST(PendingQuery, NotDoneUntilCompleted) {
  PendingQuery p;
  EXPECT_FALSE(p.done());
  EXPECT_FALSE(p.wait_for(10ms));
  p.complete(result_with_sql("SELECT 1"));
  EXPECT_TRUE(p.done());
  EXPECT_TRUE(p.wait_for(0ms));
  EXPECT_EQ(p.wait().sql, "SELECT 1");
}

TEST(PendingQuery, WaitBlocksUntilAnotherThreadCompletes) {
  PendingQuery p;
  std::thread t([&] {
    std::this_thread::sleep_for(50ms);
    p.complete(result_with_sql("done"));
  });
  EXPECT_EQ(p.wait().sql, "done");
  t.join();
}

TEST(PendingQuery, ManyWaiters) {
  PendingQuery p;
  std::atomic<int> ok{0};
  std::vector<std::thread> waiters;
  for (int i = 0; i < 8; ++i) {
    waiters.emplace_back([&] {
      if (p.wait().sql == "x") ++ok;
    });
  }
  p.complete(result_with_sql("x"));
  for (auto& w : waiters)
    w.join();
  EXPECT_EQ(ok.load(), 8);
}

TEST(PendingQuery, FailRethrowsTheErrorToEveryWaiter) {
  PendingQuery p;
  p.fail(std::make_exception_ptr(SourceError("db", "it broke")));
  EXPECT_TRUE(p.done());
  for (int i = 0; i < 2; ++i) {
    try {
      p.wait();
      FAIL() << "no error";
    } catch (const SourceError& e) {
      EXPECT_EQ(e.message(), "it broke");
      EXPECT_EQ(e.source(), "db");
    }
  }
}

TEST(PendingQuery, CallbacksRunOnceOnTheCompletingThread) {
  PendingQuery p;
  std::atomic<int> calls{0};
  std::thread::id ran_on;
  p.on_done([&] {
    ++calls;
    ran_on = std::this_thread::get_id();
    // Outside the lock: the callback may look at the query.
    EXPECT_TRUE(p.done());
    EXPECT_EQ(p.wait().sql, "r");
  });
  std::thread::id completer;
  std::thread t([&] {
    completer = std::this_thread::get_id();
    p.complete(result_with_sql("r"));
    p.complete(result_with_sql("again"));                    // ignored
    p.fail(std::make_exception_ptr(InternalError("late")));  // ignored
  });
  t.join();
  EXPECT_EQ(calls.load(), 1);
  EXPECT_EQ(ran_on, completer);
  EXPECT_EQ(p.wait().sql, "r");
}

TEST(PendingQuery, CallbackAfterDoneRunsAtOnceOnTheCaller) {
  PendingQuery p;
  p.fail(std::make_exception_ptr(TimeoutError("too slow")));
  bool called = false;
  std::thread::id ran_on;
  p.on_done([&] {
    called = true;
    ran_on = std::this_thread::get_id();
  });
  EXPECT_TRUE(called);
  EXPECT_EQ(ran_on, std::this_thread::get_id());
}

TEST(PendingQuery, EveryCallbackRunsEvenIfOneThrows) {
  PendingQuery p;
  int calls = 0;
  p.on_done([&] {
    ++calls;
    throw std::runtime_error("bad callback");
  });
  p.on_done([&] { ++calls; });
  p.complete(QueryResult{});
  EXPECT_EQ(calls, 2);
}

TEST(ThreadPool, RunsEveryAcceptedTaskBeforeStopping) {
  std::atomic<int> ran{0};
  {
    ThreadPool pool(2);
    EXPECT_EQ(pool.size(), 2u);
    for (int i = 0; i < 100; ++i) {
      ASSERT_TRUE(pool.post([&] {
        std::this_thread::sleep_for(1ms);
        ++ran;
      }));
    }
    pool.stop();
    EXPECT_EQ(ran.load(), 100);
    EXPECT_FALSE(pool.post([&] { ++ran; }));
  }
  EXPECT_EQ(ran.load(), 100);
}

TEST(ThreadPool, UsesAtMostItsWorkers) {
  std::atomic<int> running{0}, peak{0};
  {
    ThreadPool pool(3);
    for (int i = 0; i < 30; ++i) {
      pool.post([&] {
        int now = ++running;
        int seen = peak.load();
        while (now > seen && !peak.compare_exchange_weak(seen, now)) {
        }
        std::this_thread::sleep_for(5ms);
        --running;
      });
    }
  }
  EXPECT_LE(peak.load(), 3);
  EXPECT_GE(peak.load(), 1);
}

TEST(ThreadPool, SurvivesAThrowingTask) {
  std::atomic<int> ran{0};
  {
    ThreadPool pool(1);
    pool.post([] { throw std::runtime_error("boom"); });
    pool.post([&] { ++ran; });
  }
  EXPECT_EQ(ran.load(), 1);
}

}  // namespace
}  // namespace strata
