#include "lake/scan/scan_planner.h"

#include <algorithm>
#include <cstring>
#include <map>
#include <mutex>
#include <set>
#include <unordered_map>

#include "core/error.h"
#include "core/time.h"
#include "lake/lake_error.h"
#include "lake/scan/pruning.h"
#include "lake/scan/transforms.h"
#include "lake/scan/values.h"

namespace strata::lake {

namespace {

constexpr int kPositionDeleteFilePathId = 2147483546;

bool same_value(const Value& a, const Value& b) {
  if (a.null || b.null) return a.null == b.null;
  if (a.type.storage() != b.type.storage()) return false;
  switch (a.type.storage()) {
    case Storage::kInt: return a.i == b.i;
    case Storage::kDouble: {
      // Floats compare by bit pattern, NaNs as one.
      if (a.d != a.d && b.d != b.d) return true;
      return std::memcmp(&a.d, &b.d, sizeof(double)) == 0;
    }
    case Storage::kDecimal: return a.dec == b.dec;
    case Storage::kString: return a.s == b.s;
  }
  return false;
}

bool same_partition(const std::vector<Value>& a, const std::vector<Value>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (!same_value(a[i], b[i])) return false;
  }
  return true;
}

// The manifest's partition tuple reordered into spec field order.
std::vector<Value> spec_order(const PartitionSpec& spec, const std::vector<int>& avro_ids,
                              const std::vector<Value>& raw) {
  if (avro_ids.empty() || avro_ids.size() != raw.size()) return raw;
  std::vector<Value> out;
  for (const auto& f : spec.fields) {
    auto it = std::find(avro_ids.begin(), avro_ids.end(), f.field_id);
    out.push_back(it == avro_ids.end() ? Value() : raw[static_cast<size_t>(it - avro_ids.begin())]);
  }
  return out;
}

std::string format_ms(int64_t ms) {
  return format_iso_local(ms * 1000, 3) + "Z";
}

const Schema* schema_of(const TableMetadata& m, const Snapshot& s) {
  if (s.schema_id) {
    if (const Schema* sc = m.schema(*s.schema_id)) return sc;
  }
  return &m.current_schema();
}

}  // namespace

std::string describe_version(const TableVersion& v) {
  switch (v.kind) {
    case TableVersion::Kind::kSnapshotId: return "snapshot " + std::to_string(v.snapshot_id);
    case TableVersion::Kind::kTimestamp: return "timestamp " + format_ms(v.timestamp_ms);
    case TableVersion::Kind::kRef: return "ref '" + v.ref + "'";
  }
  return "";
}

