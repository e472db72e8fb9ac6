#include "exec/query_service.h"

#include <spdlog/spdlog.h>

#include <cstdint>
#include <map>
#include <thread>
#include <unordered_map>
#include <utility>

#include "core/error.h"
#include "exec/federated_run.h"
#include "exec/refresh_keys.h"
#include "exec/result_cache.h"
#include "exec/thread_pool.h"
#include "exec/tier_boundaries.h"
#include "query/cube_query.h"
#include "sql/dialect.h"

namespace strata {

using Clock = std::chrono::steady_clock;

// --- PendingQuery ---------------------------------------------------------------

bool PendingQuery::done() const {
  std::lock_guard lock(mu_);
  return done_;
}

const QueryResult& PendingQuery::wait() const {
  std::unique_lock lock(mu_);
  cv_.wait(lock, [&] { return done_; });
  if (error_) std::rethrow_exception(error_);
  return result_;
}

bool PendingQuery::wait_for(std::chrono::milliseconds d) const {
  std::unique_lock lock(mu_);
  return cv_.wait_for(lock, d, [&] { return done_; });
}

namespace {

void run_callbacks(std::vector<std::function<void()>>& callbacks) {
  for (auto& fn : callbacks) {
    try {
      fn();
    } catch (const std::exception& e) {
      spdlog::error("a query completion callback threw: {}", e.what());
    } catch (...) {
      spdlog::error("a query completion callback threw a non-standard exception");
    }
  }
}

}  // namespace

void PendingQuery::on_done(std::function<void()> fn) {
  {
    std::lock_guard lock(mu_);
    if (!done_) {
      callbacks_.push_back(std::move(fn));
      return;
    }
  }
  fn();
}

void PendingQuery::complete(QueryResult result) {
  std::vector<std::function<void()>> callbacks;
  {
    std::lock_guard lock(mu_);
    if (done_) return;
    result_ = std::move(result);
    done_ = true;
    callbacks.swap(callbacks_);
  }
  cv_.notify_all();
  run_callbacks(callbacks);
}

void PendingQuery::fail(std::exception_ptr error) {
  std::vector<std::function<void()>> callbacks;
  {
    std::lock_guard lock(mu_);
    if (done_) return;
    error_ = error ? std::move(error)
                   : std::make_exception_ptr(InternalError("a query failed without an error"));
    done_ = true;
    callbacks.swap(callbacks_);
  }
  cv_.notify_all();
  run_callbacks(callbacks);
}

// --- QueryService -----------------------------------------------------------------

namespace {

int64_t single_integer(const ResultSet& rs) {
  if (rs.row_count() == 0 || rs.column_count() == 0 || rs.column(0).is_null(0)) return 0;
  const Column& c = rs.column(0);
  switch (c.type().storage()) {
    case Storage::kInt: return c.int_at(0);
    case Storage::kDecimal: {
      __int128 v = c.decimal_at(0);
      for (int i = 0; i < c.type().scale; ++i) v /= 10;
      return static_cast<int64_t>(v);
    }
    case Storage::kDouble: return static_cast<int64_t>(c.double_at(0));
    case Storage::kString: break;
  }
  throw InternalError("the total query returned a " + c.type().name() + " column");
}

std::chrono::microseconds since(Clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - t);
}

}  // namespace

struct QueryService::Impl {
  struct InFlight {
    std::shared_ptr<PendingQuery> pending;
    // Stops the run; kept for cancelling a query nobody waits for any more.
    std::shared_ptr<CancelToken> cancel;
    int sharers = 1;  // callers of submit() that got this run
  };

  std::shared_ptr<const Model> model;
  SourceRegistry& sources;
  QueryServiceOptions options;

  std::mutex mu;
  std::map<std::string, InFlight> in_flight;  // by dedup key

  // Plans of recent queries, by dedup key, reused for kPlanReuse (see
  // QueryServiceOptions::pre_aggregations_generation): a repeated query
  // skips planning. Cleared when it grows past kMaxPlans.
  struct RecentPlan {
    std::shared_ptr<const Plan> plan;
    Clock::time_point made;
    uint64_t generation = 0;
  };
  static constexpr size_t kMaxPlans = 1024;
  std::mutex plans_mu;
  std::unordered_map<std::string, RecentPlan> plans;

