// Small helpers for reading Iceberg JSON (metadata files, REST responses)
// with Boost.JSON. Internal to lake/: include only from .cpp files.
#pragma once

#include <boost/json.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "lake/metadata/schema.h"

namespace strata::lake::json_util {

namespace json = boost::json;

// Each throws SourceError naming `file` and the key when the value has the
// wrong type; the `opt_` variants return nullopt for a missing key or null.
const json::object& as_object(const json::value& v, const std::string& file, std::string_view what);
const json::value* find(const json::object& o, std::string_view key);
std::optional<int64_t> opt_i64(const json::object& o, std::string_view key,
                               const std::string& file);
int64_t req_i64(const json::object& o, std::string_view key, const std::string& file);
std::optional<std::string> opt_str(const json::object& o, std::string_view key,
                                   const std::string& file);
std::string req_str(const json::object& o, std::string_view key, const std::string& file);
std::optional<bool> opt_bool(const json::object& o, std::string_view key, const std::string& file);
int64_t to_i64(const json::value& v, const std::string& file, std::string_view what);

// Parses JSON text; throws SourceError naming `file` and the byte offset.
json::value parse(std::string_view text, const std::string& file);

// A schema object ({"type":"struct","schema-id":..,"fields":[...]}).
Schema parse_schema(const json::value& v, const std::string& file);
TypePtr parse_type(const json::value& v, const std::string& file);
json::value type_to_json(const IcebergType& t);
json::value schema_json(const Schema& s);

}  // namespace strata::lake::json_util
