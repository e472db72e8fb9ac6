#include "app/config.h"

#include <yaml-cpp/yaml.h>

#include <boost/json.hpp>
#include <cctype>
#include <cstdlib>

#include "core/error.h"

namespace strata {

const std::string* DataSourceConfig::get(const std::string& key) const {
  auto it = settings.find(key);
  return it == settings.end() ? nullptr : &it->second;
}

DataSourceConfig* Config::find_source(const std::string& name) {
  for (auto& s : data_sources) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

std::string interpolate_env(const std::string& text, const std::string& where) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text.compare(i, 3, "$${") == 0) {
      out += "${";
      i += 2;
      continue;
    }
    if (text.compare(i, 2, "${") != 0) {
      out += text[i];
      continue;
    }
    size_t end = text.find('}', i + 2);
    if (end == std::string::npos) {
      throw UserError("unterminated ${ in " + where, {.hint = "write ${NAME}"});
    }
    std::string name = text.substr(i + 2, end - i - 2);
    const char* value = std::getenv(name.c_str());
    if (!value) {
      throw UserError("environment variable " + name + " is not set (used in " + where + ")",
                      {.hint = "export " + name + "=... before starting strata"});
    }
    out += value;
    i = end;
  }
  return out;
}

std::pair<std::string, uint16_t> parse_host_port(const std::string& text, const std::string& what) {
  size_t colon = text.rfind(':');
  std::string host = colon == std::string::npos ? "127.0.0.1" : text.substr(0, colon);
  std::string port_text = colon == std::string::npos ? text : text.substr(colon + 1);
  char* end = nullptr;
  long port = std::strtol(port_text.c_str(), &end, 10);
  if (port_text.empty() || *end != '\0' || port < 0 || port > 65535) {
    throw UserError(what + ": '" + text + "' is not HOST:PORT",
                    {.hint = "for example 127.0.0.1:4000"});
  }
  if (host.empty()) host = "127.0.0.1";
  return {host, static_cast<uint16_t>(port)};
}

size_t parse_bytes(const std::string& text, const std::string& what) {
  char* end = nullptr;
  double n = std::strtod(text.c_str(), &end);
  std::string unit = end ? std::string(end) : "";
  while (!unit.empty() && unit.front() == ' ') unit.erase(unit.begin());
  for (auto& c : unit) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  double scale = -1;
  if (unit.empty() || unit == "B") scale = 1;
  if (unit == "K" || unit == "KB" || unit == "KIB") scale = 1024.0;
  if (unit == "M" || unit == "MB" || unit == "MIB") scale = 1024.0 * 1024;
  if (unit == "G" || unit == "GB" || unit == "GIB") scale = 1024.0 * 1024 * 1024;
  if (text.empty() || end == text.c_str() || n < 0 || scale < 0) {
    throw UserError(what + ": '" + text + "' is not a size",
                    {.hint = "write e.g. 256MB, 1GB or a number of bytes"});
  }
  return static_cast<size_t>(n * scale);
}

std::chrono::milliseconds parse_duration(const std::string& text, const std::string& what) {
  char* end = nullptr;
  double n = std::strtod(text.c_str(), &end);
  std::string unit = end ? std::string(end) : "";
  double ms = 0;
  if (text.empty() || end == text.c_str() || n < 0) {
    ms = -1;
  } else if (unit == "ms") {
    ms = n;
  } else if (unit.empty() || unit == "s") {
    ms = n * 1000;
  } else if (unit == "m" || unit == "min") {
    ms = n * 60'000;
  } else if (unit == "h") {
    ms = n * 3'600'000;
  } else if (unit == "d") {
    ms = n * 86'400'000;
  } else {
    ms = -1;
  }
  if (ms < 0) {
    throw UserError(what + ": '" + text + "' is not a duration",
                    {.hint = "write e.g. 500ms, 10s, 2m, 1h or 30d"});
  }
  return std::chrono::milliseconds(static_cast<int64_t>(ms));
}

