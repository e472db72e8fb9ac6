// The header of an Avro Object Container File, read by hand: Avro C has no
// API for a file's key-value metadata, where Iceberg keeps a manifest's
// partition spec, schema and content type, and its schema parser drops the
// `field-id` attributes that only the header's `avro.schema` text keeps.
//
// Layout: the magic "Obj\x01", a map<bytes> (blocks of zig-zag varint counts,
// each followed by length-prefixed key and value; a negative count is
// followed by the block's byte size; a zero count ends the map), then the
// 16-byte sync marker.
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <string_view>

namespace strata::lake {

struct OcfHeader {
  std::map<std::string, std::string>
      metadata;            // "avro.schema", "avro.codec", "partition-spec", ...
  std::string sync;        // 16 bytes
  size_t data_offset = 0;  // where the first block starts

  const std::string* get(const std::string& key) const {
    auto it = metadata.find(key);
    return it == metadata.end() ? nullptr : &it->second;
  }
};

// Throws SourceError naming `file` when `bytes` is not an Avro container
// file or its header is truncated.
OcfHeader read_ocf_header(std::string_view bytes, const std::string& file);

// Zig-zag varint encoding and decoding (Avro int and long).
void append_avro_long(std::string& out, int64_t v);
// Reads one long at `pos`, advancing it; false when the input ends first or
// the varint is longer than 10 bytes.
bool read_avro_long(std::string_view in, size_t& pos, int64_t& out);

}  // namespace strata::lake
