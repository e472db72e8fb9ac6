#include "lake/metadata/table_metadata.h"

#include "lake/lake_error.h"
#include "lake/metadata/json_util.h"

namespace strata::lake {

namespace json = boost::json;
using namespace json_util;

bool PartitionSpec::is_unpartitioned() const {
  for (const auto& f : fields) {
    if (f.transform != "void") return false;
  }
  return true;
}

std::string Snapshot::operation() const {
  auto it = summary.find("operation");
  return it == summary.end() ? std::string() : it->second;
}

const Schema& TableMetadata::current_schema() const {
  if (const Schema* s = schema(current_schema_id)) return *s;
  return schemas.front();  // parse_table_metadata guarantees at least one schema
}

const Schema* TableMetadata::schema(int id) const {
  for (const auto& s : schemas) {
    if (s.schema_id == id) return &s;
  }
  return nullptr;
}

const PartitionSpec* TableMetadata::spec(int id) const {
  for (const auto& s : specs) {
    if (s.spec_id == id) return &s;
  }
  return nullptr;
}

const Snapshot* TableMetadata::snapshot(int64_t id) const {
  for (const auto& s : snapshots) {
    if (s.snapshot_id == id) return &s;
  }
  return nullptr;
}

const Snapshot* TableMetadata::current_snapshot() const {
  return current_snapshot_id ? snapshot(*current_snapshot_id) : nullptr;
}

const NestedField* TableMetadata::find_field_any_schema(int id) const {
  if (const NestedField* f = current_schema().find(id)) return f;
  for (auto it = schemas.rbegin(); it != schemas.rend(); ++it) {
    if (const NestedField* f = it->find(id)) return f;
  }
  return nullptr;
}

namespace {

PartitionSpec parse_spec_fields(const json::value& fields, int spec_id, const std::string& file) {
  if (!fields.is_array()) fail_file(file, "a partition spec's fields must be a list");
  PartitionSpec spec;
  spec.spec_id = spec_id;
  int next_id = 1000;
  for (const auto& fv : fields.get_array()) {
    const json::object& fo = as_object(fv, file, "a partition field");
    PartitionField f;
    if (auto sid = opt_i64(fo, "source-id", file)) {
      f.source_id = static_cast<int>(*sid);
    } else if (const json::value* ids = find(fo, "source-ids");
               ids && ids->is_array() && !ids->get_array().empty()) {
      f.source_id = static_cast<int>(to_i64(ids->get_array()[0], file, "source-ids"));
    } else {
      fail_file(file, "a partition field has no source-id");
    }
    f.field_id = static_cast<int>(opt_i64(fo, "field-id", file).value_or(next_id));
    next_id = std::max(next_id, f.field_id) + 1;
    f.name = opt_str(fo, "name", file).value_or("");
    f.transform = req_str(fo, "transform", file);
    spec.fields.push_back(std::move(f));
  }
  return spec;
}

NameMapping parse_name_mapping(const std::string& text, const std::string& file,
                               std::vector<std::string>& warnings) {
  NameMapping m;
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec || !v.is_array()) {
    warnings.push_back("schema.name-mapping.default is not a JSON list; ignored");
    return m;
  }
  for (const auto& e : v.get_array()) {
    if (!e.is_object()) continue;
    const json::object& o = e.get_object();
    const json::value* id = find(o, "field-id");
    const json::value* names = find(o, "names");
    if (!id || !names || !names->is_array()) continue;
    int fid = static_cast<int>(to_i64(*id, file, "field-id"));
    for (const auto& n : names->get_array()) {
      if (n.is_string()) m.names_by_id[fid].push_back(std::string(n.get_string()));
    }
  }
  return m;
}

}  // namespace

