#include "lake/metadata/schema.h"

#include <algorithm>
#include <cctype>
#include <charconv>

namespace strata::lake {

namespace {

std::string strip_spaces(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (!std::isspace(static_cast<unsigned char>(c))) out += c;
  }
  return out;
}

bool parse_int(std::string_view s, int& out) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size();
}

std::string quote_ident(const std::string& name) {
  std::string out = "\"";
  for (char c : name) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

const NestedField* find_in(const std::vector<NestedField>& fields, int id);

const NestedField* find_in_type(const IcebergType& t, int id) {
  switch (t.kind) {
    case TypeKind::kStruct: return find_in(t.fields, id);
    case TypeKind::kList:
      if (t.element.id == id) return &t.element;
      return t.element.type ? find_in_type(*t.element.type, id) : nullptr;
    case TypeKind::kMap:
      if (t.key.id == id) return &t.key;
      if (t.value.id == id) return &t.value;
      if (t.key.type) {
        if (auto* f = find_in_type(*t.key.type, id)) return f;
      }
      return t.value.type ? find_in_type(*t.value.type, id) : nullptr;
    default: return nullptr;
  }
}

const NestedField* find_in(const std::vector<NestedField>& fields, int id) {
  for (const auto& f : fields) {
    if (f.id == id) return &f;
    if (f.type) {
      if (auto* inner = find_in_type(*f.type, id)) return inner;
    }
  }
  return nullptr;
}

int highest_in_type(const IcebergType& t);

int highest_in(const std::vector<NestedField>& fields) {
  int best = 0;
  for (const auto& f : fields) {
    best = std::max(best, f.id);
    if (f.type) best = std::max(best, highest_in_type(*f.type));
  }
  return best;
}

int highest_in_type(const IcebergType& t) {
  switch (t.kind) {
    case TypeKind::kStruct: return highest_in(t.fields);
    case TypeKind::kList:
      return std::max(t.element.id, t.element.type ? highest_in_type(*t.element.type) : 0);
    case TypeKind::kMap:
      return std::max({t.key.id, t.value.id, t.key.type ? highest_in_type(*t.key.type) : 0,
                       t.value.type ? highest_in_type(*t.value.type) : 0});
    default: return 0;
  }
}

}  // namespace

TypePtr primitive_type(TypeKind kind, int precision, int scale, int length) {
  auto t = std::make_shared<IcebergType>();
  t->kind = kind;
  t->precision = precision;
  t->scale = scale;
  t->length = length;
  switch (kind) {
    case TypeKind::kBoolean: t->text = "boolean"; break;
    case TypeKind::kInt: t->text = "int"; break;
    case TypeKind::kLong: t->text = "long"; break;
    case TypeKind::kFloat: t->text = "float"; break;
    case TypeKind::kDouble: t->text = "double"; break;
    case TypeKind::kDecimal:
      t->text = "decimal(" + std::to_string(precision) + "," + std::to_string(scale) + ")";
      break;
    case TypeKind::kDate: t->text = "date"; break;
    case TypeKind::kTime: t->text = "time"; break;
    case TypeKind::kTimestamp: t->text = "timestamp"; break;
    case TypeKind::kTimestampTz: t->text = "timestamptz"; break;
    case TypeKind::kTimestampNs: t->text = "timestamp_ns"; break;
    case TypeKind::kTimestampTzNs: t->text = "timestamptz_ns"; break;
    case TypeKind::kString: t->text = "string"; break;
    case TypeKind::kUuid: t->text = "uuid"; break;
    case TypeKind::kFixed: t->text = "fixed[" + std::to_string(length) + "]"; break;
    case TypeKind::kBinary: t->text = "binary"; break;
    default: break;
  }
  return t;
}

TypePtr parse_primitive_type(std::string_view text) {
  std::string s = strip_spaces(text);
  static const std::pair<const char*, TypeKind> kSimple[] = {
      {"boolean", TypeKind::kBoolean},
      {"int", TypeKind::kInt},
      {"long", TypeKind::kLong},
      {"float", TypeKind::kFloat},
      {"double", TypeKind::kDouble},
      {"date", TypeKind::kDate},
      {"time", TypeKind::kTime},
      {"timestamp", TypeKind::kTimestamp},
      {"timestamptz", TypeKind::kTimestampTz},
      {"timestamp_ns", TypeKind::kTimestampNs},
      {"timestamptz_ns", TypeKind::kTimestampTzNs},
      {"string", TypeKind::kString},
      {"uuid", TypeKind::kUuid},
      {"binary", TypeKind::kBinary},
  };
  for (const auto& [name, kind] : kSimple) {
    if (s == name) return primitive_type(kind);
  }
  if (s.rfind("decimal(", 0) == 0 && s.back() == ')') {
    std::string_view inner(s);
    inner = inner.substr(8, inner.size() - 9);
    size_t comma = inner.find(',');
    int p = 0, sc = 0;
    if (comma != std::string_view::npos && parse_int(inner.substr(0, comma), p) &&
        parse_int(inner.substr(comma + 1), sc) && p > 0 && p <= 38 && sc >= 0 && sc <= p) {
      return primitive_type(TypeKind::kDecimal, p, sc);
    }
    return nullptr;
  }
  if (s.rfind("fixed[", 0) == 0 && s.back() == ']') {
    int len = 0;
    if (parse_int(std::string_view(s).substr(6, s.size() - 7), len) && len > 0) {
      return primitive_type(TypeKind::kFixed, 0, 0, len);
    }
    return nullptr;
  }
  if (s == "unknown" || s == "variant" || s.rfind("geometry", 0) == 0 ||
      s.rfind("geography", 0) == 0) {
    auto t = std::make_shared<IcebergType>();
    t->kind = TypeKind::kOther;
    t->text = std::string(text);
    return t;
  }
  return nullptr;
}

