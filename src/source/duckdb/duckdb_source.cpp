#include "source/duckdb/duckdb_source.h"

#include <duckdb.h>

#include <algorithm>
#include <condition_variable>
#include <cstring>
#include <map>
#include <mutex>
#include <optional>
#include <stop_token>
#include <thread>
#include <utility>

#include "core/error.h"
#include "source/deadline_timer.h"
#include "source/duckdb/duckdb_convert.h"
#include "source/duckdb/duckdb_load.h"
#include "sql/dialect.h"

namespace strata {

using duckdb_detail::ColumnReader;
using Clock = std::chrono::steady_clock;

namespace {

// --- RAII owners of DuckDB handles -------------------------------------------

class Extracted {
 public:
  Extracted() = default;
  ~Extracted() { duckdb_destroy_extracted(&h_); }
  Extracted(const Extracted&) = delete;
  Extracted& operator=(const Extracted&) = delete;
  duckdb_extracted_statements* out() { return &h_; }
  duckdb_extracted_statements get() const { return h_; }

 private:
  duckdb_extracted_statements h_ = nullptr;
};

class Prepared {
 public:
  Prepared() = default;
  ~Prepared() { duckdb_destroy_prepare(&h_); }
  Prepared(const Prepared&) = delete;
  Prepared& operator=(const Prepared&) = delete;
  duckdb_prepared_statement* out() { return &h_; }
  duckdb_prepared_statement get() const { return h_; }

 private:
  duckdb_prepared_statement h_ = nullptr;
};

class Pending {
 public:
  Pending() = default;
  ~Pending() { duckdb_destroy_pending(&h_); }
  Pending(const Pending&) = delete;
  Pending& operator=(const Pending&) = delete;
  duckdb_pending_result* out() { return &h_; }
  duckdb_pending_result get() const { return h_; }

 private:
  duckdb_pending_result h_ = nullptr;
};

class Result {
 public:
  Result() { std::memset(&r_, 0, sizeof(r_)); }
  ~Result() { duckdb_destroy_result(&r_); }
  Result(const Result&) = delete;
  Result& operator=(const Result&) = delete;
  duckdb_result* ptr() { return &r_; }

 private:
  duckdb_result r_;
};

class Chunk {
 public:
  explicit Chunk(duckdb_data_chunk c) : c_(c) {}
  ~Chunk() {
    if (c_) duckdb_destroy_data_chunk(&c_);
  }
  Chunk(const Chunk&) = delete;
  Chunk& operator=(const Chunk&) = delete;
  duckdb_data_chunk get() const { return c_; }
  explicit operator bool() const { return c_ != nullptr; }

 private:
  duckdb_data_chunk c_;
};

// --- Interrupting a running query ---------------------------------------------

enum class StopReason { kNone, kTimeout, kCancel };

// Shared between the query's thread, the timer and a CancelToken callback:
// whoever wants the query stopped calls stop(); DuckDB is interrupted if a
// statement is running, or as soon as the next one starts (DuckDB clears a
// connection's interrupt flag when a statement starts, so an interrupt sent
// earlier would be lost).
class Interrupter {
 public:
  void stop(StopReason why) {
    std::lock_guard lock(mu_);
    if (reason_ == StopReason::kNone) reason_ = why;
    if (conn_) duckdb_interrupt(conn_);
  }
  // A statement started on `conn`.
  void arm(duckdb_connection conn) {
    std::lock_guard lock(mu_);
    conn_ = conn;
    if (reason_ != StopReason::kNone) duckdb_interrupt(conn_);
  }
  // The statement is over; `conn` may go back to the pool once this returns.
  void disarm() {
    std::lock_guard lock(mu_);
    conn_ = nullptr;
  }
  StopReason reason() const {
    std::lock_guard lock(mu_);
    return reason_;
  }

 private:
  mutable std::mutex mu_;
  duckdb_connection conn_ = nullptr;
  StopReason reason_ = StopReason::kNone;
};

class ArmGuard {
 public:
  ArmGuard(Interrupter& i, duckdb_connection c) : i_(i) { i_.arm(c); }
  ~ArmGuard() { i_.disarm(); }
  ArmGuard(const ArmGuard&) = delete;
  ArmGuard& operator=(const ArmGuard&) = delete;

