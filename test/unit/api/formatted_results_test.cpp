// FormattedResults: a least recently used list of formatted answers,
// bounded in bytes.
#include "api/rest/formatted_results.h"

#include <gtest/gtest.h>

namespace strata {
namespace {

std::shared_ptr<const std::string> text(size_t n, char c) {
  return std::make_shared<const std::string>(n, c);
}

TEST(FormattedResults, KeepsWhatFitsAndEvictsTheLeastRecentlyUsed) {
  // Each entry costs its text + twice its key + 128 bytes: 1000 + 2 + 128.
  FormattedResults memo(4 * 1130);
  memo.put("a", text(1000, 'a'));
  memo.put("b", text(1000, 'b'));
  memo.put("c", text(1000, 'c'));
  ASSERT_TRUE(memo.get("a"));  // a is now the most recently used
  memo.put("d", text(1000, 'd'));
  memo.put("e", text(1000, 'e'));  // over the bound: b, the least recently used, goes
  EXPECT_FALSE(memo.get("b"));
  EXPECT_EQ(*memo.get("a"), std::string(1000, 'a'));
  EXPECT_TRUE(memo.get("c"));
  EXPECT_TRUE(memo.get("e"));
  EXPECT_LE(memo.bytes(), 4u * 1130);
}

TEST(FormattedResults, ReplacesAndRefusesOversizedText) {
  FormattedResults memo(4000);
  memo.put("k", text(10, 'x'));
  memo.put("k", text(20, 'y'));
  EXPECT_EQ(*memo.get("k"), std::string(20, 'y'));
  EXPECT_EQ(memo.bytes(), 20u + 2 + 128);
  memo.put("big", text(1001, 'z'));  // over a quarter of the bound
  EXPECT_FALSE(memo.get("big"));
  EXPECT_FALSE(memo.get("missing"));
}

}  // namespace
}  // namespace strata
