// Civil calendar arithmetic, ISO parsing and formatting. Time zones are in
// timezone.cpp.
#include "core/time.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>

namespace strata {

namespace {

int64_t floor_div(int64_t a, int64_t b) {
  return a / b - ((a % b != 0) && ((a < 0) != (b < 0)));
}

constexpr std::string_view kGranularityNames[] = {"second", "minute", "hour",    "day",
                                                  "week",   "month",  "quarter", "year"};

}  // namespace

std::optional<Granularity> parse_granularity(std::string_view text) {
  for (size_t i = 0; i < std::size(kGranularityNames); ++i) {
    if (text == kGranularityNames[i]) return static_cast<Granularity>(i);
  }
  return std::nullopt;
}

std::string_view granularity_name(Granularity g) {
  return kGranularityNames[static_cast<size_t>(g)];
}

// Howard Hinnant's days_from_civil algorithm (public domain description of
// the proleptic Gregorian calendar in 400-year eras).
int64_t days_from_civil(int year, int month, int day) {
  int64_t y = static_cast<int64_t>(year) - (month <= 2);
  const int64_t era = floor_div(y, 400);
  const int64_t yoe = y - era * 400;
  const int64_t mp = (month + 9) % 12;
  const int64_t doy = (153 * mp + 2) / 5 + day - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

namespace {

void civil_from_days(int64_t z, int& year, int& month, int& day) {
  z += 719468;
  const int64_t era = floor_div(z, 146097);
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t y = yoe + era * 400;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  year = static_cast<int>(y + (month <= 2));
}

int days_in_month(int year, int month) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month == 2) {
    bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    return leap ? 29 : 28;
  }
  return kDays[month - 1];
}

}  // namespace

bool is_valid_civil_date(int year, int month, int day) {
  return month >= 1 && month <= 12 && day >= 1 && day <= days_in_month(year, month);
}

CivilTime civil_from_micros(int64_t micros) {
  CivilTime t;
  int64_t days = floor_div(micros, kMicrosPerDay);
  int64_t rem = micros - days * kMicrosPerDay;
  civil_from_days(days, t.year, t.month, t.day);
  t.hour = static_cast<int>(rem / kMicrosPerHour);
  rem %= kMicrosPerHour;
  t.minute = static_cast<int>(rem / kMicrosPerMinute);
  rem %= kMicrosPerMinute;
  t.second = static_cast<int>(rem / kMicrosPerSecond);
  t.micros = static_cast<int>(rem % kMicrosPerSecond);
  return t;
}

int64_t micros_from_civil(const CivilTime& t) {
  return days_from_civil(t.year, t.month, t.day) * kMicrosPerDay + t.hour * kMicrosPerHour +
         t.minute * kMicrosPerMinute + t.second * kMicrosPerSecond + t.micros;
}

int64_t truncate_local(int64_t local_micros, Granularity g) {
  switch (g) {
    case Granularity::kSecond: return floor_div(local_micros, kMicrosPerSecond) * kMicrosPerSecond;
    case Granularity::kMinute: return floor_div(local_micros, kMicrosPerMinute) * kMicrosPerMinute;
    case Granularity::kHour: return floor_div(local_micros, kMicrosPerHour) * kMicrosPerHour;
    case Granularity::kDay: return floor_div(local_micros, kMicrosPerDay) * kMicrosPerDay;
    case Granularity::kWeek: {
      // 1970-01-01 was a Thursday; day 4 (1970-01-05) was a Monday.
      int64_t days = floor_div(local_micros, kMicrosPerDay);
      int64_t since_monday = ((days - 4) % 7 + 7) % 7;
      return (days - since_monday) * kMicrosPerDay;
    }
    case Granularity::kMonth:
    case Granularity::kQuarter:
    case Granularity::kYear: {
      CivilTime t = civil_from_micros(local_micros);
      int month = t.month;
      if (g == Granularity::kQuarter) month = ((month - 1) / 3) * 3 + 1;
      if (g == Granularity::kYear) month = 1;
      return days_from_civil(t.year, month, 1) * kMicrosPerDay;
    }
  }
  return local_micros;
}

