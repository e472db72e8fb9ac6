#include "sql/ast.h"

namespace strata::sql {

namespace {

std::shared_ptr<Expr> make(ExprKind kind) {
  auto e = std::make_shared<Expr>();
  e->kind = kind;
  return e;
}

}  // namespace

ExprPtr column(std::string table, std::string name) {
  auto e = make(ExprKind::kColumn);
  e->table = std::move(table);
  e->name = std::move(name);
  return e;
}

ExprPtr raw_sql(std::vector<Expr::RawPiece> pieces) {
  auto e = make(ExprKind::kRawSql);
  e->raw = std::move(pieces);
  return e;
}

ExprPtr literal(Value v) {
  auto e = make(ExprKind::kLiteral);
  e->literal = std::move(v);
  return e;
}

ExprPtr star() {
  return make(ExprKind::kStar);
}

ExprPtr function(std::string name, std::vector<ExprPtr> args) {
  auto e = make(ExprKind::kFunction);
  e->name = std::move(name);
  e->args = std::move(args);
  return e;
}

ExprPtr aggregate(AggregateFn fn, ExprPtr arg) {
  auto e = make(ExprKind::kAggregate);
  e->aggregate = fn;
  if (arg) e->args.push_back(std::move(arg));
  return e;
}

ExprPtr binary(BinaryOp op, ExprPtr lhs, ExprPtr rhs) {
  auto e = make(ExprKind::kBinary);
  e->op = op;
  e->args = {std::move(lhs), std::move(rhs)};
  return e;
}

namespace {

ExprPtr fold(BinaryOp op, std::vector<ExprPtr> terms) {
  std::vector<ExprPtr> kept;
  for (auto& t : terms) {
    if (t) kept.push_back(std::move(t));
  }
  if (kept.empty()) return nullptr;
  ExprPtr acc = kept[0];
  for (size_t i = 1; i < kept.size(); ++i)
    acc = binary(op, acc, kept[i]);
  return acc;
}

}  // namespace

ExprPtr and_all(std::vector<ExprPtr> terms) {
  return fold(BinaryOp::kAnd, std::move(terms));
}
ExprPtr or_all(std::vector<ExprPtr> terms) {
  return fold(BinaryOp::kOr, std::move(terms));
}

ExprPtr not_(ExprPtr arg) {
  auto e = make(ExprKind::kNot);
  e->args.push_back(std::move(arg));
  return e;
}

ExprPtr is_null(ExprPtr arg, bool negated) {
  auto e = make(ExprKind::kIsNull);
  e->args.push_back(std::move(arg));
  e->negated = negated;
  return e;
}

ExprPtr in_list(ExprPtr arg, std::vector<ExprPtr> values, bool negated) {
  auto e = make(ExprKind::kInList);
  e->args.push_back(std::move(arg));
  for (auto& v : values)
    e->args.push_back(std::move(v));
  e->negated = negated;
  return e;
}

ExprPtr like(ExprPtr arg, std::string needle, LikeMode mode, bool negated, bool case_insensitive) {
  auto e = make(ExprKind::kLike);
  e->args.push_back(std::move(arg));
  e->literal = Value::string(std::move(needle));
  e->like_mode = mode;
  e->negated = negated;
  e->case_insensitive = case_insensitive;
  return e;
}

ExprPtr case_when(std::vector<std::pair<ExprPtr, ExprPtr>> whens, ExprPtr otherwise) {
  auto e = make(ExprKind::kCase);
  for (auto& [when, then] : whens) {
    e->args.push_back(std::move(when));
    e->args.push_back(std::move(then));
  }
  if (otherwise) {
    e->args.push_back(std::move(otherwise));
    e->has_else = true;
  }
  return e;
}

ExprPtr cast(ExprPtr arg, Type type) {
  auto e = make(ExprKind::kCast);
  e->args.push_back(std::move(arg));
  e->cast_type = type;
  return e;
}

ExprPtr time_trunc(Granularity g, ExprPtr arg) {
  auto e = make(ExprKind::kTimeTrunc);
  e->granularity = g;
  e->args.push_back(std::move(arg));
  return e;
}

ExprPtr to_local_time(ExprPtr instant, std::string zone) {
  auto e = make(ExprKind::kToLocalTime);
  e->name = std::move(zone);
  e->args.push_back(std::move(instant));
  return e;
}

ExprPtr timestamp_literal(int64_t local_micros) {
  auto e = make(ExprKind::kTimestamp);
  e->micros = local_micros;
  return e;
}

ExprPtr subquery(SelectPtr select) {
  auto e = make(ExprKind::kSubquery);
  e->subquery = std::move(select);
  return e;
}

}  // namespace strata::sql
