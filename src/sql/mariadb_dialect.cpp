// MariaDbDialect (declared in dialect.h): MariaDB and MySQL.
#include <map>
#include <mutex>

#include "core/error.h"
#include "core/time.h"
#include "sql/dialect.h"
#include "sql/dialect_out.h"

namespace strata::sql {

namespace {

const char kHex[] = "0123456789ABCDEF";

// A time zone's offsets as SQL lists: the instants (seconds since the epoch)
// where the offset changes, and the offsets before the first and from each
// change on. Found by sampling the zone daily and bisecting each change.
struct ZoneOffsets {
  bool fixed = true;
  int fixed_offset = 0;
  std::string instants;  // "t1, t2, ..."
  std::string offsets;   // "o0, o1, ..."
};

ZoneOffsets compute_offsets(const TimeZone& tz) {
  constexpr int64_t kStart = -2'208'988'800;  // 1900-01-01 UTC
  constexpr int64_t kEnd = 4'102'444'800;     // 2100-01-01 UTC
  constexpr int64_t kStep = 86'400 / 4;       // zones never change twice within 6 hours
  auto offset = [&](int64_t secs) { return tz.offset_at_utc(secs * kMicrosPerSecond); };
  ZoneOffsets z;
  int current = offset(kStart);
  z.fixed_offset = current;
  z.offsets = std::to_string(current);
  for (int64_t t = kStart; t < kEnd; t += kStep) {
    int64_t next = std::min(t + kStep, kEnd);
    if (offset(next) == current) continue;
    // The change lies in (t, next]: find its first second.
    int64_t lo = t, hi = next;
    while (hi - lo > 1) {
      int64_t mid = lo + (hi - lo) / 2;
      if (offset(mid) == current) {
        lo = mid;
      } else {
        hi = mid;
      }
    }
    current = offset(hi);
    z.fixed = false;
    if (!z.instants.empty()) z.instants += ", ";
    z.instants += std::to_string(hi);
    z.offsets += ", " + std::to_string(current);
  }
  return z;
}

const ZoneOffsets& offsets_of(const std::string& zone) {
  static std::mutex mu;
  static std::map<std::string, ZoneOffsets> cache;
  std::lock_guard lock(mu);
  auto it = cache.find(zone);
  if (it != cache.end()) return it->second;
  auto tz = TimeZone::load(zone);
  return cache.emplace(zone, compute_offsets(*tz)).first->second;
}

std::string mariadb_like_pattern(const std::string& needle, LikeMode mode) {
  std::string p;
  p.reserve(needle.size() + 4);
  if (mode != LikeMode::kStartsWith) p += '%';
  for (char c : needle) {
    if (c == '%' || c == '_' || c == '!') p += '!';
    p += c;
  }
  if (mode != LikeMode::kEndsWith) p += '%';
  return p;
}

}  // namespace

std::string MariaDbDialect::quote_identifier(std::string_view id) const {
  std::string out;
  out.reserve(id.size() + 2);
  out += '`';
  for (char c : id) {
    if (c == '\0') throw UserError("an identifier cannot contain a NUL character");
    if (c == '`') out += '`';
    out += c;
  }
  out += '`';
  return out;
}

std::string MariaDbDialect::string_literal(std::string_view s) const {
  bool backslash = false;
  for (char c : s) {
    if (c == '\0') {
      throw UserError("a value contains a NUL character, which SQL text cannot carry",
                      {.hint = "remove the \\u0000 character from the value"});
    }
    if (c == '\\') backslash = true;
  }
  if (backslash) {
    // A backslash means an escape unless the session has NO_BACKSLASH_ESCAPES;
    // a hex literal means the same bytes either way.
    std::string out = "_utf8mb4 X'";
    for (unsigned char c : s) {
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
    out += '\'';
    return out;
  }
  std::string out;
  out.reserve(s.size() + 2);
  out += '\'';
  for (char c : s) {
    if (c == '\'') out += '\'';
    out += c;
  }
  out += '\'';
  return out;
}

void MariaDbDialect::render_select(const Select& s, Out& out) const {
  // ORDER BY `alias` IS NULL fails when the alias names an aggregate
  // ("reference to group function"); over a derived table the aliases are
  // plain columns. Only when every ORDER BY item is one of the query's own
  // aliases (what the planner writes); anything else renders as it is.
  bool wrap = !s.order_by.empty();
  for (const auto& o : s.order_by) {
    bool alias = o.expr->kind == ExprKind::kColumn && o.expr->table.empty();
    if (alias) {
      alias = false;
      for (const auto& item : s.items) alias = alias || item.alias == o.expr->name;
    }
    wrap = wrap && alias;
  }
  if (!wrap) {
    Dialect::render_select(s, out);
    return;
  }
  auto inner = std::make_shared<Select>(s);
  inner->with.clear();
  inner->order_by.clear();
  inner->limit.reset();
  inner->offset.reset();
  Select outer;
  outer.with = s.with;
  outer.items.push_back({star(), ""});
  TableRef from;
  from.kind = TableRef::Kind::kSelect;
  from.select = std::move(inner);
  from.alias = "strata_ordered";
  outer.from = std::move(from);
  outer.order_by = s.order_by;
  outer.limit = s.limit;
  outer.offset = s.offset;
  Dialect::render_select(outer, out);
}

void MariaDbDialect::render_expr(const Expr& e, Out& out) const {
  if (e.kind == ExprKind::kBinary && e.op == BinaryOp::kIsNotDistinctFrom) {
    out << "(";
    render_expr(*e.args[0], out);
    out << ") <=> (";
    render_expr(*e.args[1], out);
    out << ")";
    return;
  }
  Dialect::render_expr(e, out);
}

void MariaDbDialect::render_to_local_time(const Expr& e, Out& out) const {
  const ZoneOffsets& z = offsets_of(e.name);
  out << "(CAST(";
  render_expr(*e.args[0], out);
  out << " AS DATETIME(6))";
  if (z.fixed) {
    if (z.fixed_offset != 0) out << " + INTERVAL " << std::to_string(z.fixed_offset) << " SECOND";
    out << ")";
    return;
  }
  // INTERVAL(n, t1, ..., tk) is the number of ti <= n (a binary search);
  // ELT picks the offset in force from there.
  out << " + INTERVAL CAST(ELT(INTERVAL(TIMESTAMPDIFF(SECOND, TIMESTAMP '1970-01-01 00:00:00', ";
  render_expr(*e.args[0], out);
  out << "), " << z.instants << ") + 1, " << z.offsets << ") AS SIGNED) SECOND)";
}

void MariaDbDialect::render_time_trunc(const Expr& e, Out& out) const {
  auto arg = [&] { render_expr(*e.args[0], out); };
  auto formatted = [&](const char* format) {
    out << "CAST(DATE_FORMAT(";
    arg();
    out << ", '" << format << "') AS DATETIME)";
  };
  switch (e.granularity) {
    case Granularity::kSecond: formatted("%Y-%m-%d %H:%i:%s"); return;
    case Granularity::kMinute: formatted("%Y-%m-%d %H:%i:00"); return;
    case Granularity::kHour: formatted("%Y-%m-%d %H:00:00"); return;
    case Granularity::kDay:
      out << "CAST(CAST(";
      arg();
      out << " AS DATE) AS DATETIME)";
      return;
    case Granularity::kWeek:
      // WEEKDAY() is 0 on Monday.
      out << "CAST(CAST(";
      arg();
      out << " AS DATE) - INTERVAL WEEKDAY(";
      arg();
      out << ") DAY AS DATETIME)";
      return;
    case Granularity::kMonth: formatted("%Y-%m-01"); return;
    case Granularity::kQuarter:
      out << "CAST(MAKEDATE(YEAR(";
      arg();
      out << "), 1) + INTERVAL (QUARTER(";
      arg();
      out << ") - 1) QUARTER AS DATETIME)";
      return;
    case Granularity::kYear: formatted("%Y-01-01"); return;
  }
}

void MariaDbDialect::render_aggregate(const Expr& e, Out& out) const {
  if (e.aggregate == AggregateFn::kApproxCountDistinct) {
    // No approximate distinct count built in: the exact one is a correct answer.
    out << "count(DISTINCT ";
    render_expr(*e.args[0], out);
    out << ")";
    return;
  }
  Dialect::render_aggregate(e, out);
}

void MariaDbDialect::render_like(const Expr& e, Out& out) const {
  if (e.negated) out << "NOT (";
  std::string pattern = string_literal(mariadb_like_pattern(e.literal.s, e.like_mode));
  if (e.case_insensitive) {
    out << "LOWER(";
    render_expr(*e.args[0], out);
    out << ") LIKE LOWER(" << pattern << ") ESCAPE '!'";
  } else {
    out << "(";
    render_expr(*e.args[0], out);
    out << ") LIKE BINARY " << pattern << " ESCAPE '!'";
  }
  if (e.negated) out << ")";
}

void MariaDbDialect::render_type(const Type& t, Out& out) const {
  switch (t.id) {
    case TypeId::kBoolean:
    case TypeId::kInt16:
    case TypeId::kInt32:
    case TypeId::kInt64: out << "SIGNED"; return;
    case TypeId::kFloat: out << "FLOAT"; return;
    case TypeId::kDouble: out << "DOUBLE"; return;
    case TypeId::kDecimal:
      out << "DECIMAL(" << std::to_string(t.precision) << "," << std::to_string(t.scale) << ")";
      return;
    case TypeId::kDate: out << "DATE"; return;
    case TypeId::kTimestamp:
    case TypeId::kTimestampTz: out << "DATETIME(6)"; return;
    case TypeId::kTime: out << "TIME(6)"; return;
    default: out << "CHAR"; return;
  }
}

void MariaDbDialect::render_limit(const Select& s, Out& out) const {
  if (s.limit) {
    out << " LIMIT " << std::to_string(*s.limit);
  } else if (s.offset && *s.offset > 0) {
    out << " LIMIT 18446744073709551615";  // MariaDB has no OFFSET without LIMIT
  }
  if (s.offset && *s.offset > 0) out << " OFFSET " << std::to_string(*s.offset);
}

void MariaDbDialect::render_order_item(const OrderItem& item, Out& out) const {
  // No NULLS LAST: sort on `x IS NULL` first (false before true). An ordinal
  // cannot take that (1 IS NULL would be a constant), and is never NULL-aware.
  bool ordinal = item.expr->kind == ExprKind::kLiteral;
  if (!ordinal) {
    bool bare = item.expr->kind == ExprKind::kColumn;
    if (!bare) out << "(";
    render_expr(*item.expr, out);
    out << (bare ? " IS NULL, " : ") IS NULL, ");
  }
  render_expr(*item.expr, out);
  out << (item.descending ? " DESC" : " ASC");
}

}  // namespace strata::sql
