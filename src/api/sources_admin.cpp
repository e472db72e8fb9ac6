#include "api/sources_admin.h"

#include <boost/json.hpp>
#include <cctype>
#include <cmath>
#include <future>
#include <set>
#include <string_view>
#include <vector>

#include "api/error_response.h"
#include "core/error.h"
#include "source/mariadb/mariadb_source.h"
#include "source/postgres/pg_statement.h"
#include "source/postgres/postgres_source.h"
#include "sql/ast.h"
#include "sql/dialect.h"

namespace strata {

namespace json = boost::json;
using Clock = std::chrono::steady_clock;

namespace {

[[noreturn]] void refuse(const std::string& why) {
  throw UserError(
      "the SQL pass-through only runs one read-only statement: " + why,
      {.json_path = "sql", .hint = "use SELECT, WITH ... SELECT, VALUES, TABLE, EXPLAIN or SHOW"});
}

std::string upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

const std::set<std::string, std::less<>> kFirstWords = {"SELECT", "WITH",    "VALUES",   "TABLE",
                                                        "SHOW",   "EXPLAIN", "DESCRIBE", "DESC"};

// Words that write, lock, run other code or change the session on some engine.
const std::set<std::string, std::less<>> kDeniedWords = {
    "INSERT",     "UPDATE",   "DELETE",    "MERGE",    "UPSERT",     "CREATE",   "DROP",
    "ALTER",      "TRUNCATE", "RENAME",    "GRANT",    "REVOKE",     "COPY",     "CALL",
    "DO",         "EXEC",     "EXECUTE",   "PREPARE",  "DEALLOCATE", "SET",      "RESET",
    "LOCK",       "UNLOCK",   "VACUUM",    "CLUSTER",  "REINDEX",    "REFRESH",  "COMMENT",
    "SECURITY",   "LISTEN",   "NOTIFY",    "UNLISTEN", "DISCARD",    "BEGIN",    "START",
    "COMMIT",     "ROLLBACK", "SAVEPOINT", "RELEASE",  "ABORT",      "INTO",     "LOAD",
    "IMPORT",     "EXPORT",   "ATTACH",    "DETACH",   "INSTALL",    "FORCE",    "PRAGMA",
    "CHECKPOINT", "USE",      "HANDLER",   "KILL",     "SHUTDOWN",   "FLUSH",    "PURGE",
    "OPTIMIZE",   "REPAIR",   "OUTFILE",   "DUMPFILE", "SHARE",      "UNINSTALL"};

}  // namespace

void check_read_only_sql(const std::string& sql) {
  std::vector<std::string> words;
  size_t n = sql.size();
  size_t i = 0;
  bool ended = false;  // a ';' was seen: only whitespace and comments may follow
  auto skip_quoted = [&](char q) {
    // Quote doubled inside means the quote itself; a backslash in a string
    // literal is refused (engines disagree on whether it escapes).
    ++i;
    for (;;) {
      if (i >= n) refuse("a quoted string or name is not closed");
      if (sql[i] == '\\' && q == '\'') refuse("string literals may not contain a backslash");
      if (sql[i] == q) {
        if (i + 1 < n && sql[i + 1] == q) {
          i += 2;
          continue;
        }
        ++i;
        return;
      }
      ++i;
    }
  };
  while (i < n) {
    char c = sql[i];
    if (c == '-' && i + 1 < n && sql[i + 1] == '-') {
      while (i < n && sql[i] != '\n') ++i;
      continue;
    }
    if (c == '/' && i + 1 < n && sql[i + 1] == '*') {
      size_t close = sql.find("*/", i + 2);
      if (close == std::string::npos) refuse("a comment is not closed");
      if (sql.find("/*", i + 2) < close) refuse("comments may not be nested");
      i = close + 2;
      continue;
    }
    if (std::isspace(static_cast<unsigned char>(c))) {
      ++i;
      continue;
    }
    if (ended) refuse("several statements were sent");
    if (c == ';') {
      ended = true;
      ++i;
      continue;
    }
    if (c == '\'' || c == '"' || c == '`') {
      skip_quoted(c);
      words.emplace_back();  // a value or a quoted name: not a keyword
      continue;
    }
    if (c == '$') refuse("'$' (dollar quoting, parameters) is not accepted");
    if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
      size_t start = i;
      while (i < n && (std::isalnum(static_cast<unsigned char>(sql[i])) || sql[i] == '_')) ++i;
      words.push_back(upper(std::string_view(sql).substr(start, i - start)));
      continue;
    }
    if (c == '(' && words.empty()) {
      ++i;
      continue;
    }
    words.emplace_back();  // an operator, a number, punctuation
    ++i;
  }
  if (words.empty() || words[0].empty()) refuse("the SQL text holds no statement");
  if (!kFirstWords.count(words[0])) refuse("it starts with " + words[0]);
  for (const auto& w : words) {
    if (kDeniedWords.count(w)) refuse("it contains " + w);
  }
}

