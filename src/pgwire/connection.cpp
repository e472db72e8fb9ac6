#include "pgwire/connection.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "core/error.h"
#include "pgwire/bytes.h"
#include "pgwire/protocol.h"

namespace strata::pgwire {

namespace {

constexpr size_t kFlushBytes = 256 * 1024;

struct PreparedStmt {
  std::string name;
  std::shared_ptr<const ParsedSql> sql;  // null: the empty query
  std::vector<int32_t> param_types;      // as declared (0: unspecified)
  size_t param_count = 0;
  std::optional<StatementDescription> description;  // cached Describe
};

struct Portal {
  std::shared_ptr<PreparedStmt> stmt;
  SqlParams params;
  std::vector<int16_t> result_formats;
  std::optional<std::vector<PgField>> fields;  // as announced by Describe
  // An execution kept for Execute with a row limit.
  bool started = false;
  bool done = false;
  std::vector<PgField> result_fields;
  std::vector<std::pair<ResultSet, std::vector<int>>> batches;
  size_t batch = 0;
  size_t row = 0;
  std::string tag;
};

int16_t format_of(const std::vector<int16_t>& formats, size_t i) {
  if (formats.empty()) return 0;
  if (formats.size() == 1) return formats[0];
  return i < formats.size() ? formats[i] : 0;
}

void check_formats(const std::vector<int16_t>& formats, size_t columns) {
  if (formats.size() > 1 && formats.size() != columns) {
    throw UserError("bind message has " + std::to_string(formats.size()) +
                        " result formats but query has " + std::to_string(columns) + " columns",
                    {.sqlstate = "08P01"});
  }
}

std::vector<int16_t> expand_formats(const std::vector<int16_t>& formats, size_t columns) {
  std::vector<int16_t> out(columns, 0);
  for (size_t i = 0; i < columns; ++i) out[i] = format_of(formats, i);
  return out;
}

ErrorFields error_fields(const Error& e, const char* severity = "ERROR") {
  ErrorFields f;
  f.severity = severity;
  f.sqlstate = e.sqlstate();
  if (e.kind() == ErrorKind::kSource && e.context().sqlstate.empty()) {
    f.sqlstate = "HV000";  // a data source failed (not this connection: class 08 would say so)
  }
  f.message = e.message();
  f.hint = e.context().hint;
  f.position = e.context().position;
  const ErrorContext& c = e.context();
  std::string detail;
  if (!c.member.empty()) detail = "member " + c.member;
  if (!c.file.empty()) {
    if (!detail.empty()) detail += ", ";
    detail += "model file " + c.file;
    if (c.line > 0) detail += ":" + std::to_string(c.line);
  }
  if (!c.json_path.empty() && detail.empty()) detail = "in " + c.json_path;
  f.detail = detail;
  return f;
}

size_t count_params(const ParsedSql& sql) {
  size_t n = 0;
  for (size_t i = 0; i < sql.tokens().size(); ++i) {
    std::string_view t = sql.token_text(i);
    if (t.size() > 1 && t[0] == '$') {
      n = std::max(n, static_cast<size_t>(std::atoi(std::string(t.substr(1)).c_str())));
    }
  }
  return n;
}

}  // namespace

struct Connection::State {
  std::string out;
  std::map<std::string, std::shared_ptr<PreparedStmt>> statements;
  std::map<std::string, std::shared_ptr<Portal>> portals;
  bool skip_until_sync = false;
  std::unique_ptr<SqlSession> session;
  std::string user;
  bool broken = false;  // the client is gone or a write failed
};

namespace {

// Encodes statement results as RowDescription / DataRow messages.
class WireWriter : public ResultWriter {
 public:
  WireWriter(Connection::State& st, std::function<bool()> flush, const TimeZone& tz,
             bool send_description, const std::vector<PgField>* announced,
             const std::vector<int16_t>& formats)
      : st_(st),
        flush_(std::move(flush)),
        tz_(tz),
        send_description_(send_description),
        announced_(announced),
        formats_(formats) {}

  void columns(const std::vector<PgField>& fields) override {
    if (announced_ && announced_->size() == fields.size()) {
      fields_ = *announced_;
    } else {
      fields_ = fields;
    }
    check_formats(formats_, fields_.size());
    if (send_description_)
      put_row_description(st_.out, fields_, expand_formats(formats_, fields_.size()));
  }

