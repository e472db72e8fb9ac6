#include "source/mariadb/mariadb_source.h"

#include <mysql.h>
#include <poll.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>

#include <algorithm>
#include <charconv>
#include <condition_variable>
#include <cstring>
#include <map>
#include <mutex>
#include <optional>
#include <stop_token>
#include <thread>
#include <utility>

#include "core/error.h"
#include "core/time.h"
#include "source/deadline_timer.h"
#include "sql/dialect.h"

namespace strata {

using Clock = std::chrono::steady_clock;

namespace {

constexpr unsigned kErrServerGone = 2006;   // CR_SERVER_GONE_ERROR: gone before the query
constexpr unsigned kErrServerLost = 2013;   // CR_SERVER_LOST: lost during the query
constexpr unsigned kErrInterrupted = 1317;  // ER_QUERY_INTERRUPTED

struct MysqlDeleter {
  void operator()(MYSQL* m) const { mysql_close(m); }
};
using MysqlPtr = std::unique_ptr<MYSQL, MysqlDeleter>;

struct ResDeleter {
  void operator()(MYSQL_RES* r) const { mysql_free_result(r); }
};
using ResPtr = std::unique_ptr<MYSQL_RES, ResDeleter>;

void library_init() {
  static std::once_flag once;
  std::call_once(once, [] { mysql_library_init(0, nullptr, nullptr); });
}

std::string clean(const char* text) {
  std::string s = text ? text : "";
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s.empty() ? "unknown error" : s;
}

// What connecting needs; shared with the helper threads that send KILL QUERY.
struct ConnectParams {
  std::string name;
  MariaDbSourceOptions o;
};

// Opens a connection; returns null and sets `error`/`errno_out` on failure.
MysqlPtr connect(const ConnectParams& p, std::string& error, unsigned& errno_out) {
  library_init();
  MysqlPtr m(mysql_init(nullptr));
  if (!m) {
    error = "out of memory";
    return nullptr;
  }
  unsigned timeout =
      static_cast<unsigned>(std::max<long long>(1, (p.o.connect_timeout.count() + 999) / 1000));
  mysql_options(m.get(), MYSQL_OPT_CONNECT_TIMEOUT, &timeout);
  mysql_options(m.get(), MYSQL_SET_CHARSET_NAME, "utf8mb4");
  if (p.o.ssl != "disable") {
    my_bool enforce = 1;
    mysql_options(m.get(), MYSQL_OPT_SSL_ENFORCE, &enforce);
    my_bool verify = p.o.ssl == "verify" ? 1 : 0;
    mysql_options(m.get(), MYSQL_OPT_SSL_VERIFY_SERVER_CERT, &verify);
    if (!p.o.ssl_ca.empty()) mysql_options(m.get(), MYSQL_OPT_SSL_CA, p.o.ssl_ca.c_str());
  }
  const char* db = p.o.database.empty() ? nullptr : p.o.database.c_str();
  const char* user = p.o.user.empty() ? nullptr : p.o.user.c_str();
  if (!mysql_real_connect(m.get(), p.o.host.c_str(), user, p.o.password.c_str(), db,
                          static_cast<unsigned>(p.o.port), nullptr, 0)) {
    error = clean(mysql_error(m.get()));
    errno_out = mysql_errno(m.get());
    return nullptr;
  }
  return m;
}

// Sends KILL QUERY for connection `id` from a new connection, on a helper
// thread (connecting may take up to connect_timeout).
void kill_query_async(std::shared_ptr<const ConnectParams> params, unsigned long id) {
  try {
    std::thread([params = std::move(params), id] {
      std::string error;
      unsigned code = 0;
      MysqlPtr m = connect(*params, error, code);
      if (!m) {
        spdlog::warn("data source '{}': cannot connect to send KILL QUERY: {}", params->name,
                     error);
        return;
      }
      std::string sql = "KILL QUERY " + std::to_string(id);
      if (mysql_real_query(m.get(), sql.data(), sql.size()) != 0) {
        spdlog::warn("data source '{}': KILL QUERY failed: {}", params->name,
                     clean(mysql_error(m.get())));
      }
    }).detach();
  } catch (const std::exception& e) {
    spdlog::warn("mariadb: could not start a thread to kill a query: {}", e.what());
  }
}

enum class StopReason { kNone, kTimeout, kCancel };

// Shared by the query's thread, the timer and a CancelToken callback. While
// armed it knows the connection's id and socket.
class QueryControl {
 public:
  explicit QueryControl(std::shared_ptr<const ConnectParams> params) : params_(std::move(params)) {}