  bool plans_reusable() const {
    return !options.pre_aggregations || options.pre_aggregations_generation;
  }
  uint64_t generation() const {
    return options.pre_aggregations_generation ? options.pre_aggregations_generation() : 0;
  }
  std::shared_ptr<const Plan> recent_plan(const std::string& key, uint64_t gen) {
    std::lock_guard lock(plans_mu);
    auto it = plans.find(key);
    if (it == plans.end()) return nullptr;
    if (it->second.generation != gen || Clock::now() - it->second.made > kPlanReuse) {
      plans.erase(it);
      return nullptr;
    }
    return it->second.plan;
  }
  void keep_plan(const std::string& key, std::shared_ptr<const Plan> plan, uint64_t gen) {
    // A tiered plan's boundary moves with the clock and the hot source's
    // watermark: those are planned every time.
    for (const auto& f : plan->fragments) {
      if (!f.tier.empty()) return;
    }
    std::lock_guard lock(plans_mu);
    if (plans.size() >= kMaxPlans) plans.clear();
    plans[key] = RecentPlan{std::move(plan), Clock::now(), gen};
  }

  TierBoundaries boundaries;
  MergeDatabase merge;  // embedded DuckDB for federated plans, opened on first use
  RefreshKeys refresh_keys;

  ThreadPool pool;  // last: stopped (draining its queue) before the rest is destroyed

  Impl(std::shared_ptr<const Model> m, SourceRegistry& s, QueryServiceOptions o)
      : model(std::move(m)),
        sources(s),
        options(o),
        boundaries(s),
        refresh_keys(s, o.default_refresh_every_micros),
        pool(o.worker_threads > 0 ? o.worker_threads
                                  : static_cast<int>(std::thread::hardware_concurrency())) {}

  DialectLookup dialects() const {
    return [this](std::string_view source) -> const sql::Dialect& {
      return sources.get(source).dialect();
    };
  }

  TierBoundaryLookup tier_boundaries() {
    return [this](const Cube& cube) { return boundaries.boundary(cube); };
  }

  std::string dedup_key(const SemanticQuery& query, const SecurityContext& security) const {
    // renewQuery only bypasses caches: a renewing query may share a run in flight.
    std::string key;
    if (query.renew_query) {
      SemanticQuery q = query;
      q.renew_query = false;
      key = canonical_key(q);
    } else {
      key = canonical_key(query);
    }
    key += '\x1f';
    key += security.authenticated ? 'a' : 'n';
    key += security.claims_json;
    key += '\x1f';
    key += model->version();
    return key;
  }

  // --- the result cache (docs/caching.md)

  // The refresh key values of the cubes `plan` reads; nullopt when one is
  // unknown (its SQL cannot be read) or, without allow_io, needs reading.
  std::optional<std::vector<std::string>> refresh_values(const Plan& plan, bool allow_io) {
    std::vector<std::string> out;
    for (const auto& name : plan.cubes) {
      const Cube* cube = model->find_cube(name);
      if (!cube) continue;
      auto v = refresh_keys.cube_value(*cube, allow_io);
      if (!v) return std::nullopt;
      out.push_back(name + "=" + *v);
    }
    return out;
  }

  // The dedup key plus the pre-aggregation builds the plan reads.
  static std::string cache_base(const std::string& dedup, const Plan& plan) {
    std::string key = "strata-result:1\x1f" + dedup;
    for (const auto& p : plan.pre_aggregations) {
      key += '\x1f' + p.name + '@' + p.target_table + '@' + p.version;
    }
    return key;
  }

  static std::string cache_key(const std::string& base, const std::vector<std::string>& values) {
    std::string key = base;
    for (const auto& v : values) key += '\x1f' + v;
    return key;
  }

  std::chrono::milliseconds cache_ttl(const Plan& plan) const {
    int64_t ttl =
        std::chrono::duration_cast<std::chrono::microseconds>(options.cache_max_ttl).count();
    for (const auto& name : plan.cubes) {
      const Cube* cube = model->find_cube(name);
      if (!cube) continue;
      int64_t period = refresh_keys.period_micros(cube->refresh_key);
      if (period > 0) ttl = std::min(ttl, period);
    }
    return std::chrono::milliseconds(std::max<int64_t>(ttl / 1000, 1));
  }

  static QueryResult from_cache(const CachedResult& hit, const std::string& key, const Plan& plan,
                                std::chrono::microseconds plan_time) {
    QueryResult r;
    r.cache_key = key;
    r.rows = hit.rows;
    r.columns = plan.columns;
    r.total = hit.total;
    r.limit_reached = hit.limit_reached;
    r.sql = hit.sql;
    r.source = hit.source;
    for (const auto& s : hit.served_by) r.served_by.push_back({s.source, s.cube, s.tier, s.rows});
    r.plan_time = plan_time;
    r.from_cache = true;
    r.computed_at_utc = hit.computed_at_utc;
    r.refresh_key_values = hit.refresh_key_values;
    r.pre_aggregations = hit.pre_aggregations;
    return r;
  }

