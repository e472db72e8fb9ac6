#include "app/cli.h"

#include <pthread.h>
#include <signal.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <boost/json.hpp>
#include <csignal>
#include <filesystem>
#include <iostream>

#include "api/http_server.h"
#include "app/config.h"
#include "app/lake_cli.h"
#include "app/refresh_cli.h"
#include "app/runtime.h"
#include "app/table_printer.h"
#include "cache/preagg_store.h"
#include "core/error.h"
#include "model/loader.h"
#include "pgwire/pg_server.h"
#include "query/cube_query.h"
#include "security/jwt.h"
#include "sql/dialect.h"

namespace strata {

namespace {

// Flags shared by commands that need a model and data sources. Anything set
// here overrides strata.yml.
struct CommonFlags {
  std::string config;
  std::string model;
  std::string duckdb;
};

void add_common(CLI::App* cmd, CommonFlags& f) {
  cmd->add_option("-c,--config", f.config, "strata.yml to read (default: ./strata.yml if present)");
  cmd->add_option("-m,--model", f.model, "model folder (overrides the config's model)");
  cmd->add_option("--duckdb", f.duckdb,
                  "DuckDB database file of the default data source (overrides the config)");
}

Config resolve_config(const CommonFlags& f) {
  Config c;
  if (!f.config.empty()) {
    c = load_config(f.config);
  } else if (std::filesystem::exists("strata.yml")) {
    c = load_config("strata.yml");
  }
  if (!f.model.empty()) c.model_path = std::filesystem::absolute(f.model);
  if (!f.duckdb.empty()) {
    DataSourceConfig* d = c.find_source("default");
    if (!d) {
      c.data_sources.push_back({"default", "duckdb", {}});
      d = &c.data_sources.back();
    }
    d->type = "duckdb";
    d->settings["path"] = std::filesystem::absolute(f.duckdb).string();
  }
  if (!c.find_source("default")) {
    // With no database named, the default source is an empty in-memory DuckDB.
    c.data_sources.push_back({"default", "duckdb", {{"path", ":memory:"}}});
  }
  return c;
}

struct ServeFlags {
  std::string listen;
  std::string secret;
  bool dev = false;
  std::string continue_wait;
  std::string query_timeout;
  // The SQL API (pgwire).
  std::string pg_listen;
  std::string sql_user;
  std::string sql_password;
  std::string pg_auth;
  // Caching and pre-aggregations (docs/caching.md).
  std::string cache;
  std::string redis;
  std::string pre_aggregations_dir;
  bool no_refresh = false;
};

// The SQL API runs when pg_listen is set or any SQL user is configured
// (then on 127.0.0.1:15432); see docs/sql-api.md.
std::unique_ptr<pgwire::PgServer> start_sql_api(const Config& c, Runtime& rt) {
  if (!c.pg_listen_set && c.sql_users.empty()) return nullptr;
  pgwire::PgServerOptions o;
  o.host = c.pg_listen_host;
  o.port = c.pg_listen_port;
  o.auth = pgwire::parse_auth_method(c.pg_auth);
  o.dev_mode = c.dev_mode;
  o.tls_cert = c.pg_tls_cert.string();
  o.tls_key = c.pg_tls_key.string();
  for (const auto& u : c.sql_users)
    o.users.push_back({u.name, u.password, u.security_context_json});
  if (o.users.empty() && !o.dev_mode) {
    throw UserError("the SQL API has no users",
                    {.hint = "pass --sql-user NAME --sql-password PASSWORD (or list sql_users in "
                             "strata.yml), or --dev for password-less access"});
  }
  o.engine.limits = c.limits;
  o.engine.query_timeout = c.query_timeout;
  auto pg = std::make_unique<pgwire::PgServer>(*rt.service, o);
  uint16_t port = pg->start();
  spdlog::info("strata SQL API listening on postgresql://{}:{} ({} {}, {}{})", o.host, port,
               o.users.size(), o.users.size() == 1 ? "user" : "users",
               o.users.empty() ? "no password (dev mode)" : c.pg_auth,
               o.tls_cert.empty() ? "" : ", TLS");
  return pg;
}

int serve(const CommonFlags& f, const ServeFlags& s) {
  Config c = resolve_config(f);
  const std::string& listen = s.listen;
  const std::string& secret = s.secret;
  bool dev = s.dev;
  if (!s.continue_wait.empty())
    c.continue_wait = parse_duration(s.continue_wait, "--continue-wait");
  if (!s.query_timeout.empty())
    c.query_timeout = parse_duration(s.query_timeout, "--query-timeout");
  if (!listen.empty()) std::tie(c.listen_host, c.listen_port) = parse_host_port(listen, "--listen");
  if (!secret.empty()) c.api_secret = secret;
  if (dev) c.dev_mode = true;
  if (!s.pg_listen.empty()) {
    std::tie(c.pg_listen_host, c.pg_listen_port) = parse_host_port(s.pg_listen, "--pg-listen");
    c.pg_listen_set = true;
  }
  if (!s.pg_auth.empty()) c.pg_auth = s.pg_auth;
  if (!s.sql_user.empty() || !s.sql_password.empty()) {
    if (s.sql_user.empty() || s.sql_password.empty()) {
      throw UserError("--sql-user and --sql-password go together",
                      {.hint = "pass both, e.g. --sql-user analyst --sql-password secret"});
    }
    c.sql_users.push_back({s.sql_user, s.sql_password, ""});
  }
  if (!s.cache.empty()) {
    if (s.cache != "memory" && s.cache != "redis" && s.cache != "none") {
      throw UserError("--cache takes memory, redis or none, not '" + s.cache + "'");
    }
    c.cache.type = s.cache;
  }
  if (!s.redis.empty()) std::tie(c.redis.host, c.redis.port) = parse_host_port(s.redis, "--redis");
  if (!s.pre_aggregations_dir.empty()) {
    c.pre_aggregations.dir = std::filesystem::absolute(s.pre_aggregations_dir);
  }
  if (s.no_refresh) c.pre_aggregations.refresh = false;
  if (c.api_secret.empty() && !c.dev_mode) {
    throw UserError("no API secret is configured",
                    {.hint = "pass --api-secret SECRET (or api_secret in strata.yml, or "
                             "STRATA_API_SECRET), or --dev to turn authentication off"});
  }
  // SIGINT and SIGTERM are blocked here, before any thread starts (every
  // thread inherits the mask), and taken with sigwait below: stopping the
  // servers locks mutexes, which a signal handler must not do.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  auto rt = make_runtime(c);
  ApiOptions o;
  o.host = c.listen_host;
  o.port = c.listen_port;
  o.threads = c.http_threads;
  o.api_secret = c.api_secret;
  o.dev_mode = c.dev_mode;
  o.continue_wait = c.continue_wait;
  o.limits = c.limits;
  o.sources = &rt->sources;
  o.pre_aggregations = rt->pre_aggregations.get();
  o.refresh = rt->refresh.get();
  if (rt->pre_aggregations) {
    // Queue the built rollups for loading into memory now (in declaration
    // order, within the budget) rather than on their first query.
    for (const PreAggregation* p : rt->pre_aggregations->all()) rt->pre_aggregations->lookup(*p);
  }
  if (rt->refresh && c.pre_aggregations.refresh) {
    rt->refresh->start();
    spdlog::info("pre-aggregations: refreshing every {} ms into {}",
                 c.pre_aggregations.interval.count(), rt->pre_aggregations->options().dir.string());
  }
  ApiServer server(*rt->service, o);
  uint16_t port = server.start();
  spdlog::info("strata serving {} cubes and {} views from {} on http://{}:{}",
               rt->model->cubes().size(), rt->model->views().size(), c.model_path.string(),
               c.listen_host, port);
  auto pg = start_sql_api(c, *rt);
  int signal_number = 0;
  sigwait(&stop_signals, &signal_number);
  spdlog::info("strata: {} received, stopping", signal_number == SIGINT ? "SIGINT" : "SIGTERM");
  server.stop();
  if (pg) pg->stop();
  server.wait();
  if (pg) pg->wait();
  spdlog::info("strata stopped");
  return 0;
}

int validate(const std::string& dir) {
  try {
    auto model = load_model(dir);
    size_t members = 0;
    for (const auto& c : model->cubes()) {
      members += c.dimensions.size() + c.measures.size() + c.segments.size();
    }
    std::cout << "ok: " << model->cubes().size() << " cubes, " << model->views().size()
              << " views, " << members << " members in " << dir << "\n";
    return 0;
  } catch (const ModelError& e) {
    for (const auto& issue : e.issues()) {
      std::cerr << issue.loc.file;
      if (issue.loc.line > 0) std::cerr << ":" << issue.loc.line;
      std::cerr << ": ";
      if (!issue.member.empty()) std::cerr << issue.member << ": ";
      std::cerr << issue.message;
      if (!issue.hint.empty()) std::cerr << " (" << issue.hint << ")";
      std::cerr << "\n";
    }
    std::cerr << e.issues().size() << (e.issues().size() == 1 ? " problem" : " problems") << " in "
              << dir << "\n";
    return 1;
  }
}

int print_sql(const CommonFlags& f, const std::string& json) {
  Config c = resolve_config(f);
  auto model = load_model(c.model_path);
  SemanticQuery q = parse_cube_query_text(json, *model, ParseOptions{c.limits});
  Plan plan = plan_query(q, *model, SecurityContext{}, dialects_of(c));
  std::cout << plan.sql << "\n";
  return 0;
}

int run_query(const CommonFlags& f, const std::string& json) {
  Config c = resolve_config(f);
  c.pre_aggregations.memory_bytes = 0;  // one query: its rollup's files are read once anyway
  auto rt = make_runtime(c);
  SemanticQuery q = parse_cube_query_text(json, *rt->model, ParseOptions{c.limits});
  QueryResult r = rt->service->run(q, SecurityContext{});
  std::vector<std::string> headers;
  for (const auto& col : r.columns) headers.push_back(col.key);
  print_table(std::cout, r.rows, headers);
  if (r.limit_reached) {
    std::cout << "(the limit of " << q.limit << " rows cut the result short)\n";
  }
  if (r.total) std::cout << "total: " << *r.total << "\n";
  return 0;
}

int make_token(const std::string& secret, const std::string& claims, const std::string& expires) {
  if (secret.empty()) throw UserError("--api-secret is required to sign a token");
  auto ttl = parse_duration(expires, "--expires-in");
  boost::system::error_code ec;
  boost::json::value payload = boost::json::parse(claims, ec);
  if (ec || !payload.is_object()) {
    throw UserError("--claims must be a JSON object",
                    {.hint = R"(for example '{"sub": "alice"}')"});
  }
  int64_t now = now_utc_micros() / kMicrosPerSecond;
  auto& obj = payload.as_object();
  if (!obj.contains("iat")) obj["iat"] = now;
  if (!obj.contains("exp")) obj["exp"] = now + ttl.count() / 1000;
  std::cout << sign_jwt_hs256(boost::json::serialize(payload), secret) << "\n";
  return 0;
}

}  // namespace

int run_cli(int argc, char** argv) {
  CLI::App app{"strata: a semantic layer and query server"};
  app.require_subcommand(1);
  spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ %v");

  CommonFlags serve_flags;
  ServeFlags serve_opts;
  auto* serve_cmd = app.add_subcommand("serve", "serve the REST API");
  add_common(serve_cmd, serve_flags);
  serve_cmd->add_option("-l,--listen", serve_opts.listen,
                        "HOST:PORT to listen on (default 127.0.0.1:4000)");
  serve_cmd
      ->add_option("--api-secret", serve_opts.secret,
                   "HS256 secret that API tokens are signed with")
      ->envname("STRATA_API_SECRET");
  serve_cmd->add_flag("--dev", serve_opts.dev,
                      "development mode: requests without a token are allowed");
  serve_cmd->add_option("--continue-wait", serve_opts.continue_wait,
                        "how long /load waits before answering Continue wait (default 10s)");
  serve_cmd->add_option("--query-timeout", serve_opts.query_timeout,
                        "cancel queries running longer than this (default 120s)");
  serve_cmd->add_option("--pg-listen", serve_opts.pg_listen,
                        "HOST:PORT of the SQL API, PostgreSQL protocol (default 127.0.0.1:15432 "
                        "when a SQL user is configured)");
  serve_cmd->add_option("--sql-user", serve_opts.sql_user, "a user of the SQL API")
      ->envname("STRATA_SQL_USER");
  serve_cmd->add_option("--sql-password", serve_opts.sql_password, "that user's password")
      ->envname("STRATA_SQL_PASSWORD");
  serve_cmd->add_option("--pg-auth", serve_opts.pg_auth,
                        "SQL API password check: scram-sha-256 (default), md5 or password");
  serve_cmd->add_option("--cache", serve_opts.cache,
                        "result cache: memory (default), redis or none");
  serve_cmd->add_option("--redis", serve_opts.redis,
                        "HOST:PORT of Redis (shared cache, build lease)");
  serve_cmd->add_option("--pre-aggregations-dir", serve_opts.pre_aggregations_dir,
                        "folder of pre-aggregation Parquet files (default .strata/preaggs)");
  serve_cmd->add_flag("--no-refresh", serve_opts.no_refresh,
                      "do not build pre-aggregations in this process (use strata refresh)");

  std::string validate_dir;
  auto* validate_cmd = app.add_subcommand("validate", "check a model folder and report problems");
  validate_cmd->add_option("model_dir", validate_dir, "model folder")->required();

  CommonFlags sql_flags;
  std::string sql_json;
  auto* sql_cmd = app.add_subcommand("sql", "print the SQL a REST query compiles to");
  add_common(sql_cmd, sql_flags);
  sql_cmd->add_option("query", sql_json, "the query as Cube REST JSON")->required();

  CommonFlags query_flags;
  std::string query_json;
  auto* query_cmd = app.add_subcommand("query", "run a REST query and print the result");
  add_common(query_cmd, query_flags);
  query_cmd->add_option("query", query_json, "the query as Cube REST JSON")->required();

  std::string token_secret, token_claims = "{}", token_expires = "24h";
  auto* token_cmd = app.add_subcommand("token", "sign an API token (HS256 JWT)");
  token_cmd->add_option("--api-secret", token_secret, "the server's API secret")
      ->envname("STRATA_API_SECRET");
  token_cmd->add_option("--claims", token_claims, "JSON payload (the security context)");
  token_cmd->add_option("--expires-in", token_expires, "lifetime, e.g. 1h (default 24h)");

  auto lake_cmds = add_lake_commands(app);
  auto refresh_cmd = add_refresh_command(app);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }

  try {
    if (*serve_cmd) return serve(serve_flags, serve_opts);
    if (*validate_cmd) return validate(validate_dir);
    if (*sql_cmd) return print_sql(sql_flags, sql_json);
    if (*query_cmd) return run_query(query_flags, query_json);
    if (*token_cmd) return make_token(token_secret, token_claims, token_expires);
    if (auto rc = run_lake_commands(*lake_cmds)) return *rc;
    if (auto rc = run_refresh_command(
            *refresh_cmd,
            [](const std::string& config, const std::string& model, const std::string& duckdb) {
              return resolve_config(CommonFlags{config, model, duckdb});
            })) {
      return *rc;
    }
  } catch (const ModelError& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 1;
  } catch (const Error& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 1;
  }
  return 2;
}

}  // namespace strata