  void stop(StopReason why) {
    std::lock_guard lock(mu_);
    if (reason_ == StopReason::kNone) reason_ = why;
    kill_locked();
  }
  // The query stopped but did not end: break its socket.
  void shut_down() {
    std::lock_guard lock(mu_);
    if (armed_ && !shut_down_) {
      shut_down_ = true;
      ::shutdown(socket_, SHUT_RDWR);
    }
  }
  void arm(unsigned long id, int socket) {
    std::lock_guard lock(mu_);
    armed_ = true;
    id_ = id;
    socket_ = socket;
    if (reason_ != StopReason::kNone) kill_locked();
  }
  void disarm() {
    std::lock_guard lock(mu_);
    armed_ = false;
  }
  StopReason reason() const {
    std::lock_guard lock(mu_);
    return reason_;
  }
  bool interfered() const {  // a KILL was sent or the socket shut down
    std::lock_guard lock(mu_);
    return killed_ || shut_down_;
  }

 private:
  void kill_locked() {
    if (armed_ && !killed_) {
      killed_ = true;
      kill_query_async(params_, id_);
    }
  }

  std::shared_ptr<const ConnectParams> params_;
  mutable std::mutex mu_;
  StopReason reason_ = StopReason::kNone;
  bool armed_ = false;
  bool killed_ = false;
  bool shut_down_ = false;
  unsigned long id_ = 0;
  int socket_ = -1;
};

// --- Text values into Columns -------------------------------------------------------

enum class Kind {
  kInt,
  kUnsignedBig,
  kBit,
  kDouble,
  kFloat,
  kDecimal,
  kText,
  kDate,
  kDateTime,
  kTime
};

struct FieldPlan {
  Kind kind = Kind::kText;
  Type type;
};

FieldPlan plan_field(const MYSQL_FIELD& f) {
  bool is_unsigned = f.flags & UNSIGNED_FLAG;
  bool binary = f.charsetnr == 63;
  switch (f.type) {
    case MYSQL_TYPE_TINY:
    case MYSQL_TYPE_SHORT:
    case MYSQL_TYPE_YEAR:
      return {Kind::kInt, Type::of(is_unsigned && f.type == MYSQL_TYPE_SHORT ? TypeId::kInt32
                                                                             : TypeId::kInt16)};
    case MYSQL_TYPE_INT24: return {Kind::kInt, Type::of(TypeId::kInt32)};
    case MYSQL_TYPE_LONG:
      return {Kind::kInt, Type::of(is_unsigned ? TypeId::kInt64 : TypeId::kInt32)};
    case MYSQL_TYPE_LONGLONG:
      if (is_unsigned) return {Kind::kUnsignedBig, Type::decimal(20, 0)};
      return {Kind::kInt, Type::of(TypeId::kInt64)};
    case MYSQL_TYPE_BIT: return {Kind::kBit, Type::of(TypeId::kInt64)};
    case MYSQL_TYPE_FLOAT: return {Kind::kFloat, Type::of(TypeId::kFloat)};
    case MYSQL_TYPE_DOUBLE: return {Kind::kDouble, Type::of(TypeId::kDouble)};
    case MYSQL_TYPE_DECIMAL:
    case MYSQL_TYPE_NEWDECIMAL: {
      int scale = static_cast<int>(f.decimals);
      int precision = static_cast<int>(f.length) - (scale > 0 ? 1 : 0) - (is_unsigned ? 0 : 1);
      if (precision < 1) precision = 1;
      if (scale > precision || scale > 38) return {Kind::kText, Type::of(TypeId::kString)};
      // MariaDB declares up to 65 digits (a SUM of DECIMAL(10,2) is
      // DECIMAL(33+,2)); values rarely need more than 38, which strata holds
      // exactly. A value that does not fit is an error, never a NULL.
      if (precision > 38) precision = 38;
      return {Kind::kDecimal,
              Type::decimal(static_cast<uint8_t>(precision), static_cast<uint8_t>(scale))};
    }
    case MYSQL_TYPE_DATE:
    case MYSQL_TYPE_NEWDATE: return {Kind::kDate, Type::of(TypeId::kDate)};
    case MYSQL_TYPE_DATETIME:
    case MYSQL_TYPE_DATETIME2: return {Kind::kDateTime, Type::of(TypeId::kTimestamp)};
    case MYSQL_TYPE_TIMESTAMP:
    case MYSQL_TYPE_TIMESTAMP2: return {Kind::kDateTime, Type::of(TypeId::kTimestampTz)};
    case MYSQL_TYPE_TIME:
    case MYSQL_TYPE_TIME2: return {Kind::kTime, Type::of(TypeId::kTime)};
    case MYSQL_TYPE_TINY_BLOB:
    case MYSQL_TYPE_MEDIUM_BLOB:
    case MYSQL_TYPE_LONG_BLOB:
    case MYSQL_TYPE_BLOB:
    case MYSQL_TYPE_VAR_STRING:
    case MYSQL_TYPE_STRING:
    case MYSQL_TYPE_VARCHAR:
    case MYSQL_TYPE_GEOMETRY:
      return {Kind::kText, Type::of(binary ? TypeId::kBlob : TypeId::kString)};
    default: return {Kind::kText, Type::of(TypeId::kString)};
  }
}

bool parse_digits(std::string_view s, size_t& i, size_t n, int& out) {
  if (i + n > s.size()) return false;
  out = 0;
  for (size_t k = 0; k < n; ++k) {
    char c = s[i + k];
    if (c < '0' || c > '9') return false;
    out = out * 10 + (c - '0');
  }
  i += n;
  return true;
}

// "HH:MM:SS[.ffffff]" (hours may have more digits) -> micros; the caller handles the sign.
std::optional<int64_t> parse_clock(std::string_view s) {
  size_t colon = s.find(':');
  if (colon == std::string_view::npos || colon == 0) return std::nullopt;
  int64_t hours = 0;
  for (size_t k = 0; k < colon; ++k) {
    if (s[k] < '0' || s[k] > '9') return std::nullopt;
    hours = hours * 10 + (s[k] - '0');
  }
  size_t i = colon + 1;
  int minutes = 0, seconds = 0;
  if (!parse_digits(s, i, 2, minutes) || i >= s.size() || s[i] != ':') return std::nullopt;
  ++i;
  if (!parse_digits(s, i, 2, seconds)) return std::nullopt;
  int64_t micros = 0;
  if (i < s.size()) {
    if (s[i] != '.') return std::nullopt;
    ++i;
    int digits = 0;
    for (; i < s.size(); ++i) {
      if (s[i] < '0' || s[i] > '9') return std::nullopt;
      if (digits < 6) {
        micros = micros * 10 + (s[i] - '0');
        ++digits;
      }
    }
    for (; digits < 6; ++digits) micros *= 10;
  }
  return ((hours * 60 + minutes) * 60 + seconds) * kMicrosPerSecond + micros;
}

// "YYYY-MM-DD" -> days; nullopt for zero or invalid dates.
std::optional<int64_t> parse_date(std::string_view s) {
  size_t i = 0;
  int y = 0, m = 0, d = 0;
  if (!parse_digits(s, i, 4, y) || i >= s.size() || s[i++] != '-' || !parse_digits(s, i, 2, m) ||
      i >= s.size() || s[i++] != '-' || !parse_digits(s, i, 2, d)) {
    return std::nullopt;
  }
  if (!is_valid_civil_date(y, m, d)) return std::nullopt;
  return days_from_civil(y, m, d);
}

bool parse_unscaled(std::string_view s, int scale, __int128& out) {
  bool negative = !s.empty() && s[0] == '-';
  if (negative || (!s.empty() && s[0] == '+')) s.remove_prefix(1);
  __int128 v = 0;
  int frac = -1;
  int digits = 0;  // significant digits so far: more than 38 overflow __int128's decimal range
  for (char c : s) {
    if (c == '.') {
      if (frac >= 0) return false;
      frac = 0;
      continue;
    }
    if (c < '0' || c > '9') return false;
    if (frac >= 0) {
      if (frac == scale) {
        if (c != '0') return false;
        continue;
      }
      ++frac;
    }
    if ((v != 0 || c != '0') && ++digits > 38) return false;
    v = v * 10 + (c - '0');
  }
  for (int k = std::max(frac, 0); k < scale; ++k) {
    if (v != 0 && ++digits > 38) return false;
    v *= 10;
  }
  out = negative ? -v : v;
  return true;
}

// A DECIMAL value strata cannot hold exactly; the reader turns it into a
// SourceError naming the source.
struct DecimalOutOfRange : std::runtime_error {
  using std::runtime_error::runtime_error;
};

void append_text(const FieldPlan& p, const char* v, unsigned long len, Column& out) {
  std::string_view s(v, len);
  switch (p.kind) {
    case Kind::kInt: {
      int64_t x = 0;
      auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), x);
      if (ec != std::errc()) {
        out.append_null();
      } else {
        out.append_int(x);
      }
      return;
    }
    case Kind::kUnsignedBig:
    case Kind::kDecimal: {
      __int128 x = 0;
      if (!parse_unscaled(s, p.type.scale, x)) {
        // Not a silent NULL: the caller names the source.
        throw DecimalOutOfRange("the value " + std::string(s) +
                                " does not fit in 38 decimal digits");
      }
      out.append_decimal(x);
      return;
    }
    case Kind::kBit: {
      int64_t x = 0;
      for (unsigned char c : s) x = (x << 8) | c;
      out.append_int(x);
      return;
    }
    case Kind::kFloat:
    case Kind::kDouble: {
      double x = 0;
      auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), x);
      if (ec != std::errc()) {
        out.append_null();
      } else {
        out.append_double(x);
      }
      return;
    }
    case Kind::kText: out.append_string(std::string(s)); return;
    case Kind::kDate: {
      auto d = parse_date(s);
      if (d) {
        out.append_int(*d);
      } else {
        out.append_null();
      }
      return;
    }
    case Kind::kDateTime: {
      auto d = parse_date(s);
      std::optional<int64_t> t =
          s.size() > 11 ? parse_clock(s.substr(11)) : std::optional<int64_t>(0);
      if (d && t) {
        out.append_int(*d * kMicrosPerDay + *t);
      } else {
        out.append_null();
      }
      return;
    }
    case Kind::kTime: {
      bool negative = !s.empty() && s[0] == '-';
      auto t = parse_clock(negative ? s.substr(1) : s);
      if (t) {
        out.append_int(negative ? -*t : *t);
      } else {
        out.append_null();
      }
      return;
    }
  }
}

}  // namespace

