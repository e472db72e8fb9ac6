// strata.yml: what a server runs. Command-line flags override the file, so
// one command can serve any model without one:
//
//   listen: 127.0.0.1:4000
//   model: ./model
//   api_secret: ${STRATA_API_SECRET}      # ${VAR} is read from the environment
//   dev_mode: false
//   data_sources:
//     default:
//       type: duckdb
//       path: ./shop.duckdb
//   limits: {default_limit: 10000, max_limit: 50000}
//   query_timeout: 120s
//   continue_wait: 10s
//   worker_threads: 0                     # 0: one per core
//   http_threads: 0
//   pg_listen: 127.0.0.1:15432             # the SQL API (PostgreSQL protocol); see docs/sql-api.md
//   pg_auth: scram-sha-256                 # or md5, password
//   pg_tls_cert: ./server.crt              # both set: TLS on SSLRequest
//   pg_tls_key: ./server.key
//   sql_users:
//     - name: analyst
//       password: ${ANALYST_PASSWORD}
//       security_context: {tenant: acme}   # the claims this user's queries run with
//   cache:                                 # the result cache (docs/caching.md)
//     type: memory                         # memory (default) | redis | none
//     max_bytes: 256MB                     # memory: the LRU's bound
//     ttl: 1h                              # an answer is kept at most this long
//     default_refresh: 10s                 # refresh key of cubes that declare none
//   redis: {host: 127.0.0.1, port: 6379, password: ${REDIS_PASSWORD}, database: 0}
//   pre_aggregations:
//     dir: ./.strata/preaggs               # Parquet partitions and manifests
//     refresh: true                        # `strata serve` runs the refresh worker
//     interval: 10s                        # how often it checks refresh keys
//     lease: file                          # none | file | redis | postgres
//     lease_source: pg                     # postgres: the data source to lock in
//     gc_grace: 5m                         # replaced files are deleted after this
//     memory: 256MB                        # rollups loaded into memory, by Parquet size (0: none)
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "query/cube_query.h"

namespace strata {

struct DataSourceConfig {
  std::string name;
  std::string type = "duckdb";
  // Engine settings as written (path, host, port, user, password, ...), after
  // ${ENV} interpolation. Secrets live here and are never logged.
  std::map<std::string, std::string> settings;

  const std::string* get(const std::string& key) const;
};

// A user of the SQL API (pgwire): a password and the security context its
// queries run with. The password is a secret: never logged.
struct SqlUserConfig {
  std::string name;
  std::string password;
  std::string security_context_json;  // a JSON object; "" = {"sub": name}
};

struct CacheConfig {
  std::string type = "memory";  // memory | redis | none
  size_t max_bytes = size_t{256} << 20;
  std::chrono::milliseconds ttl{3'600'000};
  std::chrono::milliseconds default_refresh{10'000};
};

// One Redis server: the shared result cache and the redis build lease.
struct RedisConfig {
  std::string host = "127.0.0.1";
  uint16_t port = 6379;
  std::string password;  // a secret: never logged
  int database = 0;
  std::string prefix = "strata:";
};

struct PreAggregationsConfig {
  std::filesystem::path dir = ".strata/preaggs";
  bool refresh = true;
  std::chrono::milliseconds interval{10'000};
  std::string lease = "file";  // none | file | redis | postgres
  std::string lease_source;    // postgres: a configured postgres data source
  std::chrono::milliseconds gc_grace{300'000};
  // Rollups are loaded into memory while the Parquet files of the loaded
  // ones total at most this (docs/caching.md); 0 keeps them on disk only.
  size_t memory_bytes = size_t{256} << 20;
};

struct Config {
  std::string listen_host = "127.0.0.1";
  uint16_t listen_port = 4000;
  std::filesystem::path model_path = "model";
  std::vector<DataSourceConfig> data_sources;
  std::string api_secret;
  bool dev_mode = false;
  QueryLimits limits;
  std::chrono::milliseconds query_timeout{120'000};
  std::chrono::milliseconds continue_wait{10'000};
  int worker_threads = 0;
  int http_threads = 0;
  // The SQL API. It runs when pg_listen is set or any SQL user is configured.
  bool pg_listen_set = false;
  std::string pg_listen_host = "127.0.0.1";
  uint16_t pg_listen_port = 15432;
  std::string pg_auth = "scram-sha-256";
  std::filesystem::path pg_tls_cert;
  std::filesystem::path pg_tls_key;
  std::vector<SqlUserConfig> sql_users;
  CacheConfig cache;
  RedisConfig redis;
  PreAggregationsConfig pre_aggregations;
  std::filesystem::path base_dir = ".";  // relative paths in the file resolve against it

  DataSourceConfig* find_source(const std::string& name);
};

// Reads a strata.yml. Throws UserError naming the file, line and key for
// anything malformed, and for a ${VAR} that is not set in the environment.
Config load_config(const std::filesystem::path& file);

// "HOST:PORT" -> host, port. Throws UserError naming `what` (e.g. "--listen").
std::pair<std::string, uint16_t> parse_host_port(const std::string& text, const std::string& what);

// "256MB", "1GiB", "512KB", "1048576" (bytes). Throws UserError naming `what`.
size_t parse_bytes(const std::string& text, const std::string& what);

// "500ms", "10s", "2m", "1h", "30d", or a bare number of seconds.
std::chrono::milliseconds parse_duration(const std::string& text, const std::string& what);

// Replaces every ${NAME} with the environment variable NAME; throws UserError
// (naming `where`) when it is not set. "$${" escapes a literal "${".
std::string interpolate_env(const std::string& text, const std::string& where);

}  // namespace strata