SnapshotChoice choose_snapshot(const TableMetadata& m, const std::optional<TableVersion>& as_of,
                               const std::string& table) {
  SnapshotChoice c;
  c.schema = &m.current_schema();
  if (!as_of) {
    c.snapshot = m.current_snapshot();
    return c;
  }
  auto known_ids = [&]() {
    std::string out;
    for (size_t i = 0; i < m.snapshots.size() && i < 10; ++i) {
      if (i) out += ", ";
      out += std::to_string(m.snapshots[i].snapshot_id);
    }
    if (m.snapshots.size() > 10) out += ", ...";
    return out.empty() ? std::string("none") : out;
  };
  switch (as_of->kind) {
    case TableVersion::Kind::kSnapshotId: {
      c.snapshot = m.snapshot(as_of->snapshot_id);
      if (!c.snapshot) {
        throw NotFoundError(
            "table " + table + " has no snapshot " + std::to_string(as_of->snapshot_id),
            {.hint = "its snapshots are: " + known_ids() + " (expired snapshots cannot be read)"});
      }
      c.schema = schema_of(m, *c.snapshot);
      return c;
    }
    case TableVersion::Kind::kRef: {
      auto it = m.refs.find(as_of->ref);
      if (it == m.refs.end()) {
        if (as_of->ref == "main") return c;  // no snapshot yet: empty
        std::string refs;
        for (const auto& [name, r] : m.refs) refs += (refs.empty() ? "" : ", ") + name;
        throw NotFoundError(
            "table " + table + " has no branch or tag '" + as_of->ref + "'",
            {.hint = "its refs are: " + (refs.empty() ? std::string("none") : refs)});
      }
      c.snapshot = m.snapshot(it->second.snapshot_id);
      if (!c.snapshot) {
        throw SourceError(kLakeSourceName, "ref '" + as_of->ref + "' of table " + table +
                                               " points to snapshot " +
                                               std::to_string(it->second.snapshot_id) +
                                               ", which the metadata does not list");
      }
      if (!it->second.is_branch) c.schema = schema_of(m, *c.snapshot);
      return c;
    }
    case TableVersion::Kind::kTimestamp: {
      std::optional<int64_t> id;
      int64_t best_ts = INT64_MIN;
      for (const auto& e : m.snapshot_log) {
        if (e.timestamp_ms <= as_of->timestamp_ms && e.timestamp_ms >= best_ts) {
          best_ts = e.timestamp_ms;
          id = e.snapshot_id;
        }
      }
      if (m.snapshot_log.empty()) {
        for (const auto& s : m.snapshots) {
          if (s.timestamp_ms <= as_of->timestamp_ms && s.timestamp_ms >= best_ts) {
            best_ts = s.timestamp_ms;
            id = s.snapshot_id;
          }
        }
      }
      if (!id) {
        int64_t first = INT64_MAX;
        for (const auto& s : m.snapshots) first = std::min(first, s.timestamp_ms);
        throw NotFoundError(
            "table " + table + " has no snapshot at or before " + format_ms(as_of->timestamp_ms),
            {.hint = m.snapshots.empty() ? "the table has no snapshots"
                                         : "its first snapshot is from " + format_ms(first)});
      }
      c.snapshot = m.snapshot(*id);
      if (!c.snapshot) {
        throw NotFoundError("the snapshot of table " + table + " current at " +
                            format_ms(as_of->timestamp_ms) + " (" + std::to_string(*id) +
                            ") has expired");
      }
      c.schema = schema_of(m, *c.snapshot);
      return c;
    }
  }
  return c;
}

struct ManifestCache::Impl {
  size_t max_entries;
  std::mutex mu;
  uint64_t clock = 0;
  template <typename T>
  struct Slot {
    std::shared_ptr<const T> value;
    uint64_t used = 0;
  };
  std::unordered_map<std::string, Slot<std::vector<ManifestFile>>> lists;
  std::unordered_map<std::string, Slot<Manifest>> manifests;

  template <typename Map>
  void evict(Map& map) {
    if (map.size() <= max_entries) return;
    std::vector<uint64_t> ages;
    for (const auto& [k, v] : map) ages.push_back(v.used);
    std::nth_element(ages.begin(), ages.begin() + static_cast<long>(ages.size() / 2), ages.end());
    uint64_t cut = ages[ages.size() / 2];
    for (auto it = map.begin(); it != map.end();) {
      it = it->second.used <= cut ? map.erase(it) : std::next(it);
    }
  }

  template <typename T, typename Map, typename Load>
  std::shared_ptr<const T> get(Map& map, const std::string& path, const Load& load) {
    {
      std::lock_guard lock(mu);
      auto it = map.find(path);
      if (it != map.end()) {
        it->second.used = ++clock;
        return it->second.value;
      }
    }
    auto value = std::make_shared<const T>(load());
    std::lock_guard lock(mu);
    map[path] = Slot<T>{value, ++clock};
    evict(map);
    return value;
  }
};

ManifestCache::ManifestCache(size_t max_entries) : impl_(std::make_unique<Impl>()) {
  impl_->max_entries = max_entries;
}
ManifestCache::~ManifestCache() = default;

