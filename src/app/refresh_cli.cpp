#include "app/refresh_cli.h"

#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <chrono>
#include <csignal>
#include <iostream>
#include <thread>

#include "app/runtime.h"
#include "core/error.h"

namespace strata {

struct RefreshCommand {
  CLI::App* cmd = nullptr;
  std::string config, model, duckdb, dir;
  bool once = false;
  bool force = false;
  std::vector<std::string> pre_aggregations;
};

namespace {

std::atomic<bool> g_stop{false};

void on_stop_signal(int) {
  g_stop = true;
}

int print_report(const RefreshReport& r) {
  if (r.lease_refused) {
    std::cout << "another worker holds the build lease; nothing built\n";
    return 0;
  }
  int failures = 0;
  for (const auto& item : r.items) {
    std::cout << item.pre_aggregation << ": ";
    if (!item.error.empty()) {
      ++failures;
      std::cout << "failed: " << item.error << "\n";
      continue;
    }
    std::cout << item.built << " built, " << item.kept << " up to date";
    if (item.dropped) std::cout << ", " << item.dropped << " dropped";
    std::cout << "\n";
  }
  if (r.items.empty()) std::cout << "no pre-aggregations selected\n";
  return failures ? 1 : 0;
}

}  // namespace

std::shared_ptr<RefreshCommand> add_refresh_command(CLI::App& app) {
  auto c = std::make_shared<RefreshCommand>();
  c->cmd = app.add_subcommand("refresh", "build pre-aggregations (once, or continuously)");
  c->cmd->add_option("-c,--config", c->config, "strata.yml to read (default: ./strata.yml)");
  c->cmd->add_option("-m,--model", c->model, "model folder (overrides the config's model)");
  c->cmd->add_option("--duckdb", c->duckdb, "DuckDB database file of the default data source");
  c->cmd->add_option("--dir", c->dir, "pre-aggregation folder (overrides pre_aggregations.dir)");
  c->cmd->add_flag("--once", c->once, "run one refresh pass and exit (for cron)");
  c->cmd->add_flag("--force", c->force, "rebuild every selected partition");
  c->cmd->add_option("--pre-aggregation", c->pre_aggregations,
                     "only this pre-aggregation (cube.name); may repeat");
  return c;
}

std::optional<int> run_refresh_command(RefreshCommand& c, const ConfigResolver& resolve) {
  if (!c.cmd || !*c.cmd) return std::nullopt;
  Config config = resolve(c.config, c.model, c.duckdb);
  if (!c.dir.empty()) config.pre_aggregations.dir = std::filesystem::absolute(c.dir);
  // Builds read the sources directly; answers are not cached here, and
  // rollups are not loaded into memory for queries this process never serves.
  config.cache.type = "none";
  config.pre_aggregations.memory_bytes = 0;
  auto rt = make_runtime(config);
  if (!rt->refresh) {
    std::cout << "the model declares no pre-aggregations\n";
    return 0;
  }
  RefreshSelector selector;
  selector.pre_aggregations = c.pre_aggregations;
  for (const auto& name : selector.pre_aggregations) {
    if (!rt->pre_aggregations->find(name)) {
      throw UserError("unknown pre-aggregation '" + name + "'",
                      {.hint = "name it cube.pre_aggregation, as in the model"});
    }
  }
  if (c.once) return print_report(rt->refresh->refresh(selector, c.force));
  std::signal(SIGINT, on_stop_signal);
  std::signal(SIGTERM, on_stop_signal);
  spdlog::info("refreshing pre-aggregations every {} ms into {}",
               config.pre_aggregations.interval.count(),
               rt->pre_aggregations->options().dir.string());
  bool force = c.force;
  while (!g_stop) {
    RefreshReport r = rt->refresh->refresh(selector, force);
    force = false;
    if (r.lease_refused) spdlog::info("another worker holds the build lease; waiting");
    auto until = std::chrono::steady_clock::now() + config.pre_aggregations.interval;
    while (!g_stop && std::chrono::steady_clock::now() < until) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }
  spdlog::info("strata refresh stopped");
  return 0;
}

}  // namespace strata
