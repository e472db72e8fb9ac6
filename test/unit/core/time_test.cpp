// Civil calendar helpers, ISO parsing/formatting and IANA time zones. Every
// expected value is worked out by hand (calendar facts noted next to them).
#include "core/time.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "core/error.h"

namespace strata {
namespace {

int64_t at(int y, int mo, int d, int h = 0, int mi = 0, int s = 0, int us = 0) {
  return micros_from_civil({y, mo, d, h, mi, s, us});
}

// ---------------------------------------------------------------- civil

TEST(Civil, DaysFromCivilKnownDays) {
  EXPECT_EQ(days_from_civil(1970, 1, 1), 0);
  EXPECT_EQ(days_from_civil(1969, 12, 31), -1);
  EXPECT_EQ(days_from_civil(2000, 3, 1), 11017);  // 30 years of 365 + 7 leap days + 59 + 1
  EXPECT_EQ(days_from_civil(2024, 1, 1), 19723);
}

TEST(Civil, RoundTripsThroughMicros) {
  CivilTime t = civil_from_micros(at(2024, 2, 29, 23, 59, 58, 999999));
  EXPECT_EQ(t.year, 2024);
  EXPECT_EQ(t.month, 2);
  EXPECT_EQ(t.day, 29);
  EXPECT_EQ(t.hour, 23);
  EXPECT_EQ(t.minute, 59);
  EXPECT_EQ(t.second, 58);
  EXPECT_EQ(t.micros, 999999);
  CivilTime before_epoch = civil_from_micros(-1);
  EXPECT_EQ(before_epoch.year, 1969);
  EXPECT_EQ(before_epoch.second, 59);
  EXPECT_EQ(before_epoch.micros, 999999);
}

TEST(Civil, ValidDates) {
  EXPECT_TRUE(is_valid_civil_date(2024, 2, 29));
  EXPECT_FALSE(is_valid_civil_date(2023, 2, 29));
  EXPECT_FALSE(is_valid_civil_date(1900, 2, 29));  // divisible by 100, not 400
  EXPECT_TRUE(is_valid_civil_date(2000, 2, 29));
  EXPECT_FALSE(is_valid_civil_date(2024, 4, 31));
  EXPECT_FALSE(is_valid_civil_date(2024, 13, 1));
}

TEST(Civil, Granularities) {
  EXPECT_EQ(parse_granularity("day"), Granularity::kDay);
  EXPECT_EQ(parse_granularity("quarter"), Granularity::kQuarter);
  EXPECT_EQ(parse_granularity("Day"), std::nullopt);
  EXPECT_EQ(parse_granularity("fortnight"), std::nullopt);
  EXPECT_EQ(granularity_name(Granularity::kWeek), "week");
}

// 2024-05-15 is a Wednesday (2024-05-01 was one).
TEST(Truncate, EveryGranularity) {
  const int64_t t = at(2024, 5, 15, 13, 45, 27, 123456);
  EXPECT_EQ(truncate_local(t, Granularity::kSecond), at(2024, 5, 15, 13, 45, 27));
  EXPECT_EQ(truncate_local(t, Granularity::kMinute), at(2024, 5, 15, 13, 45));
  EXPECT_EQ(truncate_local(t, Granularity::kHour), at(2024, 5, 15, 13));
  EXPECT_EQ(truncate_local(t, Granularity::kDay), at(2024, 5, 15));
  EXPECT_EQ(truncate_local(t, Granularity::kWeek), at(2024, 5, 13));
  EXPECT_EQ(truncate_local(t, Granularity::kMonth), at(2024, 5, 1));
  EXPECT_EQ(truncate_local(t, Granularity::kQuarter), at(2024, 4, 1));
  EXPECT_EQ(truncate_local(t, Granularity::kYear), at(2024, 1, 1));
}

TEST(Truncate, WeeksStartOnMonday) {
  EXPECT_EQ(truncate_local(at(2024, 5, 13, 0, 0, 0), Granularity::kWeek), at(2024, 5, 13));
  EXPECT_EQ(truncate_local(at(2024, 5, 19, 23, 59), Granularity::kWeek), at(2024, 5, 13));
  EXPECT_EQ(truncate_local(at(2024, 5, 20), Granularity::kWeek), at(2024, 5, 20));
  // 2023-01-01 was a Sunday: its week began in 2022.
  EXPECT_EQ(truncate_local(at(2023, 1, 1, 12), Granularity::kWeek), at(2022, 12, 26));
  // 1969-12-31 was a Wednesday: before the epoch too.
  EXPECT_EQ(truncate_local(at(1969, 12, 31, 5), Granularity::kWeek), at(1969, 12, 29));
}

TEST(Truncate, Quarters) {
  EXPECT_EQ(truncate_local(at(2024, 3, 31, 23), Granularity::kQuarter), at(2024, 1, 1));
  EXPECT_EQ(truncate_local(at(2024, 7, 1), Granularity::kQuarter), at(2024, 7, 1));
  EXPECT_EQ(truncate_local(at(2024, 9, 30), Granularity::kQuarter), at(2024, 7, 1));
  EXPECT_EQ(truncate_local(at(2024, 12, 31, 23, 59), Granularity::kQuarter), at(2024, 10, 1));
}

TEST(Truncate, BeforeTheEpoch) {
  EXPECT_EQ(truncate_local(at(1969, 12, 31, 23, 59, 59, 500000), Granularity::kDay),
            at(1969, 12, 31));
  EXPECT_EQ(truncate_local(at(1969, 12, 31, 23, 59, 59, 500000), Granularity::kSecond),
            at(1969, 12, 31, 23, 59, 59));
}

TEST(AddLocal, ClampsMonthEnds) {
  EXPECT_EQ(add_local(at(2024, 1, 31, 10), Granularity::kMonth, 1), at(2024, 2, 29, 10));
  EXPECT_EQ(add_local(at(2023, 1, 31), Granularity::kMonth, 1), at(2023, 2, 28));
  EXPECT_EQ(add_local(at(2024, 3, 31), Granularity::kMonth, -1), at(2024, 2, 29));
  EXPECT_EQ(add_local(at(2024, 2, 29), Granularity::kYear, 1), at(2025, 2, 28));
  EXPECT_EQ(add_local(at(2024, 11, 30), Granularity::kQuarter, 1), at(2025, 2, 28));
  EXPECT_EQ(add_local(at(2024, 1, 15), Granularity::kMonth, -13), at(2022, 12, 15));
}

TEST(AddLocal, FixedUnits) {
  EXPECT_EQ(add_local(at(2024, 2, 28, 23), Granularity::kHour, 2), at(2024, 2, 29, 1));
  EXPECT_EQ(add_local(at(2024, 12, 30), Granularity::kWeek, 1), at(2025, 1, 6));
  EXPECT_EQ(add_local(at(2024, 1, 1), Granularity::kDay, -1), at(2023, 12, 31));
  EXPECT_EQ(add_local(at(2024, 1, 1), Granularity::kMinute, 90), at(2024, 1, 1, 1, 30));
  EXPECT_EQ(add_local(at(2024, 1, 1), Granularity::kSecond, -1), at(2023, 12, 31, 23, 59, 59));
}

// ---------------------------------------------------------------- ISO

TEST(ParseIso, AcceptsDatesAndTimes) {
  auto d = parse_iso_timestamp("2024-01-31");
  ASSERT_TRUE(d);
  EXPECT_TRUE(d->date_only);
  EXPECT_EQ(d->micros, at(2024, 1, 31));
  EXPECT_FALSE(d->offset_seconds);

  auto hm = parse_iso_timestamp("2024-01-31T13:45");
  ASSERT_TRUE(hm);
  EXPECT_FALSE(hm->date_only);
  EXPECT_EQ(hm->micros, at(2024, 1, 31, 13, 45));

  auto space = parse_iso_timestamp("2024-01-31 13:45:07");
  ASSERT_TRUE(space);
  EXPECT_EQ(space->micros, at(2024, 1, 31, 13, 45, 7));

  auto frac = parse_iso_timestamp("2024-01-31T13:45:07.5");
  ASSERT_TRUE(frac);
  EXPECT_EQ(frac->micros, at(2024, 1, 31, 13, 45, 7, 500000));

  auto nanos = parse_iso_timestamp("2024-01-31T13:45:07.123456789");
  ASSERT_TRUE(nanos);
  EXPECT_EQ(nanos->micros, at(2024, 1, 31, 13, 45, 7, 123456));
}

TEST(ParseIso, Offsets) {
  auto z = parse_iso_timestamp("2024-01-31T13:45:00Z");
  ASSERT_TRUE(z);
  EXPECT_EQ(z->offset_seconds, 0);
  EXPECT_EQ(z->micros, at(2024, 1, 31, 13, 45));  // the wall clock as written
  auto plus = parse_iso_timestamp("2024-01-31T13:45:00.000+02:00");
  ASSERT_TRUE(plus);
  EXPECT_EQ(plus->offset_seconds, 7200);
  auto minus = parse_iso_timestamp("2024-01-31T13:45-0530");
  ASSERT_TRUE(minus);
  EXPECT_EQ(minus->offset_seconds, -19800);
}

TEST(ParseIso, RejectsMalformedOrImpossible) {
  for (const char* bad :
       {"", "yesterday", "2024-02-30", "2023-02-29", "2024-13-01", "2024-1-01", "2024/01/31",
        "2024-01-31T", "2024-01-31X12:00", "2024-01-31T24:00", "2024-01-31T12:60",
        "2024-01-31T12:00:61", "2024-01-31T12:00:00.", "2024-01-31T12:00:00.1234567890",
        "2024-01-31T12:00:00+02:0x", "2024-01-31T12:00:00ZZ", "2024-01-31T12:00:00 UTC"}) {
    EXPECT_FALSE(parse_iso_timestamp(bad)) << bad;
  }
}

TEST(Format, IsoLocal) {
  const int64_t t = at(2024, 1, 31, 13, 45, 7, 123456);
  EXPECT_EQ(format_iso_local(t), "2024-01-31T13:45:07.123");
  EXPECT_EQ(format_iso_local(t, 0), "2024-01-31T13:45:07");
  EXPECT_EQ(format_iso_local(t, 6), "2024-01-31T13:45:07.123456");
  EXPECT_EQ(format_iso_local(at(1969, 12, 31, 23, 59, 59, 999000)), "1969-12-31T23:59:59.999");
}

TEST(Format, DateAndSql) {
  EXPECT_EQ(format_date(0), "1970-01-01");
  EXPECT_EQ(format_date(days_from_civil(2024, 2, 29)), "2024-02-29");
  EXPECT_EQ(format_sql_timestamp(at(2024, 1, 31, 13, 45, 7)), "2024-01-31 13:45:07");
  EXPECT_EQ(format_sql_timestamp(at(2024, 1, 31, 13, 45, 7, 500000)), "2024-01-31 13:45:07.5");
  EXPECT_EQ(format_sql_timestamp(at(2024, 1, 31, 0, 0, 0, 123)), "2024-01-31 00:00:00.000123");
}

TEST(Now, CanBePinned) {
  set_now_for_testing(at(2024, 3, 1, 12));
  EXPECT_EQ(now_utc_micros(), at(2024, 3, 1, 12));
  set_now_for_testing(std::nullopt);
  EXPECT_GT(now_utc_micros(), at(2024, 1, 1));
}

// ---------------------------------------------------------------- zones

constexpr int kHour = 3600;

TEST(TimeZone, Utc) {
  auto utc = TimeZone::load("UTC");
  EXPECT_EQ(utc->name(), "UTC");
  EXPECT_TRUE(utc->is_utc());
  EXPECT_EQ(utc->offset_at_utc(at(2024, 7, 1)), 0);
  auto etc = TimeZone::load("Etc/UTC");
  EXPECT_EQ(etc->name(), "Etc/UTC");
  EXPECT_TRUE(etc->is_utc());
  EXPECT_EQ(etc->utc_to_local(at(2024, 7, 1, 5)), at(2024, 7, 1, 5));
  EXPECT_EQ(etc->local_to_utc(at(2024, 7, 1, 5)), at(2024, 7, 1, 5));
  EXPECT_TRUE(TimeZone::utc()->is_utc());
}

TEST(TimeZone, NewYorkStandardAndDaylight) {
  auto ny = TimeZone::load("America/New_York");
  EXPECT_EQ(ny->name(), "America/New_York");
  EXPECT_FALSE(ny->is_utc());
  EXPECT_EQ(ny->offset_at_utc(at(2024, 1, 15, 12)), -5 * kHour);
  EXPECT_EQ(ny->offset_at_utc(at(2024, 7, 15, 12)), -4 * kHour);
  EXPECT_EQ(ny->utc_to_local(at(2024, 1, 15, 12)), at(2024, 1, 15, 7));
  EXPECT_EQ(ny->local_to_utc(at(2024, 1, 15, 12)), at(2024, 1, 15, 17));
  // 2024 DST: from Sunday March 10, 02:00 EST (07:00 UTC) to Sunday November 3,
  // 02:00 EDT (06:00 UTC).
  EXPECT_EQ(ny->offset_at_utc(at(2024, 3, 10, 6, 59, 59)), -5 * kHour);
  EXPECT_EQ(ny->offset_at_utc(at(2024, 3, 10, 7)), -4 * kHour);
  EXPECT_EQ(ny->offset_at_utc(at(2024, 11, 3, 5, 59, 59)), -4 * kHour);
  EXPECT_EQ(ny->offset_at_utc(at(2024, 11, 3, 6)), -5 * kHour);
}

TEST(TimeZone, NewYorkGapAndOverlap) {
  auto ny = TimeZone::load("America/New_York");
  // 02:30 on 2024-03-10 never happened: read with EST it is 07:30 UTC = 03:30 EDT.
  EXPECT_EQ(ny->local_to_utc(at(2024, 3, 10, 2, 30)), at(2024, 3, 10, 7, 30));
  EXPECT_EQ(ny->utc_to_local(ny->local_to_utc(at(2024, 3, 10, 2, 30))), at(2024, 3, 10, 3, 30));
  // Just around the gap.
  EXPECT_EQ(ny->local_to_utc(at(2024, 3, 10, 1, 59)), at(2024, 3, 10, 6, 59));
  EXPECT_EQ(ny->local_to_utc(at(2024, 3, 10, 3, 0)), at(2024, 3, 10, 7, 0));
  // 01:30 on 2024-11-03 happened twice: EDT (05:30 UTC) first, then EST (06:30 UTC).
  EXPECT_EQ(ny->local_to_utc(at(2024, 11, 3, 1, 30)), at(2024, 11, 3, 5, 30));
  EXPECT_EQ(ny->utc_to_local(at(2024, 11, 3, 5, 30)), at(2024, 11, 3, 1, 30));
  EXPECT_EQ(ny->utc_to_local(at(2024, 11, 3, 6, 30)), at(2024, 11, 3, 1, 30));
  EXPECT_EQ(ny->local_to_utc(at(2024, 11, 3, 2, 0)), at(2024, 11, 3, 7, 0));
}

TEST(TimeZone, Berlin) {
  auto berlin = TimeZone::load("Europe/Berlin");
  EXPECT_EQ(berlin->offset_at_utc(at(2024, 1, 15)), 1 * kHour);
  EXPECT_EQ(berlin->offset_at_utc(at(2024, 7, 15)), 2 * kHour);
  // EU rule: last Sundays of March and October (2024-03-31, 2024-10-27) at 01:00 UTC.
  EXPECT_EQ(berlin->offset_at_utc(at(2024, 3, 31, 0, 59, 59)), 1 * kHour);
  EXPECT_EQ(berlin->offset_at_utc(at(2024, 3, 31, 1)), 2 * kHour);
  EXPECT_EQ(berlin->offset_at_utc(at(2024, 10, 27, 0, 59, 59)), 2 * kHour);
  EXPECT_EQ(berlin->offset_at_utc(at(2024, 10, 27, 1)), 1 * kHour);
  // Gap 02:00-03:00 on 03-31: 02:30 read with CET is 01:30 UTC.
  EXPECT_EQ(berlin->local_to_utc(at(2024, 3, 31, 2, 30)), at(2024, 3, 31, 1, 30));
  // Overlap 02:00-03:00 on 10-27: the CEST reading (00:30 UTC) wins.
  EXPECT_EQ(berlin->local_to_utc(at(2024, 10, 27, 2, 30)), at(2024, 10, 27, 0, 30));
}

TEST(TimeZone, KolkataHalfHourOffset) {
  auto kolkata = TimeZone::load("Asia/Kolkata");
  EXPECT_EQ(kolkata->offset_at_utc(at(2024, 1, 1)), 5 * kHour + 1800);
  EXPECT_EQ(kolkata->offset_at_utc(at(2024, 7, 1)), 5 * kHour + 1800);
  EXPECT_EQ(kolkata->utc_to_local(at(2024, 1, 1)), at(2024, 1, 1, 5, 30));
  EXPECT_EQ(kolkata->local_to_utc(at(2024, 1, 1)), at(2023, 12, 31, 18, 30));
}

TEST(TimeZone, LordHoweHalfHourDaylightSaving) {
  auto lh = TimeZone::load("Australia/Lord_Howe");
  // Standard +10:30, daylight +11:00 (southern summer).
  EXPECT_EQ(lh->offset_at_utc(at(2024, 1, 15)), 11 * kHour);
  EXPECT_EQ(lh->offset_at_utc(at(2024, 7, 15)), 10 * kHour + 1800);
  // DST ends on the first Sunday of April (2024-04-07) at 02:00 +11 = 2024-04-06 15:00 UTC.
  EXPECT_EQ(lh->offset_at_utc(at(2024, 4, 6, 14, 59, 59)), 11 * kHour);
  EXPECT_EQ(lh->offset_at_utc(at(2024, 4, 6, 15)), 10 * kHour + 1800);
  // 01:45 happens twice (01:30-02:00 repeats): the +11 reading first.
  EXPECT_EQ(lh->local_to_utc(at(2024, 4, 7, 1, 45)), at(2024, 4, 6, 14, 45));
  // DST starts on the first Sunday of October (2024-10-06) at 02:00 +10:30 =
  // 2024-10-05 15:30 UTC; 02:15 falls into the half-hour gap.
  EXPECT_EQ(lh->offset_at_utc(at(2024, 10, 5, 15, 29, 59)), 10 * kHour + 1800);
  EXPECT_EQ(lh->offset_at_utc(at(2024, 10, 5, 15, 30)), 11 * kHour);
  EXPECT_EQ(lh->local_to_utc(at(2024, 10, 6, 2, 15)), at(2024, 10, 5, 15, 45));
}

// Debian's files list transitions up to 2037; later instants come from the
// footer rule.
TEST(TimeZone, FooterRuleAfterTheLastTransition) {
  auto ny = TimeZone::load("America/New_York");
  EXPECT_EQ(ny->offset_at_utc(at(2080, 1, 15)), -5 * kHour);
  EXPECT_EQ(ny->offset_at_utc(at(2080, 7, 15)), -4 * kHour);
  // 2080-03-01 and 2080-11-01 are Fridays (56 years and 14 leap days after
  // 2024-03-01, a Friday; 245 days later): DST runs from March 10 07:00 UTC
  // to November 3 06:00 UTC.
  EXPECT_EQ(ny->offset_at_utc(at(2080, 3, 10, 6, 59, 59)), -5 * kHour);
  EXPECT_EQ(ny->offset_at_utc(at(2080, 3, 10, 7)), -4 * kHour);
  EXPECT_EQ(ny->offset_at_utc(at(2080, 11, 3, 5, 59, 59)), -4 * kHour);
  EXPECT_EQ(ny->offset_at_utc(at(2080, 11, 3, 6)), -5 * kHour);
  EXPECT_EQ(ny->local_to_utc(at(2080, 3, 10, 2, 30)), at(2080, 3, 10, 7, 30));
  EXPECT_EQ(ny->local_to_utc(at(2080, 11, 3, 1, 30)), at(2080, 11, 3, 5, 30));

  auto lh = TimeZone::load("Australia/Lord_Howe");
  EXPECT_EQ(lh->offset_at_utc(at(2080, 1, 15)), 11 * kHour);
  EXPECT_EQ(lh->offset_at_utc(at(2080, 7, 15)), 10 * kHour + 1800);
}

TEST(TimeZone, FixedOffsetZones) {
  // POSIX signs are inverted: Etc/GMT+5 is five hours *behind* UTC.
  auto gmt5 = TimeZone::load("Etc/GMT+5");
  EXPECT_EQ(gmt5->offset_at_utc(at(2024, 1, 1)), -5 * kHour);
  EXPECT_EQ(gmt5->offset_at_utc(at(2090, 7, 1)), -5 * kHour);
  EXPECT_FALSE(gmt5->is_utc());
}

TEST(TimeZone, PosixJulianDayWithoutLeapDay) {
  // Jn counts 1..365 and never Feb 29: J60 is March 1, J300 is October 27.
  TimeZone tz("Test/J", {}, 0, "AAA-2BBB,J60,J300/1");
  EXPECT_EQ(tz.offset_at_utc(at(2024, 2, 29, 23, 59, 59)), 2 * kHour);
  EXPECT_EQ(tz.offset_at_utc(at(2024, 3, 1, 0, 0)), 3 * kHour);  // 02:00 at +2
  EXPECT_EQ(tz.offset_at_utc(at(2024, 10, 26, 21, 59, 59)), 3 * kHour);
  EXPECT_EQ(tz.offset_at_utc(at(2024, 10, 26, 22)), 2 * kHour);  // 01:00 at +3
}

TEST(TimeZone, PosixZeroBasedDay) {
  // n counts 0..365 including Feb 29: day 59 is Feb 29 in 2024, March 1 in 2023;
  // day 299 is October 26 in 2024. DST defaults to one hour ahead.
  TimeZone tz("Test/n", {}, 0, "AAA0BBB,59,299");
  EXPECT_EQ(tz.offset_at_utc(at(2024, 2, 29, 1, 59, 59)), 0);
  EXPECT_EQ(tz.offset_at_utc(at(2024, 2, 29, 2)), kHour);
  EXPECT_EQ(tz.offset_at_utc(at(2023, 2, 28, 12)), 0);
  EXPECT_EQ(tz.offset_at_utc(at(2023, 3, 1, 2)), kHour);
  EXPECT_EQ(tz.offset_at_utc(at(2024, 10, 26, 0, 59, 59)), kHour);
  EXPECT_EQ(tz.offset_at_utc(at(2024, 10, 26, 1)), 0);  // 02:00 at +1
}

TEST(TimeZone, PosixNegativeTransitionTimes) {
  // Greenland-style: changes at "-1:00" (23:00 the day before) and "0" local.
  TimeZone tz("Test/neg", {}, 0, "<-02>2<-01>,M3.5.0/-1,M10.5.0/0");
  EXPECT_EQ(tz.offset_at_utc(at(2024, 3, 31, 0, 59, 59)), -2 * kHour);
  EXPECT_EQ(tz.offset_at_utc(at(2024, 3, 31, 1)), -1 * kHour);
  EXPECT_EQ(tz.offset_at_utc(at(2024, 10, 27, 0, 59, 59)), -1 * kHour);
  EXPECT_EQ(tz.offset_at_utc(at(2024, 10, 27, 1)), -2 * kHour);
}

TEST(TimeZone, RejectsNamesThatAreNotPlainIanaNames) {
  for (const char* bad :
       {"", "/etc/passwd", "../etc/passwd", "America/../../etc/passwd", "America/New York",
        "America//New_York", "America/New_York/", "Europe/Berlin\n", "C:\\zones"}) {
    try {
      TimeZone::load(bad);
      ADD_FAILURE() << "accepted '" << bad << "'";
    } catch (const UserError& e) {
      EXPECT_NE(e.message().find("time zone"), std::string::npos) << e.message();
      EXPECT_NE(e.context().hint.find("America/New_York"), std::string::npos);
    }
  }
}

TEST(TimeZone, UnknownZone) {
  for (const char* unknown : {"Mars/Olympus_Mons", "America", "america/new_york"}) {
    try {
      TimeZone::load(unknown);
      ADD_FAILURE() << "accepted '" << unknown << "'";
    } catch (const UserError& e) {
      EXPECT_EQ(e.message(), "unknown time zone '" + std::string(unknown) + "'");
      EXPECT_NE(e.context().hint.find("IANA"), std::string::npos);
    }
  }
}

TEST(TimeZone, SuggestsTheRightCase) {
  try {
    TimeZone::load("america/new_york");
    ADD_FAILURE() << "accepted a lower-case name";
  } catch (const UserError& e) {
    EXPECT_EQ(e.context().hint, "did you mean 'America/New_York'? IANA names are case-sensitive");
  }
}

TEST(TimeZone, IsCached) {
  EXPECT_EQ(TimeZone::load("Europe/Berlin").get(), TimeZone::load("Europe/Berlin").get());
}

// Hand-built TZif files in a private TZDIR: the version 1 layout (32-bit
// times, no footer) and a "slim" version 2 file whose footer must carry
// everything after its only transition.
class TzifFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("strata_tzif_" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_ / "Test");
    const char* old = std::getenv("TZDIR");
    if (old) old_tzdir_ = old;
    ::setenv("TZDIR", dir_.c_str(), 1);
  }
  void TearDown() override {
    if (old_tzdir_) {
      ::setenv("TZDIR", old_tzdir_->c_str(), 1);
    } else {
      ::unsetenv("TZDIR");
    }
    std::filesystem::remove_all(dir_);
  }

