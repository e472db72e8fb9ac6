#include "app/lake_cli.h"

#include <CLI/CLI.hpp>
#include <chrono>
#include <filesystem>
#include <iostream>

#include "app/config.h"
#include "app/table_printer.h"
#include "core/error.h"
#include "lake/inspect.h"
#include "lake/lake_config.h"
#include "lake/lake_engine.h"
#include "lake/write/appender.h"
#include "query/table_version.h"

namespace strata {

struct LakeCommands {
  CLI::App* inspect = nullptr;
  CLI::App* query = nullptr;
  CLI::App* append = nullptr;
  std::string config;
  std::string location;
  std::string as_of;
  bool json = false;
  bool no_count = false;
  std::string sql;
  bool stats = false;
  std::string append_sql;
  std::vector<std::string> parquet;
  bool create = false;
  std::vector<std::string> partition_by;
  std::string s3_endpoint;
  std::string s3_region;
  bool s3_path_style = false;
  std::string path_map;
  std::string cache_dir;
};

namespace {

void add_storage_flags(CLI::App* cmd, LakeCommands& c) {
  cmd->add_option(
      "-c,--config", c.config,
      "strata.yml whose iceberg data sources LOCATION may name (default: ./strata.yml)");
  cmd->add_option("--as-of", c.as_of,
                  "read as of a snapshot id, an ISO timestamp, or ref:NAME (see docs/lake.md)");
  cmd->add_option("--s3-endpoint", c.s3_endpoint,
                  "S3 endpoint URL (default: AWS, or AWS_ENDPOINT_URL)");
  cmd->add_option("--s3-region", c.s3_region, "S3 region (default: AWS_REGION or us-east-1)");
  cmd->add_flag("--s3-path-style", c.s3_path_style, "address buckets as http://host/bucket/key");
  cmd->add_option(
      "--path-map", c.path_map,
      "rewrite recorded paths: 'FROM -> TO[, FROM -> TO...]' (tables copied elsewhere)");
  cmd->add_option("--cache-dir", c.cache_dir, "where remote data files are cached");
}

struct Target {
  std::unique_ptr<lake::LakeEngine> engine;
  std::unique_ptr<lake::Catalog> catalog;
  lake::AppendTarget append;
  std::optional<lake::LoadedTable> table;
};

bool looks_like_location(const std::string& s) {
  std::error_code ec;
  return s.find('/') != std::string::npos || s.find("://") != std::string::npos ||
         s.ends_with(".json") || std::filesystem::exists(s, ec);
}

Target resolve(LakeCommands& c, bool need_table) {
  Target t;
  if (looks_like_location(c.location)) {
    lake::StorageOptions storage;
    storage.s3 = lake::s3_options_from_env();
    if (!c.s3_endpoint.empty()) storage.s3->endpoint = c.s3_endpoint;
    if (!c.s3_region.empty()) storage.s3->region = c.s3_region;
    if (c.s3_path_style) storage.s3->path_style = true;
    if (!c.cache_dir.empty()) storage.cache_dir = c.cache_dir;
    DuckDbSourceOptions duck;
    t.engine = std::make_unique<lake::LakeEngine>("lake", storage, duck);
    lake::PathMap paths;
    if (!c.path_map.empty()) paths = lake::PathMap::parse(c.path_map, "--path-map");
    std::string loc = c.location;
    if (!lake::Storage::is_remote(loc) && loc.find("://") == std::string::npos) {
      loc = std::filesystem::absolute(loc).lexically_normal().string();
    }
    t.append.location = loc;
    if (need_table) t.table = lake::load_table_at(t.engine->storage(), loc, paths);
    return t;
  }
  // SOURCE.ns.table (or ns.table with one iceberg source).
  Config config;
  if (!c.config.empty()) {
    config = load_config(c.config);
  } else if (std::filesystem::exists("strata.yml")) {
    config = load_config("strata.yml");
  }
  std::vector<const DataSourceConfig*> lakes;
  for (const auto& ds : config.data_sources) {
    if (ds.type == "iceberg") lakes.push_back(&ds);
  }
  const DataSourceConfig* source = nullptr;
  std::string name = c.location;
  size_t dot = name.find('.');
  if (dot != std::string::npos) {
    for (const auto* ds : lakes) {
      if (ds->name == name.substr(0, dot)) {
        source = ds;
        name = name.substr(dot + 1);
      }
    }
  }
  if (!source && lakes.size() == 1) source = lakes[0];
  if (!source) {
    throw UserError("'" + c.location + "' is neither a table location nor SOURCE.namespace.table",
                    {.hint = lakes.empty() ? "no iceberg data source is configured (-c strata.yml)"
                                           : "prefix the name with an iceberg data source's name"});
  }
  lake::LakeConfig lc = lake::parse_lake_config(source->name, source->settings, config.base_dir);
  t.engine = std::make_unique<lake::LakeEngine>(source->name, lc.storage, lc.duckdb);
  t.catalog = lake::open_catalog(lc, t.engine->storage());
  t.append.catalog = t.catalog.get();
  t.append.ident = lake::TableIdent::parse(name);
  if (need_table) {
    auto table = t.catalog->load_table(t.append.ident);
    if (!table) {
      throw NotFoundError("data source '" + source->name + "' has no table " +
                          t.append.ident.to_string());
    }
    t.table = std::move(*table);
  }
  return t;
}

std::optional<TableVersion> as_of(const LakeCommands& c) {
  if (c.as_of.empty()) return std::nullopt;
  return parse_table_version(c.as_of, "--as-of");
}

int inspect(LakeCommands& c) {
  Target t = resolve(c, true);
  lake::TableCounts counts = lake::table_counts(*t.engine, *t.table, as_of(c), !c.no_count);
  if (c.json) {
    std::cout << lake::table_report_json(*t.table, &counts) << "\n";
  } else {
    std::cout << lake::table_report_text(*t.table, &counts);
  }
  return 0;
}

int query(LakeCommands& c) {
  Target t = resolve(c, true);
  lake::LakeView v;
  v.name = "t";
  v.table = &*t.table;
  v.scan.as_of = as_of(c);
  std::vector<lake::LakeRunStats> stats;
  auto start = std::chrono::steady_clock::now();
  ResultSet rs = t.engine->run({v}, c.sql, ExecOptions{}, &stats);
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                                  start);
  std::vector<std::string> headers;
  for (const auto& col : rs.schema()) headers.push_back(col.name);
  print_table(std::cout, rs, headers);
  if (c.stats) {
    for (const auto& s : stats) {
      std::cerr << s.table << ": " << s.scan.files_scanned << " of " << s.scan.data_files
                << " data files read (" << s.scan.files_skipped_partition
                << " skipped by partition, " << s.scan.files_skipped_stats << " by column bounds), "
                << s.scan.delete_files_applied << " delete files applied, " << ms.count()
                << " ms\n";
    }
  }
  return 0;
}

int append(LakeCommands& c) {
  std::string select = c.append_sql;
  if (!c.parquet.empty()) {
    if (!select.empty()) throw UserError("pass --sql or --parquet, not both");
    std::string list;
    for (const auto& p : c.parquet) {
      std::string q = std::filesystem::absolute(p).string();
      std::string esc;
      for (char ch : q) {
        if (ch == '\'') esc += '\'';
        esc += ch;
      }
      list += (list.empty() ? "'" : ", '") + esc + "'";
    }
    select = "SELECT * FROM read_parquet([" + list + "])";
  }
  if (select.empty())
    throw UserError("nothing to append", {.hint = "pass --sql 'SELECT ...' or --parquet FILE"});
  Target t = resolve(c, false);
  lake::AppendOptions o;
  o.create = c.create;
  o.partition_by = c.partition_by;
  auto start = std::chrono::steady_clock::now();
  lake::AppendResult r = lake::append_rows(*t.engine, t.append, select, o);
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                                  start);
  std::cout << (r.created ? "created the table and appended " : "appended ") << r.rows
            << " rows in " << r.data_files << " data files: snapshot " << r.snapshot_id
            << " (sequence " << r.sequence_number << ", " << r.attempts
            << (r.attempts == 1 ? " attempt" : " attempts") << ", " << ms.count() << " ms)\n";
  return 0;
}

}  // namespace

