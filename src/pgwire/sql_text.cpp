#include "pgwire/sql_text.h"

#include <pg_query.h>

#include <algorithm>
#include <boost/json.hpp>

#include "core/error.h"

namespace strata::pgwire {

namespace json = boost::json;

namespace {

// --- A minimal protobuf reader for pg_query_scan's ScanResult -------------------
// ScanResult { int32 version = 1; repeated ScanToken tokens = 2; }
// ScanToken { int32 start = 1; int32 end = 2; Token token = 4; KeywordKind keyword_kind = 5; }

bool read_varint(const uint8_t*& p, const uint8_t* end, uint64_t& out) {
  out = 0;
  for (int shift = 0; shift < 64 && p < end; shift += 7) {
    uint8_t b = *p++;
    out |= static_cast<uint64_t>(b & 0x7f) << shift;
    if (!(b & 0x80)) return true;
  }
  return false;
}

bool skip_field(const uint8_t*& p, const uint8_t* end, uint32_t wire) {
  uint64_t n = 0;
  switch (wire) {
    case 0: return read_varint(p, end, n);
    case 1:
      if (end - p < 8) return false;
      p += 8;
      return true;
    case 2:
      if (!read_varint(p, end, n) || static_cast<uint64_t>(end - p) < n) return false;
      p += n;
      return true;
    case 5:
      if (end - p < 4) return false;
      p += 4;
      return true;
    default: return false;
  }
}

std::vector<SqlToken> decode_scan(const uint8_t* p, const uint8_t* end) {
  std::vector<SqlToken> tokens;
  while (p < end) {
    uint64_t key = 0;
    if (!read_varint(p, end, key)) break;
    auto field_no = static_cast<uint32_t>(key >> 3);
    auto wire = static_cast<uint32_t>(key & 7);
    if (field_no == 2 && wire == 2) {
      uint64_t len = 0;
      if (!read_varint(p, end, len) || static_cast<uint64_t>(end - p) < len) break;
      const uint8_t* q = p;
      const uint8_t* qend = p + len;
      SqlToken t;
      while (q < qend) {
        uint64_t k = 0, v = 0;
        if (!read_varint(q, qend, k)) break;
        auto f = static_cast<uint32_t>(k >> 3);
        auto w = static_cast<uint32_t>(k & 7);
        if (w != 0) {
          if (!skip_field(q, qend, w)) break;
          continue;
        }
        if (!read_varint(q, qend, v)) break;
        if (f == 1) t.start = static_cast<size_t>(v);
        if (f == 2) t.end = static_cast<size_t>(v);
        if (f == 4) t.kind = static_cast<int>(v);
        if (f == 5) t.keyword = v != 0;
      }
      tokens.push_back(t);
      p += len;
    } else if (!skip_field(p, end, wire)) {
      break;
    }
  }
  return tokens;
}

}  // namespace

// --- ParsedSql ------------------------------------------------------------------

std::shared_ptr<const ParsedSql> ParsedSql::parse(std::string sql) {
  auto out = std::make_shared<ParsedSql>();
  out->text_ = std::move(sql);
  PgQueryParseResult r = pg_query_parse(out->text_.c_str());
  struct Free {
    PgQueryParseResult& r;
    ~Free() { pg_query_free_parse_result(r); }
  } free_result{r};
  if (r.error) {
    std::string message = r.error->message ? r.error->message : "syntax error";
    int position = r.error->cursorpos;
    std::string hint;
    if (message.find("at end of input") != std::string::npos) {
      hint = "the statement ends too early; check for a missing operand or closing parenthesis";
    }
    throw UserError(message, {.position = position, .hint = hint, .sqlstate = "42601"});
  }
  boost::system::error_code ec;
  json::parse_options opts;
  opts.max_depth = 2000;  // parse trees nest deeply (each expression level is two)
  out->tree_ = json::parse(r.parse_tree ? r.parse_tree : "{}", ec, {}, opts);
  if (ec == json::error::too_deep) {
    throw UserError("statement is too complex",
                    {.hint = "nest fewer expressions or subqueries", .sqlstate = "54001"});
  }
  if (ec || !out->tree_.is_object()) throw InternalError("libpg_query returned malformed JSON");
  if (const json::array* stmts = array_field(out->tree_.as_object(), "stmts")) {
    for (const auto& s : *stmts) {
      if (!s.is_object()) continue;
      const json::object& raw = s.as_object();
      SqlStatement st;
      if (const json::value* node = field(raw, "stmt"); node && node->is_object()) {
        st.node = &node->as_object();
        st.value = node;
        auto [type, body] = node_of(*node);
        st.type = type;
      }
      st.location = static_cast<size_t>(int_field(raw, "stmt_location", 0));
      st.length = static_cast<size_t>(int_field(raw, "stmt_len", 0));
      out->statements_.push_back(st);
    }
  }
  return out;
}

std::string_view ParsedSql::statement_text(const SqlStatement& s) const {
  std::string_view t = text_;
  if (s.location >= t.size()) return {};
  size_t len = s.length == 0 ? t.size() - s.location : std::min(s.length, t.size() - s.location);
  return t.substr(s.location, len);
}

const std::vector<SqlToken>& ParsedSql::tokens() const {
  if (scanned_) return tokens_;
  PgQueryScanResult r = pg_query_scan(text_.c_str());
  if (!r.error && r.pbuf.data) {
    const auto* p = reinterpret_cast<const uint8_t*>(r.pbuf.data);
    tokens_ = decode_scan(p, p + r.pbuf.len);
  }
  pg_query_free_scan_result(r);
  scanned_ = true;
  return tokens_;
}

size_t ParsedSql::token_index(size_t offset) const {
  const auto& t = tokens();
  auto it = std::lower_bound(t.begin(), t.end(), offset,
                             [](const SqlToken& tok, size_t off) { return tok.end <= off; });
  if (it == t.end() || it->start > offset) return t.size();
  return static_cast<size_t>(it - t.begin());
}

size_t ParsedSql::token_from(size_t offset) const {
  const auto& t = tokens();
  auto it = std::lower_bound(t.begin(), t.end(), offset,
                             [](const SqlToken& tok, size_t off) { return tok.start < off; });
  return static_cast<size_t>(it - t.begin());
}

std::string_view ParsedSql::token_text(size_t index) const {
  const auto& t = tokens();
  if (index >= t.size()) return {};
  return std::string_view(text_).substr(t[index].start, t[index].end - t[index].start);
}

// --- Edits and positions -----------------------------------------------------------

std::string apply_edits(std::string_view text, std::vector<TextEdit> edits, size_t from,
                        size_t to) {
  std::sort(edits.begin(), edits.end(), [](const TextEdit& a, const TextEdit& b) {
    if (a.start != b.start) return a.start < b.start;
    return a.end > b.end;
  });
  std::string out;
  size_t pos = from;
  for (const auto& e : edits) {
    if (e.start < pos) {
      if (e.end <= pos) continue;  // inside an edit already applied
      throw InternalError("overlapping SQL rewrites at byte " + std::to_string(e.start));
    }
    if (e.start < from || e.end > to) continue;
    out.append(text.substr(pos, e.start - pos));
    out += e.text;
    pos = e.end;
  }
  if (pos < to) out.append(text.substr(pos, to - pos));
  return out;
}

int char_position(std::string_view text, size_t offset) {
  int pos = 1;
  for (size_t i = 0; i < offset && i < text.size(); ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) ++pos;
  }
  return pos;
}

