#include "core/error.h"

namespace strata {

namespace {

std::string compose(const std::string& message, const ErrorContext& c) {
  std::string out = message;
  std::string where;
  if (!c.file.empty()) {
    where = c.file;
    if (c.line > 0) where += ":" + std::to_string(c.line);
  }
  if (!c.member.empty()) {
    if (!where.empty()) where += ", ";
    where += "member " + c.member;
  }
  if (!c.json_path.empty()) {
    if (!where.empty()) where += ", ";
    where += "JSON path " + c.json_path;
  }
  if (c.position > 0) {
    if (!where.empty()) where += ", ";
    where += "position " + std::to_string(c.position);
  }
  if (!where.empty()) out += " (at " + where + ")";
  if (!c.hint.empty()) out += ". " + c.hint;
  return out;
}

}  // namespace

Error::Error(ErrorKind kind, std::string message, ErrorContext context)
    : kind_(kind),
      message_(std::move(message)),
      context_(std::move(context)),
      full_(compose(message_, context_)) {}

int Error::http_status() const {
  switch (kind_) {
    case ErrorKind::kUser:
      return 400;
    case ErrorKind::kNotFound:
      return 404;
    case ErrorKind::kUnauthorized:
      return 403;
    case ErrorKind::kSource:
      return 503;
    case ErrorKind::kTimeout:
      return 504;
    case ErrorKind::kInternal:
      return 500;
  }
  return 500;
}

std::string Error::sqlstate() const {
  if (!context_.sqlstate.empty()) return context_.sqlstate;
  switch (kind_) {
    case ErrorKind::kUser:
      return "22023";  // invalid_parameter_value
    case ErrorKind::kNotFound:
      return "42704";  // undefined_object
    case ErrorKind::kUnauthorized:
      return "28000";  // invalid_authorization_specification
    case ErrorKind::kSource:
      return "08006";  // connection_failure
    case ErrorKind::kTimeout:
      return "57014";  // query_canceled
    case ErrorKind::kInternal:
      return "XX000";  // internal_error
  }
  return "XX000";
}

}  // namespace strata
