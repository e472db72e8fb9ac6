#include "source/postgres/postgres_source.h"

#include <libpq-fe.h>
#include <poll.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <limits>
#include <mutex>
#include <optional>
#include <thread>
#include <utility>

#include "core/error.h"
#include "source/postgres/pg_binary.h"
#include "sql/dialect.h"

namespace strata {

using Clock = std::chrono::steady_clock;
using namespace pg_detail;

namespace {

// --- RAII owners of libpq handles ----------------------------------------------

struct ConnDeleter {
  void operator()(PGconn* c) const { PQfinish(c); }
};
using ConnPtr = std::unique_ptr<PGconn, ConnDeleter>;

struct ResultDeleter {
  void operator()(PGresult* r) const { PQclear(r); }
};
using ResultPtr = std::unique_ptr<PGresult, ResultDeleter>;

struct CancelDeleter {
  void operator()(PGcancel* c) const { PQfreeCancel(c); }
};

// Sends a cancel request on a helper thread: PQcancel opens a new connection
// to the server, which can take long when the server is unreachable, and
// nobody should wait for that.
void send_cancel_async(std::shared_ptr<PGcancel> handle) {
  try {
    std::thread([h = std::move(handle)] {
      char err[256];
      PQcancel(h.get(), err, sizeof err);
    }).detach();
  } catch (const std::exception& e) {
    spdlog::warn("postgres: could not start a thread to send a cancel request: {}", e.what());
  }
}

// --- Stopping a running query ----------------------------------------------------

enum class StopReason { kNone, kTimeout, kCancel };

// Shared by the query's thread and a CancelToken callback. While armed it
// holds the connection's cancel handle; stop() sends at most one cancel
// request. A connection that had one sent is never reused.
class QueryControl {
 public:
  void stop(StopReason why) {
    std::lock_guard lock(mu_);
    if (reason_ == StopReason::kNone) reason_ = why;
    if (cancel_ && !cancel_sent_) {
      cancel_sent_ = true;
      send_cancel_async(cancel_);
    }
  }
  void arm(std::shared_ptr<PGcancel> cancel) {
    std::lock_guard lock(mu_);
    cancel_ = std::move(cancel);
    if (reason_ != StopReason::kNone && cancel_ && !cancel_sent_) {
      cancel_sent_ = true;
      send_cancel_async(cancel_);
    }
  }
  void disarm() {
    std::lock_guard lock(mu_);
    cancel_.reset();
  }
  StopReason reason() const {
    std::lock_guard lock(mu_);
    return reason_;
  }
  bool cancel_sent() const {
    std::lock_guard lock(mu_);
    return cancel_sent_;
  }

 private:
  mutable std::mutex mu_;
  std::shared_ptr<PGcancel> cancel_;
  StopReason reason_ = StopReason::kNone;
  bool cancel_sent_ = false;
};

class CancelGuard {
 public:
  CancelGuard(std::shared_ptr<CancelToken> token, const std::shared_ptr<QueryControl>& control)
      : token_(std::move(token)) {
    if (!token_) return;
    id_ = token_->on_cancel([control] { control->stop(StopReason::kCancel); });
  }
  ~CancelGuard() {
    if (token_) token_->unregister(id_);
  }
  CancelGuard(const CancelGuard&) = delete;
  CancelGuard& operator=(const CancelGuard&) = delete;

