#include "lake/catalog/rest_catalog.h"

#include <algorithm>
#include <boost/json.hpp>
#include <functional>
#include <set>

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

// "HTTP 401 (NotAuthorizedException): message" from an IcebergErrorResponse
// ({"error": {"message", "type", "code"}}) or an OAuth error
// ({"error": "invalid_client", "error_description"}).
std::string error_text(const HttpResult& r) {
  std::string out = "HTTP " + std::to_string(r.status);
  boost::system::error_code ec;
  json::value v = json::parse(r.body, ec);
  if (ec || !v.is_object()) return out;
  const json::object& o = v.get_object();
  std::string type, message;
  if (const auto* e = o.if_contains("error")) {
    if (e->is_object()) {
      if (const auto* t = e->get_object().if_contains("type"); t && t->is_string())
        type = std::string(t->get_string());
      if (const auto* m = e->get_object().if_contains("message"); m && m->is_string())
        message = std::string(m->get_string());
    } else if (e->is_string()) {
      type = std::string(e->get_string());
    }
  }
  if (const auto* d = o.if_contains("error_description"); d && d->is_string() && message.empty())
    message = std::string(d->get_string());
  if (!type.empty()) out += " (" + type + ")";
  if (!message.empty()) out += ": " + message;
  return out;
}

bool auth_refused(long status) {
  return status == 401 || status == 403 || status == 419;
}

std::string auth_hint(long status) {
  return auth_refused(status)
             ? "check the data source's token, or its credential (client_id:client_secret)"
             : "";
}

// Calls `each` for every element of `field` on every page of a listing at
// `path` (with `query`, "a=b" or ""): the first request carries an empty
// pageToken, which asks a server that pages for its first page (one that does
// not page ignores it); later ones carry the previous next-page-token.
// `fetch` returns a page's body, or nullopt when the listing does not exist
// (which ends it).
void for_each_listed(const std::function<std::optional<std::string>(const std::string&)>& fetch,
                     const std::string& path, const std::string& query, const char* field,
                     const std::string& what, const std::function<void(const json::value&)>& each) {
  std::string token;
  std::set<std::string> seen;
  for (int page = 0;; ++page) {
    std::string url =
        path + "?" + (query.empty() ? "" : query + "&") + "pageToken=" + uri_encode(token, false);
    std::optional<std::string> body = fetch(url);
    if (!body) return;
    boost::system::error_code ec;
    json::value v = json::parse(*body, ec);
    if (ec || !v.is_object()) {
      throw SourceError(kLakeSourceName, what + ": the answer to GET " + url + " is not JSON");
    }
    if (const auto* items = v.get_object().if_contains(field); items && items->is_array()) {
      for (const auto& item : items->get_array()) each(item);
    }
    const auto* next = v.get_object().if_contains("next-page-token");
    if (!next || !next->is_string() || next->get_string().empty()) return;
    token = std::string(next->get_string());
    if (!seen.insert(token).second || page >= 100000) {
      throw SourceError(kLakeSourceName,
                        what + ": the server repeats next-page-token '" + token + "'");
    }
  }
}

std::vector<std::string> string_parts(const json::value& v) {
  std::vector<std::string> parts;
  if (v.is_array()) {
    for (const auto& p : v.get_array()) {
      if (p.is_string()) parts.push_back(std::string(p.get_string()));
    }
  }
  return parts;
}