  static void be(std::string& out, int64_t v, int bytes) {
    for (int i = bytes - 1; i >= 0; --i)
      out += static_cast<char>((v >> (8 * i)) & 0xff);
  }
  // Header with counts isut, isstd, leap, time, type, char.
  static void header(std::string& out, char version, int timecnt, int typecnt, int charcnt) {
    out += "TZif";
    out += version;
    out.append(15, '\0');
    for (int c : {0, 0, 0, timecnt, typecnt, charcnt})
      be(out, c, 4);
  }
  // One transition at `at` from type 0 (offset0) to type 1 (offset1).
  static void block(std::string& out, int time_bytes, int64_t at, int offset0, int offset1) {
    be(out, at, time_bytes);
    out += '\x01';
    be(out, offset0, 4);
    out += '\0';
    out += '\0';
    be(out, offset1, 4);
    out += '\0';
    out += '\x04';
    out.append("AAA\0BBB\0", 8);
  }
  void write(const std::string& name, const std::string& bytes) {
    std::ofstream(dir_ / name, std::ios::binary) << bytes;
  }

  std::filesystem::path dir_;
  std::optional<std::string> old_tzdir_;
};

constexpr int64_t kBillion = 1'000'000'000;  // 2001-09-09T01:46:40Z

TEST_F(TzifFiles, VersionOne) {
  std::string f;
  header(f, '\0', 1, 2, 8);
  block(f, 4, kBillion, 3600, 7200);
  write("Test/V1", f);
  auto tz = TimeZone::load("Test/V1");
  EXPECT_EQ(tz->offset_at_utc(at(1990, 1, 1)), 3600);
  EXPECT_EQ(tz->offset_at_utc(kBillion * kMicrosPerSecond - 1), 3600);
  EXPECT_EQ(tz->offset_at_utc(kBillion * kMicrosPerSecond), 7200);
  EXPECT_EQ(tz->offset_at_utc(at(2090, 1, 1)), 7200);
}

