#include "pgwire/protocol.h"

#include <set>

#include "pgwire/bytes.h"

namespace strata::pgwire {

namespace {

// Reads a message body front to back; every read checks the bytes are there.
class Reader {
 public:
  Reader(std::string_view body, const char* what) : b_(body), what_(what) {}

  int16_t i16() {
    need(2);
    int16_t v = get_i16(b_.data() + pos_);
    pos_ += 2;
    return v;
  }
  int32_t i32() {
    need(4);
    int32_t v = get_i32(b_.data() + pos_);
    pos_ += 4;
    return v;
  }
  char byte() {
    need(1);
    return b_[pos_++];
  }
  std::string cstring() {
    size_t end = b_.find('\0', pos_);
    if (end == std::string_view::npos) {
      throw ProtocolViolation(std::string("invalid string in ") + what_ +
                              " message: missing terminator");
    }
    std::string s(b_.substr(pos_, end - pos_));
    pos_ = end + 1;
    return s;
  }
  std::string bytes(size_t n) {
    need(n);
    std::string s(b_.substr(pos_, n));
    pos_ += n;
    return s;
  }
  size_t left() const { return b_.size() - pos_; }
  void done() {
    if (pos_ != b_.size()) {
      throw ProtocolViolation(std::string("invalid ") + what_ + " message format: " +
                              std::to_string(b_.size() - pos_) + " unexpected trailing bytes");
    }
  }
  // A count that must be non-negative and cannot exceed what the rest of the
  // message could hold at `min_bytes_each`.
  size_t count16(size_t min_bytes_each) {
    int16_t n = i16();
    if (n < 0) {
      throw ProtocolViolation(std::string("invalid ") + what_ + " message: negative count");
    }
    if (min_bytes_each > 0 && static_cast<size_t>(n) * min_bytes_each > left()) {
      throw ProtocolViolation(std::string("insufficient data left in ") + what_ + " message");
    }
    return static_cast<size_t>(n);
  }

