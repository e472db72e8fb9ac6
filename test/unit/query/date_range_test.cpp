// Relative date ranges, resolved at a pinned query time. Expected bounds are
// worked out by hand from the calendar: 2024-05-15 is a Wednesday, so its week
// began on Monday 2024-05-13; its quarter began on 2024-04-01.
#include <gtest/gtest.h>

#include "query_test_util.h"

namespace strata::test {
namespace {

DateRange resolve(std::string_view phrase, std::string_view zone = "UTC", int64_t now = kNow) {
  return resolve_relative_date_range(phrase, *TimeZone::load(zone), now, "dateRange");
}

UserError resolve_error(std::string_view phrase) {
  try {
    resolve(phrase);
  } catch (const UserError& e) {
    return e;
  }
  ADD_FAILURE() << "resolved without an error: " << phrase;
  return UserError("(no error)");
}

TEST(RelativeRange, Days) {
  EXPECT_EQ(resolve("today"), range(at(2024, 5, 15), at(2024, 5, 16)));
  EXPECT_EQ(resolve("yesterday"), range(at(2024, 5, 14), at(2024, 5, 15)));
  EXPECT_EQ(resolve("tomorrow"), range(at(2024, 5, 16), at(2024, 5, 17)));
}

TEST(RelativeRange, ThisLastNextPeriod) {
  EXPECT_EQ(resolve("this week"), range(at(2024, 5, 13), at(2024, 5, 20)));
  EXPECT_EQ(resolve("last week"), range(at(2024, 5, 6), at(2024, 5, 13)));
  EXPECT_EQ(resolve("next week"), range(at(2024, 5, 20), at(2024, 5, 27)));
  EXPECT_EQ(resolve("this month"), range(at(2024, 5, 1), at(2024, 6, 1)));
  EXPECT_EQ(resolve("last month"), range(at(2024, 4, 1), at(2024, 5, 1)));
  EXPECT_EQ(resolve("next month"), range(at(2024, 6, 1), at(2024, 7, 1)));
  EXPECT_EQ(resolve("this quarter"), range(at(2024, 4, 1), at(2024, 7, 1)));
  EXPECT_EQ(resolve("last quarter"), range(at(2024, 1, 1), at(2024, 4, 1)));
  EXPECT_EQ(resolve("next quarter"), range(at(2024, 7, 1), at(2024, 10, 1)));
  EXPECT_EQ(resolve("this year"), range(at(2024, 1, 1), at(2025, 1, 1)));
  EXPECT_EQ(resolve("last year"), range(at(2023, 1, 1), at(2024, 1, 1)));
  EXPECT_EQ(resolve("next year"), range(at(2025, 1, 1), at(2026, 1, 1)));
  EXPECT_EQ(resolve("this day"), range(at(2024, 5, 15), at(2024, 5, 16)));
  EXPECT_EQ(resolve("this hour"), range(at(2024, 5, 15, 13), at(2024, 5, 15, 14)));
  EXPECT_EQ(resolve("last minute"), range(at(2024, 5, 15, 13, 44), at(2024, 5, 15, 13, 45)));
}

// "last N units": the N whole units before the current one (today excluded),
// as Cube does; "next N units": the N after it.
TEST(RelativeRange, LastAndNextN) {
  EXPECT_EQ(resolve("last 7 days"), range(at(2024, 5, 8), at(2024, 5, 15)));
  EXPECT_EQ(resolve("last 1 day"), range(at(2024, 5, 14), at(2024, 5, 15)));
  EXPECT_EQ(resolve("next 7 days"), range(at(2024, 5, 16), at(2024, 5, 23)));
  EXPECT_EQ(resolve("last 2 weeks"), range(at(2024, 4, 29), at(2024, 5, 13)));
  EXPECT_EQ(resolve("last 3 months"), range(at(2024, 2, 1), at(2024, 5, 1)));
  EXPECT_EQ(resolve("next 2 months"), range(at(2024, 6, 1), at(2024, 8, 1)));
  EXPECT_EQ(resolve("last 2 quarters"), range(at(2023, 10, 1), at(2024, 4, 1)));
  EXPECT_EQ(resolve("last 2 years"), range(at(2022, 1, 1), at(2024, 1, 1)));
  EXPECT_EQ(resolve("last 6 hours"), range(at(2024, 5, 15, 7), at(2024, 5, 15, 13)));
  EXPECT_EQ(resolve("last 365 days"), range(at(2023, 5, 16), at(2024, 5, 15)));  // 2024 is leap
}

// "from X to Y": both ends rounded out to whole days, or to the finest of
// hours/minutes/seconds the phrase names; explicit timestamps are exact.
TEST(RelativeRange, FromTo) {
  EXPECT_EQ(resolve("from 7 days ago to now"), range(at(2024, 5, 8), at(2024, 5, 16)));
  EXPECT_EQ(resolve("from 3 months ago to now"), range(at(2024, 2, 15), at(2024, 5, 16)));
  EXPECT_EQ(resolve("from 2 weeks ago to now"), range(at(2024, 5, 1), at(2024, 5, 16)));
  EXPECT_EQ(resolve("from 2 hours ago to now"), range(at(2024, 5, 15, 11), at(2024, 5, 15, 14)));
  EXPECT_EQ(resolve("from 30 minutes ago to now"),
            range(at(2024, 5, 15, 13, 15), at(2024, 5, 15, 13, 46)));
  EXPECT_EQ(resolve("from 2024-01-01 to 2024-03-01"), range(at(2024, 1, 1), at(2024, 3, 2)));
  EXPECT_EQ(resolve("from 2024-01-01 to now"), range(at(2024, 1, 1), at(2024, 5, 16)));
  EXPECT_EQ(resolve("from yesterday to tomorrow"), range(at(2024, 5, 14), at(2024, 5, 17)));
  EXPECT_EQ(resolve("from 2 days ago to 3 days from now"), range(at(2024, 5, 13), at(2024, 5, 19)));
  EXPECT_EQ(resolve("from today to 1 week from now"), range(at(2024, 5, 15), at(2024, 5, 23)));
  EXPECT_EQ(resolve("from 2024-05-01T08:30:00 to 2024-05-02 17:00"),
            range(at(2024, 5, 1, 8, 30), at(2024, 5, 2, 17, 1)));
}

TEST(RelativeRange, SingleDatesAndTimestamps) {
  EXPECT_EQ(resolve("2024-01-05"), range(at(2024, 1, 5), at(2024, 1, 6)));
  // A timestamp covers its written precision.
  EXPECT_EQ(resolve("2024-01-05T10:00"), range(at(2024, 1, 5, 10), at(2024, 1, 5, 10, 1)));
  EXPECT_EQ(resolve("2024-01-05T10:00:00"), range(at(2024, 1, 5, 10), at(2024, 1, 5, 10, 0, 1)));
  EXPECT_EQ(resolve("2024-01-05T10:00:00.999"),
            range(at(2024, 1, 5, 10, 0, 0, 999000), at(2024, 1, 5, 10, 0, 1)));
  // An instant is read on the query's wall clock: 10:00Z is 05:00 in New York in January.
  EXPECT_EQ(resolve("2024-01-05T10:00:00Z", "America/New_York"),
            range(at(2024, 1, 5, 5), at(2024, 1, 5, 5, 0, 1)));
}

TEST(RelativeRange, CaseAndSpacing) {
  EXPECT_EQ(resolve("Last 7 Days"), range(at(2024, 5, 8), at(2024, 5, 15)));
  EXPECT_EQ(resolve("  last   7\tdays "), range(at(2024, 5, 8), at(2024, 5, 15)));
  EXPECT_EQ(resolve("TODAY"), range(at(2024, 5, 15), at(2024, 5, 16)));
  EXPECT_EQ(resolve("last 1 month"), range(at(2024, 4, 1), at(2024, 5, 1)));
  EXPECT_EQ(resolve("This Quarter"), range(at(2024, 4, 1), at(2024, 7, 1)));
}

// In a zone west of UTC "today" can still be yesterday in UTC.
TEST(RelativeRange, QueryTimezone) {
  // 2024-05-15 03:00 UTC is 2024-05-14 20:00 in Los Angeles (PDT, UTC-7).
  const int64_t now = at(2024, 5, 15, 3);
  EXPECT_EQ(resolve("today", "UTC", now), range(at(2024, 5, 15), at(2024, 5, 16)));
  EXPECT_EQ(resolve("today", "America/Los_Angeles", now), range(at(2024, 5, 14), at(2024, 5, 15)));
  EXPECT_EQ(resolve("last 7 days", "America/Los_Angeles", now),
            range(at(2024, 5, 7), at(2024, 5, 14)));
  // 2024-05-15 20:00 UTC is already 2024-05-16 05:00 in Tokyo (UTC+9).
  EXPECT_EQ(resolve("yesterday", "Asia/Tokyo", at(2024, 5, 15, 20)),
            range(at(2024, 5, 15), at(2024, 5, 16)));
  // 2024-06-01 02:00 UTC is still May in New York (22:00 EDT on May 31).
  EXPECT_EQ(resolve("this month", "America/New_York", at(2024, 6, 1, 2)),
            range(at(2024, 5, 1), at(2024, 6, 1)));
  // Kolkata (+5:30): 2024-03-31 19:00 UTC is 2024-04-01 00:30, a new quarter.
  EXPECT_EQ(resolve("last quarter", "Asia/Kolkata", at(2024, 3, 31, 19)),
            range(at(2024, 1, 1), at(2024, 4, 1)));
}

TEST(RelativeRange, WeekStartsMonday) {
  // Monday 2024-05-13 00:30 UTC: its own week.
  EXPECT_EQ(resolve("this week", "UTC", at(2024, 5, 13, 0, 30)),
            range(at(2024, 5, 13), at(2024, 5, 20)));
  // Sunday 2024-05-19 23:59: still the week of the 13th.
  EXPECT_EQ(resolve("this week", "UTC", at(2024, 5, 19, 23, 59)),
            range(at(2024, 5, 13), at(2024, 5, 20)));
}

TEST(RelativeRange, Errors) {
  for (const char* bad : {"", "the other day", "last seven days", "last 7 fortnights", "this",
                          "from yesterday", "from to now", "next -2 days",
                          "from 3 lightyears ago to now", "2024-02-30", "last 99999999 days"}) {
    UserError e = resolve_error(bad);
    EXPECT_NE(e.message().find("cannot understand the date range"), std::string::npos)
        << bad << ": " << e.message();
    EXPECT_EQ(e.context().json_path, "dateRange");
    EXPECT_NE(e.context().hint.find("last 7 days"), std::string::npos);
  }
  UserError zero = resolve_error("last 0 days");
  EXPECT_NE(zero.message().find("at least 1"), std::string::npos);
  UserError backwards = resolve_error("from now to 3 days ago");
  EXPECT_NE(backwards.message().find("impossible"), std::string::npos);
  UserError backwards_dates = resolve_error("from 2024-02-01 to 2024-01-01");
  EXPECT_NE(backwards_dates.message().find("impossible"), std::string::npos);
}

}  // namespace
}  // namespace strata::test
