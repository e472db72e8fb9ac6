#include "sql/dialect.h"

#include "core/error.h"
#include "core/time.h"
#include "sql/dialect_out.h"

namespace strata::sql {

std::string Dialect::render(const Select& select) const {
  Out out;
  out.s.reserve(512);
  render_select(select, out);
  return std::move(out.s);
}

std::string Dialect::render(const Expr& expr) const {
  Out out;
  render_expr(expr, out);
  return std::move(out.s);
}

namespace {

// True when `text` holds `quote` or a NUL: the characters quoting must double
// or refuse. One pass, no library calls (this runs for every identifier).
bool has_char(std::string_view text, char quote) {
  bool found = false;
  for (char c : text) found |= (c == quote) | (c == '\0');
  return found;
}

}  // namespace

std::string Dialect::quote_identifier(std::string_view id) const {
  std::string out;
  out.reserve(id.size() + 2);
  out += '"';
  if (!has_char(id, '"')) {
    out += id;  // the common case: nothing to double or refuse
    out += '"';
    return out;
  }
  for (char c : id) {
    if (c == '\0') throw UserError("an identifier cannot contain a NUL character");
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

std::string Dialect::string_literal(std::string_view s) const {
  std::string out;
  out.reserve(s.size() + 2);
  out += '\'';
  if (!has_char(s, '\'')) {
    out += s;
    out += '\'';
    return out;
  }
  for (char c : s) {
    if (c == '\0') {
      throw UserError("a value contains a NUL character, which SQL text cannot carry",
                      {.hint = "remove the \\u0000 character from the value"});
    }
    if (c == '\'') out += '\'';
    out += c;
  }
  out += '\'';
  return out;
}

namespace {

std::string_view binary_op_text(BinaryOp op) {
  switch (op) {
    case BinaryOp::kAnd: return " AND ";
    case BinaryOp::kOr: return " OR ";
    case BinaryOp::kEq: return " = ";
    case BinaryOp::kNotEq: return " <> ";
    case BinaryOp::kLt: return " < ";
    case BinaryOp::kLte: return " <= ";
    case BinaryOp::kGt: return " > ";
    case BinaryOp::kGte: return " >= ";
    case BinaryOp::kAdd: return " + ";
    case BinaryOp::kSub: return " - ";
    case BinaryOp::kMul: return " * ";
    case BinaryOp::kDiv: return " / ";
    case BinaryOp::kIsNotDistinctFrom: return " IS NOT DISTINCT FROM ";
  }
  return " ? ";
}

// Whether `e` renders as one token-like unit that needs no parentheses as an
// operand: a column, a literal, a function call, or model SQL of the form
// alias.column.
bool is_atomic(const Expr& e) {
  switch (e.kind) {
    case ExprKind::kColumn:
    case ExprKind::kLiteral:
    case ExprKind::kStar:
    case ExprKind::kFunction:
    case ExprKind::kAggregate:
    case ExprKind::kCast:
    case ExprKind::kTimeTrunc:
    case ExprKind::kToLocalTime:
    case ExprKind::kTimestamp:
    case ExprKind::kSubquery:
    case ExprKind::kCase: return true;
    case ExprKind::kRawSql: {
      if (e.raw.size() == 1 && e.raw[0].kind == Expr::RawPiece::Kind::kExpr) {
        return is_atomic(*e.raw[0].expr);
      }
      if (e.raw.size() != 2 || e.raw[0].kind != Expr::RawPiece::Kind::kAlias ||
          e.raw[1].kind != Expr::RawPiece::Kind::kText) {
        return false;
      }
      const std::string& t = e.raw[1].text;
      if (t.size() < 2 || t[0] != '.') return false;
      for (size_t i = 1; i < t.size(); ++i) {
        char c = t[i];
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '_' || c == '"';
        if (!ok) return false;
      }
      return true;
    }
    default: return false;
  }
}

}  // namespace

namespace {

// Binding strength, loosest first, so operands get parentheses only where
// SQL's precedence would otherwise regroup them.
int precedence(const Expr& e) {
  switch (e.kind) {
    case ExprKind::kBinary:
      switch (e.op) {
        case BinaryOp::kOr: return 1;
        case BinaryOp::kAnd: return 2;
        case BinaryOp::kAdd:
        case BinaryOp::kSub: return 5;
        case BinaryOp::kMul:
        case BinaryOp::kDiv: return 6;
        default: return 4;  // comparisons
      }
    case ExprKind::kNot: return 3;
    case ExprKind::kIsNull:
    case ExprKind::kInList:
    case ExprKind::kLike: return 4;
    default: return is_atomic(e) ? 7 : 0;  // model SQL of unknown shape: always parenthesized
  }
}

bool associative(BinaryOp op) {
  return op == BinaryOp::kAnd || op == BinaryOp::kOr || op == BinaryOp::kAdd ||
         op == BinaryOp::kMul;
}

}  // namespace

void Dialect::render_expr(const Expr& e, Out& out) const {
  // `parent` is the operator `x` is an operand of (null: a function-like slot).
  auto operand = [&](const ExprPtr& x, const Expr* parent) {
    int mine = precedence(*x);
    int theirs = parent ? precedence(*parent) : 7;
    bool bare = mine > theirs ||
                (mine == theirs && mine != 4 && x->kind == ExprKind::kBinary && parent &&
                 parent->kind == ExprKind::kBinary && x->op == parent->op && associative(x->op));
    if (mine == 7) bare = true;
    if (bare) {
      render_expr(*x, out);
    } else {
      out << "(";
      render_expr(*x, out);
      out << ")";
    }
  };
  switch (e.kind) {
    case ExprKind::kColumn:
      if (!e.table.empty()) out << quote_identifier(e.table) << ".";
      out << quote_identifier(e.name);
      return;
    case ExprKind::kRawSql:
      for (const auto& p : e.raw) {
        switch (p.kind) {
          case Expr::RawPiece::Kind::kText: out << p.text; break;
          case Expr::RawPiece::Kind::kAlias: out << quote_identifier(p.text); break;
          case Expr::RawPiece::Kind::kExpr: operand(p.expr, nullptr); break;
        }
      }
      return;
    case ExprKind::kLiteral: render_literal(e.literal, out); return;
    case ExprKind::kStar: out << "*"; return;
    case ExprKind::kFunction:
      out << e.name << "(";
      for (size_t i = 0; i < e.args.size(); ++i) {
        if (i) out << ", ";
        render_expr(*e.args[i], out);
      }
      out << ")";
      return;
    case ExprKind::kAggregate: render_aggregate(e, out); return;
    case ExprKind::kBinary:
      operand(e.args[0], &e);
      out << binary_op_text(e.op);
      operand(e.args[1], &e);
      return;
    case ExprKind::kNot:
      out << "NOT ";
      operand(e.args[0], &e);
      return;
    case ExprKind::kIsNull:
      operand(e.args[0], &e);
      out << (e.negated ? " IS NOT NULL" : " IS NULL");
      return;
    case ExprKind::kInList:
      operand(e.args[0], &e);
      out << (e.negated ? " NOT IN (" : " IN (");
      for (size_t i = 1; i < e.args.size(); ++i) {
        if (i > 1) out << ", ";
        render_expr(*e.args[i], out);
      }
      out << ")";
      return;
    case ExprKind::kLike: render_like(e, out); return;
    case ExprKind::kCase: {
      out << "CASE";
      size_t pairs = (e.args.size() - (e.has_else ? 1 : 0)) / 2;
      for (size_t i = 0; i < pairs; ++i) {
        out << " WHEN ";
        render_expr(*e.args[2 * i], out);
        out << " THEN ";
        render_expr(*e.args[2 * i + 1], out);
      }
      if (e.has_else) {
        out << " ELSE ";
        render_expr(*e.args.back(), out);
      }
      out << " END";
      return;
    }
    case ExprKind::kCast:
      out << "CAST(";
      render_expr(*e.args[0], out);
      out << " AS ";
      render_type(e.cast_type, out);
      out << ")";
      return;
    case ExprKind::kTimeTrunc: render_time_trunc(e, out); return;
    case ExprKind::kToLocalTime: render_to_local_time(e, out); return;
    case ExprKind::kTimestamp: render_timestamp(e.micros, out); return;
    case ExprKind::kSubquery:
      out << "(";
      render_select(*e.subquery, out);
      out << ")";
      return;
  }
}

void Dialect::render_literal(const Value& v, Out& out) const {
  if (v.null) {
    out << "NULL";
    return;
  }
  switch (v.type.id) {
    case TypeId::kBoolean: out << (v.i ? "TRUE" : "FALSE"); return;
    case TypeId::kInt16:
    case TypeId::kInt32:
    case TypeId::kInt64: {
      std::string text = std::to_string(v.i);
      // A negative literal is parenthesized so `x - -1` never becomes a comment `--`.
      if (v.i < 0) text = "(" + text + ")";
      out << text;
      return;
    }
    case TypeId::kFloat:
    case TypeId::kDouble: {
      std::string text = double_to_string(v.d);
      if (text == "NaN" || text == "Infinity" || text == "-Infinity") {
        out << "CAST(" << string_literal(text) << " AS ";
        render_type(Type::of(TypeId::kDouble), out);
        out << ")";
        return;
      }
      if (v.d < 0) text = "(" + text + ")";
      out << text;
      return;
    }
    case TypeId::kDecimal: {
      std::string text = decimal_to_string(v.dec, v.type.scale);
      if (v.dec < 0) text = "(" + text + ")";
      out << text;
      return;
    }
    case TypeId::kDate: out << "DATE " << string_literal(format_date(v.i)); return;
    case TypeId::kTimestamp:
    case TypeId::kTimestampTz: render_timestamp(v.i, out); return;
    default: out << string_literal(v.s); return;
  }
}

void Dialect::render_time_trunc(const Expr& e, Out& out) const {
  out << "date_trunc(" << string_literal(granularity_name(e.granularity)) << ", ";
  render_expr(*e.args[0], out);
  out << ")";
}

void Dialect::render_timestamp(int64_t local_micros, Out& out) const {
  out << "TIMESTAMP " << string_literal(format_sql_timestamp(local_micros));
}

void Dialect::render_aggregate(const Expr& e, Out& out) const {
  auto arg = [&] {
    if (e.args.empty()) {
      out << "*";
    } else {
      render_expr(*e.args[0], out);
    }
  };
  switch (e.aggregate) {
    case AggregateFn::kCount: out << "count("; break;
    case AggregateFn::kCountDistinct: out << "count(DISTINCT "; break;
    case AggregateFn::kApproxCountDistinct: out << "approx_count_distinct("; break;
    case AggregateFn::kSum: out << "sum("; break;
    case AggregateFn::kAvg: out << "avg("; break;
    case AggregateFn::kMin: out << "min("; break;
    case AggregateFn::kMax: out << "max("; break;
  }
  arg();
  out << ")";
}

namespace {

// The LIKE pattern for `needle`: its own % _ and \ escaped with a backslash,
// wrapped in % according to the mode.
std::string like_pattern(const std::string& needle, LikeMode mode) {
  std::string p;
  p.reserve(needle.size() + 4);
  if (mode != LikeMode::kStartsWith) p += '%';
  for (char c : needle) {
    if (c == '%' || c == '_' || c == '\\') p += '\\';
    p += c;
  }
  if (mode != LikeMode::kEndsWith) p += '%';
  return p;
}

}  // namespace

void Dialect::render_like(const Expr& e, Out& out) const {
  if (e.negated) out << "NOT (";
  const Expr& arg = *e.args[0];
  if (is_atomic(arg)) {
    render_expr(arg, out);
  } else {
    out << "(";
    render_expr(arg, out);
    out << ")";
  }
  out << (e.case_insensitive ? " ILIKE " : " LIKE ");
  out << string_literal(like_pattern(e.literal.s, e.like_mode)) << " ESCAPE '\\'";
  if (e.negated) out << ")";
}

void Dialect::render_type(const Type& t, Out& out) const {
  switch (t.id) {
    case TypeId::kBoolean: out << "BOOLEAN"; return;
    case TypeId::kInt16: out << "SMALLINT"; return;
    case TypeId::kInt32: out << "INTEGER"; return;
    case TypeId::kInt64: out << "BIGINT"; return;
    case TypeId::kFloat: out << "REAL"; return;
    case TypeId::kDouble: out << "DOUBLE PRECISION"; return;
    case TypeId::kDecimal:
      out << "DECIMAL(" << std::to_string(t.precision) << "," << std::to_string(t.scale) << ")";
      return;
    case TypeId::kDate: out << "DATE"; return;
    case TypeId::kTimestamp: out << "TIMESTAMP"; return;
    case TypeId::kTimestampTz: out << "TIMESTAMP WITH TIME ZONE"; return;
    case TypeId::kTime: out << "TIME"; return;
    default: out << "VARCHAR"; return;
  }
}

void Dialect::render_limit(const Select& s, Out& out) const {
  if (s.limit) out << " LIMIT " << std::to_string(*s.limit);
  if (s.offset && *s.offset > 0) out << " OFFSET " << std::to_string(*s.offset);
}

namespace {

const char* join_keyword(JoinType t) {
  switch (t) {
    case JoinType::kInner: return " INNER JOIN ";
    case JoinType::kLeft: return " LEFT JOIN ";
    case JoinType::kFull: return " FULL JOIN ";
    case JoinType::kCross: return " CROSS JOIN ";
  }
  return " JOIN ";
}

}  // namespace

void Dialect::render_select(const Select& s, Out& out) const {
  if (!s.with.empty()) {
    out << "WITH ";
    for (size_t i = 0; i < s.with.size(); ++i) {
      if (i) out << ", ";
      out << quote_identifier(s.with[i].name) << " AS (";
      render_select(*s.with[i].select, out);
      out << ")";
    }
    out << " ";
  }
  out << (s.distinct ? "SELECT DISTINCT " : "SELECT ");
  for (size_t i = 0; i < s.items.size(); ++i) {
    if (i) out << ", ";
    render_expr(*s.items[i].expr, out);
    if (!s.items[i].alias.empty()) out << " AS " << quote_identifier(s.items[i].alias);
  }
  auto table_ref = [&](const TableRef& t) {
    switch (t.kind) {
      case TableRef::Kind::kTable: out << t.text; break;
      case TableRef::Kind::kRawSql: out << "(" << t.text << ")"; break;
      case TableRef::Kind::kSelect:
        out << "(";
        render_select(*t.select, out);
        out << ")";
        break;
      case TableRef::Kind::kUnionAll:
        out << "(";
        for (size_t i = 0; i < t.union_all.size(); ++i) {
          if (i) out << " UNION ALL ";
          render_select(*t.union_all[i], out);
        }
        out << ")";
        break;
      case TableRef::Kind::kName: out << quote_identifier(t.text); break;
    }
    if (!t.alias.empty()) out << " AS " << quote_identifier(t.alias);
  };
  if (s.from) {
    out << " FROM ";
    table_ref(*s.from);
  }
  for (const auto& j : s.joins) {
    out << join_keyword(j.type);
    table_ref(j.table);
    if (j.on) {
      out << " ON ";
      render_expr(*j.on, out);
    }
  }
  if (s.where) {
    out << " WHERE ";
    render_expr(*s.where, out);
  }
  if (!s.group_by.empty()) {
    out << " GROUP BY ";
    for (size_t i = 0; i < s.group_by.size(); ++i) {
      if (i) out << ", ";
      render_expr(*s.group_by[i], out);
    }
  }
  if (s.having) {
    out << " HAVING ";
    render_expr(*s.having, out);
  }
  if (!s.order_by.empty()) {
    out << " ORDER BY ";
    for (size_t i = 0; i < s.order_by.size(); ++i) {
      if (i) out << ", ";
      render_order_item(s.order_by[i], out);
    }
  }
  render_limit(s, out);
}

void Dialect::render_order_item(const OrderItem& item, Out& out) const {
  render_expr(*item.expr, out);
  // NULLs last in both directions, on every engine, so answers do not
  // depend on where a cube lives (PostgreSQL would put them first in DESC).
  out << (item.descending ? " DESC NULLS LAST" : " ASC NULLS LAST");
}

// --- DuckDB

void DuckDbDialect::render_to_local_time(const Expr& e, Out& out) const {
  // timezone(zone, timestamptz) gives the wall clock in `zone`; the cast reads
  // a naive TIMESTAMP as UTC because strata's DuckDB sessions run in UTC.
  out << "timezone(" << string_literal(e.name) << ", CAST(";
  render_expr(*e.args[0], out);
  out << " AS TIMESTAMPTZ))";
}

void DuckDbDialect::render_time_trunc(const Expr& e, Out& out) const {
  // DuckDB's date_trunc returns a DATE for day and coarser parts; keep the
  // type a TIMESTAMP whatever the granularity, as PostgreSQL does.
  out << "CAST(";
  Dialect::render_time_trunc(e, out);
  out << " AS TIMESTAMP)";
}

// --- PostgreSQL

void PostgresDialect::render_to_local_time(const Expr& e, Out& out) const {
  // The source's sessions run with TimeZone = 'UTC', so the cast reads a naive
  // timestamp as UTC; AT TIME ZONE then gives the wall clock in the zone.
  out << "(CAST(";
  render_expr(*e.args[0], out);
  out << " AS TIMESTAMPTZ) AT TIME ZONE " << string_literal(e.name) << ")";
}

void PostgresDialect::render_aggregate(const Expr& e, Out& out) const {
  if (e.aggregate == AggregateFn::kApproxCountDistinct) {
    // PostgreSQL has no built-in approximate distinct count; the exact count
    // is a correct (if slower) answer to an approximate question.
    out << "count(DISTINCT ";
    render_expr(*e.args[0], out);
    out << ")";
    return;
  }
  Dialect::render_aggregate(e, out);
}

const Dialect& dialect_named(std::string_view name) {
  static const DuckDbDialect kDuckDb;
  static const PostgresDialect kPostgres;
  static const MariaDbDialect kMariaDb;
  if (name == "duckdb") return kDuckDb;
  if (name == "postgres" || name == "postgresql") return kPostgres;
  if (name == "mariadb" || name == "mysql") return kMariaDb;
  throw UserError("unknown SQL dialect '" + std::string(name) + "'",
                  {.hint = "known dialects: duckdb, postgres, mariadb (or mysql)"});
}

}  // namespace strata::sql
