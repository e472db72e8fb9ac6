// Deletion vectors (format v3): a `deletion-vector-v1` blob in a Puffin file
// holds the deleted row positions of one data file as a 64-bit Roaring
// bitmap. Blob layout: a 4-byte big-endian length of magic + vector, the
// magic D1 D3 39 64, the vector (a little-endian u64 count of 32-bit
// bitmaps, each a little-endian u32 key, the high 32 bits of the positions,
// followed by a portable 32-bit Roaring bitmap), and a big-endian CRC-32.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace strata::lake {

// Decodes the blob at [offset, offset + size) of a Puffin file's bytes into
// sorted positions. Throws SourceError naming `file` when it is malformed or
// its checksum does not match.
std::vector<int64_t> read_deletion_vector(std::string_view puffin, int64_t offset, int64_t size,
                                          const std::string& file);

// Encodes positions as a deletion-vector-v1 blob (for tests and writers).
std::string encode_deletion_vector(const std::vector<int64_t>& sorted_positions);

}  // namespace strata::lake
