#include "lake/scan/transforms.h"

#include <charconv>
#include <cstring>

#include "core/time.h"
#include "lake/scan/values.h"

namespace strata::lake {

namespace {

int64_t floor_div(int64_t a, int64_t b) {
  int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

uint32_t rotl32(uint32_t x, int r) {
  return (x << r) | (x >> (32 - r));
}

std::string le64(int64_t v) {
  std::string out(8, '\0');
  for (int i = 0; i < 8; ++i)
    out[i] = static_cast<char>((static_cast<uint64_t>(v) >> (8 * i)) & 0xff);
  return out;
}

// Days since the epoch of a temporal value (date, or micros floored to days).
std::optional<int64_t> days_of(const Value& v) {
  switch (v.type.id) {
    case TypeId::kDate: return v.i;
    case TypeId::kTimestamp:
    case TypeId::kTimestampTz: return floor_div(v.i, kMicrosPerDay);
    default: return std::nullopt;
  }
}

Value int32_value(int64_t x) {
  Value v = Value::int64(x);
  v.type = Type::of(TypeId::kInt32);
  return v;
}

// Cuts a UTF-8 string to its first `n` code points.
std::string utf8_prefix(const std::string& s, int n) {
  size_t i = 0;
  int count = 0;
  while (i < s.size() && count < n) {
    auto c = static_cast<uint8_t>(s[i]);
    size_t len = c < 0x80           ? 1
                 : (c >> 5) == 0x6  ? 2
                 : (c >> 4) == 0xe  ? 3
                 : (c >> 3) == 0x1e ? 4
                                    : 1;
    i += len;
    ++count;
  }
  return s.substr(0, std::min(i, s.size()));
}

}  // namespace

int32_t murmur3_32(std::string_view data) {
  const uint32_t c1 = 0xcc9e2d51, c2 = 0x1b873593;
  uint32_t h = 0;
  size_t n = data.size();
  size_t blocks = n / 4;
  for (size_t i = 0; i < blocks; ++i) {
    uint32_t k = 0;
    for (int b = 0; b < 4; ++b)
      k |= static_cast<uint32_t>(static_cast<uint8_t>(data[i * 4 + b])) << (8 * b);
    k *= c1;
    k = rotl32(k, 15);
    k *= c2;
    h ^= k;
    h = rotl32(h, 13);
    h = h * 5 + 0xe6546b64;
  }
  uint32_t k = 0;
  size_t tail = blocks * 4;
  switch (n & 3) {
    case 3: k ^= static_cast<uint32_t>(static_cast<uint8_t>(data[tail + 2])) << 16; [[fallthrough]];
    case 2: k ^= static_cast<uint32_t>(static_cast<uint8_t>(data[tail + 1])) << 8; [[fallthrough]];
    case 1:
      k ^= static_cast<uint32_t>(static_cast<uint8_t>(data[tail]));
      k *= c1;
      k = rotl32(k, 15);
      k *= c2;
      h ^= k;
      break;
    default: break;
  }
  h ^= static_cast<uint32_t>(n);
  h ^= h >> 16;
  h *= 0x85ebca6b;
  h ^= h >> 13;
  h *= 0xc2b2ae35;
  h ^= h >> 16;
  return static_cast<int32_t>(h);
}

Transform parse_transform(std::string_view text) {
  Transform t;
  t.text = std::string(text);
  auto with_param = [&](std::string_view prefix, Transform::Kind kind) {
    if (text.substr(0, prefix.size()) != prefix || text.back() != ']') return false;
    std::string_view num = text.substr(prefix.size(), text.size() - prefix.size() - 1);
    int n = 0;
    auto [p, ec] = std::from_chars(num.data(), num.data() + num.size(), n);
    if (ec != std::errc() || p != num.data() + num.size() || n <= 0) return false;
    t.kind = kind;
    t.param = n;
    return true;
  };
  if (text == "identity") {
    t.kind = Transform::Kind::kIdentity;
  } else if (text == "year") {
    t.kind = Transform::Kind::kYear;
  } else if (text == "month") {
    t.kind = Transform::Kind::kMonth;
  } else if (text == "day") {
    t.kind = Transform::Kind::kDay;
  } else if (text == "hour") {
    t.kind = Transform::Kind::kHour;
  } else if (text == "void") {
    t.kind = Transform::Kind::kVoid;
  } else if (!text.empty() && (with_param("bucket[", Transform::Kind::kBucket) ||
                               with_param("truncate[", Transform::Kind::kTruncate))) {
    // parsed
  } else {
    t.kind = Transform::Kind::kUnknown;
  }
  return t;
}

TypePtr transform_result_type(const Transform& t, const TypePtr& source) {
  switch (t.kind) {
    case Transform::Kind::kIdentity:
    case Transform::Kind::kTruncate:
    case Transform::Kind::kVoid:
    case Transform::Kind::kUnknown: return source;
    case Transform::Kind::kDay: return primitive_type(TypeKind::kDate);
    default: return primitive_type(TypeKind::kInt);
  }
}

std::optional<int32_t> bucket_hash(const Value& v, const IcebergType& source) {
  switch (source.kind) {
    case TypeKind::kInt:
    case TypeKind::kLong:
    case TypeKind::kDate:
    case TypeKind::kTime:
    case TypeKind::kTimestamp:
    case TypeKind::kTimestampTz:
    case TypeKind::kTimestampNs:
    case TypeKind::kTimestampTzNs: return murmur3_32(le64(v.i));
    case TypeKind::kBoolean: return murmur3_32(le64(v.i ? 1 : 0));
    case TypeKind::kDecimal: return murmur3_32(decimal_to_bytes(v.dec));
    case TypeKind::kString:
    case TypeKind::kUuid:
    case TypeKind::kFixed:
    case TypeKind::kBinary: return murmur3_32(v.s);
    case TypeKind::kFloat:
    case TypeKind::kDouble: {
      // Floats hash as doubles; -0.0 hashes like 0.0 and NaN canonically.
      double d = v.d == 0.0 ? 0.0 : v.d;
      uint64_t bits = 0;
      if (d != d) {
        bits = 0x7ff8000000000000ULL;
      } else {
        std::memcpy(&bits, &d, 8);
      }
      return murmur3_32(le64(static_cast<int64_t>(bits)));
    }
    default: return std::nullopt;
  }
}

std::optional<Value> apply_transform(const Transform& t, const Value& v,
                                     const IcebergType& source) {
  TypePtr result = transform_result_type(t, std::make_shared<IcebergType>(source));
  if (v.null) return Value::null_of(strata_type(*result));
  switch (t.kind) {
    case Transform::Kind::kIdentity: return v;
    case Transform::Kind::kVoid: return Value::null_of(v.type);
    case Transform::Kind::kBucket: {
      auto h = bucket_hash(v, source);
      if (!h) return std::nullopt;
      return int32_value((*h & 0x7fffffff) % t.param);
    }
    case Transform::Kind::kTruncate: {
      int64_t w = t.param;
      switch (source.kind) {
        case TypeKind::kInt:
        case TypeKind::kLong: {
          Value out = v;
          out.i = v.i - (((v.i % w) + w) % w);
          return out;
        }
        case TypeKind::kDecimal: {
          Value out = v;
          __int128 r = ((v.dec % w) + w) % w;
          out.dec = v.dec - r;
          return out;
        }
        case TypeKind::kString: {
          Value out = v;
          out.s = utf8_prefix(v.s, t.param);
          return out;
        }
        case TypeKind::kBinary:
        case TypeKind::kFixed: {
          Value out = v;
          out.s = v.s.substr(0, static_cast<size_t>(t.param));
          return out;
        }
        default: return std::nullopt;
      }
    }
    case Transform::Kind::kYear:
    case Transform::Kind::kMonth:
    case Transform::Kind::kDay: {
      auto days = days_of(v);
      if (!days) return std::nullopt;
      if (t.kind == Transform::Kind::kDay) return Value::temporal(TypeId::kDate, *days);
      CivilTime c = civil_from_micros(*days * kMicrosPerDay);
      if (t.kind == Transform::Kind::kYear) return int32_value(c.year - 1970);
      return int32_value((int64_t{c.year} - 1970) * 12 + (c.month - 1));
    }
    case Transform::Kind::kHour:
      if (v.type.id != TypeId::kTimestamp && v.type.id != TypeId::kTimestampTz) return std::nullopt;
      return int32_value(floor_div(v.i, kMicrosPerHour));
    case Transform::Kind::kUnknown: return std::nullopt;
  }
  return std::nullopt;
}

}  // namespace strata::lake
