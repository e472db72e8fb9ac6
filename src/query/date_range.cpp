// Date ranges: ISO dates and timestamps as spans of local wall-clock time,
// and Cube's relative phrases ("last 7 days", "this quarter", "from 3 months
// ago to now"), resolved at the query time in the query timezone.
//
// Semantics follow Cube's date parser: "last N units" are the N whole units
// before the current one (today is not in "last 7 days"), "next N units" the
// N after it; in "from X to Y" each end is rounded out to whole days, or to
// whole hours/minutes/seconds when the phrase mentions one of those units.
#include <algorithm>

#include "query/cube_query.h"
#include "query/parse_util.h"

namespace strata {

using query_internal::fail;
using query_internal::quoted;

namespace {

constexpr const char* kDateHint =
    "write dates as YYYY-MM-DD or timestamps as YYYY-MM-DDTHH:MM:SS, optionally with Z or an "
    "offset such as +02:00";
constexpr const char* kPhraseHint =
    "use a date such as 2024-01-05, a pair such as [\"2024-01-01\", \"2024-01-31\"], or a phrase "
    "such as today, yesterday, this month, last quarter, last 7 days, next 2 weeks or from 3 "
    "months ago to now";

// The precision a timestamp was written with: "12:00" covers a minute,
// "12:00:00" a second, "12:00:00.999" a millisecond.
int64_t written_precision(std::string_view text) {
  const size_t t = text.find_first_of("T ");
  if (t == std::string_view::npos) return kMicrosPerDay;
  const std::string_view time = text.substr(t + 1);  // HH:MM[:SS[.f...]][offset]
  if (time.size() < 6 || time[5] != ':') return kMicrosPerMinute;
  if (time.size() < 9 || time[8] != '.') return kMicrosPerSecond;
  size_t digits = 0;
  while (9 + digits < time.size() && time[9 + digits] >= '0' && time[9 + digits] <= '9')
    ++digits;
  int64_t precision = kMicrosPerSecond;
  for (size_t i = 0; i < digits && precision > 1; ++i)
    precision /= 10;
  return precision;
}

std::string trim(std::string_view s) {
  const size_t b = s.find_first_not_of(" \t\r\n");
  if (b == std::string_view::npos) return "";
  const size_t e = s.find_last_not_of(" \t\r\n");
  return std::string(s.substr(b, e - b + 1));
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

std::vector<std::string> split_words(std::string_view s) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && is_space(s[i]))
      ++i;
    const size_t start = i;
    while (i < s.size() && !is_space(s[i]))
      ++i;
    if (i > start) out.emplace_back(s.substr(start, i - start));
  }
  return out;
}

std::string join(const std::vector<std::string>& words, size_t from, size_t to) {
  std::string out;
  for (size_t i = from; i < to; ++i) {
    if (i > from) out += ' ';
    out += words[i];
  }
  return out;
}

// "day" or "days" -> kDay.
std::optional<Granularity> parse_unit(std::string_view word) {
  if (auto g = parse_granularity(word)) return g;
  if (word.size() > 1 && word.back() == 's')
    return parse_granularity(word.substr(0, word.size() - 1));
  return std::nullopt;
}

// A count of units, bounded so that the result stays within the calendar
// (about ten thousand years either way).
std::optional<int64_t> parse_count(std::string_view word, Granularity unit) {
  if (word.empty() || word.size() > 7) return std::nullopt;
  int64_t n = 0;
  for (char c : word) {
    if (c < '0' || c > '9') return std::nullopt;
    n = n * 10 + (c - '0');
  }
  int64_t max = 9'999'999;
  if (unit == Granularity::kWeek) max = 500'000;
  if (unit == Granularity::kMonth) max = 120'000;
  if (unit == Granularity::kQuarter) max = 40'000;
  if (unit == Granularity::kYear) max = 10'000;
  if (n > max) return std::nullopt;
  return n;
}

// The range of `count` whole units starting `first` units after the one
// holding `local_now` (negative = before).
DateRange units_from(int64_t local_now, Granularity unit, int64_t first, int64_t count) {
  const int64_t current = truncate_local(local_now, unit);
  return {add_local(current, unit, first), add_local(current, unit, first + count)};
}

class PhraseResolver {
 public:
  PhraseResolver(std::string_view text, const TimeZone& tz, int64_t now_utc,
                 const std::string& path)
      : text_(text), tz_(tz), local_now_(tz.utc_to_local(now_utc)), path_(path) {}

