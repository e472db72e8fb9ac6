#include "pgwire/sql_session.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/json.hpp>
#include <cctype>
#include <set>
#include <sstream>

#include "core/error.h"
#include "pgwire/rewrite.h"
#include "pgwire/translate.h"
#include "query/table_version.h"

namespace strata::pgwire {

namespace json = boost::json;
using Clock = std::chrono::steady_clock;

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

struct SettingInfo {
  const char* name;  // as SHOW and ParameterStatus spell it
  bool reported;     // sent as ParameterStatus when it changes
  const char* description;
  // The value a session starts with; nullptr: the session's own
  // (server_version from the engine's options, session_authorization the user).
  const char* initial;
};

const std::map<std::string, SettingInfo, std::less<>>& known_settings() {
  static const std::map<std::string, SettingInfo, std::less<>> kSettings = {
      {"application_name", {"application_name", true, "Sets the application name.", ""}},
      {"client_encoding",
       {"client_encoding", true, "The client's character set (UTF8 only).", "UTF8"}},
      {"datestyle", {"DateStyle", true, "Display format for dates (ISO).", "ISO, MDY"}},
      {"default_transaction_read_only",
       {"default_transaction_read_only", true, "The SQL API is read-only.", "on"}},
      {"in_hot_standby", {"in_hot_standby", true, "Whether this is a standby.", "off"}},
      {"integer_datetimes", {"integer_datetimes", true, "Datetimes are integer based.", "on"}},
      {"intervalstyle", {"IntervalStyle", true, "Display format for intervals.", "postgres"}},
      {"is_superuser", {"is_superuser", true, "Whether the user is a superuser.", "off"}},
      {"server_encoding", {"server_encoding", true, "The server's character set.", "UTF8"}},
      {"server_version", {"server_version", true, "The PostgreSQL version emulated.", nullptr}},
      {"session_authorization", {"session_authorization", true, "The session user.", nullptr}},
      {"standard_conforming_strings",
       {"standard_conforming_strings", true, "Backslashes are literal in strings.", "on"}},
      {"timezone", {"TimeZone", true, "Time zone for displaying and truncating time.", "UTC"}},
      {"server_version_num", {"server_version_num", false, "The version as a number.", "150000"}},
      {"extra_float_digits", {"extra_float_digits", false, "Floats are sent exactly.", "1"}},
      {"search_path", {"search_path", false, "Schema search order.", "\"$user\", public"}},
      {"statement_timeout",
       {"statement_timeout", false, "Cancels statements running longer.", "0"}},
      {"strata.as_of",
       {"strata.as_of", false,
        "Reads lake tables as of a snapshot, instant, branch or tag ('' for the current state).",
        ""}},
      {"transaction_isolation",
       {"transaction_isolation", false, "Isolation level.", "read committed"}},
      {"default_transaction_isolation",
       {"default_transaction_isolation", false, "Default isolation level.", "read committed"}},
      {"transaction_read_only",
       {"transaction_read_only", false, "The SQL API is read-only.", "on"}},
      {"max_identifier_length", {"max_identifier_length", false, "Longest identifier.", "63"}},
      {"lc_messages", {"lc_messages", false, "Language of messages.", "C.UTF-8"}},
      {"lc_collate", {"lc_collate", false, "Collation.", "C.UTF-8"}},
      {"lc_ctype", {"lc_ctype", false, "Character classification.", "C.UTF-8"}},
      {"bytea_output", {"bytea_output", false, "Output format of bytea.", "hex"}},
      {"max_connections", {"max_connections", false, "Connections accepted.", "100"}},
      {"timezone_abbreviations",
       {"timezone_abbreviations", false, "Zone abbreviations.", "Default"}},
      {"client_min_messages", {"client_min_messages", false, "Notices sent to clients.", "notice"}},
      {"row_security", {"row_security", false, "Row security.", "on"}},
  };
  return kSettings;
}

std::string display_name(const std::string& lname) {
  auto it = known_settings().find(lname);
  return it == known_settings().end() ? lname : it->second.name;
}

PgField field_of(const std::string& name, const Type& t) {
  PgField f;
  f.name = name;
  f.type_oid = pg_oid_of(t);
  f.type_len = pg_type_len(f.type_oid);
  f.type_mod = pg_type_mod_of(t);
  return f;
}

PgField text_field(const std::string& name) {
  return field_of(name, Type::of(TypeId::kString));
}

// Text of an A_Const for SET values (integers may need the source text).
std::string const_text(const json::value& v, const ParsedSql& sql) {
  auto [type, body] = node_of(v);
  if (!body) return "";
  if (type == "TypeCast") {
    if (const json::value* a = field(*body, "arg")) return const_text(*a, sql);
    return "";
  }
  if (type != "A_Const") return "";
  if (const json::value* iv = field(*body, "ival"); iv && iv->is_object()) {
    int64_t n = int_field(iv->as_object(), "ival", 0);
    if (n != 0) return std::to_string(n);
    int64_t loc = location_of(*body);
    if (loc < 0) return "0";
    size_t i = sql.token_index(static_cast<size_t>(loc));
    std::string out;
    if (sql.token_text(i) == "-") {
      out = "-";
      ++i;
    }
    return out + std::string(sql.token_text(i));
  }
  if (const json::value* fv = field(*body, "fval"); fv && fv->is_object()) {
    return std::string(string_field(fv->as_object(), "fval"));
  }
  if (const json::value* sv = field(*body, "sval"); sv && sv->is_object()) {
    return std::string(string_field(sv->as_object(), "sval"));
  }
  if (const json::value* bv = field(*body, "boolval"); bv && bv->is_object()) {
    return bool_field(bv->as_object(), "boolval") ? "on" : "off";
  }
  return "";
}

std::chrono::milliseconds parse_pg_duration(const std::string& text) {
  std::string t = lower(text);
  while (!t.empty() && t.back() == ' ') t.pop_back();
  char* end = nullptr;
  double n = std::strtod(t.c_str(), &end);
  std::string unit = end ? std::string(end) : "";
  while (!unit.empty() && unit.front() == ' ') unit.erase(0, 1);
  if (end == t.c_str() || n < 0) {
    throw UserError(
        "invalid value for parameter \"statement_timeout\": \"" + text + "\"",
        {.hint = "write milliseconds, or a number with ms, s, min or h", .sqlstate = "22023"});
  }
  double ms = n;
  if (unit == "s")
    ms = n * 1000;
  else if (unit == "min")
    ms = n * 60'000;
  else if (unit == "h")
    ms = n * 3'600'000;
  else if (!unit.empty() && unit != "ms") {
    throw UserError("invalid value for parameter \"statement_timeout\": \"" + text + "\"",
                    {.hint = "valid units are ms, s, min and h", .sqlstate = "22023"});
  }
  return std::chrono::milliseconds(static_cast<int64_t>(ms));
}

}  // namespace

