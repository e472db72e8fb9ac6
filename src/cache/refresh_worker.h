// RefreshWorker: keeps pre-aggregations built. One pass (refresh()) goes
// over every pre-aggregation (or those a Selector picks):
//
//   1. take the build lease (cache/build_lease.h); without it, skip the pass:
//      another worker is building;
//   2. read the refresh key (the pre-aggregation's, default every 1 hour;
//      sql keys run on the cube's source) and the manifest; a manifest of
//      another definition (fingerprint) counts as nothing built;
//   3. compute the partitions the build range needs and build those that are
//      missing, or whose refresh key changed (only within update_window for
//      incremental keys), or that a job forces; renew the lease between
//      partitions and stop when it is lost;
//   4. write the manifest (atomically) naming the new set of files, and
//      delete files no manifest names once they are older than gc_grace.
//
// A first build publishes its manifest only when every partition is built,
// so a rollup is never matched half-built. In `strata serve` a background
// thread runs a pass every `interval`; `strata refresh --once` runs one.
// Jobs (Cube's POST /v1/pre-aggregations/jobs) are forced rebuilds queued
// for the background thread. Thread-safe.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "cache/build_lease.h"
#include "cache/preagg_builder.h"
#include "cache/preagg_store.h"
#include "exec/refresh_keys.h"

namespace strata {

struct RefreshOptions {
  std::chrono::milliseconds interval{10'000};
  std::chrono::milliseconds lease_ttl{60'000};
  std::chrono::milliseconds gc_grace{300'000};
  // The refresh key of pre-aggregations that declare none.
  int64_t default_every_micros = 3'600'000'000;
  // Called when a partition build starts (true) and ends (false); for tests.
  std::function<void(const std::string& pre_aggregation, const std::string& partition,
                     bool started)>
      observer;
};

// Which pre-aggregations a pass or a job covers (Cube's selector); empty
// lists select everything.
struct RefreshSelector {
  std::vector<std::string> pre_aggregations;  // "cube.name"
  std::vector<std::string> cubes;
  std::vector<std::string> data_sources;
  // Jobs: only partitions overlapping [from, to) (UTC micros) are forced.
  std::optional<std::pair<int64_t, int64_t>> date_range;
};

struct RefreshReport {
  struct Item {
    std::string pre_aggregation;
    int built = 0;    // partitions built in this pass
    int kept = 0;     // partitions left as they were
    int dropped = 0;  // partitions no longer in the build range
    std::string error;
  };
  std::vector<Item> items;
  bool lease_refused = false;
};

class RefreshWorker {
 public:
  // Everything passed must outlive the worker.
  RefreshWorker(QueryService& service, SourceRegistry& sources, PreAggStore& store,
                std::unique_ptr<BuildLease> lease, RefreshOptions options);
  ~RefreshWorker();  // stop()
  RefreshWorker(const RefreshWorker&) = delete;
  RefreshWorker& operator=(const RefreshWorker&) = delete;

  // Starts the background thread: a pass every interval (periodic = true),
  // or only queued jobs (periodic = false).
  void start(bool periodic = true);
  void stop();

  // One pass on the calling thread (serialized with the background thread).
  // `force` rebuilds every selected partition.
  RefreshReport refresh(const RefreshSelector& selector = {}, bool force = false);

  // Jobs: one per selected pre-aggregation that can be built; returns tokens.
  std::vector<std::string> submit(const RefreshSelector& selector);
  struct Job {
    std::string token;
    std::string pre_aggregation;
    std::string table;
    std::string status;  // scheduled, processing, done, missing_partition (failed)
    std::string error;
    RefreshSelector selector;
  };
  std::optional<Job> job(const std::string& token) const;

  // What the list API shows beyond the manifest.
  struct Status {
    bool building = false;
    int64_t last_attempt_utc = 0;
    std::string last_error;
  };
  Status status(const std::string& pre_aggregation) const;
  const RefreshOptions& options() const { return options_; }

 private:
  bool selected(const PreAggregation& def, const RefreshSelector& s) const;
  void refresh_one(const PreAggregation& def, bool force,
                   const std::optional<std::pair<int64_t, int64_t>>& force_range,
                   RefreshReport::Item& item);
  void collect_garbage(const PreAggregation& def, const Manifest& kept);
  void loop(bool periodic);

  QueryService& service_;
  SourceRegistry& sources_;
  PreAggStore& store_;
  std::unique_ptr<BuildLease> lease_;
  RefreshOptions options_;
  PreAggBuilder builder_;
  RefreshKeys keys_;

  std::mutex pass_mu_;  // one pass at a time
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::thread thread_;
  std::deque<std::string> queue_;         // job tokens
  std::map<std::string, Job> jobs_;       // by token
  std::map<std::string, Status> status_;  // by pre-aggregation
};

}  // namespace strata