// --- The source ---------------------------------------------------------------------

struct MariaDbSource::Impl {
  struct Connection {
    MysqlPtr m;
  };
  using Lease = ConnectionPool<Connection>::Lease;

  std::shared_ptr<const ConnectParams> params;
  const std::string& name() const { return params->name; }
  const MariaDbSourceOptions& o() const { return params->o; }

  std::unique_ptr<ConnectionPool<Connection>> pool;  // made by open()
  DeadlineTimer timer;                               // last: its thread stops first

  [[noreturn]] void unreachable(const std::string& why) const {
    throw SourceError(name(), "source '" + name() + "' is unreachable: " + why,
                      {.hint = "check that MariaDB runs at " + o().host + ":" +
                               std::to_string(o().port) + " and accepts connections",
                       .sqlstate = "08001"});
  }

  void run_setup(MYSQL* m, const std::string& sql) const {
    if (mysql_real_query(m, sql.data(), sql.size()) != 0) {
      throw SourceError(
          name(), "data source '" + name() + "': session setup failed: " + clean(mysql_error(m)));
    }
    ResPtr discard(mysql_store_result(m));
  }

  std::unique_ptr<Connection> open_connection() {
    std::string error;
    unsigned code = 0;
    MysqlPtr m = connect(*params, error, code);
    if (!m) {
      if (code == 2002 || code == 2003 || code == 2005 || code == kErrServerGone ||
          code == kErrServerLost) {
        unreachable(error);
      }
      throw SourceError(name(), "data source '" + name() + "': cannot connect: " + error,
                        {.hint = "check the user, password, database and ssl of the source",
                         .sqlstate = "08001"});
    }
    run_setup(m.get(),
              "SET SESSION time_zone = '+00:00', SESSION sql_mode = "
              "CONCAT_WS(',', NULLIF(@@SESSION.sql_mode, ''), "
              "'ANSI_QUOTES,NO_BACKSLASH_ESCAPES,PIPES_AS_CONCAT')");
    if (o().read_only) run_setup(m.get(), "SET SESSION TRANSACTION READ ONLY");
    auto c = std::make_unique<Connection>();
    c->m = std::move(m);
    return c;
  }

