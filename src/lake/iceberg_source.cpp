#include "lake/iceberg_source.h"

#include <spdlog/spdlog.h>

#include <chrono>
#include <map>
#include <set>

#include "core/error.h"
#include "lake/lake_error.h"
#include "lake/sql_tables.h"
#include "sql/dialect.h"

namespace strata::lake {

namespace {

// Same table? Predicates name tables as the model writes them ("sales.orders",
// "\"Sales\".orders").
bool same_table(const std::string& written, const TableIdent& ident) {
  try {
    return TableIdent::parse(written) == ident;
  } catch (const Error&) {
    return false;
  }
}

// Errors of the lake carry the generic source name; say which source failed.
template <typename Fn>
auto renamed(const std::string& source, Fn&& fn) -> decltype(fn()) {
  try {
    return fn();
  } catch (const SourceError& e) {
    if (e.source() == source) throw;
    throw SourceError(source, e.message(), e.context());
  }
}

// Format v3 fields that change nothing a read returns are ignored; say so
// once per metadata file.
void warn_once(const LoadedTable& t) {
  if (t.metadata->warnings.empty()) return;
  static std::mutex mu;
  static std::set<std::string> warned;
  std::lock_guard lock(mu);
  if (!warned.insert(t.metadata_location).second) return;
  for (const auto& w : t.metadata->warnings)
    spdlog::warn("table {} ({}): {}", t.ident.to_string(), t.metadata_location, w);
}

}  // namespace

IcebergSource::IcebergSource(Private, LakeConfig config)
    : name_(config.source_name), config_(std::move(config)) {
  engine_ = std::make_unique<LakeEngine>(name_, config_.storage, config_.duckdb);
  catalog_ = open_catalog(config_, engine_->storage());
}

IcebergSource::~IcebergSource() = default;

std::unique_ptr<IcebergSource> IcebergSource::open(const LakeConfig& config) {
  return renamed(config.source_name,
                 [&] { return std::make_unique<IcebergSource>(Private{}, config); });
}

const sql::Dialect& IcebergSource::dialect() const {
  return sql::dialect_named("duckdb");
}

LoadedTable IcebergSource::load(const TableIdent& ident) {
  return renamed(name_, [&] {
    auto t = catalog_->load_table(ident);
    if (!t) {
      throw NotFoundError("data source '" + name_ + "' has no table " + ident.to_string(),
                          {.hint = "list its tables with GET /api/v1/lake/tables?source=" + name_});
    }
    return *t;
  });
}

LakeEngine::Prepared IcebergSource::prepare(const std::string& sql, const ExecOptions& options) {
  std::vector<SqlTableRef> refs = find_table_refs(sql);
  std::vector<std::unique_ptr<LoadedTable>> tables;
  std::map<std::string, std::string> view_of;  // table -> view name
  std::vector<std::pair<const SqlTableRef*, std::string>> replacements;
  for (const SqlTableRef& ref : refs) {
    if (ref.parts.size() < 2) continue;
    TableIdent ident;
    ident.name = ref.parts.back();
    ident.ns.assign(ref.parts.begin(), ref.parts.end() - 1);
    std::string key = ident.to_string();
    auto it = view_of.find(key);
    if (it == view_of.end()) {
      std::optional<LoadedTable> t = catalog_->load_table(ident);
      if (!t) continue;  // not a lake table (DuckDB resolves it, or says it is unknown)
      warn_once(*t);
      tables.push_back(std::make_unique<LoadedTable>(std::move(*t)));
      it = view_of.emplace(key, "__strata_lake_" + std::to_string(view_of.size())).first;
    }
    replacements.emplace_back(&ref, it->second);
  }
  // Each table is read by an inline subquery over exactly its files (planned
  // for this query: its snapshot, its pruning hints).
  std::map<std::string, std::string> scan_of;  // view name -> SELECT
  LakeEngine::Prepared p;
  std::vector<LakeRunStats> stats;
  for (const auto& t : tables) {
    ScanOptions scan;
    scan.as_of = options.as_of;
    for (const ScanPredicate& pred : options.predicates) {
      if (same_table(pred.table, t->ident)) scan.predicates.push_back(pred);
    }
    LakeRunStats s;
    ScanSql sql_of = engine_->scan(*t, scan, &s);
    scan_of[view_of[t->ident.to_string()]] = std::move(sql_of.sql);
    for (auto& f : sql_of.files) p.files.push_back(std::move(f));
    stats.push_back(std::move(s));
  }
  size_t pos = 0;
  for (const auto& [ref, view] : replacements) {
    p.sql += sql.substr(pos, ref->begin - pos);
    p.sql += "(" + scan_of[view] + ")";
    pos = ref->end;
  }
  p.sql += sql.substr(pos);
  std::lock_guard lock(stats_mu_);
  last_stats_ = std::move(stats);
  return p;
}

ResultSet IcebergSource::query(const std::string& sql, const ExecOptions& options) {
  return renamed(name_, [&] {
    LakeEngine::Prepared p = prepare(sql, options);
    return engine_->duckdb().query(p.sql, options);
  });
}

void IcebergSource::stream(const std::string& sql, const ExecOptions& options,
                           const std::function<bool(ResultSet&& batch)>& sink) {
  renamed(name_, [&] {
    LakeEngine::Prepared p = prepare(sql, options);
    engine_->duckdb().stream(p.sql, options, sink);
    return 0;
  });
}

std::vector<TableInfo> IcebergSource::list_tables() {
  return renamed(name_, [&] {
    std::vector<TableInfo> out;
    for (const auto& ns : catalog_->list_namespaces()) {
      for (const TableIdent& t : catalog_->list_tables(ns)) {
        TableInfo info;
        info.schema = t.ns_string();
        info.name = t.name;
        out.push_back(std::move(info));
      }
    }
    return out;
  });
}

TableInfo IcebergSource::describe_table(const std::string& schema, const std::string& name) {
  TableIdent ident =
      TableIdent::parse((schema.empty() ? std::string("default") : schema) + "." + name);
  LoadedTable t = load(ident);
  TableInfo info;
  info.schema = ident.ns_string();
  info.name = ident.name;
  for (const auto& f : t.metadata->current_schema().fields) {
    info.columns.push_back(TableColumn{f.name, strata_type(*f.type), !f.required});
  }
  return info;
}

SourceHealth IcebergSource::health() {
  auto start = std::chrono::steady_clock::now();
  SourceHealth h;
  try {
    catalog_->list_namespaces();
    h = engine_->duckdb().health();
  } catch (const std::exception& e) {
    h.ok = false;
    h.detail = e.what();
  }
  h.latency = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - start);
  return h;
}

std::vector<LakeRunStats> IcebergSource::last_query_stats() const {
  std::lock_guard lock(stats_mu_);
  return last_stats_;
}

}  // namespace strata::lake
