#include "lake/catalog/rest_catalog.h"

#include <boost/json.hpp>

#include "core/error.h"
#include "lake/lake_error.h"
#include "lake/storage/http_client.h"

namespace strata::lake {

namespace json = boost::json;

namespace {

std::string form_encode(const std::vector<std::pair<std::string, std::string>>& fields) {
  std::string out;
  for (const auto& [k, v] : fields) {
    if (!out.empty()) out += '&';
    out += uri_encode(k, false) + "=" + uri_encode(v, false);
  }
  return out;
}

std::string error_text(const HttpResult& r) {
  boost::system::error_code ec;
  json::value v = json::parse(r.body, ec);
  if (!ec && v.is_object()) {
    if (const auto* e = v.get_object().if_contains("error"); e && e->is_object()) {
      if (const auto* m = e->get_object().if_contains("message"); m && m->is_string()) {
        return "HTTP " + std::to_string(r.status) + ": " + std::string(m->get_string());
      }
    }
    if (const auto* d = v.get_object().if_contains("error_description"); d && d->is_string()) {
      return "HTTP " + std::to_string(r.status) + ": " + std::string(d->get_string());
    }
  }
  return "HTTP " + std::to_string(r.status);
}

}  // namespace

std::string rest_namespace_segment(const std::vector<std::string>& ns) {
  std::string joined;
  for (size_t i = 0; i < ns.size(); ++i) {
    if (i) joined += '\x1f';
    joined += ns[i];
  }
  return uri_encode(joined, false);
}

RestCatalog::RestCatalog(Storage& storage, RestCatalogOptions options, PathMap explicit_paths)
    : storage_(storage), options_(std::move(options)), explicit_paths_(std::move(explicit_paths)) {
  while (!options_.uri.empty() && options_.uri.back() == '/') options_.uri.pop_back();
  if (options_.uri.empty()) throw UserError("the REST catalog needs a uri");
  if (!options_.token.empty()) bearer_ = options_.token;
  if (bearer_.empty() && !options_.credential.empty()) {
    size_t colon = options_.credential.find(':');
    std::string id = colon == std::string::npos ? "" : options_.credential.substr(0, colon);
    std::string secret =
        colon == std::string::npos ? options_.credential : options_.credential.substr(colon + 1);
    HttpCall call;
    call.method = "POST";
    call.url = options_.oauth2_server_uri.empty() ? options_.uri + "/v1/oauth/tokens"
                                                  : options_.oauth2_server_uri;
    call.headers.emplace_back("Content-Type", "application/x-www-form-urlencoded");
    call.body = form_encode({{"grant_type", "client_credentials"},
                             {"client_id", id},
                             {"client_secret", secret},
                             {"scope", options_.scope}});
    HttpResult r = http_call(call);
    if (r.status != 200) {
      throw SourceError(kLakeSourceName,
                        "the REST catalog's token endpoint refused the "
                        "client credentials: " +
                            error_text(r));
    }
    boost::system::error_code ec;
    json::value v = json::parse(r.body, ec);
    const json::value* tok =
        (!ec && v.is_object()) ? v.get_object().if_contains("access_token") : nullptr;
    if (!tok || !tok->is_string()) {
      throw SourceError(kLakeSourceName,
                        "the REST catalog's token endpoint returned no access_token");
    }
    bearer_ = std::string(tok->get_string());
  }
  std::string config_path = "/v1/config";
  if (!options_.warehouse.empty())
    config_path += "?warehouse=" + uri_encode(options_.warehouse, false);
  HttpCall call;
  call.url = options_.uri + config_path;
  if (!bearer_.empty()) call.headers.emplace_back("Authorization", "Bearer " + bearer_);
  HttpResult r = http_call(call);
  if (r.status != 200) {
    throw SourceError(kLakeSourceName, "GET " + call.url + " failed: " + error_text(r));
  }
  if (options_.prefix.empty()) {
    boost::system::error_code ec;
    json::value v = json::parse(r.body, ec);
    if (!ec && v.is_object()) {
      for (const char* section : {"defaults", "overrides"}) {
        const auto* s = v.get_object().if_contains(section);
        if (!s || !s->is_object()) continue;
        if (const auto* p = s->get_object().if_contains("prefix"); p && p->is_string()) {
          options_.prefix = std::string(p->get_string());
        }
      }
    }
  }
}

RestCatalog::~RestCatalog() = default;

std::string RestCatalog::route(const std::string& path) const {
  if (options_.prefix.empty()) return "/v1" + path;
  return "/v1/" + options_.prefix + path;
}

std::string RestCatalog::get(const std::string& route_path, const std::string& what) {
  HttpCall call;
  call.url = options_.uri + route_path;
  if (!bearer_.empty()) call.headers.emplace_back("Authorization", "Bearer " + bearer_);
  HttpResult r = http_call(call);
  if (r.status == 404) return "";
  if (r.status != 200) {
    throw SourceError(kLakeSourceName, "REST catalog: " + what + " failed: " + error_text(r));
  }
  return r.body;
}

std::vector<std::vector<std::string>> RestCatalog::list_namespaces() {
  std::vector<std::vector<std::string>> out;
  std::string token;
  for (int page = 0; page < 1000; ++page) {
    std::string path = route("/namespaces");
    if (!token.empty()) path += "?pageToken=" + uri_encode(token, false);
    std::string body = get(path, "listing namespaces");
    boost::system::error_code ec;
    json::value v = json::parse(body, ec);
    if (ec || !v.is_object()) break;
    if (const auto* ns = v.get_object().if_contains("namespaces"); ns && ns->is_array()) {
      for (const auto& n : ns->get_array()) {
        std::vector<std::string> parts;
        if (n.is_array()) {
          for (const auto& p : n.get_array()) {
            if (p.is_string()) parts.push_back(std::string(p.get_string()));
          }
        }
        out.push_back(std::move(parts));
      }
    }
    const auto* next = v.get_object().if_contains("next-page-token");
    if (!next || !next->is_string() || next->get_string().empty()) break;
    token = std::string(next->get_string());
  }
  return out;
}

std::vector<TableIdent> RestCatalog::list_tables(const std::vector<std::string>& ns) {
  std::vector<TableIdent> out;
  std::string token;
  for (int page = 0; page < 1000; ++page) {
    std::string path = route("/namespaces/" + rest_namespace_segment(ns) + "/tables");
    if (!token.empty()) path += "?pageToken=" + uri_encode(token, false);
    std::string body = get(path, "listing tables");
    boost::system::error_code ec;
    json::value v = json::parse(body, ec);
    if (ec || !v.is_object()) break;
    if (const auto* ids = v.get_object().if_contains("identifiers"); ids && ids->is_array()) {
      for (const auto& id : ids->get_array()) {
        if (!id.is_object()) continue;
        const auto* name = id.get_object().if_contains("name");
        if (name && name->is_string())
          out.push_back(TableIdent{ns, std::string(name->get_string())});
      }
    }
    const auto* next = v.get_object().if_contains("next-page-token");
    if (!next || !next->is_string() || next->get_string().empty()) break;
    token = std::string(next->get_string());
  }
  return out;
}

std::optional<LoadedTable> RestCatalog::load_table(const TableIdent& ident) {
  std::string body = get(route("/namespaces/" + rest_namespace_segment(ident.ns) + "/tables/" +
                               uri_encode(ident.name, false)),
                         "loading table " + ident.to_string());
  if (body.empty()) return std::nullopt;
  boost::system::error_code ec;
  json::value v = json::parse(body, ec);
  if (ec || !v.is_object()) {
    throw SourceError(kLakeSourceName,
                      "REST catalog: the answer for table " + ident.to_string() + " is not JSON");
  }
  const auto& o = v.get_object();
  LoadedTable t;
  t.ident = ident;
  if (const auto* loc = o.if_contains("metadata-location"); loc && loc->is_string()) {
    t.metadata_location = std::string(loc->get_string());
  }
  const auto* meta = o.if_contains("metadata");
  if (!meta || !meta->is_object()) {
    throw SourceError(kLakeSourceName,
                      "REST catalog: table " + ident.to_string() + " came without metadata");
  }
  std::string where =
      t.metadata_location.empty() ? "REST table " + ident.to_string() : t.metadata_location;
  t.metadata =
      std::make_shared<const TableMetadata>(parse_table_metadata(json::serialize(*meta), where));
  t.table_root = explicit_paths_.map(t.metadata->location);
  t.paths.add_all(explicit_paths_);
  return t;
}

std::string RestCatalog::default_location(const TableIdent& ident) {
  throw UserError("creating tables through the REST catalog is not supported (" +
                  ident.to_string() + ")");
}

LoadedTable RestCatalog::create_table(const TableIdent& ident, const std::string&,
                                      const std::string&) {
  throw UserError("creating tables through the REST catalog is not supported (" +
                  ident.to_string() + ")");
}

bool RestCatalog::commit(const LoadedTable& base, const std::string&) {
  throw UserError(
      "appends through the REST catalog are not supported yet (" + base.ident.to_string() + ")",
      {.hint = "use a folder or SQL catalog for tables strata writes"});
}

}  // namespace strata::lake
