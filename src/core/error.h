// The one error hierarchy of strata. Every failure a user can see is one of
// these; each maps to an HTTP status (REST, GraphQL, MCP) and a SQLSTATE
// (the PostgreSQL wire protocol), so frontends never invent their own codes.
//
// An error says what was wrong (message), where (ErrorContext: the member,
// the model file and line, the JSON path of the request, or the position in
// a SQL text) and how to fix it (hint). Construct with designated
// initializers:
//
//   throw UserError("unknown member 'orders.foo'",
//                   {.member = "orders.foo", .json_path = "measures[0]",
//                    .hint = "members are written cube.member; see /meta"});
#pragma once

#include <exception>
#include <string>
#include <string_view>

namespace strata {

struct ErrorContext {
  std::string member;     // "orders.total_amount", when one member is concerned
  std::string file;       // model file, when the error is in the model
  int line = 0;           // 1-based line in `file`, 0 when unknown
  std::string json_path;  // "filters[1].values[0]", when in a JSON request
  int position = 0;       // 1-based character position in a SQL text, 0 when unknown
  std::string hint;       // how to fix it, in one sentence
  std::string sqlstate;   // overrides the class's default SQLSTATE when set
};

enum class ErrorKind {
  kUser,          // the request or model is wrong: 400
  kNotFound,      // a named thing does not exist: 404
  kUnauthorized,  // missing, bad or expired credentials: 403 (as Cube answers)
  kSource,        // a data source failed or is unreachable: 503
  kTimeout,       // a query ran past its time limit or was cancelled: 504
  kInternal,      // a bug in strata: 500
};

class Error : public std::exception {
 public:
  Error(ErrorKind kind, std::string message, ErrorContext context = {});

  ErrorKind kind() const { return kind_; }
  const std::string& message() const { return message_; }
  const ErrorContext& context() const { return context_; }

  int http_status() const;
  // Five-character SQLSTATE: context().sqlstate if set, else the kind's default.
  std::string sqlstate() const;

  // Message followed by the location ("at models/orders.yml:12, member
  // orders.count") and the hint; what logs and the CLI print.
  const char* what() const noexcept override { return full_.c_str(); }

 private:
  ErrorKind kind_;
  std::string message_;
  ErrorContext context_;
  std::string full_;
};

class UserError : public Error {
 public:
  explicit UserError(std::string message, ErrorContext context = {})
      : Error(ErrorKind::kUser, std::move(message), std::move(context)) {}
};

class NotFoundError : public Error {
 public:
  explicit NotFoundError(std::string message, ErrorContext context = {})
      : Error(ErrorKind::kNotFound, std::move(message), std::move(context)) {}
};

class UnauthorizedError : public Error {
 public:
  explicit UnauthorizedError(std::string message, ErrorContext context = {})
      : Error(ErrorKind::kUnauthorized, std::move(message), std::move(context)) {}
};

// A data source failed. `source` names it so a 503 can say which one.
class SourceError : public Error {
 public:
  SourceError(std::string source, std::string message, ErrorContext context = {})
      : Error(ErrorKind::kSource, std::move(message), std::move(context)),
        source_(std::move(source)) {}
  const std::string& source() const { return source_; }

 private:
  std::string source_;
};

class TimeoutError : public Error {
 public:
  explicit TimeoutError(std::string message, ErrorContext context = {})
      : Error(ErrorKind::kTimeout, std::move(message), std::move(context)) {}
};

class InternalError : public Error {
 public:
  explicit InternalError(std::string message, ErrorContext context = {})
      : Error(ErrorKind::kInternal, std::move(message), std::move(context)) {}
};

}  // namespace strata
