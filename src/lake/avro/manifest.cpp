#include "lake/avro/manifest.h"

#include <avro.h>

#include <algorithm>
#include <boost/json.hpp>
#include <cstdio>
#include <memory>

#include "lake/avro/ocf_header.h"
#include "lake/lake_error.h"

namespace strata::lake {

namespace {

// One open Avro container file over bytes in memory, with a generic value
// of its writer schema to read records into.
class AvroReader {
 public:
  AvroReader(std::string_view bytes, const std::string& file) : file_(file), bytes_(bytes) {
    header_ = read_ocf_header(bytes, file);
    if (const std::string* codec = header_.get("avro.codec")) {
      static const char* kReadable[] = {"null", "deflate", "snappy", "lzma"};
      if (std::find_if(std::begin(kReadable), std::end(kReadable),
                       [&](const char* c) { return *codec == c; }) == std::end(kReadable)) {
        fail_file(file, "Avro codec '" + *codec + "' is not supported",
                  "rewrite the table's manifests with write.manifest.compression-codec=gzip "
                  "(deflate) or uncompressed");
      }
    }
    // fmemopen needs a mutable buffer it does not own.
    buffer_.assign(bytes.begin(), bytes.end());
    FILE* fp = fmemopen(buffer_.data(), buffer_.size(), "rb");
    if (!fp) fail_file(file, "cannot open the Avro file in memory");
    if (avro_file_reader_fp(fp, file.c_str(), 1, &reader_) != 0) {
      reader_ = nullptr;
      fail_file(file, std::string("cannot read the Avro file: ") + avro_strerror());
    }
    avro_schema_t schema = avro_file_reader_get_writer_schema(reader_);
    iface_ = avro_generic_class_from_schema(schema);
    if (!iface_) fail_file(file, std::string("unusable Avro schema: ") + avro_strerror());
    if (avro_generic_value_new(iface_, &value_) != 0) {
      fail_file(file, std::string("cannot allocate an Avro value: ") + avro_strerror());
    }
    has_value_ = true;
  }

  ~AvroReader() {
    if (has_value_) avro_value_decref(&value_);
    if (iface_) avro_value_iface_decref(iface_);
    if (reader_) avro_file_reader_close(reader_);
  }
  AvroReader(const AvroReader&) = delete;
  AvroReader& operator=(const AvroReader&) = delete;

  const OcfHeader& header() const { return header_; }

  // Reads the next record into value(); false at the end.
  bool next() {
    int rc = avro_file_reader_read_value(reader_, &value_);
    if (rc == 0) return true;
    if (rc == EOF) return false;
    fail_file(file_, std::string("corrupt Avro data: ") + avro_strerror(),
              "the file is truncated or damaged");
  }
  avro_value_t* value() { return &value_; }

 private:
  std::string file_;
  std::string_view bytes_;
  std::string buffer_;
  OcfHeader header_;
  avro_file_reader_t reader_ = nullptr;
  avro_value_iface_t* iface_ = nullptr;
  avro_value_t value_{};
  bool has_value_ = false;
};

// Accessors on generic values. Unions resolve to their branch; a null branch
// (or a missing field) is "absent".
class Fields {
 public:
  Fields(const std::string& file) : file_(file) {}

  std::optional<avro_value_t> field(avro_value_t* rec, const char* name) const {
    avro_value_t child;
    if (avro_value_get_by_name(rec, name, &child, nullptr) != 0) return std::nullopt;
    return resolve(child);
  }

  std::optional<avro_value_t> resolve(avro_value_t v) const {
    if (avro_value_get_type(&v) == AVRO_UNION) {
      avro_value_t branch;
      if (avro_value_get_current_branch(&v, &branch) != 0) return std::nullopt;
      v = branch;
    }
    if (avro_value_get_type(&v) == AVRO_NULL) return std::nullopt;
    return v;
  }

  std::optional<int64_t> i64(avro_value_t* rec, const char* name) const {
    auto v = field(rec, name);
    if (!v) return std::nullopt;
    return as_i64(*v, name);
  }

