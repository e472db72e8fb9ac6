#include "exec/tier_boundaries.h"

#include <spdlog/spdlog.h>

#include "core/error.h"
#include "core/time.h"
#include "plan/plan.h"

namespace strata {

std::optional<int64_t> instant_of(const ResultSet& rows) {
  if (rows.row_count() == 0 || rows.column_count() == 0 || rows.column(0).is_null(0)) {
    return std::nullopt;
  }
  const Column& c = rows.column(0);
  switch (c.type().id) {
    case TypeId::kTimestamp:
    case TypeId::kTimestampTz: return c.int_at(0);
    case TypeId::kDate: return c.int_at(0) * kMicrosPerDay;
    case TypeId::kString:
      if (auto p = parse_iso_timestamp(c.string_at(0))) {
        return p->offset_seconds ? p->micros - int64_t{*p->offset_seconds} * kMicrosPerSecond
                                 : p->micros;
      }
      break;
    default: break;
  }
  throw UserError("a tier watermark must be a date or timestamp, not " + c.type().name(),
                  {.hint = "write the watermark as SELECT min(<time column>) FROM <hot table>"});
}

int64_t TierBoundaries::boundary(const Cube& cube) {
  if (!cube.tiers) throw InternalError("cube " + cube.name + " is not tiered");
  const Tiering& t = *cube.tiers;
  int64_t now = now_utc_micros();
  if (t.watermark_sql.empty()) return retention_boundary(t, now);
  {
    std::lock_guard lock(mu_);
    auto it = watermarks_.find(cube.name);
    if (it != watermarks_.end() && now - it->second.read_at < t.watermark_refresh_micros) {
      return it->second.value;
    }
  }
  // Read outside the lock: a slow hot source must not block other cubes.
  try {
    ExecOptions o;
    o.timeout = std::chrono::seconds(30);
    ResultSet rows = sources_.get(t.hot.data_source).query(t.watermark_sql, o);
    // An empty hot table has no watermark yet: everything so far is cold.
    int64_t value = instant_of(rows).value_or(now);
    std::lock_guard lock(mu_);
    watermarks_[cube.name] = Cached{value, now};
    return value;
  } catch (const Error& e) {
    std::lock_guard lock(mu_);
    auto it = watermarks_.find(cube.name);
    if (it == watermarks_.end()) throw;
    spdlog::warn("tier watermark of {} could not be refreshed ({}); using the last value",
                 cube.name, e.message());
    return it->second.value;
  }
}

}  // namespace strata
