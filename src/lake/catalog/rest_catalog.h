// An Iceberg REST catalog client (the read side of the REST catalog
// protocol): GET /v1/config (whose overrides.prefix prefixes later routes),
// namespaces (every level, asked for with ?parent=), tables and load table.
// Listings ask for pages (an empty pageToken first) and follow
// next-page-token. Authentication: a bearer token, or OAuth2 client
// credentials ("client_id:client_secret") exchanged at the token endpoint
// (default <uri>/v1/oauth/tokens) for a bearer token, exchanged again before
// it expires (expires_in) and when the server answers 401 or 419.
// Multi-level namespaces travel joined with %1F. Thread-safe.
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "lake/catalog/catalog.h"

namespace strata::lake {

struct RestCatalogOptions {
  std::string uri;                // "http://127.0.0.1:8181" (the part before /v1)
  std::string warehouse;          // sent as ?warehouse= to /v1/config when set
  std::string token;              // bearer token
  std::string credential;         // "client_id:client_secret" for OAuth2 client credentials
  std::string oauth2_server_uri;  // token endpoint; default <uri>/v1/oauth/tokens
  std::string scope = "catalog";
  std::string prefix;  // overrides the server's prefix when set
};

class RestCatalog : public Catalog {
 public:
  // Fetches /v1/config (and a token). Throws SourceError naming the catalog's
  // uri when the server cannot be reached or refuses the credentials.
  RestCatalog(Storage& storage, RestCatalogOptions options, PathMap explicit_paths);
  ~RestCatalog() override;

  std::string_view kind() const override { return "rest"; }
  // Every namespace, at every level (one request per namespace and page).
  std::vector<std::vector<std::string>> list_namespaces() override;
  std::vector<TableIdent> list_tables(const std::vector<std::string>& ns) override;
  std::optional<LoadedTable> load_table(const TableIdent& ident) override;
  std::string default_location(const TableIdent& ident) override;
  LoadedTable create_table(const TableIdent& ident, const std::string& location,
                           const std::string& metadata_json) override;
  bool commit(const LoadedTable& base, const std::string& metadata_json) override;

  // The route of a path under the catalog's prefix: "/v1/<prefix>/namespaces".
  std::string route(const std::string& path) const;

 private:
  // A GET with the bearer token; with client credentials, a 401 or 419
  // answer exchanges them for a new token and retries once.
  struct Answer {
    long status = 0;
    std::string body;
    std::string error;  // "HTTP 401 (NotAuthorizedException): ..." when not 200
  };
  Answer get(const std::string& route_path);
  // The body of a 200; nullopt for a 404 when `missing_ok`; SourceError else.
  std::optional<std::string> get_json(const std::string& route_path, const std::string& what,
                                      bool missing_ok);
  // The current bearer token ("" without authentication): exchanged for a new
  // one when it is due, or when `rejected` is the token the server refused.
  std::string bearer(const std::string* rejected = nullptr);
  void fetch_token();         // with mu_ held
  std::string where() const;  // "REST catalog http://host:port"

  Storage& storage_;
  RestCatalogOptions options_;
  PathMap explicit_paths_;
  std::mutex mu_;
  std::string bearer_;
  std::chrono::steady_clock::time_point renew_at_ = std::chrono::steady_clock::time_point::max();
};

// Namespace path segment: parts joined with the unit separator, URL-encoded.
std::string rest_namespace_segment(const std::vector<std::string>& ns);

}  // namespace strata::lake
