// The binary form of a CachedResult, for caches outside the process
// (Redis). Version 1 layout, every integer little-endian:
//
//   "STRC" u16 version
//   i64 computed_at  u8 has_total  i64 total  u8 limit_reached
//   str sql  str source
//   u32 n  { str source  str cube  str tier  i64 rows }           served_by
//   u32 n  { str name  str table  u32 k {str}  i64 updated  u8 lambda  str version }
//   u32 n  { str }                                                refresh key values
//   u32 columns  u64 rows
//   per column: str name  u8 type  u8 precision  u8 scale
//   per column: rows x u8 null flag, then the values of non-null rows by
//               storage: i64 | f64 (IEEE bits) | i128 (two u64, low first) | str
//   (str = u32 length + bytes)
//
// Decoding never trusts its input: every length and count is checked
// against the bytes left and sane limits, types against the known ones.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "exec/result_cache.h"

namespace strata {

std::string encode_result(const CachedResult& result);

// nullptr for anything that is not a complete, well-formed version-1
// encoding (wrong magic or version, truncated, trailing bytes, impossible
// counts, unknown types). Never throws.
std::shared_ptr<const CachedResult> decode_result(std::string_view bytes);

// Approximate memory a result takes (for the in-memory cache's byte bound).
size_t estimate_bytes(const CachedResult& result);

}  // namespace strata
