#include "exec/refresh_keys.h"

#include <spdlog/spdlog.h>

#include "core/error.h"
#include "core/time.h"

namespace strata {

namespace {

int64_t floor_div(int64_t a, int64_t b) {
  int64_t q = a / b;
  return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

// The first row of a refresh key query as text ("NULL" for nulls).
std::string first_row_text(const ResultSet& rows) {
  if (rows.row_count() == 0) return "(no rows)";
  std::string out;
  for (size_t c = 0; c < rows.column_count(); ++c) {
    if (c) out += '\x1f';
    const Column& col = rows.column(c);
    out += col.is_null(0) ? "NULL" : to_text(col.value_at(0));
  }
  return out;
}

}  // namespace

int64_t RefreshKeys::period_micros(const std::optional<RefreshKey>& key) const {
  if (!key) return default_every_;
  if (!key->sql.empty()) return 0;
  return key->every_micros > 0 ? key->every_micros : default_every_;
}

std::optional<std::string> RefreshKeys::value(const std::optional<RefreshKey>& key,
                                              const std::string& source, const std::string& id,
                                              bool allow_io) {
  int64_t now = now_utc_micros();
  if (!key || key->sql.empty()) {
    int64_t every = key && key->every_micros > 0 ? key->every_micros : default_every_;
    if (every <= 0) every = kDefaultEveryMicros;
    return "e" + std::to_string(every) + ":" + std::to_string(floor_div(now, every));
  }
  const int64_t check = key->every_micros > 0 ? key->every_micros : kDefaultSqlCheckMicros;
  // The SQL is part of the entry: a reloaded model with another key starts afresh.
  const std::string entry = id + '\x1f' + source + '\x1f' + key->sql;
  std::shared_ptr<std::mutex> reading;
  {
    std::lock_guard lock(mu_);
    Entry& e = sql_values_[entry];
    if (e.known && now - e.read_at < check) return "s" + e.value;
    if (!allow_io) return std::nullopt;
    reading = e.reading;
  }
  // One reader per key; the others wait for its value.
  std::lock_guard one(*reading);
  {
    std::lock_guard lock(mu_);
    Entry& e = sql_values_[entry];
    if (e.known && now_utc_micros() - e.read_at < check) return "s" + e.value;
  }
  try {
    ExecOptions o;
    o.timeout = std::chrono::seconds(30);
    o.max_rows = 1;
    std::string value = first_row_text(sources_.get(source).query(key->sql, o));
    std::lock_guard lock(mu_);
    Entry& e = sql_values_[entry];
    e.value = std::move(value);
    e.read_at = now_utc_micros();
    e.known = true;
    return "s" + e.value;
  } catch (const Error& err) {
    std::lock_guard lock(mu_);
    Entry& e = sql_values_[entry];
    int64_t t = now_utc_micros();
    if (t - last_warning_ > 10 * kMicrosPerSecond) {
      last_warning_ = t;
      spdlog::warn("refresh key of {} could not be read on '{}' ({}); {}", id, source,
                   err.message(),
                   e.known ? "keeping its last value" : "answers that need it are not cached");
    }
    if (!e.known) return std::nullopt;
    e.read_at = t;  // try again after one more interval, not on every query
    return "s" + e.value;
  }
}

void RefreshKeys::invalidate() {
  std::lock_guard lock(mu_);
  for (auto& [id, e] : sql_values_) e.read_at = 0;
}

}  // namespace strata
