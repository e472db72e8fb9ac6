#include "lake/catalog/sql_catalog.h"

#include <libpq-fe.h>
#include <sqlite3.h>

#include <mutex>
#include <set>

#include "core/error.h"
#include "lake/lake_error.h"
#include "lake/uuid.h"

namespace strata::lake {

using Row = std::vector<std::optional<std::string>>;

struct SqlCatalog::Db {
  virtual ~Db() = default;
  // `sql` uses ? placeholders.
  virtual std::vector<Row> query(const std::string& sql,
                                 const std::vector<std::string>& params) = 0;
  // Returns the number of rows changed.
  virtual int64_t exec(const std::string& sql, const std::vector<std::string>& params) = 0;
  std::mutex mu;
  std::string where;  // for errors (the URI without secrets)
};

namespace {

class SqliteDb : public SqlCatalog::Db {
 public:
  explicit SqliteDb(const std::string& path) {
    where = "sqlite:" + path;
    if (sqlite3_open_v2(path.c_str(), &db_,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
                        nullptr) != SQLITE_OK) {
      std::string msg = db_ ? sqlite3_errmsg(db_) : "out of memory";
      sqlite3_close(db_);
      db_ = nullptr;
      throw SourceError(kLakeSourceName, "cannot open the SQL catalog " + where + ": " + msg,
                        {.file = path});
    }
    sqlite3_busy_timeout(db_, 10'000);
  }
  ~SqliteDb() override { sqlite3_close(db_); }

  std::vector<Row> query(const std::string& sql, const std::vector<std::string>& params) override {
    std::vector<Row> rows;
    run(sql, params, &rows);
    return rows;
  }
  int64_t exec(const std::string& sql, const std::vector<std::string>& params) override {
    run(sql, params, nullptr);
    return sqlite3_changes(db_);
  }

 private:
  void run(const std::string& sql, const std::vector<std::string>& params, std::vector<Row>* rows) {
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &st, nullptr) != SQLITE_OK) fail(st);
    for (size_t i = 0; i < params.size(); ++i) {
      sqlite3_bind_text(st, static_cast<int>(i + 1), params[i].c_str(),
                        static_cast<int>(params[i].size()), SQLITE_TRANSIENT);
    }
    for (;;) {
      int rc = sqlite3_step(st);
      if (rc == SQLITE_DONE) break;
      if (rc != SQLITE_ROW) fail(st);
      if (rows) {
        Row r;
        for (int c = 0; c < sqlite3_column_count(st); ++c) {
          const unsigned char* t = sqlite3_column_text(st, c);
          if (t) {
            r.emplace_back(std::string(reinterpret_cast<const char*>(t)));
          } else {
            r.emplace_back(std::nullopt);
          }
        }
        rows->push_back(std::move(r));
      }
    }
    sqlite3_finalize(st);
  }
  [[noreturn]] void fail(sqlite3_stmt* st) {
    std::string msg = sqlite3_errmsg(db_);
    sqlite3_finalize(st);
    throw SourceError(kLakeSourceName, "SQL catalog " + where + ": " + msg);
  }
  sqlite3* db_ = nullptr;
};

class PostgresDb : public SqlCatalog::Db {
 public:
  explicit PostgresDb(const std::string& conninfo) {
    where = "postgresql catalog";
    conn_ = PQconnectdb(conninfo.c_str());
    if (!conn_ || PQstatus(conn_) != CONNECTION_OK) {
      std::string msg = conn_ ? PQerrorMessage(conn_) : "out of memory";
      PQfinish(conn_);
      conn_ = nullptr;
      throw SourceError(kLakeSourceName, "cannot connect to the SQL catalog: " + msg);
    }
    // "relation ... already exists, skipping" and friends are not news.
    PQsetNoticeProcessor(
        conn_, [](void*, const char*) {}, nullptr);
  }
  ~PostgresDb() override { PQfinish(conn_); }

  std::vector<Row> query(const std::string& sql, const std::vector<std::string>& params) override {
    PGresult* r = run(sql, params);
    std::vector<Row> rows;
    for (int i = 0; i < PQntuples(r); ++i) {
      Row row;
      for (int c = 0; c < PQnfields(r); ++c) {
        if (PQgetisnull(r, i, c)) {
          row.emplace_back(std::nullopt);
        } else {
          row.emplace_back(std::string(PQgetvalue(r, i, c)));
        }
      }
      rows.push_back(std::move(row));
    }
    PQclear(r);
    return rows;
  }
  int64_t exec(const std::string& sql, const std::vector<std::string>& params) override {
    PGresult* r = run(sql, params);
    const char* n = PQcmdTuples(r);
    int64_t changed = (n && *n) ? std::atoll(n) : 0;
    PQclear(r);
    return changed;
  }