// --- SqlEngine --------------------------------------------------------------------

SqlEngine::SqlEngine(QueryService& service, SqlEngineOptions options)
    : service_(service), options_(std::move(options)), model_(service.model()) {
  CatalogOptions co;
  co.database = options_.database;
  co.server_version = options_.server_version;
  co.users = options_.users;
  catalog_ = std::make_unique<Catalog>(*model_, co);
  sandbox_ = Sandbox::open(catalog_->setup_sql(), options_.sandbox);
}

// --- SqlSession ---------------------------------------------------------------------

SqlSession::SqlSession(SqlEngine& engine, SecurityContext security, std::string user,
                       int32_t backend_pid, const std::map<std::string, std::string>& startup)
    : engine_(engine),
      security_(std::move(security)),
      user_(std::move(user)),
      backend_pid_(backend_pid),
      tz_(TimeZone::utc()) {
  const auto& o = engine_.options();
  for (const auto& [key, info] : known_settings()) {
    settings_[key] = info.initial ? info.initial : "";
  }
  settings_["server_version"] = o.server_version;
  settings_["session_authorization"] = user_;
  for (const auto& [k, v] : startup) {
    std::string lk = lower(k);
    if (lk == "user" || lk == "database" || lk == "replication" || lk == "options") continue;
    if (lk.starts_with("_pq_")) continue;
    set(k, v, nullptr);
  }
  // "options": -c name=value pairs (libpq's PGOPTIONS).
  if (auto it = startup.find("options"); it != startup.end()) {
    std::istringstream in(it->second);
    std::string word;
    while (in >> word) {
      if (word == "-c") {
        if (!(in >> word)) break;
      } else if (word.starts_with("-c")) {
        word = word.substr(2);
      } else if (word.starts_with("--")) {
        word = word.substr(2);
      } else {
        continue;
      }
      size_t eq = word.find('=');
      if (eq == std::string::npos) continue;
      set(word.substr(0, eq), word.substr(eq + 1), nullptr);
    }
  }
  defaults_ = settings_;
}

SqlSession::~SqlSession() = default;

std::vector<std::pair<std::string, std::string>> SqlSession::initial_parameters() const {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& [k, info] : known_settings()) {
    if (!info.reported) continue;
    auto it = settings_.find(k);
    out.emplace_back(info.name, it == settings_.end() ? "" : it->second);
  }
  return out;
}

SandboxSession& SqlSession::sandbox() {
  if (!sandbox_) sandbox_ = engine_.sandbox().session();
  return *sandbox_;
}

void SqlSession::cancel() {
  cancelled_ = true;
  if (SandboxSession* s = running_sandbox_.load()) s->interrupt();
}

void SqlSession::failed() {
  if (tx_ == 'T') tx_ = 'E';
}

