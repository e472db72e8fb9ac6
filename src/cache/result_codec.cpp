#include "cache/result_codec.h"

#include <cstring>
#include <limits>

namespace strata {

namespace {

constexpr char kMagic[4] = {'S', 'T', 'R', 'C'};
constexpr uint16_t kVersion = 1;
constexpr uint32_t kMaxColumns = 10'000;
constexpr uint32_t kMaxListItems = 1'000'000;

class Writer {
 public:
  void u8(uint8_t v) { out_.push_back(static_cast<char>(v)); }
  void u16(uint16_t v) { le(v, 2); }
  void u32(uint32_t v) { le(v, 4); }
  void u64(uint64_t v) { le(v, 8); }
  void i64(int64_t v) { le(static_cast<uint64_t>(v), 8); }
  void f64(double v) {
    uint64_t bits;
    std::memcpy(&bits, &v, sizeof bits);
    u64(bits);
  }
  void str(std::string_view s) {
    u32(static_cast<uint32_t>(s.size()));
    out_.append(s.data(), s.size());
  }
  void raw(const char* p, size_t n) { out_.append(p, n); }
  std::string take() { return std::move(out_); }

 private:
  void le(uint64_t v, int n) {
    for (int i = 0; i < n; ++i) out_.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
  }
  std::string out_;
};

// Reads with bounds checks; any failure sets ok() to false and yields zeros.
class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}
  bool ok() const { return ok_; }
  size_t left() const { return in_.size() - pos_; }
  bool done() const { return ok_ && pos_ == in_.size(); }

  uint8_t u8() { return static_cast<uint8_t>(le(1)); }
  uint16_t u16() { return static_cast<uint16_t>(le(2)); }
  uint32_t u32() { return static_cast<uint32_t>(le(4)); }
  uint64_t u64() { return le(8); }
  int64_t i64() { return static_cast<int64_t>(le(8)); }
  double f64() {
    uint64_t bits = u64();
    double v;
    std::memcpy(&v, &bits, sizeof v);
    return v;
  }
  std::string str() {
    uint32_t n = u32();
    if (!need(n)) return {};
    std::string s(in_.substr(pos_, n));
    pos_ += n;
    return s;
  }
  bool bytes(char* out, size_t n) {
    if (!need(n)) return false;
    std::memcpy(out, in_.data() + pos_, n);
    pos_ += n;
    return true;
  }
  // A count of items each taking at least `min_bytes`: checked against what is left.
  uint32_t count(size_t min_bytes, uint32_t max) {
    uint32_t n = u32();
    if (n > max || (min_bytes > 0 && n > left() / min_bytes)) ok_ = false;
    return ok_ ? n : 0;
  }
  void fail() { ok_ = false; }

 private:
  bool need(size_t n) {
    if (!ok_ || n > left()) ok_ = false;
    return ok_;
  }
  uint64_t le(int n) {
    if (!need(static_cast<size_t>(n))) return 0;
    uint64_t v = 0;
    for (int i = 0; i < n; ++i) {
      v |= static_cast<uint64_t>(static_cast<unsigned char>(in_[pos_ + i])) << (8 * i);
    }
    pos_ += static_cast<size_t>(n);
    return v;
  }
  std::string_view in_;
  size_t pos_ = 0;
  bool ok_ = true;
};

bool valid_type(uint8_t id, uint8_t precision, uint8_t scale) {
  if (id > static_cast<uint8_t>(TypeId::kBlob)) return false;
  if (static_cast<TypeId>(id) == TypeId::kDecimal) return precision <= 38 && scale <= 38;
  return true;
}

}  // namespace

std::string encode_result(const CachedResult& r) {
  Writer w;
  w.raw(kMagic, sizeof kMagic);
  w.u16(kVersion);
  w.i64(r.computed_at_utc);
  w.u8(r.total ? 1 : 0);
  w.i64(r.total.value_or(0));
  w.u8(r.limit_reached ? 1 : 0);
  w.str(r.sql);
  w.str(r.source);
  w.u32(static_cast<uint32_t>(r.served_by.size()));
  for (const auto& s : r.served_by) {
    w.str(s.source);
    w.str(s.cube);
    w.str(s.tier);
    w.i64(s.rows);
  }
  w.u32(static_cast<uint32_t>(r.pre_aggregations.size()));
  for (const auto& p : r.pre_aggregations) {
    w.str(p.name);
    w.str(p.target_table);
    w.u32(static_cast<uint32_t>(p.refresh_key_values.size()));
    for (const auto& v : p.refresh_key_values) w.str(v);
    w.i64(p.last_updated_utc);
    w.u8(p.lambda ? 1 : 0);
    w.str(p.version);
  }
  w.u32(static_cast<uint32_t>(r.refresh_key_values.size()));
  for (const auto& v : r.refresh_key_values) w.str(v);

  const ResultSet& rs = r.rows;
  const size_t rows = rs.row_count();
  w.u32(static_cast<uint32_t>(rs.column_count()));
  w.u64(rows);
  for (const auto& c : rs.schema()) {
    w.str(c.name);
    w.u8(static_cast<uint8_t>(c.type.id));
    w.u8(c.type.precision);
    w.u8(c.type.scale);
  }
  for (size_t ci = 0; ci < rs.column_count(); ++ci) {
    const Column& col = rs.column(ci);
    for (size_t row = 0; row < rows; ++row) w.u8(col.is_null(row) ? 1 : 0);
    Storage storage = col.type().storage();
    for (size_t row = 0; row < rows; ++row) {
      if (col.is_null(row)) continue;
      switch (storage) {
        case Storage::kInt: w.i64(col.int_at(row)); break;
        case Storage::kDouble: w.f64(col.double_at(row)); break;
        case Storage::kDecimal: {
          auto v = static_cast<unsigned __int128>(col.decimal_at(row));
          w.u64(static_cast<uint64_t>(v));
          w.u64(static_cast<uint64_t>(v >> 64));
          break;
        }
        case Storage::kString: w.str(col.string_at(row)); break;
      }
    }
  }
  return w.take();
}