int64_t add_local(int64_t local_micros, Granularity g, int64_t n) {
  switch (g) {
    case Granularity::kSecond: return local_micros + n * kMicrosPerSecond;
    case Granularity::kMinute: return local_micros + n * kMicrosPerMinute;
    case Granularity::kHour: return local_micros + n * kMicrosPerHour;
    case Granularity::kDay: return local_micros + n * kMicrosPerDay;
    case Granularity::kWeek: return local_micros + 7 * n * kMicrosPerDay;
    case Granularity::kMonth:
    case Granularity::kQuarter:
    case Granularity::kYear: {
      int64_t months = g == Granularity::kMonth ? n : g == Granularity::kQuarter ? 3 * n : 12 * n;
      CivilTime t = civil_from_micros(local_micros);
      int64_t total = static_cast<int64_t>(t.year) * 12 + (t.month - 1) + months;
      t.year = static_cast<int>(floor_div(total, 12));
      t.month = static_cast<int>(total - static_cast<int64_t>(t.year) * 12) + 1;
      t.day = std::min(t.day, days_in_month(t.year, t.month));
      return micros_from_civil(t);
    }
  }
  return local_micros;
}

namespace {

bool read_digits(std::string_view s, size_t& pos, int count, int& out) {
  if (pos + count > s.size()) return false;
  int v = 0;
  for (int i = 0; i < count; ++i) {
    char c = s[pos + i];
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  pos += count;
  out = v;
  return true;
}

}  // namespace

std::optional<ParsedTimestamp> parse_iso_timestamp(std::string_view s) {
  ParsedTimestamp r;
  CivilTime t;
  size_t pos = 0;
  bool negative_year = false;
  if (pos < s.size() && s[pos] == '-') {
    negative_year = true;
    ++pos;
  }
  if (!read_digits(s, pos, 4, t.year)) return std::nullopt;
  if (negative_year) t.year = -t.year;
  if (pos >= s.size() || s[pos++] != '-') return std::nullopt;
  if (!read_digits(s, pos, 2, t.month)) return std::nullopt;
  if (pos >= s.size() || s[pos++] != '-') return std::nullopt;
  if (!read_digits(s, pos, 2, t.day)) return std::nullopt;
  if (!is_valid_civil_date(t.year, t.month, t.day)) return std::nullopt;
  if (pos == s.size()) {
    r.date_only = true;
    r.micros = micros_from_civil(t);
    return r;
  }
  if (s[pos] != 'T' && s[pos] != ' ') return std::nullopt;
  ++pos;
  if (!read_digits(s, pos, 2, t.hour) || t.hour > 23) return std::nullopt;
  if (pos >= s.size() || s[pos++] != ':') return std::nullopt;
  if (!read_digits(s, pos, 2, t.minute) || t.minute > 59) return std::nullopt;
  if (pos < s.size() && s[pos] == ':') {
    ++pos;
    if (!read_digits(s, pos, 2, t.second) || t.second > 59) return std::nullopt;
    if (pos < s.size() && s[pos] == '.') {
      ++pos;
      int digits = 0;
      int micros = 0;
      while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
        if (digits < 6) micros = micros * 10 + (s[pos] - '0');
        ++digits;
        ++pos;
      }
      if (digits == 0 || digits > 9) return std::nullopt;
      for (int i = digits; i < 6; ++i) micros *= 10;
      t.micros = micros;
    }
  }
  if (pos < s.size()) {
    if (s[pos] == 'Z' && pos + 1 == s.size()) {
      r.offset_seconds = 0;
      pos = s.size();
    } else if (s[pos] == '+' || s[pos] == '-') {
      int sign = s[pos] == '-' ? -1 : 1;
      ++pos;
      int hh = 0, mm = 0;
      if (!read_digits(s, pos, 2, hh) || hh > 18) return std::nullopt;
      if (pos < s.size() && s[pos] == ':') ++pos;
      if (pos < s.size() && !read_digits(s, pos, 2, mm)) return std::nullopt;
      if (mm > 59 || pos != s.size()) return std::nullopt;
      r.offset_seconds = sign * (hh * 3600 + mm * 60);
    } else {
      return std::nullopt;
    }
  }
  r.micros = micros_from_civil(t);
  return r;
}

