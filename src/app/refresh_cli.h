// `strata refresh`: builds pre-aggregations outside `strata serve`.
//
//   strata refresh [-c strata.yml] [-m MODEL] [--duckdb FILE] [--dir DIR]
//                  [--once] [--force] [--pre-aggregation CUBE.NAME ...]
//
// --once runs one refresh pass (for cron) and exits: 0 when every selected
// pre-aggregation is up to date or another worker holds the build lease, 1
// when a build failed. Without --once it keeps refreshing every
// pre_aggregations.interval until SIGINT/SIGTERM. --force rebuilds every
// selected partition. The lease (pre_aggregations.lease) keeps it from
// building at the same time as any other worker.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "app/config.h"

namespace CLI {
class App;
}

namespace strata {

struct RefreshCommand;

// Adds the `refresh` subcommand to `app`; the result holds its flags.
std::shared_ptr<RefreshCommand> add_refresh_command(CLI::App& app);

// How the command turns -c / -m / --duckdb into a Config (cli.cpp's rules).
using ConfigResolver = std::function<Config(const std::string& config, const std::string& model,
                                            const std::string& duckdb)>;

// Runs `refresh` when it was parsed; nullopt otherwise. Throws strata::Error.
std::optional<int> run_refresh_command(RefreshCommand& command, const ConfigResolver& resolve);

}  // namespace strata