  bool rows(const ResultSet& b, const std::vector<int>& map) override {
    if (st_.broken) return false;
    prepare(b, map);
    size_t n = b.row_count();
    for (size_t r = 0; r < n; ++r) {
      size_t start = begin_message(st_.out, 'D');
      put_i16(st_.out, static_cast<int16_t>(map.size()));
      for (size_t i = 0; i < map.size(); ++i) {
        if (map[i] < 0) {
          put_i32(st_.out, -1);
        } else {
          encoders_[i].append(b.column(static_cast<size_t>(map[i])), r, st_.out);
        }
      }
      end_message(st_.out, start);
      if (st_.out.size() > kFlushBytes && !flush_()) {
        st_.broken = true;
        return false;
      }
    }
    rows_ += n;
    return true;
  }

  void notice(const ErrorFields& n) override { put_notice(st_.out, n); }
  void parameter_status(const std::string& name, const std::string& value) override {
    put_parameter_status(st_.out, name, value);
  }
  size_t row_count() const { return rows_; }

 private:
  void prepare(const ResultSet& b, const std::vector<int>& map) {
    std::vector<Type> types;
    for (int m : map)
      types.push_back(m < 0 ? Type::of(TypeId::kString) : b.schema()[static_cast<size_t>(m)].type);
    if (!encoders_.empty() && types == types_) return;
    types_ = types;
    encoders_.clear();
    for (size_t i = 0; i < map.size(); ++i) {
      int32_t oid = i < fields_.size() ? fields_[i].type_oid : pg_oid_of(types[i]);
      encoders_.emplace_back(types[i], oid, format_of(formats_, i) == 1, &tz_);
    }
  }

  Connection::State& st_;
  std::function<bool()> flush_;
  const TimeZone& tz_;
  bool send_description_;
  const std::vector<PgField>* announced_;
  std::vector<int16_t> formats_;
  std::vector<PgField> fields_;
  std::vector<Type> types_;
  std::vector<CellEncoder> encoders_;
  size_t rows_ = 0;
};

// Keeps a statement's rows for Execute with a row limit.
class BufferWriter : public ResultWriter {
 public:
  BufferWriter(Connection::State& st, Portal& p) : st_(st), p_(p) {}
  void columns(const std::vector<PgField>& fields) override { p_.result_fields = fields; }
  bool rows(const ResultSet& b, const std::vector<int>& map) override {
    if (b.row_count() > 0) p_.batches.emplace_back(b, map);
    return true;
  }
  void notice(const ErrorFields& n) override { put_notice(st_.out, n); }
  void parameter_status(const std::string& name, const std::string& value) override {
    put_parameter_status(st_.out, name, value);
  }

 private:
  Connection::State& st_;
  Portal& p_;
};

}  // namespace

Connection::Connection(std::unique_ptr<Transport> transport, ServerShared& shared, int32_t pid,
                       int32_t key)
    : transport_(std::move(transport)),
      shared_(shared),
      pid_(pid),
      key_(key),
      state_(std::make_unique<State>()) {}

Connection::~Connection() = default;

void Connection::shutdown() {
  transport_->shutdown();
}

void Connection::cancel() {
  std::lock_guard lock(session_mu_);
  if (session_) session_->cancel();
}

namespace {

// The per-connection protocol logic, separated from Connection's threading.
class Protocol {
 public:
  Protocol(Connection& c, Transport& t, ServerShared& shared, Connection::State& st, int32_t pid,
           int32_t key, std::mutex& session_mu, SqlSession*& session_slot)
      : conn_(c),
        t_(t),
        shared_(shared),
        st_(st),
        opts_(*shared.options),
        pid_(pid),
        key_(key),
        session_mu_(session_mu),
        session_slot_(session_slot) {}

  void run() {
    try {
      if (!startup()) return;
      loop();
    } catch (const ProtocolViolation& e) {
      fatal(e);
    } catch (const Error& e) {
      fatal(e);
    } catch (const std::exception& e) {
      spdlog::error("pgwire: connection {} failed: {}", pid_, e.what());
      fatal(InternalError(e.what()));
    }
  }

 private:
  bool flush() {
    if (st_.out.empty()) return !st_.broken;
    if (st_.broken) {
      st_.out.clear();
      return false;
    }
    bool ok = t_.write_all(st_.out.data(), st_.out.size(), opts_.write_timeout);
    st_.out.clear();
    if (!ok) st_.broken = true;
    return ok;
  }

  void fatal(const Error& e) {
    if (st_.broken) return;
    put_error(st_.out, error_fields(e, "FATAL"));
    flush();
  }