std::chrono::milliseconds SqlSession::statement_timeout() const {
  auto it = settings_.find("statement_timeout");
  std::chrono::milliseconds t{0};
  if (it != settings_.end()) {
    try {
      t = parse_pg_duration(it->second);
    } catch (const Error&) {
    }
  }
  auto engine_limit = engine_.options().query_timeout;
  if (t.count() == 0) return engine_limit;
  if (engine_limit.count() == 0) return t;
  return std::min(t, engine_limit);
}

void SqlSession::set(const std::string& name, const std::string& raw_value, ResultWriter* out) {
  std::string lname = lower(name);
  std::string value = raw_value;
  auto invalid = [&](const std::string& hint) {
    throw UserError(
        "invalid value for parameter \"" + display_name(lname) + "\": \"" + raw_value + "\"",
        {.hint = hint, .sqlstate = "22023"});
  };
  if (lname == "timezone") {
    std::string v = value;
    std::string lv = lower(v);
    if (lv == "local" || lv == "default" || lv.empty() || lv == "z" || lv == "utc" || lv == "gmt" ||
        lv == "etc/utc" || lv == "universal" || lv == "zulu") {
      v = "UTC";
    }
    try {
      tz_ = TimeZone::load(v);
    } catch (const Error&) {
      invalid("use an IANA time zone name such as UTC or Europe/Berlin");
    }
    value = v;
  } else if (lname == "client_encoding") {
    std::string lv = lower(value);
    if (lv == "utf8" || lv == "utf-8" || lv == "unicode") {
      value = "UTF8";
    } else if (lv == "sql_ascii") {
      value = "SQL_ASCII";
    } else {
      invalid("strata sends and expects UTF8");
    }
  } else if (lname == "datestyle") {
    std::string lv = lower(value);
    if (lv.find("iso") == std::string::npos && lv.find("dmy") == std::string::npos &&
        lv.find("mdy") == std::string::npos && lv.find("ymd") == std::string::npos) {
      throw UserError("only the ISO date style is supported",
                      {.hint = "SET DateStyle = 'ISO'", .sqlstate = "0A000"});
    }
    if (lv.find("postgres") != std::string::npos || lv.find("sql") != std::string::npos ||
        lv.find("german") != std::string::npos) {
      throw UserError("only the ISO date style is supported",
                      {.hint = "SET DateStyle = 'ISO'", .sqlstate = "0A000"});
    }
    std::string order = lv.find("dmy") != std::string::npos   ? "DMY"
                        : lv.find("ymd") != std::string::npos ? "YMD"
                                                              : "MDY";
    value = "ISO, " + order;
  } else if (lname == "intervalstyle") {
    if (lower(value) != "postgres") {
      throw UserError("only IntervalStyle postgres is supported", {.sqlstate = "0A000"});
    }
    value = "postgres";
  } else if (lname == "standard_conforming_strings") {
    std::string lv = lower(value);
    if (lv != "on" && lv != "true" && lv != "1") {
      throw UserError("standard_conforming_strings cannot be turned off", {.sqlstate = "0A000"});
    }
    value = "on";
  } else if (lname == "statement_timeout") {
    parse_pg_duration(value);
  } else if (lname == "strata.as_of") {
    if (!value.empty()) {
      try {
        value = table_version_text(parse_table_version(value, "strata.as_of"));
      } catch (const Error& e) {
        invalid(std::string(e.what()) +
                "; write snapshot:ID, an ISO timestamp, ref:NAME, or '' for the current state");
      }
    }
  } else if (lname == "server_version" || lname == "server_encoding" ||
             lname == "integer_datetimes" || lname == "is_superuser" ||
             lname == "server_version_num" || lname == "max_identifier_length") {
    throw UserError("parameter \"" + display_name(lname) + "\" cannot be changed",
                    {.sqlstate = "55P02"});
  } else if ((lname == "transaction_read_only" || lname == "default_transaction_read_only") &&
             (lower(value) == "off" || lower(value) == "false")) {
    throw UserError("the SQL API is read-only", {.sqlstate = "25006"});
  }
  auto it = settings_.find(lname);
  bool changed = it == settings_.end() || it->second != value;
  settings_[lname] = value;
  auto info = known_settings().find(lname);
  if (changed && out && info != known_settings().end() && info->second.reported) {
    out->parameter_status(info->second.name, value);
  }
}

SemanticQuery SqlSession::with_session(const SemanticQuery& query) const {
  SemanticQuery q = query;
  auto it = settings_.find("strata.as_of");
  if (it != settings_.end() && !it->second.empty() && !q.as_of) {
    q.as_of = parse_table_version(it->second, "strata.as_of");
  }
  return q;
}

void SqlSession::reset_all(ResultWriter* out) {
  for (const auto& [k, v] : defaults_) {
    auto it = settings_.find(k);
    if (it == settings_.end() || it->second != v) set(k, v, out);
  }
}