namespace {

// --- Helpers ----------------------------------------------------------------------

json::value cell_json(const Column& c, size_t row) {
  if (c.is_null(row)) return nullptr;
  switch (c.type().id) {
    case TypeId::kBoolean: return c.int_at(row) != 0;
    case TypeId::kInt16:
    case TypeId::kInt32:
    case TypeId::kInt64: return c.int_at(row);
    case TypeId::kFloat:
    case TypeId::kDouble: {
      double d = c.double_at(row);
      if (std::isfinite(d)) return d;
      return json::value(double_to_string(d));
    }
    default: return json::value(to_text(c.value_at(row)));
  }
}

// The path segments after `base` ("/api/v1/sources/pg/tables" -> {"pg", "tables"}).
std::vector<std::string> segments_after(const std::string& path, const std::string& base) {
  std::vector<std::string> out;
  std::string_view rest(path);
  if (rest.starts_with(base)) rest.remove_prefix(base.size());
  while (!rest.empty()) {
    if (rest[0] == '/') {
      rest.remove_prefix(1);
      continue;
    }
    size_t slash = rest.find('/');
    out.emplace_back(rest.substr(0, slash));
    if (slash == std::string_view::npos) break;
    rest.remove_prefix(slash);
  }
  return out;
}

std::chrono::milliseconds clamp_timeout(int64_t ms, const SourcesAdminOptions& o) {
  if (ms <= 0) return o.default_timeout;
  return std::min(std::chrono::milliseconds(ms), o.max_timeout);
}

json::object health_json(const SourceHealth& h) {
  json::object out;
  out["ok"] = h.ok;
  out["detail"] = h.detail;
  out["latencyMs"] = h.latency.count();
  return out;
}

HttpResponse list_sources(const SourceRegistry& sources) {
  std::vector<Source*> all = sources.all();
  std::vector<std::future<SourceHealth>> checks;
  for (Source* s : all) {
    checks.push_back(std::async(std::launch::async, [s] {
      try {
        return s->health();
      } catch (const std::exception& e) {
        SourceHealth h;
        h.detail = e.what();
        return h;
      }
    }));
  }
  json::array list;
  for (size_t k = 0; k < all.size(); ++k) {
    json::object item;
    item["name"] = all[k]->name();
    item["type"] = std::string(all[k]->type());
    item["dialect"] = std::string(all[k]->dialect().name());
    item["health"] = health_json(checks[k].get());
    list.push_back(std::move(item));
  }
  json::object body;
  body["sources"] = std::move(list);
  return json_response(200, body);
}

HttpResponse list_tables(Source& source) {
  json::array tables;
  for (const auto& t : source.list_tables()) {
    json::object item;
    item["schema"] = t.schema;
    item["name"] = t.name;
    tables.push_back(std::move(item));
  }
  json::object body;
  body["source"] = source.name();
  body["tables"] = std::move(tables);
  return json_response(200, body);
}

// The table `spec` ("name" or "schema.name", or `schema` given) names, as
// list_tables() reports it. NotFoundError otherwise; UserError when ambiguous.
TableInfo find_table(Source& source, const std::string& spec, const std::string* schema) {
  std::vector<TableInfo> all = source.list_tables();
  std::vector<const TableInfo*> matches;
  for (const auto& t : all) {
    if (schema ? t.schema == *schema && t.name == spec : t.name == spec) matches.push_back(&t);
  }
  if (matches.empty() && !schema) {
    for (const auto& t : all) {
      if (t.schema + "." + t.name == spec) matches.push_back(&t);
    }
  }
  if (matches.empty()) {
    throw NotFoundError(
        "table '" + (schema ? *schema + "." : std::string()) + spec +
            "' does not exist in data source '" + source.name() + "'",
        {.hint = "GET /api/v1/sources/" + source.name() + "/tables lists the tables"});
  }
  if (matches.size() > 1) {
    std::string schemas;
    for (const TableInfo* t : matches) schemas += (schemas.empty() ? "" : ", ") + t->schema;
    throw UserError("table '" + spec + "' exists in several schemas of data source '" +
                        source.name() + "': " + schemas,
                    {.hint = "write schema.table, or pass ?schema="});
  }
  return *matches[0];
}

bool has_min_max(const Type& t) {
  return t.is_numeric() || t.is_temporal() || t.id == TypeId::kString;
}

HttpResponse table_stats(Source& source, const std::string& spec, const std::string* schema,
                         std::chrono::milliseconds timeout) {
  TableInfo found = find_table(source, spec, schema);
  TableInfo table = source.describe_table(found.schema, found.name);
  const sql::Dialect& d = source.dialect();
  std::string qualified;
  if (!table.schema.empty()) {
    std::string_view s(table.schema);
    // DuckDB reports other attached databases as "database.schema".
    if (source.type() == "duckdb") {
      while (true) {
        size_t dot = s.find('.');
        qualified += d.quote_identifier(s.substr(0, dot)) + ".";
        if (dot == std::string_view::npos) break;
        s.remove_prefix(dot + 1);
      }
    } else {
      qualified = d.quote_identifier(s) + ".";
    }
  }
  qualified += d.quote_identifier(table.name);

  sql::Select select;
  select.items.push_back({sql::aggregate(sql::AggregateFn::kCount, nullptr), "row_count"});
  struct Slots {
    int non_null = -1, distinct = -1, min = -1, max = -1;
  };
  std::vector<Slots> slots;
  for (size_t k = 0; k < table.columns.size(); ++k) {
    const TableColumn& col = table.columns[k];
    Slots s;
    sql::ExprPtr ref = sql::column("", col.name);
    // Strings (and types read as text) compare as text on every engine.
    sql::ExprPtr value =
        col.type.id == TypeId::kString ? sql::cast(ref, Type::of(TypeId::kString)) : ref;
    std::string n = std::to_string(k);
    s.non_null = static_cast<int>(select.items.size());
    select.items.push_back({sql::aggregate(sql::AggregateFn::kCount, ref), "nn_" + n});
    if (col.type.id != TypeId::kJson) {
      s.distinct = static_cast<int>(select.items.size());
      select.items.push_back(
          {sql::aggregate(sql::AggregateFn::kApproxCountDistinct, value), "d_" + n});
    }
    if (has_min_max(col.type)) {
      s.min = static_cast<int>(select.items.size());
      select.items.push_back({sql::aggregate(sql::AggregateFn::kMin, value), "min_" + n});
      s.max = static_cast<int>(select.items.size());
      select.items.push_back({sql::aggregate(sql::AggregateFn::kMax, value), "max_" + n});
    }
    slots.push_back(s);
  }
  sql::TableRef from;
  from.kind = sql::TableRef::Kind::kTable;
  from.text = qualified;
  select.from = from;

  ExecOptions options;
  options.timeout = timeout;
  ResultSet rs = source.query(d.render(select), options);
  if (rs.row_count() != 1) throw InternalError("the statistics query returned no row");
  auto number = [&](int col) -> int64_t {
    const Column& c = rs.column(col);
    if (c.is_null(0)) return 0;
    Value v = c.value_at(0);
    if (v.type.storage() == Storage::kDecimal) {
      return static_cast<int64_t>(decimal_to_double(v.dec, v.type.scale));
    }
    if (v.type.storage() == Storage::kDouble) return static_cast<int64_t>(v.d);
    return v.i;
  };
  int64_t rows = number(0);
  json::array columns;
  for (size_t k = 0; k < table.columns.size(); ++k) {
    const TableColumn& col = table.columns[k];
    const Slots& s = slots[k];
    json::object item;
    item["name"] = col.name;
    item["type"] = col.type.name();
    item["nullable"] = col.nullable;
    int64_t non_null = number(s.non_null);
    if (rows > 0) {
      item["nullFraction"] = static_cast<double>(rows - non_null) / static_cast<double>(rows);
    } else {
      item["nullFraction"] = nullptr;
    }
    item["distinct"] = s.distinct >= 0 ? json::value(number(s.distinct)) : json::value(nullptr);
    item["min"] = s.min >= 0 ? cell_json(rs.column(s.min), 0) : json::value(nullptr);
    item["max"] = s.max >= 0 ? cell_json(rs.column(s.max), 0) : json::value(nullptr);
    columns.push_back(std::move(item));
  }
  json::object body;
  body["source"] = source.name();
  body["schema"] = table.schema;
  body["table"] = table.name;
  body["rowCount"] = rows;
  body["distinctIsApproximate"] = source.type() == "duckdb";
  body["columns"] = std::move(columns);
  return json_response(200, body);
}

HttpResponse pass_through(Source& source, const std::string& body_text,
                          const SourcesAdminOptions& o) {
  json::value body;
  try {
    body = json::parse(body_text);
  } catch (const std::exception& e) {
    throw UserError(std::string("the request body is not JSON: ") + e.what(),
                    {.hint = R"(send {"sql": "SELECT ...", "limit": 100})"});
  }
  if (!body.is_object()) throw UserError("the request body must be a JSON object");
  const json::object& req = body.as_object();
  const json::value* sql_value = req.if_contains("sql");
  if (!sql_value || !sql_value->is_string() || sql_value->as_string().empty()) {
    throw UserError("\"sql\" must be a non-empty string", {.json_path = "sql"});
  }
  std::string sql(sql_value->as_string());
  int64_t limit = o.default_limit;
  if (const json::value* l = req.if_contains("limit")) {
    if (!l->is_int64() || l->as_int64() < 0) {
      throw UserError("\"limit\" must be a non-negative integer", {.json_path = "limit"});
    }
    limit = std::min(l->as_int64(), o.max_limit);
  }
  int64_t timeout_ms = 0;
  if (const json::value* t = req.if_contains("timeoutMs")) {
    if (!t->is_int64() || t->as_int64() < 0) {
      throw UserError("\"timeoutMs\" must be a non-negative integer", {.json_path = "timeoutMs"});
    }
    timeout_ms = t->as_int64();
  }

  check_read_only_sql(sql);
  auto* postgres = dynamic_cast<PostgresSource*>(&source);
  auto* mariadb = dynamic_cast<MariaDbSource*>(&source);
  if (postgres) check_postgres_read_only(sql);

  ExecOptions options;
  options.max_rows = limit + 1;
  options.timeout = clamp_timeout(timeout_ms, o);
  Clock::time_point start = Clock::now();
  ResultSet rs = postgres  ? postgres->query_read_only(sql, options)
                 : mariadb ? mariadb->query_read_only(sql, options)
                           : source.query(sql, options);
  auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
  bool truncated = static_cast<int64_t>(rs.row_count()) > limit;
  size_t rows = truncated ? static_cast<size_t>(limit) : rs.row_count();

  json::array columns;
  for (const auto& c : rs.schema()) {
    json::object item;
    item["name"] = c.name;
    item["type"] = c.type.name();
    columns.push_back(std::move(item));
  }
  json::array data;
  data.reserve(rows);
  for (size_t r = 0; r < rows; ++r) {
    json::array row;
    row.reserve(rs.column_count());
    for (size_t c = 0; c < rs.column_count(); ++c) row.push_back(cell_json(rs.column(c), r));
    data.push_back(std::move(row));
  }
  json::object out;
  out["source"] = source.name();
  out["columns"] = std::move(columns);
  out["rows"] = std::move(data);
  out["rowCount"] = static_cast<int64_t>(rows);
  out["truncated"] = truncated;
  out["elapsedMs"] = elapsed.count();
  return json_response(200, out);
}

RouteOutcome blocking(std::function<HttpResponse()> work) {
  RouteOutcome outcome;
  outcome.blocking = std::move(work);
  return outcome;
}

}  // namespace

