// `strata lake`: Iceberg tables from the command line.
//
//   strata lake inspect LOCATION [--as-of V] [--json] [--no-count]
//   strata lake query   LOCATION 'SQL over a table named t' [--as-of V] [--stats]
//   strata lake append  LOCATION (--sql 'SELECT ...' | --parquet FILE...)
//                       [--create] [--partition-by 'day(ts)' ...]
//
// LOCATION is a table folder (local or s3://), a metadata JSON file, or a
// catalog-qualified name SOURCE.namespace.table naming an iceberg data
// source of strata.yml (-c). V is the time-travel syntax of
// query/table_version.h (snapshot:ID, an ISO timestamp, ref:NAME, ...).
// S3 settings come from the named source, or --s3-endpoint/--s3-region/
// --s3-path-style and the AWS_* environment variables.
#pragma once

#include <memory>
#include <optional>

namespace CLI {
class App;
}

namespace strata {

struct LakeCommands;

// Adds the `lake` subcommand group to `app`; the result holds its flags.
std::shared_ptr<LakeCommands> add_lake_commands(CLI::App& app);

// Runs the lake command that was parsed; nullopt when none was. Throws
// strata::Error like the other commands.
std::optional<int> run_lake_commands(LakeCommands& commands);

}  // namespace strata
