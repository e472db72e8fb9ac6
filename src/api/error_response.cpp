#include "api/error_response.h"

#include <spdlog/spdlog.h>

#include <boost/json.hpp>
#include <exception>
#include <new>

namespace strata {

namespace json = boost::json;

std::string_view error_type_name(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::kUser: return "UserError";
    case ErrorKind::kNotFound: return "NotFoundError";
    case ErrorKind::kUnauthorized: return "UnauthorizedError";
    case ErrorKind::kSource: return "SourceError";
    case ErrorKind::kTimeout: return "TimeoutError";
    case ErrorKind::kInternal: return "InternalError";
  }
  return "InternalError";
}

json::object error_json(const Error& e) {
  json::object out;
  out["error"] = e.message();
  out["type"] = error_type_name(e.kind());
  const ErrorContext& c = e.context();
  if (!c.json_path.empty()) out["path"] = c.json_path;
  if (!c.member.empty()) out["member"] = c.member;
  if (!c.hint.empty()) out["hint"] = c.hint;
  if (!c.file.empty()) out["file"] = c.file;
  if (c.line > 0) out["line"] = c.line;
  if (c.position > 0) out["position"] = c.position;
  if (const auto* source_error = dynamic_cast<const SourceError*>(&e)) {
    out["source"] = source_error->source();
  }
  return out;
}

HttpResponse error_response(const Error& e) {
  return json_response(e.http_status(), error_json(e));
}

HttpResponse json_response(int status, const json::value& body) {
  HttpResponse r;
  r.status = status;
  r.body = json::serialize(body);
  return r;
}

HttpResponse json_response(int status, const json::object& body) {
  HttpResponse r;
  r.status = status;
  r.body = json::serialize(body);
  return r;
}

HttpResponse current_exception_response() {
  try {
    throw;
  } catch (const Error& e) {
    if (e.kind() == ErrorKind::kInternal) spdlog::error("internal error: {}", e.what());
    return error_response(e);
  } catch (const std::bad_alloc&) {
    spdlog::error("out of memory while handling a request");
    return error_response(InternalError("out of memory while handling the request"));
  } catch (const std::exception& e) {
    spdlog::error("unexpected exception while handling a request: {}", e.what());
    return error_response(InternalError(std::string("unexpected error: ") + e.what()));
  } catch (...) {
    spdlog::error("unknown exception while handling a request");
    return error_response(InternalError("unexpected error of unknown type"));
  }
}

}  // namespace strata