  static bool usable(Connection& c) {
    pollfd p{static_cast<int>(mysql_get_socket(c.m.get())), POLLIN, 0};
    return ::poll(&p, 1, 0) == 0;
  }

  [[noreturn]] static void throw_stopped(StopReason why, const ExecOptions& options) {
    if (why == StopReason::kTimeout) {
      throw TimeoutError("query cancelled after " + std::to_string(options.timeout.count()) + " ms",
                         {.hint = "narrow the query (filters, fewer members) or raise the query "
                                  "timeout"});
    }
    throw TimeoutError("query was cancelled");
  }

  [[noreturn]] void throw_error(MYSQL* m, QueryControl& control, const ExecOptions& options,
                                bool sent) const {
    unsigned code = mysql_errno(m);
    StopReason why = control.reason();
    if (why != StopReason::kNone) throw_stopped(why, options);
    if (code == kErrInterrupted) throw_stopped(StopReason::kCancel, options);
    std::string message = clean(mysql_error(m));
    if (sent && (code == kErrServerLost || code == kErrServerGone)) {
      throw SourceError(
          name(),
          "data source '" + name() + "': the connection was lost during the query: " + message,
          {.hint = "the query may have run, so it was not retried; try again",
           .sqlstate = "08006"});
    }
    const char* state = mysql_sqlstate(m);
    std::string sqlstate =
        state && std::strcmp(state, "00000") != 0 && std::strcmp(state, "HY000") ? state : "";
    throw SourceError(name(), "data source '" + name() + "': " + message,
                      {.hint = "MariaDB error " + std::to_string(code), .sqlstate = sqlstate});
  }

