#include "plan/scan_predicates.h"

#include <charconv>
#include <cstdlib>

namespace strata {

namespace {

struct PlainColumn {
  std::string table;
  std::string column;
  std::string cube;
};

// "{orders}.amount" or {orders}."Amount": the dimension is one column.
std::optional<PlainColumn> plain_column(const Dimension& d, const Model& model) {
  const auto& parts = d.sql.parts;
  if (parts.size() != 2 || parts[0].kind != SqlTemplate::Part::Kind::kCubeAlias ||
      parts[1].kind != SqlTemplate::Part::Kind::kText) {
    return std::nullopt;
  }
  const Cube* cube = model.find_cube(parts[0].text);
  if (!cube || (cube->sql_table.empty() && !cube->tiers)) return std::nullopt;
  std::string_view col = parts[1].text;
  if (col.size() < 2 || col[0] != '.') return std::nullopt;
  col.remove_prefix(1);
  if (col.size() >= 2 && col.front() == '"' && col.back() == '"') {
    col = col.substr(1, col.size() - 2);
    if (col.find('"') != std::string_view::npos) return std::nullopt;
  } else {
    for (char c : col) {
      bool ok =
          (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
      if (!ok) return std::nullopt;
    }
  }
  return PlainColumn{cube->sql_table, std::string(col), cube->name};
}

std::optional<Value> typed_value(const std::string& text, DimensionType type, const TimeZone& tz) {
  switch (type) {
    case DimensionType::kString: return Value::string(text);
    case DimensionType::kBoolean:
      if (text == "true") return Value::boolean(true);
      if (text == "false") return Value::boolean(false);
      return std::nullopt;
    case DimensionType::kNumber: {
      int64_t i = 0;
      auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), i);
      if (ec == std::errc() && ptr == text.data() + text.size()) return Value::int64(i);
      char* end = nullptr;
      double d = std::strtod(text.c_str(), &end);
      if (text.empty() || end != text.c_str() + text.size()) return std::nullopt;
      return Value::float64(d);
    }
    case DimensionType::kTime: {
      auto p = parse_iso_timestamp(text);
      if (!p) return std::nullopt;
      int64_t utc = p->offset_seconds ? p->micros - int64_t{*p->offset_seconds} * kMicrosPerSecond
                                      : tz.local_to_utc(p->micros);
      return Value::temporal(TypeId::kTimestamp, utc);
    }
  }
  return std::nullopt;
}

void add(std::vector<ScanPredicate>& out, const PlainColumn& c, ScanPredicate::Op op,
         std::vector<Value> values) {
  out.push_back(ScanPredicate{c.table, c.column, op, std::move(values), c.cube});
}

void add_range(std::vector<ScanPredicate>& out, const PlainColumn& c, const DateRange& r,
               const TimeZone& tz) {
  add(out, c, ScanPredicate::Op::kGte,
      {Value::temporal(TypeId::kTimestamp, tz.local_to_utc(r.from_local))});
  add(out, c, ScanPredicate::Op::kLt,
      {Value::temporal(TypeId::kTimestamp, tz.local_to_utc(r.to_local_exclusive))});
}

void from_filter(const FilterNode& f, const Model& model, const TimeZone& tz,
                 std::vector<ScanPredicate>& out) {
  if (f.kind == FilterNode::Kind::kAnd) {
    for (const auto& c : f.children) from_filter(c, model, tz, out);
    return;
  }
  if (f.kind != FilterNode::Kind::kCondition) return;  // an `or` guarantees nothing per column
  const ResolvedMember* m = model.find_member(f.member);
  if (!m || !m->dimension) return;
  auto col = plain_column(*m->dimension, model);
  if (!col) return;
  DimensionType type = m->dimension->type;
  auto one = [&](ScanPredicate::Op op) {
    if (f.values.size() != 1) return;
    if (auto v = typed_value(f.values[0], type, tz)) add(out, *col, op, {*v});
  };
  switch (f.op) {
    case FilterOp::kEquals: {
      std::vector<Value> values;
      for (const auto& text : f.values) {
        auto v = typed_value(text, type, tz);
        if (!v) return;
        values.push_back(*v);
      }
      if (values.size() == 1) {
        add(out, *col, ScanPredicate::Op::kEq, std::move(values));
      } else if (!values.empty()) {
        add(out, *col, ScanPredicate::Op::kIn, std::move(values));
      }
      return;
    }
    case FilterOp::kGt: one(ScanPredicate::Op::kGt); return;
    case FilterOp::kGte: one(ScanPredicate::Op::kGte); return;
    case FilterOp::kLt: one(ScanPredicate::Op::kLt); return;
    case FilterOp::kLte: one(ScanPredicate::Op::kLte); return;
    case FilterOp::kSet: add(out, *col, ScanPredicate::Op::kNotNull, {}); return;
    case FilterOp::kInDateRange:
      if (f.date_range) add_range(out, *col, *f.date_range, tz);
      return;
    case FilterOp::kBeforeDate:
      if (f.date_range) {
        add(out, *col, ScanPredicate::Op::kLt,
            {Value::temporal(TypeId::kTimestamp, tz.local_to_utc(f.date_range->from_local))});
      }
      return;
    case FilterOp::kBeforeOrOnDate:
      if (f.date_range) {
        add(out, *col, ScanPredicate::Op::kLt,
            {Value::temporal(TypeId::kTimestamp,
                             tz.local_to_utc(f.date_range->to_local_exclusive))});
      }
      return;
    case FilterOp::kAfterDate:
      if (f.date_range) {
        add(out, *col, ScanPredicate::Op::kGte,
            {Value::temporal(TypeId::kTimestamp,
                             tz.local_to_utc(f.date_range->to_local_exclusive))});
      }
      return;
    case FilterOp::kAfterOrOnDate:
      if (f.date_range) {
        add(out, *col, ScanPredicate::Op::kGte,
            {Value::temporal(TypeId::kTimestamp, tz.local_to_utc(f.date_range->from_local))});
      }
      return;
    default: return;  // negative operators, contains and IS NULL: see the header
  }
}

}  // namespace

std::string plain_column_name(const Dimension& d, const Model& model) {
  auto c = plain_column(d, model);
  return c ? c->column : "";
}

std::vector<ScanPredicate> extract_scan_predicates(const SemanticQuery& query, const Model& model,
                                                   const TimeZone& tz) {
  std::vector<ScanPredicate> out;
  for (const auto& f : query.filters) from_filter(f, model, tz, out);
  for (const auto& td : query.time_dimensions) {
    if (!td.date_range) continue;
    const ResolvedMember* m = model.find_member(td.dimension);
    if (!m || !m->dimension) continue;
    if (auto col = plain_column(*m->dimension, model)) add_range(out, *col, *td.date_range, tz);
  }
  return out;
}

}  // namespace strata