 private:
  std::shared_ptr<CancelToken> token_;
  int id_ = 0;
};

// The query was given up (the server did not answer a cancel request in
// time): the connection must be thrown away.
struct Abandoned {};
// The connection broke while the query was being sent (nothing ran).
struct SendFailed {
  std::string message;
};

std::string first_lines(const char* text) {
  std::string s = text ? text : "";
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  std::string out;
  for (char c : s) {
    if (c == '\n') {
      out += "; ";
    } else if (c != '\t') {
      out += c;
    }
  }
  return out.empty() ? "unknown error" : out;
}

// Escapes a value for libpq's `options` setting (-c name=value): spaces and
// backslashes are escaped with a backslash.
std::string escape_option(const std::string& v) {
  std::string out;
  for (char c : v) {
    if (c == ' ' || c == '\\') out += '\\';
    out += c;
  }
  return out;
}

int64_t shift_micros(int64_t v) {
  if (v == std::numeric_limits<int64_t>::max() || v == std::numeric_limits<int64_t>::min()) {
    return v;
  }
  return v + kEpochShiftMicros;
}

// --- Decoding binary values into Columns ---------------------------------------------

enum class Kind {
  kBool,
  kInt2,
  kInt4,
  kInt8,
  kOid,
  kFloat4,
  kFloat8,
  kNumeric,          // numeric(p,s) with p <= 38: exact decimals
  kNumericDeferred,  // numeric without a declared scale: decided at the end
  kNumericText,
  kBytes,  // text, varchar, bpchar, name, char, json, xml, bytea: the bytes as they are
  kJsonb,
  kDate,
  kTime,
  kTimestamp,
  kInterval,
  kUuid,
  kOther,  // text_of()
};

Kind kind_of(uint32_t o, const Type& t, int typmod) {
  switch (o) {
    case oid::kBool: return Kind::kBool;
    case oid::kInt2: return Kind::kInt2;
    case oid::kInt4: return Kind::kInt4;
    case oid::kInt8: return Kind::kInt8;
    case oid::kOid: return Kind::kOid;
    case oid::kFloat4: return Kind::kFloat4;
    case oid::kFloat8: return Kind::kFloat8;
    case oid::kText:
    case oid::kVarchar:
    case oid::kBpchar:
    case oid::kName:
    case oid::kChar:
    case oid::kJson:
    case oid::kXml:
    case oid::kUnknown:
    case oid::kBytea: return Kind::kBytes;
    case oid::kJsonb: return Kind::kJsonb;
    case oid::kDate: return Kind::kDate;
    case oid::kTime: return Kind::kTime;
    case oid::kTimestamp:
    case oid::kTimestamptz: return Kind::kTimestamp;
    case oid::kInterval: return Kind::kInterval;
    case oid::kUuid: return Kind::kUuid;
    case oid::kNumeric:
      if (t.id != TypeId::kDecimal) return Kind::kNumericText;
      return typmod >= 4 ? Kind::kNumeric : Kind::kNumericDeferred;
    default: return Kind::kOther;
  }
}

// Builds one result column from binary values, whichever way they arrive
// (a PGresult, binary COPY rows). A numeric column whose values do not fit
// its decimal type turns into PostgreSQL's text; one without a declared
// scale keeps the raw values until take() decides the scale.
class ColumnBuilder {
 public:
  ColumnBuilder(uint32_t type_oid, int typmod)
      : oid_(type_oid),
        type_(type_of(type_oid, typmod)),
        kind_(kind_of(type_oid, type_, typmod)),
        col_(type_) {}

  void reserve(size_t n) {
    if (kind_ == Kind::kNumericDeferred) {
      raw_.reserve(n);
    } else {
      col_.reserve(n);
    }
  }

  void add_null() {
    if (kind_ == Kind::kNumericDeferred) {
      raw_.emplace_back(std::nullopt);
    } else {
      col_.append_null();
    }
  }

  void add(const char* v, int len) {
    switch (kind_) {
      case Kind::kBool: col_.append_int(len > 0 && v[0] != 0 ? 1 : 0); return;
      case Kind::kInt2: col_.append_int(read_i16(v)); return;
      case Kind::kInt4: col_.append_int(read_i32(v)); return;
      case Kind::kInt8: col_.append_int(read_i64(v)); return;
      case Kind::kOid: col_.append_int(static_cast<uint32_t>(read_i32(v))); return;
      case Kind::kFloat4: {
        uint32_t u = static_cast<uint32_t>(read_i32(v));
        float f;
        std::memcpy(&f, &u, 4);
        col_.append_double(float4_as_double(f));
        return;
      }
      case Kind::kFloat8: {
        uint64_t u = static_cast<uint64_t>(read_i64(v));
        double d;
        std::memcpy(&d, &u, 8);
        col_.append_double(d);
        return;
      }
      case Kind::kNumeric: {
        auto x = numeric_unscaled(std::string_view(v, len), type_.scale);
        if (x) {
          col_.append_decimal(*x);
          return;
        }
        to_text();
        col_.append_string(numeric_text(std::string_view(v, len)));
        return;
      }
      case Kind::kNumericDeferred: raw_.emplace_back(std::string(v, len)); return;
      case Kind::kNumericText: col_.append_string(numeric_text(std::string_view(v, len))); return;
      case Kind::kBytes: col_.append_string(std::string(v, len)); return;
      case Kind::kJsonb:
        col_.append_string(len > 0 && v[0] == 1 ? std::string(v + 1, len - 1)
                                                : text_of(oid_, std::string_view(v, len)));
        return;
      case Kind::kDate:
        col_.append_int(static_cast<int64_t>(read_i32(v)) + kEpochShiftDays);
        return;
      case Kind::kTime: col_.append_int(read_i64(v)); return;
      case Kind::kTimestamp: col_.append_int(shift_micros(read_i64(v))); return;
      case Kind::kInterval: col_.append_string(interval_text(std::string_view(v, len))); return;
      case Kind::kUuid: col_.append_string(uuid_text(std::string_view(v, len))); return;
      case Kind::kOther: col_.append_string(text_of(oid_, std::string_view(v, len))); return;
    }
  }