// --- Statements ----------------------------------------------------------------------

std::string SqlSession::execute(const ParsedSql& sql, size_t index, const SqlParams& params,
                                const std::vector<int32_t>& param_types, ResultWriter& out) {
  const SqlStatement& st = sql.statements().at(index);
  struct Running {
    SqlSession& s;
    explicit Running(SqlSession& x) : s(x) { s.cancelled_ = false; }
    ~Running() { s.running_sandbox_ = nullptr; }
  } running(*this);
  const std::string type(st.type);
  if (tx_ == 'E' && type != "TransactionStmt") {
    throw UserError(
        "current transaction is aborted, commands ignored until end of transaction block",
        {.hint = "send ROLLBACK to end the failed transaction", .sqlstate = "25P02"});
  }
  if (type == "TransactionStmt") return execute_transaction(st, out);
  if (tx_ == 'E') {
    throw UserError(
        "current transaction is aborted, commands ignored until end of transaction block",
        {.hint = "send ROLLBACK to end the failed transaction", .sqlstate = "25P02"});
  }
  if (type == "SelectStmt") return execute_select(sql, st, params, param_types, out);
  if (type == "VariableSetStmt") return execute_set(st, sql, out);
  if (type == "VariableShowStmt") return execute_show(st, sql, out);
  if (type == "ExplainStmt") return execute_explain(sql, st, params, param_types, out);
  if (type == "DiscardStmt") {
    reset_all(&out);
    if (deallocate_) deallocate_(std::nullopt);
    return "DISCARD ALL";
  }
  if (type == "DeallocateStmt") {
    const json::object& body = st.node->begin()->value().as_object();
    std::string name(string_field(body, "name"));
    if (deallocate_) deallocate_(name.empty() ? std::nullopt : std::optional<std::string>(name));
    return name.empty() ? "DEALLOCATE ALL" : "DEALLOCATE";
  }
  static const std::set<std::string, std::less<>> kWrites = {
      "InsertStmt",    "UpdateStmt",       "DeleteStmt",   "MergeStmt",          "CreateStmt",
      "DropStmt",      "AlterTableStmt",   "TruncateStmt", "CreateTableAsStmt",  "ViewStmt",
      "IndexStmt",     "CreateSchemaStmt", "GrantStmt",    "CreateFunctionStmt", "CreateSeqStmt",
      "RenameStmt",    "CommentStmt",      "CreatedbStmt", "DropdbStmt",         "CreateRoleStmt",
      "AlterRoleStmt", "DropRoleStmt",     "VacuumStmt",   "ClusterStmt",        "ReindexStmt",
      "LockStmt"};
  std::string what = type.ends_with("Stmt") ? type.substr(0, type.size() - 4) : type;
  if (kWrites.count(type)) {
    throw UserError("cannot execute " + what + " in a read-only transaction",
                    {.hint = "the SQL API answers queries (SELECT, SHOW, SET, BEGIN/COMMIT); "
                             "change data in its sources",
                     .sqlstate = "25006"});
  }
  throw UserError(what + " statements are not supported by strata's SQL API",
                  {.hint = "the SQL API runs SELECT (over cubes, views and the pg_catalog), "
                           "SHOW, SET, RESET, BEGIN, COMMIT, ROLLBACK, DISCARD and DEALLOCATE",
                   .sqlstate = "0A000"});
}

std::string SqlSession::execute_transaction(const SqlStatement& st, ResultWriter& out) {
  const json::object& body = st.node->begin()->value().as_object();
  std::string_view kind = string_field(body, "kind");
  auto warn = [&](const char* state, const std::string& msg) {
    ErrorFields f;
    f.severity = "WARNING";
    f.sqlstate = state;
    f.message = msg;
    out.notice(f);
  };
  if (kind == "TRANS_STMT_BEGIN" || kind == "TRANS_STMT_START") {
    if (tx_ == 'E') {
      throw UserError(
          "current transaction is aborted, commands ignored until end of transaction "
          "block",
          {.sqlstate = "25P02"});
    }
    if (tx_ == 'T') warn("25001", "there is already a transaction in progress");
    tx_ = 'T';
    return kind == "TRANS_STMT_START" ? "START TRANSACTION" : "BEGIN";
  }
  if (kind == "TRANS_STMT_COMMIT") {
    if (tx_ == 'I') warn("25P01", "there is no transaction in progress");
    bool was_failed = tx_ == 'E';
    tx_ = 'I';
    return was_failed ? "ROLLBACK" : "COMMIT";
  }
  if (kind == "TRANS_STMT_ROLLBACK") {
    if (tx_ == 'I') warn("25P01", "there is no transaction in progress");
    tx_ = 'I';
    return "ROLLBACK";
  }
  if (kind == "TRANS_STMT_SAVEPOINT" || kind == "TRANS_STMT_RELEASE" ||
      kind == "TRANS_STMT_ROLLBACK_TO") {
    const char* tag = kind == "TRANS_STMT_SAVEPOINT" ? "SAVEPOINT"
                      : kind == "TRANS_STMT_RELEASE" ? "RELEASE"
                                                     : "ROLLBACK";
    if (tx_ == 'I') {
      throw UserError(std::string(tag == std::string("ROLLBACK") ? "ROLLBACK TO SAVEPOINT" : tag) +
                          " can only be used in transaction blocks",
                      {.sqlstate = "25P01"});
    }
    if (tx_ == 'E' && kind != "TRANS_STMT_ROLLBACK_TO") {
      throw UserError(
          "current transaction is aborted, commands ignored until end of transaction "
          "block",
          {.sqlstate = "25P02"});
    }
    if (kind == "TRANS_STMT_ROLLBACK_TO") tx_ = 'T';
    return tag;
  }
  throw UserError("two-phase commit is not supported by the SQL API", {.sqlstate = "0A000"});
}

