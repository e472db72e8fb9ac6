// A small SQL AST: what the planner emits and a Dialect renders. Nodes are
// immutable and shared (ExprPtr is a shared_ptr to const), so plans can reuse
// subtrees freely.
//
// Only two node kinds carry text that is not generated here: RawSql (model
// SQL, written by the model's author, trusted like code) and Literal (a
// Value, escaped by the Dialect). User input reaches SQL only as Literals.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/time.h"
#include "core/types.h"

namespace strata::sql {

struct Expr;
struct Select;
using ExprPtr = std::shared_ptr<const Expr>;
using SelectPtr = std::shared_ptr<const Select>;

enum class ExprKind {
  kColumn,       // "table"."column"  (table may be empty)
  kRawSql,       // model SQL with table-alias slots
  kLiteral,      // a Value
  kStar,         // *
  kFunction,     // name(args) / name(DISTINCT args): generic, name from strata's code only
  kAggregate,    // count/sum/avg/min/max/count_distinct/approx_count_distinct
  kBinary,       // lhs op rhs
  kNot,          // NOT arg
  kIsNull,       // arg IS [NOT] NULL
  kInList,       // arg [NOT] IN (list)
  kLike,         // arg [NOT] [I]LIKE pattern, with the dialect's escaping
  kCase,         // CASE WHEN .. THEN .. ELSE .. END
  kCast,         // CAST(arg AS type)
  kTimeTrunc,    // truncate a timestamp to a granularity
  kToLocalTime,  // an instant (timestamp/timestamptz column) as wall clock in a zone
  kTimestamp,    // a timestamp literal, local_micros
  kSubquery,     // (SELECT ...)
};

enum class BinaryOp {
  kAnd,
  kOr,
  kEq,
  kNotEq,
  kLt,
  kLte,
  kGt,
  kGte,
  kAdd,
  kSub,
  kMul,
  kDiv,
  kIsNotDistinctFrom,
};

enum class AggregateFn { kCount, kCountDistinct, kApproxCountDistinct, kSum, kAvg, kMin, kMax };

enum class LikeMode { kContains, kStartsWith, kEndsWith };

struct Expr {
  ExprKind kind;

  // kColumn: table, name. kFunction: name. kToLocalTime: name = IANA zone.
  std::string table;
  std::string name;

  // kRawSql: model SQL text, table aliases to quote, and expressions the
  // planner substitutes (a number measure's {measure} references).
  struct RawPiece {
    enum class Kind { kText, kAlias, kExpr };
    Kind kind = Kind::kText;
    std::string text;  // kText: verbatim SQL; kAlias: the alias to quote
    ExprPtr expr;      // kExpr
  };
  std::vector<RawPiece> raw;

  Value literal;  // kLiteral

  std::vector<ExprPtr> args;  // operands, function/aggregate args; kCase: when,then,...,[else]
  BinaryOp op = BinaryOp::kAnd;
  AggregateFn aggregate = AggregateFn::kCount;
  bool negated = false;          // kIsNull (IS NOT NULL), kInList, kLike
  bool case_insensitive = true;  // kLike
  LikeMode like_mode = LikeMode::kContains;
  bool has_else = false;                        // kCase
  Type cast_type;                               // kCast
  Granularity granularity = Granularity::kDay;  // kTimeTrunc
  int64_t micros = 0;                           // kTimestamp
  SelectPtr subquery;                           // kSubquery
};

// Constructors.
ExprPtr column(std::string table, std::string name);
ExprPtr raw_sql(std::vector<Expr::RawPiece> pieces);
ExprPtr literal(Value v);
ExprPtr star();
ExprPtr function(std::string name, std::vector<ExprPtr> args);
ExprPtr aggregate(AggregateFn fn, ExprPtr arg);  // arg null: count(*)
ExprPtr binary(BinaryOp op, ExprPtr lhs, ExprPtr rhs);
ExprPtr and_all(std::vector<ExprPtr> terms);  // null when empty; the one term when one
ExprPtr or_all(std::vector<ExprPtr> terms);
ExprPtr not_(ExprPtr arg);
ExprPtr is_null(ExprPtr arg, bool negated);
ExprPtr in_list(ExprPtr arg, std::vector<ExprPtr> values, bool negated);
ExprPtr like(ExprPtr arg, std::string needle, LikeMode mode, bool negated, bool case_insensitive);
ExprPtr case_when(std::vector<std::pair<ExprPtr, ExprPtr>> whens, ExprPtr otherwise);
ExprPtr cast(ExprPtr arg, Type type);
ExprPtr time_trunc(Granularity g, ExprPtr arg);
ExprPtr to_local_time(ExprPtr instant, std::string zone);
ExprPtr timestamp_literal(int64_t local_micros);
ExprPtr subquery(SelectPtr select);

struct SelectItem {
  ExprPtr expr;
  std::string alias;  // "" = none
};

struct TableRef {
  enum class Kind { kTable, kRawSql, kSelect, kUnionAll, kName };
  Kind kind = Kind::kTable;
  std::string
      text;  // kTable: model's sql_table (trusted); kRawSql: model SELECT; kName: a CTE name
  SelectPtr select;                  // kSelect
  std::vector<SelectPtr> union_all;  // kUnionAll: branches with the same columns
  std::string alias;
};

enum class JoinType { kInner, kLeft, kFull, kCross };

struct JoinClause {
  JoinType type = JoinType::kLeft;
  TableRef table;
  ExprPtr on;  // null for kCross
};

struct OrderItem {
  ExprPtr expr;
  bool descending = false;
};

struct Cte {
  std::string name;
  SelectPtr select;
};

struct Select {
  std::vector<Cte> with;
  bool distinct = false;
  std::vector<SelectItem> items;
  std::optional<TableRef> from;
  std::vector<JoinClause> joins;
  ExprPtr where;
  std::vector<ExprPtr> group_by;
  ExprPtr having;
  std::vector<OrderItem> order_by;
  std::optional<int64_t> limit;
  std::optional<int64_t> offset;
};

}  // namespace strata::sql