  // The finished column (its type is the one to report).
  Column take() {
    if (kind_ != Kind::kNumericDeferred) return std::move(col_);
    // The largest scale among the values, if every value fits 38 digits with it.
    int scale = 0;
    bool fits = true;
    for (const auto& r : raw_) {
      if (!r) continue;
      auto n = parse_numeric(*r);
      if (!n || n->special != Numeric::Special::kNone || n->dscale > 38) {
        fits = false;
        break;
      }
      scale = std::max(scale, n->dscale);
    }
    std::vector<__int128> values;
    if (fits) {
      values.reserve(raw_.size());
      for (const auto& r : raw_) {
        if (!r) {
          values.push_back(0);
          continue;
        }
        auto x = numeric_unscaled(*r, scale);
        if (!x) {
          fits = false;
          break;
        }
        values.push_back(*x);
      }
    }
    Column out(fits ? Type::decimal(38, static_cast<uint8_t>(scale)) : Type::of(TypeId::kString));
    out.reserve(raw_.size());
    for (size_t i = 0; i < raw_.size(); ++i) {
      if (!raw_[i]) {
        out.append_null();
      } else if (fits) {
        out.append_decimal(values[i]);
      } else {
        out.append_string(numeric_text(*raw_[i]));
      }
    }
    return out;
  }

 private:
  // A value did not fit numeric(p,s): the column becomes text, the values
  // so far rewritten as PostgreSQL writes them.
  void to_text() {
    Column text(Type::of(TypeId::kString));
    text.reserve(col_.size() + 1);
    for (size_t i = 0; i < col_.size(); ++i) {
      if (col_.is_null(i)) {
        text.append_null();
      } else {
        text.append_string(decimal_to_string(col_.decimal_at(i), type_.scale));
      }
    }
    col_ = std::move(text);
    type_ = Type::of(TypeId::kString);
    kind_ = Kind::kNumericText;
  }

  uint32_t oid_;
  Type type_;
  Kind kind_;
  Column col_;
  std::vector<std::optional<std::string>> raw_;
};

// Assembles a ResultSet from finished builders.
ResultSet finish(std::vector<ColumnBuilder>& builders, const std::vector<std::string>& names) {
  std::vector<Column> columns;
  std::vector<ColumnInfo> schema;
  for (size_t i = 0; i < builders.size(); ++i) {
    columns.push_back(builders[i].take());
    schema.push_back({names[i], columns.back().type()});
  }
  ResultSet rs(std::move(schema));
  for (size_t i = 0; i < columns.size(); ++i) rs.column(i) = std::move(columns[i]);
  return rs;
}

ResultSet decode_result(const PGresult* r, int64_t max_rows) {
  int fields = PQnfields(r);
  int rows = PQntuples(r);
  if (max_rows >= 0 && max_rows < rows) rows = static_cast<int>(max_rows);
  std::vector<ColumnBuilder> builders;
  std::vector<std::string> names;
  for (int col = 0; col < fields; ++col) {
    builders.emplace_back(PQftype(r, col), PQfmod(r, col));
    const char* n = PQfname(r, col);
    names.push_back(n ? n : "");
  }
  for (int col = 0; col < fields; ++col) {
    ColumnBuilder& b = builders[col];
    b.reserve(rows);
    for (int row = 0; row < rows; ++row) {
      if (PQgetisnull(r, row, col)) {
        b.add_null();
      } else {
        b.add(PQgetvalue(r, row, col), PQgetlength(r, row, col));
      }
    }
  }
  return finish(builders, names);
}

// Whether COPY (sql) TO STDOUT can take the statement: it starts (after
// spaces, comments and parentheses) with SELECT, WITH, VALUES or TABLE.
bool copyable(const std::string& sql) {
  size_t i = 0, n = sql.size();
  while (i < n) {
    char c = sql[i];
    if (std::isspace(static_cast<unsigned char>(c)) || c == '(') {
      ++i;
    } else if (c == '-' && i + 1 < n && sql[i + 1] == '-') {
      while (i < n && sql[i] != '\n') ++i;
    } else if (c == '/' && i + 1 < n && sql[i + 1] == '*') {
      size_t end = sql.find("*/", i + 2);
      if (end == std::string::npos) return false;
      i = end + 2;
    } else {
      break;
    }
  }
  size_t start = i;
  while (i < n && std::isalpha(static_cast<unsigned char>(sql[i]))) ++i;
  std::string word = sql.substr(start, i - start);
  for (char& c : word) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return word == "SELECT" || word == "WITH" || word == "VALUES" || word == "TABLE";
}

struct CopyBuffer {
  char* p = nullptr;
  ~CopyBuffer() {
    if (p) PQfreemem(p);
  }
};

}  // namespace

// --- The source ---------------------------------------------------------------------

struct PostgresSource::Impl {
  struct Connection {
    ConnPtr conn;
    std::shared_ptr<PGcancel> cancel;
  };
  using Lease = ConnectionPool<Connection>::Lease;

  std::string name;
  PostgresSourceOptions o;
  std::unique_ptr<ConnectionPool<Connection>> pool;  // made by open()

  // Deadlines of one query run.
  struct Deadlines {
    Clock::time_point query = Clock::time_point::max();
    std::optional<Clock::time_point> grace;
  };