  static std::shared_ptr<const CachedResult> to_cache(const QueryResult& r) {
    auto c = std::make_shared<CachedResult>();
    c->rows = r.rows;
    c->total = r.total;
    c->limit_reached = r.limit_reached;
    c->sql = r.sql;
    c->source = r.source;
    for (const auto& s : r.served_by) c->served_by.push_back({s.source, s.cube, s.tier, s.rows});
    c->pre_aggregations = r.pre_aggregations;
    c->refresh_key_values = r.refresh_key_values;
    c->computed_at_utc = r.computed_at_utc;
    return c;
  }

  // Runs on a worker: the cache first (unless renewing), else the sources,
  // then the answer is kept.
  QueryResult run(const Plan& plan, std::chrono::microseconds plan_time,
                  const std::shared_ptr<CancelToken>& cancel, const std::string& base, bool renew) {
    ResultCache* cache = options.cache.get();
    if (!cache) return execute(plan, plan_time, cancel);
    auto values = refresh_values(plan, true);
    if (!values) return execute(plan, plan_time, cancel);
    std::string key = cache_key(base, *values);
    if (!renew) {
      if (auto hit = cache->get(key)) return from_cache(*hit, key, plan, plan_time);
    }
    QueryResult result = execute(plan, plan_time, cancel);
    result.refresh_key_values = std::move(*values);
    cache->put(key, to_cache(result), cache_ttl(plan));
    result.cache_key = std::move(key);
    return result;
  }

  QueryResult execute(const Plan& plan, std::chrono::microseconds plan_time,
                      const std::shared_ptr<CancelToken>& cancel) const {
    Clock::time_point start = Clock::now();
    ExecOptions exec;
    exec.timeout = options.query_timeout;
    exec.cancel = cancel;
    exec.predicates = plan.predicates;
    exec.as_of = plan.as_of;
    // The SQL asks for limit + 1 rows; this guards against SQL that does not.
    if (plan.limit >= 0 && plan.limit < INT64_MAX) exec.max_rows = plan.limit + 1;

    QueryResult result;
    if (!plan.fragments.empty()) {
      FederatedResult f = run_federated(plan, sources, merge, exec);
      result.rows = std::move(f.rows);
      result.total = f.total;
      result.served_by = std::move(f.served_by);
      if (plan.limit >= 0 && result.rows.row_count() > static_cast<size_t>(plan.limit)) {
        result.limit_reached = true;
        result.rows.slice(0, static_cast<size_t>(plan.limit));
      }
      result.columns = plan.columns;
      result.sql = plan.sql;
      result.plan_time = plan_time;
      result.exec_time = since(start);
      result.computed_at_utc = now_utc_micros();
      result.pre_aggregations = plan.pre_aggregations;
      return result;
    }
    Source& source = sources.get(plan.source);
    result.rows = source.query(plan.sql, exec);
    result.served_by.push_back(
        {plan.source, "", "", static_cast<int64_t>(result.rows.row_count())});
    if (plan.limit >= 0 && result.rows.row_count() > static_cast<size_t>(plan.limit)) {
      result.limit_reached = true;
      result.rows.slice(0, static_cast<size_t>(plan.limit));
    }
    if (!plan.total_sql.empty()) {
      ExecOptions total_exec;
      total_exec.cancel = cancel;
      total_exec.predicates = plan.predicates;
      total_exec.as_of = plan.as_of;
      if (options.query_timeout.count() > 0) {
        // Both statements share one time limit.
        auto left = options.query_timeout -
                    std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
        if (left.count() <= 0) {
          throw TimeoutError("query cancelled after " +
                             std::to_string(options.query_timeout.count()) + " ms");
        }
        total_exec.timeout = left;
      }
      result.total = single_integer(source.query(plan.total_sql, total_exec));
    }
    result.columns = plan.columns;
    result.sql = plan.sql;
    result.source = plan.source;
    result.plan_time = plan_time;
    result.exec_time = since(start);
    result.computed_at_utc = now_utc_micros();
    result.pre_aggregations = plan.pre_aggregations;
    return result;
  }

