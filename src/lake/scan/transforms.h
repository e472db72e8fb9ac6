// Iceberg partition transforms (spec "Partition Transforms", Appendix B for
// bucket hashing): identity, bucket[N], truncate[W], year, month, day, hour,
// void. Values follow the conventions of scan/values.h.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/types.h"
#include "lake/metadata/schema.h"

namespace strata::lake {

struct Transform {
  enum class Kind { kIdentity, kBucket, kTruncate, kYear, kMonth, kDay, kHour, kVoid, kUnknown };
  Kind kind = Kind::kUnknown;
  int param = 0;  // N of bucket[N], W of truncate[W]
  std::string text;

  // Order-preserving: a range of source values maps to a range of results.
  bool preserves_order() const {
    return kind == Kind::kIdentity || kind == Kind::kTruncate || kind == Kind::kYear ||
           kind == Kind::kMonth || kind == Kind::kDay || kind == Kind::kHour;
  }
};

Transform parse_transform(std::string_view text);

// The type a transform produces from `source` (identity, truncate: the
// source type; bucket, year, month, hour: int; day: date).
TypePtr transform_result_type(const Transform& t, const TypePtr& source);

// Applies the transform; null maps to null. nullopt when the transform does
// not apply to the value's type (or is unknown).
std::optional<Value> apply_transform(const Transform& t, const Value& v, const IcebergType& source);

// 32-bit Murmur3 (x86 variant), seed 0, as Iceberg's bucket transform uses it.
int32_t murmur3_32(std::string_view bytes);
// The bucket hash of a value (before the modulo), per Appendix B.
std::optional<int32_t> bucket_hash(const Value& v, const IcebergType& source);

}  // namespace strata::lake