  void send_error(const Error& e) { put_error(st_.out, error_fields(e)); }

  // --- Reading ---------------------------------------------------------------------

  // Reads one regular message; false when the connection is over.
  bool read_message(char& type, std::string& body, TransportClock::time_point first_deadline) {
    std::string head;
    if (!t_.read_exact(1, head, first_deadline)) return false;
    type = head[0];
    auto deadline = TransportClock::now() + opts_.message_timeout;
    if (!t_.read_exact(4, head, deadline)) return false;
    size_t n = message_body_length(type, get_i32(head.data() + 1), opts_.max_message_bytes);
    body.clear();
    if (n > 0 && !t_.read_exact(n, body, deadline)) return false;
    return true;
  }

  // --- Startup and authentication -------------------------------------------------------

  bool startup() {
    auto deadline = TransportClock::now() + opts_.startup_timeout;
    StartupPacket packet;
    for (;;) {
      std::string head;
      if (!t_.read_exact(4, head, deadline)) return false;
      size_t n = startup_body_length(get_i32(head.data()));
      std::string body;
      if (!t_.read_exact(n, body, deadline)) return false;
      packet = parse_startup_packet(body);
      if (packet.kind == StartupPacket::Kind::kSslRequest) {
        if (shared_.tls && !t_.tls()) {
          st_.out = "S";
          if (!flush()) return false;
          if (!t_.start_tls(*shared_.tls, deadline)) return false;
        } else {
          st_.out = "N";
          if (!flush()) return false;
        }
        continue;
      }
      if (packet.kind == StartupPacket::Kind::kGssEncRequest) {
        st_.out = "N";
        if (!flush()) return false;
        continue;
      }
      if (packet.kind == StartupPacket::Kind::kCancel) {
        if (shared_.cancel) shared_.cancel(packet.cancel_pid, packet.cancel_key);
        return false;
      }
      break;
    }
    if (shared_.connections.load() > opts_.max_connections) {
      throw UserError("sorry, too many clients already",
                      {.hint = "the SQL API accepts " + std::to_string(opts_.max_connections) +
                               " connections at once",
                       .sqlstate = "53300"});
    }
    std::vector<std::string> unknown_options;
    for (const auto& [k, v] : packet.params) {
      if (k.starts_with("_pq_.")) unknown_options.push_back(k);
    }
    if ((packet.protocol & 0xffff) != 0 || !unknown_options.empty()) {
      put_negotiate_protocol(st_.out, 0, unknown_options);
    }
    st_.user = packet.params["user"];
    SecurityContext security;
    if (!authenticate(st_.user, deadline, security)) return false;

    auto session =
        std::make_unique<SqlSession>(*shared_.engine, security, st_.user, pid_, packet.params);
    session->set_client_alive_check([t = &t_] { return !t->peer_closed(); });
    session->set_deallocate_hook([this](std::optional<std::string> name) {
      if (name) {
        st_.statements.erase(*name);
      } else {
        st_.statements.clear();
        st_.portals.clear();
      }
    });
    {
      std::lock_guard lock(session_mu_);
      st_.session = std::move(session);
      session_slot_ = st_.session.get();
    }
    put_auth_ok(st_.out);
    for (const auto& [k, v] : st_.session->initial_parameters())
      put_parameter_status(st_.out, k, v);
    put_backend_key(st_.out, pid_, key_);
    put_ready(st_.out, 'I');
    spdlog::debug("pgwire: {} connected as {} (backend {})", t_.peer_address(), st_.user, pid_);
    return flush();
  }

  // Reads the client's answer to an authentication request.
  std::optional<std::string> auth_response(TransportClock::time_point deadline) {
    if (!flush()) return std::nullopt;
    char type = 0;
    std::string body;
    if (!read_message(type, body, deadline)) return std::nullopt;
    if (type != 'p') {
      if (type == 'X') return std::nullopt;
      throw ProtocolViolation("expected a password response, got message type '" +
                              std::string(1, type) + "'");
    }
    return body;
  }

  [[noreturn]] void auth_failed(const std::string& user, const std::string& why) {
    spdlog::warn("pgwire: authentication of user \"{}\" from {} failed: {}", user,
                 t_.peer_address(), why);
    throw UnauthorizedError("password authentication failed for user \"" + user + "\"",
                            {.sqlstate = "28P01"});
  }