  // Runs a statement whose result is not needed.
  void run_command(MYSQL* m, const std::string& sql, QueryControl& control,
                   const ExecOptions& options) const {
    if (mysql_real_query(m, sql.data(), sql.size()) != 0) throw_error(m, control, options, true);
    ResPtr discard(mysql_store_result(m));
  }

  struct SendFailed {
    std::string message;
  };

  // Runs `sql`, handing batches to `sink` (false: stop).
  void run(const std::string& sql, const ExecOptions& options, bool read_only_transaction,
           const std::function<bool(ResultSet&&)>& sink, size_t batch_rows) {
    Clock::time_point start = Clock::now();
    auto control = std::make_shared<QueryControl>(params);
    struct CancelReg {
      std::shared_ptr<CancelToken> token;
      int id = 0;
      ~CancelReg() {
        if (token) token->unregister(id);
      }
    } cancel_reg{options.cancel};
    if (options.cancel) {
      cancel_reg.id = options.cancel->on_cancel([control, this, grace = o().cancel_grace] {
        control->stop(StopReason::kCancel);
        // The shut-down fallback, in case KILL QUERY does not get through.
        std::weak_ptr<QueryControl> weak = control;
        timer.add(Clock::now() + grace, [weak] {
          if (auto c = weak.lock()) c->shut_down();
        });
      });
    }
    Clock::time_point acquire_deadline = start + o().acquire_timeout;
    bool timeout_first = false;
    std::optional<DeadlineGuard> timeout_guard, grace_guard;
    if (options.timeout.count() > 0) {
      Clock::time_point deadline = start + options.timeout;
      timeout_guard.emplace(timer, deadline, [control] { control->stop(StopReason::kTimeout); });
      grace_guard.emplace(timer, deadline + o().cancel_grace, [control] { control->shut_down(); });
      if (deadline < acquire_deadline) {
        acquire_deadline = deadline;
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
        throw SourceError(name(),
                          "all " + std::to_string(o().max_connections) +
                              " connections to source '" + name() + "' are busy",
                          {.hint = "waited " + std::to_string(o().acquire_timeout.count()) +
                                   " ms; raise max_connections or lower the load",
                           .sqlstate = "53300"});
      }
      Lease lease(*pool, std::move(conn));
      MYSQL* m = lease->m.get();
      control->arm(mysql_thread_id(m), static_cast<int>(mysql_get_socket(m)));
      struct Disarm {
        QueryControl& c;
        ~Disarm() { c.disarm(); }
      } disarm{*control};
      try {
        // Stopped while waiting for the connection: do not start.
        if (StopReason why = control->reason(); why != StopReason::kNone) {
          lease.discard();
          throw_stopped(why, options);
        }
        if (read_only_transaction) {
          if (mysql_real_query(m, "START TRANSACTION READ ONLY", 27) != 0) {
            if (mysql_errno(m) == kErrServerGone) throw SendFailed{clean(mysql_error(m))};
            throw_error(m, *control, options, true);
          }
        }
        if (mysql_real_query(m, sql.data(), sql.size()) != 0) {
          if (mysql_errno(m) == kErrServerGone && !read_only_transaction) {
            throw SendFailed{clean(mysql_error(m))};
          }
          throw_error(m, *control, options, true);
        }
        read_result(m, *control, options, sink, batch_rows, lease);
        // KILL QUERY can end a query without an error (SLEEP() returns 1).
        if (StopReason why = control->reason(); why != StopReason::kNone) {
          lease.discard();
          throw_stopped(why, options);
        }
        if (read_only_transaction) run_command(m, "ROLLBACK", *control, options);
        if (control->interfered()) lease.discard();
        return;
      } catch (const SendFailed& f) {
        lease.discard();
        if (attempt == 0 && control->reason() == StopReason::kNone) {
          spdlog::info(
              "data source '{}': a pooled connection was broken ({}); retrying on a "
              "new one",
              name(), f.message);
          continue;
        }
        unreachable(f.message);
      } catch (...) {
        if (control->interfered() || mysql_errno(m) == kErrServerLost ||
            mysql_errno(m) == kErrServerGone || read_only_transaction) {
          lease.discard();
        }
        throw;
      }
    }
  }

