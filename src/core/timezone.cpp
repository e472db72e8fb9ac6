// IANA time zones from the system's tzdata: TZif files (RFC 8536, versions
// 1 to 4) and the POSIX TZ rule in their footer, which describes every instant
// after the last listed transition. Debian ships "fat" files (transitions
// listed up to 2037), but the footer is still needed beyond that, and slim
// files (a few transitions plus the footer) must work too.
#include <algorithm>
#include <array>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <mutex>

#include "core/error.h"
#include "core/time.h"

namespace strata {

namespace {

constexpr int64_t kSecondsPerDay = 86400;
constexpr std::string_view kZoneHint = "use an IANA name such as America/New_York or UTC";

int64_t floor_div(int64_t a, int64_t b) {
  return a / b - ((a % b != 0) && ((a < 0) != (b < 0)));
}

bool is_leap_year(int64_t y) {
  return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

// 0 = Sunday, as POSIX counts weekdays. 1970-01-01 was a Thursday.
int weekday_of(int64_t days) {
  return static_cast<int>(((days + 4) % 7 + 7) % 7);
}

}  // namespace

// A POSIX TZ string such as "EST5EDT,M3.2.0,M11.1.0" or
// "<+1030>-10:30<+11>-11,M10.1.0,M4.1.0" (POSIX offsets count west of UTC;
// stored here east of UTC like everything else).
struct TimeZone::PosixRule {
  struct DateRule {
    enum class Kind { kJulianNoLeap, kZeroBasedDay, kMonthWeekDay };
    Kind kind = Kind::kMonthWeekDay;
    int day = 0;                      // Jn: 1..365; n: 0..365
    int month = 0;                    // Mm.w.d
    int week = 0;                     // 1..5 (5 = the last such weekday)
    int weekday = 0;                  // 0 = Sunday
    int64_t time_seconds = 2 * 3600;  // local time of day of the change; may be <0 or >24h
  };

  int std_offset = 0;
  bool has_dst = false;
  int dst_offset = 0;
  DateRule start;  // standard -> daylight, in standard local time
  DateRule end;    // daylight -> standard, in daylight local time

  static std::optional<PosixRule> parse(std::string_view text);
  int offset_at(int64_t utc_seconds) const;

 private:
  class Reader;
  static int64_t day_of(const DateRule& r, int64_t year);
};

class TimeZone::PosixRule::Reader {
 public:
  explicit Reader(std::string_view s) : s_(s) {}
  bool done() const { return pos_ == s_.size(); }
  bool peek(char c) const { return pos_ < s_.size() && s_[pos_] == c; }
  bool eat(char c) {
    if (!peek(c)) return false;
    ++pos_;
    return true;
  }
  bool at_digit() const { return pos_ < s_.size() && s_[pos_] >= '0' && s_[pos_] <= '9'; }

  bool name() {
    if (eat('<')) {
      size_t start = pos_;
      while (pos_ < s_.size() && s_[pos_] != '>')
        ++pos_;
      if (pos_ == s_.size() || pos_ - start < 3) return false;
      ++pos_;
      return true;
    }
    size_t start = pos_;
    while (pos_ < s_.size() &&
           ((s_[pos_] >= 'A' && s_[pos_] <= 'Z') || (s_[pos_] >= 'a' && s_[pos_] <= 'z'))) {
      ++pos_;
    }
    return pos_ - start >= 3;
  }

  bool number(int max_digits, int64_t& out) {
    if (!at_digit()) return false;
    out = 0;
    int digits = 0;
    while (at_digit()) {
      if (++digits > max_digits) return false;
      out = out * 10 + (s_[pos_++] - '0');
    }
    return true;
  }

  // [+-]hh[:mm[:ss]] in seconds, positive unless '-' is written.
  bool hms(int64_t& out) {
    int64_t sign = 1;
    if (eat('-')) {
      sign = -1;
    } else {
      eat('+');
    }
    int64_t h = 0, m = 0, sec = 0;
    if (!number(3, h) || h > 167) return false;
    if (eat(':')) {
      if (!number(2, m) || m > 59) return false;
      if (eat(':') && (!number(2, sec) || sec > 59)) return false;
    }
    out = sign * (h * 3600 + m * 60 + sec);
    return true;
  }