std::string SqlSession::execute_set(const SqlStatement& st, const ParsedSql& sql,
                                    ResultWriter& out) {
  const json::object& body = st.node->begin()->value().as_object();
  std::string_view kind = string_field(body, "kind");
  std::string name(string_field(body, "name"));
  if (kind == "VAR_RESET_ALL") {
    reset_all(&out);
    return "RESET";
  }
  if (kind == "VAR_SET_MULTI") return "SET";  // SET TRANSACTION ..., SET SESSION CHARACTERISTICS
  std::string lname = lower(name);
  if (kind == "VAR_RESET" || kind == "VAR_SET_DEFAULT") {
    auto it = defaults_.find(lname);
    if (it != defaults_.end()) {
      set(lname, it->second, &out);
    } else {
      settings_.erase(lname);
    }
    return kind == "VAR_RESET" ? "RESET" : "SET";
  }
  if (kind == "VAR_SET_CURRENT") return "SET";
  std::string value;
  if (const json::array* args = array_field(body, "args")) {
    for (const auto& a : *args) {
      if (!value.empty()) value += ", ";
      value += const_text(a, sql);
    }
  }
  if (lname == "transaction_isolation" || lname == "session_authorization" || lname == "role") {
    return "SET";  // accepted, no effect: one isolation level, one user per connection
  }
  set(lname, value, &out);
  return "SET";
}

std::string SqlSession::execute_show(const SqlStatement& st, const ParsedSql&, ResultWriter& out) {
  const json::object& body = st.node->begin()->value().as_object();
  std::string lname = lower(string_field(body, "name"));
  if (lname == "all") {
    ResultSet rs({{"name", Type::of(TypeId::kString)},
                  {"setting", Type::of(TypeId::kString)},
                  {"description", Type::of(TypeId::kString)}});
    for (const auto& [k, v] : settings_) {
      auto info = known_settings().find(k);
      rs.column(0).append_string(display_name(k));
      rs.column(1).append_string(v);
      rs.column(2).append_string(info == known_settings().end() ? "" : info->second.description);
    }
    out.columns({text_field("name"), text_field("setting"), text_field("description")});
    out.rows(rs, {0, 1, 2});
    return "SHOW";
  }
  if (lname == "transaction isolation level") lname = "transaction_isolation";
  auto it = settings_.find(lname);
  if (it == settings_.end()) {
    throw UserError("unrecognized configuration parameter \"" + lname + "\"",
                    {.hint = "SHOW ALL lists the parameters", .sqlstate = "42704"});
  }
  ResultSet rs({{lname, Type::of(TypeId::kString)}});
  rs.column(0).append_string(it->second);
  out.columns({text_field(display_name(lname))});
  out.rows(rs, {0});
  return "SHOW";
}

// --- SELECT ----------------------------------------------------------------------------

// Temporary tables loaded for one statement; dropped when it ends.
class TempTables {
 public:
  explicit TempTables(SandboxSession& s) : s_(s) {}
  ~TempTables() {
    for (const auto& t : names_) {
      try {
        s_.drop_table(t);
      } catch (const std::exception& e) {
        spdlog::warn("pgwire: dropping temporary table {} failed: {}", t, e.what());
      }
    }
  }
  void add(const std::string& name) { names_.push_back(name); }

 private:
  SandboxSession& s_;
  std::vector<std::string> names_;
};

const QueryResult& SqlSession::wait(const std::shared_ptr<PendingQuery>& pending) {
  auto timeout = statement_timeout();
  Clock::time_point deadline =
      timeout.count() > 0 ? Clock::now() + timeout : Clock::time_point::max();
  while (!pending->wait_for(std::chrono::milliseconds(20))) {
    if (cancelled_) {
      engine_.service().cancel(pending);
      throw UserError("canceling statement due to user request", {.sqlstate = "57014"});
    }
    if (alive_ && !alive_()) {
      engine_.service().cancel(pending);
      throw UserError("the client went away while its query ran", {.sqlstate = "08006"});
    }
    if (Clock::now() > deadline) {
      engine_.service().cancel(pending);
      throw TimeoutError("canceling statement due to statement timeout", {.sqlstate = "57014"});
    }
  }
  return pending->wait();
}