void register_sources_admin_routes(Router& router, const SourceRegistry& sources,
                                   const SourcesAdminOptions& options) {
  const std::string base = options.base_path;
  router.add("GET", base, [&sources](const HttpRequest&, const SecurityContext&) {
    return blocking([&sources] { return list_sources(sources); });
  });
  router.add("GET", base + "/{name}/tables",
             [&sources, base](const HttpRequest& r, const SecurityContext&) {
               Source& source = sources.get(segments_after(r.path, base).at(0));
               return blocking([&source] { return list_tables(source); });
             });
  router.add("GET", base + "/{name}/tables/{table}/stats",
             [&sources, base, options](const HttpRequest& r, const SecurityContext&) {
               auto parts = segments_after(r.path, base);
               Source& source = sources.get(parts.at(0));
               std::string table = parts.at(2);
               std::optional<std::string> schema;
               if (const std::string* s = r.param("schema")) schema = *s;
               int64_t timeout_ms = 0;
               if (const std::string* t = r.param("timeoutMs")) {
                 try {
                   timeout_ms = std::stoll(*t);
                 } catch (const std::exception&) {
                   throw UserError("timeoutMs must be an integer");
                 }
               }
               auto timeout = clamp_timeout(timeout_ms, options);
               return blocking([&source, table, schema, timeout] {
                 return table_stats(source, table, schema ? &*schema : nullptr, timeout);
               });
             });
  router.add("POST", base + "/{name}/query",
             [&sources, base, options](const HttpRequest& r, const SecurityContext&) {
               Source& source = sources.get(segments_after(r.path, base).at(0));
               std::string body = r.body;
               return blocking([&source, body = std::move(body), options] {
                 return pass_through(source, body, options);
               });
             });
}

}  // namespace strata
