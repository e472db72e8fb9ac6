#include "cache/preagg_store.h"

#include <spdlog/spdlog.h>

#include <boost/json.hpp>
#include <cstdio>
#include <fstream>
#include <functional>
#include <set>
#include <sstream>

#include "cache/build_lease.h"
#include "core/error.h"
#include "source/source.h"
#include "sql/duckdb_statements.h"

namespace strata {

namespace json = boost::json;

namespace {

bool safe_file_name(const std::string& name) {
  return !name.empty() && name.size() < 256 && name.find('/') == std::string::npos &&
         name.find('\\') == std::string::npos && name[0] != '.' && name.ends_with(".parquet");
}

const json::value* field(const json::object& o, std::string_view key) {
  return o.if_contains(key);
}

bool get_string(const json::object& o, std::string_view key, std::string& out) {
  const json::value* v = field(o, key);
  if (!v || !v->is_string()) return false;
  out = std::string(v->get_string());
  return true;
}

bool get_int(const json::object& o, std::string_view key, int64_t& out) {
  const json::value* v = field(o, key);
  if (!v) return false;
  if (v->is_int64()) {
    out = v->get_int64();
    return true;
  }
  if (v->is_uint64() && v->get_uint64() <= static_cast<uint64_t>(INT64_MAX)) {
    out = static_cast<int64_t>(v->get_uint64());
    return true;
  }
  return false;
}

}  // namespace

std::string manifest_to_json(const Manifest& m) {
  json::object o;
  o["version"] = 1;
  o["preAggregation"] = m.pre_aggregation;
  o["type"] = m.type;
  o["fingerprint"] = m.fingerprint;
  o["table"] = m.table;
  o["timezone"] = m.timezone;
  o["lastRefreshAt"] = m.last_refresh_utc;
  json::array parts;
  for (const auto& p : m.partitions) {
    json::object j;
    j["name"] = p.name;
    j["from"] = p.from_local;
    j["to"] = p.to_local;
    j["file"] = p.file;
    j["rows"] = p.rows;
    j["bytes"] = p.bytes;
    j["refreshKey"] = p.refresh_key;
    j["builtAt"] = p.built_at_utc;
    parts.push_back(std::move(j));
  }
  o["partitions"] = std::move(parts);
  return json::serialize(o);
}

std::optional<Manifest> manifest_from_json(const std::string& text) {
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec || !v.is_object()) return std::nullopt;
  const json::object& o = v.get_object();
  int64_t version = 0;
  if (!get_int(o, "version", version) || version != 1) return std::nullopt;
  Manifest m;
  if (!get_string(o, "preAggregation", m.pre_aggregation) || !get_string(o, "type", m.type) ||
      !get_string(o, "fingerprint", m.fingerprint) || !get_string(o, "table", m.table) ||
      !get_string(o, "timezone", m.timezone) || !get_int(o, "lastRefreshAt", m.last_refresh_utc)) {
    return std::nullopt;
  }
  const json::value* parts = field(o, "partitions");
  if (!parts || !parts->is_array()) return std::nullopt;
  std::set<std::string> names;
  for (const auto& pv : parts->get_array()) {
    if (!pv.is_object()) return std::nullopt;
    const json::object& j = pv.get_object();
    ManifestPartition p;
    if (!get_string(j, "name", p.name) || !get_int(j, "from", p.from_local) ||
        !get_int(j, "to", p.to_local) || !get_string(j, "file", p.file) ||
        !get_int(j, "rows", p.rows) || !get_int(j, "bytes", p.bytes) ||
        !get_string(j, "refreshKey", p.refresh_key) || !get_int(j, "builtAt", p.built_at_utc)) {
      return std::nullopt;
    }
    if (!safe_file_name(p.file) || p.rows < 0 || p.bytes < 0 || p.to_local < p.from_local ||
        !names.insert(p.name).second) {
      return std::nullopt;
    }
    m.partitions.push_back(std::move(p));
  }
  std::sort(m.partitions.begin(), m.partitions.end(),
            [](const ManifestPartition& a, const ManifestPartition& b) {
              return a.from_local < b.from_local;
            });
  return m;
}