  int64_t as_i64(avro_value_t& v, const char* what) const {
    switch (avro_value_get_type(&v)) {
      case AVRO_INT32: {
        int32_t x = 0;
        avro_value_get_int(&v, &x);
        return x;
      }
      case AVRO_INT64: {
        int64_t x = 0;
        avro_value_get_long(&v, &x);
        return x;
      }
      default: fail_file(file_, std::string("manifest field '") + what + "' is not an integer");
    }
  }

  std::optional<bool> boolean(avro_value_t* rec, const char* name) const {
    auto v = field(rec, name);
    if (!v) return std::nullopt;
    if (avro_value_get_type(&*v) != AVRO_BOOLEAN) {
      fail_file(file_, std::string("manifest field '") + name + "' is not a boolean");
    }
    int b = 0;
    avro_value_get_boolean(&*v, &b);
    return b != 0;
  }

  std::optional<std::string> bytes(avro_value_t* rec, const char* name) const {
    auto v = field(rec, name);
    if (!v) return std::nullopt;
    return as_bytes(*v, name);
  }

  std::string as_bytes(avro_value_t& v, const char* what) const {
    const void* buf = nullptr;
    size_t size = 0;
    switch (avro_value_get_type(&v)) {
      case AVRO_STRING: {
        const char* s = nullptr;
        avro_value_get_string(&v, &s, &size);
        // Avro C counts the terminating NUL in a string's size.
        return std::string(s, size > 0 ? size - 1 : 0);
      }
      case AVRO_BYTES: avro_value_get_bytes(&v, &buf, &size); break;
      case AVRO_FIXED: avro_value_get_fixed(&v, &buf, &size); break;
      default: fail_file(file_, std::string("manifest field '") + what + "' is not text or bytes");
    }
    return std::string(static_cast<const char*>(buf), size);
  }

  // An Iceberg map with int keys: an array of {key, value} records (or,
  // from some writers, an Avro map keyed by the id as text).
  template <typename Fn>
  void each_kv(avro_value_t* rec, const char* name, Fn fn) const {
    auto v = field(rec, name);
    if (!v) return;
    size_t n = 0;
    avro_value_get_size(&*v, &n);
    if (avro_value_get_type(&*v) == AVRO_ARRAY) {
      for (size_t i = 0; i < n; ++i) {
        avro_value_t item;
        avro_value_get_by_index(&*v, i, &item, nullptr);
        auto k = i64(&item, "key");
        auto val = field(&item, "value");
        if (k && val) fn(static_cast<int>(*k), *val);
      }
    } else if (avro_value_get_type(&*v) == AVRO_MAP) {
      for (size_t i = 0; i < n; ++i) {
        avro_value_t item;
        const char* key = nullptr;
        avro_value_get_by_index(&*v, i, &item, &key);
        auto val = resolve(item);
        if (key && val) fn(std::atoi(key), *val);
      }
    }
  }

  // A partition value as Avro stored it (see DataFile::partition).
  Value raw_value(avro_value_t v) const {
    auto r = resolve(v);
    if (!r) return Value();
    switch (avro_value_get_type(&*r)) {
      case AVRO_BOOLEAN: {
        int b = 0;
        avro_value_get_boolean(&*r, &b);
        return Value::boolean(b != 0);
      }
      case AVRO_INT32: {
        int32_t x = 0;
        avro_value_get_int(&*r, &x);
        Value out = Value::int64(x);
        out.type = Type::of(TypeId::kInt32);
        return out;
      }
      case AVRO_INT64: {
        int64_t x = 0;
        avro_value_get_long(&*r, &x);
        return Value::int64(x);
      }
      case AVRO_FLOAT: {
        float f = 0;
        avro_value_get_float(&*r, &f);
        Value out = Value::float64(f);
        out.type = Type::of(TypeId::kFloat);
        return out;
      }
      case AVRO_DOUBLE: {
        double d = 0;
        avro_value_get_double(&*r, &d);
        return Value::float64(d);
      }
      case AVRO_STRING: return Value::string(as_bytes(*r, "partition"));
      case AVRO_BYTES:
      case AVRO_FIXED: {
        Value out = Value::string(as_bytes(*r, "partition"));
        out.type = Type::of(TypeId::kBlob);
        return out;
      }
      default: fail_file(file_, "a partition value has an unsupported Avro type");
    }
  }

