// Runtime: the objects one strata process serves with, built from a Config:
// the model, the data sources and the QueryService over them. Frontends
// (HTTP, SQL API, CLI) borrow references from it.
#pragma once

#include <memory>

#include "app/config.h"
#include "cache/preagg_store.h"
#include "cache/refresh_worker.h"
#include "exec/query_service.h"
#include "exec/result_cache.h"
#include "model/model.h"
#include "source/source.h"

namespace strata {

struct Runtime {
  Config config;
  std::shared_ptr<const Model> model;
  SourceRegistry sources;
  std::shared_ptr<ResultCache> cache;  // null when cache.type is none
  // Set when the model declares pre-aggregations (docs/caching.md); their
  // Parquet files are read by the DuckDB source "__preaggs".
  std::unique_ptr<PreAggStore> pre_aggregations;
  std::unique_ptr<QueryService> service;
  // Builds pre-aggregations; not started here (serve starts it, `strata
  // refresh` calls it). Declared last: destroyed (stopped) first.
  std::unique_ptr<RefreshWorker> refresh;
};

// Loads the model, opens every configured data source, sets up the result
// cache and pre-aggregations, and starts the query workers. Throws
// ModelError, UserError (bad source settings) or SourceError.
std::unique_ptr<Runtime> make_runtime(const Config& config);

// Opens one data source from its settings (docs/sources.md): duckdb (path,
// read_only, threads, max_connections, memory_limit), postgres/postgresql and
// mariadb/mysql (host, port, database, user, password, ssl settings, pool
// and timeout settings; they connect on first use, so a database that is
// down does not stop the server). Throws UserError for an unknown type or
// setting.
std::unique_ptr<Source> open_source(const DataSourceConfig& config,
                                    const std::filesystem::path& base_dir);

// The dialect each configured source speaks, without connecting to it (for
// `strata sql`). Unknown sources are NotFoundError.
DialectLookup dialects_of(const Config& config);

}  // namespace strata