 private:
  PGresult* run(const std::string& sql, const std::vector<std::string>& params) {
    std::string pg;
    int n = 0;
    for (char c : sql) {
      if (c == '?') {
        pg += "$" + std::to_string(++n);
      } else {
        pg += c;
      }
    }
    std::vector<const char*> values;
    for (const auto& p : params) values.push_back(p.c_str());
    PGresult* r = PQexecParams(conn_, pg.c_str(), static_cast<int>(values.size()), nullptr,
                               values.data(), nullptr, nullptr, 0);
    ExecStatusType s = PQresultStatus(r);
    if (s != PGRES_COMMAND_OK && s != PGRES_TUPLES_OK) {
      std::string msg = PQresultErrorMessage(r);
      PQclear(r);
      throw SourceError(kLakeSourceName, "SQL catalog: " + msg);
    }
    return r;
  }
  PGconn* conn_ = nullptr;
};

std::unique_ptr<SqlCatalog::Db> open_db(const std::string& uri) {
  if (uri.rfind("sqlite:", 0) == 0) {
    std::string path = uri.substr(7);
    if (path.rfind("///", 0) == 0) {
      path = path.substr(2);  // sqlite:///abs -> /abs
    } else if (path.rfind("//", 0) == 0) {
      path = path.substr(2);
    }
    return std::make_unique<SqliteDb>(path);
  }
  if (uri.rfind("postgresql:", 0) == 0 || uri.rfind("postgres:", 0) == 0 ||
      uri.find('=') != std::string::npos) {
    return std::make_unique<PostgresDb>(uri);
  }
  throw UserError("unknown SQL catalog URI '" + uri + "'",
                  {.hint = "use sqlite:///path/to/catalog.db or postgresql://user@host/db"});
}

std::vector<std::string> split_ns(const std::string& s) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : s) {
    if (c == '.') {
      out.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  out.push_back(cur);
  return out;
}

std::string join_ns(const std::vector<std::string>& ns) {
  std::string out;
  for (const auto& p : ns) {
    if (!out.empty()) out += ".";
    out += p;
  }
  return out;
}

}  // namespace

std::string next_metadata_path(const std::string& table_root, int64_t version) {
  char prefix[32];
  std::snprintf(prefix, sizeof prefix, "%05lld", static_cast<long long>(version + 1));
  return join_uri(table_root,
                  std::string("metadata/") + prefix + "-" + random_uuid() + ".metadata.json");
}

SqlCatalog::SqlCatalog(Storage& storage, const std::string& uri, std::string catalog_name,
                       std::string warehouse, PathMap explicit_paths)
    : storage_(storage),
      catalog_name_(std::move(catalog_name)),
      warehouse_(std::move(warehouse)),
      explicit_paths_(std::move(explicit_paths)),
      db_(open_db(uri)) {
  std::lock_guard lock(db_->mu);
  db_->exec(
      "CREATE TABLE IF NOT EXISTS iceberg_tables (catalog_name VARCHAR(255) NOT NULL, "
      "table_namespace VARCHAR(255) NOT NULL, table_name VARCHAR(255) NOT NULL, "
      "metadata_location VARCHAR(1000), previous_metadata_location VARCHAR(1000), "
      "PRIMARY KEY (catalog_name, table_namespace, table_name))",
      {});
  db_->exec(
      "CREATE TABLE IF NOT EXISTS iceberg_namespace_properties (catalog_name VARCHAR(255) NOT "
      "NULL, namespace VARCHAR(255) NOT NULL, property_key VARCHAR(255) NOT NULL, "
      "property_value VARCHAR(1000), PRIMARY KEY (catalog_name, namespace, property_key))",
      {});
}

SqlCatalog::~SqlCatalog() = default;