TEST_F(TzifFiles, SlimVersionTwoUsesTheFooter) {
  std::string f;
  header(f, '2', 0, 1, 4);  // a minimal v1 block, as slim files have
  be(f, 0, 4);
  f += '\0';
  f += '\0';
  f.append("AAA\0", 4);
  header(f, '2', 1, 2, 8);
  block(f, 8, kBillion, 3600, 7200);
  f += "\nBBB-2CCC,M3.5.0,M10.5.0/3\n";
  write("Test/Slim", f);
  auto tz = TimeZone::load("Test/Slim");
  EXPECT_EQ(tz->offset_at_utc(at(1990, 7, 1)), 3600);
  EXPECT_EQ(tz->offset_at_utc(at(2024, 1, 15)), 7200);
  EXPECT_EQ(tz->offset_at_utc(at(2024, 7, 15)), 10800);
  // Last Sunday of March 2024 (the 31st), 02:00 at +2 = 00:00 UTC.
  EXPECT_EQ(tz->offset_at_utc(at(2024, 3, 30, 23, 59, 59)), 7200);
  EXPECT_EQ(tz->offset_at_utc(at(2024, 3, 31)), 10800);
}

TEST_F(TzifFiles, NotTzifOrTruncated) {
  write("Test/Table", "# a table, not a zone\n");
  EXPECT_THROW(TimeZone::load("Test/Table"), UserError);
  std::string f;
  header(f, '\0', 5, 2, 8);  // promises five transitions, has none
  write("Test/Truncated", f);
  EXPECT_THROW(TimeZone::load("Test/Truncated"), InternalError);
}

}  // namespace
}  // namespace strata
