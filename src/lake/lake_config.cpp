#include "lake/lake_config.h"

#include <cstdlib>
#include <set>

#include "core/error.h"
#include "lake/catalog/folder_catalog.h"
#include "lake/catalog/sql_catalog.h"

namespace strata::lake {

namespace {

std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

bool truthy(const std::string& v) {
  return v == "true" || v == "yes" || v == "1" || v == "on";
}

std::string resolve_path(const std::filesystem::path& base, const std::string& p) {
  if (p.empty() || p.find("://") != std::string::npos) return p;
  std::filesystem::path path(p);
  return (path.is_absolute() ? path : base / path).lexically_normal().string();
}

int int_value(const std::string& source, const std::string& key, const std::string& v) {
  try {
    size_t used = 0;
    int n = std::stoi(v, &used);
    if (used == v.size()) return n;
  } catch (const std::exception&) {
  }
  throw UserError("data source '" + source + "': " + key + " must be an integer, not '" + v + "'");
}

}  // namespace

uint64_t parse_size(const std::string& text, const std::string& what) {
  std::string t;
  for (char c : text) {
    if (c != ' ') t += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  size_t i = 0;
  while (i < t.size() && (std::isdigit(static_cast<unsigned char>(t[i])) || t[i] == '.')) ++i;
  if (i == 0)
    throw UserError(what + ": '" + text + "' is not a size", {.hint = "e.g. 10GB, 512MB"});
  double n = std::stod(t.substr(0, i));
  std::string unit = t.substr(i);
  static const std::pair<const char*, double> kUnits[] = {{"", 1},
                                                          {"B", 1},
                                                          {"KB", 1e3},
                                                          {"MB", 1e6},
                                                          {"GB", 1e9},
                                                          {"TB", 1e12},
                                                          {"KIB", 1024.0},
                                                          {"MIB", 1048576.0},
                                                          {"GIB", 1073741824.0},
                                                          {"TIB", 1099511627776.0}};
  for (const auto& [u, mult] : kUnits) {
    if (unit == u) return static_cast<uint64_t>(n * mult);
  }
  throw UserError(what + ": unknown size unit in '" + text + "'",
                  {.hint = "use B, KB, MB, GB, TB or KiB, MiB, GiB"});
}

S3Options s3_options_from_env() {
  S3Options s3;
  s3.endpoint = env("AWS_ENDPOINT_URL_S3");
  if (s3.endpoint.empty()) s3.endpoint = env("AWS_ENDPOINT_URL");
  s3.region = env("AWS_REGION");
  if (s3.region.empty()) s3.region = env("AWS_DEFAULT_REGION");
  if (s3.region.empty()) s3.region = "us-east-1";
  s3.credentials.access_key_id = env("AWS_ACCESS_KEY_ID");
  s3.credentials.secret_access_key = env("AWS_SECRET_ACCESS_KEY");
  s3.credentials.session_token = env("AWS_SESSION_TOKEN");
  return s3;
}

LakeConfig parse_lake_config(const std::string& source,
                             const std::map<std::string, std::string>& settings,
                             const std::filesystem::path& base_dir) {
  static const std::set<std::string> kKnown = {"catalog",
                                               "warehouse",
                                               "catalog_uri",
                                               "catalog_name",
                                               "uri",
                                               "token",
                                               "credential",
                                               "oauth2_server_uri",
                                               "scope",
                                               "prefix",
                                               "path_map",
                                               "s3_endpoint",
                                               "s3_region",
                                               "s3_path_style",
                                               "s3_access_key_id",
                                               "s3_secret_access_key",
                                               "s3_session_token",
                                               "cache_dir",
                                               "cache_max_size",
                                               "threads",
                                               "memory_limit",
                                               "max_connections"};
  LakeConfig c;
  c.source_name = source;
  c.storage.s3 = s3_options_from_env();
  for (const auto& [k, v] : settings) {
    if (k.rfind("table.", 0) == 0) {
      std::string name = k.substr(6);
      TableIdent::parse(name);  // validates
      c.tables[name] = resolve_path(base_dir, v);
      continue;
    }
    if (!kKnown.count(k)) {
      throw UserError("data source '" + source + "' (iceberg) has an unknown setting '" + k + "'",
                      {.hint = "see docs/lake.md for the settings of iceberg sources"});
    }
    if (k == "catalog") {
      if (v != "folder" && v != "sql" && v != "rest") {
        throw UserError("data source '" + source + "': catalog must be folder, sql or rest, not '" +
                        v + "'");
      }
      c.catalog = v;
    } else if (k == "warehouse") {
      c.warehouse = v;
    } else if (k == "catalog_uri") {
      c.catalog_uri = v;
    } else if (k == "catalog_name") {
      c.catalog_name = v;
    } else if (k == "uri") {
      c.rest.uri = v;
    } else if (k == "token") {
      c.rest.token = v;
    } else if (k == "credential") {
      c.rest.credential = v;
    } else if (k == "oauth2_server_uri") {
      c.rest.oauth2_server_uri = v;
    } else if (k == "scope") {
      c.rest.scope = v;
    } else if (k == "prefix") {
      c.rest.prefix = v;
    } else if (k == "path_map") {
      c.paths = PathMap::parse(v, "data source '" + source + "' path_map");
    } else if (k == "s3_endpoint") {
      c.storage.s3->endpoint = v;
    } else if (k == "s3_region") {
      c.storage.s3->region = v;
    } else if (k == "s3_path_style") {
      c.storage.s3->path_style = truthy(v);
    } else if (k == "s3_access_key_id") {
      c.storage.s3->credentials.access_key_id = v;
    } else if (k == "s3_secret_access_key") {
      c.storage.s3->credentials.secret_access_key = v;
    } else if (k == "s3_session_token") {
      c.storage.s3->credentials.session_token = v;
    } else if (k == "cache_dir") {
      c.storage.cache_dir = resolve_path(base_dir, v);
    } else if (k == "cache_max_size") {
      c.storage.cache_max_bytes = parse_size(v, "data source '" + source + "' cache_max_size");
    } else if (k == "threads") {
      c.duckdb.threads = int_value(source, k, v);
    } else if (k == "max_connections") {
      c.duckdb.max_connections = int_value(source, k, v);
    } else if (k == "memory_limit") {
      c.duckdb.memory_limit = v;
    }
  }
  if (c.catalog != "rest") c.warehouse = resolve_path(base_dir, c.warehouse);
  if (c.catalog == "sql" && c.catalog_uri.empty()) {
    throw UserError("data source '" + source + "': the sql catalog needs catalog_uri",
                    {.hint = "e.g. catalog_uri: sqlite:///var/strata/catalog.db"});
  }
  if (c.catalog == "sql" && c.catalog_uri.rfind("sqlite:", 0) == 0) {
    std::string p = c.catalog_uri.substr(7);
    if (p.rfind("//", 0) != 0) c.catalog_uri = "sqlite:" + resolve_path(base_dir, p);
  }
  if (c.catalog == "rest") {
    if (c.rest.uri.empty()) {
      throw UserError("data source '" + source + "': the rest catalog needs uri");
    }
    c.rest.warehouse = c.warehouse;
  }
  if (c.catalog == "folder" && c.warehouse.empty() && c.tables.empty()) {
    throw UserError("data source '" + source + "' (iceberg) names no tables",
                    {.hint = "set warehouse (a folder of namespace/table folders) or "
                             "table.<ns>.<name>: <location>"});
  }
  return c;
}

std::unique_ptr<Catalog> open_catalog(const LakeConfig& c, Storage& storage) {
  if (c.catalog == "sql") {
    return std::make_unique<SqlCatalog>(storage, c.catalog_uri, c.catalog_name, c.warehouse,
                                        c.paths);
  }
  if (c.catalog == "rest") return std::make_unique<RestCatalog>(storage, c.rest, c.paths);
  return std::make_unique<FolderCatalog>(storage, c.warehouse, c.tables, c.paths);
}

}  // namespace strata::lake