  void finish(const std::string& key, const std::shared_ptr<PendingQuery>& pending,
              std::optional<QueryResult> result, std::exception_ptr error) {
    {
      // Leave the in-flight map first: a query submitted from now on runs anew.
      std::lock_guard lock(mu);
      auto it = in_flight.find(key);
      if (it != in_flight.end() && it->second.pending == pending) in_flight.erase(it);
    }
    if (error) {
      pending->fail(std::move(error));
    } else {
      pending->complete(std::move(*result));
    }
  }
};

QueryService::QueryService(std::shared_ptr<const Model> model, SourceRegistry& sources,
                           QueryServiceOptions options)
    : impl_(std::make_unique<Impl>(std::move(model), sources, options)) {
  if (!impl_->model) throw InternalError("the query service needs a model");
}

QueryService::~QueryService() {
  impl_->pool.stop();
}

std::shared_ptr<const Model> QueryService::model() const {
  return impl_->model;
}

int64_t QueryService::tier_boundary(const Cube& cube) {
  return impl_->boundaries.boundary(cube);
}

Plan QueryService::plan(const SemanticQuery& query, const SecurityContext& security) const {
  return plan_query(query, *impl_->model, security, impl_->dialects(), impl_->tier_boundaries(),
                    impl_->options.pre_aggregations);
}

QueryResult QueryService::execute(const Plan& plan) const {
  return impl_->execute(plan, std::chrono::microseconds(0), std::make_shared<CancelToken>());
}

std::shared_ptr<PendingQuery> QueryService::submit(const SemanticQuery& query,
                                                   const SecurityContext& security) {
  Clock::time_point start = Clock::now();
  std::string key = impl_->dedup_key(query, security);
  std::shared_ptr<const Plan> planned;
  if (impl_->plans_reusable()) {
    uint64_t gen = impl_->generation();
    planned = impl_->recent_plan(key, gen);
    if (!planned) {
      planned = std::make_shared<const Plan>(plan(query, security));
      impl_->keep_plan(key, planned, gen);
    }
  } else {
    planned = std::make_shared<const Plan>(plan(query, security));
  }
  std::chrono::microseconds plan_time = since(start);
  std::string base;
  bool renew = query.renew_query;
  if (ResultCache* cache = impl_->options.cache.get()) {
    base = Impl::cache_base(key, *planned);
    // A renewing query must not attach to a run that may answer from the cache.
    if (renew) key += "\x1frenew";
    // A cache that answers without I/O is read right here, on the caller's
    // thread: a hit never waits for a worker.
    if (!renew && !cache->blocking()) {
      if (auto values = impl_->refresh_values(*planned, false)) {
        std::string cache_key = Impl::cache_key(base, *values);
        if (auto hit = cache->get(cache_key)) {
          auto done = std::make_shared<PendingQuery>();
          done->complete(Impl::from_cache(*hit, cache_key, *planned, plan_time));
          return done;
        }
      }
    }
  }

  auto pending = std::make_shared<PendingQuery>();
  auto cancel = std::make_shared<CancelToken>();
  {
    std::lock_guard lock(impl_->mu);
    auto [it, inserted] = impl_->in_flight.try_emplace(key, Impl::InFlight{pending, cancel});
    if (!inserted) {
      ++it->second.sharers;
      return it->second.pending;
    }
  }
  Impl* impl = impl_.get();
  bool posted = impl->pool.post([impl, key, pending, planned, plan_time, cancel, base, renew] {
    std::optional<QueryResult> result;
    std::exception_ptr error;
    try {
      result = impl->run(*planned, plan_time, cancel, base, renew);
    } catch (...) {
      error = std::current_exception();
    }
    impl->finish(key, pending, std::move(result), std::move(error));
  });
  if (!posted) {
    impl->finish(key, pending, std::nullopt,
                 std::make_exception_ptr(
                     SourceError(planned->source, "the query service is shutting down",
                                 {.hint = "retry on another node or once the server is back"})));
  }
  return pending;
}

bool QueryService::cancel(const std::shared_ptr<PendingQuery>& pending) {
  std::shared_ptr<CancelToken> token;
  {
    std::lock_guard lock(impl_->mu);
    for (auto& [key, f] : impl_->in_flight) {
      if (f.pending != pending) continue;
      if (f.sharers > 1) {
        --f.sharers;  // others still wait for this run
        return false;
      }
      token = f.cancel;
      break;
    }
  }
  if (!token) return false;  // finished already
  token->cancel();
  return true;
}

QueryResult QueryService::run(const SemanticQuery& query, const SecurityContext& security) {
  return submit(query, security)->wait();
}

}  // namespace strata
