#include "lake/catalog/folder_catalog.h"

#include <algorithm>
#include <functional>
#include <set>

#include "core/error.h"
#include "lake/lake_error.h"

namespace strata::lake {

FolderCatalog::FolderCatalog(Storage& storage, std::string warehouse,
                             std::map<std::string, std::string> tables, PathMap explicit_paths)
    : storage_(storage),
      warehouse_(std::move(warehouse)),
      tables_(std::move(tables)),
      explicit_paths_(std::move(explicit_paths)) {}

std::string FolderCatalog::folder_of(const TableIdent& ident) const {
  std::string dir = warehouse_;
  for (const auto& p : ident.ns) dir = join_uri(dir, p);
  return join_uri(dir, ident.name);
}

std::vector<std::vector<std::string>> FolderCatalog::list_namespaces() {
  std::set<std::vector<std::string>> out;
  for (const auto& [name, loc] : tables_) out.insert(TableIdent::parse(name).ns);
  if (!warehouse_.empty()) {
    // A folder holding metadata/ is a table; any other folder a namespace.
    std::function<void(const std::string&, std::vector<std::string>, int)> walk =
        [&](const std::string& dir, std::vector<std::string> ns, int depth) {
          for (const std::string& entry : storage_.list(dir)) {
            if (entry.empty() || entry.back() != '/' || entry[0] == '.') continue;
            std::string name = entry.substr(0, entry.size() - 1);
            std::string sub = join_uri(dir, name);
            bool is_table = false;
            for (const std::string& e : storage_.list(sub)) {
              if (e == "metadata/") is_table = true;
            }
            if (is_table) {
              if (!ns.empty()) out.insert(ns);
            } else if (depth < 4) {
              auto child = ns;
              child.push_back(name);
              walk(sub, child, depth + 1);
            }
          }
        };
    walk(warehouse_, {}, 0);
  }
  return {out.begin(), out.end()};
}

std::vector<TableIdent> FolderCatalog::list_tables(const std::vector<std::string>& ns) {
  std::vector<TableIdent> out;
  for (const auto& [name, loc] : tables_) {
    TableIdent t = TableIdent::parse(name);
    if (t.ns == ns) out.push_back(t);
  }
  if (!warehouse_.empty()) {
    std::string dir = warehouse_;
    for (const auto& p : ns) dir = join_uri(dir, p);
    for (const std::string& entry : storage_.list(dir)) {
      if (entry.empty() || entry.back() != '/' || entry[0] == '.') continue;
      std::string name = entry.substr(0, entry.size() - 1);
      for (const std::string& e : storage_.list(join_uri(dir, name))) {
        if (e == "metadata/") {
          TableIdent t{ns, name};
          if (std::find(out.begin(), out.end(), t) == out.end()) out.push_back(t);
        }
      }
    }
  }
  return out;
}

std::optional<LoadedTable> FolderCatalog::load_table(const TableIdent& ident) {
  auto it = tables_.find(ident.to_string());
  if (it != tables_.end()) {
    LoadedTable t = load_table_at(storage_, it->second, explicit_paths_);
    t.ident = ident;
    return t;
  }
  if (warehouse_.empty()) return std::nullopt;
  std::string folder = folder_of(ident);
  std::string meta = join_uri(folder, "metadata");
  if (Storage::is_remote(folder)) {
    if (storage_.list(meta).empty()) return std::nullopt;
  } else {
    std::error_code ec;
    if (!std::filesystem::is_directory(normalize_uri(meta), ec)) return std::nullopt;
  }
  LoadedTable t = load_table_at(storage_, folder, explicit_paths_);
  t.ident = ident;
  return t;
}

std::string FolderCatalog::default_location(const TableIdent& ident) {
  auto it = tables_.find(ident.to_string());
  if (it != tables_.end()) return it->second;
  if (warehouse_.empty()) {
    throw UserError("the folder catalog has no warehouse to create " + ident.to_string() + " in",
                    {.hint = "set warehouse on the iceberg data source, or name a location"});
  }
  return folder_of(ident);
}

LoadedTable FolderCatalog::create_table(const TableIdent& ident, const std::string& location,
                                        const std::string& metadata_json) {
  std::string meta = join_uri(location, "metadata/v1.metadata.json");
  if (!storage_.create_exclusive(meta, metadata_json)) {
    throw UserError("table " + ident.to_string() + " exists already at " + location);
  }
  storage_.write(join_uri(location, "metadata/version-hint.text"), "1");
  LoadedTable t = load_table_at(storage_, location, explicit_paths_);
  t.ident = ident;
  return t;
}

bool FolderCatalog::commit_in_folder(Storage& storage, const LoadedTable& base,
                                     const std::string& metadata_json) {
  if (base.version < 0) {
    throw UserError(
        "cannot commit to " + base.metadata_location + ": its version number is unknown",
        {.hint = "append to the table folder, not to a metadata file"});
  }
  int64_t next = base.version + 1;
  std::string meta_dir = join_uri(base.table_root, "metadata");
  std::string file = join_uri(meta_dir, "v" + std::to_string(next) + ".metadata.json");
  // Another writer may have created the next version under the other naming.
  for (const std::string& name : storage.list(meta_dir)) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%05lld-", static_cast<long long>(next));
    if (name.rfind(buf, 0) == 0) return false;
  }
  if (!storage.create_exclusive(file, metadata_json)) return false;
  storage.write(join_uri(meta_dir, "version-hint.text"), std::to_string(next));
  return true;
}

bool FolderCatalog::commit(const LoadedTable& base, const std::string& metadata_json) {
  return commit_in_folder(storage_, base, metadata_json);
}

}  // namespace strata::lake
