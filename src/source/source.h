// Source: a database strata reads from. A Source executes SQL written in its
// own dialect and returns typed ResultSets; it owns its connections.
// Implementations are thread-safe: many queries may run at once.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result_set.h"
#include "core/scan.h"

namespace strata {

namespace sql {
class Dialect;
}

// Lets one party cancel a running query: the executor, a client that went
// away, a CancelRequest. Sources register an interrupt callback while a query
// runs; cancel() calls it (at most once) from the cancelling thread.
class CancelToken {
 public:
  void cancel();
  bool cancelled() const { return cancelled_.load(); }
  // Registers `interrupt` for the duration of a query; if already cancelled,
  // calls it immediately. Returns an id for unregister().
  int on_cancel(std::function<void()> interrupt);
  void unregister(int id);

 private:
  std::atomic<bool> cancelled_{false};
  std::mutex mu_;
  int next_id_ = 0;
  std::map<int, std::function<void()>> callbacks_;
};

struct ExecOptions {
  std::chrono::milliseconds timeout{0};   // 0: no limit; otherwise TimeoutError after it
  std::shared_ptr<CancelToken> cancel;    // may be null
  int64_t max_rows = -1;                  // stop reading after this many rows (-1: all)
  std::vector<ScanPredicate> predicates;  // pruning hints (see core/scan.h)
  std::optional<TableVersion> as_of;      // read tables as of this version (lake sources)
};

struct TableColumn {
  std::string name;
  Type type;
  bool nullable = true;
};

struct TableInfo {
  std::string schema;
  std::string name;
  std::vector<TableColumn> columns;  // filled by describe_table, may be empty in list_tables
};

struct SourceHealth {
  bool ok = false;
  std::string detail;  // "ok", or what failed
  std::chrono::milliseconds latency{0};
};

class Source {
 public:
  virtual ~Source() = default;

  virtual const std::string& name() const = 0;  // the data_source name in the model
  virtual std::string_view type() const = 0;    // "duckdb", "postgres", ...
  virtual const sql::Dialect& dialect() const = 0;

  // Runs `sql` and returns all rows (up to options.max_rows). Throws
  // SourceError (naming this source and carrying the database's message) on
  // failure, TimeoutError when the timeout passes or the token is cancelled.
  virtual ResultSet query(const std::string& sql, const ExecOptions& options) = 0;

  // Runs `sql` and hands rows to `sink` in batches as they arrive; stops
  // early when `sink` returns false. Same errors as query(). The default
  // implementation calls query() and hands over one batch.
  virtual void stream(const std::string& sql, const ExecOptions& options,
                      const std::function<bool(ResultSet&& batch)>& sink);

  virtual std::vector<TableInfo> list_tables() = 0;
  // Throws NotFoundError when the table does not exist.
  virtual TableInfo describe_table(const std::string& schema, const std::string& name) = 0;
  virtual SourceHealth health() = 0;
};

// The health check of the SQL sources: runs SELECT 1 on `source` with
// `timeout` (0: none) and reports whether it answered 1, what failed, and how
// long it took. Never throws.
SourceHealth select_one_health(Source& source, std::chrono::milliseconds timeout);

// The data sources of one server, by name. Populated at start-up, then read-only.
class SourceRegistry {
 public:
  void add(std::unique_ptr<Source> source);  // throws UserError on a duplicate name
  // Throws NotFoundError naming the source and listing the configured ones.
  Source& get(std::string_view name) const;
  Source* find(std::string_view name) const;
  std::vector<Source*> all() const;

 private:
  std::map<std::string, std::unique_ptr<Source>, std::less<>> sources_;
};

}  // namespace strata
