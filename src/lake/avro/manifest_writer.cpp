#include "lake/avro/manifest_writer.h"

#include <boost/json.hpp>
#include <cmath>
#include <cstring>
#include <random>

#include "core/error.h"
#include "lake/avro/ocf_header.h"
#include "lake/scan/transforms.h"
#include "lake/scan/values.h"

namespace strata::lake {

namespace json = boost::json;

namespace {

class Encoder {
 public:
  void l(int64_t v) { append_avro_long(out, v); }
  void boolean(bool b) { out += b ? '\x01' : '\x00'; }
  void bytes(std::string_view s) {
    l(static_cast<int64_t>(s.size()));
    out.append(s);
  }
  void fixed(std::string_view s) { out.append(s); }
  void f32(float f) {
    uint32_t bits = 0;
    std::memcpy(&bits, &f, 4);
    for (int i = 0; i < 4; ++i) out += static_cast<char>((bits >> (8 * i)) & 0xff);
  }
  void f64(double d) {
    uint64_t bits = 0;
    std::memcpy(&bits, &d, 8);
    for (int i = 0; i < 8; ++i) out += static_cast<char>((bits >> (8 * i)) & 0xff);
  }
  void null_branch() { l(0); }
  void value_branch() { l(1); }
  std::string out;
};

int decimal_bytes(int precision) {
  return static_cast<int>(std::ceil((precision * std::log2(10.0) + 1) / 8.0));
}

std::string sanitize(const std::string& name) {
  std::string out;
  for (char c : name) {
    bool ok = std::isalnum(static_cast<unsigned char>(c)) || c == '_';
    out += ok ? c : '_';
  }
  if (out.empty() || std::isdigit(static_cast<unsigned char>(out[0]))) out = "_" + out;
  return out;
}

json::value avro_type(const IcebergType& t, int field_id) {
  auto logical = [](const char* base, const char* lt) {
    json::object o;
    o["type"] = base;
    o["logicalType"] = lt;
    return o;
  };
  switch (t.kind) {
    case TypeKind::kBoolean: return "boolean";
    case TypeKind::kInt: return "int";
    case TypeKind::kLong: return "long";
    case TypeKind::kFloat: return "float";
    case TypeKind::kDouble: return "double";
    case TypeKind::kString: return "string";
    case TypeKind::kBinary: return "bytes";
    case TypeKind::kDate: return logical("int", "date");
    case TypeKind::kTime: return logical("long", "time-micros");
    case TypeKind::kTimestamp:
    case TypeKind::kTimestampNs: {
      json::object o = logical("long", "timestamp-micros");
      o["adjust-to-utc"] = false;
      return o;
    }
    case TypeKind::kTimestampTz:
    case TypeKind::kTimestampTzNs: {
      json::object o = logical("long", "timestamp-micros");
      o["adjust-to-utc"] = true;
      return o;
    }
    case TypeKind::kUuid: {
      json::object o;
      o["type"] = "fixed";
      o["name"] = "uuid_fixed_" + std::to_string(field_id);
      o["size"] = 16;
      o["logicalType"] = "uuid";
      return o;
    }
    case TypeKind::kFixed: {
      json::object o;
      o["type"] = "fixed";
      o["name"] = "fixed_" + std::to_string(field_id);
      o["size"] = t.length;
      return o;
    }
    case TypeKind::kDecimal: {
      json::object o;
      o["type"] = "fixed";
      o["name"] = "decimal_" + std::to_string(field_id);
      o["size"] = decimal_bytes(t.precision);
      o["logicalType"] = "decimal";
      o["precision"] = t.precision;
      o["scale"] = t.scale;
      return o;
    }
    default: throw UserError("cannot write a partition value of type " + type_name(t));
  }
}

void encode_value(Encoder& e, const Value& v, const IcebergType& t) {
  switch (t.kind) {
    case TypeKind::kBoolean: e.boolean(v.i != 0); return;
    case TypeKind::kInt:
    case TypeKind::kDate:
    case TypeKind::kLong:
    case TypeKind::kTime:
    case TypeKind::kTimestamp:
    case TypeKind::kTimestampTz: e.l(v.i); return;
    case TypeKind::kTimestampNs:
    case TypeKind::kTimestampTzNs: e.l(v.i); return;
    case TypeKind::kFloat: e.f32(static_cast<float>(v.d)); return;
    case TypeKind::kDouble: e.f64(v.d); return;
    case TypeKind::kString:
    case TypeKind::kBinary: e.bytes(v.s); return;
    case TypeKind::kUuid:
    case TypeKind::kFixed: e.fixed(v.s); return;
    case TypeKind::kDecimal: {
      std::string minimal = decimal_to_bytes(v.dec);
      auto size = static_cast<size_t>(decimal_bytes(t.precision));
      char pad = (!minimal.empty() && (static_cast<uint8_t>(minimal[0]) & 0x80)) ? '\xff' : '\x00';
      std::string full(size > minimal.size() ? size - minimal.size() : 0, pad);
      e.fixed(full + minimal);
      return;
    }
    default: throw UserError("cannot write a partition value of type " + type_name(t));
  }
}

json::object field(const char* name, json::value type, int id, bool optional) {
  json::object o;
  o["name"] = name;
  if (optional) {
    o["type"] = json::array{"null", std::move(type)};
    o["default"] = nullptr;
  } else {
    o["type"] = std::move(type);
  }
  o["field-id"] = id;
  return o;
}

json::object kv_array(const char* record, int key_id, int value_id, const char* value_type) {
  json::object item;
  item["type"] = "record";
  item["name"] = record;
  item["fields"] =
      json::array{field("key", "int", key_id, false), field("value", value_type, value_id, false)};
  json::object arr;
  arr["type"] = "array";
  arr["logicalType"] = "map";
  arr["items"] = std::move(item);
  return arr;
}

std::string container(const std::string& schema,
                      const std::vector<std::pair<std::string, std::string>>& meta,
                      const std::string& records, int64_t count) {
  std::string out("Obj\x01", 4);
  std::vector<std::pair<std::string, std::string>> all = meta;
  all.emplace_back("avro.schema", schema);
  all.emplace_back("avro.codec", "null");
  append_avro_long(out, static_cast<int64_t>(all.size()));
  for (const auto& [k, v] : all) {
    append_avro_long(out, static_cast<int64_t>(k.size()));
    out += k;
    append_avro_long(out, static_cast<int64_t>(v.size()));
    out += v;
  }
  append_avro_long(out, 0);
  std::random_device rd;
  std::string sync;
  for (int i = 0; i < 16; ++i) sync += static_cast<char>(rd() & 0xff);
  out += sync;
  if (count > 0) {
    append_avro_long(out, count);
    append_avro_long(out, static_cast<int64_t>(records.size()));
    out += records;
    out += sync;
  }
  return out;
}

void encode_counts(Encoder& e, const std::map<int, int64_t>& m) {
  e.value_branch();
  if (!m.empty()) {
    e.l(static_cast<int64_t>(m.size()));
    for (const auto& [k, v] : m) {
      e.l(k);
      e.l(v);
    }
  }
  e.l(0);
}

void encode_bounds(Encoder& e, const std::map<int, std::string>& m) {
  e.value_branch();
  if (!m.empty()) {
    e.l(static_cast<int64_t>(m.size()));
    for (const auto& [k, v] : m) {
      e.l(k);
      e.bytes(v);
    }
  }
  e.l(0);
}

std::vector<TypePtr> result_types(const TableMetadata& table, const PartitionSpec& spec) {
  std::vector<TypePtr> out;
  for (const auto& pf : spec.fields) {
    const NestedField* src = table.find_field_any_schema(pf.source_id);
    if (!src) throw UserError("partition field " + pf.name + " has no source column");
    out.push_back(transform_result_type(parse_transform(pf.transform), src->type));
  }
  return out;
}

}  // namespace

std::string write_data_manifest(const TableMetadata& table, const Schema& schema,
                                const PartitionSpec& spec, const std::vector<NewDataFile>& files) {
  std::vector<TypePtr> types = result_types(table, spec);
  json::array pfields;
  for (size_t i = 0; i < spec.fields.size(); ++i) {
    const auto& pf = spec.fields[i];
    pfields.push_back(
        field(sanitize(pf.name).c_str(), avro_type(*types[i], pf.field_id), pf.field_id, true));
  }
  json::object partition;
  partition["type"] = "record";
  partition["name"] = "r102";
  partition["fields"] = std::move(pfields);
  json::object data_file;
  data_file["type"] = "record";
  data_file["name"] = "r2";
  data_file["fields"] = json::array{
      field("content", "int", 134, false),
      field("file_path", "string", 100, false),
      field("file_format", "string", 101, false),
      field("partition", std::move(partition), 102, false),
      field("record_count", "long", 103, false),
      field("file_size_in_bytes", "long", 104, false),
      field("value_counts", kv_array("k119_v120", 119, 120, "long"), 109, true),
      field("null_value_counts", kv_array("k121_v122", 121, 122, "long"), 110, true),
      field("nan_value_counts", kv_array("k138_v139", 138, 139, "long"), 137, true),
      field("lower_bounds", kv_array("k126_v127", 126, 127, "bytes"), 125, true),
      field("upper_bounds", kv_array("k129_v130", 129, 130, "bytes"), 128, true),
      field("sort_order_id", "int", 140, true),
  };
  json::object entry;
  entry["type"] = "record";
  entry["name"] = "manifest_entry";
  entry["fields"] = json::array{
      field("status", "int", 0, false), field("snapshot_id", "long", 1, true),
      field("sequence_number", "long", 3, true), field("file_sequence_number", "long", 4, true),
      field("data_file", std::move(data_file), 2, false)};
  Encoder e;
  for (const NewDataFile& nf : files) {
    const DataFile& f = nf.file;
    e.l(1);           // ADDED
    e.null_branch();  // snapshot_id: inherited
    e.null_branch();  // sequence_number: inherited
    e.null_branch();  // file_sequence_number: inherited
    e.l(0);           // content: data
    e.bytes(f.file_path);
    e.bytes("PARQUET");
    for (size_t i = 0; i < spec.fields.size(); ++i) {
      const Value& v = i < nf.partition.size() ? nf.partition[i] : Value();
      if (v.null) {
        e.null_branch();
      } else {
        e.value_branch();
        encode_value(e, v, *types[i]);
      }
    }
    e.l(f.record_count);
    e.l(f.file_size_in_bytes);
    encode_counts(e, f.value_counts);
    encode_counts(e, f.null_value_counts);
    encode_counts(e, f.nan_value_counts);
    encode_bounds(e, f.lower_bounds);
    encode_bounds(e, f.upper_bounds);
    e.value_branch();
    e.l(0);  // sort order 0: unsorted
  }
  json::array spec_fields =
      json::parse(partition_spec_to_json(spec)).as_object()["fields"].as_array();
  std::vector<std::pair<std::string, std::string>> meta = {
      {"schema", schema_to_json(schema)},
      {"schema-id", std::to_string(schema.schema_id)},
      {"partition-spec", json::serialize(spec_fields)},
      {"partition-spec-id", std::to_string(spec.spec_id)},
      {"format-version", "2"},
      {"content", "data"},
  };
  return container(json::serialize(entry), meta, e.out, static_cast<int64_t>(files.size()));
}

std::string write_manifest_list(const std::vector<ManifestFile>& manifests, int64_t snapshot_id,
                                std::optional<int64_t> parent, int64_t sequence_number) {
  json::object summary;
  summary["type"] = "record";
  summary["name"] = "r508";
  summary["fields"] = json::array{
      field("contains_null", "boolean", 509, false), field("contains_nan", "boolean", 518, true),
      field("lower_bound", "bytes", 510, true), field("upper_bound", "bytes", 511, true)};
  json::object list;
  list["type"] = "array";
  list["items"] = std::move(summary);
  list["element-id"] = 508;
  json::object schema;
  schema["type"] = "record";
  schema["name"] = "manifest_file";
  schema["fields"] = json::array{
      field("manifest_path", "string", 500, false),
      field("manifest_length", "long", 501, false),
      field("partition_spec_id", "int", 502, false),
      field("content", "int", 517, false),
      field("sequence_number", "long", 515, false),
      field("min_sequence_number", "long", 516, false),
      field("added_snapshot_id", "long", 503, false),
      field("added_files_count", "int", 504, false),
      field("existing_files_count", "int", 505, false),
      field("deleted_files_count", "int", 506, false),
      field("added_rows_count", "long", 512, false),
      field("existing_rows_count", "long", 513, false),
      field("deleted_rows_count", "long", 514, false),
      field("partitions", std::move(list), 507, true),
  };
  Encoder e;
  for (const ManifestFile& m : manifests) {
    e.bytes(m.manifest_path);
    e.l(m.manifest_length);
    e.l(m.partition_spec_id);
    e.l(m.content);
    e.l(m.sequence_number);
    e.l(m.min_sequence_number);
    e.l(m.added_snapshot_id.value_or(0));
    e.l(m.added_files_count.value_or(0));
    e.l(m.existing_files_count.value_or(0));
    e.l(m.deleted_files_count.value_or(0));
    e.l(m.added_rows_count.value_or(0));
    e.l(m.existing_rows_count.value_or(0));
    e.l(m.deleted_rows_count.value_or(0));
    e.value_branch();
    if (!m.partitions.empty()) {
      e.l(static_cast<int64_t>(m.partitions.size()));
      for (const FieldSummary& s : m.partitions) {
        e.boolean(s.contains_null);
        if (s.contains_nan) {
          e.value_branch();
          e.boolean(*s.contains_nan);
        } else {
          e.null_branch();
        }
        for (const auto& b : {s.lower_bound, s.upper_bound}) {
          if (b) {
            e.value_branch();
            e.bytes(*b);
          } else {
            e.null_branch();
          }
        }
      }
    }
    e.l(0);
  }
  std::vector<std::pair<std::string, std::string>> meta = {
      {"snapshot-id", std::to_string(snapshot_id)},
      {"sequence-number", std::to_string(sequence_number)},
      {"format-version", "2"},
  };
  if (parent) meta.emplace_back("parent-snapshot-id", std::to_string(*parent));
  return container(json::serialize(schema), meta, e.out, static_cast<int64_t>(manifests.size()));
}

std::vector<FieldSummary> partition_summaries(const TableMetadata& table, const PartitionSpec& spec,
                                              const std::vector<NewDataFile>& files) {
  std::vector<TypePtr> types = result_types(table, spec);
  std::vector<FieldSummary> out;
  for (size_t i = 0; i < spec.fields.size(); ++i) {
    FieldSummary s;
    s.contains_null = false;
    std::optional<Value> lo, hi;
    bool has_nan = false;
    for (const NewDataFile& f : files) {
      const Value& v = i < f.partition.size() ? f.partition[i] : Value();
      if (v.null) {
        s.contains_null = true;
        continue;
      }
      if (v.type.storage() == Storage::kDouble && std::isnan(v.d)) {
        has_nan = true;
        continue;
      }
      auto less = [](const Value& a, const Value& b) {
        switch (a.type.storage()) {
          case Storage::kInt: return a.i < b.i;
          case Storage::kDouble: return a.d < b.d;
          case Storage::kDecimal: return a.dec < b.dec;
          case Storage::kString: return a.s < b.s;
        }
        return false;
      };
      if (!lo || less(v, *lo)) lo = v;
      if (!hi || less(*hi, v)) hi = v;
    }
    if (types[i]->kind == TypeKind::kFloat || types[i]->kind == TypeKind::kDouble)
      s.contains_nan = has_nan;
    if (lo) s.lower_bound = encode_single_value(*lo, *types[i]);
    if (hi) s.upper_bound = encode_single_value(*hi, *types[i]);
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace strata::lake