 private:
  Interrupter& i_;
};

class CancelGuard {
 public:
  CancelGuard(std::shared_ptr<CancelToken> token, const std::shared_ptr<Interrupter>& target)
      : token_(std::move(token)) {
    if (!token_) return;
    // The callback may run after unregister() (CancelToken calls a copy of
    // its callbacks outside its lock), so it holds the Interrupter alive.
    id_ = token_->on_cancel([target] { target->stop(StopReason::kCancel); });
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

// --- DuckDB's error messages ---------------------------------------------------

// DuckDB ends a message about a place in the SQL with "\n\nLINE 2: <that line,
// maybe shortened with ...>\n<spaces>^". Returns the 1-based character
// position in `sql` and the message without that block, or position 0 and
// the message unchanged when it cannot be located with certainty.
std::pair<int, std::string> split_position(const std::string& msg, const std::string& sql) {
  auto fail = std::make_pair(0, msg);
  size_t at = msg.find("\nLINE ");
  if (at == std::string::npos) return fail;
  size_t p = at + 6;
  size_t digits_begin = p;
  int line_no = 0;
  while (p < msg.size() && msg[p] >= '0' && msg[p] <= '9' && line_no < 1'000'000) {
    line_no = line_no * 10 + (msg[p] - '0');
    ++p;
  }
  if (p == digits_begin || line_no < 1 || msg.compare(p, 2, ": ") != 0) return fail;
  p += 2;
  size_t prefix = p - (at + 1);
  size_t eol = msg.find('\n', p);
  if (eol == std::string::npos) return fail;
  std::string_view display(msg.data() + p, eol - p);
  size_t caret_end = msg.find('\n', eol + 1);
  std::string_view caret_line(msg.data() + eol + 1,
                              (caret_end == std::string::npos ? msg.size() : caret_end) - eol - 1);
  size_t caret = caret_line.find('^');
  if (caret == std::string_view::npos || caret < prefix) return fail;
  size_t rel = caret - prefix;

  size_t line_start = 0;
  for (int i = 1; i < line_no; ++i) {
    line_start = sql.find('\n', line_start);
    if (line_start == std::string::npos) return fail;
    ++line_start;
  }
  size_t line_end = sql.find('\n', line_start);
  if (line_end == std::string::npos) line_end = sql.size();
  std::string_view line(sql.data() + line_start, line_end - line_start);

  size_t column = 0;
  std::string_view fragment = display;
  size_t shown_from = 0;  // where the display starts in `line`
  if (fragment.starts_with("...")) {
    fragment.remove_prefix(3);
    if (rel < 3) return fail;
    rel -= 3;
    if (fragment.ends_with("...")) fragment.remove_suffix(3);
    size_t found = line.find(fragment);
    if (found == std::string_view::npos ||
        line.find(fragment, found + 1) != std::string_view::npos) {
      return fail;  // not there, or ambiguous
    }
    shown_from = found;
  } else {
    if (fragment.ends_with("...")) fragment.remove_suffix(3);
    if (!line.starts_with(fragment)) return fail;
  }
  column = shown_from + rel;
  if (column > line.size()) return fail;
  size_t offset = line_start + column;
  int position = 1;
  for (size_t i = 0; i < offset; ++i) {
    if ((static_cast<unsigned char>(sql[i]) & 0xC0) != 0x80) ++position;
  }
  std::string message = msg.substr(0, at);
  while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
  return {position, message};
}

// A SQLSTATE for DuckDB's common error classes ("Catalog Error: ..."), so
// SQL clients can react to them; "" leaves SourceError's default.
std::string sqlstate_for(std::string_view msg) {
  auto starts = [&](std::string_view p) { return msg.starts_with(p); };
  if (starts("Parser Error") || starts("Syntax Error")) return "42601";
  if (starts("Catalog Error")) {
    return msg.find("Function with name") != std::string_view::npos ? "42883" : "42P01";
  }
  if (starts("Binder Error")) {
    return msg.find("not found") != std::string_view::npos ? "42703" : "42000";
  }
  if (starts("Conversion Error") || starts("Invalid Input Error")) return "22P02";
  if (starts("Out of Range Error")) return "22003";
  if (starts("Out of Memory Error")) return "53200";
  if (starts("Constraint Error")) return "23000";
  if (starts("Permission Error")) return "42501";
  if (starts("Not implemented Error")) return "0A000";
  if (starts("TransactionContext Error") || starts("Transaction Error")) return "40001";
  if (starts("IO Error")) return "58030";
  return "";
}

// --- Reading results ----------------------------------------------------------

// Receives the last statement's result, chunk by chunk.
class ChunkConsumer {
 public:
  virtual ~ChunkConsumer() = default;
  virtual void start(std::vector<ColumnInfo> schema, const std::vector<ColumnReader>& readers) = 0;
  // False: stop reading.
  virtual bool add(duckdb_data_chunk chunk) = 0;
};

// Appends chunk rows to a ResultSet, growing its columns geometrically.
class Appender {
 public:
  void reset(std::vector<ColumnInfo> schema, const std::vector<ColumnReader>* readers,
             size_t expected_rows) {
    rows_ = ResultSet(std::move(schema));
    readers_ = readers;
    reserved_ = 0;
    grow(expected_rows);
  }
  void append(duckdb_data_chunk chunk, size_t begin, size_t end) {
    size_t need = rows_.row_count() + (end - begin);
    if (need > reserved_) grow(std::max(need, reserved_ * 2));
    for (size_t c = 0; c < readers_->size(); ++c) {
      (*readers_)[c].append(duckdb_data_chunk_get_vector(chunk, c), begin, end, rows_.column(c));
    }
  }
  ResultSet& rows() { return rows_; }

 private:
  void grow(size_t n) {
    reserved_ = n;
    for (size_t c = 0; c < rows_.column_count(); ++c) rows_.column(c).reserve(n);
  }

  ResultSet rows_;
  const std::vector<ColumnReader>* readers_ = nullptr;
  size_t reserved_ = 0;
};

class CollectAll : public ChunkConsumer {
 public:
  explicit CollectAll(int64_t max_rows) : max_rows_(max_rows) {}
  void start(std::vector<ColumnInfo> schema, const std::vector<ColumnReader>& readers) override {
    appender_.reset(std::move(schema), &readers, 0);
  }
  bool add(duckdb_data_chunk chunk) override {
    size_t n = duckdb_data_chunk_get_size(chunk);
    if (max_rows_ >= 0) {
      size_t room = static_cast<size_t>(max_rows_) - appender_.rows().row_count();
      n = std::min(n, room);
    }
    appender_.append(chunk, 0, n);
    return max_rows_ < 0 || appender_.rows().row_count() < static_cast<size_t>(max_rows_);
  }
  ResultSet take() { return std::move(appender_.rows()); }

 private:
  int64_t max_rows_;
  Appender appender_;
};

class Batcher : public ChunkConsumer {
 public:
  Batcher(int64_t max_rows, const std::function<bool(ResultSet&&)>& sink)
      : max_rows_(max_rows), sink_(sink) {}
  void start(std::vector<ColumnInfo> schema, const std::vector<ColumnReader>& readers) override {
    schema_ = std::move(schema);
    readers_ = &readers;
    started_ = true;
    appender_.reset(schema_, readers_, DuckDbSource::kStreamBatchRows + duckdb_vector_size());
  }
  bool add(duckdb_data_chunk chunk) override {
    size_t n = duckdb_data_chunk_get_size(chunk);
    if (max_rows_ >= 0) n = std::min(n, static_cast<size_t>(max_rows_ - total_));
    appender_.append(chunk, 0, n);
    total_ += static_cast<int64_t>(n);
    bool more = max_rows_ < 0 || total_ < max_rows_;
    if (appender_.rows().row_count() >= DuckDbSource::kStreamBatchRows) {
      delivered_ = true;
      bool want = sink_(std::move(appender_.rows()));
      appender_.reset(schema_, readers_, DuckDbSource::kStreamBatchRows + duckdb_vector_size());
      if (!want) {
        stopped_ = true;
        return false;
      }
    }
    return more;
  }
  // Hands over what is left (or one empty batch when nothing was handed over).
  void finish() {
    if (stopped_) return;
    if (appender_.rows().row_count() > 0 || !delivered_) {
      if (!started_) return;
      sink_(std::move(appender_.rows()));
    }
  }

 private:
  int64_t max_rows_;
  const std::function<bool(ResultSet&&)>& sink_;
  std::vector<ColumnInfo> schema_;
  const std::vector<ColumnReader>* readers_ = nullptr;
  Appender appender_;
  int64_t total_ = 0;
  bool started_ = false;
  bool delivered_ = false;
  bool stopped_ = false;
};

std::string quote_identifier(std::string_view id) {
  std::string out = "\"";
  for (char c : id) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

std::string quote_literal(std::string_view s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') out += '\'';
    out += c;
  }
  out += '\'';
  return out;
}

}  // namespace

// --- The source ---------------------------------------------------------------

struct DuckDbSource::Impl {
  struct Connection {
    duckdb_connection handle = nullptr;
    ~Connection() {
      if (handle) duckdb_disconnect(&handle);
    }
  };