PreAggStore::PreAggStore(std::shared_ptr<const Model> model, PreAggStoreOptions options)
    : model_(std::move(model)), options_(std::move(options)) {
  if (!model_) throw InternalError("the pre-aggregation store needs a model");
  if (options_.memory_source && options_.memory_bytes > 0) {
    loader_ = std::jthread([this](std::stop_token stop) { load_loop(stop); });
  }
}

PreAggStore::~PreAggStore() {
  if (!loader_.joinable()) return;
  loader_.request_stop();
  loader_.join();
  // The tables go with the source's database; drop them in case the source
  // lives on (tests share one).
  {
    std::lock_guard lock(mu_);
    for (const auto& [name, l] : loaded_) retired_.push_back({l.table, {}});
    loaded_.clear();
  }
  drop_retired(true);
}

std::filesystem::path PreAggStore::folder(const PreAggregation& def) const {
  return options_.dir / def.full_name();
}

std::vector<const PreAggregation*> PreAggStore::all() const {
  std::vector<const PreAggregation*> out;
  for (const auto& c : model_->cubes()) {
    for (const auto& p : c.pre_aggregations) out.push_back(&p);
  }
  return out;
}

const PreAggregation* PreAggStore::find(const std::string& full_name) const {
  for (const PreAggregation* p : all()) {
    if (p->full_name() == full_name) return p;
  }
  return nullptr;
}

std::shared_ptr<const RollupBuild> PreAggStore::build_of(const PreAggregation& def) {
  if (def.type != PreAggregationType::kRollup) return nullptr;
  {
    std::lock_guard lock(mu_);
    auto it = builds_.find(def.full_name());
    if (it != builds_.end()) return it->second;
  }
  auto build = std::make_shared<const RollupBuild>(model_, def);
  std::lock_guard lock(mu_);
  return builds_.emplace(def.full_name(), std::move(build)).first->second;
}

std::string PreAggStore::fingerprint(const PreAggregation& def) {
  if (def.type == PreAggregationType::kRollup) return build_of(def)->fingerprint();
  std::lock_guard lock(mu_);
  auto it = fingerprints_.find(def.full_name());
  if (it != fingerprints_.end()) return it->second;
  const Cube* cube = model_->find_cube(def.cube);
  std::string text = std::string(pre_aggregation_type_name(def.type)) + "|" + def.timezone + "|" +
                     def.time_dimension + "|";
  if (def.partition_granularity) text += std::string(granularity_name(*def.partition_granularity));
  if (cube) text += "|" + cube->sql_table + "|" + cube->sql + "|" + cube->data_source;
  if (const ResolvedMember* t = model_->find_member(def.time_dimension); t && t->dimension) {
    text += "|" + t->dimension->sql.to_string();
  }
  return fingerprints_.emplace(def.full_name(), fingerprint_hex(text)).first->second;
}

std::string PreAggStore::table_name(const PreAggregation& def) {
  return "preaggs." + def.cube + "_" + def.name + "_" + fingerprint(def).substr(0, 8);
}

std::optional<Manifest> PreAggStore::read_manifest(const PreAggregation& def) const {
  std::filesystem::path path = folder(def) / "manifest.json";
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::stringstream text;
  text << in.rdbuf();
  auto m = manifest_from_json(text.str());
  if (!m || m->pre_aggregation != def.full_name()) {
    spdlog::warn("pre-aggregation {}: {} is malformed; treating it as not built", def.full_name(),
                 path.string());
    return std::nullopt;
  }
  return m;
}

