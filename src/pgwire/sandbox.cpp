#include "pgwire/sandbox.h"

#include <duckdb.h>

#include <atomic>
#include <condition_variable>
#include <map>
#include <mutex>
#include <thread>

#include "core/error.h"
#include "source/duckdb/duckdb_convert.h"

namespace strata::pgwire {

namespace {

using Clock = std::chrono::steady_clock;

constexpr size_t kBatchRows = 8192;

// Calls interrupt callbacks when their deadlines pass. One thread per sandbox.
class Watchdog {
 public:
  Watchdog() : thread_([this] { loop(); }) {}
  ~Watchdog() {
    {
      std::lock_guard lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }

  int add(Clock::time_point deadline, std::function<void()> fn) {
    std::lock_guard lock(mu_);
    int id = next_++;
    entries_.emplace(id, Entry{deadline, std::move(fn)});
    cv_.notify_all();
    return id;
  }
  void remove(int id) {
    std::lock_guard lock(mu_);
    entries_.erase(id);
  }

 private:
  struct Entry {
    Clock::time_point deadline;
    std::function<void()> fn;
  };

  void loop() {
    std::unique_lock lock(mu_);
    while (!stop_) {
      Clock::time_point next = Clock::time_point::max();
      Clock::time_point now = Clock::now();
      for (auto it = entries_.begin(); it != entries_.end();) {
        if (it->second.deadline <= now) {
          auto fn = std::move(it->second.fn);
          it = entries_.erase(it);
          fn();  // duckdb_interrupt: cheap and non-blocking
        } else {
          next = std::min(next, it->second.deadline);
          ++it;
        }
      }
      if (next == Clock::time_point::max()) {
        cv_.wait(lock);
      } else {
        cv_.wait_until(lock, next);
      }
    }
  }

  std::mutex mu_;
  std::condition_variable cv_;
  std::map<int, Entry> entries_;
  int next_ = 1;
  bool stop_ = false;
  std::thread thread_;  // last: started once the rest exists
};

struct DuckResult {
  duckdb_result r{};
  bool live = false;
  ~DuckResult() {
    if (live) duckdb_destroy_result(&r);
  }
};

struct DuckPrepared {
  duckdb_prepared_statement s = nullptr;
  ~DuckPrepared() {
    if (s) duckdb_destroy_prepare(&s);
  }
};

std::string sqlstate_of(std::string_view m) {
  auto has = [&](std::string_view s) { return m.find(s) != std::string_view::npos; };
  auto starts = [&](std::string_view s) { return m.starts_with(s); };
  if (starts("Parser Error") || starts("Syntax Error")) return "42601";
  if (starts("Catalog Error")) {
    if (has("Function with name") || has("Macro Function") || has("function")) return "42883";
    if (has("Type with name")) return "42704";
    if (has("Schema with name")) return "3F000";
    return "42P01";
  }
  if (starts("Binder Error")) {
    if (has("must appear in the GROUP BY") || has("aggregate function")) return "42803";
    if (has("No function matches") || has("Could not choose a best candidate")) return "42883";
    if (has("Referenced column") || has("not found") || has("does not have a column")) {
      return "42703";
    }
    if (has("ambiguous")) return "42702";
    return "42804";
  }
  if (starts("Conversion Error") || starts("Invalid Input Error")) return "22P02";
  if (starts("Out of Range Error")) return "22003";
  if (starts("Not implemented Error")) return "0A000";
  if (starts("Permission Error")) return "42501";
  if (starts("Out of Memory Error")) return "53200";
  if (starts("INTERRUPT Error") || has("Interrupted")) return "57014";
  if (has("Division by zero") || has("division by zero")) return "22012";
  return "XX000";
}

// DuckDB's message split into PostgreSQL's message and hint: the "LINE n:"
// excerpt is dropped (its positions refer to the rewritten text), a
// "Did you mean ...?" line becomes the hint.
[[noreturn]] void throw_duck_error(std::string_view raw) {
  std::string m(raw);
  size_t line = m.find("\n\nLINE ");
  if (line == std::string::npos) line = m.find("\nLINE ");
  if (line != std::string::npos) m.resize(line);
  std::string hint;
  size_t dym = m.find("\nDid you mean");
  if (dym != std::string::npos) {
    hint = m.substr(dym + 1);
    m.resize(dym);
  }
  while (!m.empty() && (m.back() == '\n' || m.back() == ' ')) m.pop_back();
  std::string state = sqlstate_of(m);
  // "Catalog Error: Table with name x does not exist!" -> PostgreSQL's wording.
  for (std::string_view prefix :
       {"Parser Error: ", "Syntax Error: ", "Catalog Error: ", "Binder Error: ",
        "Conversion Error: ", "Invalid Input Error: ", "Out of Range Error: ",
        "Not implemented Error: ", "Permission Error: ", "INTERRUPT Error: "}) {
    if (m.starts_with(prefix)) {
      m.erase(0, prefix.size());
      break;
    }
  }
  if (state == "57014") m = "canceling statement due to user request";
  throw UserError(m, {.hint = hint, .sqlstate = state});
}

Type param_type(duckdb_type t) {
  switch (t) {
    case DUCKDB_TYPE_BOOLEAN: return Type::of(TypeId::kBoolean);
    case DUCKDB_TYPE_TINYINT:
    case DUCKDB_TYPE_SMALLINT: return Type::of(TypeId::kInt16);
    case DUCKDB_TYPE_INTEGER: return Type::of(TypeId::kInt32);
    case DUCKDB_TYPE_BIGINT: return Type::of(TypeId::kInt64);
    case DUCKDB_TYPE_FLOAT: return Type::of(TypeId::kFloat);
    case DUCKDB_TYPE_DOUBLE: return Type::of(TypeId::kDouble);
    case DUCKDB_TYPE_DECIMAL:
    case DUCKDB_TYPE_HUGEINT: return Type::decimal(38, 0);
    case DUCKDB_TYPE_DATE: return Type::of(TypeId::kDate);
    case DUCKDB_TYPE_TIMESTAMP: return Type::of(TypeId::kTimestamp);
    case DUCKDB_TYPE_TIMESTAMP_TZ: return Type::of(TypeId::kTimestampTz);
    case DUCKDB_TYPE_TIME: return Type::of(TypeId::kTime);
    default: return Type::of(TypeId::kString);
  }
}

}  // namespace

std::string duckdb_type_name(const Type& t) {
  switch (t.id) {
    case TypeId::kBoolean: return "BOOLEAN";
    case TypeId::kInt16: return "SMALLINT";
    case TypeId::kInt32: return "INTEGER";
    case TypeId::kInt64: return "BIGINT";
    case TypeId::kFloat: return "FLOAT";
    case TypeId::kDouble: return "DOUBLE";
    case TypeId::kDecimal:
      return "DECIMAL(" + std::to_string(t.precision > 0 ? t.precision : 38) + "," +
             std::to_string(t.scale) + ")";
    case TypeId::kDate: return "DATE";
    case TypeId::kTimestamp: return "TIMESTAMP";
    case TypeId::kTimestampTz: return "TIMESTAMPTZ";
    case TypeId::kTime: return "TIME";
    case TypeId::kUuid: return "UUID";
    case TypeId::kBlob: return "BLOB";
    default: return "VARCHAR";
  }
}

// --- Sandbox ---------------------------------------------------------------------

struct Sandbox::Impl {
  duckdb_database db = nullptr;
  Watchdog watchdog;
  ~Impl() {
    if (db) duckdb_close(&db);
  }
};

struct SandboxSession::Impl {
  Sandbox::Impl* sandbox = nullptr;
  duckdb_connection conn = nullptr;
  std::atomic<bool> timed_out{false};
  ~Impl() {
    if (conn) duckdb_disconnect(&conn);
  }