  DateRange resolve() {
    const std::string trimmed = trim(text_);
    if (auto span = query_internal::iso_span(trimmed, tz_)) return *span;
    original_ = split_words(trimmed);
    for (const auto& w : original_)
      words_.push_back(lower(w));
    const size_t n = words_.size();
    if (n == 1) {
      if (auto r = day_word(words_[0])) return *r;
    }
    if (n == 2 && (words_[0] == "this" || words_[0] == "last" || words_[0] == "next")) {
      if (auto unit = parse_unit(words_[1])) {
        const int64_t first = words_[0] == "this" ? 0 : words_[0] == "last" ? -1 : 1;
        return units_from(local_now_, *unit, first, 1);
      }
    }
    if (n == 3 && (words_[0] == "last" || words_[0] == "next")) {
      if (auto unit = parse_unit(words_[2])) {
        auto count = parse_count(words_[1], *unit);
        if (!count) bad();
        if (*count == 0) {
          fail("the count in " + quoted(text_) + " must be at least 1", path_, kPhraseHint);
        }
        return words_[0] == "last" ? units_from(local_now_, *unit, -*count, *count)
                                   : units_from(local_now_, *unit, 1, *count);
      }
    }
    if (n >= 4 && words_[0] == "from") return from_to();
    bad();
  }

 private:
  [[noreturn]] void bad() const {
    fail("cannot understand the date range " + quoted(text_), path_, kPhraseHint);
  }

  std::optional<DateRange> day_word(std::string_view w) const {
    if (w == "today") return units_from(local_now_, Granularity::kDay, 0, 1);
    if (w == "yesterday") return units_from(local_now_, Granularity::kDay, -1, 1);
    if (w == "tomorrow") return units_from(local_now_, Granularity::kDay, 1, 1);
    return std::nullopt;
  }

  DateRange from_to() {
    // Cube rounds both ends to the finest of second/minute/hour the phrase
    // mentions, else to whole days.
    Granularity rounding = Granularity::kDay;
    const std::string all = join(words_, 0, words_.size());
    for (auto [word, g] :
         {std::pair{"second", Granularity::kSecond}, std::pair{"minute", Granularity::kMinute},
          std::pair{"hour", Granularity::kHour}}) {
      if (all.find(word) != std::string::npos) {
        rounding = g;
        break;
      }
    }
    const auto to = std::find(words_.begin() + 2, words_.end(), "to");
    if (to == words_.end() || to + 1 == words_.end()) bad();
    const size_t split = static_cast<size_t>(to - words_.begin());
    const DateRange start = point(1, split, rounding);
    const DateRange end = point(split + 1, words_.size(), rounding);
    if (end.to_local_exclusive <= start.from_local) {
      fail("impossible date range " + quoted(text_) + ": it ends before it starts", path_,
           "write the earlier end first");
    }
    return {start.from_local, end.to_local_exclusive};
  }

  // One end of "from X to Y", as the span it covers.
  DateRange point(size_t from, size_t to, Granularity rounding) const {
    const std::string original = join(original_, from, to);
    if (auto span = query_internal::iso_span(original, tz_)) return *span;
    const size_t n = to - from;
    const std::string& first = words_[from];
    if (n == 1) {
      if (auto r = day_word(first)) return *r;
      if (first == "now") return units_from(local_now_, rounding, 0, 1);
    }
    // "N units ago", "N units from now"
    const bool ago = n == 3 && words_[from + 2] == "ago";
    const bool ahead = n == 4 && words_[from + 2] == "from" && words_[from + 3] == "now";
    if (ago || ahead) {
      auto unit = parse_unit(words_[from + 1]);
      if (!unit) bad();
      auto count = parse_count(first, *unit);
      if (!count) bad();
      const int64_t at = add_local(local_now_, *unit, ago ? -*count : *count);
      return units_from(at, rounding, 0, 1);
    }
    bad();
  }

  std::string_view text_;
  const TimeZone& tz_;
  int64_t local_now_;
  const std::string& path_;
  std::vector<std::string> original_;
  std::vector<std::string> words_;
};

}  // namespace

namespace query_internal {

std::optional<DateRange> iso_span(std::string_view text, const TimeZone& tz) {
  auto parsed = parse_iso_timestamp(text);
  if (!parsed) return std::nullopt;
  int64_t start = parsed->micros;
  if (parsed->offset_seconds) {
    start = tz.utc_to_local(parsed->micros - *parsed->offset_seconds * kMicrosPerSecond);
  }
  const int64_t precision = parsed->date_only ? kMicrosPerDay : written_precision(text);
  return DateRange{start, start + precision};
}

DateRange date_pair(std::string_view from, std::string_view to, const TimeZone& tz,
                    const std::string& from_path, const std::string& to_path,
                    const std::string& range_path) {
  auto a = iso_span(from, tz);
  if (!a) fail(quoted(from) + " is not a date or timestamp", from_path, kDateHint);
  auto b = iso_span(to, tz);
  if (!b) fail(quoted(to) + " is not a date or timestamp", to_path, kDateHint);
  if (b->to_local_exclusive <= a->from_local) {
    fail("impossible date range: it ends (" + std::string(to) + ") before it starts (" +
             std::string(from) + ")",
         range_path, "write the earlier date first");
  }
  return {a->from_local, b->to_local_exclusive};
}

}  // namespace query_internal

DateRange resolve_relative_date_range(std::string_view text, const TimeZone& tz,
                                      int64_t now_utc_micros, const std::string& json_path) {
  return PhraseResolver(text, tz, now_utc_micros, json_path).resolve();
}

}  // namespace strata