TableMetadata parse_table_metadata(std::string_view text, const std::string& file) {
  json::value root = json_util::parse(text, file);
  const json::object& o = as_object(root, file, "table metadata");
  TableMetadata m;
  m.raw_json = std::string(text);
  m.format_version = static_cast<int>(req_i64(o, "format-version", file));
  if (m.format_version < 1 || m.format_version > 3) {
    fail_file(file, "unsupported Iceberg format version " + std::to_string(m.format_version),
              "strata reads format versions 1, 2 and 3");
  }
  m.table_uuid = opt_str(o, "table-uuid", file).value_or("");
  m.location = req_str(o, "location", file);
  m.last_sequence_number = opt_i64(o, "last-sequence-number", file).value_or(0);
  m.last_updated_ms = opt_i64(o, "last-updated-ms", file).value_or(0);
  m.last_column_id = static_cast<int>(opt_i64(o, "last-column-id", file).value_or(0));

  // Schemas: `schemas` when present, else v1's single `schema`.
  if (const json::value* schemas = find(o, "schemas");
      schemas && schemas->is_array() && !schemas->get_array().empty()) {
    for (const auto& s : schemas->get_array()) m.schemas.push_back(parse_schema(s, file));
    m.current_schema_id = static_cast<int>(
        opt_i64(o, "current-schema-id", file).value_or(m.schemas.front().schema_id));
  } else if (const json::value* schema = find(o, "schema")) {
    m.schemas.push_back(parse_schema(*schema, file));
    m.current_schema_id = m.schemas.front().schema_id;
  } else {
    fail_file(file, "table metadata has no schema");
  }
  if (!m.schema(m.current_schema_id)) {
    fail_file(file, "current-schema-id " + std::to_string(m.current_schema_id) +
                        " names no schema of the table");
  }

  // Partition specs: `partition-specs`, else v1's `partition-spec` (spec 0).
  if (const json::value* specs = find(o, "partition-specs"); specs && specs->is_array()) {
    for (const auto& sv : specs->get_array()) {
      const json::object& so = as_object(sv, file, "a partition spec");
      const json::value* fields = find(so, "fields");
      if (!fields) fail_file(file, "a partition spec has no fields");
      m.specs.push_back(parse_spec_fields(
          *fields, static_cast<int>(opt_i64(so, "spec-id", file).value_or(0)), file));
    }
    m.default_spec_id = static_cast<int>(opt_i64(o, "default-spec-id", file).value_or(0));
  } else if (const json::value* spec = find(o, "partition-spec")) {
    m.specs.push_back(parse_spec_fields(*spec, 0, file));
    m.default_spec_id = 0;
  }
  if (m.specs.empty()) m.specs.push_back(PartitionSpec{0, {}});
  m.last_partition_id = static_cast<int>(opt_i64(o, "last-partition-id", file).value_or(999));

  if (const json::value* props = find(o, "properties"); props && props->is_object()) {
    for (const auto& kv : props->get_object()) {
      if (kv.value().is_string()) {
        m.properties[std::string(kv.key())] = std::string(kv.value().get_string());
      } else {
        m.properties[std::string(kv.key())] = json::serialize(kv.value());
      }
    }
  }
  if (auto it = m.properties.find("schema.name-mapping.default"); it != m.properties.end()) {
    m.name_mapping = parse_name_mapping(it->second, file, m.warnings);
  }

  if (auto id = opt_i64(o, "current-snapshot-id", file); id && *id != -1) {
    m.current_snapshot_id = *id;
  }
  if (const json::value* snaps = find(o, "snapshots"); snaps && snaps->is_array()) {
    for (const auto& sv : snaps->get_array()) {
      const json::object& so = as_object(sv, file, "a snapshot");
      Snapshot s;
      s.snapshot_id = req_i64(so, "snapshot-id", file);
      if (auto p = opt_i64(so, "parent-snapshot-id", file); p && *p != -1) {
        s.parent_snapshot_id = *p;
      }
      s.sequence_number = opt_i64(so, "sequence-number", file).value_or(0);
      s.timestamp_ms = opt_i64(so, "timestamp-ms", file).value_or(0);
      s.manifest_list = opt_str(so, "manifest-list", file).value_or("");
      if (const json::value* mans = find(so, "manifests"); mans && mans->is_array()) {
        for (const auto& mv : mans->get_array()) {
          if (mv.is_string()) s.manifests.push_back(std::string(mv.get_string()));
        }
      }
      if (s.manifest_list.empty() && s.manifests.empty() && m.format_version >= 2) {
        fail_file(file, "snapshot " + std::to_string(s.snapshot_id) + " has no manifest-list");
      }
      if (const json::value* sum = find(so, "summary"); sum && sum->is_object()) {
        for (const auto& kv : sum->get_object()) {
          s.summary[std::string(kv.key())] = kv.value().is_string()
                                                 ? std::string(kv.value().get_string())
                                                 : json::serialize(kv.value());
        }
      }
      if (auto sid = opt_i64(so, "schema-id", file)) s.schema_id = static_cast<int>(*sid);
      m.snapshots.push_back(std::move(s));
    }
  }
  if (m.current_snapshot_id && !m.snapshot(*m.current_snapshot_id)) {
    fail_file(file, "current-snapshot-id " + std::to_string(*m.current_snapshot_id) +
                        " names no snapshot of the table");
  }
  if (const json::value* log = find(o, "snapshot-log"); log && log->is_array()) {
    for (const auto& ev : log->get_array()) {
      const json::object& eo = as_object(ev, file, "a snapshot-log entry");
      m.snapshot_log.push_back(
          {req_i64(eo, "timestamp-ms", file), req_i64(eo, "snapshot-id", file)});
    }
  }
  if (const json::value* log = find(o, "metadata-log"); log && log->is_array()) {
    for (const auto& ev : log->get_array()) {
      const json::object& eo = as_object(ev, file, "a metadata-log entry");
      m.metadata_log.push_back(
          {req_i64(eo, "timestamp-ms", file), req_str(eo, "metadata-file", file)});
    }
  }
  if (const json::value* refs = find(o, "refs"); refs && refs->is_object()) {
    for (const auto& kv : refs->get_object()) {
      const json::object& ro = as_object(kv.value(), file, "a ref");
      SnapshotRef r;
      r.name = std::string(kv.key());
      r.snapshot_id = req_i64(ro, "snapshot-id", file);
      r.is_branch = opt_str(ro, "type", file).value_or("branch") != "tag";
      r.max_ref_age_ms = opt_i64(ro, "max-ref-age-ms", file);
      r.max_snapshot_age_ms = opt_i64(ro, "max-snapshot-age-ms", file);
      if (auto k = opt_i64(ro, "min-snapshots-to-keep", file)) {
        r.min_snapshots_to_keep = static_cast<int>(*k);
      }
      m.refs[r.name] = std::move(r);
    }
  }
  // The main branch is implicit: it is the current snapshot.
  if (m.current_snapshot_id) {
    SnapshotRef& main = m.refs["main"];
    main.name = "main";
    main.is_branch = true;
    main.snapshot_id = *m.current_snapshot_id;
  }
  m.default_sort_order_id = static_cast<int>(opt_i64(o, "default-sort-order-id", file).value_or(0));

  if (m.format_version >= 3) {
    for (const char* key : {"next-row-id", "encryption-keys", "row-lineage"}) {
      if (o.contains(key)) {
        m.warnings.push_back(std::string("format-version 3 field '") + key +
                             "' is ignored: it changes nothing a read returns");
      }
    }
  }
  return m;
}

PartitionSpec parse_partition_spec_fields(std::string_view json, int spec_id,
                                          const std::string& file) {
  return parse_spec_fields(json_util::parse(json, file), spec_id, file);
}

std::string schema_to_json(const Schema& schema) {
  return json::serialize(schema_json(schema));
}

std::string partition_spec_to_json(const PartitionSpec& spec) {
  json::object o;
  o["spec-id"] = spec.spec_id;
  json::array fields;
  for (const auto& f : spec.fields) {
    json::object fo;
    fo["name"] = f.name;
    fo["transform"] = f.transform;
    fo["source-id"] = f.source_id;
    fo["field-id"] = f.field_id;
    fields.push_back(std::move(fo));
  }
  o["fields"] = std::move(fields);
  return json::serialize(o);
}

}  // namespace strata::lake
