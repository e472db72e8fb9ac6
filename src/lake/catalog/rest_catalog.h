// An Iceberg REST catalog client (the read side of the REST catalog
// protocol): GET /v1/config (whose overrides.prefix prefixes later routes),
// namespaces (paged), tables (paged) and load table. Authentication: a
// bearer token, or OAuth2 client credentials ("client_id:client_secret")
// exchanged at the token endpoint (default <uri>/v1/oauth/tokens) for a
// bearer token. Multi-level namespaces travel joined with %1F.
#pragma once

#include <memory>
#include <string>

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
  // Fetches /v1/config (and a token). Throws SourceError when the server
  // cannot be reached or refuses the credentials.
  RestCatalog(Storage& storage, RestCatalogOptions options, PathMap explicit_paths);
  ~RestCatalog() override;

  std::string_view kind() const override { return "rest"; }
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
  std::string get(const std::string& route_path, const std::string& what);
  Storage& storage_;
  RestCatalogOptions options_;
  PathMap explicit_paths_;
  std::string bearer_;
};

// Namespace path segment: parts joined with the unit separator, URL-encoded.
std::string rest_namespace_segment(const std::vector<std::string>& ns);

}  // namespace strata::lake
