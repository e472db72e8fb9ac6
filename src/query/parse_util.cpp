// JSON type checks, error helpers and member lookup with "did you mean"
// suggestions, shared by the Cube query parser's parts.
#include "query/parse_util.h"

#include <algorithm>
#include <boost/json.hpp>
#include <cmath>

namespace strata::query_internal {

namespace json = boost::json;

void fail(std::string message, std::string json_path, std::string hint, std::string member) {
  throw UserError(
      std::move(message),
      {.member = std::move(member), .json_path = std::move(json_path), .hint = std::move(hint)});
}

std::string index_path(std::string_view base, size_t i) {
  return std::string(base) + "[" + std::to_string(i) + "]";
}

std::string field_path(std::string_view base, std::string_view field) {
  if (base.empty()) return std::string(field);
  return std::string(base) + "." + std::string(field);
}

std::string json_kind(const json::value& v) {
  switch (v.kind()) {
    case json::kind::null:
      return "null";
    case json::kind::bool_:
      return "a boolean";
    case json::kind::int64:
    case json::kind::uint64:
    case json::kind::double_:
      return "a number";
    case json::kind::string:
      return "a string";
    case json::kind::array:
      return "an array";
    case json::kind::object:
      return "an object";
  }
  return "a value";
}

std::string quoted(std::string_view s) {
  return "'" + std::string(s) + "'";
}

const json::array& expect_array(const json::value& v, const std::string& path,
                                std::string_view what) {
  if (const auto* a = v.if_array()) return *a;
  fail(path + " must be an array of " + std::string(what) + ", got " + json_kind(v), path,
       "write it as [\"...\", \"...\"]");
}

std::string expect_string(const json::value& v, const std::string& path, std::string_view what) {
  if (const auto* s = v.if_string()) return std::string(s->data(), s->size());
  fail(path + " must be " + std::string(what) + " (a string), got " + json_kind(v), path);
}

bool expect_bool(const json::value& v, const std::string& path) {
  if (const auto* b = v.if_bool()) return *b;
  fail(path + " must be true or false, got " + json_kind(v), path);
}

int64_t expect_integer(const json::value& v, const std::string& path) {
  if (const auto* i = v.if_int64()) return *i;
  if (const auto* u = v.if_uint64()) {
    if (*u <= static_cast<uint64_t>(INT64_MAX)) return static_cast<int64_t>(*u);
  }
  if (const auto* d = v.if_double()) {
    if (std::isfinite(*d) && std::trunc(*d) == *d && std::fabs(*d) < 9.0e15) {
      return static_cast<int64_t>(*d);
    }
  }
  fail(path + " must be an integer, got " + (v.is_number() ? json::serialize(v) : json_kind(v)),
       path);
}

// ------------------------------------------------------------------ members

std::string_view member_kind_name(MemberKind k) {
  switch (k) {
    case MemberKind::kDimension:
      return "dimension";
    case MemberKind::kMeasure:
      return "measure";
    case MemberKind::kSegment:
      return "segment";
  }
  return "member";
}

std::string describe_member(const ResolvedMember& m) {
  switch (m.kind) {
    case MemberKind::kDimension:
      return "a " + std::string(dimension_type_name(m.dimension->type)) + " dimension";
    case MemberKind::kMeasure:
      return "a " + std::string(measure_type_name(m.measure->type)) + " measure";
    case MemberKind::kSegment:
      return "a segment";
  }
  return "a member";
}

namespace {

char lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

// Levenshtein distance, case-insensitive (a mistyped case is a typo too).
size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j)
    row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t above = row[j];
      const size_t cost = lower(a[i - 1]) == lower(b[j - 1]) ? 0 : 1;
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + cost});
      diagonal = above;
    }
  }
  return row[b.size()];
}

struct Candidate {
  std::string name;
  MemberKind kind;
};

// The names a client may see (/meta lists public members only).
std::vector<Candidate> visible_members(const Model& model) {
  std::vector<Candidate> out;
  for (const auto& cube : model.cubes()) {
    if (!cube.shown) continue;
    for (const auto& d : cube.dimensions) {
      if (d.shown) out.push_back({d.full_name(), MemberKind::kDimension});
    }
    for (const auto& m : cube.measures) {
      if (m.shown) out.push_back({m.full_name(), MemberKind::kMeasure});
    }
    for (const auto& s : cube.segments) {
      if (s.shown) out.push_back({s.full_name(), MemberKind::kSegment});
    }
  }
  for (const auto& view : model.views()) {
    if (!view.shown) continue;
    for (const auto& vm : view.members)
      out.push_back({view.name + "." + vm.name, vm.kind});
  }
  return out;
}

}  // namespace

std::string closest_members(const Model& model, std::string_view name,
                            std::optional<MemberKind> wanted) {
  const auto candidates = visible_members(model);
  const size_t max_distance = std::max<size_t>(2, name.size() / 3);
  auto best = [&](bool kind_must_match) {
    std::vector<std::pair<size_t, std::string>> scored;
    for (const auto& c : candidates) {
      if (kind_must_match && wanted && c.kind != *wanted) continue;
      const size_t d = edit_distance(name, c.name);
      if (d <= max_distance) scored.emplace_back(d, c.name);
    }
    std::stable_sort(scored.begin(), scored.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    if (scored.size() > 3) scored.resize(3);
    return scored;
  };
  auto scored = best(true);
  if (scored.empty() && wanted) scored = best(false);
  if (scored.empty()) return "";
  std::string out = "did you mean ";
  for (size_t i = 0; i < scored.size(); ++i) {
    if (i > 0) out += i + 1 == scored.size() ? " or " : ", ";
    out += quoted(scored[i].second);
  }
  return out + "?";
}

const ResolvedMember& resolve_member(const Model& model, std::string_view name,
                                     const std::string& path, std::optional<MemberKind> wanted) {
  if (const ResolvedMember* m = model.find_member(name)) return *m;
  std::string hint = closest_members(model, name, wanted);
  if (!hint.empty()) {
    hint += " (GET /cubejs-api/v1/meta lists every member)";
  } else if (name.find('.') == std::string_view::npos) {
    hint =
        "members are written cube.member (for example orders.count); GET /cubejs-api/v1/meta "
        "lists every member";
  } else {
    hint = "GET /cubejs-api/v1/meta lists every member";
  }
  fail("unknown member " + quoted(name), path, std::move(hint), std::string(name));
}

}  // namespace strata::query_internal