namespace {

ErrorContext at(const std::string& file, const YAML::Node& n, const std::string& key) {
  return {.member = key, .file = file, .line = n.Mark().line >= 0 ? n.Mark().line + 1 : 0};
}

std::string scalar(const std::string& file, const YAML::Node& n, const std::string& key) {
  if (!n.IsScalar()) throw UserError("'" + key + "' must be a single value", at(file, n, key));
  return interpolate_env(n.Scalar(), file + " (" + key + ")");
}

int64_t integer(const std::string& file, const YAML::Node& n, const std::string& key) {
  std::string s = scalar(file, n, key);
  char* end = nullptr;
  long long v = std::strtoll(s.c_str(), &end, 10);
  if (s.empty() || *end != '\0') {
    throw UserError("'" + key + "' must be an integer, not '" + s + "'", at(file, n, key));
  }
  return v;
}

bool boolean(const std::string& file, const YAML::Node& n, const std::string& key) {
  std::string s = scalar(file, n, key);
  if (s == "true" || s == "yes" || s == "on") return true;
  if (s == "false" || s == "no" || s == "off") return false;
  throw UserError("'" + key + "' must be true or false, not '" + s + "'", at(file, n, key));
}

// A YAML value as JSON: maps, lists, and scalars typed as YAML reads them
// (true/false, numbers, else strings; quoted scalars stay strings).
boost::json::value yaml_json(const std::string& file, const YAML::Node& n) {
  if (n.IsMap()) {
    boost::json::object o;
    for (const auto& kv : n) o[kv.first.as<std::string>()] = yaml_json(file, kv.second);
    return o;
  }
  if (n.IsSequence()) {
    boost::json::array a;
    for (const auto& x : n) a.push_back(yaml_json(file, x));
    return a;
  }
  if (n.IsNull()) return nullptr;
  std::string text = interpolate_env(n.Scalar(), file);
  if (n.Tag() != "!") {
    if (text == "true") return true;
    if (text == "false") return false;
    char* end = nullptr;
    long long i = std::strtoll(text.c_str(), &end, 10);
    if (!text.empty() && *end == '\0') return i;
    double d = std::strtod(text.c_str(), &end);
    if (!text.empty() && *end == '\0') return d;
  }
  return boost::json::value(text);
}

std::vector<SqlUserConfig> sql_users(const std::string& file, const YAML::Node& v) {
  if (!v.IsSequence()) {
    throw UserError("'sql_users' must be a list of {name, password, security_context}",
                    at(file, v, "sql_users"));
  }
  std::vector<SqlUserConfig> out;
  for (const auto& u : v) {
    if (!u.IsMap())
      throw UserError("each of 'sql_users' must be a mapping", at(file, u, "sql_users"));
    SqlUserConfig user;
    for (const auto& kv : u) {
      std::string k = kv.first.as<std::string>();
      if (k == "name") {
        user.name = scalar(file, kv.second, "sql_users.name");
      } else if (k == "password") {
        user.password = scalar(file, kv.second, "sql_users.password");
      } else if (k == "security_context") {
        if (!kv.second.IsMap()) {
          throw UserError("'security_context' of a SQL user must be a mapping",
                          at(file, kv.second, "sql_users.security_context"));
        }
        user.security_context_json = boost::json::serialize(yaml_json(file, kv.second));
      } else {
        throw UserError("unknown key 'sql_users." + k + "'",
                        {.member = k,
                         .file = file,
                         .line = kv.first.Mark().line + 1,
                         .hint = "a SQL user takes name, password and security_context"});
      }
    }
    if (user.name.empty() || user.password.empty()) {
      throw UserError("every SQL user needs a name and a password", at(file, u, "sql_users"));
    }
    out.push_back(std::move(user));
  }
  return out;
}

// The keys of one mapping section, each handed to `fn(key, value)`; the
// section's own name prefixes errors ("cache.type").
template <typename Fn>
void section(const std::string& file, const YAML::Node& v, const std::string& name,
             const char* keys_hint, Fn fn) {
  if (!v.IsMap()) throw UserError("'" + name + "' must be a mapping", at(file, v, name));
  for (const auto& kv : v) {
    std::string k = kv.first.as<std::string>();
    if (!fn(k, kv.second)) {
      throw UserError("unknown key '" + name + "." + k + "'",
                      {.member = k,
                       .file = file,
                       .line = kv.first.Mark().line + 1,
                       .hint = std::string(name) + " takes " + keys_hint});
    }
  }
}

}  // namespace