  void query(const std::string& sql) {
    DuckResult r;
    duckdb_state st = duckdb_query(conn, sql.c_str(), &r.r);
    r.live = true;
    if (st == DuckDBError) throw_duck_error(duckdb_result_error(&r.r));
  }
};

Sandbox::Sandbox(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Sandbox::~Sandbox() = default;

std::unique_ptr<Sandbox> Sandbox::open(const std::string& setup_sql, SandboxOptions options) {
  auto impl = std::make_unique<Impl>();
  duckdb_config config = nullptr;
  if (duckdb_create_config(&config) == DuckDBError)
    throw InternalError("duckdb_create_config failed");
  auto set = [&](const char* k, const std::string& v) {
    if (duckdb_set_config(config, k, v.c_str()) == DuckDBError) {
      duckdb_destroy_config(&config);
      throw InternalError(std::string("the SQL API's DuckDB rejected setting ") + k);
    }
  };
  set("threads", std::to_string(options.threads > 0 ? options.threads : 1));
  if (!options.memory_limit.empty()) set("memory_limit", options.memory_limit);
  set("autoinstall_known_extensions", "false");
  set("autoload_known_extensions", "false");
  char* error = nullptr;
  if (duckdb_open_ext(":memory:", &impl->db, config, &error) == DuckDBError) {
    std::string m = error ? error : "unknown error";
    if (error) duckdb_free(error);
    duckdb_destroy_config(&config);
    throw InternalError("cannot open the SQL API's DuckDB: " + m);
  }
  duckdb_destroy_config(&config);
  {
    SandboxSession::Impl s;
    s.sandbox = impl.get();
    if (duckdb_connect(impl->db, &s.conn) == DuckDBError) {
      throw InternalError("cannot connect to the SQL API's DuckDB");
    }
    try {
      s.query("SET TimeZone = 'UTC'");
      if (!setup_sql.empty()) s.query(setup_sql);
      s.query("SET enable_external_access = false");
      s.query("SET lock_configuration = true");
    } catch (const Error& e) {
      throw InternalError("setting up the SQL API's catalog failed: " + e.message());
    }
  }
  return std::make_unique<Sandbox>(std::move(impl));
}

std::unique_ptr<SandboxSession> Sandbox::session() {
  auto s = std::make_unique<SandboxSession::Impl>();
  s->sandbox = impl_.get();
  if (duckdb_connect(impl_->db, &s->conn) == DuckDBError) {
    throw InternalError("cannot connect to the SQL API's DuckDB");
  }
  return std::make_unique<SandboxSession>(std::move(s));
}

// --- SandboxSession ------------------------------------------------------------------

SandboxSession::SandboxSession(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
SandboxSession::~SandboxSession() = default;

void SandboxSession::interrupt() {
  duckdb_interrupt(impl_->conn);
}

void SandboxSession::run(const std::string& sql, const std::function<bool(ResultSet&&)>& sink,
                         std::chrono::milliseconds timeout) {
  DuckPrepared prepared;
  if (duckdb_prepare(impl_->conn, sql.c_str(), &prepared.s) == DuckDBError) {
    const char* e = duckdb_prepare_error(prepared.s);
    throw_duck_error(e ? e : "cannot prepare the statement");
  }
  duckdb_statement_type type = duckdb_prepared_statement_type(prepared.s);
  if (type != DUCKDB_STATEMENT_TYPE_SELECT) {
    throw UserError("only queries run in the SQL API", {.sqlstate = "0A000"});
  }
  int watch = 0;
  impl_->timed_out = false;
  if (timeout.count() > 0) {
    Impl* impl = impl_.get();
    watch = impl_->sandbox->watchdog.add(Clock::now() + timeout, [impl] {
      impl->timed_out = true;
      duckdb_interrupt(impl->conn);
    });
  }
  struct Unwatch {
    Sandbox::Impl* sb;
    int id;
    ~Unwatch() {
      if (id) sb->watchdog.remove(id);
    }
  } unwatch{impl_->sandbox, watch};

  auto fail = [&](const char* e) {
    if (impl_->timed_out) {
      throw TimeoutError("canceling statement due to statement timeout", {.sqlstate = "57014"});
    }
    throw_duck_error(e ? e : "the query failed");
  };

  DuckResult result;
  duckdb_state st = duckdb_execute_prepared_streaming(prepared.s, &result.r);
  result.live = true;
  if (st == DuckDBError) fail(duckdb_result_error(&result.r));

  idx_t ncols = duckdb_column_count(&result.r);
  std::vector<duckdb_detail::ColumnReader> readers;
  std::vector<ColumnInfo> schema;
  readers.reserve(ncols);
  for (idx_t c = 0; c < ncols; ++c) {
    duckdb_logical_type lt = duckdb_column_logical_type(&result.r, c);
    try {
      readers.emplace_back(lt);
    } catch (...) {
      duckdb_destroy_logical_type(&lt);
      throw;
    }
    duckdb_destroy_logical_type(&lt);
    const char* name = duckdb_column_name(&result.r, c);
    schema.push_back({name ? name : "?column?", readers.back().type()});
  }
  ResultSet batch(schema);
  bool delivered = false;
  for (;;) {
    duckdb_data_chunk chunk = duckdb_fetch_chunk(result.r);
    if (!chunk) {
      const char* e = duckdb_result_error(&result.r);
      if (e && *e) fail(e);
      break;
    }
    idx_t n = duckdb_data_chunk_get_size(chunk);
    for (idx_t c = 0; c < ncols; ++c) {
      readers[c].append(duckdb_data_chunk_get_vector(chunk, c), 0, n, batch.column(c));
    }
    duckdb_destroy_data_chunk(&chunk);
    if (batch.row_count() >= kBatchRows) {
      delivered = true;
      bool more = sink(std::move(batch));
      batch = ResultSet(schema);
      if (!more) return;
    }
  }
  if (batch.row_count() > 0 || !delivered) sink(std::move(batch));
}

std::vector<SandboxColumn> SandboxSession::describe(const std::string& sql,
                                                    std::vector<Type>* params) {
  DuckPrepared prepared;
  if (duckdb_prepare(impl_->conn, sql.c_str(), &prepared.s) == DuckDBError) {
    const char* e = duckdb_prepare_error(prepared.s);
    throw_duck_error(e ? e : "cannot prepare the statement");
  }
  if (params) {
    params->clear();
    idx_t n = duckdb_nparams(prepared.s);
    for (idx_t i = 1; i <= n; ++i) params->push_back(param_type(duckdb_param_type(prepared.s, i)));
  }
  std::vector<SandboxColumn> out;
  idx_t ncols = duckdb_prepared_statement_column_count(prepared.s);
  for (idx_t c = 0; c < ncols; ++c) {
    const char* name = duckdb_prepared_statement_column_name(prepared.s, c);
    duckdb_logical_type lt = duckdb_prepared_statement_column_logical_type(prepared.s, c);
    Type t = Type::of(TypeId::kString);
    if (lt) {
      try {
        t = duckdb_detail::strata_type_of(lt);
      } catch (const Error&) {
      }
      duckdb_destroy_logical_type(&lt);
    }
    out.push_back({name ? name : "?column?", t});
    if (name) duckdb_free(const_cast<char*>(name));
  }
  return out;
}

void SandboxSession::load_table(const std::string& name, const std::vector<std::string>& names,
                                const ResultSet& rows) {
  std::string ddl = "CREATE TEMP TABLE \"" + name + "\" (";
  for (size_t c = 0; c < rows.column_count(); ++c) {
    if (c) ddl += ", ";
    std::string col = c < names.size() ? names[c] : rows.schema()[c].name;
    ddl += "\"";
    for (char ch : col) {
      if (ch == '"') ddl += '"';
      ddl += ch;
    }
    ddl += "\" " + duckdb_type_name(rows.schema()[c].type);
  }
  ddl += ")";
  impl_->query(ddl);
  duckdb_appender app = nullptr;
  if (duckdb_appender_create_ext(impl_->conn, "temp", "main", name.c_str(), &app) == DuckDBError) {
    std::string m = app ? duckdb_appender_error(app) : "cannot create an appender";
    if (app) duckdb_appender_destroy(&app);
    throw InternalError("loading a result into the SQL API's DuckDB failed: " + m);
  }
  struct Close {
    duckdb_appender& a;
    ~Close() { duckdb_appender_destroy(&a); }
  } close{app};
  auto check = [&](duckdb_state s) {
    if (s == DuckDBError) {
      const char* e = duckdb_appender_error(app);
      throw InternalError(std::string("loading a result into the SQL API's DuckDB failed: ") +
                          (e ? e : "unknown error"));
    }
  };
  size_t n = rows.row_count();
  for (size_t r = 0; r < n; ++r) {
    for (size_t c = 0; c < rows.column_count(); ++c) {
      const Column& col = rows.column(c);
      if (col.is_null(r)) {
        check(duckdb_append_null(app));
        continue;
      }
      switch (col.type().id) {
        case TypeId::kBoolean: check(duckdb_append_bool(app, col.int_at(r) != 0)); break;
        case TypeId::kInt16:
          check(duckdb_append_int16(app, static_cast<int16_t>(col.int_at(r))));
          break;
        case TypeId::kInt32:
          check(duckdb_append_int32(app, static_cast<int32_t>(col.int_at(r))));
          break;
        case TypeId::kInt64: check(duckdb_append_int64(app, col.int_at(r))); break;
        case TypeId::kFloat:
          check(duckdb_append_float(app, static_cast<float>(col.double_at(r))));
          break;
        case TypeId::kDouble: check(duckdb_append_double(app, col.double_at(r))); break;
        case TypeId::kDecimal: {
          std::string text = decimal_to_string(col.decimal_at(r), col.type().scale);
          check(duckdb_append_varchar_length(app, text.data(), text.size()));
          break;
        }
        case TypeId::kDate: {
          duckdb_date d{static_cast<int32_t>(col.int_at(r))};
          check(duckdb_append_date(app, d));
          break;
        }
        case TypeId::kTimestamp:
        case TypeId::kTimestampTz: {
          duckdb_timestamp t{col.int_at(r)};
          check(duckdb_append_timestamp(app, t));
          break;
        }
        case TypeId::kTime: {
          duckdb_time t{col.int_at(r)};
          check(duckdb_append_time(app, t));
          break;
        }
        case TypeId::kBlob: {
          const std::string& s = col.string_at(r);
          check(duckdb_append_blob(app, s.data(), s.size()));
          break;
        }
        default: {
          const std::string& s = col.string_at(r);
          check(duckdb_append_varchar_length(app, s.data(), s.size()));
          break;
        }
      }
    }
    check(duckdb_appender_end_row(app));
  }
  check(duckdb_appender_flush(app));
}

void SandboxSession::drop_table(const std::string& name) {
  impl_->query("DROP TABLE IF EXISTS temp.main.\"" + name + "\"");
}

}  // namespace strata::pgwire