  bool authenticate(const std::string& user, TransportClock::time_point deadline,
                    SecurityContext& security) {
    if (shared_.users.empty()) {
      if (!opts_.dev_mode) {
        throw UnauthorizedError(
            "no SQL users are configured",
            {.hint = "start strata with --sql-user and --sql-password", .sqlstate = "28000"});
      }
      security = SecurityContext{"{}", user, false};
      return true;
    }
    auto it = shared_.users.find(user);
    const UserEntry* u = it == shared_.users.end() ? nullptr : &it->second;
    switch (opts_.auth) {
      case SqlAuthMethod::kPassword: {
        put_auth_cleartext(st_.out);
        auto body = auth_response(deadline);
        if (!body) return false;
        std::string pw = parse_password(*body);
        if (!u || !u->plain_password || !constant_time_equal(pw, u->user.password)) {
          auth_failed(user, u ? "wrong password" : "no such user");
        }
        break;
      }
      case SqlAuthMethod::kMd5: {
        std::string salt = random_bytes(4);
        put_auth_md5(st_.out, salt);
        auto body = auth_response(deadline);
        if (!body) return false;
        std::string got = parse_password(*body);
        if (!u || !u->plain_password ||
            !constant_time_equal(got, md5_password_response(user, u->user.password, salt))) {
          auth_failed(user, u ? "wrong password" : "no such user");
        }
        break;
      }
      case SqlAuthMethod::kScramSha256: {
        put_auth_sasl(st_.out, {"SCRAM-SHA-256"});
        auto body = auth_response(deadline);
        if (!body) return false;
        SaslInitial init = parse_sasl_initial(*body);
        if (init.mechanism != "SCRAM-SHA-256") {
          throw UnauthorizedError(
              "client selected an invalid SASL authentication mechanism",
              {.hint = "the SQL API offers SCRAM-SHA-256", .sqlstate = "28000"});
        }
        if (!init.data) throw ProtocolViolation("SASLInitialResponse without data");
        ScramServer scram(u ? u->verifier : std::nullopt);
        try {
          put_auth_sasl_continue(st_.out, scram.handle_client_first(*init.data));
          auto second = auth_response(deadline);
          if (!second) return false;
          put_auth_sasl_final(st_.out, scram.handle_client_final(*second));
        } catch (const UnauthorizedError& e) {
          if (e.sqlstate() == "28P01") auth_failed(user, u ? "wrong password" : "no such user");
          throw;
        }
        break;
      }
    }
    security.subject = user;
    security.authenticated = true;
    security.claims_json = u->security.claims_json;
    return true;
  }

  // --- The query loop -----------------------------------------------------------------

  void loop() {
    for (;;) {
      if (st_.broken) return;
      auto idle_deadline = opts_.idle_timeout.count() > 0
                               ? TransportClock::now() + opts_.idle_timeout
                               : TransportClock::time_point::max();
      char type = 0;
      std::string body;
      if (!read_message(type, body, idle_deadline)) return;
      switch (type) {
        case 'X': return;
        case 'Q':
          simple_query(body);
          if (!flush()) return;
          break;
        case 'P':
        case 'B':
        case 'D':
        case 'E':
        case 'C':
          if (st_.skip_until_sync) break;
          extended(type, body);
          if (st_.out.size() > kFlushBytes && !flush()) return;
          break;
        case 'H':
          if (!flush()) return;
          break;
        case 'S':
          sync();
          if (!flush()) return;
          break;
        case 'F':
          send_error(UserError("the function call protocol is not supported",
                               {.hint = "call functions with SELECT", .sqlstate = "0A000"}));
          put_ready(st_.out, st_.session->transaction_status());
          if (!flush()) return;
          break;
        case 'd':
        case 'c':
        case 'f': break;  // copy messages outside COPY: ignored, as PostgreSQL does
        default: throw ProtocolViolation("unexpected message type '" + std::string(1, type) + "'");
      }
    }
  }

  void simple_query(const std::string& body) {
    std::string q = parse_query(body);
    st_.statements.erase("");
    st_.portals.erase("");
    std::shared_ptr<const ParsedSql> parsed;
    try {
      parsed = ParsedSql::parse(q);
    } catch (const Error& e) {
      send_error(e);
      st_.session->failed();
      put_ready(st_.out, st_.session->transaction_status());
      return;
    }
    if (parsed->statements().empty()) {
      put_empty_query(st_.out);
      put_ready(st_.out, st_.session->transaction_status());
      return;
    }
    for (size_t i = 0; i < parsed->statements().size(); ++i) {
      WireWriter w(st_, [this] { return flush(); }, st_.session->time_zone(), true, nullptr, {});
      try {
        std::string tag = st_.session->execute(*parsed, i, {}, {}, w);
        if (st_.broken) return;
        put_command_complete(st_.out, tag);
      } catch (const Error& e) {
        if (st_.broken) return;
        send_error(e);
        st_.session->failed();
        break;
      } catch (const std::exception& e) {
        spdlog::error("pgwire: statement failed unexpectedly: {}", e.what());
        send_error(InternalError(e.what()));
        st_.session->failed();
        break;
      }
    }
    put_ready(st_.out, st_.session->transaction_status());
  }

