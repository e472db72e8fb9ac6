#include "lake/sql_tables.h"

#include <algorithm>
#include <cctype>

namespace strata::lake {

namespace {

struct Token {
  enum class Kind { kWord, kQuoted, kString, kPunct, kOther } kind = Kind::kOther;
  size_t begin = 0, end = 0;
  std::string text;  // word (as written) or unquoted identifier
};

std::vector<Token> tokenize(std::string_view s) {
  std::vector<Token> out;
  size_t i = 0, n = s.size();
  while (i < n) {
    char c = s[i];
    if (std::isspace(static_cast<unsigned char>(c))) {
      ++i;
    } else if (c == '-' && i + 1 < n && s[i + 1] == '-') {
      while (i < n && s[i] != '\n') ++i;
    } else if (c == '/' && i + 1 < n && s[i + 1] == '*') {
      size_t e = s.find("*/", i + 2);
      i = e == std::string_view::npos ? n : e + 2;
    } else if (c == '\'') {
      Token t{Token::Kind::kString, i, i, ""};
      ++i;
      while (i < n) {
        if (s[i] == '\'') {
          if (i + 1 < n && s[i + 1] == '\'') {
            i += 2;
            continue;
          }
          ++i;
          break;
        }
        ++i;
      }
      t.end = i;
      out.push_back(t);
    } else if (c == '"') {
      Token t{Token::Kind::kQuoted, i, i, ""};
      ++i;
      while (i < n) {
        if (s[i] == '"') {
          if (i + 1 < n && s[i + 1] == '"') {
            t.text += '"';
            i += 2;
            continue;
          }
          ++i;
          break;
        }
        t.text += s[i++];
      }
      t.end = i;
      out.push_back(t);
    } else if (std::isalpha(static_cast<unsigned char>(c)) || c == '_' ||
               static_cast<unsigned char>(c) >= 0x80) {
      Token t{Token::Kind::kWord, i, i, ""};
      while (i < n && (std::isalnum(static_cast<unsigned char>(s[i])) || s[i] == '_' ||
                       s[i] == '$' || static_cast<unsigned char>(s[i]) >= 0x80)) {
        t.text += s[i++];
      }
      t.end = i;
      out.push_back(t);
    } else if (std::isdigit(static_cast<unsigned char>(c))) {
      Token t{Token::Kind::kOther, i, i, ""};
      while (i < n && (std::isalnum(static_cast<unsigned char>(s[i])) || s[i] == '.')) ++i;
      t.end = i;
      out.push_back(t);
    } else {
      out.push_back(Token{Token::Kind::kPunct, i, i + 1, std::string(1, c)});
      ++i;
    }
  }
  return out;
}

std::string upper(const std::string& s) {
  std::string out = s;
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return out;
}

bool is_keyword(const Token& t, const char* kw) {
  return t.kind == Token::Kind::kWord && upper(t.text) == kw;
}

bool is_clause_word(const Token& t) {
  static const char* kWords[] = {
      "WHERE",      "GROUP",     "ORDER",  "HAVING",  "LIMIT",   "OFFSET",      "JOIN",    "LEFT",
      "RIGHT",      "INNER",     "OUTER",  "FULL",    "CROSS",   "ON",          "USING",   "UNION",
      "EXCEPT",     "INTERSECT", "WINDOW", "QUALIFY", "NATURAL", "SELECT",      "LATERAL", "ASOF",
      "POSITIONAL", "ANTI",      "SEMI",   "FROM",    "AS",      "TABLESAMPLE", "USING"};
  if (t.kind != Token::Kind::kWord) return false;
  std::string u = upper(t.text);
  return std::any_of(std::begin(kWords), std::end(kWords), [&](const char* w) { return u == w; });
}

bool is_name(const Token& t) {
  return t.kind == Token::Kind::kQuoted || (t.kind == Token::Kind::kWord && !is_clause_word(t));
}

}  // namespace

std::vector<SqlTableRef> find_table_refs(std::string_view sql) {
  std::vector<Token> toks = tokenize(sql);
  std::vector<SqlTableRef> out;
  // Parses a qualified name at toks[i]; returns the index after it (and any
  // alias), appending the ref; `i` unchanged when there is none.
  auto parse_ref = [&](size_t i, bool& parsed) -> size_t {
    parsed = false;
    if (i >= toks.size() || !is_name(toks[i])) return i;
    SqlTableRef ref;
    ref.begin = toks[i].begin;
    ref.parts.push_back(toks[i].text);
    size_t j = i + 1;
    while (j + 1 < toks.size() && toks[j].kind == Token::Kind::kPunct && toks[j].text == "." &&
           (toks[j + 1].kind == Token::Kind::kWord || toks[j + 1].kind == Token::Kind::kQuoted)) {
      ref.parts.push_back(toks[j + 1].text);
      j += 2;
    }
    ref.end = toks[j - 1].end;
    if (j < toks.size() && toks[j].kind == Token::Kind::kPunct && toks[j].text == "(") {
      return i;  // a table function
    }
    parsed = true;
    out.push_back(std::move(ref));
    // Alias.
    if (j < toks.size() && is_keyword(toks[j], "AS")) ++j;
    if (j < toks.size() && is_name(toks[j])) ++j;
    return j;
  };
  for (size_t i = 0; i < toks.size(); ++i) {
    if (!is_keyword(toks[i], "FROM") && !is_keyword(toks[i], "JOIN")) continue;
    bool from = is_keyword(toks[i], "FROM");
    size_t j = i + 1;
    for (;;) {
      bool parsed = false;
      size_t next = parse_ref(j, parsed);
      if (!parsed) break;
      j = next;
      if (from && j < toks.size() && toks[j].kind == Token::Kind::kPunct && toks[j].text == ",") {
        ++j;
        continue;
      }
      break;
    }
  }
  return out;
}

}  // namespace strata::lake
