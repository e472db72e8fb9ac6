// Iceberg values held in strata Values, and their encodings.
//
// Conventions (Value::type by Iceberg type):
//   boolean -> kBoolean (i)          int -> kInt32 (i)         long -> kInt64 (i)
//   float -> kFloat (d)              double -> kDouble (d)     decimal(P,S) -> kDecimal (dec)
//   date -> kDate (i, days)          time -> kTime (i, micros)
//   timestamp, timestamp_ns -> kTimestamp (i, micros; nanoseconds are floored)
//   timestamptz, timestamptz_ns -> kTimestampTz (i, micros)
//   string -> kString (s, UTF-8)     uuid -> kUuid (s, the 16 bytes, big-endian)
//   fixed, binary -> kBlob (s, raw bytes)
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/types.h"
#include "lake/metadata/schema.h"

namespace strata::lake {

// Decodes Iceberg's single-value binary serialization (bounds, partition
// summaries). Lengths from before a type promotion are accepted (4-byte int
// bounds of a long column, float bounds of a double, date bounds of a
// timestamp). nullopt when the bytes do not fit the type.
std::optional<Value> decode_single_value(std::string_view bytes, const IcebergType& type);
// The inverse (for written manifests): minimal big-endian bytes for decimals.
std::string encode_single_value(const Value& v, const IcebergType& type);

// A partition value as read from Avro (see DataFile::partition) in the
// conventions above for the partition field's result type.
Value partition_value(const Value& raw, const IcebergType& result_type);

// Parses the JSON single-value form of `initial-default` (as JSON text).
std::optional<Value> parse_json_value(const std::string& json_text, const IcebergType& type);

// A DuckDB SQL expression of this value as `type`: "CAST('2024-01-01' AS DATE)",
// "CAST(NULL AS INTEGER)", "'\x01\x02'::BLOB".
std::string sql_literal(const Value& v, const IcebergType& type);

// Human-readable text ("2024-01-01", "12.50", uuid text, hex for bytes).
std::string display_value(const Value& v);

// UUID text <-> 16 bytes. nullopt for malformed text.
std::optional<std::string> uuid_bytes(std::string_view text);
std::string uuid_text(std::string_view bytes16);

// Minimal two's-complement big-endian bytes of an unscaled decimal, and back.
std::string decimal_to_bytes(__int128 unscaled);
__int128 decimal_from_bytes(std::string_view bytes);

}  // namespace strata::lake
