#include "lake/avro/ocf_header.h"

#include "lake/lake_error.h"

namespace strata::lake {

void append_avro_long(std::string& out, int64_t v) {
  uint64_t z = (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
  while (z >= 0x80) {
    out += static_cast<char>((z & 0x7f) | 0x80);
    z >>= 7;
  }
  out += static_cast<char>(z);
}

bool read_avro_long(std::string_view in, size_t& pos, int64_t& out) {
  uint64_t z = 0;
  int shift = 0;
  for (int i = 0; i < 10; ++i) {
    if (pos >= in.size()) return false;
    auto b = static_cast<uint8_t>(in[pos++]);
    z |= static_cast<uint64_t>(b & 0x7f) << shift;
    if ((b & 0x80) == 0) {
      out = static_cast<int64_t>(z >> 1) ^ -static_cast<int64_t>(z & 1);
      return true;
    }
    shift += 7;
  }
  return false;
}

OcfHeader read_ocf_header(std::string_view bytes, const std::string& file) {
  if (bytes.size() < 4 || bytes.substr(0, 4) != std::string_view("Obj\x01", 4)) {
    fail_file(file, "not an Avro container file (bad magic)",
              "the file is corrupt or is not a manifest");
  }
  OcfHeader h;
  size_t pos = 4;
  auto truncated = [&]() { fail_file(file, "truncated Avro header"); };
  auto read_bytes = [&](std::string& out) {
    int64_t len = 0;
    if (!read_avro_long(bytes, pos, len) || len < 0 ||
        static_cast<uint64_t>(len) > bytes.size() - pos) {
      truncated();
    }
    out.assign(bytes.substr(pos, static_cast<size_t>(len)));
    pos += static_cast<size_t>(len);
  };
  for (;;) {
    int64_t count = 0;
    if (!read_avro_long(bytes, pos, count)) truncated();
    if (count == 0) break;
    if (count < 0) {
      int64_t block_size = 0;
      if (!read_avro_long(bytes, pos, block_size)) truncated();
      count = -count;
    }
    for (int64_t i = 0; i < count; ++i) {
      std::string key, value;
      read_bytes(key);
      read_bytes(value);
      h.metadata[std::move(key)] = std::move(value);
    }
  }
  if (bytes.size() - pos < 16) truncated();
  h.sync.assign(bytes.substr(pos, 16));
  h.data_offset = pos + 16;
  if (!h.get("avro.schema")) fail_file(file, "Avro header has no avro.schema");
  return h;
}

}  // namespace strata::lake