namespace {

TranslateContext make_context(const Catalog& catalog, const SqlParams* params,
                              const std::string& tz, const QueryLimits& limits,
                              std::set<std::string> ctes,
                              std::function<std::optional<std::string>(const std::string&)> eval) {
  TranslateContext ctx;
  ctx.catalog = &catalog;
  ctx.params = params;
  ctx.timezone = tz;
  ctx.limits = limits;
  ctx.cte_names = std::move(ctes);
  ctx.evaluate = std::move(eval);
  return ctx;
}

std::vector<PgField> direct_fields(const BlockPlan& p) {
  std::vector<PgField> fields;
  for (const auto& o : p.outputs) {
    PgField f;
    f.name = o.name;
    f.type_oid = o.type_oid;
    f.type_len = pg_type_len(o.type_oid);
    f.table_oid = o.table_oid;
    f.attnum = o.attnum;
    fields.push_back(f);
  }
  return fields;
}

}  // namespace

// What a SELECT turned into, before it runs.
struct SqlSession::Run {
  std::vector<const json::object*> blocks;
  std::vector<BlockPlan> plans;
  bool direct = false;
  std::set<std::string> ctes;
  std::vector<std::string> names;  // PostgreSQL's output names, when known
};

std::string SqlSession::execute_select(const ParsedSql& sql, const SqlStatement& st,
                                       const SqlParams& params,
                                       const std::vector<int32_t>& param_types, ResultWriter& out) {
  const json::value& root = *st.value;
  const json::object* body = node_of(root).second;
  Run run;
  collect_cte_names(root, run.ctes);
  run.blocks = find_cube_blocks(root, engine_.catalog(), run.ctes);
  run.names = output_names(*body);
  auto eval = [this](const std::string& expr) -> std::optional<std::string> {
    std::optional<std::string> v;
    sandbox().run("SELECT CAST((" + expr + ") AS VARCHAR)", [&](ResultSet&& rs) {
      if (rs.row_count() > 0 && !rs.column(0).is_null(0)) v = rs.column(0).string_at(0);
      return false;
    });
    return v;
  };
  TranslateContext ctx = make_context(engine_.catalog(), &params, tz_->name(),
                                      engine_.options().limits, run.ctes, eval);
  if (run.blocks.size() == 1 && run.blocks[0] == body) {
    std::string table = "__strata_r" + std::to_string(++table_counter_);
    BlockPlan p = translate_block(*body, sql, ctx, true, table);
    if (p.direct) {
      std::vector<PgField> fields = direct_fields(p);
      if (p.skip_run) {
        out.columns(fields);
        return "SELECT 0";
      }
      auto pending = engine_.service().submit(with_session(p.query), security_);
      const QueryResult& r = wait(pending);
      std::vector<int> map;
      for (const auto& o : p.outputs) {
        int idx = -1;
        if (!o.key.empty()) {
          for (size_t j = 0; j < r.columns.size(); ++j) {
            if (r.columns[j].key == o.key) idx = static_cast<int>(j);
          }
          if (idx < 0) throw InternalError("the cube query has no column " + o.key);
        }
        map.push_back(idx);
      }
      out.columns(fields);
      out.rows(r.rows, map);
      if (r.limit_reached && (!p.query.limit_given || p.limit_capped)) {
        ErrorFields n;
        n.severity = "NOTICE";
        n.sqlstate = "01000";
        n.message = "the result was cut at " + std::to_string(p.query.limit) +
                    " rows, the server's maximum (limits.max_limit)";
        n.hint = "add a LIMIT, filter further, or raise limits.max_limit in strata.yml";
        out.notice(n);
      }
      return "SELECT " + std::to_string(r.rows.row_count());
    }
    run.plans.push_back(std::move(p));
  } else {
    for (const json::object* b : run.blocks) {
      std::string table = "__strata_r" + std::to_string(++table_counter_);
      run.plans.push_back(translate_block(*b, sql, ctx, false, table));
    }
  }

  // Post-processing: every cube block's query, loaded into the sandbox.
  std::vector<std::shared_ptr<PendingQuery>> pending;
  // On any failure, the cube queries still running are stopped.
  struct StopRest {
    QueryService& service;
    std::vector<std::shared_ptr<PendingQuery>>& pending;
    ~StopRest() {
      for (const auto& p : pending) {
        if (!p->done()) service.cancel(p);
      }
    }
  } stop_rest{engine_.service(), pending};
  for (const auto& p : run.plans) {
    pending.push_back(engine_.service().submit(with_session(p.query), security_));
  }
  SandboxSession& sb = sandbox();
  TempTables temps(sb);
  for (size_t i = 0; i < run.plans.size(); ++i) {
    const QueryResult& r = wait(pending[i]);
    const BlockPlan& p = run.plans[i];
    if (r.limit_reached) {
      throw UserError("a cube query inside this statement returns more than " +
                          std::to_string(p.query.limit) + " rows (limits.max_limit)",
                      {.hint = "filter or group the cube's rows further, or raise "
                               "limits.max_limit in strata.yml",
                       .sqlstate = "54000"});
    }
    std::vector<std::string> names(r.columns.size());
    for (size_t j = 0; j < r.columns.size(); ++j) {
      names[j] = "__extra_" + std::to_string(j);
      for (const auto& [key, col] : p.temp_columns) {
        if (r.columns[j].key == key) names[j] = col;
      }
    }
    sb.load_table(p.table, names, r.rows);
    temps.add(p.table);
  }
  RewriteInput in;
  in.sql = &sql;
  in.statement = &st;
  in.catalog = &engine_.catalog();
  in.session = {user_, engine_.options().database, engine_.catalog().version_text(), backend_pid_,
                &settings_};
  in.params = &params;
  in.param_types = &param_types;
  in.cte_names = run.ctes;
  for (size_t i = 0; i < run.blocks.size() && i < run.plans.size(); ++i) {
    in.cube_blocks.insert(run.blocks[i]);
    for (const auto& e : run.plans[i].edits) in.block_edits.push_back(e);
  }
  if (run.plans.size() == 1 && run.blocks.size() == 1) in.cube_blocks.insert(run.blocks[0]);
  std::string final_sql = rewrite_for_sandbox(in);

  size_t count = 0;
  bool started = false;
  std::vector<int> map;
  running_sandbox_ = &sb;
  if (cancelled_) {
    throw UserError("canceling statement due to user request", {.sqlstate = "57014"});
  }
  sb.run(
      final_sql,
      [&](ResultSet&& batch) {
        if (!started) {
          std::vector<PgField> fields;
          for (size_t c = 0; c < batch.column_count(); ++c) {
            std::string name =
                run.names.size() == batch.column_count() ? run.names[c] : batch.schema()[c].name;
            fields.push_back(field_of(name, batch.schema()[c].type));
            map.push_back(static_cast<int>(c));
          }
          out.columns(fields);
          started = true;
        }
        count += batch.row_count();
        return out.rows(batch, map);
      },
      statement_timeout());
  running_sandbox_ = nullptr;
  return "SELECT " + std::to_string(count);
}