  [[noreturn]] void unreachable(const std::string& why) const {
    throw SourceError(name, "source '" + name + "' is unreachable: " + why,
                      {.hint = "check that PostgreSQL runs at " + o.host + ":" +
                               std::to_string(o.port) + " and accepts connections",
                       .sqlstate = "08001"});
  }

  std::unique_ptr<Connection> open_connection() {
    std::string port = std::to_string(o.port);
    long long secs = std::max<long long>(2, (o.connect_timeout.count() + 999) / 1000);
    std::string timeout = std::to_string(secs);
    std::string options = "-c TimeZone=UTC -c standard_conforming_strings=on";
    if (o.read_only) options += " -c default_transaction_read_only=on";
    if (!o.search_path.empty()) options += " -c search_path=" + escape_option(o.search_path);
    std::vector<const char*> keys;
    std::vector<const char*> values;
    auto add = [&](const char* k, const std::string& v) {
      if (v.empty()) return;
      keys.push_back(k);
      values.push_back(v.c_str());
    };
    add("host", o.host);
    add("port", port);
    add("dbname", o.database);
    add("user", o.user);
    add("password", o.password);
    add("sslmode", o.sslmode);
    add("sslrootcert", o.sslrootcert);
    add("connect_timeout", timeout);
    static const std::string kApp = "strata";
    static const std::string kEncoding = "UTF8";
    add("application_name", kApp);
    add("client_encoding", kEncoding);
    add("options", options);
    keys.push_back(nullptr);
    values.push_back(nullptr);
    auto c = std::make_unique<Connection>();
    c->conn.reset(PQconnectdbParams(keys.data(), values.data(), 0));
    if (!c->conn) unreachable("out of memory");
    if (PQstatus(c->conn.get()) != CONNECTION_OK) {
      std::string message = first_lines(PQerrorMessage(c->conn.get()));
      bool network = message.find("Connection refused") != std::string::npos ||
                     message.find("could not connect") != std::string::npos ||
                     message.find("timeout expired") != std::string::npos ||
                     message.find("could not translate host name") != std::string::npos ||
                     message.find("No route to host") != std::string::npos ||
                     message.find("Network is unreachable") != std::string::npos ||
                     message.find("the database system is") != std::string::npos ||
                     message.find("server closed the connection") != std::string::npos;
      if (network) unreachable(message);
      throw SourceError(name, "data source '" + name + "': cannot connect: " + message,
                        {.hint = "check the user, password, database and sslmode of the source",
                         .sqlstate = "08001"});
    }
    if (PQsetnonblocking(c->conn.get(), 1) != 0) {
      throw SourceError(name,
                        "data source '" + name + "': cannot make the connection non-blocking");
    }
    c->cancel.reset(PQgetCancel(c->conn.get()), CancelDeleter());
    return c;
  }

  // Whether an idle connection can run a query: still connected, outside a
  // transaction, and nothing arrived while it sat idle (a server that
  // restarted or terminated the session has sent an error and closed it).
  static bool usable(Connection& c) {
    PGconn* pc = c.conn.get();
    if (PQstatus(pc) != CONNECTION_OK || PQtransactionStatus(pc) != PQTRANS_IDLE) return false;
    pollfd p{PQsocket(pc), POLLIN, 0};
    int r = ::poll(&p, 1, 0);
    return r == 0;
  }

  // Whether a connection given back can be kept: connected, outside a
  // transaction and a pipeline.
  static bool reusable(Connection& c) {
    PGconn* pc = c.conn.get();
    return PQstatus(pc) == CONNECTION_OK && PQtransactionStatus(pc) == PQTRANS_IDLE &&
           PQpipelineStatus(pc) == PQ_PIPELINE_OFF;
  }

  // Waits (at most 100 ms at a time) until the socket is readable (or
  // writable, when `write`), enforcing the query's deadline: past it, the
  // query is stopped (a cancel request); `cancel_grace` after a stop, the
  // query is abandoned.
  void wait_socket(PGconn* c, QueryControl& control, Deadlines& d, bool write) const {
    Clock::time_point now = Clock::now();
    if (control.reason() == StopReason::kNone && now >= d.query) control.stop(StopReason::kTimeout);
    if (control.reason() != StopReason::kNone && !d.grace) d.grace = now + o.cancel_grace;
    if (d.grace && now >= *d.grace) throw Abandoned{};
    Clock::time_point until = d.grace ? *d.grace : d.query;
    auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(until - now).count() + 1;
    int ms = static_cast<int>(std::clamp<long long>(wait, 0, 100));
    pollfd p{PQsocket(c), static_cast<short>(POLLIN | (write ? POLLOUT : 0)), 0};
    int r = ::poll(&p, 1, ms);
    if (r < 0 && errno != EINTR) throw SendFailed{std::strerror(errno)};
    if (r > 0 && (p.revents & (POLLIN | POLLHUP | POLLERR))) PQconsumeInput(c);
  }