std::shared_ptr<const CachedResult> decode_result(std::string_view bytes) {
  try {
    Reader in(bytes);
    char magic[4];
    if (!in.bytes(magic, sizeof magic) || std::memcmp(magic, kMagic, sizeof magic) != 0) {
      return nullptr;
    }
    if (in.u16() != kVersion) return nullptr;
    auto r = std::make_shared<CachedResult>();
    r->computed_at_utc = in.i64();
    bool has_total = in.u8() != 0;
    int64_t total = in.i64();
    if (has_total) r->total = total;
    r->limit_reached = in.u8() != 0;
    r->sql = in.str();
    r->source = in.str();
    uint32_t n = in.count(20, kMaxListItems);
    for (uint32_t i = 0; i < n && in.ok(); ++i) {
      CachedResult::Served s;
      s.source = in.str();
      s.cube = in.str();
      s.tier = in.str();
      s.rows = in.i64();
      r->served_by.push_back(std::move(s));
    }
    n = in.count(29, kMaxListItems);
    for (uint32_t i = 0; i < n && in.ok(); ++i) {
      UsedPreAggregation p;
      p.name = in.str();
      p.target_table = in.str();
      uint32_t k = in.count(4, kMaxListItems);
      for (uint32_t j = 0; j < k && in.ok(); ++j) p.refresh_key_values.push_back(in.str());
      p.last_updated_utc = in.i64();
      p.lambda = in.u8() != 0;
      p.version = in.str();
      r->pre_aggregations.push_back(std::move(p));
    }
    n = in.count(4, kMaxListItems);
    for (uint32_t i = 0; i < n && in.ok(); ++i) r->refresh_key_values.push_back(in.str());

    uint32_t columns = in.count(7, kMaxColumns);
    uint64_t rows = in.u64();
    if (!in.ok()) return nullptr;
    // Every row takes at least one byte (its null flag) in every column.
    if (columns > 0 && rows > in.left() / columns) return nullptr;
    if (columns == 0 && rows != 0) return nullptr;
    std::vector<ColumnInfo> schema;
    for (uint32_t i = 0; i < columns; ++i) {
      ColumnInfo c;
      c.name = in.str();
      uint8_t id = in.u8(), precision = in.u8(), scale = in.u8();
      if (!in.ok() || !valid_type(id, precision, scale)) return nullptr;
      c.type = Type{static_cast<TypeId>(id), precision, scale};
      schema.push_back(std::move(c));
    }
    ResultSet rs(schema);
    std::vector<uint8_t> nulls(static_cast<size_t>(rows));
    for (uint32_t ci = 0; ci < columns; ++ci) {
      Column& col = rs.column(ci);
      col.reserve(static_cast<size_t>(rows));
      for (auto& flag : nulls) {
        flag = in.u8();
        if (flag > 1) in.fail();
      }
      if (!in.ok()) return nullptr;
      Storage storage = col.type().storage();
      for (uint64_t row = 0; row < rows; ++row) {
        if (nulls[row]) {
          col.append_null();
          continue;
        }
        switch (storage) {
          case Storage::kInt: col.append_int(in.i64()); break;
          case Storage::kDouble: col.append_double(in.f64()); break;
          case Storage::kDecimal: {
            uint64_t lo = in.u64(), hi = in.u64();
            auto v = (static_cast<unsigned __int128>(hi) << 64) | lo;
            col.append_decimal(static_cast<__int128>(v));
            break;
          }
          case Storage::kString: col.append_string(in.str()); break;
        }
        if (!in.ok()) return nullptr;
      }
    }
    if (!in.done()) return nullptr;
    r->rows = std::move(rs);
    return r;
  } catch (const std::exception&) {
    return nullptr;  // bad_alloc on absurd sizes that slipped through, say
  }
}

size_t estimate_bytes(const CachedResult& r) {
  size_t bytes = sizeof(CachedResult) + r.sql.size() + r.source.size();
  for (const auto& s : r.served_by) bytes += 96 + s.source.size() + s.cube.size() + s.tier.size();
  for (const auto& p : r.pre_aggregations) bytes += 128 + p.name.size() + p.target_table.size();
  for (const auto& v : r.refresh_key_values) bytes += 32 + v.size();
  const ResultSet& rs = r.rows;
  for (size_t c = 0; c < rs.column_count(); ++c) {
    const Column& col = rs.column(c);
    bytes += 64 + rs.schema()[c].name.size();
    switch (col.type().storage()) {
      case Storage::kInt:
      case Storage::kDouble: bytes += col.size() * 9; break;
      case Storage::kDecimal: bytes += col.size() * 17; break;
      case Storage::kString:
        for (size_t row = 0; row < col.size(); ++row) {
          bytes += 1 + sizeof(std::string) + (col.is_null(row) ? 0 : col.string_at(row).size());
        }
        break;
    }
  }
  return bytes;
}

}  // namespace strata
