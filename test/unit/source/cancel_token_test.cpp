// CancelToken: each registered interrupt runs exactly once, whichever of
// cancel() and on_cancel() comes first.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "source/source.h"

namespace strata {
namespace {

TEST(CancelToken, CallsRegisteredInterruptsOnce) {
  CancelToken token;
  int calls = 0;
  int id = token.on_cancel([&] { ++calls; });
  EXPECT_FALSE(token.cancelled());
  token.cancel();
  token.cancel();
  EXPECT_TRUE(token.cancelled());
  EXPECT_EQ(calls, 1);
  token.unregister(id);
}

TEST(CancelToken, AlreadyCancelledCallsAtOnce) {
  CancelToken token;
  token.cancel();
  int calls = 0;
  token.on_cancel([&] { ++calls; });
  EXPECT_EQ(calls, 1);
}

TEST(CancelToken, UnregisteredInterruptsAreNotCalled) {
  CancelToken token;
  int calls = 0;
  int id = token.on_cancel([&] { ++calls; });
  token.unregister(id);
  token.cancel();
  EXPECT_EQ(calls, 0);
}

TEST(CancelToken, ExactlyOnceWhenRacing) {
  for (int i = 0; i < 2000; ++i) {
    CancelToken token;
    std::atomic<int> calls{0};
    std::thread canceller([&] { token.cancel(); });
    token.on_cancel([&] { ++calls; });
    canceller.join();
    ASSERT_EQ(calls.load(), 1) << "iteration " << i;
  }
}

}  // namespace
}  // namespace strata