void PreAggStore::write_manifest(const PreAggregation& def, const Manifest& m) {
  std::filesystem::path dir = folder(def);
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  std::filesystem::path tmp = dir / (".manifest-" + random_token(8) + ".tmp");
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << manifest_to_json(m);
    out.flush();
    if (!out) {
      std::filesystem::remove(tmp, ec);
      throw InternalError("cannot write " + tmp.string());
    }
  }
  std::filesystem::rename(tmp, dir / "manifest.json", ec);
  if (ec) {
    std::filesystem::remove(tmp, ec);
    throw InternalError("cannot replace the manifest in " + dir.string() + ": " + ec.message());
  }
  ++generation_;
}

std::shared_ptr<const BuiltPreAggregation> PreAggStore::lookup(const PreAggregation& def) {
  if (def.type != PreAggregationType::kRollup) return nullptr;
  std::filesystem::path path = folder(def) / "manifest.json";
  std::error_code ec;
  auto mtime = std::filesystem::last_write_time(path, ec);
  uintmax_t size = ec ? 0 : std::filesystem::file_size(path, ec);
  if (ec) return nullptr;
  const std::string name = def.full_name();
  {
    std::lock_guard lock(mu_);
    auto it = cache_.find(name);
    if (it != cache_.end() && it->second.valid && it->second.mtime == mtime &&
        it->second.size == size) {
      return it->second.built;
    }
  }
  std::shared_ptr<const BuiltPreAggregation> result;
  std::shared_ptr<const RollupBuild> build;
  try {
    build = build_of(def);
  } catch (const Error&) {
    build = nullptr;
  }
  auto m = read_manifest(def);
  if (build && m && m->fingerprint == build->fingerprint() && !m->partitions.empty()) {
    auto built = std::make_shared<BuiltPreAggregation>();
    built->source = options_.source;
    built->table = m->table;
    built->build = build;
    std::set<std::string> keys;
    for (const auto& p : m->partitions) {
      built->partitions.push_back({p.from_local, p.to_local, (folder(def) / p.file).string(),
                                   p.rows, p.bytes, p.refresh_key, p.built_at_utc});
      built->last_updated_utc = std::max(built->last_updated_utc, p.built_at_utc);
      if (keys.insert(p.refresh_key).second) built->refresh_key_values.push_back(p.refresh_key);
      built->version += p.file + ';';
    }
    built->version =
        m->fingerprint + ':' + std::to_string(std::hash<std::string>{}(built->version));
    result = std::move(built);
  }
  std::lock_guard lock(mu_);
  if (result && loader_.joinable()) {
    auto l = loaded_.find(name);
    if (l != loaded_.end() && l->second.version == result->version) {
      // The manifest was rewritten around the same files: same table.
      auto with_table = std::make_shared<BuiltPreAggregation>(*result);
      with_table->memory_table = l->second.table;
      result = std::move(with_table);
    } else if (tried_[name] != result->version) {
      tried_[name] = result->version;
      queue_.emplace_back(name, result);
      load_cv_.notify_all();
    }
  }
  cache_[name] = Cached{mtime, size, result, true};
  return result;
}

std::string PreAggStore::memory_table(const PreAggregation& def) {
  std::lock_guard lock(mu_);
  auto it = loaded_.find(def.full_name());
  auto c = cache_.find(def.full_name());
  if (it == loaded_.end() || c == cache_.end() || !c->second.built ||
      c->second.built->version != it->second.version) {
    return "";
  }
  return it->second.table;
}

bool PreAggStore::wait_loaded(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu_);
  return load_cv_.wait_for(lock, timeout, [&] { return queue_.empty() && !loading_; });
}