  void extended(char type, const std::string& body) {
    try {
      switch (type) {
        case 'P': return on_parse(body);
        case 'B': return on_bind(body);
        case 'D': return on_describe(body);
        case 'E': return on_execute(body);
        case 'C': return on_close(body);
        default: return;
      }
    } catch (const ProtocolViolation&) {
      throw;
    } catch (const Error& e) {
      if (st_.broken) return;
      send_error(e);
      st_.session->failed();
      st_.skip_until_sync = true;
    } catch (const std::exception& e) {
      spdlog::error("pgwire: message '{}' failed unexpectedly: {}", type, e.what());
      send_error(InternalError(e.what()));
      st_.session->failed();
      st_.skip_until_sync = true;
    }
  }

  void sync() {
    st_.skip_until_sync = false;
    if (st_.session->transaction_status() == 'I') st_.portals.clear();
    put_ready(st_.out, st_.session->transaction_status());
  }

  std::shared_ptr<PreparedStmt> statement(const std::string& name) {
    auto it = st_.statements.find(name);
    if (it == st_.statements.end()) {
      throw UserError("prepared statement \"" + name + "\" does not exist", {.sqlstate = "26000"});
    }
    return it->second;
  }

  std::shared_ptr<Portal> portal(const std::string& name) {
    auto it = st_.portals.find(name);
    if (it == st_.portals.end()) {
      throw UserError("portal \"" + name + "\" does not exist", {.sqlstate = "34000"});
    }
    return it->second;
  }

  void on_parse(const std::string& body) {
    ParseMessage m = parse_parse(body);
    if (!m.statement.empty() && st_.statements.count(m.statement)) {
      throw UserError("prepared statement \"" + m.statement + "\" already exists",
                      {.sqlstate = "42P05"});
    }
    auto ps = std::make_shared<PreparedStmt>();
    ps->name = m.statement;
    ps->param_types = m.param_types;
    auto parsed = ParsedSql::parse(m.query);
    if (parsed->statements().size() > 1) {
      throw UserError("cannot insert multiple commands into a prepared statement",
                      {.sqlstate = "42601"});
    }
    if (!parsed->statements().empty()) {
      ps->sql = parsed;
      ps->param_count = std::max(m.param_types.size(), count_params(*parsed));
    }
    st_.statements[m.statement] = ps;
    put_parse_complete(st_.out);
  }

  const StatementDescription& describe_statement(PreparedStmt& ps) {
    if (!ps.description) {
      ps.description = st_.session->describe(*ps.sql, 0, nullptr, ps.param_types);
    }
    return *ps.description;
  }

  void on_bind(const std::string& body) {
    BindMessage m = parse_bind(body);
    auto ps = statement(m.statement);
    if (!m.portal.empty() && st_.portals.count(m.portal)) {
      throw UserError("portal \"" + m.portal + "\" already exists", {.sqlstate = "42P03"});
    }
    if (m.params.size() != ps->param_count) {
      throw UserError("bind message supplies " + std::to_string(m.params.size()) +
                          " parameters, but prepared statement \"" + ps->name + "\" requires " +
                          std::to_string(ps->param_count),
                      {.sqlstate = "08P01"});
    }
    auto p = std::make_shared<Portal>();
    p->stmt = ps;
    p->result_formats = m.result_formats;
    for (size_t i = 0; i < m.params.size(); ++i) {
      const auto& v = m.params[i];
      if (!v) {
        p->params.emplace_back(std::nullopt);
        continue;
      }
      if (m.param_format(i) == 1) {
        int32_t type = i < ps->param_types.size() ? ps->param_types[i] : 0;
        if (type == 0 && ps->sql) {
          const auto& d = describe_statement(*ps);
          if (i < d.param_types.size()) type = d.param_types[i];
        }
        p->params.emplace_back(binary_param_to_text(type, *v));
      } else {
        p->params.emplace_back(*v);
      }
    }
    st_.portals[m.portal] = p;
    put_bind_complete(st_.out);
  }