namespace {

// Builds date and time text digit by digit: these run for every time cell of
// every REST response and every timestamp the planner renders, and
// snprintf's format parsing dominated their cost.
class TimeText {
 public:
  // `v` zero-padded to at least `width` digits ("-" first when negative).
  TimeText& digits(int64_t v, int width) {
    if (v < 0) {
      buf_[n_++] = '-';
      v = -v;
    }
    char tmp[20];
    int k = 0;
    do {
      tmp[k++] = static_cast<char>('0' + v % 10);
      v /= 10;
    } while (v > 0);
    for (int pad = k; pad < width; ++pad) buf_[n_++] = '0';
    while (k > 0) buf_[n_++] = tmp[--k];
    return *this;
  }
  TimeText& put(char c) {
    buf_[n_++] = c;
    return *this;
  }
  TimeText& date(int year, int month, int day) {
    return digits(year, 4).put('-').digits(month, 2).put('-').digits(day, 2);
  }
  TimeText& time(const CivilTime& t) {
    return digits(t.hour, 2).put(':').digits(t.minute, 2).put(':').digits(t.second, 2);
  }
  void drop_trailing_zeros() {
    while (buf_[n_ - 1] == '0') --n_;
  }
  void truncate_by(size_t k) { n_ -= k; }
  std::string str() const { return std::string(buf_, n_); }

 private:
  char buf_[64];
  size_t n_ = 0;
};

}  // namespace

std::string format_iso_local(int64_t local_micros, int fraction_digits) {
  CivilTime t = civil_from_micros(local_micros);
  TimeText out;
  out.date(t.year, t.month, t.day).put('T').time(t);
  if (fraction_digits > 0) {
    out.put('.').digits(t.micros, 6);
    out.truncate_by(6 - std::min(fraction_digits, 6));
  }
  return out.str();
}

std::string format_date(int64_t days) {
  int y, m, d;
  civil_from_days(days, y, m, d);
  TimeText out;
  out.date(y, m, d);
  return out.str();
}

std::string format_sql_timestamp(int64_t micros) {
  CivilTime t = civil_from_micros(micros);
  TimeText out;
  out.date(t.year, t.month, t.day).put(' ').time(t);
  if (t.micros != 0) {
    out.put('.').digits(t.micros, 6);
    out.drop_trailing_zeros();
  }
  return out.str();
}

std::optional<int64_t> parse_interval_micros(std::string_view text) {
  size_t pos = 0;
  while (pos < text.size() && text[pos] == ' ') ++pos;
  int64_t n = 0;
  size_t digits = 0;
  while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
    if (n > (int64_t{1} << 40)) return std::nullopt;
    n = n * 10 + (text[pos] - '0');
    ++pos;
    ++digits;
  }
  if (digits == 0) return std::nullopt;
  while (pos < text.size() && text[pos] == ' ') ++pos;
  std::string unit;
  for (; pos < text.size(); ++pos) {
    char c = text[pos];
    if (c == ' ') break;
    unit += static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  }
  while (pos < text.size() && text[pos] == ' ') ++pos;
  if (pos != text.size()) return std::nullopt;
  if (unit.size() > 1 && unit.back() == 's' && unit != "s" && unit != "ms") unit.pop_back();
  int64_t scale = 0;
  if (unit == "s" || unit == "sec" || unit == "second") scale = kMicrosPerSecond;
  if (unit == "m" || unit == "min" || unit == "minute") scale = kMicrosPerMinute;
  if (unit == "h" || unit == "hour") scale = kMicrosPerHour;
  if (unit == "d" || unit == "day") scale = kMicrosPerDay;
  if (unit == "w" || unit == "week") scale = 7 * kMicrosPerDay;
  if (scale == 0) return std::nullopt;
  return n * scale;
}

namespace {
std::atomic<int64_t> g_pinned_now{0};
std::atomic<bool> g_now_pinned{false};
}  // namespace

int64_t now_utc_micros() {
  if (g_now_pinned.load()) return g_pinned_now.load();
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void set_now_for_testing(std::optional<int64_t> utc_micros) {
  if (utc_micros) {
    g_pinned_now = *utc_micros;
    g_now_pinned = true;
  } else {
    g_now_pinned = false;
  }
}

}  // namespace strata
