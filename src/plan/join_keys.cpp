#include "plan/join_keys.h"

#include <cctype>

namespace strata {

namespace {

using Part = SqlTemplate::Part;

void append_text(SqlTemplate& t, std::string_view text) {
  if (text.empty()) return;
  if (!t.parts.empty() && t.parts.back().kind == Part::Kind::kText) {
    t.parts.back().text += text;
  } else {
    t.parts.push_back(Part{Part::Kind::kText, std::string(text)});
  }
}

bool blank(const SqlTemplate& t) {
  for (const auto& p : t.parts) {
    if (p.kind != Part::Kind::kText) return false;
    for (char c : p.text) {
      if (!std::isspace(static_cast<unsigned char>(c))) return false;
    }
  }
  return true;
}

// Drops whitespace around the expression (left over from splitting at = and AND).
void trim(SqlTemplate& t) {
  while (!t.parts.empty() && t.parts.front().kind == Part::Kind::kText) {
    std::string& s = t.parts.front().text;
    size_t i = 0;
    while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
    s.erase(0, i);
    if (!s.empty()) break;
    t.parts.erase(t.parts.begin());
  }
  while (!t.parts.empty() && t.parts.back().kind == Part::Kind::kText) {
    std::string& s = t.parts.back().text;
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
    if (!s.empty()) break;
    t.parts.pop_back();
  }
}

bool ident_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
}

struct Conjunct {
  std::vector<SqlTemplate> sides{SqlTemplate{}};  // split at '='
};

}  // namespace

std::optional<std::vector<JoinKeyPair>> split_equi_join(const SqlTemplate& on,
                                                        const std::set<std::string>& near_cubes) {
  std::vector<Conjunct> conjuncts(1);
  int depth = 0;
  char quote = 0;
  for (const auto& part : on.parts) {
    if (part.kind != Part::Kind::kText) {
      conjuncts.back().sides.back().parts.push_back(part);
      continue;
    }
    const std::string& t = part.text;
    size_t start = 0;
    auto flush = [&](size_t end) {
      append_text(conjuncts.back().sides.back(), std::string_view(t).substr(start, end - start));
    };
    for (size_t i = 0; i < t.size(); ++i) {
      char c = t[i];
      if (quote) {
        if (c == quote) quote = 0;
        continue;
      }
      if (c == '\'' || c == '"') {
        quote = c;
      } else if (c == '(') {
        ++depth;
      } else if (c == ')') {
        --depth;
      } else if (depth == 0 && c == '=' &&
                 (i == 0 ||
                  (t[i - 1] != '<' && t[i - 1] != '>' && t[i - 1] != '!' && t[i - 1] != '=')) &&
                 (i + 1 >= t.size() || t[i + 1] != '=')) {
        flush(i);
        conjuncts.back().sides.emplace_back();
        start = i + 1;
      } else if (depth == 0 && (c == 'a' || c == 'A') && i + 3 <= t.size() &&
                 (t.compare(i, 3, "and") == 0 || t.compare(i, 3, "AND") == 0) &&
                 (i == 0 || !ident_char(t[i - 1])) &&
                 (i + 3 == t.size() || !ident_char(t[i + 3]))) {
        flush(i);
        conjuncts.emplace_back();
        start = i + 3;
        i += 2;
      }
    }
    flush(t.size());
  }
  std::vector<JoinKeyPair> out;
  for (auto& c : conjuncts) {
    for (auto& side : c.sides) trim(side);
    if (c.sides.size() != 2 || blank(c.sides[0]) || blank(c.sides[1])) return std::nullopt;
    auto side_of = [&](const SqlTemplate& s) -> int {  // 1 near, 2 far, 0 mixed or none
      auto cubes = s.cubes();
      if (cubes.empty() || !s.measure_refs().empty()) return 0;
      bool all_near = true, all_far = true;
      for (const auto& cube : cubes) {
        (near_cubes.count(cube) ? all_far : all_near) = false;
      }
      return all_near ? 1 : all_far ? 2 : 0;
    };
    int a = side_of(c.sides[0]);
    int b = side_of(c.sides[1]);
    if (a == 1 && b == 2) {
      out.push_back({c.sides[0], c.sides[1]});
    } else if (a == 2 && b == 1) {
      out.push_back({c.sides[1], c.sides[0]});
    } else {
      return std::nullopt;
    }
  }
  return out;
}

}  // namespace strata