std::shared_ptr<LakeCommands> add_lake_commands(CLI::App& app) {
  auto c = std::make_shared<LakeCommands>();
  auto* lake = app.add_subcommand("lake", "Iceberg tables: inspect, query, append");
  lake->require_subcommand(1);
  c->inspect =
      lake->add_subcommand("inspect", "a table's schema, specs, snapshots, refs and counts");
  c->inspect->add_option("location", c->location, "table folder, metadata file, or SOURCE.ns.table")
      ->required();
  add_storage_flags(c->inspect, *c);
  c->inspect->add_flag("--json", c->json, "print JSON (as the admin endpoint answers)");
  c->inspect->add_flag("--no-count", c->no_count, "do not count rows after deletes");

  c->query = lake->add_subcommand("query", "run SQL over a table named t");
  c->query->add_option("location", c->location, "table folder, metadata file, or SOURCE.ns.table")
      ->required();
  c->query->add_option("sql", c->sql, "SQL over a table named t (DuckDB dialect)")->required();
  add_storage_flags(c->query, *c);
  c->query->add_flag("--stats", c->stats, "print the files read and skipped to stderr");

  c->append = lake->add_subcommand("append", "append rows to a table (creating it with --create)");
  c->append->add_option("location", c->location, "table folder or SOURCE.ns.table")->required();
  c->append->add_option("--sql", c->append_sql, "a DuckDB query whose rows are appended");
  c->append->add_option("--parquet", c->parquet, "Parquet files whose rows are appended");
  c->append->add_flag("--create", c->create, "create the table from the rows' columns if missing");
  c->append->add_option("--partition-by", c->partition_by,
                        "partition a new table: day(ts), month(ts), year(d), hour(ts), "
                        "truncate(4, name), or a column name (identity)");
  add_storage_flags(c->append, *c);
  return c;
}

std::optional<int> run_lake_commands(LakeCommands& c) {
  if (c.inspect && *c.inspect) return inspect(c);
  if (c.query && *c.query) return query(c);
  if (c.append && *c.append) return append(c);
  return std::nullopt;
}

}  // namespace strata