  void read_result(MYSQL* m, QueryControl& control, const ExecOptions& options,
                   const std::function<bool(ResultSet&&)>& sink, size_t batch_rows,
                   Lease& lease) const {
    ResPtr res(mysql_use_result(m));
    if (!res) {
      if (mysql_field_count(m) != 0) throw_error(m, control, options, true);
      sink(ResultSet());  // a statement without rows
      return;
    }
    unsigned nfields = mysql_num_fields(res.get());
    MYSQL_FIELD* fields = mysql_fetch_fields(res.get());
    std::vector<FieldPlan> plans;
    std::vector<ColumnInfo> schema;
    for (unsigned i = 0; i < nfields; ++i) {
      plans.push_back(plan_field(fields[i]));
      schema.push_back({std::string(fields[i].name, fields[i].name_length), plans.back().type});
    }
    ResultSet batch(schema);
    int64_t total = 0;
    bool delivered = false;
    for (;;) {
      if (options.max_rows >= 0 && total >= options.max_rows) {
        // Enough rows: a connection with rows left unread is not reused
        // (draining them could take long).
        if (mysql_fetch_row(res.get()) != nullptr) lease.discard();
        break;
      }
      MYSQL_ROW row = mysql_fetch_row(res.get());
      if (!row) {
        if (mysql_errno(m) != 0) {
          lease.discard();
          throw_error(m, control, options, true);
        }
        break;
      }
      unsigned long* lengths = mysql_fetch_lengths(res.get());
      for (unsigned i = 0; i < nfields; ++i) {
        if (!row[i]) {
          batch.column(i).append_null();
        } else {
          try {
            append_text(plans[i], row[i], lengths[i], batch.column(i));
          } catch (const DecimalOutOfRange& e) {
            lease.discard();
            throw SourceError(name(), "data source '" + name() + "': " + e.what(),
                              {.hint = "cast the column to DOUBLE in the model's SQL, or "
                                       "reduce its precision"});
          }
        }
      }
      ++total;
      if (batch.row_count() >= batch_rows) {
        delivered = true;
        if (!sink(std::move(batch))) {
          lease.discard();
          return;
        }
        batch = ResultSet(schema);
      }
    }
    if (batch.row_count() > 0 || !delivered) sink(std::move(batch));
  }
};

MariaDbSource::MariaDbSource(Passkey, std::shared_ptr<Impl> impl) : impl_(std::move(impl)) {}
MariaDbSource::~MariaDbSource() = default;

std::unique_ptr<MariaDbSource> MariaDbSource::open(std::string name, MariaDbSourceOptions options) {
  if (options.ssl != "disable" && options.ssl != "require" && options.ssl != "verify") {
    throw UserError("data source '" + name + "': unknown ssl mode '" + options.ssl + "'",
                    {.hint = "ssl is one of disable, require, verify"});
  }
  if (options.max_connections < 1) {
    throw UserError("data source '" + name + "': max_connections must be at least 1");
  }
  if (options.port < 1 || options.port > 65535) {
    throw UserError("data source '" + name + "': port must be between 1 and 65535");
  }
  library_init();
  auto params = std::make_shared<ConnectParams>();
  params->name = std::move(name);
  params->o = std::move(options);
  auto impl = std::make_shared<Impl>();
  impl->params = std::move(params);
  Impl* raw = impl.get();
  impl->pool = std::make_unique<ConnectionPool<Impl::Connection>>(
      raw->o().max_connections, raw->o().idle_timeout,
      ConnectionPool<Impl::Connection>::Hooks{[raw] { return raw->open_connection(); },
                                              &Impl::usable, nullptr});
  return std::make_unique<MariaDbSource>(Passkey(), std::move(impl));
}

