// Iceberg schemas: types, nested fields with their ids, and the name mapping
// that gives ids to columns of data files written without them.
//
// A schema's fields are identified by id, never by name: a column renamed in
// the metadata keeps its id, a dropped and re-added column gets a new one.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/types.h"

namespace strata::lake {

enum class TypeKind {
  kBoolean,
  kInt,
  kLong,
  kFloat,
  kDouble,
  kDecimal,
  kDate,
  kTime,
  kTimestamp,
  kTimestampTz,
  kTimestampNs,
  kTimestampTzNs,
  kString,
  kUuid,
  kFixed,
  kBinary,
  kStruct,
  kList,
  kMap,
  kOther,  // v3 types strata does not read (variant, geometry, unknown...)
};

struct IcebergType;
using TypePtr = std::shared_ptr<const IcebergType>;

struct NestedField {
  int id = 0;
  std::string name;
  bool required = false;
  TypePtr type;
  std::string doc;
  // JSON single-value serialization (spec Appendix D) as JSON text; nullopt: none.
  std::optional<std::string> initial_default;
  std::optional<std::string> write_default;
};

struct IcebergType {
  TypeKind kind = TypeKind::kOther;
  int precision = 0;  // kDecimal
  int scale = 0;      // kDecimal
  int length = 0;     // kFixed
  std::string text;   // the Iceberg spelling of a primitive ("decimal(9,2)", "variant")
  std::vector<NestedField> fields;  // kStruct
  NestedField element;              // kList: element (id = element-id)
  NestedField key;                  // kMap
  NestedField value;                // kMap

  bool is_primitive() const {
    return kind != TypeKind::kStruct && kind != TypeKind::kList && kind != TypeKind::kMap;
  }
};

TypePtr primitive_type(TypeKind kind, int precision = 0, int scale = 0, int length = 0);
// Parses an Iceberg primitive type name ("long", "decimal(9, 2)", "fixed[16]");
// nullptr when it is not one.
TypePtr parse_primitive_type(std::string_view text);
// The Iceberg spelling ("decimal(9,2)"); nested types as "struct<...>", "list<...>".
std::string type_name(const IcebergType& t);
// The DuckDB type a column of this type is read as ("DECIMAL(9,2)",
// "TIMESTAMP WITH TIME ZONE", "INTEGER[]", "STRUCT(\"a\" INTEGER)").
// kOther reads as VARCHAR.
std::string duckdb_type(const IcebergType& t);
// The strata type of a column of this type (nested types are kString text).
Type strata_type(const IcebergType& t);

struct Schema {
  int schema_id = 0;
  std::vector<NestedField> fields;
  std::vector<int> identifier_field_ids;

  // The field with this id at any depth, or nullptr.
  const NestedField* find(int id) const;
  // A top-level field by name: an exact match first, then a case-insensitive
  // one when it is unique. nullptr when none.
  const NestedField* find_by_name(std::string_view name) const;
  // The highest field id used at any depth.
  int highest_field_id() const;
};

// schema.name-mapping.default: which column names (of files without field
// ids) carry which field id. Only top-level mappings are used.
struct NameMapping {
  std::map<int, std::vector<std::string>> names_by_id;
  bool empty() const { return names_by_id.empty(); }
};

}  // namespace strata::lake
