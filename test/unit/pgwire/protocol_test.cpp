// The PostgreSQL protocol codec: framing limits and strict parsing of every
// frontend message, including malformed, truncated and absurd input.
#include "pgwire/protocol.h"

#include <gtest/gtest.h>

#include <string>

#include "pgwire/bytes.h"

namespace strata::pgwire {
namespace {

std::string cstr(const std::string& s) {
  return s + std::string(1, '\0');
}

std::string i16(int16_t v) {
  std::string s;
  put_i16(s, v);
  return s;
}

std::string i32(int32_t v) {
  std::string s;
  put_i32(s, v);
  return s;
}

std::string sqlstate_of(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const Error& e) {
    return e.sqlstate();
  }
  return "";
}

TEST(Framing, StartupLengthsAreBounded) {
  EXPECT_EQ(startup_body_length(8), 4u);
  EXPECT_EQ(startup_body_length(10000), 9996u);
  EXPECT_THROW(startup_body_length(7), ProtocolViolation);
  EXPECT_THROW(startup_body_length(-1), ProtocolViolation);
  EXPECT_THROW(startup_body_length(10001), ProtocolViolation);
  EXPECT_THROW(startup_body_length(0x7fffffff), ProtocolViolation);
}

TEST(Framing, MessageLengthsAreCheckedPerType) {
  EXPECT_EQ(message_body_length('Q', 4, 1 << 20), 0u);
  EXPECT_EQ(message_body_length('Q', 1000, 1 << 20), 996u);
  EXPECT_THROW(message_body_length('Q', 3, 1 << 20), ProtocolViolation);
  EXPECT_THROW(message_body_length('Q', -5, 1 << 20), ProtocolViolation);
  EXPECT_THROW(message_body_length('Q', (1 << 20) + 5, 1 << 20), ProtocolViolation);
  // Small messages cannot claim huge bodies, whatever the configured limit.
  EXPECT_THROW(message_body_length('S', 20000, 1 << 30), ProtocolViolation);
  EXPECT_THROW(message_body_length('X', 0x7fffffff, 1 << 30), ProtocolViolation);
  EXPECT_EQ(message_body_length('S', 4, 1 << 20), 0u);
}

TEST(Framing, UnknownMessageTypesAreViolations) {
  EXPECT_THROW(message_body_length('Z', 4, 1 << 20), ProtocolViolation);
  EXPECT_THROW(message_body_length('\0', 4, 1 << 20), ProtocolViolation);
  EXPECT_THROW(message_body_length('\xff', 4, 1 << 20), ProtocolViolation);
  EXPECT_EQ(sqlstate_of([] { message_body_length('@', 4, 100); }), "08P01");
}

TEST(Startup, ParsesParameters) {
  std::string body = i32(kProtocol30) + cstr("user") + cstr("alice") + cstr("database") +
                     cstr("shop") + cstr("application_name") + cstr("psql") + std::string(1, '\0');
  StartupPacket p = parse_startup_packet(body);
  EXPECT_EQ(p.kind, StartupPacket::Kind::kStartup);
  EXPECT_EQ(p.params.at("user"), "alice");
  EXPECT_EQ(p.params.at("database"), "shop");
  EXPECT_EQ(p.params.at("application_name"), "psql");
}

TEST(Startup, RecognizesSslGssAndCancel) {
  EXPECT_EQ(parse_startup_packet(i32(kSslRequestCode)).kind, StartupPacket::Kind::kSslRequest);
  EXPECT_EQ(parse_startup_packet(i32(kGssEncRequestCode)).kind,
            StartupPacket::Kind::kGssEncRequest);
  StartupPacket c = parse_startup_packet(i32(kCancelRequestCode) + i32(4242) + i32(-7));
  EXPECT_EQ(c.kind, StartupPacket::Kind::kCancel);
  EXPECT_EQ(c.cancel_pid, 4242);
  EXPECT_EQ(c.cancel_key, -7);
  // Trailing bytes after a fixed-size request.
  EXPECT_THROW(parse_startup_packet(i32(kSslRequestCode) + "x"), ProtocolViolation);
  EXPECT_THROW(parse_startup_packet(i32(kCancelRequestCode) + i32(1)), ProtocolViolation);
}

TEST(Startup, RejectsMalformedPackets) {
  // Protocol 2 and garbage codes.
  EXPECT_THROW(parse_startup_packet(i32(2 << 16) + std::string(1, '\0')), ProtocolViolation);
  EXPECT_THROW(parse_startup_packet(i32(0x47455420)), ProtocolViolation);  // "GET "
  // Missing terminators.
  EXPECT_THROW(parse_startup_packet(i32(kProtocol30) + "user"), ProtocolViolation);
  EXPECT_THROW(parse_startup_packet(i32(kProtocol30) + cstr("user") + "alice"), ProtocolViolation);
  // Duplicate parameter.
  EXPECT_THROW(parse_startup_packet(i32(kProtocol30) + cstr("user") + cstr("a") + cstr("user") +
                                    cstr("b") + std::string(1, '\0')),
               ProtocolViolation);
  // No user: an authorization error, not a protocol one.
  EXPECT_EQ(sqlstate_of([&] {
              parse_startup_packet(i32(kProtocol30) + cstr("database") + cstr("x") +
                                   std::string(1, '\0'));
            }),
            "28000");
  // Truncated code.
  EXPECT_THROW(parse_startup_packet("\x00\x03"), ProtocolViolation);
}

TEST(Parse, ReadsNameQueryAndTypes) {
  ParseMessage m = parse_parse(cstr("s1") + cstr("SELECT $1") + i16(1) + i32(23));
  EXPECT_EQ(m.statement, "s1");
  EXPECT_EQ(m.query, "SELECT $1");
  ASSERT_EQ(m.param_types.size(), 1u);
  EXPECT_EQ(m.param_types[0], 23);
}

TEST(Parse, RejectsBadCounts) {
  EXPECT_THROW(parse_parse(cstr("") + cstr("SELECT 1") + i16(-1)), ProtocolViolation);
  // Claims 1000 types but carries none.
  EXPECT_THROW(parse_parse(cstr("") + cstr("SELECT 1") + i16(1000)), ProtocolViolation);
  EXPECT_THROW(parse_parse(cstr("") + cstr("SELECT 1") + i16(0) + "junk"), ProtocolViolation);
  EXPECT_THROW(parse_parse(cstr("") + "SELECT 1"), ProtocolViolation);
}

TEST(Bind, ReadsFormatsAndParameters) {
  std::string body = cstr("p") + cstr("s") + i16(2) + i16(0) + i16(1) + i16(2) + i32(2) + "42" +
                     i32(-1) + i16(1) + i16(1);
  BindMessage m = parse_bind(body);
  EXPECT_EQ(m.portal, "p");
  EXPECT_EQ(m.statement, "s");
  ASSERT_EQ(m.params.size(), 2u);
  EXPECT_EQ(*m.params[0], "42");
  EXPECT_FALSE(m.params[1].has_value());
  EXPECT_EQ(m.param_format(0), 0);
  EXPECT_EQ(m.param_format(1), 1);
  EXPECT_EQ(m.result_format(0, 3), 1);
  EXPECT_EQ(m.result_format(2, 3), 1);
}

TEST(Bind, RejectsMalformedMessages) {
  // A parameter length beyond the message.
  EXPECT_THROW(parse_bind(cstr("") + cstr("") + i16(0) + i16(1) + i32(1000) + "ab" + i16(0)),
               ProtocolViolation);
  // An absurd parameter length.
  EXPECT_THROW(parse_bind(cstr("") + cstr("") + i16(0) + i16(1) + i32(0x7fffffff) + i16(0)),
               ProtocolViolation);
  // Negative lengths other than -1.
  EXPECT_THROW(parse_bind(cstr("") + cstr("") + i16(0) + i16(1) + i32(-2) + i16(0)),
               ProtocolViolation);
  // A format code that is neither text nor binary.
  EXPECT_THROW(parse_bind(cstr("") + cstr("") + i16(1) + i16(7) + i16(0) + i16(0)),
               ProtocolViolation);
  // Two formats for one parameter.
  EXPECT_THROW(
      parse_bind(cstr("") + cstr("") + i16(2) + i16(0) + i16(0) + i16(1) + i32(1) + "x" + i16(0)),
      ProtocolViolation);
  // Truncated before the result formats.
  EXPECT_THROW(parse_bind(cstr("") + cstr("") + i16(0) + i16(0)), ProtocolViolation);
  // Claims 30000 parameters.
  EXPECT_THROW(parse_bind(cstr("") + cstr("") + i16(0) + i16(30000)), ProtocolViolation);
}

TEST(Bind, ResultFormatCountMustFit) {
  BindMessage m = parse_bind(cstr("") + cstr("") + i16(0) + i16(0) + i16(2) + i16(0) + i16(1));
  EXPECT_EQ(m.result_format(1, 2), 1);
  EXPECT_THROW(m.result_format(0, 3), ProtocolViolation);
}

TEST(DescribeExecuteClose, Parse) {
  DescribeMessage d = parse_describe("P" + cstr("portal"));
  EXPECT_EQ(d.kind, 'P');
  EXPECT_EQ(d.name, "portal");
  EXPECT_THROW(parse_describe("Q" + cstr("x")), ProtocolViolation);
  EXPECT_THROW(parse_describe("S"), ProtocolViolation);
  EXPECT_THROW(parse_close(""), ProtocolViolation);
  ExecuteMessage e = parse_execute(cstr("") + i32(10));
  EXPECT_EQ(e.max_rows, 10);
  EXPECT_EQ(parse_execute(cstr("") + i32(-3)).max_rows, 0);
  EXPECT_THROW(parse_execute(cstr("") + "\x01"), ProtocolViolation);
}

TEST(Query, NeedsTerminator) {
  EXPECT_EQ(parse_query(cstr("SELECT 1")), "SELECT 1");
  EXPECT_THROW(parse_query("SELECT 1"), ProtocolViolation);
  EXPECT_THROW(parse_query(cstr("SELECT 1") + "x"), ProtocolViolation);
}

TEST(Sasl, InitialResponse) {
  SaslInitial s = parse_sasl_initial(cstr("SCRAM-SHA-256") + i32(3) + "abc");
  EXPECT_EQ(s.mechanism, "SCRAM-SHA-256");
  EXPECT_EQ(*s.data, "abc");
  EXPECT_FALSE(parse_sasl_initial(cstr("SCRAM-SHA-256") + i32(-1)).data.has_value());
  EXPECT_THROW(parse_sasl_initial(cstr("SCRAM-SHA-256") + i32(10) + "abc"), ProtocolViolation);
}

TEST(Backend, MessagesHaveExactLengths) {
  std::string out;
  put_ready(out, 'I');
  EXPECT_EQ(out, std::string("Z\x00\x00\x00\x05I", 6));
  out.clear();
  put_command_complete(out, "SELECT 6");
  EXPECT_EQ(out[0], 'C');
  EXPECT_EQ(get_i32(out.data() + 1), static_cast<int32_t>(out.size() - 1));
  out.clear();
  put_row_description(out, {{"status", oid::kText, -1, -1, 16384, 2}}, {0});
  EXPECT_EQ(out[0], 'T');
  EXPECT_EQ(get_i32(out.data() + 1), static_cast<int32_t>(out.size() - 1));
  EXPECT_EQ(get_i16(out.data() + 5), 1);
  EXPECT_EQ(std::string(out.data() + 7), "status");
  size_t after = 7 + 7;
  EXPECT_EQ(get_i32(out.data() + after), 16384);
  EXPECT_EQ(get_i16(out.data() + after + 4), 2);
  EXPECT_EQ(get_i32(out.data() + after + 6), oid::kText);
}

TEST(Backend, ErrorResponseCarriesFields) {
  std::string out;
  ErrorFields e;
  e.sqlstate = "42601";
  e.message = "syntax error at or near \"FORM\"";
  e.hint = "check it";
  e.position = 10;
  put_error(out, e);
  EXPECT_EQ(out[0], 'E');
  EXPECT_EQ(get_i32(out.data() + 1), static_cast<int32_t>(out.size() - 1));
  std::string body = out.substr(5);
  EXPECT_NE(body.find(std::string("C42601\0", 7)), std::string::npos);
  EXPECT_NE(body.find(std::string("P10\0", 4)), std::string::npos);
  EXPECT_NE(body.find(std::string("Hcheck it\0", 10)), std::string::npos);
  EXPECT_NE(body.find(std::string("SERROR\0", 7)), std::string::npos);
  EXPECT_EQ(body.back(), '\0');
}

}  // namespace
}  // namespace strata::pgwire
