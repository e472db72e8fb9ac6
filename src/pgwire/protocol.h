// The PostgreSQL frontend/backend protocol, version 3.0: framing, parsing of
// the messages a client sends (with strict length and content checks) and
// building of the messages the server sends. Pure functions over byte
// strings: no sockets here, so every malformed input is unit-testable.
//
// Every parse function throws ProtocolViolation (a UserError with SQLSTATE
// 08P01, protocol_violation) when the bytes are malformed: a length that does
// not match the content, a missing string terminator, a negative count, a
// format code other than 0/1, trailing bytes. After a ProtocolViolation the
// connection cannot be resynchronized and is closed (as PostgreSQL does).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "pgwire/pg_types.h"

namespace strata::pgwire {

class ProtocolViolation : public UserError {
 public:
  explicit ProtocolViolation(std::string message)
      : UserError(std::move(message), {.sqlstate = "08P01"}) {}
};

inline constexpr int32_t kProtocol30 = 196608;  // 3 << 16
inline constexpr int32_t kSslRequestCode = 80877103;
inline constexpr int32_t kCancelRequestCode = 80877102;
inline constexpr int32_t kGssEncRequestCode = 80877104;
// PostgreSQL's limits: a startup packet is at most 10000 bytes, and the
// messages that carry no query text are as small.
inline constexpr size_t kMaxStartupPacket = 10000;
inline constexpr size_t kMaxSmallMessage = 10000;

// --- Framing ------------------------------------------------------------------

// The body length of a startup-phase packet whose 4-byte length field reads
// `length` (which counts itself). Throws ProtocolViolation when it is smaller
// than 8 or larger than kMaxStartupPacket.
size_t startup_body_length(int32_t length);

// The body length of a regular message of type `type` whose length field reads
// `length`. Throws ProtocolViolation for an unknown message type, a length
// under 4, or one over the type's limit (kMaxSmallMessage for Sync, Flush,
// Terminate, Describe, Close, Execute; `max_message_bytes` for the rest).
size_t message_body_length(char type, int32_t length, size_t max_message_bytes);

// --- Frontend messages ----------------------------------------------------------

struct StartupPacket {
  enum class Kind { kStartup, kSslRequest, kGssEncRequest, kCancel };
  Kind kind = Kind::kStartup;
  int32_t protocol = 0;                       // kStartup: the requested version
  std::map<std::string, std::string> params;  // kStartup: user, database, options, ...
  int32_t cancel_pid = 0;                     // kCancel
  int32_t cancel_key = 0;                     // kCancel
};
// `body` is the packet after its length field. Rejects protocol versions other
// than 3.x, a missing `user`, empty or duplicate parameter names and a missing
// terminator.
StartupPacket parse_startup_packet(std::string_view body);

struct ParseMessage {
  std::string statement;
  std::string query;
  std::vector<int32_t> param_types;  // 0 = unspecified
};
ParseMessage parse_parse(std::string_view body);

struct BindMessage {
  std::string portal;
  std::string statement;
  std::vector<int16_t> param_formats;              // 0, 1 or n entries
  std::vector<std::optional<std::string>> params;  // nullopt = NULL
  std::vector<int16_t> result_formats;             // 0, 1 or n entries
  // The format of parameter i / result column i under PostgreSQL's rules
  // (no codes: text; one code: all; else per column). Throws
  // ProtocolViolation when the counts do not fit.
  int16_t param_format(size_t i) const;
  int16_t result_format(size_t i, size_t columns) const;
};
BindMessage parse_bind(std::string_view body);

struct DescribeMessage {
  char kind = 'S';  // 'S' statement or 'P' portal
  std::string name;
};
DescribeMessage parse_describe(std::string_view body);
DescribeMessage parse_close(std::string_view body);  // same shape

struct ExecuteMessage {
  std::string portal;
  int32_t max_rows = 0;  // 0: all
};
ExecuteMessage parse_execute(std::string_view body);

std::string parse_query(std::string_view body);     // 'Q'
std::string parse_password(std::string_view body);  // 'p' for cleartext / md5
struct SaslInitial {
  std::string mechanism;
  std::optional<std::string> data;  // nullopt when the length is -1
};
SaslInitial parse_sasl_initial(std::string_view body);  // 'p' first SASL message
// 'p' later SASL messages: the whole body is the data.

// --- Backend messages -------------------------------------------------------------

// Appends complete messages (type byte, length, body) to `out`.
void put_auth_ok(std::string& out);
void put_auth_cleartext(std::string& out);
void put_auth_md5(std::string& out, const std::string& salt4);
void put_auth_sasl(std::string& out, const std::vector<std::string>& mechanisms);
void put_auth_sasl_continue(std::string& out, std::string_view data);
void put_auth_sasl_final(std::string& out, std::string_view data);
void put_parameter_status(std::string& out, std::string_view name, std::string_view value);
void put_backend_key(std::string& out, int32_t pid, int32_t key);
void put_ready(std::string& out, char status);  // 'I', 'T' or 'E'
void put_row_description(std::string& out, const std::vector<PgField>& fields,
                         const std::vector<int16_t>& formats);
void put_parameter_description(std::string& out, const std::vector<int32_t>& oids);
void put_command_complete(std::string& out, std::string_view tag);
void put_empty_query(std::string& out);
void put_parse_complete(std::string& out);
void put_bind_complete(std::string& out);
void put_close_complete(std::string& out);
void put_no_data(std::string& out);
void put_portal_suspended(std::string& out);
void put_negotiate_protocol(std::string& out, int32_t newest_minor,
                            const std::vector<std::string>& unrecognized);

struct ErrorFields {
  std::string severity = "ERROR";  // ERROR, FATAL, WARNING, NOTICE
  std::string sqlstate = "XX000";
  std::string message;
  std::string detail;
  std::string hint;
  int position = 0;  // 1-based character position in the query, 0 = none
};
void put_error(std::string& out, const ErrorFields& e);   // 'E'
void put_notice(std::string& out, const ErrorFields& e);  // 'N'

// DataRow: begin_data_row() writes the header and returns its offset; the
// caller appends `columns` fields (CellEncoder::append) and calls
// end_message() to patch the length.
size_t begin_message(std::string& out, char type);
void end_message(std::string& out, size_t start);

}  // namespace strata::pgwire