std::vector<std::vector<std::string>> SqlCatalog::list_namespaces() {
  std::lock_guard lock(db_->mu);
  std::set<std::string> names;
  for (const Row& r : db_->query("SELECT DISTINCT table_namespace FROM iceberg_tables WHERE "
                                 "catalog_name = ?",
                                 {catalog_name_})) {
    if (r[0]) names.insert(*r[0]);
  }
  for (const Row& r : db_->query("SELECT DISTINCT namespace FROM iceberg_namespace_properties "
                                 "WHERE catalog_name = ?",
                                 {catalog_name_})) {
    if (r[0]) names.insert(*r[0]);
  }
  std::vector<std::vector<std::string>> out;
  for (const auto& n : names) out.push_back(split_ns(n));
  return out;
}

std::vector<TableIdent> SqlCatalog::list_tables(const std::vector<std::string>& ns) {
  std::lock_guard lock(db_->mu);
  std::vector<TableIdent> out;
  for (const Row& r : db_->query("SELECT table_name FROM iceberg_tables WHERE catalog_name = ? "
                                 "AND table_namespace = ? ORDER BY table_name",
                                 {catalog_name_, join_ns(ns)})) {
    if (r[0]) out.push_back(TableIdent{ns, *r[0]});
  }
  return out;
}

std::optional<LoadedTable> SqlCatalog::load_table(const TableIdent& ident) {
  std::optional<std::string> location;
  {
    std::lock_guard lock(db_->mu);
    auto rows = db_->query(
        "SELECT metadata_location FROM iceberg_tables WHERE catalog_name = ? "
        "AND table_namespace = ? AND table_name = ?",
        {catalog_name_, ident.ns_string(), ident.name});
    if (rows.empty()) return std::nullopt;
    location = rows[0][0];
  }
  if (!location) {
    throw SourceError(kLakeSourceName, "table " + ident.to_string() +
                                           " has no metadata_location in the SQL catalog");
  }
  // The metadata location is recorded where the table was created; explicit
  // path rules may move it.
  std::string file = explicit_paths_.map(*location);
  LoadedTable t = load_table_at(storage_, file, explicit_paths_);
  t.ident = ident;
  t.metadata_location = *location;  // the pointer value, compared on commit
  return t;
}

std::string SqlCatalog::default_location(const TableIdent& ident) {
  if (warehouse_.empty()) {
    throw UserError("the SQL catalog has no warehouse to create " + ident.to_string() + " in",
                    {.hint = "set warehouse on the iceberg data source"});
  }
  std::string dir = warehouse_;
  for (const auto& p : ident.ns) dir = join_uri(dir, p);
  return join_uri(dir, ident.name);
}

LoadedTable SqlCatalog::create_table(const TableIdent& ident, const std::string& location,
                                     const std::string& metadata_json) {
  std::string file = next_metadata_path(location, -1);
  storage_.write(file, metadata_json);
  register_table(ident, file);
  auto t = load_table(ident);
  if (!t) throw InternalError("table " + ident.to_string() + " vanished after creation");
  return *t;
}

void SqlCatalog::register_table(const TableIdent& ident, const std::string& metadata_location) {
  std::lock_guard lock(db_->mu);
  auto rows = db_->query(
      "SELECT 1 FROM iceberg_tables WHERE catalog_name = ? AND "
      "table_namespace = ? AND table_name = ?",
      {catalog_name_, ident.ns_string(), ident.name});
  if (!rows.empty()) throw UserError("table " + ident.to_string() + " exists already");
  db_->exec(
      "INSERT INTO iceberg_tables (catalog_name, table_namespace, table_name, "
      "metadata_location, previous_metadata_location) VALUES (?, ?, ?, ?, NULL)",
      {catalog_name_, ident.ns_string(), ident.name, metadata_location});
}

bool SqlCatalog::commit(const LoadedTable& base, const std::string& metadata_json) {
  std::string file = next_metadata_path(base.table_root, base.version);
  storage_.write(file, metadata_json);
  int64_t changed = 0;
  {
    std::lock_guard lock(db_->mu);
    changed = db_->exec(
        "UPDATE iceberg_tables SET metadata_location = ?, previous_metadata_location = ? WHERE "
        "catalog_name = ? AND table_namespace = ? AND table_name = ? AND metadata_location = ?",
        {file, base.metadata_location, catalog_name_, base.ident.ns_string(), base.ident.name,
         base.metadata_location});
  }
  if (changed != 1) {
    storage_.remove(file);
    return false;
  }
  return true;
}

}  // namespace strata::lake
