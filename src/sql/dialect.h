// Dialect: renders the SQL AST for one engine. The base class renders
// standard SQL; engines override the few places they differ (identifier and
// literal quoting, time functions, approximate distinct counts).
//
// Every Literal is escaped here; identifiers are always quoted. A string
// containing a NUL byte cannot be represented safely and is rejected with a
// UserError rather than truncated.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "sql/ast.h"

namespace strata::sql {

class Dialect {
 public:
  virtual ~Dialect() = default;

  virtual std::string_view name() const = 0;  // "duckdb", "postgres"

  std::string render(const Select& select) const;
  std::string render(const Expr& expr) const;

  virtual std::string quote_identifier(std::string_view id) const;
  virtual std::string string_literal(std::string_view s) const;

 protected:
  struct Out;
  virtual void render_select(const Select& s, Out& out) const;
  virtual void render_expr(const Expr& e, Out& out) const;
  virtual void render_literal(const Value& v, Out& out) const;
  virtual void render_time_trunc(const Expr& e, Out& out) const;
  virtual void render_to_local_time(const Expr& e, Out& out) const = 0;
  virtual void render_timestamp(int64_t local_micros, Out& out) const;
  virtual void render_aggregate(const Expr& e, Out& out) const;
  virtual void render_like(const Expr& e, Out& out) const;
  virtual void render_type(const Type& t, Out& out) const;
  virtual void render_limit(const Select& s, Out& out) const;
  // One ORDER BY item: expression, direction, NULLs last.
  virtual void render_order_item(const OrderItem& item, Out& out) const;
};

class DuckDbDialect : public Dialect {
 public:
  std::string_view name() const override { return "duckdb"; }

 protected:
  void render_to_local_time(const Expr& e, Out& out) const override;
  void render_time_trunc(const Expr& e, Out& out) const override;
};

class PostgresDialect : public Dialect {
 public:
  std::string_view name() const override { return "postgres"; }

 protected:
  void render_to_local_time(const Expr& e, Out& out) const override;
  void render_aggregate(const Expr& e, Out& out) const override;
};

// MariaDB and MySQL. Identifiers in backticks. String literals are written so
// that they mean the same whether or not the session has
// NO_BACKSLASH_ESCAPES (quotes doubled; a string holding a backslash is
// written as a hex literal), so no sql_mode can turn a value into SQL.
// Time zones: the zone's UTC offsets (1900-2100, from strata's tzdata) are
// written into the SQL (a binary search with INTERVAL() and ELT()), so the
// server needs no time zone tables; truncation with DATE_FORMAT, weeks from
// Monday. ILIKE becomes LOWER() LIKE LOWER(); approximate distinct counts are
// exact; NULLs sort last through `x IS NULL` before each ORDER BY item (on an
// outer SELECT over the query when it orders by its own aliases, because
// MariaDB rejects an alias of an aggregate inside an ORDER BY expression).
class MariaDbDialect : public Dialect {
 public:
  std::string_view name() const override { return "mariadb"; }
  std::string quote_identifier(std::string_view id) const override;
  std::string string_literal(std::string_view s) const override;

 protected:
  void render_select(const Select& s, Out& out) const override;
  void render_expr(const Expr& e, Out& out) const override;
  void render_to_local_time(const Expr& e, Out& out) const override;
  void render_time_trunc(const Expr& e, Out& out) const override;
  void render_aggregate(const Expr& e, Out& out) const override;
  void render_like(const Expr& e, Out& out) const override;
  void render_type(const Type& t, Out& out) const override;
  void render_limit(const Select& s, Out& out) const override;
  void render_order_item(const OrderItem& item, Out& out) const override;
};

// The dialect called `name` ("duckdb", "postgres"/"postgresql",
// "mariadb"/"mysql"). Throws UserError listing the known dialects for
// anything else. Dialects are stateless singletons.
const Dialect& dialect_named(std::string_view name);

}  // namespace strata::sql