  void flush(PGconn* c, QueryControl& control, Deadlines& d) const {
    for (;;) {
      int r = PQflush(c);
      if (r == 0) return;
      if (r < 0) throw SendFailed{first_lines(PQerrorMessage(c))};
      wait_socket(c, control, d, true);
    }
  }

  // The next result of the command in flight, or null when it is complete.
  ResultPtr next_result(PGconn* c, QueryControl& control, Deadlines& d) const {
    while (PQisBusy(c) && PQstatus(c) == CONNECTION_OK) wait_socket(c, control, d, false);
    return ResultPtr(PQgetResult(c));
  }

  [[noreturn]] static void throw_stopped(StopReason why, const ExecOptions& options) {
    if (why == StopReason::kTimeout) {
      throw TimeoutError("query cancelled after " + std::to_string(options.timeout.count()) + " ms",
                         {.hint = "narrow the query (filters, fewer members) or raise the query "
                                  "timeout"});
    }
    throw TimeoutError("query was cancelled");
  }

  [[noreturn]] void throw_result_error(const PGresult* r, PGconn* c, QueryControl& control,
                                       const ExecOptions& options, int position_offset = 0) const {
    const char* state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
    std::string sqlstate = state ? state : "";
    StopReason why = control.reason();
    if (why != StopReason::kNone) throw_stopped(why, options);
    if (sqlstate == "57014") throw_stopped(StopReason::kCancel, options);
    const char* primary = PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY);
    const char* detail = PQresultErrorField(r, PG_DIAG_MESSAGE_DETAIL);
    const char* hint = PQresultErrorField(r, PG_DIAG_MESSAGE_HINT);
    const char* position = PQresultErrorField(r, PG_DIAG_STATEMENT_POSITION);
    std::string message = primary ? std::string(primary) : first_lines(PQresultErrorMessage(r));
    if (message.empty() || message == "unknown error") message = first_lines(PQerrorMessage(c));
    if (detail) message += " (" + std::string(detail) + ")";
    if (PQstatus(c) != CONNECTION_OK && sqlstate.empty()) {
      throw SourceError(
          name, "data source '" + name + "': the connection was lost during the query: " + message,
          {.hint = "the query may have run, so it was not retried; try again",
           .sqlstate = "08006"});
    }
    int pos = 0;
    if (position) pos = std::atoi(position) - position_offset;
    if (pos < 0) pos = 0;
    throw SourceError(name, "data source '" + name + "': " + message,
                      {.position = pos, .hint = hint ? hint : "", .sqlstate = sqlstate});
  }

  // Sends `sql` (extended protocol, binary results, no parameters) and
  // returns its last result (null for an empty command). Throws SendFailed
  // when the connection broke before the query could be sent.
  ResultPtr execute(PGconn* c, const std::string& sql, QueryControl& control, Deadlines& d,
                    const ExecOptions& options) const {
    if (!PQsendQueryParams(c, sql.c_str(), 0, nullptr, nullptr, nullptr, nullptr, 1)) {
      throw SendFailed{first_lines(PQerrorMessage(c))};
    }
    return collect(c, control, d, options);
  }

  // The unnamed prepared statement, executed with binary results.
  ResultPtr execute_prepared(PGconn* c, QueryControl& control, Deadlines& d,
                             const ExecOptions& options) const {
    if (!PQsendQueryPrepared(c, "", 0, nullptr, nullptr, nullptr, 1)) {
      throw SendFailed{first_lines(PQerrorMessage(c))};
    }
    return collect(c, control, d, options);
  }

  [[noreturn]] void lost(PGconn* c) const {
    throw SourceError(
        name,
        "data source '" + name +
            "': the connection was lost during the query: " + first_lines(PQerrorMessage(c)),
        {.hint = "the query may have run, so it was not retried; try again", .sqlstate = "08006"});
  }

  // Flushes what was sent and reads every result of it; returns the last one.
  ResultPtr collect(PGconn* c, QueryControl& control, Deadlines& d,
                    const ExecOptions& options) const {
    flush(c, control, d);
    ResultPtr last;
    ResultPtr error;
    for (;;) {
      ResultPtr r = next_result(c, control, d);
      if (!r) break;
      ExecStatusType st = PQresultStatus(r.get());
      if (st == PGRES_FATAL_ERROR || st == PGRES_BAD_RESPONSE || st == PGRES_NONFATAL_ERROR) {
        if (!error) error = std::move(r);
        if (PQstatus(c) != CONNECTION_OK) break;
        continue;
      }
      if (st == PGRES_COPY_OUT || st == PGRES_COPY_IN || st == PGRES_COPY_BOTH) {
        throw SourceError(name, "data source '" + name + "': COPY is not supported in queries");
      }
      last = std::move(r);
    }
    if (error) throw_result_error(error.get(), c, control, options);
    if (PQstatus(c) != CONNECTION_OK) {
      throw SourceError(name,
                        "data source '" + name + "': the connection was lost during the query: " +
                            first_lines(PQerrorMessage(c)),
                        {.hint = "the query may have run, so it was not retried; try again",
                         .sqlstate = "08006"});
    }
    if (StopReason why = control.reason(); why != StopReason::kNone) throw_stopped(why, options);
    return last;
  }