std::shared_ptr<const std::vector<ManifestFile>> ManifestCache::list(
    const std::string& path, const std::function<std::vector<ManifestFile>()>& load) {
  return impl_->get<std::vector<ManifestFile>>(impl_->lists, path, load);
}

std::shared_ptr<const Manifest> ManifestCache::manifest(const std::string& path,
                                                        const std::function<Manifest()>& load) {
  return impl_->get<Manifest>(impl_->manifests, path, load);
}

std::vector<ManifestFile> snapshot_manifests(const TableMetadata& m, const Snapshot& s,
                                             const MetadataReader& read, const PathLocator& locate,
                                             ManifestCache* cache) {
  if (s.manifest_list.empty()) {
    std::vector<ManifestFile> out;
    for (const auto& path : s.manifests) {
      ManifestFile f;
      f.manifest_path = path;
      f.partition_spec_id = -1;  // from the manifest's header
      f.added_snapshot_id = s.snapshot_id;
      out.push_back(std::move(f));
    }
    return out;
  }
  auto load = [&]() { return read_manifest_list(read(s.manifest_list), s.manifest_list); };
  if (cache) return *cache->list(locate(s.manifest_list), load);
  (void)m;
  return load();
}

ScanPlan plan_scan(const TableMetadata& m, const std::string& table, const ScanOptions& options,
                   const MetadataReader& read, const PathLocator& locate, ManifestCache* cache) {
  SnapshotChoice choice = choose_snapshot(m, options.as_of, table);
  ScanPlan plan;
  plan.schema = *choice.schema;
  if (!choice.snapshot) return plan;
  const Snapshot& snap = *choice.snapshot;
  plan.snapshot_id = snap.snapshot_id;
  std::vector<FieldPredicate> preds;
  if (!options.include_all_files) preds = resolve_predicates(options.predicates, plan.schema);

  std::vector<ManifestFile> manifests = snapshot_manifests(m, snap, read, locate, cache);
  plan.stats.manifests = static_cast<int64_t>(manifests.size());

  struct RawTask {
    FileScanTask task;
    std::vector<Value> raw_partition;
  };
  std::vector<RawTask> tasks;
  std::map<int, PartitionSpec> header_specs;  // specs the metadata no longer lists

  for (const ManifestFile& mf : manifests) {
    const PartitionSpec* spec = mf.partition_spec_id >= 0 ? m.spec(mf.partition_spec_id) : nullptr;
    if (spec && mf.content == 0 && !preds.empty() &&
        !manifest_may_match(*spec, mf.partitions, preds)) {
      ++plan.stats.manifests_skipped;
      continue;
    }
    auto load = [&]() {
      return read_manifest(read(mf.manifest_path), mf.manifest_path, mf, m.format_version);
    };
    std::shared_ptr<const Manifest> man = cache ? cache->manifest(locate(mf.manifest_path), load)
                                                : std::make_shared<const Manifest>(load());
    int spec_id = mf.partition_spec_id;
    if (spec_id < 0) {
      auto it = man->header.find("partition-spec-id");
      spec_id = it == man->header.end() ? 0 : std::atoi(it->second.c_str());
      spec = m.spec(spec_id);
    }
    if (!spec) {
      auto hs = header_specs.find(spec_id);
      if (hs == header_specs.end()) {
        auto it = man->header.find("partition-spec");
        if (it == man->header.end()) {
          fail_file(mf.manifest_path, "manifest uses partition spec " + std::to_string(spec_id) +
                                          ", which neither the table metadata nor the manifest "
                                          "defines");
        }
        hs = header_specs
                 .emplace(spec_id,
                          parse_partition_spec_fields(it->second, spec_id, mf.manifest_path))
                 .first;
      }
      spec = &hs->second;
    }
    // Result types of the spec's fields, for typed partition values.
    std::vector<TypePtr> result_types;
    for (const auto& pf : spec->fields) {
      const NestedField* src = m.find_field_any_schema(pf.source_id);
      TypePtr st = src ? src->type : primitive_type(TypeKind::kString);
      result_types.push_back(transform_result_type(parse_transform(pf.transform), st));
    }
    for (const ManifestEntry& e : man->entries) {
      if (e.status == EntryStatus::kDeleted) continue;
      const DataFile& f = e.data_file;
      std::vector<Value> raw = spec_order(*spec, man->partition_field_ids, f.partition);
      if (f.content != FileContent::kData) {
        ++plan.stats.delete_files;
        plan.delete_files.push_back(DeleteFile{f, e.sequence_number, spec_id, raw});
        continue;
      }
      ++plan.stats.data_files;
      std::vector<Value> typed;
      for (size_t i = 0; i < raw.size() && i < result_types.size(); ++i)
        typed.push_back(partition_value(raw[i], *result_types[i]));
      if (f.record_count == 0) {
        ++plan.stats.files_skipped_empty;
        continue;
      }
      if (!preds.empty()) {
        if (!partition_may_match(*spec, typed, preds)) {
          ++plan.stats.files_skipped_partition;
          continue;
        }
        if (!file_may_match(f, preds)) {
          ++plan.stats.files_skipped_stats;
          continue;
        }
      }
      RawTask t;
      t.task.file = f;
      t.task.sequence_number = e.sequence_number;
      t.task.spec_id = spec_id;
      t.task.partition = std::move(typed);
      t.raw_partition = std::move(raw);
      tasks.push_back(std::move(t));
    }
  }

  // Pair delete files with data files.
  auto is_unpartitioned = [&](int spec_id) {
    const PartitionSpec* s = m.spec(spec_id);
    if (!s) {
      auto it = header_specs.find(spec_id);
      s = it == header_specs.end() ? nullptr : &it->second;
    }
    return !s || s->is_unpartitioned();
  };
  std::set<size_t> applied;
  for (RawTask& rt : tasks) {
    FileScanTask& t = rt.task;
    const std::string& path = t.file.file_path;
    for (size_t i = 0; i < plan.delete_files.size(); ++i) {
      const DeleteFile& d = plan.delete_files[i];
      if (d.file.content == FileContent::kPositionDeletes) {
        if (d.sequence_number < t.sequence_number) continue;
        if (d.file.referenced_data_file) {
          if (*d.file.referenced_data_file != path) continue;
        } else {
          if (d.spec_id == t.spec_id && !is_unpartitioned(d.spec_id) &&
              !same_partition(d.partition, rt.raw_partition)) {
            continue;
          }
          auto lo = d.file.lower_bounds.find(kPositionDeleteFilePathId);
          auto hi = d.file.upper_bounds.find(kPositionDeleteFilePathId);
          if (lo != d.file.lower_bounds.end() && path < lo->second) continue;
          if (hi != d.file.upper_bounds.end() && path > hi->second &&
              path.compare(0, hi->second.size(), hi->second) != 0) {
            continue;
          }
        }
        if (d.file.file_format == "PUFFIN") {
          // A deletion vector replaces position delete files for its data file.
          t.deletion_vector = i;
        } else {
          t.position_deletes.push_back(i);
        }
      } else {
        if (d.sequence_number <= t.sequence_number) continue;
        if (!is_unpartitioned(d.spec_id) &&
            (d.spec_id != t.spec_id || !same_partition(d.partition, rt.raw_partition))) {
          continue;
        }
        t.equality_deletes.push_back(i);
      }
    }
    if (t.deletion_vector) t.position_deletes.clear();
    for (size_t i : t.position_deletes) applied.insert(i);
    for (size_t i : t.equality_deletes) applied.insert(i);
    if (t.deletion_vector) applied.insert(*t.deletion_vector);
    plan.stats.records += t.file.record_count;
    plan.tasks.push_back(std::move(t));
  }
  plan.stats.files_scanned = static_cast<int64_t>(plan.tasks.size());
  plan.stats.delete_files_applied = static_cast<int64_t>(applied.size());
  return plan;
}

}  // namespace strata::lake