  std::string name;
  DuckDbSourceOptions source_options;
  int max_connections = 0;
  duckdb_database db = nullptr;

  std::mutex pool_mu;
  std::condition_variable pool_cv;
  std::vector<std::unique_ptr<Connection>> connections;  // every open connection
  std::vector<Connection*> idle;
  int creating = 0;  // connections being opened outside the lock

  DeadlineTimer timer;  // declared last of the members that queries use

  ~Impl() {
    connections.clear();
    if (db) duckdb_close(&db);
  }

  // `sql` is the text DuckDB's positions refer to; nullptr when they cannot
  // be trusted (DuckDB 1.4 counts the statement's offset twice for the second
  // and later statements of a script).
  [[noreturn]] void throw_source_error(const std::string& duck_message,
                                       const std::string* sql) const {
    auto [position, message] =
        sql ? split_position(duck_message, *sql) : std::make_pair(0, duck_message);
    throw SourceError(name, "data source '" + name + "': " + message,
                      {.position = position, .sqlstate = sqlstate_for(message)});
  }

  std::unique_ptr<Connection> open_connection() {
    auto c = std::make_unique<Connection>();
    if (duckdb_connect(db, &c->handle) == DuckDBError) {
      c->handle = nullptr;
      throw SourceError(name, "data source '" + name + "': cannot open a DuckDB connection");
    }
    Result r;
    if (duckdb_query(c->handle, "SET TimeZone='UTC'", r.ptr()) == DuckDBError) {
      const char* e = duckdb_result_error(r.ptr());
      throw SourceError(name, "data source '" + name + "': cannot set the session time zone: " +
                                  std::string(e ? e : "unknown error"));
    }
    return c;
  }

