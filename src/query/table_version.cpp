#include "query/table_version.h"

#include <charconv>

#include "core/error.h"
#include "core/time.h"

namespace strata {

namespace {

constexpr const char* kHint =
    "write snapshot:<id>, timestamp:<ISO time>, timestamp_ms:<unix ms> or ref:<branch or tag>";

[[noreturn]] void bad(std::string_view text, const std::string& path, const std::string& why) {
  throw UserError("invalid table version '" + std::string(text) + "': " + why,
                  {.json_path = path, .hint = kHint});
}

bool parse_i64(std::string_view s, int64_t& out) {
  if (s.empty()) return false;
  int64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size()) return false;
  out = v;
  return true;
}

std::string trim(std::string_view s) {
  size_t a = s.find_first_not_of(" \t");
  if (a == std::string_view::npos) return "";
  size_t b = s.find_last_not_of(" \t");
  return std::string(s.substr(a, b - a + 1));
}

bool looks_like_date(std::string_view s) {
  return s.size() >= 10 && std::isdigit(static_cast<unsigned char>(s[0])) && s[4] == '-' &&
         s[7] == '-';
}

int64_t timestamp_ms(std::string_view text, std::string_view original, const std::string& path) {
  auto p = parse_iso_timestamp(text);
  if (!p) bad(original, path, "'" + std::string(text) + "' is not an ISO date or timestamp");
  int64_t utc = p->micros - int64_t{p->offset_seconds.value_or(0)} * kMicrosPerSecond;
  // Floor to milliseconds.
  return utc >= 0 ? utc / 1000 : -((-utc + 999) / 1000);
}

}  // namespace

TableVersion parse_table_version(std::string_view raw, const std::string& path) {
  std::string text = trim(raw);
  if (text.empty()) bad(raw, path, "it is empty");
  TableVersion v;
  size_t colon = text.find(':');
  std::string kind = colon == std::string::npos ? "" : text.substr(0, colon);
  std::string rest = colon == std::string::npos ? text : trim(text.substr(colon + 1));
  if (kind == "snapshot" || kind == "snapshot_id") {
    v.kind = TableVersion::Kind::kSnapshotId;
    if (!parse_i64(rest, v.snapshot_id)) bad(raw, path, "a snapshot id is an integer");
    return v;
  }
  if (kind == "timestamp" || kind == "time") {
    v.kind = TableVersion::Kind::kTimestamp;
    v.timestamp_ms = timestamp_ms(rest, raw, path);
    return v;
  }
  if (kind == "timestamp_ms") {
    v.kind = TableVersion::Kind::kTimestamp;
    if (!parse_i64(rest, v.timestamp_ms)) bad(raw, path, "timestamp_ms takes Unix milliseconds");
    return v;
  }
  if (kind == "ref" || kind == "branch" || kind == "tag") {
    if (rest.empty()) bad(raw, path, "the ref name is empty");
    v.kind = TableVersion::Kind::kRef;
    v.ref = rest;
    return v;
  }
  if (parse_i64(text, v.snapshot_id)) {
    v.kind = TableVersion::Kind::kSnapshotId;
    return v;
  }
  if (looks_like_date(text)) {
    v.kind = TableVersion::Kind::kTimestamp;
    v.timestamp_ms = timestamp_ms(text, raw, path);
    return v;
  }
  if (!kind.empty() && kind.find_first_of(" /") == std::string::npos &&
      text.find("://") == std::string::npos) {
    // "foo:bar" with an unknown kind: most likely a typo.
    bad(raw, path, "unknown kind '" + kind + "'");
  }
  v.kind = TableVersion::Kind::kRef;
  v.ref = text;
  return v;
}

std::string table_version_text(const TableVersion& v) {
  switch (v.kind) {
    case TableVersion::Kind::kSnapshotId: return "snapshot:" + std::to_string(v.snapshot_id);
    case TableVersion::Kind::kTimestamp: {
      int64_t ms = v.timestamp_ms;
      return "timestamp:" + format_iso_local(ms * 1000, 3) + "Z";
    }
    case TableVersion::Kind::kRef: return "ref:" + v.ref;
  }
  return "";
}

}  // namespace strata
