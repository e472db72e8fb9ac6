#include "lake/inspect.h"

#include <boost/json.hpp>
#include <sstream>

#include "core/time.h"
#include "lake/metadata/json_util.h"

namespace strata::lake {

namespace json = boost::json;

namespace {

std::string iso_ms(int64_t ms) {
  return format_iso_local(ms * 1000, 3) + "Z";
}

json::object field_json(const NestedField& f) {
  json::object o;
  o["id"] = f.id;
  o["name"] = f.name;
  o["type"] = type_name(*f.type);
  o["required"] = f.required;
  if (!f.doc.empty()) o["doc"] = f.doc;
  if (f.initial_default) o["initialDefault"] = json::parse(*f.initial_default);
  return o;
}

json::value report(const LoadedTable& t, const TableCounts* counts) {
  const TableMetadata& m = *t.metadata;
  json::object o;
  o["table"] = t.ident.to_string();
  o["location"] = m.location;
  o["metadataLocation"] = t.metadata_location;
  o["formatVersion"] = m.format_version;
  o["tableUuid"] = m.table_uuid;
  o["lastUpdated"] = iso_ms(m.last_updated_ms);
  o["lastSequenceNumber"] = m.last_sequence_number;
  json::array fields;
  for (const auto& f : m.current_schema().fields) fields.push_back(field_json(f));
  json::object schema;
  schema["schemaId"] = m.current_schema_id;
  schema["fields"] = std::move(fields);
  o["schema"] = std::move(schema);
  o["schemaCount"] = m.schemas.size();
  json::array specs;
  for (const auto& s : m.specs) {
    json::object so;
    so["specId"] = s.spec_id;
    so["default"] = s.spec_id == m.default_spec_id;
    json::array pf;
    for (const auto& f : s.fields) {
      json::object fo;
      fo["name"] = f.name;
      fo["transform"] = f.transform;
      fo["sourceId"] = f.source_id;
      const NestedField* src = m.find_field_any_schema(f.source_id);
      fo["source"] = src ? src->name : "";
      fo["fieldId"] = f.field_id;
      pf.push_back(std::move(fo));
    }
    so["fields"] = std::move(pf);
    specs.push_back(std::move(so));
  }
  o["partitionSpecs"] = std::move(specs);
  json::array snaps;
  for (const auto& s : m.snapshots) {
    json::object so;
    so["snapshotId"] = std::to_string(s.snapshot_id);
    if (s.parent_snapshot_id) so["parentId"] = std::to_string(*s.parent_snapshot_id);
    so["sequenceNumber"] = s.sequence_number;
    so["timestamp"] = iso_ms(s.timestamp_ms);
    so["timestampMs"] = s.timestamp_ms;
    so["operation"] = s.operation();
    if (s.schema_id) so["schemaId"] = *s.schema_id;
    so["current"] = m.current_snapshot_id && *m.current_snapshot_id == s.snapshot_id;
    json::object summary;
    for (const auto& [k, v] : s.summary) summary[k] = v;
    so["summary"] = std::move(summary);
    snaps.push_back(std::move(so));
  }
  o["snapshots"] = std::move(snaps);
  o["currentSnapshotId"] = m.current_snapshot_id
                               ? json::value(std::to_string(*m.current_snapshot_id))
                               : json::value(nullptr);
  json::array refs;
  for (const auto& [name, r] : m.refs) {
    json::object ro;
    ro["name"] = name;
    ro["type"] = r.is_branch ? "branch" : "tag";
    ro["snapshotId"] = std::to_string(r.snapshot_id);
    refs.push_back(std::move(ro));
  }
  o["refs"] = std::move(refs);
  json::object props;
  for (const auto& [k, v] : m.properties) props[k] = v;
  o["properties"] = std::move(props);
  if (!m.warnings.empty()) {
    json::array w;
    for (const auto& s : m.warnings) w.push_back(json::string(s));
    o["warnings"] = std::move(w);
  }
  if (counts) {
    json::object c;
    c["snapshotId"] = counts->snapshot_id ? json::value(std::to_string(*counts->snapshot_id))
                                          : json::value(nullptr);
    c["manifests"] = counts->manifests;
    c["dataFiles"] = counts->data_files;
    c["deleteFiles"] = counts->delete_files;
    c["positionDeleteFiles"] = counts->position_delete_files;
    c["equalityDeleteFiles"] = counts->equality_delete_files;
    c["deletionVectors"] = counts->deletion_vectors;
    c["records"] = counts->records;
    c["deletedRecords"] = counts->deleted_records;
    c["dataBytes"] = counts->data_bytes;
    if (counts->rows) c["rows"] = *counts->rows;
    o["counts"] = std::move(c);
  }
  return o;
}

}  // namespace

TableCounts table_counts(LakeEngine& engine, const LoadedTable& table,
                         const std::optional<TableVersion>& as_of, bool count_rows) {
  ScanOptions o;
  o.as_of = as_of;
  o.include_all_files = true;
  ScanPlan plan = engine.reader().plan(table, o);
  TableCounts c;
  c.snapshot_id = plan.snapshot_id;
  c.manifests = plan.stats.manifests;
  c.data_files = plan.stats.data_files;
  for (const auto& t : plan.tasks) {
    c.records += t.file.record_count;
    c.data_bytes += t.file.file_size_in_bytes;
  }
  for (const auto& d : plan.delete_files) {
    ++c.delete_files;
    c.deleted_records += d.file.record_count;
    if (d.file.file_format == "PUFFIN") {
      ++c.deletion_vectors;
    } else if (d.file.content == FileContent::kPositionDeletes) {
      ++c.position_delete_files;
    } else {
      ++c.equality_delete_files;
    }
  }
  if (count_rows) {
    LakeView v;
    v.name = "__strata_inspect";
    v.table = &table;
    v.scan.as_of = as_of;
    ResultSet rs = engine.run({v}, "SELECT count(*) FROM \"__strata_inspect\"", ExecOptions{});
    c.rows = rs.column(0).value_at(0).i;
  }
  return c;
}

std::string table_report_json(const LoadedTable& table, const TableCounts* counts) {
  return json::serialize(report(table, counts));
}

std::string table_report_text(const LoadedTable& t, const TableCounts* counts) {
  const TableMetadata& m = *t.metadata;
  std::ostringstream out;
  out << "table       " << t.ident.to_string() << "\n";
  out << "location    " << m.location << "\n";
  out << "metadata    " << t.metadata_location << "\n";
  out << "format      v" << m.format_version << ", uuid " << m.table_uuid << "\n";
  for (const auto& w : m.warnings) out << "warning     " << w << "\n";
  out << "\nschema " << m.current_schema_id << " (" << m.schemas.size() << " schema"
      << (m.schemas.size() == 1 ? "" : "s") << " in all)\n";
  for (const auto& f : m.current_schema().fields) {
    out << "  " << f.id << "  " << f.name << "  " << type_name(*f.type)
        << (f.required ? "  required" : "") << "\n";
  }
  out << "\npartition specs\n";
  for (const auto& s : m.specs) {
    out << "  " << s.spec_id << (s.spec_id == m.default_spec_id ? " (default)" : "") << ":";
    if (s.fields.empty()) out << " unpartitioned";
    for (size_t i = 0; i < s.fields.size(); ++i) {
      const NestedField* src = m.find_field_any_schema(s.fields[i].source_id);
      out << (i ? ", " : " ") << s.fields[i].name << "=" << s.fields[i].transform << "("
          << (src ? src->name : std::to_string(s.fields[i].source_id)) << ")";
    }
    out << "\n";
  }
  out << "\nsnapshots\n";
  if (m.snapshots.empty()) out << "  none\n";
  for (const auto& s : m.snapshots) {
    bool current = m.current_snapshot_id && *m.current_snapshot_id == s.snapshot_id;
    out << "  " << s.snapshot_id << "  seq " << s.sequence_number << "  " << iso_ms(s.timestamp_ms)
        << "  " << s.operation();
    for (const char* key :
         {"added-records", "total-records", "total-data-files", "total-delete-files"}) {
      auto it = s.summary.find(key);
      if (it != s.summary.end()) out << "  " << key << "=" << it->second;
    }
    out << (current ? "  (current)" : "") << "\n";
  }
  out << "\nrefs\n";
  if (m.refs.empty()) out << "  none\n";
  for (const auto& [name, r] : m.refs)
    out << "  " << name << "  " << (r.is_branch ? "branch" : "tag") << " -> " << r.snapshot_id
        << "\n";
  if (counts) {
    out << "\nat snapshot " << (counts->snapshot_id ? std::to_string(*counts->snapshot_id) : "none")
        << "\n";
    out << "  manifests     " << counts->manifests << "\n";
    out << "  data files    " << counts->data_files << " (" << counts->data_bytes << " bytes)\n";
    out << "  delete files  " << counts->delete_files << " (" << counts->position_delete_files
        << " position, " << counts->equality_delete_files << " equality, "
        << counts->deletion_vectors << " deletion vectors)\n";
    out << "  records       " << counts->records << " in data files, " << counts->deleted_records
        << " in delete files\n";
    if (counts->rows) out << "  rows          " << *counts->rows << " (after deletes)\n";
  }
  return out.str();
}

}  // namespace strata::lake