Config load_config(const std::filesystem::path& path) {
  const std::string file = path.string();
  YAML::Node root;
  try {
    root = YAML::LoadFile(file);
  } catch (const YAML::BadFile&) {
    throw NotFoundError("cannot read configuration file " + file);
  } catch (const YAML::Exception& e) {
    throw UserError("configuration file is not valid YAML: " + e.msg,
                    {.file = file, .line = e.mark.line >= 0 ? e.mark.line + 1 : 0});
  }
  Config c;
  c.base_dir = path.has_parent_path() ? path.parent_path() : std::filesystem::path(".");
  if (!root || root.IsNull()) return c;
  if (!root.IsMap()) throw UserError("configuration must be a mapping of keys", {.file = file});
  for (const auto& kv : root) {
    const std::string key = kv.first.as<std::string>();
    const YAML::Node& v = kv.second;
    if (key == "listen") {
      auto [h, p] = parse_host_port(scalar(file, v, key), file + " listen");
      c.listen_host = h;
      c.listen_port = p;
    } else if (key == "model") {
      c.model_path = scalar(file, v, key);
    } else if (key == "api_secret") {
      c.api_secret = scalar(file, v, key);
    } else if (key == "dev_mode") {
      c.dev_mode = boolean(file, v, key);
    } else if (key == "query_timeout") {
      c.query_timeout = parse_duration(scalar(file, v, key), file + " query_timeout");
    } else if (key == "continue_wait") {
      c.continue_wait = parse_duration(scalar(file, v, key), file + " continue_wait");
    } else if (key == "worker_threads") {
      c.worker_threads = static_cast<int>(integer(file, v, key));
    } else if (key == "http_threads") {
      c.http_threads = static_cast<int>(integer(file, v, key));
    } else if (key == "pg_listen") {
      auto [h, p] = parse_host_port(scalar(file, v, key), file + " pg_listen");
      c.pg_listen_set = true;
      c.pg_listen_host = h;
      c.pg_listen_port = p;
    } else if (key == "pg_auth") {
      c.pg_auth = scalar(file, v, key);
    } else if (key == "pg_tls_cert") {
      c.pg_tls_cert = c.base_dir / scalar(file, v, key);
    } else if (key == "pg_tls_key") {
      c.pg_tls_key = c.base_dir / scalar(file, v, key);
    } else if (key == "sql_users") {
      c.sql_users = sql_users(file, v);
    } else if (key == "limits") {
      if (!v.IsMap()) throw UserError("'limits' must be a mapping", at(file, v, key));
      for (const auto& l : v) {
        std::string lk = l.first.as<std::string>();
        if (lk == "default_limit") {
          c.limits.default_limit = integer(file, l.second, lk);
        } else if (lk == "max_limit") {
          c.limits.max_limit = integer(file, l.second, lk);
        } else {
          throw UserError("unknown key 'limits." + lk + "'",
                          {.member = lk,
                           .file = file,
                           .line = l.first.Mark().line + 1,
                           .hint = "limits take default_limit and max_limit"});
        }
      }
    } else if (key == "cache") {
      section(
          file, v, key, "type, max_bytes, ttl and default_refresh",
          [&](const std::string& k, const YAML::Node& x) {
            std::string where = "cache." + k;
            if (k == "type") {
              c.cache.type = scalar(file, x, where);
              if (c.cache.type != "memory" && c.cache.type != "redis" && c.cache.type != "none") {
                throw UserError(
                    "cache.type must be memory, redis or none, not '" + c.cache.type + "'",
                    at(file, x, where));
              }
            } else if (k == "max_bytes") {
              c.cache.max_bytes = parse_bytes(scalar(file, x, where), file + " " + where);
            } else if (k == "ttl") {
              c.cache.ttl = parse_duration(scalar(file, x, where), file + " " + where);
            } else if (k == "default_refresh") {
              c.cache.default_refresh = parse_duration(scalar(file, x, where), file + " " + where);
            } else {
              return false;
            }
            return true;
          });
    } else if (key == "redis") {
      section(file, v, key, "host, port, password, database and prefix",
              [&](const std::string& k, const YAML::Node& x) {
                std::string where = "redis." + k;
                if (k == "host") {
                  c.redis.host = scalar(file, x, where);
                } else if (k == "port") {
                  int64_t port = integer(file, x, where);
                  if (port <= 0 || port > 65535) {
                    throw UserError("redis.port must be a port number", at(file, x, where));
                  }
                  c.redis.port = static_cast<uint16_t>(port);
                } else if (k == "password") {
                  c.redis.password = scalar(file, x, where);
                } else if (k == "database") {
                  c.redis.database = static_cast<int>(integer(file, x, where));
                } else if (k == "prefix") {
                  c.redis.prefix = scalar(file, x, where);
                } else {
                  return false;
                }
                return true;
              });
    } else if (key == "pre_aggregations") {
      section(file, v, key, "dir, refresh, interval, lease, lease_source, gc_grace and memory",
              [&](const std::string& k, const YAML::Node& x) {
                std::string where = "pre_aggregations." + k;
                if (k == "dir") {
                  c.pre_aggregations.dir = scalar(file, x, where);
                } else if (k == "refresh") {
                  c.pre_aggregations.refresh = boolean(file, x, where);
                } else if (k == "interval") {
                  c.pre_aggregations.interval =
                      parse_duration(scalar(file, x, where), file + " " + where);
                } else if (k == "lease") {
                  c.pre_aggregations.lease = scalar(file, x, where);
                  const auto& l = c.pre_aggregations.lease;
                  if (l != "none" && l != "file" && l != "redis" && l != "postgres") {
                    throw UserError(
                        "pre_aggregations.lease must be none, file, redis or "
                        "postgres, not '" +
                            l + "'",
                        at(file, x, where));
                  }
                } else if (k == "lease_source") {
                  c.pre_aggregations.lease_source = scalar(file, x, where);
                } else if (k == "gc_grace") {
                  c.pre_aggregations.gc_grace =
                      parse_duration(scalar(file, x, where), file + " " + where);
                } else if (k == "memory") {
                  c.pre_aggregations.memory_bytes =
                      parse_bytes(scalar(file, x, where), file + " " + where);
                } else {
                  return false;
                }
                return true;
              });
    } else if (key == "data_sources") {
      if (!v.IsMap()) {
        throw UserError("'data_sources' must map names to settings", at(file, v, key));
      }
      for (const auto& ds : v) {
        DataSourceConfig d;
        d.name = ds.first.as<std::string>();
        if (!ds.second.IsMap()) {
          throw UserError("data source '" + d.name + "' must be a mapping of settings",
                          at(file, ds.second, d.name));
        }
        for (const auto& s : ds.second) {
          std::string sk = s.first.as<std::string>();
          std::string sv = scalar(file, s.second, d.name + "." + sk);
          if (sk == "type") {
            d.type = sv;
          } else {
            d.settings[sk] = sv;
          }
        }
        c.data_sources.push_back(std::move(d));
      }
    } else {
      throw UserError("unknown configuration key '" + key + "'",
                      {.member = key,
                       .file = file,
                       .line = kv.first.Mark().line + 1,
                       .hint = "see docs/configuration.md for the keys strata.yml takes"});
    }
  }
  if (c.limits.default_limit <= 0 || c.limits.max_limit < c.limits.default_limit) {
    throw UserError("limits: default_limit must be positive and at most max_limit", {.file = file});
  }
  return c;
}

}  // namespace strata
