#include "cache/refresh_worker.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <filesystem>
#include <set>
#include <stdexcept>

#include "core/error.h"

namespace strata {

namespace {

struct LeaseLost : std::runtime_error {
  LeaseLost() : std::runtime_error("the build lease was lost to another worker") {}
};

constexpr size_t kMaxJobs = 1000;

bool contains(const std::vector<std::string>& list, const std::string& s) {
  return std::find(list.begin(), list.end(), s) != list.end();
}

}  // namespace

RefreshWorker::RefreshWorker(QueryService& service, SourceRegistry& sources, PreAggStore& store,
                             std::unique_ptr<BuildLease> lease, RefreshOptions options)
    : service_(service),
      sources_(sources),
      store_(store),
      lease_(lease ? std::move(lease) : make_no_lease()),
      options_(std::move(options)),
      builder_(service, sources, store),
      keys_(sources, options_.default_every_micros) {}

RefreshWorker::~RefreshWorker() {
  stop();
}

void RefreshWorker::start(bool periodic) {
  std::lock_guard lock(mu_);
  if (thread_.joinable()) return;
  stopping_ = false;
  thread_ = std::thread([this, periodic] { loop(periodic); });
}

void RefreshWorker::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void RefreshWorker::loop(bool periodic) {
  using Clock = std::chrono::steady_clock;
  Clock::time_point due = Clock::now();
  std::unique_lock lock(mu_);
  while (!stopping_) {
    if (!queue_.empty()) {
      std::string token = queue_.front();
      queue_.pop_front();
      auto it = jobs_.find(token);
      if (it == jobs_.end()) continue;
      it->second.status = "processing";
      RefreshSelector selector = it->second.selector;
      selector.pre_aggregations = {it->second.pre_aggregation};
      lock.unlock();
      std::string status = "done", error;
      try {
        RefreshReport r = refresh(selector, true);
        if (r.lease_refused) {
          status = "missing_partition";
          error = "another worker holds the build lease";
        }
        for (const auto& item : r.items) {
          if (!item.error.empty()) {
            status = "missing_partition";
            error = item.error;
          }
        }
      } catch (const std::exception& e) {
        status = "missing_partition";
        error = e.what();
      }
      lock.lock();
      if (auto j = jobs_.find(token); j != jobs_.end()) {
        j->second.status = status;
        j->second.error = error;
      }
      continue;
    }
    if (periodic && Clock::now() >= due) {
      lock.unlock();
      try {
        refresh();
      } catch (const std::exception& e) {
        spdlog::warn("pre-aggregation refresh failed: {}", e.what());
      }
      lock.lock();
      due = Clock::now() + options_.interval;
      continue;
    }
    if (periodic) {
      cv_.wait_until(lock, due);
    } else {
      cv_.wait(lock);
    }
  }
}

bool RefreshWorker::selected(const PreAggregation& def, const RefreshSelector& s) const {
  if (!s.pre_aggregations.empty() && !contains(s.pre_aggregations, def.full_name())) return false;
  if (!s.cubes.empty() && !contains(s.cubes, def.cube)) return false;
  if (!s.data_sources.empty()) {
    const Cube* cube = store_.model()->find_cube(def.cube);
    if (!cube || !contains(s.data_sources, cube->data_source)) return false;
  }
  return true;
}

RefreshReport RefreshWorker::refresh(const RefreshSelector& selector, bool force) {
  std::lock_guard pass(pass_mu_);
  RefreshReport report;
  if (!lease_->try_acquire(options_.lease_ttl)) {
    report.lease_refused = true;
    return report;
  }
  struct Release {
    BuildLease& lease;
    ~Release() { lease.release(); }
  } release{*lease_};
  for (const PreAggregation* def : store_.all()) {
    if (def->type == PreAggregationType::kRollupLambda || !selected(*def, selector)) continue;
    RefreshReport::Item item;
    item.pre_aggregation = def->full_name();
    {
      std::lock_guard lock(mu_);
      status_[item.pre_aggregation].building = true;
    }
    bool lost = false;
    try {
      refresh_one(*def, force, selector.date_range, item);
    } catch (const LeaseLost& e) {
      item.error = e.what();
      lost = true;
    } catch (const Error& e) {
      item.error = e.what();
    } catch (const std::exception& e) {
      item.error = e.what();
    }
    if (!item.error.empty()) {
      spdlog::warn("pre-aggregation {}: {}", item.pre_aggregation, item.error);
    } else if (item.built > 0 || item.dropped > 0) {
      spdlog::info("pre-aggregation {}: built {} partitions, kept {}, dropped {}",
                   item.pre_aggregation, item.built, item.kept, item.dropped);
    }
    {
      std::lock_guard lock(mu_);
      Status& st = status_[item.pre_aggregation];
      st.building = false;
      st.last_attempt_utc = now_utc_micros();
      st.last_error = item.error;
    }
    report.items.push_back(std::move(item));
    if (lost) break;
  }
  return report;
}

void RefreshWorker::refresh_one(const PreAggregation& def, bool force,
                                const std::optional<std::pair<int64_t, int64_t>>& force_range,
                                RefreshReport::Item& item) {
  const Cube* cube = store_.model()->find_cube(def.cube);
  if (!cube) throw InternalError("pre-aggregation of an unknown cube " + def.cube);
  RefreshKey key;
  if (def.refresh_key) {
    key = *def.refresh_key;
  } else {
    key.every_micros = options_.default_every_micros;
  }
  auto value = keys_.value(key, cube->data_source, def.full_name(), true);
  if (!value) {
    throw SourceError(cube->data_source,
                      "the refresh key of " + def.full_name() + " cannot be read");
  }
  auto tz = TimeZone::load(def.timezone);
  const int64_t now = now_utc_micros();
  const std::string fingerprint = store_.fingerprint(def);
  std::optional<Manifest> old = store_.read_manifest(def);
  if (old && old->fingerprint != fingerprint) old.reset();

  std::vector<PartitionSpec> specs = builder_.partitions(def);
  Manifest next;
  next.pre_aggregation = def.full_name();
  next.type = std::string(pre_aggregation_type_name(def.type));
  next.fingerprint = fingerprint;
  next.table = store_.table_name(def);
  next.timezone = def.timezone;
  next.last_refresh_utc = now;
  bool changed = !old;
  const int64_t now_local = tz->utc_to_local(now);
  std::set<std::string> wanted;
  for (const auto& spec : specs) {
    wanted.insert(spec.name);
    const ManifestPartition* current = nullptr;
    if (old) {
      for (const auto& p : old->partitions) {
        if (p.name == spec.name && p.from_local == spec.from_local && p.to_local == spec.to_local) {
          current = &p;
        }
      }
    }
    bool whole = spec.to_local <= spec.from_local;
    bool forced = force;
    if (forced && force_range && !whole) {
      forced = tz->local_to_utc(spec.to_local) > force_range->first &&
               tz->local_to_utc(spec.from_local) < force_range->second;
    }
    bool in_window =
        !key.incremental || whole || spec.to_local > now_local - key.update_window_micros;
    bool stale = !current || forced || (current->refresh_key != *value && in_window);
    if (!stale) {
      next.partitions.push_back(*current);
      ++item.kept;
      continue;
    }
    {
      std::lock_guard lock(mu_);
      // Shutting down: leave what is published as it is.
      if (stopping_) throw InternalError("the refresh worker is stopping");
    }
    if (!lease_->renew(options_.lease_ttl)) throw LeaseLost();
    if (options_.observer) options_.observer(def.full_name(), spec.name, true);
    try {
      next.partitions.push_back(builder_.build(def, spec, *value));
    } catch (...) {
      if (options_.observer) options_.observer(def.full_name(), spec.name, false);
      throw;
    }
    if (options_.observer) options_.observer(def.full_name(), spec.name, false);
    ++item.built;
    changed = true;
  }
  if (old) {
    for (const auto& p : old->partitions) {
      if (!wanted.count(p.name)) {
        ++item.dropped;
        changed = true;
      }
    }
  }
  if (changed) {
    // Publish only while still the lease holder.
    if (!lease_->renew(options_.lease_ttl)) throw LeaseLost();
    store_.write_manifest(def, next);
  }
  collect_garbage(def, changed ? next : *old);
}

void RefreshWorker::collect_garbage(const PreAggregation& def, const Manifest& kept) {
  namespace fs = std::filesystem;
  std::set<std::string> live;
  for (const auto& p : kept.partitions) live.insert(p.file);
  std::error_code ec;
  auto cutoff = fs::file_time_type::clock::now() - options_.gc_grace;
  for (const auto& entry : fs::directory_iterator(store_.folder(def), ec)) {
    std::string name = entry.path().filename().string();
    bool ours =
        name.ends_with(".parquet") || name.starts_with(".tmp-") || name.starts_with(".manifest-");
    if (!ours || live.count(name) || !entry.is_regular_file(ec)) continue;
    auto t = fs::last_write_time(entry.path(), ec);
    if (!ec && t < cutoff) fs::remove(entry.path(), ec);
  }
}

std::vector<std::string> RefreshWorker::submit(const RefreshSelector& selector) {
  std::vector<std::string> tokens;
  {
    std::lock_guard lock(mu_);
    for (const PreAggregation* def : store_.all()) {
      if (def->type == PreAggregationType::kRollupLambda || !selected(*def, selector)) continue;
      Job j;
      j.token = random_token();
      j.pre_aggregation = def->full_name();
      try {
        j.table = store_.table_name(*def);
      } catch (const Error&) {
        j.table = "";
      }
      j.status = "scheduled";
      j.selector = selector;
      tokens.push_back(j.token);
      queue_.push_back(j.token);
      jobs_[j.token] = std::move(j);
    }
    // Forget the oldest finished jobs.
    while (jobs_.size() > kMaxJobs) {
      auto victim = std::find_if(jobs_.begin(), jobs_.end(), [](const auto& kv) {
        return kv.second.status == "done" || kv.second.status == "missing_partition";
      });
      if (victim == jobs_.end()) break;
      jobs_.erase(victim);
    }
  }
  if (!tokens.empty()) start(false);  // no-op when already running
  cv_.notify_all();
  return tokens;
}

std::optional<RefreshWorker::Job> RefreshWorker::job(const std::string& token) const {
  std::lock_guard lock(mu_);
  auto it = jobs_.find(token);
  if (it == jobs_.end()) return std::nullopt;
  return it->second;
}

RefreshWorker::Status RefreshWorker::status(const std::string& pre_aggregation) const {
  std::lock_guard lock(mu_);
  auto it = status_.find(pre_aggregation);
  return it == status_.end() ? Status{} : it->second;
}

}  // namespace strata