 private:
  const std::string& file_;
};

// Field ids of data_file.partition's fields, from the header's schema text.
std::vector<int> partition_field_ids(const OcfHeader& h) {
  std::vector<int> ids;
  boost::system::error_code ec;
  boost::json::value schema = boost::json::parse(*h.get("avro.schema"), ec);
  if (ec || !schema.is_object()) return ids;
  auto find_field = [](const boost::json::value& record,
                       std::string_view name) -> const boost::json::value* {
    if (!record.is_object()) return nullptr;
    const auto* fields = record.get_object().if_contains("fields");
    if (!fields || !fields->is_array()) return nullptr;
    for (const auto& f : fields->get_array()) {
      if (!f.is_object()) continue;
      const auto* n = f.get_object().if_contains("name");
      if (n && n->is_string() && n->get_string() == name) return &f;
    }
    return nullptr;
  };
  auto record_type = [](const boost::json::value* field) -> const boost::json::value* {
    if (!field) return nullptr;
    const auto* t = field->get_object().if_contains("type");
    if (!t) return nullptr;
    if (t->is_array()) {  // a union: the record branch
      for (const auto& b : t->get_array()) {
        if (b.is_object()) return &b;
      }
      return nullptr;
    }
    return t->is_object() ? t : nullptr;
  };
  const auto* data_file = record_type(find_field(schema, "data_file"));
  const auto* partition = data_file ? record_type(find_field(*data_file, "partition")) : nullptr;
  if (!partition) return ids;
  const auto* fields = partition->get_object().if_contains("fields");
  if (!fields || !fields->is_array()) return ids;
  for (const auto& f : fields->get_array()) {
    const auto* id = f.is_object() ? f.get_object().if_contains("field-id") : nullptr;
    if (!id || !id->is_number()) return {};
    ids.push_back(static_cast<int>(id->to_number<int64_t>()));
  }
  return ids;
}

std::string upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

}  // namespace

std::vector<ManifestFile> read_manifest_list(std::string_view bytes, const std::string& file) {
  AvroReader r(bytes, file);
  Fields f(file);
  std::vector<ManifestFile> out;
  auto first = [&](avro_value_t* rec, std::initializer_list<const char*> names) {
    for (const char* n : names) {
      if (auto v = f.i64(rec, n)) return v;
    }
    return std::optional<int64_t>();
  };
  while (r.next()) {
    avro_value_t* rec = r.value();
    ManifestFile m;
    auto path = f.bytes(rec, "manifest_path");
    if (!path) fail_file(file, "a manifest list entry has no manifest_path");
    m.manifest_path = *path;
    m.manifest_length = f.i64(rec, "manifest_length").value_or(0);
    m.partition_spec_id = static_cast<int>(f.i64(rec, "partition_spec_id").value_or(0));
    m.content = static_cast<int>(f.i64(rec, "content").value_or(0));
    m.sequence_number = f.i64(rec, "sequence_number").value_or(0);
    m.min_sequence_number = f.i64(rec, "min_sequence_number").value_or(0);
    m.added_snapshot_id = f.i64(rec, "added_snapshot_id");
    m.added_files_count = first(rec, {"added_files_count", "added_data_files_count"});
    m.existing_files_count = first(rec, {"existing_files_count", "existing_data_files_count"});
    m.deleted_files_count = first(rec, {"deleted_files_count", "deleted_data_files_count"});
    m.added_rows_count = f.i64(rec, "added_rows_count");
    m.existing_rows_count = f.i64(rec, "existing_rows_count");
    m.deleted_rows_count = f.i64(rec, "deleted_rows_count");
    if (auto parts = f.field(rec, "partitions")) {
      size_t n = 0;
      avro_value_get_size(&*parts, &n);
      for (size_t i = 0; i < n; ++i) {
        avro_value_t item;
        avro_value_get_by_index(&*parts, i, &item, nullptr);
        FieldSummary s;
        s.contains_null = f.boolean(&item, "contains_null").value_or(true);
        s.contains_nan = f.boolean(&item, "contains_nan");
        s.lower_bound = f.bytes(&item, "lower_bound");
        s.upper_bound = f.bytes(&item, "upper_bound");
        m.partitions.push_back(std::move(s));
      }
    }
    out.push_back(std::move(m));
  }
  return out;
}

Manifest read_manifest(std::string_view bytes, const std::string& file,
                       const ManifestFile& list_entry, int format_version) {
  AvroReader r(bytes, file);
  Fields f(file);
  Manifest m;
  m.header = r.header().metadata;
  m.partition_field_ids = partition_field_ids(r.header());
  while (r.next()) {
    avro_value_t* rec = r.value();
    ManifestEntry e;
    auto status = f.i64(rec, "status");
    if (!status || *status < 0 || *status > 2)
      fail_file(file, "a manifest entry has no valid status");
    e.status = static_cast<EntryStatus>(*status);
    e.snapshot_id = f.i64(rec, "snapshot_id");
    auto seq = f.i64(rec, "sequence_number");
    auto file_seq = f.i64(rec, "file_sequence_number");
    if (format_version <= 1) {
      e.sequence_number = seq.value_or(0);
      e.file_sequence_number = file_seq.value_or(0);
    } else {
      int64_t inherited = e.status == EntryStatus::kAdded ? list_entry.sequence_number : 0;
      e.sequence_number = seq.value_or(inherited);
      e.file_sequence_number = file_seq.value_or(inherited);
    }
    if (!e.snapshot_id && e.status == EntryStatus::kAdded) {
      e.snapshot_id = list_entry.added_snapshot_id;
    }
    auto df = f.field(rec, "data_file");
    if (!df) fail_file(file, "a manifest entry has no data_file");
    DataFile& d = e.data_file;
    d.content = static_cast<FileContent>(f.i64(&*df, "content").value_or(0));
    if (static_cast<int>(d.content) < 0 || static_cast<int>(d.content) > 2) {
      fail_file(file, "a data file has an unknown content type");
    }
    auto path = f.bytes(&*df, "file_path");
    if (!path) fail_file(file, "a manifest entry has no file_path");
    d.file_path = *path;
    d.file_format = upper(f.bytes(&*df, "file_format").value_or("PARQUET"));
    if (auto part = f.field(&*df, "partition")) {
      size_t n = 0;
      avro_value_get_size(&*part, &n);
      for (size_t i = 0; i < n; ++i) {
        avro_value_t pv;
        avro_value_get_by_index(&*part, i, &pv, nullptr);
        d.partition.push_back(f.raw_value(pv));
      }
    }
    d.record_count = f.i64(&*df, "record_count").value_or(0);
    d.file_size_in_bytes = f.i64(&*df, "file_size_in_bytes").value_or(0);
    auto count_map = [&](const char* name, std::map<int, int64_t>& out) {
      f.each_kv(&*df, name, [&](int k, avro_value_t v) { out[k] = f.as_i64(v, name); });
    };
    count_map("column_sizes", d.column_sizes);
    count_map("value_counts", d.value_counts);
    count_map("null_value_counts", d.null_value_counts);
    count_map("nan_value_counts", d.nan_value_counts);
    f.each_kv(&*df, "lower_bounds",
              [&](int k, avro_value_t v) { d.lower_bounds[k] = f.as_bytes(v, "lower_bounds"); });
    f.each_kv(&*df, "upper_bounds",
              [&](int k, avro_value_t v) { d.upper_bounds[k] = f.as_bytes(v, "upper_bounds"); });
    if (auto eq = f.field(&*df, "equality_ids")) {
      size_t n = 0;
      avro_value_get_size(&*eq, &n);
      for (size_t i = 0; i < n; ++i) {
        avro_value_t item;
        avro_value_get_by_index(&*eq, i, &item, nullptr);
        if (auto v = f.resolve(item)) {
          d.equality_ids.push_back(static_cast<int>(f.as_i64(*v, "equality_ids")));
        }
      }
    }
    d.referenced_data_file = f.bytes(&*df, "referenced_data_file");
    d.content_offset = f.i64(&*df, "content_offset");
    d.content_size_in_bytes = f.i64(&*df, "content_size_in_bytes");
    if (auto so = f.i64(&*df, "sort_order_id")) d.sort_order_id = static_cast<int>(*so);
    m.entries.push_back(std::move(e));
  }
  return m;
}

}  // namespace strata::lake
