#include "source/source.h"

#include "core/error.h"

namespace strata {

// The flag is set and read under mu_, so each callback runs exactly once:
// either cancel() finds it registered, or on_cancel() finds the token
// already cancelled and calls it itself.
void CancelToken::cancel() {
  std::map<int, std::function<void()>> callbacks;
  {
    std::lock_guard lock(mu_);
    if (cancelled_.exchange(true)) return;
    callbacks = callbacks_;
  }
  for (auto& [id, fn] : callbacks) fn();
}

int CancelToken::on_cancel(std::function<void()> interrupt) {
  int id;
  {
    std::lock_guard lock(mu_);
    id = next_id_++;
    if (!cancelled_.load()) {
      callbacks_[id] = std::move(interrupt);
      return id;
    }
  }
  interrupt();
  return id;
}

void CancelToken::unregister(int id) {
  std::lock_guard lock(mu_);
  callbacks_.erase(id);
}

void Source::stream(const std::string& sql, const ExecOptions& options,
                    const std::function<bool(ResultSet&&)>& sink) {
  sink(query(sql, options));
}

void SourceRegistry::add(std::unique_ptr<Source> source) {
  std::string name = source->name();
  if (sources_.count(name)) {
    throw UserError("data source '" + name + "' is configured twice",
                    {.hint = "give each entry under data_sources a distinct name"});
  }
  sources_.emplace(std::move(name), std::move(source));
}

Source* SourceRegistry::find(std::string_view name) const {
  auto it = sources_.find(name);
  return it == sources_.end() ? nullptr : it->second.get();
}

Source& SourceRegistry::get(std::string_view name) const {
  if (Source* s = find(name)) return *s;
  std::string known;
  for (const auto& [n, s] : sources_) known += (known.empty() ? "" : ", ") + n;
  throw NotFoundError("unknown data source '" + std::string(name) + "'",
                      {.hint = known.empty() ? "no data sources are configured"
                                             : "configured data sources: " + known});
}

std::vector<Source*> SourceRegistry::all() const {
  std::vector<Source*> out;
  for (const auto& [n, s] : sources_) out.push_back(s.get());
  return out;
}

SourceHealth select_one_health(Source& source, std::chrono::milliseconds timeout) {
  SourceHealth h;
  auto start = std::chrono::steady_clock::now();
  try {
    ExecOptions options;
    options.timeout = timeout;
    ResultSet rs = source.query("SELECT 1", options);
    h.ok = rs.row_count() == 1 && rs.column(0).int_at(0) == 1;
    h.detail = h.ok ? "ok" : "SELECT 1 returned an unexpected result";
  } catch (const std::exception& e) {
    h.ok = false;
    h.detail = e.what();
  }
  h.latency = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - start);
  return h;
}

}  // namespace strata