  void on_describe(const std::string& body) {
    DescribeMessage m = parse_describe(body);
    if (m.kind == 'S') {
      auto ps = statement(m.name);
      if (!ps->sql) {
        put_parameter_description(st_.out, {});
        put_no_data(st_.out);
        return;
      }
      const auto& d = describe_statement(*ps);
      put_parameter_description(st_.out, d.param_types);
      if (d.fields.empty()) {
        put_no_data(st_.out);
      } else {
        put_row_description(st_.out, d.fields, std::vector<int16_t>(d.fields.size(), 0));
      }
      return;
    }
    auto p = portal(m.name);
    if (!p->stmt->sql) {
      put_no_data(st_.out);
      return;
    }
    if (!p->fields) {
      StatementDescription d =
          st_.session->describe(*p->stmt->sql, 0, &p->params, p->stmt->param_types);
      p->fields = d.fields;
    }
    if (p->fields->empty()) {
      put_no_data(st_.out);
      return;
    }
    check_formats(p->result_formats, p->fields->size());
    put_row_description(st_.out, *p->fields, expand_formats(p->result_formats, p->fields->size()));
  }

  void on_execute(const std::string& body) {
    ExecuteMessage m = parse_execute(body);
    auto p = portal(m.portal);
    if (!p->stmt->sql) {
      put_empty_query(st_.out);
      return;
    }
    if (p->done) {
      std::string kind = p->tag.substr(0, p->tag.find(' '));
      put_command_complete(st_.out, kind == "SELECT" ? "SELECT 0" : p->tag);
      return;
    }
    if (!p->started && m.max_rows == 0) {
      WireWriter w(
          st_, [this] { return flush(); }, st_.session->time_zone(), false,
          p->fields ? &*p->fields : nullptr, p->result_formats);
      std::string tag = st_.session->execute(*p->stmt->sql, 0, p->params, p->stmt->param_types, w);
      if (st_.broken) return;
      p->done = true;
      p->tag = tag;
      put_command_complete(st_.out, tag);
      return;
    }
    if (!p->started) {
      BufferWriter b(st_, *p);
      p->tag = st_.session->execute(*p->stmt->sql, 0, p->params, p->stmt->param_types, b);
      p->started = true;
    }
    serve(*p, m.max_rows);
  }

  // Sends up to `max_rows` kept rows of a portal (0: all).
  void serve(Portal& p, int32_t max_rows) {
    const std::vector<PgField>& fields =
        p.fields && p.fields->size() == p.result_fields.size() ? *p.fields : p.result_fields;
    WireWriter w(
        st_, [this] { return flush(); }, st_.session->time_zone(), false, &fields,
        p.result_formats);
    w.columns(fields);
    size_t budget = max_rows > 0 ? static_cast<size_t>(max_rows) : SIZE_MAX;
    while (budget > 0 && p.batch < p.batches.size()) {
      auto& [rs, map] = p.batches[p.batch];
      size_t left = rs.row_count() - p.row;
      size_t take = std::min(left, budget);
      ResultSet slice = rs;
      slice.slice(p.row, take);
      if (!w.rows(slice, map)) return;
      budget -= take;
      p.row += take;
      if (p.row >= rs.row_count()) {
        ++p.batch;
        p.row = 0;
      }
    }
    if (p.batch < p.batches.size()) {
      put_portal_suspended(st_.out);
      return;
    }
    p.done = true;
    put_command_complete(st_.out, p.tag);
  }

  void on_close(const std::string& body) {
    DescribeMessage m = parse_close(body);
    if (m.kind == 'S') {
      st_.statements.erase(m.name);
    } else {
      st_.portals.erase(m.name);
    }
    put_close_complete(st_.out);
  }

  Connection& conn_;
  Transport& t_;
  ServerShared& shared_;
  Connection::State& st_;
  const PgServerOptions& opts_;
  int32_t pid_;
  int32_t key_;
  std::mutex& session_mu_;
  SqlSession*& session_slot_;
};

}  // namespace

void Connection::run() {
  Protocol p(*this, *transport_, shared_, *state_, pid_, key_, session_mu_, session_);
  p.run();
  std::lock_guard lock(session_mu_);
  session_ = nullptr;
  state_->portals.clear();
  state_->statements.clear();
  state_->session.reset();
}

}  // namespace strata::pgwire
