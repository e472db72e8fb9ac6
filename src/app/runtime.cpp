#include "app/runtime.h"

#include "cache/memory_cache.h"
#include "cache/redis_cache.h"
#include "core/error.h"
#include "lake/iceberg_source.h"
#include "lake/lake_config.h"
#include "model/loader.h"
#include "source/duckdb/duckdb_source.h"
#include "source/mariadb/mariadb_source.h"
#include "source/postgres/postgres_source.h"
#include "sql/dialect.h"

namespace strata {

namespace {

std::filesystem::path resolve(const std::filesystem::path& base, const std::string& p) {
  std::filesystem::path path(p);
  return path.is_absolute() ? path : base / path;
}

int int_setting(const DataSourceConfig& c, const std::string& key, int fallback) {
  const std::string* v = c.get(key);
  if (!v) return fallback;
  try {
    size_t used = 0;
    int n = std::stoi(*v, &used);
    if (used == v->size()) return n;
  } catch (const std::exception&) {
  }
  throw UserError("data source '" + c.name + "': " + key + " must be an integer, not '" + *v + "'");
}

bool bool_setting(const DataSourceConfig& c, const std::string& key, bool fallback) {
  const std::string* v = c.get(key);
  if (!v) return fallback;
  if (*v == "true" || *v == "yes" || *v == "on") return true;
  if (*v == "false" || *v == "no" || *v == "off") return false;
  throw UserError("data source '" + c.name + "': " + key + " must be true or false, not '" + *v +
                  "'");
}

std::chrono::milliseconds duration_setting(const DataSourceConfig& c, const std::string& key,
                                           std::chrono::milliseconds fallback) {
  const std::string* v = c.get(key);
  return v ? parse_duration(*v, "data source '" + c.name + "': " + key) : fallback;
}

void check_known(const DataSourceConfig& c, const std::set<std::string>& known) {
  for (const auto& [k, v] : c.settings) {
    if (!known.count(k)) {
      std::string list;
      for (const auto& n : known) list += (list.empty() ? "" : ", ") + n;
      throw UserError(
          "data source '" + c.name + "' (" + c.type + ") has an unknown setting '" + k + "'",
          {.hint = c.type + " sources take " + list});
    }
  }
}

std::string string_setting(const DataSourceConfig& c, const std::string& key,
                           const std::string& fallback) {
  const std::string* v = c.get(key);
  return v ? *v : fallback;
}

// Settings shared by the network sources (docs/sources.md).
const std::set<std::string> kNetworkSettings = {"host",
                                                "port",
                                                "database",
                                                "user",
                                                "password",
                                                "read_only",
                                                "max_connections",
                                                "idle_timeout",
                                                "connect_timeout",
                                                "acquire_timeout",
                                                "cancel_grace"};

std::unique_ptr<Source> open_postgres(const DataSourceConfig& c) {
  std::set<std::string> known = kNetworkSettings;
  known.insert({"sslmode", "sslrootcert", "search_path", "copy_results"});
  check_known(c, known);
  PostgresSourceOptions o;
  o.host = string_setting(c, "host", o.host);
  o.port = int_setting(c, "port", o.port);
  o.database = string_setting(c, "database", o.database);
  o.user = string_setting(c, "user", o.user);
  o.password = string_setting(c, "password", o.password);
  o.sslmode = string_setting(c, "sslmode", o.sslmode);
  o.sslrootcert = string_setting(c, "sslrootcert", o.sslrootcert);
  o.search_path = string_setting(c, "search_path", o.search_path);
  o.read_only = bool_setting(c, "read_only", o.read_only);
  o.max_connections = int_setting(c, "max_connections", o.max_connections);
  o.idle_timeout = duration_setting(c, "idle_timeout", o.idle_timeout);
  o.connect_timeout = duration_setting(c, "connect_timeout", o.connect_timeout);
  o.acquire_timeout = duration_setting(c, "acquire_timeout", o.acquire_timeout);
  o.cancel_grace = duration_setting(c, "cancel_grace", o.cancel_grace);
  o.copy_results = bool_setting(c, "copy_results", o.copy_results);
  return PostgresSource::open(c.name, std::move(o));
}

std::unique_ptr<Source> open_mariadb(const DataSourceConfig& c) {
  std::set<std::string> known = kNetworkSettings;
  known.insert({"ssl", "ssl_ca"});
  check_known(c, known);
  MariaDbSourceOptions o;
  o.host = string_setting(c, "host", o.host);
  o.port = int_setting(c, "port", o.port);
  o.database = string_setting(c, "database", o.database);
  o.user = string_setting(c, "user", o.user);
  o.password = string_setting(c, "password", o.password);
  o.ssl = string_setting(c, "ssl", o.ssl);
  o.ssl_ca = string_setting(c, "ssl_ca", o.ssl_ca);
  o.read_only = bool_setting(c, "read_only", o.read_only);
  o.max_connections = int_setting(c, "max_connections", o.max_connections);
  o.idle_timeout = duration_setting(c, "idle_timeout", o.idle_timeout);
  o.connect_timeout = duration_setting(c, "connect_timeout", o.connect_timeout);
  o.acquire_timeout = duration_setting(c, "acquire_timeout", o.acquire_timeout);
  o.cancel_grace = duration_setting(c, "cancel_grace", o.cancel_grace);
  return MariaDbSource::open(c.name, std::move(o));
}

}  // namespace

std::unique_ptr<Source> open_source(const DataSourceConfig& c,
                                    const std::filesystem::path& base_dir) {
  if (c.type == "duckdb") {
    static const std::set<std::string> kKnown = {"path", "read_only", "threads", "max_connections",
                                                 "memory_limit"};
    for (const auto& [k, v] : c.settings) {
      if (!kKnown.count(k)) {
        throw UserError("data source '" + c.name + "' (duckdb) has an unknown setting '" + k + "'",
                        {.hint = "duckdb sources take path, read_only, threads, max_connections "
                                 "and memory_limit"});
      }
    }
    DuckDbSourceOptions o;
    const std::string* path = c.get("path");
    std::string p = path && *path != ":memory:" ? resolve(base_dir, *path).string() : ":memory:";
    const std::string* ro = c.get("read_only");
    o.read_only = ro && (*ro == "true" || *ro == "yes");
    o.threads = int_setting(c, "threads", 0);
    o.max_connections = int_setting(c, "max_connections", 0);
    if (const std::string* m = c.get("memory_limit")) o.memory_limit = *m;
    return DuckDbSource::open(c.name, p, o);
  }
  if (c.type == "iceberg") {
    return lake::IcebergSource::open(lake::parse_lake_config(c.name, c.settings, base_dir));
  }
  if (c.type == "postgres" || c.type == "postgresql") return open_postgres(c);
  if (c.type == "mariadb" || c.type == "mysql") return open_mariadb(c);
  throw UserError("data source '" + c.name + "' has unknown type '" + c.type + "'",
                  {.hint = "supported types: duckdb, postgres, mariadb (or mysql), iceberg"});
}

DialectLookup dialects_of(const Config& config) {
  return [config](std::string_view source) -> const sql::Dialect& {
    for (const auto& s : config.data_sources) {
      // Iceberg tables are read by an embedded DuckDB.
      if (s.name == source) return sql::dialect_named(s.type == "iceberg" ? "duckdb" : s.type);
    }
    throw NotFoundError("unknown data source '" + std::string(source) + "'",
                        {.hint = "add it under data_sources in strata.yml"});
  };
}

namespace {

std::shared_ptr<RedisClient> redis_client(const Config& config) {
  RedisOptions o;
  o.host = config.redis.host;
  o.port = config.redis.port;
  o.password = config.redis.password;
  o.database = config.redis.database;
  return std::make_shared<RedisClient>(std::move(o));
}

// libpq keyword=value text; values quoted as libpq wants ('...' with \ and \').
std::string conninfo_of(const DataSourceConfig& ds) {
  auto quote = [](const std::string& v) {
    std::string out = "'";
    for (char c : v) {
      if (c == '\\' || c == '\'') out += '\\';
      out += c;
    }
    return out + "'";
  };
  std::string out;
  auto add = [&](const char* key, const char* setting) {
    if (const std::string* v = ds.get(setting)) out += std::string(key) + "=" + quote(*v) + " ";
  };
  add("host", "host");
  add("port", "port");
  add("dbname", "database");
  add("user", "user");
  add("password", "password");
  add("sslmode", "sslmode");
  add("sslrootcert", "sslrootcert");
  return out;
}

std::unique_ptr<BuildLease> make_lease(const Config& config, const std::filesystem::path& dir,
                                       const std::shared_ptr<RedisClient>& redis) {
  const std::string& kind = config.pre_aggregations.lease;
  if (kind == "none") return make_no_lease();
  if (kind == "redis") return make_redis_lease(redis, config.redis.prefix + "preaggs:build-lease");
  if (kind == "postgres") {
    const std::string& name = config.pre_aggregations.lease_source;
    for (const auto& ds : config.data_sources) {
      if (ds.name == name && (ds.type == "postgres" || ds.type == "postgresql")) {
        return make_postgres_lease(conninfo_of(ds));
      }
    }
    throw UserError("pre_aggregations.lease is postgres but lease_source '" + name +
                        "' is not a postgres data source",
                    {.hint = "set pre_aggregations.lease_source to a configured postgres source"});
  }
  return make_file_lease(dir / ".build.lock");
}

}  // namespace

std::unique_ptr<Runtime> make_runtime(const Config& config) {
  auto rt = std::make_unique<Runtime>();
  rt->config = config;
  rt->model = load_model(resolve(config.base_dir, config.model_path.string()));
  for (const auto& ds : config.data_sources) rt->sources.add(open_source(ds, config.base_dir));
  QueryServiceOptions o;
  o.worker_threads = config.worker_threads;
  o.query_timeout = config.query_timeout;

  // The result cache (docs/caching.md).
  std::shared_ptr<RedisClient> redis;
  bool wants_redis = config.cache.type == "redis" || config.pre_aggregations.lease == "redis";
  if (wants_redis) redis = redis_client(config);
  if (config.cache.type == "memory") {
    rt->cache = std::make_shared<MemoryCache>(config.cache.max_bytes);
  } else if (config.cache.type == "redis") {
    rt->cache = std::make_shared<RedisCache>(redis, config.redis.prefix + "result:");
  }
  o.cache = rt->cache;
  o.cache_max_ttl = config.cache.ttl;
  o.default_refresh_every_micros =
      std::chrono::duration_cast<std::chrono::microseconds>(config.cache.default_refresh).count();

  // Pre-aggregations, when the model declares any.
  bool any = false;
  for (const auto& c : rt->model->cubes()) any = any || !c.pre_aggregations.empty();
  std::filesystem::path dir = resolve(config.base_dir, config.pre_aggregations.dir.string());
  if (any) {
    // Partitions are immutable files: their Parquet footers can stay cached.
    rt->sources.add(DuckDbSource::open("__preaggs",
                                       ":memory:", {.threads = 1, .cache_parquet_metadata = true}));
    PreAggStoreOptions po;
    po.dir = dir;
    po.source = "__preaggs";
    po.memory_source = &rt->sources.get("__preaggs");
    po.memory_bytes = config.pre_aggregations.memory_bytes;
    rt->pre_aggregations = std::make_unique<PreAggStore>(rt->model, po);
    o.pre_aggregations = rt->pre_aggregations->lookup_function();
    o.pre_aggregations_generation = [store = rt->pre_aggregations.get()] {
      return store->generation();
    };
  }
  rt->service = std::make_unique<QueryService>(rt->model, rt->sources, o);
  if (any) {
    RefreshOptions ro;
    ro.interval = config.pre_aggregations.interval;
    ro.gc_grace = config.pre_aggregations.gc_grace;
    rt->refresh = std::make_unique<RefreshWorker>(*rt->service, rt->sources, *rt->pre_aggregations,
                                                  make_lease(config, dir, redis), ro);
  }
  return rt;
}

}  // namespace strata