  bool date_rule(DateRule& r);

 private:
  std::string_view s_;
  size_t pos_ = 0;
};

bool TimeZone::PosixRule::Reader::date_rule(DateRule& r) {
  using Kind = DateRule::Kind;
  int64_t v = 0;
  if (eat('J')) {
    if (!number(3, v) || v < 1 || v > 365) return false;
    r.kind = Kind::kJulianNoLeap;
    r.day = static_cast<int>(v);
  } else if (eat('M')) {
    int64_t m = 0, w = 0, d = 0;
    if (!number(2, m) || m < 1 || m > 12 || !eat('.')) return false;
    if (!number(1, w) || w < 1 || w > 5 || !eat('.')) return false;
    if (!number(1, d) || d > 6) return false;
    r.kind = Kind::kMonthWeekDay;
    r.month = static_cast<int>(m);
    r.week = static_cast<int>(w);
    r.weekday = static_cast<int>(d);
  } else {
    if (!number(3, v) || v > 365) return false;
    r.kind = Kind::kZeroBasedDay;
    r.day = static_cast<int>(v);
  }
  r.time_seconds = 2 * 3600;
  if (eat('/')) return hms(r.time_seconds);
  return true;
}

std::optional<TimeZone::PosixRule> TimeZone::PosixRule::parse(std::string_view text) {
  Reader in(text);
  PosixRule rule;
  int64_t west = 0;
  if (!in.name() || !in.hms(west)) return std::nullopt;
  rule.std_offset = static_cast<int>(-west);
  if (in.done()) return rule;
  if (!in.name()) return std::nullopt;
  rule.has_dst = true;
  rule.dst_offset = rule.std_offset + 3600;  // POSIX default: one hour ahead
  if (!in.peek(',') && !in.done()) {
    if (!in.hms(west)) return std::nullopt;
    rule.dst_offset = static_cast<int>(-west);
  }
  if (in.done()) {
    // No dates given: POSIX leaves them to the implementation; use the US rule
    // as most systems do. TZif footers always spell them out.
    rule.start = {DateRule::Kind::kMonthWeekDay, 0, 3, 2, 0, 7200};
    rule.end = {DateRule::Kind::kMonthWeekDay, 0, 11, 1, 0, 7200};
    return rule;
  }
  if (!in.eat(',') || !in.date_rule(rule.start) || !in.eat(',') || !in.date_rule(rule.end) ||
      !in.done()) {
    return std::nullopt;
  }
  return rule;
}

int64_t TimeZone::PosixRule::day_of(const DateRule& r, int64_t year) {
  const int y = static_cast<int>(year);
  const int64_t jan1 = days_from_civil(y, 1, 1);
  switch (r.kind) {
    case DateRule::Kind::kJulianNoLeap:
      // Jn never counts Feb 29: day 60 is always March 1.
      return jan1 + r.day - 1 + ((is_leap_year(year) && r.day >= 60) ? 1 : 0);
    case DateRule::Kind::kZeroBasedDay:
      return jan1 + r.day;
    case DateRule::Kind::kMonthWeekDay: {
      const int64_t first = days_from_civil(y, r.month, 1);
      const int64_t next_month =
          r.month == 12 ? days_from_civil(y + 1, 1, 1) : days_from_civil(y, r.month + 1, 1);
      int64_t day = first + (r.weekday - weekday_of(first) + 7) % 7 + 7 * (r.week - 1);
      while (day >= next_month)
        day -= 7;  // week 5 = the last one in the month
      return day;
    }
  }
  return jan1;
}

int TimeZone::PosixRule::offset_at(int64_t utc_seconds) const {
  if (!has_dst) return std_offset;
  // Lay out the changes of the neighbouring years and take the last one at or
  // before the instant: this handles southern-hemisphere rules (DST across
  // the new year) and changes near a year boundary alike.
  const int64_t year =
      civil_from_micros(floor_div(utc_seconds + std_offset, kSecondsPerDay) * kMicrosPerDay).year;
  std::array<std::pair<int64_t, int>, 6> changes;
  size_t n = 0;
  for (int64_t y = year - 1; y <= year + 1; ++y) {
    changes[n++] = {day_of(start, y) * kSecondsPerDay + start.time_seconds - std_offset,
                    dst_offset};
    changes[n++] = {day_of(end, y) * kSecondsPerDay + end.time_seconds - dst_offset, std_offset};
  }
  std::stable_sort(changes.begin(), changes.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  int offset = std_offset;
  for (const auto& [at, off] : changes) {
    if (at > utc_seconds) break;
    offset = off;
  }
  return offset;
}

TimeZone::TimeZone(std::string name, std::vector<Transition> transitions, int std_offset,
                   std::string posix_rule)
    : name_(std::move(name)),
      transitions_(std::move(transitions)),
      std_offset_(std_offset),
      posix_rule_(std::move(posix_rule)) {
  std::stable_sort(
      transitions_.begin(), transitions_.end(),
      [](const Transition& a, const Transition& b) { return a.utc_seconds < b.utc_seconds; });
  if (!posix_rule_.empty()) {
    if (auto rule = PosixRule::parse(posix_rule_)) {
      rule_ = std::make_shared<const PosixRule>(*rule);
    }
  }
}

int TimeZone::offset_at_utc(int64_t utc_micros) const {
  const int64_t seconds = floor_div(utc_micros, kMicrosPerSecond);
  if (transitions_.empty()) return rule_ ? rule_->offset_at(seconds) : std_offset_;
  auto it = std::upper_bound(transitions_.begin(), transitions_.end(), seconds,
                             [](int64_t s, const Transition& t) { return s < t.utc_seconds; });
  if (it == transitions_.begin()) return std_offset_;
  if (it == transitions_.end() && rule_) return rule_->offset_at(seconds);
  return std::prev(it)->offset_seconds;
}

int64_t TimeZone::utc_to_local(int64_t utc_micros) const {
  return utc_micros + static_cast<int64_t>(offset_at_utc(utc_micros)) * kMicrosPerSecond;
}

int64_t TimeZone::local_to_utc(int64_t local_micros) const {
  // Offsets in effect well before and well after the reading (a day either
  // side covers every real offset, and real zones never change twice within
  // a day). A reading is valid under an offset when that offset is in effect
  // at the instant it gives.
  const int before = offset_at_utc(local_micros - kMicrosPerDay);
  const int after = offset_at_utc(local_micros + kMicrosPerDay);
  const int64_t t_before = local_micros - static_cast<int64_t>(before) * kMicrosPerSecond;
  const int64_t t_after = local_micros - static_cast<int64_t>(after) * kMicrosPerSecond;
  const bool before_ok = offset_at_utc(t_before) == before;
  const bool after_ok = offset_at_utc(t_after) == after;
  if (before_ok && after_ok) return std::min(t_before, t_after);  // overlap: earlier instant
  if (after_ok) return t_after;
  // Valid only under the earlier offset, or in a gap: a gap reading is taken
  // with the offset before the gap, which puts it after the change.
  return t_before;
}

namespace {

struct TzifCounts {
  char version = 0;
  uint32_t isutcnt = 0, isstdcnt = 0, leapcnt = 0, timecnt = 0, typecnt = 0, charcnt = 0;
};

class TzifReader {
 public:
  TzifReader(const std::string& data, std::string zone) : d_(data), zone_(std::move(zone)) {}

  void need(size_t n) const {
    if (pos_ + n > d_.size()) fail("it is truncated");
  }
  [[noreturn]] void fail(const std::string& why) const {
    throw InternalError("cannot read the tzdata file of time zone '" + zone_ + "': " + why,
                        {.hint = "reinstall the tzdata package"});
  }
  uint8_t u8() {
    need(1);
    return static_cast<uint8_t>(d_[pos_++]);
  }
  int64_t be(int bytes) {
    need(bytes);
    uint64_t v = 0;
    for (int i = 0; i < bytes; ++i)
      v = (v << 8) | static_cast<uint8_t>(d_[pos_++]);
    if (bytes == 4) return static_cast<int32_t>(static_cast<uint32_t>(v));
    return static_cast<int64_t>(v);
  }
  void skip(size_t n) {
    need(n);
    pos_ += n;
  }

  TzifCounts header() {
    need(44);
    if (d_.compare(pos_, 4, "TZif") != 0) fail("it is not a TZif file");
    pos_ += 4;
    TzifCounts c;
    c.version = static_cast<char>(u8());
    skip(15);
    c.isutcnt = static_cast<uint32_t>(be(4));
    c.isstdcnt = static_cast<uint32_t>(be(4));
    c.leapcnt = static_cast<uint32_t>(be(4));
    c.timecnt = static_cast<uint32_t>(be(4));
    c.typecnt = static_cast<uint32_t>(be(4));
    c.charcnt = static_cast<uint32_t>(be(4));
    if (c.typecnt == 0) fail("it has no local time types");
    return c;
  }

  // One data block; `time_size` is 4 (v1) or 8 (v2+).
  void block(const TzifCounts& c, int time_size, std::vector<TimeZone::Transition>& transitions,
             int& first_offset) {
    std::vector<int64_t> times(c.timecnt);
    for (auto& t : times)
      t = be(time_size);
    std::vector<uint8_t> type_index(c.timecnt);
    for (auto& i : type_index)
      i = u8();
    std::vector<int> offsets(c.typecnt);
    for (auto& off : offsets) {
      off = static_cast<int>(be(4));
      skip(2);  // isdst, desigidx
    }
    skip(c.charcnt + static_cast<size_t>(c.leapcnt) * (time_size + 4) + c.isstdcnt + c.isutcnt);
    first_offset = offsets[0];  // RFC 8536: type 0 applies before the first transition
    transitions.clear();
    int current = first_offset;
    for (size_t i = 0; i < times.size(); ++i) {
      if (type_index[i] >= offsets.size()) fail("a transition names a missing type");
      const int off = offsets[type_index[i]];
      if (off == current) continue;  // changes only the abbreviation or isdst
      transitions.push_back({times[i], off});
      current = off;
    }
  }

  std::string footer() {
    if (pos_ >= d_.size() || d_[pos_] != '\n') return "";
    size_t end = d_.find('\n', pos_ + 1);
    if (end == std::string::npos) return "";
    return d_.substr(pos_ + 1, end - pos_ - 1);
  }

  static size_t v1_block_size(const TzifCounts& c) {
    return static_cast<size_t>(c.timecnt) * 5 + static_cast<size_t>(c.typecnt) * 6 + c.charcnt +
           static_cast<size_t>(c.leapcnt) * 8 + c.isstdcnt + c.isutcnt;
  }

 private:
  const std::string& d_;
  std::string zone_;
  size_t pos_ = 0;
};

bool is_plain_iana_name(std::string_view name) {
  if (name.empty() || name.size() > 255 || name.front() == '/' || name.back() == '/') {
    return false;
  }
  char prev = 0;
  for (char c : name) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                    c == '/' || c == '_' || c == '+' || c == '-';
    if (!ok || (c == '/' && prev == '/')) return false;
    prev = c;
  }
  return true;  // '.' is not allowed at all, so neither is ".."
}

std::filesystem::path zoneinfo_dir() {
  if (const char* dir = std::getenv("TZDIR"); dir && *dir) return dir;
  return "/usr/share/zoneinfo";
}

bool same_ignoring_case(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

// The zone a name means when only its case is wrong ("america/new_york" ->
// "America/New_York"), "" when there is none. Only on the error path.
std::string name_with_fixed_case(const std::string& name) {
  std::filesystem::path dir = zoneinfo_dir();
  std::string fixed;
  size_t start = 0;
  while (start < name.size()) {
    const size_t slash = std::min(name.find('/', start), name.size());
    const std::string_view part = std::string_view(name).substr(start, slash - start);
    std::error_code ec;
    bool found = false;
    for (auto it = std::filesystem::directory_iterator(dir, ec);
         !ec && it != std::filesystem::directory_iterator(); it.increment(ec)) {
      const std::string entry = it->path().filename().string();
      if (same_ignoring_case(entry, part)) {
        dir /= entry;
        fixed += (fixed.empty() ? "" : "/") + entry;
        found = true;
        break;
      }
    }
    if (!found) return "";
    start = slash + 1;
  }
  std::error_code ec;
  return std::filesystem::is_regular_file(dir, ec) ? fixed : "";
}

[[noreturn]] void unknown_zone(const std::string& name) {
  std::string hint(kZoneHint);
  if (const std::string fixed = name_with_fixed_case(name); !fixed.empty() && fixed != name) {
    hint = "did you mean '" + fixed + "'? IANA names are case-sensitive";
  }
  throw UserError("unknown time zone '" + name + "'", {.hint = std::move(hint)});
}

std::shared_ptr<const TimeZone> read_zone(const std::string& name) {
  const std::filesystem::path path = zoneinfo_dir() / name;
  std::error_code ec;
  const bool regular = std::filesystem::is_regular_file(path, ec);
  if (!regular && (name == "UTC" || name == "Etc/UTC")) {
    // Work without tzdata for the one zone every query defaults to.
    return std::make_shared<const TimeZone>(name, std::vector<TimeZone::Transition>{}, 0, "UTC0");
  }
  if (!regular || std::filesystem::file_size(path, ec) > (1u << 20)) unknown_zone(name);
  std::ifstream in(path, std::ios::binary);
  std::string data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (data.compare(0, 4, "TZif") != 0) {
    unknown_zone(name);  // zoneinfo also holds tables (leapseconds, ...): not zones
  }
  TzifReader reader(data, name);
  TzifCounts counts = reader.header();
  std::vector<TimeZone::Transition> transitions;
  int first_offset = 0;
  std::string footer;
  if (counts.version == 0) {
    reader.block(counts, 4, transitions, first_offset);
  } else {
    // Version 2+: skip the 32-bit block, use the 64-bit one and the footer.
    reader.skip(TzifReader::v1_block_size(counts));
    counts = reader.header();
    reader.block(counts, 8, transitions, first_offset);
    footer = reader.footer();
  }
  return std::make_shared<const TimeZone>(name, std::move(transitions), first_offset,
                                          std::move(footer));
}

}  // namespace

std::shared_ptr<const TimeZone> TimeZone::utc() {
  static const auto kUtc =
      std::make_shared<const TimeZone>("UTC", std::vector<Transition>{}, 0, "UTC0");
  return kUtc;
}

std::shared_ptr<const TimeZone> TimeZone::load(std::string_view iana_name) {
  if (iana_name == "UTC") return utc();
  if (!is_plain_iana_name(iana_name)) {
    throw UserError("invalid time zone name '" + std::string(iana_name) + "'",
                    {.hint = "time zones are IANA names such as America/New_York or UTC"});
  }
  static std::mutex mutex;
  static std::map<std::string, std::shared_ptr<const TimeZone>, std::less<>> cache;
  {
    std::lock_guard lock(mutex);
    if (auto it = cache.find(iana_name); it != cache.end()) return it->second;
  }
  // Read outside the lock; two threads racing on a new zone both read it and
  // the first insert wins, which is harmless.
  auto zone = read_zone(std::string(iana_name));
  std::lock_guard lock(mutex);
  return cache.emplace(std::string(iana_name), std::move(zone)).first->second;
}

}  // namespace strata
