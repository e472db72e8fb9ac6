#include "api/lake_admin.h"

#include <boost/json.hpp>

#include "api/error_response.h"
#include "core/error.h"
#include "lake/iceberg_source.h"
#include "lake/inspect.h"
#include "query/table_version.h"

namespace strata {

namespace json = boost::json;

namespace {

// The path's segments after `base`: "/api/v1/lake/x/tables/t" -> [x, tables, t].
std::vector<std::string> segments_after(const std::string& path, const std::string& base) {
  std::vector<std::string> out;
  std::string rest = path.size() > base.size() ? path.substr(base.size()) : "";
  std::string cur;
  for (char c : rest) {
    if (c == '/') {
      if (!cur.empty()) out.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  if (!cur.empty()) out.push_back(cur);
  return out;
}

lake::IcebergSource& lake_source(const SourceRegistry& sources, const std::string& name) {
  Source& s = sources.get(name);
  auto* lake = dynamic_cast<lake::IcebergSource*>(&s);
  if (!lake) {
    throw NotFoundError("data source '" + name + "' is not an iceberg source",
                        {.hint = "GET /api/v1/lake lists the iceberg sources"});
  }
  return *lake;
}

RouteOutcome blocking(std::function<HttpResponse()> work) {
  RouteOutcome outcome;
  outcome.blocking = std::move(work);
  return outcome;
}

json::array ns_json(const std::vector<std::string>& ns) {
  json::array a;
  for (const auto& p : ns) a.push_back(json::string(p));
  return a;
}

}  // namespace

void register_lake_admin_routes(Router& router, const SourceRegistry& sources,
                                const std::string& base) {
  router.add("GET", base, [&sources](const HttpRequest&, const SecurityContext&) {
    json::array list;
    for (Source* s : sources.all()) {
      auto* lake = dynamic_cast<lake::IcebergSource*>(s);
      if (!lake) continue;
      json::object o;
      o["name"] = lake->name();
      o["catalog"] = std::string(lake->catalog().kind());
      o["warehouse"] = lake->config().warehouse;
      list.push_back(std::move(o));
    }
    json::object body;
    body["sources"] = std::move(list);
    return RouteOutcome::now(json_response(200, body));
  });
  router.add("GET", base + "/{source}/namespaces",
             [&sources, base](const HttpRequest& r, const SecurityContext&) {
               lake::IcebergSource& src = lake_source(sources, segments_after(r.path, base).at(0));
               return blocking([&src] {
                 json::array list;
                 for (const auto& ns : src.catalog().list_namespaces()) {
                   json::object o;
                   o["namespace"] = ns_json(ns);
                   std::string dotted;
                   for (const auto& p : ns) dotted += (dotted.empty() ? "" : ".") + p;
                   o["name"] = dotted;
                   list.push_back(std::move(o));
                 }
                 json::object body;
                 body["namespaces"] = std::move(list);
                 return json_response(200, body);
               });
             });
  router.add("GET", base + "/{source}/namespaces/{ns}/tables",
             [&sources, base](const HttpRequest& r, const SecurityContext&) {
               auto parts = segments_after(r.path, base);
               lake::IcebergSource& src = lake_source(sources, parts.at(0));
               std::vector<std::string> ns = lake::TableIdent::parse(parts.at(2) + ".x").ns;
               return blocking([&src, ns] {
                 json::array list;
                 for (const auto& t : src.catalog().list_tables(ns)) {
                   json::object o;
                   o["namespace"] = ns_json(t.ns);
                   o["name"] = t.name;
                   o["table"] = t.to_string();
                   list.push_back(std::move(o));
                 }
                 json::object body;
                 body["tables"] = std::move(list);
                 return json_response(200, body);
               });
             });
  router.add("GET", base + "/{source}/tables/{table}",
             [&sources, base](const HttpRequest& r, const SecurityContext&) {
               auto parts = segments_after(r.path, base);
               lake::IcebergSource& src = lake_source(sources, parts.at(0));
               lake::TableIdent ident = lake::TableIdent::parse(parts.at(2));
               std::optional<TableVersion> as_of;
               if (const std::string* v = r.param("asOf")) as_of = parse_table_version(*v, "asOf");
               bool count = true;
               if (const std::string* c = r.param("count")) count = *c != "false" && *c != "0";
               return blocking([&src, ident, as_of, count] {
                 lake::LoadedTable t = src.load(ident);
                 lake::TableCounts counts = lake::table_counts(src.engine(), t, as_of, count);
                 HttpResponse resp;
                 resp.status = 200;
                 resp.body = lake::table_report_json(t, &counts);
                 return resp;
               });
             });
}

}  // namespace strata
