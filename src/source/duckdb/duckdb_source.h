// DuckDbSource: the embedded DuckDB engine as a Source, over a database file
// or an in-memory database. This is strata's zero-setup default source and the
// engine that merges federated results.
//
// One duckdb_database per source and a bounded pool of connections to it;
// every query checks one connection out for its whole run, so queries run in
// parallel, one per connection. Each connection is set to TimeZone 'UTC' once,
// so casting a naive TIMESTAMP to TIMESTAMPTZ treats it as a UTC instant.
//
// Result types (DuckDB -> core/types.h):
//   BOOLEAN -> kBoolean; TINYINT, SMALLINT -> kInt16; INTEGER -> kInt32;
//   BIGINT, UTINYINT, USMALLINT, UINTEGER -> kInt64; UBIGINT -> decimal(20,0);
//   HUGEINT -> decimal(38,0); FLOAT -> kFloat (the float's shortest decimal
//   form, so 1.1::FLOAT reads as 1.1); DOUBLE -> kDouble; DECIMAL(w,s) ->
//   decimal(w,s); VARCHAR -> kString (kJson when it is DuckDB's JSON type);
//   DATE -> kDate; TIMESTAMP, TIMESTAMP_S/_MS/_NS -> kTimestamp (microseconds,
//   nanoseconds floored); TIMESTAMP WITH TIME ZONE -> kTimestampTz; TIME,
//   TIME_NS -> kTime; INTERVAL -> kInterval as ISO-8601 text ("P1Y2M3DT4H5M6.5S",
//   each field signed like PostgreSQL's iso_8601 style); UUID -> kUuid;
//   BLOB -> kBlob; ENUM -> kString.
//   Everything else becomes kString text: UHUGEINT and BIGNUM as decimal
//   digits, BIT as '0'/'1' digits, TIME WITH TIME ZONE as "13:45:00+02",
//   and nested values in DuckDB's style: [1, 2, NULL], {'a': 1, 'b': x},
//   {k=v}; strings inside nested values are quoted ('...') when they are empty,
//   look like NULL, have surrounding spaces or contain one of ,[]{}()'"=:\.
//
// Thread-safety: all methods may be called from any number of threads at once.
// The source must outlive every call into it (do not destroy it while a query
// runs).
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "source/source.h"

namespace strata {

struct DuckDbSourceOptions {
  bool read_only = false;   // open the file read-only (an in-memory database cannot be)
  int threads = 0;          // DuckDB's own worker threads; 0: DuckDB's default (one per core)
  int max_connections = 0;  // pool size; 0: 2 x hardware threads
  // How long a query waits for a free connection before failing.
  std::chrono::milliseconds acquire_timeout{10'000};
  std::string memory_limit;  // DuckDB syntax ("4GB", "512MiB"); "": DuckDB's default
  // Keep Parquet footers in memory between queries (DuckDB's
  // parquet_metadata_cache): only for files that never change in place, such
  // as pre-aggregation partitions (written under new names, then renamed).
  bool cache_parquet_metadata = false;
};

class DuckDbSource : public Source {
 public:
  // Opens `path` (created unless read_only), or an in-memory database when
  // `path` is "" or ":memory:". Throws SourceError naming the source, with
  // DuckDB's message, when the database cannot be opened or an option is
  // rejected.
  static std::unique_ptr<DuckDbSource> open(std::string name, std::string path,
                                            DuckDbSourceOptions options = {});
  ~DuckDbSource() override;
  DuckDbSource(const DuckDbSource&) = delete;
  DuckDbSource& operator=(const DuckDbSource&) = delete;

  const std::string& name() const override;
  std::string_view type() const override { return "duckdb"; }
  const sql::Dialect& dialect() const override;  // sql::dialect_named("duckdb")

  // `sql` may hold several statements separated by ';' (a seed script, say):
  // they run in order on one connection and the rows of the last one are
  // returned. Errors: SourceError (DuckDB's message, its SQL position in
  // context().position when DuckDB reports one, and a SQLSTATE for the common
  // classes), SourceError "all N connections ... are busy" when no connection
  // frees up within acquire_timeout, TimeoutError "query cancelled after N ms"
  // when options.timeout passes and "query was cancelled" when options.cancel
  // fires (the connection stays usable in both cases).
  ResultSet query(const std::string& sql, const ExecOptions& options) override;
  // Reads the result as DuckDB produces it, handing batches of about
  // kStreamBatchRows rows to `sink`; always hands at least one batch (possibly
  // empty, so the sink sees the schema). Stops reading, without error, when
  // `sink` returns false. Same errors as query(); exceptions thrown by `sink`
  // propagate after the query is abandoned.
  void stream(const std::string& sql, const ExecOptions& options,
              const std::function<bool(ResultSet&& batch)>& sink) override;

  // A result to load as a table for query_with_tables.
  struct NamedRows {
    std::string name;
    const ResultSet* rows = nullptr;  // borrowed for the call
  };
  // Loads each of `tables` into a temporary table of one connection, runs
  // `sql` there and drops the tables again, so concurrent calls never see
  // each other's tables. The merge step of federated plans. Same errors as
  // query(); the timeout covers loading and running.
  ResultSet query_with_tables(const std::vector<NamedRows>& tables, const std::string& sql,
                              const ExecOptions& options);

  // Base tables and views of every attached database (columns left empty),
  // ordered by schema and name. DuckDB's internal catalogs and temporary
  // tables are left out. `schema` is the schema name in the default database
  // and "database.schema" in any other attached one.
  std::vector<TableInfo> list_tables() override;
  // Columns in declaration order with their strata types (as a query reads
  // them) and nullability. `schema` as list_tables() reports it; "" means
  // "main". Throws NotFoundError when there is no such table or view.
  TableInfo describe_table(const std::string& schema, const std::string& name) override;
  // Runs SELECT 1 (waiting at most acquire_timeout for a connection); never throws.
  SourceHealth health() override;

  static constexpr size_t kStreamBatchRows = 8192;

  struct Impl;  // public only so that the implementation's helpers can name it

 private:
  // Only open() constructs (through std::make_unique, which needs a public
  // constructor): a key only the class can make.
  struct Passkey {
    explicit Passkey() = default;
  };

 public:
  DuckDbSource(Passkey, std::unique_ptr<Impl> impl);

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace strata
