// QueryService: the one path from a SemanticQuery to a QueryResult shared by
// every frontend: plan, run on the source, report. Queries run on the
// service's own worker threads so that network threads never block on a
// database; identical queries in flight at the same time (same canonical key
// and security context) run once and every caller gets the same result.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/result_set.h"
#include "model/model.h"
#include "plan/plan.h"
#include "query/security_context.h"
#include "query/semantic_query.h"
#include "source/source.h"

namespace strata {

class ResultCache;  // exec/result_cache.h

// Which source answered (part of) a query.
struct ServedBy {
  std::string source;
  std::string cube;  // for a fragment of a federated plan: the cube it read; "" otherwise
  std::string tier;  // "hot", "cold", or ""
  int64_t rows = 0;  // rows that source returned
};

struct QueryResult {
  ResultSet rows;  // at most query.limit rows, the offset already applied
  // Rows' columns, in order (see plan/plan.h). They point into the Model the
  // query was planned with: a result must not outlive that model.
  std::vector<OutputColumn> columns;
  std::optional<int64_t> total;     // when query.total: rows without limit/offset
  bool limit_reached = false;       // more rows existed than the limit let through
  std::string sql;                  // what ran
  std::string source;               // which data source answered ("" for a federated plan)
  std::vector<ServedBy> served_by;  // every source that answered part of it
  std::chrono::microseconds plan_time{0};
  std::chrono::microseconds exec_time{0};
  // The result cache (docs/caching.md): whether this answer came from it,
  // when the answer was computed (UTC microseconds), and the refresh key
  // values of the cubes it read (empty without a cache).
  bool from_cache = false;
  int64_t computed_at_utc = 0;
  std::vector<std::string> refresh_key_values;
  // The result cache's key of this answer ("" when it is not cached): with
  // computed_at_utc it names the answer's content, for frontends that keep
  // formatted answers (api/rest/formatted_results.h).
  std::string cache_key;
  std::vector<UsedPreAggregation> pre_aggregations;  // rollups that answered it
};

// A query running (or finished). Callers may wait on it or be called back.
class PendingQuery {
 public:
  bool done() const;
  // Blocks until done; returns the result or rethrows the query's error.
  const QueryResult& wait() const;
  // Waits at most `d`; true when done.
  bool wait_for(std::chrono::milliseconds d) const;
  // Calls `fn` once the query is done (at once, on this thread, if it already
  // is; otherwise on the worker thread that finished it). `fn` must not block.
  void on_done(std::function<void()> fn);

  // For the service only.
  void complete(QueryResult result);
  void fail(std::exception_ptr error);

 private:
  mutable std::mutex mu_;
  mutable std::condition_variable cv_;
  bool done_ = false;
  QueryResult result_;
  std::exception_ptr error_;
  std::vector<std::function<void()>> callbacks_;
};

// How long QueryService reuses the plan of a repeated query (see
// QueryServiceOptions::pre_aggregations_generation).
inline constexpr std::chrono::milliseconds kPlanReuse{1000};

struct QueryServiceOptions {
  int worker_threads = 0;  // 0: one per core
  std::chrono::milliseconds query_timeout{120'000};
  // The result cache; null: none. Answers are kept at most cache_max_ttl
  // (and at most one refresh key period).
  std::shared_ptr<ResultCache> cache;
  std::chrono::milliseconds cache_max_ttl{std::chrono::hours(1)};
  // The refresh key of cubes that declare none: every this many microseconds.
  int64_t default_refresh_every_micros = 10'000'000;
  // Built rollups to answer queries from (cache/preagg_store.h); empty: none.
  PreAggregationLookup pre_aggregations;
  // With rollups: a value that changes whenever this process rebuilds one
  // (PreAggStore::generation). Plans of identical queries are reused for up
  // to kPlanReuse while it stays the same (and always without rollups);
  // with rollups but without it, every query is planned afresh.
  std::function<uint64_t()> pre_aggregations_generation;
};

class QueryService {
 public:
  // `sources` must outlive the service.
  QueryService(std::shared_ptr<const Model> model, SourceRegistry& sources,
               QueryServiceOptions options);
  ~QueryService();  // waits for running queries to finish
  QueryService(const QueryService&) = delete;
  QueryService& operator=(const QueryService&) = delete;

  std::shared_ptr<const Model> model() const;

  // Plans `query` at once (so planning errors are thrown to the caller,
  // synchronously) and starts it on a worker, or attaches to the identical
  // query already running.
  std::shared_ptr<PendingQuery> submit(const SemanticQuery& query, const SecurityContext& security);
  // Stops the run behind `pending` when no other caller shares it (identical
  // queries in flight share one run; then this caller only leaves it and the
  // run goes on for the others). A stopped run fails with TimeoutError "query
  // was cancelled". Returns whether the run was stopped. Thread-safe.
  bool cancel(const std::shared_ptr<PendingQuery>& pending);
  // submit() and wait().
  QueryResult run(const SemanticQuery& query, const SecurityContext& security);
  // The boundary instant of a tiered cube (UTC microseconds): hot serves
  // rows at and after it. Reads the watermark when the cube uses one.
  int64_t tier_boundary(const Cube& cube);
  // Plans without running (for /sql and /dry-run).
  Plan plan(const SemanticQuery& query, const SecurityContext& security) const;
  // Runs a plan made elsewhere on this service's sources, on the calling
  // thread: no cache, no deduplication (the pre-aggregation builder's
  // queries). Same errors as a query.
  QueryResult execute(const Plan& plan) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace strata