std::string SqlSession::execute_explain(const ParsedSql& sql, const SqlStatement& st,
                                        const SqlParams& params, const std::vector<int32_t>&,
                                        ResultWriter& out) {
  const json::object& body = st.node->begin()->value().as_object();
  const json::value* query = field(body, "query");
  auto [qt, qb] = query ? node_of(*query) : std::make_pair(std::string_view(), nullptr);
  if (qt != "SelectStmt" || !qb) {
    throw UserError("EXPLAIN works on SELECT statements only", {.sqlstate = "0A000"});
  }
  std::set<std::string> ctes;
  collect_cte_names(*query, ctes);
  auto blocks = find_cube_blocks(*query, engine_.catalog(), ctes);
  TranslateContext ctx =
      make_context(engine_.catalog(), &params, tz_->name(), engine_.options().limits, ctes, {});
  std::vector<std::string> lines;
  auto add_sql = [&](const std::string& text) {
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) lines.push_back("  " + line);
  };
  for (size_t i = 0; i < blocks.size(); ++i) {
    bool top = blocks.size() == 1 && blocks[0] == qb;
    BlockPlan p = translate_block(*blocks[i], sql, ctx, top, "__strata_r" + std::to_string(i + 1));
    Plan plan = engine_.service().plan(p.query, security_);
    lines.push_back(
        std::string(p.direct ? "Cube query (the answer)" : "Cube query (post-processed)") +
        " on data source " + plan.source + ":");
    add_sql(plan.sql);
    if (!p.direct) lines.push_back("  (not direct: " + p.not_direct_reason + ")");
  }
  if (blocks.empty()) lines.push_back("Catalog query, answered by the SQL API's own DuckDB");
  ResultSet rs({{"QUERY PLAN", Type::of(TypeId::kString)}});
  for (const auto& l : lines) rs.column(0).append_string(l);
  out.columns({text_field("QUERY PLAN")});
  out.rows(rs, {0});
  return "EXPLAIN";
}

// --- Describe ------------------------------------------------------------------------------