std::string type_name(const IcebergType& t) {
  switch (t.kind) {
    case TypeKind::kStruct: {
      std::string out = "struct<";
      for (size_t i = 0; i < t.fields.size(); ++i) {
        if (i) out += ", ";
        out += t.fields[i].name + ": " + (t.fields[i].type ? type_name(*t.fields[i].type) : "?");
      }
      return out + ">";
    }
    case TypeKind::kList:
      return "list<" + (t.element.type ? type_name(*t.element.type) : std::string("?")) + ">";
    case TypeKind::kMap:
      return "map<" + (t.key.type ? type_name(*t.key.type) : std::string("?")) + ", " +
             (t.value.type ? type_name(*t.value.type) : std::string("?")) + ">";
    default: return t.text;
  }
}

std::string duckdb_type(const IcebergType& t) {
  switch (t.kind) {
    case TypeKind::kBoolean: return "BOOLEAN";
    case TypeKind::kInt: return "INTEGER";
    case TypeKind::kLong: return "BIGINT";
    case TypeKind::kFloat: return "FLOAT";
    case TypeKind::kDouble: return "DOUBLE";
    case TypeKind::kDecimal:
      return "DECIMAL(" + std::to_string(t.precision) + "," + std::to_string(t.scale) + ")";
    case TypeKind::kDate: return "DATE";
    case TypeKind::kTime: return "TIME";
    case TypeKind::kTimestamp: return "TIMESTAMP";
    case TypeKind::kTimestampTz: return "TIMESTAMP WITH TIME ZONE";
    case TypeKind::kTimestampNs: return "TIMESTAMP_NS";
    case TypeKind::kTimestampTzNs: return "TIMESTAMP WITH TIME ZONE";
    case TypeKind::kString: return "VARCHAR";
    case TypeKind::kUuid: return "UUID";
    case TypeKind::kFixed:
    case TypeKind::kBinary: return "BLOB";
    case TypeKind::kStruct: {
      std::string out = "STRUCT(";
      for (size_t i = 0; i < t.fields.size(); ++i) {
        if (i) out += ", ";
        out += quote_ident(t.fields[i].name) + " " +
               (t.fields[i].type ? duckdb_type(*t.fields[i].type) : "VARCHAR");
      }
      return out + ")";
    }
    case TypeKind::kList:
      return (t.element.type ? duckdb_type(*t.element.type) : std::string("VARCHAR")) + "[]";
    case TypeKind::kMap:
      return "MAP(" + (t.key.type ? duckdb_type(*t.key.type) : std::string("VARCHAR")) + ", " +
             (t.value.type ? duckdb_type(*t.value.type) : std::string("VARCHAR")) + ")";
    case TypeKind::kOther: return "VARCHAR";
  }
  return "VARCHAR";
}

Type strata_type(const IcebergType& t) {
  switch (t.kind) {
    case TypeKind::kBoolean: return Type::of(TypeId::kBoolean);
    case TypeKind::kInt: return Type::of(TypeId::kInt32);
    case TypeKind::kLong: return Type::of(TypeId::kInt64);
    case TypeKind::kFloat: return Type::of(TypeId::kFloat);
    case TypeKind::kDouble: return Type::of(TypeId::kDouble);
    case TypeKind::kDecimal:
      return Type::decimal(static_cast<uint8_t>(t.precision), static_cast<uint8_t>(t.scale));
    case TypeKind::kDate: return Type::of(TypeId::kDate);
    case TypeKind::kTime: return Type::of(TypeId::kTime);
    case TypeKind::kTimestamp:
    case TypeKind::kTimestampNs: return Type::of(TypeId::kTimestamp);
    case TypeKind::kTimestampTz:
    case TypeKind::kTimestampTzNs: return Type::of(TypeId::kTimestampTz);
    case TypeKind::kUuid: return Type::of(TypeId::kUuid);
    case TypeKind::kFixed:
    case TypeKind::kBinary: return Type::of(TypeId::kBlob);
    default: return Type::of(TypeId::kString);
  }
}

const NestedField* Schema::find(int id) const {
  return find_in(fields, id);
}

const NestedField* Schema::find_by_name(std::string_view name) const {
  for (const auto& f : fields) {
    if (f.name == name) return &f;
  }
  const NestedField* found = nullptr;
  auto lower = [](std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
  };
  std::string want = lower(name);
  for (const auto& f : fields) {
    if (lower(f.name) == want) {
      if (found) return nullptr;  // ambiguous
      found = &f;
    }
  }
  return found;
}

int Schema::highest_field_id() const {
  return highest_in(fields);
}

}  // namespace strata::lake
