// Big-endian integer helpers for the PostgreSQL wire format (network byte
// order everywhere). Header-only; no allocation beyond the std::string the
// caller passes in.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace strata::pgwire {

inline void put_u8(std::string& out, uint8_t v) {
  out.push_back(static_cast<char>(v));
}

inline void put_i16(std::string& out, int16_t v) {
  auto u = static_cast<uint16_t>(v);
  char b[2] = {static_cast<char>(u >> 8), static_cast<char>(u)};
  out.append(b, 2);
}

inline void put_i32(std::string& out, int32_t v) {
  auto u = static_cast<uint32_t>(v);
  char b[4] = {static_cast<char>(u >> 24), static_cast<char>(u >> 16), static_cast<char>(u >> 8),
               static_cast<char>(u)};
  out.append(b, 4);
}

inline void put_i64(std::string& out, int64_t v) {
  auto u = static_cast<uint64_t>(v);
  put_i32(out, static_cast<int32_t>(u >> 32));
  put_i32(out, static_cast<int32_t>(u & 0xffffffffu));
}

// Overwrites 4 bytes at `pos` (for length fields written after the body).
inline void patch_i32(std::string& out, size_t pos, int32_t v) {
  auto u = static_cast<uint32_t>(v);
  out[pos] = static_cast<char>(u >> 24);
  out[pos + 1] = static_cast<char>(u >> 16);
  out[pos + 2] = static_cast<char>(u >> 8);
  out[pos + 3] = static_cast<char>(u);
}

// Readers: the caller guarantees that enough bytes are there.
inline uint16_t get_u16(const char* p) {
  return static_cast<uint16_t>((static_cast<uint8_t>(p[0]) << 8) | static_cast<uint8_t>(p[1]));
}
inline int16_t get_i16(const char* p) {
  return static_cast<int16_t>(get_u16(p));
}
inline uint32_t get_u32(const char* p) {
  return (static_cast<uint32_t>(static_cast<uint8_t>(p[0])) << 24) |
         (static_cast<uint32_t>(static_cast<uint8_t>(p[1])) << 16) |
         (static_cast<uint32_t>(static_cast<uint8_t>(p[2])) << 8) |
         static_cast<uint32_t>(static_cast<uint8_t>(p[3]));
}
inline int32_t get_i32(const char* p) {
  return static_cast<int32_t>(get_u32(p));
}
inline int64_t get_i64(const char* p) {
  uint64_t hi = get_u32(p);
  uint64_t lo = get_u32(p + 4);
  return static_cast<int64_t>((hi << 32) | lo);
}

}  // namespace strata::pgwire
