// Time helpers: civil calendar arithmetic on microsecond timestamps,
// ISO-8601 parsing and formatting, granularity truncation, and IANA time
// zones read from the system's tzdata (/usr/share/zoneinfo, TZif files).
//
// Conventions: a "local" timestamp is a wall-clock reading (microseconds since
// 1970-01-01 00:00 on that wall clock, no zone attached); a "utc" timestamp is
// an instant (microseconds since the Unix epoch). Weeks start on Monday.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace strata {

constexpr int64_t kMicrosPerSecond = 1'000'000;
constexpr int64_t kMicrosPerMinute = 60 * kMicrosPerSecond;
constexpr int64_t kMicrosPerHour = 60 * kMicrosPerMinute;
constexpr int64_t kMicrosPerDay = 24 * kMicrosPerHour;

enum class Granularity { kSecond, kMinute, kHour, kDay, kWeek, kMonth, kQuarter, kYear };

// "day" -> kDay; nullopt for anything else (case-sensitive, as Cube's API).
std::optional<Granularity> parse_granularity(std::string_view text);
std::string_view granularity_name(Granularity g);

struct CivilTime {
  int year = 1970;
  int month = 1;  // 1..12
  int day = 1;    // 1..31
  int hour = 0;
  int minute = 0;
  int second = 0;
  int micros = 0;
};

// Days since 1970-01-01 of a proleptic Gregorian date (any year).
int64_t days_from_civil(int year, int month, int day);
CivilTime civil_from_micros(int64_t micros);
int64_t micros_from_civil(const CivilTime& t);
bool is_valid_civil_date(int year, int month, int day);

// Truncates a local timestamp to the start of its second/.../year.
int64_t truncate_local(int64_t local_micros, Granularity g);
// Adds n units (months and years clamp the day: Jan 31 + 1 month = Feb 29/28).
int64_t add_local(int64_t local_micros, Granularity g, int64_t n);

struct ParsedTimestamp {
  int64_t micros = 0;                 // wall clock as written
  bool date_only = false;             // "2024-01-31" with no time part
  std::optional<int> offset_seconds;  // "Z" -> 0, "+02:00" -> 7200; nullopt when none written
};

// Accepts "YYYY-MM-DD", optionally followed by 'T' or ' ' and "HH:MM",
// "HH:MM:SS" or "HH:MM:SS.ffffff" (1-9 fraction digits, truncated to
// microseconds), optionally followed by "Z" or "+HH:MM" / "-HH:MM" / "+HHMM".
// Returns nullopt for anything else, including impossible dates (Feb 30).
std::optional<ParsedTimestamp> parse_iso_timestamp(std::string_view text);

// "2024-01-31T13:45:00.000" (Cube's format): `fraction_digits` in 0..6.
std::string format_iso_local(int64_t local_micros, int fraction_digits = 3);
// "2024-01-31"
std::string format_date(int64_t days);
// "2024-01-31 13:45:00" plus ".ffffff" when there are microseconds (PostgreSQL text).
std::string format_sql_timestamp(int64_t micros);

// "30 days", "1 minute", "12h", "90 s": a fixed-length interval in
// microseconds (seconds, minutes, hours, days, weeks; singular or plural,
// with or without a space). nullopt for anything else, including months and
// years, whose length varies.
std::optional<int64_t> parse_interval_micros(std::string_view text);

// The current instant. Tests can pin it with set_now_for_testing.
int64_t now_utc_micros();
void set_now_for_testing(std::optional<int64_t> utc_micros);

// An IANA time zone. Immutable and thread-safe once loaded.
class TimeZone {
 public:
  // Loads "America/New_York" (or "UTC", "Etc/GMT+5", ...) from tzdata and
  // caches it for the life of the process. Throws UserError naming the zone
  // when it is unknown or the name is not a plain IANA name.
  static std::shared_ptr<const TimeZone> load(std::string_view iana_name);
  static std::shared_ptr<const TimeZone> utc();

  const std::string& name() const { return name_; }
  bool is_utc() const { return transitions_.empty() && std_offset_ == 0; }

  int offset_at_utc(int64_t utc_micros) const;  // seconds east of UTC
  int64_t utc_to_local(int64_t utc_micros) const;
  // The instant a wall-clock reading denotes. In a gap (spring forward) the
  // reading is taken with the offset before the gap, so it lands after it; in
  // an overlap (fall back) the earlier instant wins, as PostgreSQL does.
  int64_t local_to_utc(int64_t local_micros) const;

  struct Transition {
    int64_t utc_seconds;
    int offset_seconds;  // in effect from utc_seconds on
  };
  TimeZone(std::string name, std::vector<Transition> transitions, int std_offset,
           std::string posix_rule);

 private:
  struct PosixRule;  // the parsed footer (timezone.cpp)

  std::string name_;
  std::vector<Transition> transitions_;    // sorted by utc_seconds
  int std_offset_ = 0;                     // offset before the first transition
  std::string posix_rule_;                 // TZif footer, for instants after the last transition
  std::shared_ptr<const PosixRule> rule_;  // posix_rule_ parsed; null when empty or unusable
};

}  // namespace strata