StatementDescription SqlSession::describe(const ParsedSql& sql, size_t index,
                                          const SqlParams* params,
                                          const std::vector<int32_t>& param_types) {
  const SqlStatement& st = sql.statements().at(index);
  StatementDescription d;
  // Parameters: as declared, else found by scanning ($n tokens).
  size_t max_param = param_types.size();
  {
    size_t from = sql.token_from(st.location);
    size_t to_byte = st.length ? st.location + st.length : sql.text().size();
    for (size_t i = from; i < sql.tokens().size() && sql.tokens()[i].start < to_byte; ++i) {
      std::string_view t = sql.token_text(i);
      if (t.size() > 1 && t[0] == '$') {
        max_param =
            std::max(max_param, static_cast<size_t>(std::atoi(std::string(t.substr(1)).c_str())));
      }
    }
  }
  d.param_types.assign(max_param, oid::kText);
  for (size_t i = 0; i < param_types.size(); ++i) {
    if (param_types[i] != 0) d.param_types[i] = param_types[i];
  }
  std::string type(st.type);
  if (type == "VariableShowStmt") {
    const json::object& body = st.node->begin()->value().as_object();
    std::string lname = lower(string_field(body, "name"));
    if (lname == "all") {
      d.fields = {text_field("name"), text_field("setting"), text_field("description")};
    } else {
      if (lname == "transaction isolation level") lname = "transaction_isolation";
      d.fields = {text_field(display_name(lname))};
    }
    return d;
  }
  if (type == "ExplainStmt") {
    d.fields = {text_field("QUERY PLAN")};
    return d;
  }
  if (type != "SelectStmt") return d;

  // Unbound parameters describe as placeholders: a value for the pushdown
  // analysis, then left as $n for the sandbox to type.
  SqlParams placeholder(max_param, std::optional<std::string>("1"));
  const SqlParams& ps = params ? *params : placeholder;
  const json::value& root = *st.value;
  const json::object* body = node_of(root).second;
  std::set<std::string> ctes;
  collect_cte_names(root, ctes);
  auto blocks = find_cube_blocks(root, engine_.catalog(), ctes);
  TranslateContext ctx =
      make_context(engine_.catalog(), &ps, tz_->name(), engine_.options().limits, ctes, {});
  std::vector<BlockPlan> plans;
  if (blocks.size() == 1 && blocks[0] == body) {
    BlockPlan p = translate_block(*body, sql, ctx, true, "__strata_d1");
    if (p.direct) {
      d.fields = direct_fields(p);
      return d;
    }
    plans.push_back(std::move(p));
  } else {
    for (size_t i = 0; i < blocks.size(); ++i) {
      plans.push_back(
          translate_block(*blocks[i], sql, ctx, false, "__strata_d" + std::to_string(i + 1)));
    }
  }
  SandboxSession& sb = sandbox();
  TempTables temps(sb);
  for (const auto& p : plans) {
    // Empty tables typed by the model stand in for the cube queries' results.
    std::vector<ColumnInfo> schema;
    std::vector<std::string> names;
    for (const auto& [key, col] : p.temp_columns) {
      const ResolvedMember* m = engine_.catalog().model().find_member(col);
      Type t = m ? member_strata_type(*m) : Type::of(TypeId::kString);
      schema.push_back({col, t});
      names.push_back(col);
    }
    sb.load_table(p.table, names, ResultSet(schema));
    temps.add(p.table);
  }
  RewriteInput in;
  in.sql = &sql;
  in.statement = &st;
  in.catalog = &engine_.catalog();
  in.session = {user_, engine_.options().database, engine_.catalog().version_text(), backend_pid_,
                &settings_};
  in.params = params;  // null: $n stay, DuckDB types them
  in.param_types = &param_types;
  in.cte_names = ctes;
  for (size_t i = 0; i < blocks.size() && i < plans.size(); ++i) {
    in.cube_blocks.insert(blocks[i]);
    for (const auto& e : plans[i].edits) in.block_edits.push_back(e);
  }
  std::string final_sql = rewrite_for_sandbox(in);
  std::vector<Type> duck_params;
  std::vector<SandboxColumn> cols;
  try {
    cols = sb.describe(final_sql, &duck_params);
  } catch (const Error&) {
    if (params) throw;
    // DuckDB could not type a parameter: describe with NULLs in their place.
    SqlParams nulls(max_param);
    in.params = &nulls;
    cols = sb.describe(rewrite_for_sandbox(in), nullptr);
    duck_params.clear();
  }
  auto names = output_names(*body);
  for (size_t c = 0; c < cols.size(); ++c) {
    std::string name = names.size() == cols.size() ? names[c] : cols[c].name;
    d.fields.push_back(field_of(name, cols[c].type));
  }
  if (!params) {
    for (size_t i = 0; i < duck_params.size() && i < d.param_types.size(); ++i) {
      if (i >= param_types.size() || param_types[i] == 0) {
        d.param_types[i] = pg_oid_of(duck_params[i]);
      }
    }
  }
  return d;
}

}  // namespace strata::pgwire