  // Runs one query and decodes its rows. With copy_results and a statement
  // COPY accepts: parse and describe it (one round trip, pipelined), then read
  // the rows as binary COPY (the faster path: BENCHMARKS.md); a statement
  // COPY refuses at parse time (FOR UPDATE, a trailing ';') is sent again
  // without COPY (nothing ran). Otherwise: one round
  // trip, binary results.
  ResultSet run_statement(PGconn* c, const std::string& sql, QueryControl& control, Deadlines& d,
                          const ExecOptions& options, Lease& lease) const {
    if (!o.copy_results || !copyable(sql)) {
      ResultPtr r = execute(c, sql, control, d, options);
      if (!r || PQresultStatus(r.get()) != PGRES_TUPLES_OK) return ResultSet();
      return decode_result(r.get(), options.max_rows);
    }
    // 1. Parse and describe.
    if (!PQenterPipelineMode(c) || !PQsendPrepare(c, "", sql.c_str(), 0, nullptr) ||
        !PQsendDescribePrepared(c, "") || !PQpipelineSync(c)) {
      throw SendFailed{first_lines(PQerrorMessage(c))};
    }
    flush(c, control, d);
    ResultPtr error, described;
    for (;;) {
      ResultPtr r = next_result(c, control, d);
      if (!r) {
        if (PQstatus(c) != CONNECTION_OK) break;
        continue;  // the end of one command's results in a pipeline
      }
      ExecStatusType st = PQresultStatus(r.get());
      if (st == PGRES_PIPELINE_SYNC) break;
      if (st == PGRES_FATAL_ERROR || st == PGRES_BAD_RESPONSE) {
        if (!error) error = std::move(r);
      } else if (st == PGRES_COMMAND_OK) {
        described = std::move(r);  // the prepare's result, then the description
      }
    }
    if (PQstatus(c) != CONNECTION_OK) {
      if (error) throw_result_error(error.get(), c, control, options);
      lost(c);
    }
    PQexitPipelineMode(c);
    if (error) throw_result_error(error.get(), c, control, options);
    if (!described) throw InternalError("PostgreSQL did not describe the statement");
    int fields = PQnfields(described.get());
    if (fields == 0) {
      execute_prepared(c, control, d, options);
      return ResultSet();
    }
    std::vector<ColumnBuilder> builders;
    std::vector<std::string> names;
    for (int i = 0; i < fields; ++i) {
      builders.emplace_back(PQftype(described.get(), i), PQfmod(described.get(), i));
      const char* n = PQfname(described.get(), i);
      names.push_back(n ? n : "");
    }

    // 2. COPY. The newlines keep a trailing -- comment from swallowing the ')'.
    static constexpr int kPrefix = 7;  // "COPY (\n"
    std::string copy = "COPY (\n" + sql + "\n) TO STDOUT (FORMAT binary)";
    if (!PQsendQueryParams(c, copy.c_str(), 0, nullptr, nullptr, nullptr, nullptr, 0)) {
      throw SendFailed{first_lines(PQerrorMessage(c))};
    }
    flush(c, control, d);
    ResultPtr start = next_result(c, control, d);
    if (!start) lost(c);
    if (PQresultStatus(start.get()) != PGRES_COPY_OUT) {
      const char* state = PQresultErrorField(start.get(), PG_DIAG_SQLSTATE);
      std::string sqlstate = state ? state : "";
      while (ResultPtr rest = next_result(c, control, d)) {
      }
      bool refused = sqlstate.starts_with("42") || sqlstate == "0A000";
      if (refused && PQstatus(c) == CONNECTION_OK && control.reason() == StopReason::kNone) {
        // The COPY replaced the unnamed statement; nothing ran, so send it again.
        ResultPtr r = execute(c, sql, control, d, options);
        if (!r || PQresultStatus(r.get()) != PGRES_TUPLES_OK) return ResultSet();
        return decode_result(r.get(), options.max_rows);
      }
      throw_result_error(start.get(), c, control, options, kPrefix);
    }
    start.reset();
    bool header = true;
    int64_t rows = 0;
    auto malformed = [] { return InternalError("malformed binary COPY data from PostgreSQL"); };
    for (;;) {
      if (options.max_rows >= 0 && rows >= options.max_rows) {
        // Enough rows: the connection (with the rest of the COPY unread) is
        // closed instead of drained.
        lease.discard();
        return finish(builders, names);
      }
      CopyBuffer buf;
      int len = PQgetCopyData(c, &buf.p, 1);
      if (len == 0) {
        wait_socket(c, control, d, false);
        continue;
      }
      if (len < 0) break;  // -1: done; -2: failed (the result says why)
      const char* p = buf.p;
      const char* end = p + len;
      if (header) {
        // "PGCOPY\n\377\r\n\0", flags, header extension.
        if (len < 19 || std::memcmp(p, "PGCOPY\n\377\r\n\0", 11) != 0) throw malformed();
        int32_t extension = read_i32(p + 15);
        p += 19 + extension;
        header = false;
        if (p > end) throw malformed();
        if (p == end) continue;
      }
      if (end - p < 2) throw malformed();
      int16_t n = read_i16(p);
      p += 2;
      if (n == -1) continue;  // the trailer
      if (n != fields) throw malformed();
      for (int i = 0; i < fields; ++i) {
        if (end - p < 4) throw malformed();
        int32_t flen = read_i32(p);
        p += 4;
        if (flen < 0) {
          builders[i].add_null();
          continue;
        }
        if (end - p < flen) throw malformed();
        builders[i].add(p, flen);
        p += flen;
      }
      ++rows;
    }
    ResultPtr error_result;
    while (ResultPtr r = next_result(c, control, d)) {
      ExecStatusType st = PQresultStatus(r.get());
      if ((st == PGRES_FATAL_ERROR || st == PGRES_BAD_RESPONSE) && !error_result) {
        error_result = std::move(r);
      }
    }
    if (error_result) throw_result_error(error_result.get(), c, control, options, kPrefix);
    if (PQstatus(c) != CONNECTION_OK) lost(c);
    if (StopReason why = control.reason(); why != StopReason::kNone) throw_stopped(why, options);
    return finish(builders, names);
  }