constexpr size_t kMaxNamespaceDepth = 16;

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
  if (!options_.token.empty()) {
    bearer_ = options_.token;
  } else if (!options_.credential.empty()) {
    std::lock_guard lock(mu_);
    fetch_token();
  }
  std::string config_path = "/v1/config";
  if (!options_.warehouse.empty())
    config_path += "?warehouse=" + uri_encode(options_.warehouse, false);
  Answer r = get(config_path);
  if (r.status != 200) {
    throw SourceError(kLakeSourceName,
                      where() + ": GET " + options_.uri + config_path + " failed: " + r.error,
                      {.hint = auth_hint(r.status)});
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

std::string RestCatalog::where() const {
  return "REST catalog " + options_.uri;
}

void RestCatalog::fetch_token() {
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
  auto asked = std::chrono::steady_clock::now();
  HttpResult r = http_call(call);
  if (r.status != 200) {
    throw SourceError(kLakeSourceName,
                      where() + ": the token endpoint " + call.url +
                          " refused the client credentials of client '" + id +
                          "': " + error_text(r),
                      {.hint = "check the data source's credential (client_id:client_secret)"});
  }
  boost::system::error_code ec;
  json::value v = json::parse(r.body, ec);
  const json::object* o = (!ec && v.is_object()) ? &v.get_object() : nullptr;
  const json::value* tok = o ? o->if_contains("access_token") : nullptr;
  if (!tok || !tok->is_string() || tok->get_string().empty()) {
    throw SourceError(kLakeSourceName,
                      where() + ": the token endpoint " + call.url + " returned no access_token");
  }
  bearer_ = std::string(tok->get_string());
  // Renew at 90% of the token's lifetime (counted from when it was asked for).
  renew_at_ = std::chrono::steady_clock::time_point::max();
  if (const json::value* exp = o->if_contains("expires_in"); exp && exp->is_number()) {
    boost::system::error_code num_ec;
    auto seconds = exp->to_number<double>(num_ec);
    if (!num_ec && seconds > 0 && seconds < 1e9) {
      renew_at_ = asked + std::chrono::milliseconds(static_cast<int64_t>(seconds * 900));
    }
  }
}

std::string RestCatalog::bearer(const std::string* rejected) {
  std::lock_guard lock(mu_);
  bool oauth = options_.token.empty() && !options_.credential.empty();
  if (oauth &&
      ((rejected && *rejected == bearer_) || std::chrono::steady_clock::now() >= renew_at_)) {
    fetch_token();
  }
  return bearer_;
}

RestCatalog::Answer RestCatalog::get(const std::string& route_path) {
  HttpCall call;
  call.url = options_.uri + route_path;
  call.headers.emplace_back("Accept", "application/json");
  std::string token = bearer();
  for (int attempt = 0;; ++attempt) {
    HttpCall c = call;
    if (!token.empty()) c.headers.emplace_back("Authorization", "Bearer " + token);
    HttpResult r = http_call(c);
    bool oauth = options_.token.empty() && !options_.credential.empty();
    if (attempt == 0 && oauth && (r.status == 401 || r.status == 419)) {
      token = bearer(&token);  // a new token, then once more
      continue;
    }
    Answer a;
    a.status = r.status;
    if (r.status == 200) {
      a.body = std::move(r.body);
    } else {
      a.error = error_text(r);
    }
    return a;
  }
}

std::optional<std::string> RestCatalog::get_json(const std::string& route_path,
                                                 const std::string& what, bool missing_ok) {
  Answer r = get(route_path);
  if (r.status == 200) return std::move(r.body);
  if (r.status == 404 && missing_ok) return std::nullopt;
  throw SourceError(kLakeSourceName,
                    where() + ": " + what + " failed (GET " + route_path + "): " + r.error,
                    {.hint = auth_hint(r.status)});
}

RestCatalog::~RestCatalog() = default;

std::string RestCatalog::route(const std::string& path) const {
  if (options_.prefix.empty()) return "/v1" + path;
  return "/v1/" + options_.prefix + path;
}

std::vector<std::vector<std::string>> RestCatalog::list_namespaces() {
  // One level at a time, as the protocol lists them: the top level, then
  // ?parent= each namespace found. A server that answers with deeper (or
  // all) namespaces at once is read too: anything under the parent counts,
  // once.
  std::vector<std::vector<std::string>> out;
  std::set<std::vector<std::string>> seen;
  std::vector<std::vector<std::string>> parents = {{}};
  for (size_t i = 0; i < parents.size(); ++i) {
    const std::vector<std::string> parent = parents[i];
    if (parent.size() >= kMaxNamespaceDepth) continue;
    std::string what = parent.empty()
                           ? std::string("listing namespaces")
                           : "listing the namespaces in " + TableIdent{parent, ""}.ns_string();
    // A parent that vanished meanwhile (404) has no children; the top level must exist.
    auto fetch = [&](const std::string& path) { return get_json(path, what, !parent.empty()); };
    std::string query = parent.empty() ? "" : "parent=" + rest_namespace_segment(parent);
    for_each_listed(fetch, route("/namespaces"), query, "namespaces", what,
                    [&](const json::value& n) {
                      std::vector<std::string> parts = string_parts(n);
                      if (parts.size() <= parent.size() ||
                          !std::equal(parent.begin(), parent.end(), parts.begin())) {
                        return;
                      }
                      if (!seen.insert(parts).second) return;
                      out.push_back(parts);
                      parents.push_back(std::move(parts));
                    });
  }
  return out;
}

std::vector<TableIdent> RestCatalog::list_tables(const std::vector<std::string>& ns) {
  std::vector<TableIdent> out;
  std::string what = "listing the tables of namespace " + TableIdent{ns, ""}.ns_string();
  auto fetch = [&](const std::string& path) { return get_json(path, what, true); };
  for_each_listed(fetch, route("/namespaces/" + rest_namespace_segment(ns) + "/tables"), "",
                  "identifiers", what, [&](const json::value& id) {
                    if (!id.is_object()) return;
                    const auto* name = id.get_object().if_contains("name");
                    if (name && name->is_string())
                      out.push_back(TableIdent{ns, std::string(name->get_string())});
                  });
  return out;
}

std::optional<LoadedTable> RestCatalog::load_table(const TableIdent& ident) {
  std::optional<std::string> body =
      get_json(route("/namespaces/" + rest_namespace_segment(ident.ns) + "/tables/" +
                     uri_encode(ident.name, false)),
               "loading table " + ident.to_string(), true);
  if (!body) return std::nullopt;
  boost::system::error_code ec;
  json::value v = json::parse(*body, ec);
  if (ec || !v.is_object()) {
    throw SourceError(kLakeSourceName,
                      where() + ": the answer for table " + ident.to_string() + " is not JSON");
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
                      where() + ": table " + ident.to_string() + " came without metadata");
  }
  std::string origin =
      t.metadata_location.empty() ? "REST table " + ident.to_string() : t.metadata_location;
  t.metadata =
      std::make_shared<const TableMetadata>(parse_table_metadata(json::serialize(*meta), origin));
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
