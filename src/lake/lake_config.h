// Settings of an iceberg data source (strata.yml), shared by the server and
// `strata lake`. All keys are flat scalars:
//
//   type: iceberg
//   catalog: folder            # folder (default) | sql | rest
//   warehouse: ./lake          # folder/sql: where tables live; rest: the warehouse name
//   table.sales.orders: ./exports/orders     # folder: a table by location (folder or metadata
//   file) catalog_uri: sqlite:///var/strata/catalog.db   # sql: sqlite:... or postgresql://...
//   catalog_name: default      # sql: the catalog_name column
//   uri: http://127.0.0.1:8181 # rest
//   token: ${ICEBERG_TOKEN}    # rest: bearer token, or
//   credential: id:secret      # rest: OAuth2 client credentials
//   oauth2_server_uri, scope, prefix   # rest
//   path_map: "s3a://warehouse -> s3://bucket/lake, file:///old -> /new"
//   s3_endpoint: http://127.0.0.1:4569   # default: AWS for s3_region (or AWS_ENDPOINT_URL)
//   s3_region: us-east-1       # default: AWS_REGION / AWS_DEFAULT_REGION / us-east-1
//   s3_path_style: true
//   s3_access_key_id, s3_secret_access_key, s3_session_token   # default: AWS_* variables
//   cache_dir: /var/cache/strata-lake    # remote data files (default: a temp folder)
//   cache_max_size: 20GB
//   threads, memory_limit, max_connections   # the embedded DuckDB
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <string>

#include "lake/catalog/catalog.h"
#include "lake/catalog/rest_catalog.h"
#include "lake/storage/storage.h"
#include "source/duckdb/duckdb_source.h"

namespace strata::lake {

struct LakeConfig {
  std::string source_name;
  std::string catalog = "folder";
  std::string warehouse;
  std::map<std::string, std::string> tables;  // "ns.table" -> location
  std::string catalog_uri;
  std::string catalog_name = "default";
  RestCatalogOptions rest;
  PathMap paths;
  StorageOptions storage;
  DuckDbSourceOptions duckdb;
};

// Parses settings (after ${ENV} interpolation). Relative paths resolve
// against `base_dir`. Throws UserError naming the source for an unknown key
// or a bad value.
LakeConfig parse_lake_config(const std::string& source_name,
                             const std::map<std::string, std::string>& settings,
                             const std::filesystem::path& base_dir);

// S3 options from the AWS_* environment variables only (for `strata lake`
// without a configuration).
S3Options s3_options_from_env();

// "10GB", "512MiB", "1000000" -> bytes. Throws UserError naming `what`.
uint64_t parse_size(const std::string& text, const std::string& what);

std::unique_ptr<Catalog> open_catalog(const LakeConfig& config, Storage& storage);

}  // namespace strata::lake