void PreAggStore::load_loop(std::stop_token stop) {
  // Wakes for queued builds, and now and then to drop replaced tables.
  constexpr auto kTick = std::chrono::seconds(5);
  while (!stop.stop_requested()) {
    std::pair<std::string, std::shared_ptr<const BuiltPreAggregation>> job;
    {
      std::unique_lock lock(mu_);
      load_cv_.wait_for(lock, stop, kTick, [&] { return !queue_.empty(); });
      if (stop.stop_requested()) return;
      if (!queue_.empty()) {
        job = std::move(queue_.front());
        queue_.pop_front();
        loading_ = true;
      }
    }
    if (job.second) load(job.first, job.second);
    drop_retired(false);
    {
      std::lock_guard lock(mu_);
      loading_ = false;
    }
    load_cv_.notify_all();
  }
}

void PreAggStore::load(const std::string& name,
                       const std::shared_ptr<const BuiltPreAggregation>& built) {
  int64_t bytes = 0;
  std::vector<std::string> paths;
  for (const auto& p : built->partitions) {
    bytes += p.bytes;
    paths.push_back(p.path);
  }
  // The table of an older build is of no more use once this one is current.
  auto retire_older = [&] {
    auto old = loaded_.find(name);
    if (old == loaded_.end() || old->second.version == built->version) return;
    retired_.push_back({old->second.table, std::chrono::steady_clock::now()});
    loaded_.erase(old);
  };
  std::string table;
  {
    std::lock_guard lock(mu_);
    auto c = cache_.find(name);
    if (c == cache_.end() || !c->second.built || c->second.built->version != built->version) {
      return;  // replaced while queued
    }
    retire_older();
    int64_t others = 0;
    for (const auto& [n, l] : loaded_) {
      if (n != name) others += l.bytes;
    }
    if (others + bytes > static_cast<int64_t>(options_.memory_bytes)) {
      spdlog::info(
          "pre-aggregation {}: not loaded into memory ({} bytes of Parquet, {} of the {} allowed "
          "are taken); it is read from its files (pre_aggregations.memory in strata.yml)",
          name, bytes, others, options_.memory_bytes);
      return;
    }
    table = "preagg_" + std::to_string(++next_table_);
  }
  auto start = std::chrono::steady_clock::now();
  try {
    // The table name is ours and the paths are quoted literals: nothing
    // here comes from a request.
    options_.memory_source->query(
        sql::duckdb_create_table_as(table, "SELECT * FROM " + sql::duckdb_read_parquet(paths)),
        ExecOptions{});
  } catch (const Error& e) {
    spdlog::warn("pre-aggregation {}: cannot load it into memory, reading its files: {}", name,
                 e.what());
    return;
  }
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                                  start);
  {
    std::lock_guard lock(mu_);
    auto c = cache_.find(name);
    if (c == cache_.end() || !c->second.built || c->second.built->version != built->version) {
      // A newer build arrived while this one loaded: nothing was planned on it.
      retired_.push_back({table, {}});
    } else {
      auto with_table = std::make_shared<BuiltPreAggregation>(*c->second.built);
      with_table->memory_table = table;
      c->second.built = std::move(with_table);
      loaded_[name] = Loaded{table, built->version, bytes};
      ++generation_;
      spdlog::info(
          "pre-aggregation {}: loaded into memory ({} partitions, {} bytes of Parquet) in {} ms",
          name, paths.size(), bytes, ms.count());
    }
  }
}

void PreAggStore::drop_retired(bool all) {
  std::vector<std::string> due;
  {
    std::lock_guard lock(mu_);
    auto now = std::chrono::steady_clock::now();
    std::erase_if(retired_, [&](const Retired& r) {
      if (!all && r.at + options_.memory_grace > now) return false;
      due.push_back(r.table);
      return true;
    });
  }
  for (const auto& t : due) {
    try {
      options_.memory_source->query(sql::duckdb_drop_table(t), ExecOptions{});
    } catch (const Error& e) {
      spdlog::warn("pre-aggregations: cannot drop the replaced table {}: {}", t, e.what());
    }
  }
}

PreAggregationLookup PreAggStore::lookup_function() {
  return [this](const PreAggregation& def) { return lookup(def); };
}

}  // namespace strata
