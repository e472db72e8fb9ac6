#include "exec/federated_run.h"

#include <chrono>
#include <future>

#include "core/error.h"

namespace strata {

DuckDbSource& MergeDatabase::get() const {
  std::lock_guard lock(mu_);
  if (!db_) db_ = DuckDbSource::open("merge", ":memory:");
  return *db_;
}

namespace {

using Clock = std::chrono::steady_clock;

int64_t first_integer(const ResultSet& rows) {
  if (rows.row_count() != 1 || rows.column_count() != 1 || rows.column(0).is_null(0)) {
    throw InternalError("the total query did not return one number");
  }
  Value v = rows.column(0).value_at(0);
  if (v.type.storage() == Storage::kInt) return v.i;
  if (v.type.storage() == Storage::kDecimal) return static_cast<int64_t>(v.dec);
  throw InternalError("the total query returned a " + v.type.name());
}

}  // namespace

FederatedResult run_federated(const Plan& plan, const SourceRegistry& sources,
                              const MergeDatabase& merge, const ExecOptions& options) {
  Clock::time_point start = Clock::now();
  // One token for this run: a failing fragment cancels its siblings, and the
  // caller's cancellation reaches all of them.
  auto local = std::make_shared<CancelToken>();
  int parent_id = -1;
  if (options.cancel) parent_id = options.cancel->on_cancel([local] { local->cancel(); });
  struct Unregister {
    const ExecOptions& o;
    int id;
    ~Unregister() {
      if (o.cancel && id >= 0) o.cancel->unregister(id);
    }
  } unregister{options, parent_id};

  std::vector<std::future<ResultSet>> running;
  running.reserve(plan.fragments.size());
  for (const auto& f : plan.fragments) {
    Source& source = sources.get(f.source);
    ExecOptions o;
    o.timeout = options.timeout;
    o.cancel = local;
    o.predicates = f.predicates;
    o.as_of = options.as_of;
    running.push_back(std::async(std::launch::async, [&source, &f, o, local] {
      try {
        return source.query(f.sql, o);
      } catch (...) {
        local->cancel();
        throw;
      }
    }));
  }
  // A failing fragment cancels its siblings, whose TimeoutErrors only echo
  // it: report the failure itself, and a timeout only when nothing else failed.
  std::vector<ResultSet> results;
  std::exception_ptr failure, timeout;
  for (auto& r : running) {
    try {
      results.push_back(r.get());
    } catch (const TimeoutError&) {
      if (!timeout) timeout = std::current_exception();
    } catch (...) {
      if (!failure) failure = std::current_exception();
    }
  }
  if (failure) std::rethrow_exception(failure);
  if (timeout) std::rethrow_exception(timeout);

  FederatedResult out;
  std::vector<DuckDbSource::NamedRows> tables;
  for (size_t i = 0; i < plan.fragments.size(); ++i) {
    const auto& f = plan.fragments[i];
    tables.push_back({f.name, &results[i]});
    out.served_by.push_back(
        {f.source, f.cube, f.tier, static_cast<int64_t>(results[i].row_count())});
  }
  ExecOptions m;
  m.cancel = options.cancel;
  m.max_rows = options.max_rows;
  if (options.timeout.count() > 0) {
    auto left = options.timeout -
                std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
    if (left.count() <= 0) {
      throw TimeoutError("query cancelled after " + std::to_string(options.timeout.count()) +
                         " ms");
    }
    m.timeout = left;
  }
  DuckDbSource& db = merge.get();
  out.rows = db.query_with_tables(tables, plan.sql, m);
  if (!plan.total_sql.empty()) {
    m.max_rows = -1;
    out.total = first_integer(db.query_with_tables(tables, plan.total_sql, m));
  }
  return out;
}

}  // namespace strata