  // A free connection, opening one if the pool is not full; nullptr when
  // none frees up before `deadline`.
  Connection* acquire(Clock::time_point deadline) {
    std::unique_lock lock(pool_mu);
    for (;;) {
      if (!idle.empty()) {
        Connection* c = idle.back();
        idle.pop_back();
        return c;
      }
      if (static_cast<int>(connections.size()) + creating < max_connections) {
        ++creating;
        lock.unlock();
        std::unique_ptr<Connection> fresh;
        try {
          fresh = open_connection();
        } catch (...) {
          lock.lock();
          --creating;
          pool_cv.notify_one();
          throw;
        }
        lock.lock();
        --creating;
        connections.push_back(std::move(fresh));
        return connections.back().get();
      }
      if (pool_cv.wait_until(lock, deadline) == std::cv_status::timeout) {
        if (!idle.empty()) continue;
        return nullptr;
      }
    }
  }

  void release(Connection* c) {
    {
      std::lock_guard lock(pool_mu);
      idle.push_back(c);
    }
    pool_cv.notify_one();
  }

  class Lease {
   public:
    Lease(Impl& impl, Connection* c) : impl_(impl), c_(c) {}
    ~Lease() { impl_.release(c_); }
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    duckdb_connection handle() const { return c_->handle; }