 private:
  void need(size_t n) {
    if (b_.size() - pos_ < n) {
      throw ProtocolViolation(std::string("insufficient data left in ") + what_ + " message");
    }
  }
  std::string_view b_;
  const char* what_;
  size_t pos_ = 0;
};

void check_format(int16_t f) {
  if (f != 0 && f != 1) {
    throw ProtocolViolation("unsupported format code: " + std::to_string(f));
  }
}

void simple(std::string& out, char type) {
  out.push_back(type);
  put_i32(out, 4);
}

void put_cstring(std::string& out, std::string_view s) {
  // A NUL inside would cut the string short on the client; drop it.
  for (char c : s) {
    if (c != '\0') out.push_back(c);
  }
  out.push_back('\0');
}

}  // namespace

// --- Framing ----------------------------------------------------------------------

size_t startup_body_length(int32_t length) {
  if (length < 8 || static_cast<size_t>(length) > kMaxStartupPacket) {
    throw ProtocolViolation("invalid length of startup packet: " + std::to_string(length));
  }
  return static_cast<size_t>(length) - 4;
}

size_t message_body_length(char type, int32_t length, size_t max_message_bytes) {
  size_t limit = 0;
  switch (type) {
    case 'S':  // Sync
    case 'H':  // Flush
    case 'X':  // Terminate
    case 'D':  // Describe
    case 'C':  // Close
    case 'E':  // Execute
    case 'c':  // CopyDone
      limit = kMaxSmallMessage;
      break;
    case 'Q':  // Query
    case 'P':  // Parse
    case 'B':  // Bind
    case 'p':  // password / SASL
    case 'F':  // FunctionCall
    case 'd':  // CopyData
    case 'f':  // CopyFail
      limit = max_message_bytes;
      break;
    default: {
      auto u = static_cast<unsigned char>(type);
      std::string shown =
          (u >= 0x20 && u < 0x7f) ? std::string("'") + type + "'" : "0x" + std::to_string(u);
      throw ProtocolViolation("invalid frontend message type " + shown);
    }
  }
  if (length < 4 || static_cast<size_t>(length) - 4 > limit) {
    throw ProtocolViolation("invalid message length " + std::to_string(length) + " for type '" +
                            std::string(1, type) + "'");
  }
  return static_cast<size_t>(length) - 4;
}

// --- Frontend messages ---------------------------------------------------------------

StartupPacket parse_startup_packet(std::string_view body) {
  Reader r(body, "startup");
  StartupPacket p;
  int32_t code = r.i32();
  if (code == kSslRequestCode || code == kGssEncRequestCode) {
    r.done();
    p.kind = code == kSslRequestCode ? StartupPacket::Kind::kSslRequest
                                     : StartupPacket::Kind::kGssEncRequest;
    return p;
  }
  if (code == kCancelRequestCode) {
    p.kind = StartupPacket::Kind::kCancel;
    p.cancel_pid = r.i32();
    p.cancel_key = r.i32();
    r.done();
    return p;
  }
  if ((code >> 16) != 3) {
    throw ProtocolViolation("unsupported frontend protocol " + std::to_string(code >> 16) + "." +
                            std::to_string(code & 0xffff) + ": server supports 3.0 to 3.0");
  }
  p.kind = StartupPacket::Kind::kStartup;
  p.protocol = code;
  for (;;) {
    std::string key = r.cstring();
    if (key.empty()) break;
    std::string value = r.cstring();
    if (!p.params.emplace(key, value).second) {
      throw ProtocolViolation("duplicate startup parameter \"" + key + "\"");
    }
  }
  r.done();
  auto user = p.params.find("user");
  if (user == p.params.end() || user->second.empty()) {
    throw UserError("no PostgreSQL user name specified in startup packet",
                    {.hint = "connect with a user name, e.g. psql -U NAME", .sqlstate = "28000"});
  }
  return p;
}

ParseMessage parse_parse(std::string_view body) {
  Reader r(body, "Parse");
  ParseMessage m;
  m.statement = r.cstring();
  m.query = r.cstring();
  size_t n = r.count16(4);
  m.param_types.reserve(n);
  for (size_t i = 0; i < n; ++i) m.param_types.push_back(r.i32());
  r.done();
  return m;
}

BindMessage parse_bind(std::string_view body) {
  Reader r(body, "Bind");
  BindMessage m;
  m.portal = r.cstring();
  m.statement = r.cstring();
  size_t nf = r.count16(2);
  for (size_t i = 0; i < nf; ++i) {
    int16_t f = r.i16();
    check_format(f);
    m.param_formats.push_back(f);
  }
  size_t np = r.count16(4);
  m.params.reserve(np);
  for (size_t i = 0; i < np; ++i) {
    int32_t len = r.i32();
    if (len == -1) {
      m.params.emplace_back(std::nullopt);
    } else if (len < 0) {
      throw ProtocolViolation("invalid length " + std::to_string(len) + " of bind parameter " +
                              std::to_string(i + 1));
    } else {
      if (static_cast<size_t>(len) > r.left()) {
        throw ProtocolViolation("insufficient data left in Bind message");
      }
      m.params.emplace_back(r.bytes(static_cast<size_t>(len)));
    }
  }
  if (nf > 1 && nf != np) {
    throw ProtocolViolation("bind message has " + std::to_string(nf) + " parameter formats but " +
                            std::to_string(np) + " parameters");
  }
  size_t nr = r.count16(2);
  for (size_t i = 0; i < nr; ++i) {
    int16_t f = r.i16();
    check_format(f);
    m.result_formats.push_back(f);
  }
  r.done();
  return m;
}

int16_t BindMessage::param_format(size_t i) const {
  if (param_formats.empty()) return 0;
  if (param_formats.size() == 1) return param_formats[0];
  return param_formats.at(i);
}

int16_t BindMessage::result_format(size_t i, size_t columns) const {
  if (result_formats.empty()) return 0;
  if (result_formats.size() == 1) return result_formats[0];
  if (result_formats.size() != columns) {
    throw ProtocolViolation("bind message has " + std::to_string(result_formats.size()) +
                            " result formats but query has " + std::to_string(columns) +
                            " columns");
  }
  return result_formats[i];
}

namespace {
DescribeMessage parse_target(std::string_view body, const char* what) {
  Reader r(body, what);
  DescribeMessage m;
  m.kind = r.byte();
  if (m.kind != 'S' && m.kind != 'P') {
    throw ProtocolViolation(std::string("invalid ") + what + " message subtype " +
                            std::to_string(static_cast<unsigned char>(m.kind)));
  }
  m.name = r.cstring();
  r.done();
  return m;
}
}  // namespace

DescribeMessage parse_describe(std::string_view body) {
  return parse_target(body, "Describe");
}
DescribeMessage parse_close(std::string_view body) {
  return parse_target(body, "Close");
}

ExecuteMessage parse_execute(std::string_view body) {
  Reader r(body, "Execute");
  ExecuteMessage m;
  m.portal = r.cstring();
  m.max_rows = r.i32();
  if (m.max_rows < 0) m.max_rows = 0;  // PostgreSQL treats a negative count as "all"
  r.done();
  return m;
}

std::string parse_query(std::string_view body) {
  Reader r(body, "Query");
  std::string q = r.cstring();
  r.done();
  return q;
}

std::string parse_password(std::string_view body) {
  Reader r(body, "password");
  std::string p = r.cstring();
  r.done();
  return p;
}

SaslInitial parse_sasl_initial(std::string_view body) {
  Reader r(body, "SASLInitialResponse");
  SaslInitial s;
  s.mechanism = r.cstring();
  int32_t len = r.i32();
  if (len == -1) {
    r.done();
    return s;
  }
  if (len < 0 || static_cast<size_t>(len) != r.left()) {
    throw ProtocolViolation("invalid SASLInitialResponse length " + std::to_string(len));
  }
  s.data = r.bytes(static_cast<size_t>(len));
  r.done();
  return s;
}

// --- Backend messages ----------------------------------------------------------------

size_t begin_message(std::string& out, char type) {
  out.push_back(type);
  size_t start = out.size();
  put_i32(out, 0);
  return start;
}

void end_message(std::string& out, size_t start) {
  patch_i32(out, start, static_cast<int32_t>(out.size() - start));
}

void put_auth_ok(std::string& out) {
  size_t s = begin_message(out, 'R');
  put_i32(out, 0);
  end_message(out, s);
}

void put_auth_cleartext(std::string& out) {
  size_t s = begin_message(out, 'R');
  put_i32(out, 3);
  end_message(out, s);
}

void put_auth_md5(std::string& out, const std::string& salt4) {
  size_t s = begin_message(out, 'R');
  put_i32(out, 5);
  out.append(salt4.data(), 4);
  end_message(out, s);
}

void put_auth_sasl(std::string& out, const std::vector<std::string>& mechanisms) {
  size_t s = begin_message(out, 'R');
  put_i32(out, 10);
  for (const auto& m : mechanisms) put_cstring(out, m);
  out.push_back('\0');
  end_message(out, s);
}

void put_auth_sasl_continue(std::string& out, std::string_view data) {
  size_t s = begin_message(out, 'R');
  put_i32(out, 11);
  out.append(data);
  end_message(out, s);
}

void put_auth_sasl_final(std::string& out, std::string_view data) {
  size_t s = begin_message(out, 'R');
  put_i32(out, 12);
  out.append(data);
  end_message(out, s);
}

void put_parameter_status(std::string& out, std::string_view name, std::string_view value) {
  size_t s = begin_message(out, 'S');
  put_cstring(out, name);
  put_cstring(out, value);
  end_message(out, s);
}

void put_backend_key(std::string& out, int32_t pid, int32_t key) {
  size_t s = begin_message(out, 'K');
  put_i32(out, pid);
  put_i32(out, key);
  end_message(out, s);
}

void put_ready(std::string& out, char status) {
  size_t s = begin_message(out, 'Z');
  out.push_back(status);
  end_message(out, s);
}

void put_row_description(std::string& out, const std::vector<PgField>& fields,
                         const std::vector<int16_t>& formats) {
  size_t s = begin_message(out, 'T');
  put_i16(out, static_cast<int16_t>(fields.size()));
  for (size_t i = 0; i < fields.size(); ++i) {
    const PgField& f = fields[i];
    put_cstring(out, f.name);
    put_i32(out, f.table_oid);
    put_i16(out, f.attnum);
    put_i32(out, f.type_oid);
    put_i16(out, f.type_len);
    put_i32(out, f.type_mod);
    put_i16(out, i < formats.size() ? formats[i] : 0);
  }
  end_message(out, s);
}

void put_parameter_description(std::string& out, const std::vector<int32_t>& oids) {
  size_t s = begin_message(out, 't');
  put_i16(out, static_cast<int16_t>(oids.size()));
  for (int32_t o : oids) put_i32(out, o);
  end_message(out, s);
}

void put_command_complete(std::string& out, std::string_view tag) {
  size_t s = begin_message(out, 'C');
  put_cstring(out, tag);
  end_message(out, s);
}

void put_empty_query(std::string& out) {
  simple(out, 'I');
}
void put_parse_complete(std::string& out) {
  simple(out, '1');
}
void put_bind_complete(std::string& out) {
  simple(out, '2');
}
void put_close_complete(std::string& out) {
  simple(out, '3');
}
void put_no_data(std::string& out) {
  simple(out, 'n');
}
void put_portal_suspended(std::string& out) {
  simple(out, 's');
}

void put_negotiate_protocol(std::string& out, int32_t newest_minor,
                            const std::vector<std::string>& unrecognized) {
  size_t s = begin_message(out, 'v');
  put_i32(out, newest_minor);
  put_i32(out, static_cast<int32_t>(unrecognized.size()));
  for (const auto& u : unrecognized) put_cstring(out, u);
  end_message(out, s);
}

namespace {
void put_fields(std::string& out, char type, const ErrorFields& e) {
  size_t s = begin_message(out, type);
  auto field = [&](char code, std::string_view v) {
    if (v.empty()) return;
    out.push_back(code);
    put_cstring(out, v);
  };
  field('S', e.severity);
  field('V', e.severity);
  field('C', e.sqlstate);
  field('M', e.message.empty() ? "unknown error" : e.message);
  field('D', e.detail);
  field('H', e.hint);
  if (e.position > 0) field('P', std::to_string(e.position));
  out.push_back('\0');
  end_message(out, s);
}
}  // namespace

void put_error(std::string& out, const ErrorFields& e) {
  put_fields(out, 'E', e);
}
void put_notice(std::string& out, const ErrorFields& e) {
  put_fields(out, 'N', e);
}

}  // namespace strata::pgwire
