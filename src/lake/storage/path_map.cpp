#include "lake/storage/path_map.h"

#include "core/error.h"

namespace strata::lake {

namespace {

std::string trim(std::string_view s) {
  size_t a = s.find_first_not_of(" \t\r\n");
  if (a == std::string_view::npos) return "";
  size_t b = s.find_last_not_of(" \t\r\n");
  return std::string(s.substr(a, b - a + 1));
}

std::string strip_slash(std::string s) {
  while (s.size() > 1 && s.back() == '/' && s.find("://") != s.size() - 3) s.pop_back();
  return s;
}

// "s3://b/x/y" -> scheme "s3://", parts [b, x, y]; "/a/b" -> "/", [a, b].
std::pair<std::string, std::vector<std::string>> split(const std::string& uri) {
  std::string scheme;
  size_t start = 0;
  size_t p = uri.find("://");
  if (p != std::string::npos) {
    scheme = uri.substr(0, p + 3);
    start = p + 3;
  } else if (!uri.empty() && uri[0] == '/') {
    scheme = "/";
    start = 1;
  }
  std::vector<std::string> parts;
  std::string cur;
  for (size_t i = start; i < uri.size(); ++i) {
    if (uri[i] == '/') {
      if (!cur.empty()) parts.push_back(cur);
      cur.clear();
    } else {
      cur += uri[i];
    }
  }
  if (!cur.empty()) parts.push_back(cur);
  return {scheme, parts};
}

std::string join(const std::string& scheme, const std::vector<std::string>& parts, size_t n) {
  std::string out = scheme;
  for (size_t i = 0; i < n; ++i) {
    if (i) out += "/";
    out += parts[i];
  }
  return out;
}

}  // namespace

std::string normalize_uri(std::string_view uri) {
  std::string s(uri);
  for (const char* scheme : {"s3a://", "s3n://"}) {
    if (s.rfind(scheme, 0) == 0) s = "s3://" + s.substr(6);
  }
  if (s.rfind("file://", 0) == 0) s = s.substr(7);
  while (s.rfind("./", 0) == 0) s = s.substr(2);
  return s;
}

void PathMap::add(const std::string& from, const std::string& to) {
  rules_.emplace_back(strip_slash(normalize_uri(from)), strip_slash(normalize_uri(to)));
}

void PathMap::add_all(const PathMap& other) {
  for (const auto& r : other.rules_) rules_.push_back(r);
}

std::string PathMap::map(std::string_view recorded) const {
  std::string path = normalize_uri(recorded);
  const std::pair<std::string, std::string>* best = nullptr;
  for (const auto& r : rules_) {
    const std::string& from = r.first;
    bool match =
        path == from || (path.size() > from.size() && path.compare(0, from.size(), from) == 0 &&
                         (path[from.size()] == '/' || from.back() == '/'));
    if (match && (!best || from.size() > best->first.size())) best = &r;
  }
  if (!best) return path;
  return best->second + path.substr(best->first.size());
}

PathMap PathMap::parse(std::string_view spec, const std::string& where) {
  PathMap m;
  std::string item;
  auto flush = [&]() {
    std::string t = trim(item);
    item.clear();
    if (t.empty()) return;
    size_t arrow = t.find("->");
    if (arrow == std::string::npos) {
      throw UserError(where + ": path mapping '" + t + "' has no '->'",
                      {.hint = "write pairs as 'FROM -> TO', separated by commas"});
    }
    std::string from = trim(t.substr(0, arrow));
    std::string to = trim(t.substr(arrow + 2));
    if (from.empty() || to.empty()) {
      throw UserError(where + ": path mapping '" + t + "' needs both sides");
    }
    m.add(from, to);
  };
  for (char c : spec) {
    if (c == ',' || c == '\n') {
      flush();
    } else {
      item += c;
    }
  }
  flush();
  return m;
}

PathMap PathMap::relocation(std::string_view location, std::string_view found_at) {
  PathMap m;
  std::string loc = strip_slash(normalize_uri(location));
  std::string at = strip_slash(normalize_uri(found_at));
  if (loc.empty() || loc == at) return m;
  m.add(loc, at);
  auto [ls, lparts] = split(loc);
  auto [as, aparts] = split(at);
  size_t k = 0;
  while (k < lparts.size() && k < aparts.size() &&
         lparts[lparts.size() - 1 - k] == aparts[aparts.size() - 1 - k]) {
    ++k;
  }
  if (k > 0 && lparts.size() > k && aparts.size() > k) {
    m.add(join(ls, lparts, lparts.size() - k), join(as, aparts, aparts.size() - k));
  }
  return m;
}

}  // namespace strata::lake