   private:
    Impl& impl_;
    Connection* c_;
  };

  [[noreturn]] static void throw_stopped(StopReason why, const ExecOptions& options) {
    if (why == StopReason::kTimeout) {
      throw TimeoutError("query cancelled after " + std::to_string(options.timeout.count()) + " ms",
                         {.hint = "narrow the query (filters, fewer members) or raise the query "
                                  "timeout"});
    }
    throw TimeoutError("query was cancelled");
  }

  void throw_if_stopped(const Interrupter& interrupter, const ExecOptions& options) const {
    StopReason why = interrupter.reason();
    if (why != StopReason::kNone) throw_stopped(why, options);
  }

  // A statement failed with `message` (and `type` when known).
  [[noreturn]] void statement_failed(const char* message, std::optional<duckdb_error_type> type,
                                     const Interrupter& interrupter, const ExecOptions& options,
                                     const std::string* sql) const {
    StopReason why = interrupter.reason();
    if (why != StopReason::kNone) throw_stopped(why, options);
    std::string text = message ? message : "unknown DuckDB error";
    if ((type && *type == DUCKDB_ERROR_INTERRUPT) || text.starts_with("INTERRUPT Error")) {
      throw_stopped(StopReason::kCancel, options);
    }
    throw_source_error(text, sql);
  }