  ResultSet run(const std::string& sql, const ExecOptions& options, bool read_only_transaction) {
    Clock::time_point start = Clock::now();
    auto control = std::make_shared<QueryControl>();
    CancelGuard cancel_guard(options.cancel, control);
    Deadlines d;
    Clock::time_point acquire_deadline = start + o.acquire_timeout;
    bool timeout_first = false;
    if (options.timeout.count() > 0) {
      d.query = start + options.timeout;
      if (d.query < acquire_deadline) {
        acquire_deadline = d.query;
        timeout_first = true;
      }
    }
    for (int attempt = 0;; ++attempt) {
      if (StopReason why = control->reason(); why != StopReason::kNone) {
        throw_stopped(why, options);
      }
      std::unique_ptr<Connection> conn = pool->acquire(acquire_deadline);
      if (!conn) {
        if (timeout_first) throw_stopped(StopReason::kTimeout, options);
        throw SourceError(name,
                          "all " + std::to_string(o.max_connections) + " connections to source '" +
                              name + "' are busy",
                          {.hint = "waited " + std::to_string(o.acquire_timeout.count()) +
                                   " ms; raise max_connections or lower the load",
                           .sqlstate = "53300"});
      }
      Lease lease(*pool, std::move(conn));
      PGconn* c = lease->conn.get();
      control->arm(lease->cancel);
      struct Disarm {
        QueryControl& c;
        ~Disarm() { c.disarm(); }
      } disarm{*control};
      try {
        if (read_only_transaction) execute(c, "BEGIN READ ONLY", *control, d, options);
        ResultSet rs;
        try {
          rs = run_statement(c, sql, *control, d, options, lease);
        } catch (const SendFailed&) {
          throw;
        } catch (...) {
          if (read_only_transaction && PQstatus(c) == CONNECTION_OK && !control->cancel_sent()) {
            try {
              execute(c, "ROLLBACK", *control, d, options);
            } catch (...) {
              lease.discard();
            }
          }
          throw;
        }
        // The query ran: whatever happens now, it is not sent again. A
        // connection closed early (max_rows) ends its transaction by closing.
        if (read_only_transaction && !lease.discarded()) {
          try {
            execute(c, "ROLLBACK", *control, d, options);
          } catch (...) {
            lease.discard();
          }
        }
        if (control->cancel_sent()) lease.discard();
        return rs;
      } catch (const SendFailed& f) {
        lease.discard();
        if (attempt == 0 && control->reason() == StopReason::kNone) {
          spdlog::info(
              "data source '{}': a pooled connection was broken ({}); retrying on a "
              "new one",
              name, f.message);
          continue;
        }
        unreachable(f.message);
      } catch (const Abandoned&) {
        lease.discard();
        spdlog::warn(
            "data source '{}': the server did not answer a cancel request within {} ms; "
            "the connection was abandoned",
            name, o.cancel_grace.count());
        throw_stopped(control->reason(), options);
      } catch (...) {
        if (control->cancel_sent() || PQstatus(c) != CONNECTION_OK) lease.discard();
        throw;
      }
    }
  }
};

