#include "lake/metadata/json_util.h"

#include "lake/lake_error.h"

namespace strata::lake::json_util {

const json::object& as_object(const json::value& v, const std::string& file,
                              std::string_view what) {
  if (!v.is_object()) fail_file(file, std::string(what) + " must be a JSON object");
  return v.get_object();
}

const json::value* find(const json::object& o, std::string_view key) {
  auto it = o.find(key);
  if (it == o.end() || it->value().is_null()) return nullptr;
  return &it->value();
}

int64_t to_i64(const json::value& v, const std::string& file, std::string_view what) {
  if (v.is_int64()) return v.get_int64();
  if (v.is_uint64()) {
    if (v.get_uint64() > static_cast<uint64_t>(INT64_MAX)) {
      fail_file(file, "'" + std::string(what) + "' is out of range");
    }
    return static_cast<int64_t>(v.get_uint64());
  }
  if (v.is_double()) {
    double d = v.get_double();
    if (d == static_cast<double>(static_cast<int64_t>(d))) return static_cast<int64_t>(d);
  }
  if (v.is_string()) {  // some writers quote long values
    const auto& s = v.get_string();
    try {
      size_t used = 0;
      long long n = std::stoll(std::string(s), &used);
      if (used == s.size()) return n;
    } catch (const std::exception&) {
    }
  }
  fail_file(file, "'" + std::string(what) + "' must be an integer");
}

std::optional<int64_t> opt_i64(const json::object& o, std::string_view key,
                               const std::string& file) {
  const json::value* v = find(o, key);
  if (!v) return std::nullopt;
  return to_i64(*v, file, key);
}

int64_t req_i64(const json::object& o, std::string_view key, const std::string& file) {
  const json::value* v = find(o, key);
  if (!v) fail_file(file, "required field '" + std::string(key) + "' is missing");
  return to_i64(*v, file, key);
}

std::optional<std::string> opt_str(const json::object& o, std::string_view key,
                                   const std::string& file) {
  const json::value* v = find(o, key);
  if (!v) return std::nullopt;
  if (!v->is_string()) fail_file(file, "'" + std::string(key) + "' must be a string");
  return std::string(v->get_string());
}

std::string req_str(const json::object& o, std::string_view key, const std::string& file) {
  auto s = opt_str(o, key, file);
  if (!s) fail_file(file, "required field '" + std::string(key) + "' is missing");
  return *s;
}

std::optional<bool> opt_bool(const json::object& o, std::string_view key, const std::string& file) {
  const json::value* v = find(o, key);
  if (!v) return std::nullopt;
  if (!v->is_bool()) fail_file(file, "'" + std::string(key) + "' must be true or false");
  return v->get_bool();
}

json::value parse(std::string_view text, const std::string& file) {
  boost::system::error_code ec;
  json::parse_options opts;
  opts.allow_invalid_utf8 = true;
  json::stream_parser p({}, opts);
  p.write(text.data(), text.size(), ec);
  if (!ec) p.finish(ec);
  if (ec) {
    fail_file(file,
              "malformed JSON (" + ec.message() + ") in " + std::to_string(text.size()) + " bytes",
              "the file is truncated or not JSON");
  }
  return p.release();
}

namespace {

NestedField parse_field(const json::object& o, const std::string& file, std::string_view id_key,
                        std::string_view name_key, std::string_view type_key,
                        std::string_view required_key, bool required_default) {
  NestedField f;
  f.id = static_cast<int>(req_i64(o, id_key, file));
  if (!name_key.empty()) f.name = req_str(o, name_key, file);
  const json::value* t = find(o, type_key);
  if (!t) fail_file(file, "field " + std::to_string(f.id) + " has no type");
  f.type = parse_type(*t, file);
  f.required = opt_bool(o, required_key, file).value_or(required_default);
  return f;
}

}  // namespace

TypePtr parse_type(const json::value& v, const std::string& file) {
  if (v.is_string()) {
    TypePtr t = parse_primitive_type(v.get_string());
    if (!t) fail_file(file, "unknown Iceberg type '" + std::string(v.get_string()) + "'");
    return t;
  }
  const json::object& o = as_object(v, file, "a type");
  std::string kind = req_str(o, "type", file);
  auto t = std::make_shared<IcebergType>();
  if (kind == "struct") {
    t->kind = TypeKind::kStruct;
    const json::value* fields = find(o, "fields");
    if (!fields || !fields->is_array()) fail_file(file, "a struct type has no 'fields' list");
    for (const auto& fv : fields->get_array()) {
      const json::object& fo = as_object(fv, file, "a struct field");
      NestedField f = parse_field(fo, file, "id", "name", "type", "required", false);
      if (auto d = opt_str(fo, "doc", file)) f.doc = *d;
      if (const json::value* d = find(fo, "initial-default")) f.initial_default = serialize(*d);
      if (const json::value* d = find(fo, "write-default")) f.write_default = serialize(*d);
      t->fields.push_back(std::move(f));
    }
  } else if (kind == "list") {
    t->kind = TypeKind::kList;
    t->element = parse_field(o, file, "element-id", "", "element", "element-required", false);
    t->element.name = "element";
  } else if (kind == "map") {
    t->kind = TypeKind::kMap;
    t->key = parse_field(o, file, "key-id", "", "key", "", true);
    t->key.name = "key";
    t->key.required = true;
    t->value = parse_field(o, file, "value-id", "", "value", "value-required", false);
    t->value.name = "value";
  } else {
    fail_file(file, "unknown Iceberg type '" + kind + "'");
  }
  return t;
}

Schema parse_schema(const json::value& v, const std::string& file) {
  const json::object& o = as_object(v, file, "a schema");
  Schema s;
  s.schema_id = static_cast<int>(opt_i64(o, "schema-id", file).value_or(0));
  TypePtr t = parse_type(v, file);
  if (t->kind != TypeKind::kStruct) fail_file(file, "a schema must be a struct");
  s.fields = t->fields;
  if (const json::value* ids = find(o, "identifier-field-ids")) {
    if (ids->is_array()) {
      for (const auto& id : ids->get_array())
        s.identifier_field_ids.push_back(
            static_cast<int>(to_i64(id, file, "identifier-field-ids")));
    }
  }
  return s;
}

json::value type_to_json(const IcebergType& t) {
  auto field_json = [](const NestedField& f) {
    json::object o;
    o["id"] = f.id;
    o["name"] = f.name;
    o["required"] = f.required;
    o["type"] = type_to_json(*f.type);
    if (!f.doc.empty()) o["doc"] = f.doc;
    return o;
  };
  switch (t.kind) {
    case TypeKind::kStruct: {
      json::object o;
      o["type"] = "struct";
      json::array fields;
      for (const auto& f : t.fields) fields.push_back(field_json(f));
      o["fields"] = std::move(fields);
      return o;
    }
    case TypeKind::kList: {
      json::object o;
      o["type"] = "list";
      o["element-id"] = t.element.id;
      o["element"] = type_to_json(*t.element.type);
      o["element-required"] = t.element.required;
      return o;
    }
    case TypeKind::kMap: {
      json::object o;
      o["type"] = "map";
      o["key-id"] = t.key.id;
      o["key"] = type_to_json(*t.key.type);
      o["value-id"] = t.value.id;
      o["value"] = type_to_json(*t.value.type);
      o["value-required"] = t.value.required;
      return o;
    }
    default: return json::value(t.text);
  }
}

json::value schema_json(const Schema& s) {
  IcebergType st;
  st.kind = TypeKind::kStruct;
  st.fields = s.fields;
  json::value v = type_to_json(st);
  json::object& o = v.as_object();
  o["schema-id"] = s.schema_id;
  if (!s.identifier_field_ids.empty()) {
    json::array ids;
    for (int id : s.identifier_field_ids) ids.push_back(id);
    o["identifier-field-ids"] = std::move(ids);
  }
  return v;
}

}  // namespace strata::lake::json_util
