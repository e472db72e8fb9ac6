// strata.yml settings that have no end-to-end test of their own: read from a
// real file, and a malformed value is a UserError naming the file, line and key.
#include "app/config.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "core/error.h"

namespace strata {
namespace {

std::filesystem::path write_config(const std::string& text) {
  auto path =
      std::filesystem::temp_directory_path() /
      ("strata-config-test-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
       "-" + ::testing::UnitTest::GetInstance()->current_test_info()->name() + ".yml");
  std::ofstream(path) << text;
  return path;
}

TEST(Config, PreAggregationMemoryBudget) {
  EXPECT_EQ(Config{}.pre_aggregations.memory_bytes, size_t{256} << 20);  // the documented default
  auto path = write_config("pre_aggregations:\n  memory: 64MB\n");
  EXPECT_EQ(load_config(path).pre_aggregations.memory_bytes, size_t{64} << 20);
  std::filesystem::remove(path);
  path = write_config("pre_aggregations:\n  memory: 0\n");
  EXPECT_EQ(load_config(path).pre_aggregations.memory_bytes, 0u);
  std::filesystem::remove(path);
}

TEST(Config, DurationsTakeMillisecondsToDays) {
  EXPECT_EQ(parse_duration("500ms", "x").count(), 500);
  EXPECT_EQ(parse_duration("10", "x").count(), 10'000);
  EXPECT_EQ(parse_duration("2m", "x").count(), 120'000);
  EXPECT_EQ(parse_duration("1h", "x").count(), 3'600'000);
  EXPECT_EQ(parse_duration("30d", "x").count(), 30LL * 24 * 3'600'000);  // scripts/demo's token
  try {
    parse_duration("3 weeks", "--expires-in");
    FAIL() << "accepted '3 weeks'";
  } catch (const UserError& e) {
    EXPECT_NE(std::string(e.what()).find("--expires-in: '3 weeks' is not a duration"),
              std::string::npos)
        << e.what();
  }
}

TEST(Config, AMalformedMemoryBudgetNamesTheKey) {
  auto path = write_config("pre_aggregations:\n  dir: x\n  memory: lots\n");
  try {
    load_config(path);
    FAIL() << "accepted 'lots'";
  } catch (const UserError& e) {
    std::string what = e.what();
    EXPECT_NE(what.find("pre_aggregations.memory"), std::string::npos) << what;
    EXPECT_NE(what.find("'lots' is not a size"), std::string::npos) << what;
  }
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace strata
