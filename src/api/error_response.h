// Errors as HTTP responses. Every strata::Error becomes its http_status()
// with a JSON body:
//
//   {"error": message, "type": "UserError", "path": "measures[0]",
//    "member": "orders.foo", "hint": "...", "file": ..., "line": ...,
//    "position": ..., "source": ...}
//
// "error" and "type" are always present ("error" is what Cube's clients
// show); the other fields only when the error carries them. "type" is the
// error class: UserError, NotFoundError, UnauthorizedError, SourceError,
// TimeoutError, InternalError.
#pragma once

#include <boost/json/fwd.hpp>
#include <string>
#include <string_view>

#include "api/http_message.h"
#include "core/error.h"

namespace strata {

std::string_view error_type_name(ErrorKind kind);

boost::json::object error_json(const Error& e);
HttpResponse error_response(const Error& e);

// Serializes `body` as the response body with `status`.
HttpResponse json_response(int status, const boost::json::value& body);
HttpResponse json_response(int status, const boost::json::object& body);

// Turns the exception in flight into a response: strata::Error keeps its
// status; anything else is an InternalError (500) whose message says what
// was thrown. Call only inside a catch block.
HttpResponse current_exception_response();

}  // namespace strata
