#include "lake/scan/pruning.h"

#include <cmath>

#include "core/time.h"
#include "lake/scan/values.h"

namespace strata::lake {

namespace {

// Values of one column compared in one domain: integers (also instants in
// microseconds), doubles, or unsigned byte strings.
struct Key {
  enum class Kind { kInt, kDouble, kBytes } kind = Kind::kInt;
  int64_t i = 0;
  double d = 0;
  std::string s;
};

enum class Domain { kNone, kInt, kDouble, kBytes, kInstant };

bool is_temporal_column(TypeKind k) {
  return k == TypeKind::kDate || k == TypeKind::kTimestamp || k == TypeKind::kTimestampTz ||
         k == TypeKind::kTimestampNs || k == TypeKind::kTimestampTzNs;
}

Domain domain_for(const IcebergType& col, const Value& pv) {
  if (pv.null) return Domain::kNone;
  TypeId p = pv.type.id;
  bool p_int = p == TypeId::kInt16 || p == TypeId::kInt32 || p == TypeId::kInt64;
  bool p_num = p_int || p == TypeId::kFloat || p == TypeId::kDouble || p == TypeId::kDecimal;
  switch (col.kind) {
    case TypeKind::kInt:
    case TypeKind::kLong:
      if (p_int) return Domain::kInt;
      return p_num ? Domain::kDouble : Domain::kNone;
    case TypeKind::kFloat:
    case TypeKind::kDouble:
    case TypeKind::kDecimal: return p_num ? Domain::kDouble : Domain::kNone;
    case TypeKind::kBoolean: return p == TypeId::kBoolean ? Domain::kInt : Domain::kNone;
    case TypeKind::kString:
    case TypeKind::kBinary:
    case TypeKind::kFixed: return p == TypeId::kString ? Domain::kBytes : Domain::kNone;
    case TypeKind::kUuid:
      return (p == TypeId::kString || p == TypeId::kUuid) ? Domain::kBytes : Domain::kNone;
    default:
      if (is_temporal_column(col.kind) &&
          (p == TypeId::kTimestamp || p == TypeId::kTimestampTz || p == TypeId::kDate)) {
        return Domain::kInstant;
      }
      return Domain::kNone;
  }
}

std::optional<Key> to_key(const Value& v, Domain d, bool uuid_text_allowed) {
  if (v.null) return std::nullopt;
  Key k;
  switch (d) {
    case Domain::kNone: return std::nullopt;
    case Domain::kInt:
      if (v.type.storage() != Storage::kInt) return std::nullopt;
      k.kind = Key::Kind::kInt;
      k.i = v.i;
      return k;
    case Domain::kDouble:
      k.kind = Key::Kind::kDouble;
      switch (v.type.storage()) {
        case Storage::kInt: k.d = static_cast<double>(v.i); break;
        case Storage::kDouble: k.d = v.d; break;
        case Storage::kDecimal: k.d = decimal_to_double(v.dec, v.type.scale); break;
        default: return std::nullopt;
      }
      if (std::isnan(k.d)) return std::nullopt;
      return k;
    case Domain::kBytes:
      if (v.type.storage() != Storage::kString) return std::nullopt;
      k.kind = Key::Kind::kBytes;
      k.s = v.s;
      if (uuid_text_allowed && v.type.id == TypeId::kString) {
        auto b = uuid_bytes(v.s);
        if (!b) return std::nullopt;
        k.s = *b;
      }
      return k;
    case Domain::kInstant:
      k.kind = Key::Kind::kInt;
      switch (v.type.id) {
        case TypeId::kDate: k.i = v.i * kMicrosPerDay; return k;
        case TypeId::kTimestamp:
        case TypeId::kTimestampTz: k.i = v.i; return k;
        default: return std::nullopt;
      }
  }
  return std::nullopt;
}

int compare(const Key& a, const Key& b) {
  switch (a.kind) {
    case Key::Kind::kInt: return a.i < b.i ? -1 : a.i > b.i ? 1 : 0;
    case Key::Kind::kDouble: return a.d < b.d ? -1 : a.d > b.d ? 1 : 0;
    case Key::Kind::kBytes: {
      int c = a.s.compare(b.s);
      return c < 0 ? -1 : c > 0 ? 1 : 0;
    }
  }
  return 0;
}

bool is_float(const IcebergType& t) {
  return t.kind == TypeKind::kFloat || t.kind == TypeKind::kDouble;
}

// May some value v with lower <= v <= upper satisfy `v op x`?
bool range_may_satisfy(ScanPredicate::Op op, const Key& x, const std::optional<Key>& lo,
                       const std::optional<Key>& hi, bool hi_is_prefix, bool nan_possible) {
  // With a prefix upper bound every value starts with `hi`: compare x cut to
  // the prefix length.
  auto cmp_hi = [&](const Key& v) {  // compare(v, upper)
    if (hi_is_prefix && v.kind == Key::Kind::kBytes && v.s.size() > hi->s.size()) {
      Key cut = v;
      cut.s.resize(hi->s.size());
      int c = compare(cut, *hi);
      return c == 0 ? -1 : c;  // a longer value with the prefix is within the range
    }
    return compare(v, *hi);
  };
  switch (op) {
    case ScanPredicate::Op::kEq:
      if (lo && compare(x, *lo) < 0) return false;
      if (hi && cmp_hi(x) > 0) return false;
      return true;
    case ScanPredicate::Op::kLt: return !lo || compare(*lo, x) < 0;
    case ScanPredicate::Op::kLte: return !lo || compare(*lo, x) <= 0;
    case ScanPredicate::Op::kGt:
      if (nan_possible) return true;
      return !hi || hi_is_prefix || compare(*hi, x) > 0;
    case ScanPredicate::Op::kGte:
      if (nan_possible) return true;
      return !hi || hi_is_prefix || compare(*hi, x) >= 0;
    default: return true;
  }
}

const FieldSummary* summary_at(const std::vector<FieldSummary>& s, size_t i) {
  return i < s.size() ? &s[i] : nullptr;
}

// The range of source values a partition value stands for.
std::optional<ColumnStats> source_range(const Transform& t, const Value& p,
                                        const IcebergType& source) {
  ColumnStats s;
  if (p.null) {
    s.has_null = true;
    s.all_null = true;
    return s;
  }
  s.has_null = false;
  s.all_null = false;
  auto instant = [](int64_t micros) { return Value::temporal(TypeId::kTimestamp, micros); };
  switch (t.kind) {
    case Transform::Kind::kIdentity:
      s.lower = p;
      s.upper = p;
      return s;
    case Transform::Kind::kYear: {
      int64_t y = p.i + 1970;
      s.lower = instant(days_from_civil(static_cast<int>(y), 1, 1) * kMicrosPerDay);
      s.upper = instant(days_from_civil(static_cast<int>(y + 1), 1, 1) * kMicrosPerDay - 1);
      return s;
    }
    case Transform::Kind::kMonth: {
      int64_t m = p.i;
      int64_t y = 1970 + (m >= 0 ? m / 12 : -((-m + 11) / 12));
      int mon = static_cast<int>(m - (y - 1970) * 12) + 1;
      int64_t start = days_from_civil(static_cast<int>(y), mon, 1);
      int64_t next = mon == 12 ? days_from_civil(static_cast<int>(y + 1), 1, 1)
                               : days_from_civil(static_cast<int>(y), mon + 1, 1);
      s.lower = instant(start * kMicrosPerDay);
      s.upper = instant(next * kMicrosPerDay - 1);
      return s;
    }
    case Transform::Kind::kDay:
      s.lower = instant(p.i * kMicrosPerDay);
      s.upper = instant((p.i + 1) * kMicrosPerDay - 1);
      return s;
    case Transform::Kind::kHour:
      s.lower = instant(p.i * kMicrosPerHour);
      s.upper = instant((p.i + 1) * kMicrosPerHour - 1);
      return s;
    case Transform::Kind::kTruncate:
      switch (source.kind) {
        case TypeKind::kInt:
        case TypeKind::kLong: {
          s.lower = p;
          Value up = p;
          up.i = p.i + t.param - 1;
          s.upper = up;
          return s;
        }
        case TypeKind::kDecimal: {
          s.lower = p;
          Value up = p;
          up.dec = p.dec + t.param - 1;
          s.upper = up;
          return s;
        }
        case TypeKind::kString:
        case TypeKind::kBinary:
        case TypeKind::kFixed:
          s.lower = p;
          s.upper = p;
          s.upper_is_prefix = true;
          return s;
        default: return std::nullopt;
      }
    default: return std::nullopt;
  }
}

// Does the value of a bucket predicate hash into [lo, hi]?
bool bucket_may_match(const ScanPredicate& pred, const Transform& t, const IcebergType& source,
                      int64_t lo, int64_t hi) {
  if (pred.op != ScanPredicate::Op::kEq && pred.op != ScanPredicate::Op::kIn) return true;
  for (const Value& v : pred.values) {
    Value typed = v;
    switch (source.kind) {
      case TypeKind::kInt:
      case TypeKind::kLong:
        if (v.type.storage() != Storage::kInt || v.type.id == TypeId::kBoolean) return true;
        break;
      case TypeKind::kString:
      case TypeKind::kBinary:
        if (v.type.id != TypeId::kString) return true;
        break;
      case TypeKind::kUuid: {
        if (v.type.id != TypeId::kString) return true;
        auto b = uuid_bytes(v.s);
        if (!b) return true;
        typed.s = *b;
        break;
      }
      case TypeKind::kTimestamp:
      case TypeKind::kTimestampTz:
        if (v.type.id != TypeId::kTimestamp && v.type.id != TypeId::kTimestampTz) return true;
        break;
      case TypeKind::kDate:
        if (v.type.id != TypeId::kTimestamp || v.i % kMicrosPerDay != 0) return true;
        typed = Value::temporal(TypeId::kDate, v.i / kMicrosPerDay);
        break;
      default: return true;
    }
    auto b = apply_transform(t, typed, source);
    if (!b) return true;
    if (b->i >= lo && b->i <= hi) return true;
  }
  return false;
}

}  // namespace

std::vector<FieldPredicate> resolve_predicates(const std::vector<ScanPredicate>& predicates,
                                               const Schema& schema) {
  std::vector<FieldPredicate> out;
  for (const auto& p : predicates) {
    const NestedField* f = schema.find_by_name(p.column);
    if (!f || !f->type || !f->type->is_primitive()) continue;
    out.push_back(FieldPredicate{f->id, f->type, p});
  }
  return out;
}

bool may_match(const ScanPredicate& p, const ColumnStats& s, const IcebergType& type) {
  switch (p.op) {
    case ScanPredicate::Op::kIsNull: return s.has_null.value_or(true);
    case ScanPredicate::Op::kNotNull: return !s.all_null.value_or(false);
    default: break;
  }
  // Comparisons never match NULL.
  if (s.all_null.value_or(false)) return false;
  bool nan_possible = is_float(type) && s.has_nan.value_or(true);
  bool uuid = type.kind == TypeKind::kUuid;
  if (uuid && p.op != ScanPredicate::Op::kEq && p.op != ScanPredicate::Op::kIn) return true;
  auto test_one = [&](ScanPredicate::Op op, const Value& v) {
    Domain d = domain_for(type, v);
    auto x = to_key(v, d, uuid);
    if (!x) return true;
    std::optional<Key> lo, hi;
    if (s.lower) lo = to_key(*s.lower, d, false);
    if (s.upper) hi = to_key(*s.upper, d, false);
    if ((s.lower && !lo) || (s.upper && !hi)) return true;  // bounds in another domain
    if (lo && lo->kind != x->kind) return true;
    if (hi && hi->kind != x->kind) return true;
    return range_may_satisfy(op, *x, lo, hi, s.upper_is_prefix, nan_possible);
  };
  if (p.op == ScanPredicate::Op::kIn) {
    for (const Value& v : p.values) {
      if (test_one(ScanPredicate::Op::kEq, v)) return true;
    }
    return p.values.empty();
  }
  if (p.values.size() != 1) return true;
  return test_one(p.op, p.values[0]);
}

ColumnStats file_column_stats(const DataFile& file, int id, const IcebergType& type) {
  ColumnStats s;
  if (auto it = file.lower_bounds.find(id); it != file.lower_bounds.end()) {
    s.lower = decode_single_value(it->second, type);
  }
  if (auto it = file.upper_bounds.find(id); it != file.upper_bounds.end()) {
    s.upper = decode_single_value(it->second, type);
  }
  auto nulls = file.null_value_counts.find(id);
  auto values = file.value_counts.find(id);
  if (nulls != file.null_value_counts.end()) {
    s.has_null = nulls->second > 0;
    if (values != file.value_counts.end()) {
      auto nans = file.nan_value_counts.find(id);
      int64_t nan_count = nans == file.nan_value_counts.end() ? 0 : nans->second;
      s.all_null = values->second > 0 && nulls->second == values->second && nan_count == 0;
    }
  }
  if (auto nans = file.nan_value_counts.find(id); nans != file.nan_value_counts.end()) {
    s.has_nan = nans->second > 0;
  }
  return s;
}

bool file_may_match(const DataFile& file, const std::vector<FieldPredicate>& predicates) {
  for (const auto& fp : predicates) {
    ColumnStats s = file_column_stats(file, fp.field_id, *fp.type);
    if (!may_match(fp.predicate, s, *fp.type)) return false;
  }
  return true;
}

bool partition_may_match(const PartitionSpec& spec, const std::vector<Value>& partition,
                         const std::vector<FieldPredicate>& predicates) {
  for (size_t i = 0; i < spec.fields.size() && i < partition.size(); ++i) {
    const PartitionField& pf = spec.fields[i];
    Transform t = parse_transform(pf.transform);
    for (const auto& fp : predicates) {
      if (fp.field_id != pf.source_id) continue;
      const Value& p = partition[i];
      if (t.kind == Transform::Kind::kBucket) {
        if (p.null) {
          if (fp.predicate.op != ScanPredicate::Op::kIsNull) return false;
          continue;
        }
        if (!bucket_may_match(fp.predicate, t, *fp.type, p.i, p.i)) return false;
        continue;
      }
      auto range = source_range(t, p, *fp.type);
      if (!range) continue;
      if (!may_match(fp.predicate, *range, *fp.type)) return false;
    }
  }
  return true;
}

bool manifest_may_match(const PartitionSpec& spec, const std::vector<FieldSummary>& summaries,
                        const std::vector<FieldPredicate>& predicates) {
  for (size_t i = 0; i < spec.fields.size(); ++i) {
    const FieldSummary* fs = summary_at(summaries, i);
    if (!fs) return true;
    const PartitionField& pf = spec.fields[i];
    Transform t = parse_transform(pf.transform);
    for (const auto& fp : predicates) {
      if (fp.field_id != pf.source_id) continue;
      if (fp.predicate.op == ScanPredicate::Op::kIsNull) {
        if (!fs->contains_null) return false;
        continue;
      }
      if (fp.predicate.op == ScanPredicate::Op::kNotNull) continue;
      if (!fs->lower_bound || !fs->upper_bound) continue;
      TypePtr result = transform_result_type(t, fp.type);
      auto lo = decode_single_value(*fs->lower_bound, *result);
      auto hi = decode_single_value(*fs->upper_bound, *result);
      if (!lo || !hi) continue;
      if (t.kind == Transform::Kind::kBucket) {
        if (!bucket_may_match(fp.predicate, t, *fp.type, lo->i, hi->i)) return false;
        continue;
      }
      if (!t.preserves_order()) continue;
      auto lo_range = source_range(t, *lo, *fp.type);
      auto hi_range = source_range(t, *hi, *fp.type);
      if (!lo_range || !hi_range) continue;
      ColumnStats s;
      s.lower = lo_range->lower;
      s.upper = hi_range->upper;
      s.upper_is_prefix = hi_range->upper_is_prefix;
      s.has_null = fs->contains_null;
      if (fs->contains_nan) s.has_nan = *fs->contains_nan;
      if (!may_match(fp.predicate, s, *fp.type)) return false;
    }
  }
  return true;
}

}  // namespace strata::lake