PostgresSource::PostgresSource(Passkey, std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
PostgresSource::~PostgresSource() = default;

std::unique_ptr<PostgresSource> PostgresSource::open(std::string name,
                                                     PostgresSourceOptions options) {
  static const char* kModes[] = {"disable", "allow",     "prefer",
                                 "require", "verify-ca", "verify-full"};
  bool known = false;
  for (const char* m : kModes) known = known || options.sslmode == m;
  if (!known) {
    throw UserError("data source '" + name + "': unknown sslmode '" + options.sslmode + "'",
                    {.hint = "sslmode is one of disable, allow, prefer, require, verify-ca, "
                             "verify-full"});
  }
  if (options.max_connections < 1) {
    throw UserError("data source '" + name + "': max_connections must be at least 1");
  }
  if (options.port < 1 || options.port > 65535) {
    throw UserError("data source '" + name + "': port must be between 1 and 65535");
  }
  auto impl = std::make_unique<Impl>();
  impl->name = std::move(name);
  impl->o = std::move(options);
  Impl* raw = impl.get();
  impl->pool = std::make_unique<ConnectionPool<Impl::Connection>>(
      impl->o.max_connections, impl->o.idle_timeout,
      ConnectionPool<Impl::Connection>::Hooks{[raw] { return raw->open_connection(); },
                                              &Impl::usable, &Impl::reusable});
  return std::make_unique<PostgresSource>(Passkey(), std::move(impl));
}

const std::string& PostgresSource::name() const {
  return impl_->name;
}

const sql::Dialect& PostgresSource::dialect() const {
  return sql::dialect_named("postgres");
}

ResultSet PostgresSource::query(const std::string& sql, const ExecOptions& options) {
  return impl_->run(sql, options, false);
}

ResultSet PostgresSource::query_read_only(const std::string& sql, const ExecOptions& options) {
  return impl_->run(sql, options, true);
}

void PostgresSource::stream(const std::string& sql, const ExecOptions& options,
                            const std::function<bool(ResultSet&&)>& sink) {
  sink(query(sql, options));
}

std::vector<TableInfo> PostgresSource::list_tables() {
  ResultSet rs = query(
      "SELECT n.nspname::text, c.relname::text FROM pg_catalog.pg_class c "
      "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
      "WHERE c.relkind IN ('r', 'v', 'm', 'f', 'p') AND NOT c.relispartition "
      "AND n.nspname NOT IN ('pg_catalog', 'information_schema') "
      "AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp\\_%' "
      "AND has_schema_privilege(n.oid, 'USAGE') "
      "ORDER BY 1, 2",
      {});
  std::vector<TableInfo> out;
  out.reserve(rs.row_count());
  for (size_t r = 0; r < rs.row_count(); ++r) {
    TableInfo t;
    t.schema = rs.column(0).string_at(r);
    t.name = rs.column(1).string_at(r);
    out.push_back(std::move(t));
  }
  return out;
}

TableInfo PostgresSource::describe_table(const std::string& schema, const std::string& name) {
  const sql::Dialect& d = dialect();
  std::string where_schema = schema.empty() ? "pg_catalog.pg_table_is_visible(c.oid)"
                                            : "n.nspname = " + d.string_literal(schema);
  ResultSet rs = query(
      "SELECT a.attname::text, "
      "CASE WHEN t.typtype = 'd' THEN t.typbasetype ELSE a.atttypid END::int8, "
      "CASE WHEN t.typtype = 'd' THEN t.typtypmod ELSE a.atttypmod END, "
      "NOT a.attnotnull, n.nspname::text "
      "FROM pg_catalog.pg_attribute a "
      "JOIN pg_catalog.pg_class c ON c.oid = a.attrelid "
      "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
      "JOIN pg_catalog.pg_type t ON t.oid = a.atttypid "
      "WHERE c.relkind IN ('r', 'v', 'm', 'f', 'p') AND c.relname = " +
          d.string_literal(name) + " AND " + where_schema +
          " AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum",
      {});
  if (rs.row_count() == 0) {
    std::string display = schema.empty() ? name : schema + "." + name;
    throw NotFoundError(
        "table '" + display + "' does not exist in data source '" + impl_->name + "'",
        {.hint = "list_tables() shows the tables the source has"});
  }
  TableInfo info;
  info.schema = rs.column(4).string_at(0);
  info.name = name;
  for (size_t r = 0; r < rs.row_count(); ++r) {
    uint32_t type_oid = static_cast<uint32_t>(rs.column(1).int_at(r));
    int typmod = static_cast<int>(rs.column(2).int_at(r));
    info.columns.push_back(
        {rs.column(0).string_at(r), type_of(type_oid, typmod), rs.column(3).int_at(r) != 0});
  }
  return info;
}

SourceHealth PostgresSource::health() {
  // Bounded, so a check never hangs: as long as a query may wait for a
  // pooled connection, and at least a second.
  return select_one_health(*this,
                           std::max(impl_->o.acquire_timeout, std::chrono::milliseconds(1000)));
}

PoolStats PostgresSource::pool_stats() const {
  return impl_->pool->stats();
}

}  // namespace strata