  // Runs every statement of `sql` on one connection, handing the last one's
  // result to `consumer`.
  // `on_connection`, when given, runs on the leased connection before the
  // statements (to load tables) and `after` after them, even when they fail.
  void run(const std::string& sql, const ExecOptions& options, ChunkConsumer& consumer,
           const std::function<void(duckdb_connection)>& on_connection = {},
           const std::function<void(duckdb_connection)>& after = {}) {
    Clock::time_point start = Clock::now();
    auto interrupter = std::make_shared<Interrupter>();
    CancelGuard cancel_guard(options.cancel, interrupter);
    std::optional<DeadlineGuard> timer_guard;
    Clock::time_point acquire_deadline = start + source_options.acquire_timeout;
    bool timeout_first = false;
    if (options.timeout.count() > 0) {
      Clock::time_point query_deadline = start + options.timeout;
      timer_guard.emplace(timer, query_deadline,
                          [interrupter] { interrupter->stop(StopReason::kTimeout); });
      if (query_deadline < acquire_deadline) {
        acquire_deadline = query_deadline;
        timeout_first = true;
      }
    }
    throw_if_stopped(*interrupter, options);

    Connection* conn = acquire(acquire_deadline);
    if (!conn) {
      if (timeout_first) throw_stopped(StopReason::kTimeout, options);
      throw SourceError(
          name,
          "all " + std::to_string(max_connections) + " connections to source '" + name +
              "' are busy",
          {.hint = "waited " + std::to_string(source_options.acquire_timeout.count()) +
                   " ms; raise max_connections or lower the load"});
    }
    Lease lease(*this, conn);
    duckdb_connection c = lease.handle();
    struct After {
      const std::function<void(duckdb_connection)>& fn;
      duckdb_connection c;
      ~After() {
        if (fn) fn(c);
      }
    } after_guard{after, c};
    if (on_connection) {
      ArmGuard armed(*interrupter, c);
      on_connection(c);
      throw_if_stopped(*interrupter, options);
    }

    Extracted extracted;
    idx_t count = duckdb_extract_statements(c, sql.c_str(), extracted.out());
    if (count == 0) {
      const char* e = duckdb_extract_statements_error(extracted.get());
      if (e) throw_source_error(e, &sql);
      throw SourceError(name, "data source '" + name + "': the SQL text holds no statement");
    }
    for (idx_t i = 0; i < count; ++i) {
      bool last = i + 1 == count;
      const std::string* located = i == 0 ? &sql : nullptr;
      Prepared prepared;
      if (duckdb_prepare_extracted_statement(c, extracted.get(), i, prepared.out()) ==
          DuckDBError) {
        statement_failed(duckdb_prepare_error(prepared.get()), std::nullopt, *interrupter, options,
                         located);
      }
      throw_if_stopped(*interrupter, options);
      // Streaming, so that rows are converted as DuckDB produces them and a
      // reader that stops early (max_rows, a sink returning false) stops the work.
      Pending pending;
      if (duckdb_pending_prepared_streaming(prepared.get(), pending.out()) == DuckDBError) {
        statement_failed(duckdb_pending_error(pending.get()), std::nullopt, *interrupter, options,
                         located);
      }
      ArmGuard armed(*interrupter, c);
      Result result;
      if (duckdb_execute_pending(pending.get(), result.ptr()) == DuckDBError) {
        statement_failed(duckdb_result_error(result.ptr()), duckdb_result_error_type(result.ptr()),
                         *interrupter, options, located);
      }
      std::vector<ColumnReader> readers;
      if (last) {
        idx_t columns = duckdb_column_count(result.ptr());
        std::vector<ColumnInfo> schema;
        readers.reserve(columns);
        for (idx_t col = 0; col < columns; ++col) {
          duckdb_logical_type t = duckdb_column_logical_type(result.ptr(), col);
          try {
            readers.emplace_back(t);
          } catch (...) {
            duckdb_destroy_logical_type(&t);
            throw;
          }
          duckdb_destroy_logical_type(&t);
          const char* col_name = duckdb_column_name(result.ptr(), col);
          schema.push_back({col_name ? col_name : "", readers.back().type()});
        }
        consumer.start(std::move(schema), readers);
      }
      bool stopped_early = false;
      for (;;) {
        Chunk chunk(duckdb_fetch_chunk(*result.ptr()));
        if (!chunk) break;
        if (last && !consumer.add(chunk.get())) {
          stopped_early = true;
          break;
        }
      }
      if (!stopped_early) {
        if (const char* e = duckdb_result_error(result.ptr())) {
          statement_failed(e, duckdb_result_error_type(result.ptr()), *interrupter, options,
                           located);
        }
      }
    }
  }
};

DuckDbSource::DuckDbSource(Passkey, std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
DuckDbSource::~DuckDbSource() = default;

std::unique_ptr<DuckDbSource> DuckDbSource::open(std::string name, std::string path,
                                                 DuckDbSourceOptions options) {
  auto impl = std::make_unique<Impl>();
  impl->name = std::move(name);
  impl->source_options = options;
  int hw = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  impl->max_connections = options.max_connections > 0 ? options.max_connections : 2 * hw;

  auto fail = [&](const std::string& what) -> SourceError {
    return SourceError(
        impl->name, "data source '" + impl->name + "': " + what,
        {.hint = path.empty() || path == ":memory:" ? std::string() : "database file: " + path});
  };

  duckdb_config config = nullptr;
  if (duckdb_create_config(&config) == DuckDBError) throw fail("cannot create a DuckDB config");
  struct ConfigOwner {
    duckdb_config& c;
    ~ConfigOwner() { duckdb_destroy_config(&c); }
  } config_owner{config};
  auto set = [&](const char* key, const std::string& value) {
    if (duckdb_set_config(config, key, value.c_str()) == DuckDBError) {
      throw fail("DuckDB rejects " + std::string(key) + " = '" + value + "'");
    }
  };
  if (options.read_only) set("access_mode", "READ_ONLY");
  if (options.threads > 0) set("threads", std::to_string(options.threads));
  if (!options.memory_limit.empty()) set("memory_limit", options.memory_limit);

  const char* file = path.empty() || path == ":memory:" ? nullptr : path.c_str();
  char* error = nullptr;
  if (duckdb_open_ext(file, &impl->db, config, &error) == DuckDBError) {
    std::string message = error ? error : "unknown error";
    if (error) duckdb_free(error);
    impl->db = nullptr;
    throw fail("cannot open the DuckDB database: " + message);
  }
  // Open one connection now, so that a broken setup fails here, not on the first query.
  impl->connections.push_back(impl->open_connection());
  impl->idle.push_back(impl->connections.back().get());
  if (options.cache_parquet_metadata) {
    // A global setting of the parquet extension, which loads with the
    // database: it cannot go in the config above.
    Result r;
    if (duckdb_query(impl->connections.back()->handle, "SET GLOBAL parquet_metadata_cache = true",
                     r.ptr()) == DuckDBError) {
      const char* e = duckdb_result_error(r.ptr());
      throw fail("cannot turn on the Parquet metadata cache: " + std::string(e ? e : "?"));
    }
  }
  return std::make_unique<DuckDbSource>(Passkey(), std::move(impl));
}

const std::string& DuckDbSource::name() const {
  return impl_->name;
}

const sql::Dialect& DuckDbSource::dialect() const {
  return sql::dialect_named("duckdb");
}

ResultSet DuckDbSource::query(const std::string& sql, const ExecOptions& options) {
  CollectAll all(options.max_rows);
  impl_->run(sql, options, all);
  return all.take();
}

void DuckDbSource::stream(const std::string& sql, const ExecOptions& options,
                          const std::function<bool(ResultSet&&)>& sink) {
  Batcher batcher(options.max_rows, sink);
  impl_->run(sql, options, batcher);
  batcher.finish();
}

ResultSet DuckDbSource::query_with_tables(const std::vector<NamedRows>& tables,
                                          const std::string& sql, const ExecOptions& options) {
  CollectAll all(options.max_rows);
  impl_->run(
      sql, options, all,
      [&](duckdb_connection c) {
        for (const auto& t : tables) {
          duckdb_internal::load_temp_table(c, impl_->name, t.name, *t.rows);
        }
      },
      [&](duckdb_connection c) {
        for (const auto& t : tables) duckdb_internal::drop_temp_table(c, t.name);
      });
  return all.take();
}

std::vector<TableInfo> DuckDbSource::list_tables() {
  ResultSet rs = query(
      "SELECT CASE WHEN database_name = current_database() THEN schema_name "
      "ELSE database_name || '.' || schema_name END AS schema_name, table_name "
      "FROM (SELECT database_name, schema_name, table_name FROM duckdb_tables() "
      "      WHERE NOT internal AND NOT temporary "
      "      UNION ALL "
      "      SELECT database_name, schema_name, view_name FROM duckdb_views() "
      "      WHERE NOT internal AND NOT temporary) "
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

TableInfo DuckDbSource::describe_table(const std::string& schema, const std::string& name) {
  std::string database_sql = "current_database()";
  std::string schema_name = schema.empty() ? "main" : schema;
  std::string qualified = quote_identifier(schema_name) + "." + quote_identifier(name);
  if (size_t dot = schema_name.find('.'); dot != std::string::npos) {
    std::string database = schema_name.substr(0, dot);
    schema_name = schema_name.substr(dot + 1);
    database_sql = quote_literal(database);
    qualified = quote_identifier(database) + "." + quote_identifier(schema_name) + "." +
                quote_identifier(name);
  }
  ResultSet cols = query(
      "SELECT column_name, is_nullable FROM duckdb_columns() WHERE database_name = " +
          database_sql + " AND schema_name = " + quote_literal(schema_name) +
          " AND table_name = " + quote_literal(name) + " AND NOT internal ORDER BY column_index",
      {});
  std::string display = (schema.empty() ? "main" : schema) + "." + name;
  if (cols.row_count() == 0) {
    throw NotFoundError(
        "table '" + display + "' does not exist in data source '" + impl_->name + "'",
        {.hint = "list_tables() shows the tables the source has"});
  }
  // The types as a query over the table reads them.
  ResultSet empty = query("SELECT * FROM " + qualified + " LIMIT 0", {});
  if (empty.column_count() != cols.row_count()) {
    throw InternalError("table '" + display + "' has " + std::to_string(cols.row_count()) +
                        " columns in the catalog but " + std::to_string(empty.column_count()) +
                        " in a query");
  }
  TableInfo info;
  info.schema = schema.empty() ? "main" : schema;
  info.name = name;
  for (size_t r = 0; r < cols.row_count(); ++r) {
    info.columns.push_back({cols.column(0).string_at(r), empty.schema()[r].type,
                            cols.column(1).is_null(r) || cols.column(1).int_at(r) != 0});
  }
  return info;
}

SourceHealth DuckDbSource::health() {
  return select_one_health(*this, std::chrono::milliseconds(0));
}

}  // namespace strata