size_t byte_offset(std::string_view text, int position) {
  int pos = 1;
  for (size_t i = 0; i < text.size(); ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) {
      if (pos == position) return i;
      ++pos;
    }
  }
  return text.size();
}

std::string quote_ident(std::string_view id) {
  std::string out = "\"";
  for (char c : id) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

std::string quote_literal(std::string_view s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') out += '\'';
    out += c;
  }
  out += '\'';
  return out;
}

// --- Tree helpers ----------------------------------------------------------------------

std::pair<std::string_view, const json::object*> node_of(const json::value& v) {
  if (!v.is_object()) return {"", nullptr};
  const json::object& o = v.as_object();
  if (o.size() != 1) return {"", nullptr};
  const auto& kv = *o.begin();
  if (!kv.value().is_object()) return {"", nullptr};
  return {kv.key(), &kv.value().as_object()};
}

const json::value* field(const json::object& o, std::string_view key) {
  return o.if_contains(key);
}

const json::array* array_field(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v && v->is_array() ? &v->as_array() : nullptr;
}

std::string_view string_field(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  if (!v || !v->is_string()) return {};
  const json::string& s = v->as_string();
  return std::string_view(s.data(), s.size());
}

int64_t int_field(const json::object& o, std::string_view key, int64_t fallback) {
  const json::value* v = o.if_contains(key);
  if (!v) return fallback;
  if (v->is_int64()) return v->as_int64();
  if (v->is_uint64()) return static_cast<int64_t>(v->as_uint64());
  return fallback;
}

bool bool_field(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v && v->is_bool() && v->as_bool();
}

int64_t location_of(const json::object& body) {
  return int_field(body, "location", -1);
}

std::vector<std::string> name_list(const json::array* names) {
  std::vector<std::string> out;
  if (!names) return out;
  for (const auto& n : *names) {
    auto [type, body] = node_of(n);
    if (type == "String" && body) {
      out.emplace_back(string_field(*body, "sval"));
    } else if (type == "A_Star") {
      out.emplace_back("*");
    }
  }
  return out;
}

}  // namespace strata::pgwire