const std::string& MariaDbSource::name() const {
  return impl_->name();
}

const sql::Dialect& MariaDbSource::dialect() const {
  return sql::dialect_named("mariadb");
}

ResultSet MariaDbSource::query(const std::string& sql, const ExecOptions& options) {
  ResultSet all;
  bool first = true;
  impl_->run(
      sql, options, false,
      [&](ResultSet&& batch) {
        if (first) {
          all = std::move(batch);
          first = false;
        } else {
          all.append(batch);
        }
        return true;
      },
      kStreamBatchRows);
  return all;
}

ResultSet MariaDbSource::query_read_only(const std::string& sql, const ExecOptions& options) {
  ResultSet all;
  bool first = true;
  impl_->run(
      sql, options, true,
      [&](ResultSet&& batch) {
        if (first) {
          all = std::move(batch);
          first = false;
        } else {
          all.append(batch);
        }
        return true;
      },
      kStreamBatchRows);
  return all;
}

void MariaDbSource::stream(const std::string& sql, const ExecOptions& options,
                           const std::function<bool(ResultSet&&)>& sink) {
  impl_->run(sql, options, false, sink, kStreamBatchRows);
}

std::vector<TableInfo> MariaDbSource::list_tables() {
  ResultSet rs = query(
      "SELECT table_schema, table_name FROM information_schema.tables "
      "WHERE table_schema NOT IN ('mysql', 'information_schema', 'performance_schema', 'sys') "
      "AND table_type IN ('BASE TABLE', 'VIEW', 'SYSTEM VERSIONED') ORDER BY 1, 2",
      {});
  std::vector<TableInfo> out;
  for (size_t r = 0; r < rs.row_count(); ++r) {
    TableInfo t;
    t.schema = rs.column(0).string_at(r);
    t.name = rs.column(1).string_at(r);
    out.push_back(std::move(t));
  }
  return out;
}

TableInfo MariaDbSource::describe_table(const std::string& schema, const std::string& name) {
  const sql::Dialect& d = dialect();
  std::string schema_sql = schema.empty() ? "DATABASE()" : d.string_literal(schema);
  ResultSet cols = query(
      "SELECT column_name, is_nullable, table_schema FROM information_schema.columns "
      "WHERE table_schema = " +
          schema_sql + " AND table_name = " + d.string_literal(name) + " ORDER BY ordinal_position",
      {});
  std::string display = schema.empty() ? name : schema + "." + name;
  if (cols.row_count() == 0) {
    throw NotFoundError(
        "table '" + display + "' does not exist in data source '" + impl_->name() + "'",
        {.hint = "list_tables() shows the tables the source has"});
  }
  std::string real_schema = cols.column(2).string_at(0);
  // The types as a query over the table reads them.
  ResultSet empty = query("SELECT * FROM " + d.quote_identifier(real_schema) + "." +
                              d.quote_identifier(name) + " LIMIT 0",
                          {});
  if (empty.column_count() != cols.row_count()) {
    throw InternalError("table '" + display + "' has " + std::to_string(cols.row_count()) +
                        " columns in the catalog but " + std::to_string(empty.column_count()) +
                        " in a query");
  }
  TableInfo info;
  info.schema = real_schema;
  info.name = name;
  for (size_t r = 0; r < cols.row_count(); ++r) {
    info.columns.push_back({cols.column(0).string_at(r), empty.schema()[r].type,
                            cols.column(1).string_at(r) == "YES"});
  }
  return info;
}

SourceHealth MariaDbSource::health() {
  // Bounded, so a check never hangs: as long as a query may wait for a
  // pooled connection, and at least a second.
  return select_one_health(*this,
                           std::max(impl_->o().acquire_timeout, std::chrono::milliseconds(1000)));
}

PoolStats MariaDbSource::pool_stats() const {
  return impl_->pool->stats();
}

}  // namespace strata
