#include "lake/catalog/catalog.h"

#include <charconv>

#include "core/error.h"
#include "lake/lake_error.h"

namespace strata::lake {

namespace {

std::string trim(std::string s) {
  size_t a = s.find_first_not_of(" \t\r\n");
  if (a == std::string::npos) return "";
  size_t b = s.find_last_not_of(" \t\r\n");
  return s.substr(a, b - a + 1);
}

bool all_digits(std::string_view s) {
  return !s.empty() && s.find_first_not_of("0123456789") == std::string_view::npos;
}

// The version number of a metadata file name: "v12.metadata.json" -> 12,
// "00012-<uuid>.metadata.json" -> 12; -1 for anything else.
int64_t version_of(std::string_view name) {
  std::string_view stem = name;
  for (std::string_view suffix : {".gz.metadata.json", ".metadata.json"}) {
    if (stem.size() > suffix.size() && stem.substr(stem.size() - suffix.size()) == suffix) {
      stem.remove_suffix(suffix.size());
      break;
    }
  }
  if (stem.size() == name.size()) return -1;
  if (!stem.empty() && stem[0] == 'v' && all_digits(stem.substr(1))) {
    return std::stoll(std::string(stem.substr(1)));
  }
  size_t dash = stem.find('-');
  if (dash != std::string_view::npos && all_digits(stem.substr(0, dash))) {
    return std::stoll(std::string(stem.substr(0, dash)));
  }
  return -1;
}

std::string base_name(std::string_view uri) {
  std::string u(uri);
  while (u.size() > 1 && u.back() == '/') u.pop_back();
  size_t slash = u.rfind('/');
  return slash == std::string::npos ? u : u.substr(slash + 1);
}

}  // namespace

std::string TableIdent::ns_string() const {
  std::string out;
  for (const auto& p : ns) {
    if (!out.empty()) out += ".";
    out += p;
  }
  return out;
}

std::string TableIdent::to_string() const {
  std::string n = ns_string();
  return n.empty() ? name : n + "." + name;
}

TableIdent TableIdent::parse(std::string_view dotted) {
  std::vector<std::string> parts;
  std::string cur;
  bool quoted = false, was_quoted = false;
  for (size_t i = 0; i < dotted.size(); ++i) {
    char c = dotted[i];
    if (c == '"') {
      if (quoted && i + 1 < dotted.size() && dotted[i + 1] == '"') {
        cur += '"';
        ++i;
      } else {
        quoted = !quoted;
        was_quoted = true;
      }
    } else if (c == '.' && !quoted) {
      parts.push_back(cur);
      cur.clear();
      was_quoted = false;
    } else {
      cur += c;
    }
  }
  (void)was_quoted;
  parts.push_back(cur);
  for (const auto& p : parts) {
    if (p.empty())
      throw UserError("'" + std::string(dotted) + "' is not a table name",
                      {.hint = "name tables as namespace.table"});
  }
  if (parts.size() < 2) {
    throw UserError("table name '" + std::string(dotted) + "' has no namespace",
                    {.hint = "name tables as namespace.table"});
  }
  TableIdent t;
  t.name = parts.back();
  parts.pop_back();
  t.ns = std::move(parts);
  return t;
}

std::pair<std::string, int64_t> current_metadata_file(Storage& storage, const std::string& root) {
  std::string meta_dir = join_uri(root, "metadata");
  std::string file;
  int64_t version = -1;
  if (auto hint = storage.read_if_exists(join_uri(meta_dir, "version-hint.text"))) {
    std::string h = trim(*hint);
    if (all_digits(h)) {
      version = std::stoll(h);
      for (const char* pattern : {"v%lld.metadata.json", "v%lld.gz.metadata.json"}) {
        char name[64];
        std::snprintf(name, sizeof name, pattern, static_cast<long long>(version));
        if (storage.exists(join_uri(meta_dir, name))) {
          file = join_uri(meta_dir, name);
          break;
        }
      }
    } else if (!h.empty()) {
      std::string candidate = join_uri(meta_dir, h + ".metadata.json");
      if (storage.exists(candidate)) {
        file = candidate;
        version = version_of(h + ".metadata.json");
      }
    }
    // A writer may have committed after the hint was written: move forward.
    if (!file.empty() && version >= 0 && base_name(file)[0] == 'v') {
      for (int step = 0; step < 1000; ++step) {
        std::string next = join_uri(meta_dir, "v" + std::to_string(version + 1) + ".metadata.json");
        if (!storage.exists(next)) break;
        file = next;
        ++version;
      }
    }
  }
  if (file.empty()) {
    std::string best;
    int64_t best_version = -1;
    for (const std::string& name : storage.list(meta_dir)) {
      int64_t v = version_of(name);
      if (v > best_version || (v == best_version && v >= 0 && name < best)) {
        best_version = v;
        best = name;
      }
    }
    if (best_version >= 0) {
      file = join_uri(meta_dir, best);
      version = best_version;
    }
  }
  if (file.empty()) {
    throw NotFoundError("no Iceberg table at " + root + ": " + meta_dir +
                            " holds no version-hint.text or *.metadata.json",
                        {.file = root,
                         .hint = "point at a table folder (the one holding metadata/) or at a "
                                 "metadata JSON file"});
  }
  return {file, version};
}

LoadedTable load_table_at(Storage& storage, const std::string& location,
                          const PathMap& explicit_paths) {
  std::string loc = normalize_uri(location);
  LoadedTable t;
  bool is_file = loc.size() > 5 && loc.substr(loc.size() - 5) == ".json";
  if (is_file) {
    t.metadata_location = loc;
    std::string dir = parent_uri(loc);
    t.table_root = base_name(dir) == "metadata" ? parent_uri(dir) : dir;
    t.version = version_of(base_name(loc));
    if (!storage.exists(loc)) {
      not_found_file(loc, "no such metadata file");
    }
  } else {
    while (loc.size() > 1 && loc.back() == '/') loc.pop_back();
    t.table_root = loc;
    std::error_code ec;
    if (!Storage::is_remote(loc) && !std::filesystem::exists(loc, ec)) {
      not_found_file(loc, "no such table folder");
    }
    auto [file, version] = current_metadata_file(storage, loc);
    t.metadata_location = file;
    t.version = version;
  }
  std::string text = storage.read(t.metadata_location, true);
  t.metadata =
      std::make_shared<const TableMetadata>(parse_table_metadata(text, t.metadata_location));
  t.ident.ns = {"default"};
  t.ident.name = base_name(t.table_root);
  t.paths.add_all(explicit_paths);
  t.paths.add_all(PathMap::relocation(t.metadata->location, t.table_root));
  return t;
}

}  // namespace strata::lake
