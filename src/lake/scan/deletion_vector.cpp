#include "lake/scan/deletion_vector.h"

#include <zlib.h>

#include <map>

#include "lake/lake_error.h"

namespace strata::lake {

namespace {

constexpr uint32_t kCookieNoRun = 12346;
constexpr uint32_t kCookieRun = 12347;
const char kMagic[4] = {'\xD1', '\xD3', '\x39', '\x64'};

class Cursor {
 public:
  Cursor(std::string_view b, const std::string& file) : b_(b), file_(file) {}
  uint64_t le(int n) {
    need(static_cast<size_t>(n));
    uint64_t v = 0;
    for (int i = 0; i < n; ++i)
      v |= static_cast<uint64_t>(static_cast<uint8_t>(b_[pos_ + static_cast<size_t>(i)]))
           << (8 * i);
    pos_ += static_cast<size_t>(n);
    return v;
  }
  void skip(size_t n) {
    need(n);
    pos_ += n;
  }
  std::string_view take(size_t n) {
    need(n);
    auto out = b_.substr(pos_, n);
    pos_ += n;
    return out;
  }

 private:
  void need(size_t n) {
    if (b_.size() - pos_ < n) fail_file(file_, "truncated deletion vector");
  }
  std::string_view b_;
  size_t pos_ = 0;
  const std::string& file_;
};

uint32_t be32(std::string_view b) {
  return (static_cast<uint32_t>(static_cast<uint8_t>(b[0])) << 24) |
         (static_cast<uint32_t>(static_cast<uint8_t>(b[1])) << 16) |
         (static_cast<uint32_t>(static_cast<uint8_t>(b[2])) << 8) |
         static_cast<uint32_t>(static_cast<uint8_t>(b[3]));
}

void put_le(std::string& out, uint64_t v, int n) {
  for (int i = 0; i < n; ++i) out += static_cast<char>((v >> (8 * i)) & 0xff);
}

void put_be32(std::string& out, uint32_t v) {
  for (int i = 3; i >= 0; --i) out += static_cast<char>((v >> (8 * i)) & 0xff);
}

void read_bitmap32(Cursor& c, uint64_t high, std::vector<int64_t>& out, const std::string& file) {
  uint32_t cookie = static_cast<uint32_t>(c.le(4));
  uint32_t size = 0;
  bool has_run = false;
  std::string_view run_flags;
  if ((cookie & 0xffff) == kCookieRun) {
    size = (cookie >> 16) + 1;
    has_run = true;
    run_flags = c.take((size + 7) / 8);
  } else if (cookie == kCookieNoRun) {
    size = static_cast<uint32_t>(c.le(4));
  } else {
    fail_file(file, "deletion vector holds an unknown Roaring cookie " + std::to_string(cookie));
  }
  if (size > 65536) fail_file(file, "deletion vector has too many Roaring containers");
  std::vector<std::pair<uint16_t, uint32_t>> headers;  // key, cardinality
  for (uint32_t i = 0; i < size; ++i) {
    auto key = static_cast<uint16_t>(c.le(2));
    auto card = static_cast<uint32_t>(c.le(2)) + 1;
    headers.emplace_back(key, card);
  }
  if (!has_run || size >= 4) c.skip(size * 4u);  // offsets
  for (uint32_t i = 0; i < size; ++i) {
    uint64_t base = (high << 32) | (static_cast<uint64_t>(headers[i].first) << 16);
    bool is_run = has_run && (static_cast<uint8_t>(run_flags[i / 8]) >> (i % 8)) & 1;
    if (is_run) {
      auto runs = static_cast<uint32_t>(c.le(2));
      for (uint32_t r = 0; r < runs; ++r) {
        auto start = static_cast<uint32_t>(c.le(2));
        auto len = static_cast<uint32_t>(c.le(2));
        for (uint32_t v = start; v <= start + len && v <= 0xffff; ++v)
          out.push_back(static_cast<int64_t>(base | v));
      }
    } else if (headers[i].second <= 4096) {
      for (uint32_t k = 0; k < headers[i].second; ++k)
        out.push_back(static_cast<int64_t>(base | c.le(2)));
    } else {
      for (uint32_t w = 0; w < 1024; ++w) {
        uint64_t word = c.le(8);
        while (word) {
          int bit = __builtin_ctzll(word);
          out.push_back(static_cast<int64_t>(base | (w * 64 + static_cast<uint32_t>(bit))));
          word &= word - 1;
        }
      }
    }
  }
}

}  // namespace

std::vector<int64_t> read_deletion_vector(std::string_view puffin, int64_t offset, int64_t size,
                                          const std::string& file) {
  if (offset < 0 || size < 12 || static_cast<uint64_t>(offset) > puffin.size() ||
      static_cast<uint64_t>(size) > puffin.size() - static_cast<uint64_t>(offset)) {
    fail_file(file, "deletion vector blob at offset " + std::to_string(offset) + " (size " +
                        std::to_string(size) + ") lies outside the file");
  }
  std::string_view blob = puffin.substr(static_cast<size_t>(offset), static_cast<size_t>(size));
  uint32_t len = be32(blob);
  if (static_cast<uint64_t>(len) + 8 != blob.size()) {
    fail_file(file, "deletion vector length does not match its blob size");
  }
  std::string_view body = blob.substr(4, len);
  if (body.substr(0, 4) != std::string_view(kMagic, 4)) {
    fail_file(file, "deletion vector has a bad magic number");
  }
  uint32_t crc = be32(blob.substr(4 + len));
  uLong computed =
      crc32(0L, reinterpret_cast<const Bytef*>(body.data()), static_cast<uInt>(body.size()));
  if (computed != crc) fail_file(file, "deletion vector checksum mismatch");
  Cursor c(body.substr(4), file);
  uint64_t bitmaps = c.le(8);
  std::vector<int64_t> out;
  for (uint64_t i = 0; i < bitmaps; ++i) {
    uint64_t key = c.le(4);
    read_bitmap32(c, key, out, file);
  }
  return out;
}

std::string encode_deletion_vector(const std::vector<int64_t>& positions) {
  std::map<uint32_t, std::map<uint16_t, std::vector<uint16_t>>> by_key;
  for (int64_t p : positions) {
    auto u = static_cast<uint64_t>(p);
    by_key[static_cast<uint32_t>(u >> 32)][static_cast<uint16_t>((u >> 16) & 0xffff)].push_back(
        static_cast<uint16_t>(u & 0xffff));
  }
  std::string body(kMagic, 4);
  put_le(body, by_key.size(), 8);
  for (const auto& [key, containers] : by_key) {
    put_le(body, key, 4);
    put_le(body, kCookieNoRun, 4);
    put_le(body, containers.size(), 4);
    for (const auto& [ckey, values] : containers) {
      put_le(body, ckey, 2);
      put_le(body, values.size() - 1, 2);
    }
    // Offsets are written but never needed by our reader; keep them valid.
    uint32_t off = 0;
    for (const auto& [ckey, values] : containers) {
      put_le(body, off, 4);
      off += values.size() <= 4096 ? static_cast<uint32_t>(values.size() * 2) : 8192u;
    }
    for (const auto& [ckey, values] : containers) {
      if (values.size() <= 4096) {
        for (uint16_t v : values) put_le(body, v, 2);
      } else {
        std::vector<uint64_t> words(1024, 0);
        for (uint16_t v : values) words[v / 64] |= uint64_t{1} << (v % 64);
        for (uint64_t w : words) put_le(body, w, 8);
      }
    }
  }
  std::string blob;
  put_be32(blob, static_cast<uint32_t>(body.size()));
  blob += body;
  put_be32(blob, static_cast<uint32_t>(crc32(0L, reinterpret_cast<const Bytef*>(body.data()),
                                             static_cast<uInt>(body.size()))));
  return blob;
}

}  // namespace strata::lake
