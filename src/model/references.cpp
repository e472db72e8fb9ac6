#include "model/references.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <optional>
#include <set>

#include "model/suggest.h"
#include "model/yaml_util.h"

namespace strata::model_loader {

namespace {

using Part = SqlTemplate::Part;

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front())))
    s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back())))
    s.remove_suffix(1);
  return s;
}

void append_text(SqlTemplate& t, std::string_view text) {
  if (text.empty()) return;
  if (!t.parts.empty() && t.parts.back().kind == Part::Kind::kText) {
    t.parts.back().text += text;
  } else {
    t.parts.push_back(Part{Part::Kind::kText, std::string(text)});
  }
}

void append_part(SqlTemplate& t, const Part& p) {
  if (p.kind == Part::Kind::kText) {
    append_text(t, p.text);
  } else {
    t.parts.push_back(p);
  }
}

std::vector<std::string> split_dots(std::string_view s) {
  std::vector<std::string> out;
  size_t start = 0;
  while (true) {
    size_t dot = s.find('.', start);
    out.emplace_back(trim(s.substr(start, dot == std::string_view::npos ? dot : dot - start)));
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return out;
}

const char* const kReferenceForms = "write {member}, {cube.member}, {CUBE} or {cube}";

// A member of some cube, by position in the drafts.
struct Target {
  size_t cube = 0;
  MemberKind kind = MemberKind::kDimension;
  size_t index = 0;
  friend bool operator==(const Target&, const Target&) = default;
};

// Where a piece of SQL sits, for resolving and for issues.
struct Scope {
  size_t cube = 0;     // the owning cube ({CUBE}, one-word members)
  std::string member;  // "orders.is_big", or "orders" for a join
  std::string what;    // "dimension orders.is_big": the subject of messages
  SourceLocation loc;  // of the SQL
  bool measures_allowed = false;
  // The type of the measure whose own sql this is; unset for other SQL.
  std::optional<MeasureType> measure_type;
};

class Resolver {
 public:
  Resolver(ModelDraft& model, Issues& issues) : model_(model), issues_(issues) {
    members_.resize(model.cubes.size());
    for (size_t c = 0; c < model.cubes.size(); ++c) {
      const CubeDraft& cube = model.cubes[c];
      cube_index_.emplace(cube.def.name, c);
      cube_names_.push_back(cube.def.name);
      for (size_t i = 0; i < cube.dimensions.size(); ++i) {
        members_[c].emplace(cube.dimensions[i].def.name, Target{c, MemberKind::kDimension, i});
      }
      for (size_t i = 0; i < cube.measures.size(); ++i) {
        members_[c].emplace(cube.measures[i].def.name, Target{c, MemberKind::kMeasure, i});
      }
      for (size_t i = 0; i < cube.segments.size(); ++i) {
        members_[c].emplace(cube.segments[i].def.name, Target{c, MemberKind::kSegment, i});
      }
    }
    dimension_state_.resize(model.cubes.size());
    segment_state_.resize(model.cubes.size());
    for (size_t c = 0; c < model.cubes.size(); ++c) {
      dimension_state_[c].assign(model.cubes[c].dimensions.size(), State::kTodo);
      segment_state_[c].assign(model.cubes[c].segments.size(), State::kTodo);
    }
  }

  void run() {
    for (size_t c = 0; c < model_.cubes.size(); ++c) {
      CubeDraft& cube = model_.cubes[c];
      for (size_t i = 0; i < cube.dimensions.size(); ++i) {
        row_level_template(Target{c, MemberKind::kDimension, i});
      }
      for (size_t i = 0; i < cube.segments.size(); ++i) {
        row_level_template(Target{c, MemberKind::kSegment, i});
      }
      for (auto& m : cube.measures) {
        std::string member = m.def.full_name();
        // With an unknown type (already reported) measure references are let
        // through rather than reported a second time.
        bool number = !m.type_known || m.def.type == MeasureType::kNumber;
        m.def.sql =
            resolve(m.sql, Scope{c, member, "measure " + member, m.sql.loc, number, m.def.type});
        m.def.filters.clear();
        for (const auto& f : m.filters) {
          m.def.filters.push_back(
              resolve(f, Scope{c, member, "a filter of measure " + member, f.loc, false}));
        }
      }
      for (auto& j : cube.joins) {
        std::string what = "the join from " + cube.def.name + " to " + j.def.target;
        j.def.on = resolve(j.sql, Scope{c, cube.def.name, what, j.sql.loc, false});
      }
    }
    check_measure_cycles();
  }

 private:
  enum class State { kTodo, kActive, kDone };

  std::string name_of(const Target& t) const {
    const CubeDraft& cube = model_.cubes[t.cube];
    switch (t.kind) {
      case MemberKind::kDimension:
        return cube.dimensions[t.index].def.full_name();
      case MemberKind::kMeasure:
        return cube.measures[t.index].def.full_name();
      case MemberKind::kSegment:
        return cube.segments[t.index].def.full_name();
    }
    return "";
  }

  SourceLocation sql_loc(const Target& t) const {
    const CubeDraft& cube = model_.cubes[t.cube];
    switch (t.kind) {
      case MemberKind::kDimension:
        return cube.dimensions[t.index].sql.loc;
      case MemberKind::kMeasure:
        return cube.measures[t.index].sql.loc;
      case MemberKind::kSegment:
        return cube.segments[t.index].sql.loc;
    }
    return {};
  }

  // The template of a dimension or segment, resolved on first use. Depth-first:
  // meeting a member that is still being resolved means a cycle.
  const SqlTemplate& row_level_template(const Target& t) {
    static const SqlTemplate kEmpty;
    bool dimension = t.kind == MemberKind::kDimension;
    State& state = dimension ? dimension_state_[t.cube][t.index] : segment_state_[t.cube][t.index];
    CubeDraft& cube = model_.cubes[t.cube];
    SqlTemplate& out =
        dimension ? cube.dimensions[t.index].def.sql : cube.segments[t.index].def.sql;
    if (state == State::kDone) return out;
    if (state == State::kActive) {
      report_cycle(stack_, t);
      return kEmpty;
    }
    state = State::kActive;
    stack_.push_back(t);
    const SqlSource& source = dimension ? cube.dimensions[t.index].sql : cube.segments[t.index].sql;
    std::string member = name_of(t);
    out = resolve(source, Scope{t.cube, member, (dimension ? "dimension " : "segment ") + member,
                                source.loc, false});
    stack_.pop_back();
    state = State::kDone;
    return out;
  }

  // Reports the cycle that closes when `t` is reached again from `path`,
  // once per cycle however many of its members lead into it.
  void report_cycle(const std::vector<Target>& path, const Target& t) {
    auto start = std::find(path.begin(), path.end(), t);
    std::vector<std::string> names;
    for (auto it = start; it != path.end(); ++it)
      names.push_back(name_of(*it));
    std::vector<std::string> key = names;
    std::sort(key.begin(), key.end());
    if (!reported_cycles_.insert(key).second) return;
    std::string chain;
    for (const auto& n : names)
      chain += n + " -> ";
    chain += name_of(t);
    issues_.add("reference cycle: " + chain, sql_loc(t), name_of(t),
                "a member cannot be defined through itself; define one of these from columns "
                "instead of the others");
  }

  std::optional<size_t> find_cube(const std::string& name) const {
    auto it = cube_index_.find(name);
    if (it == cube_index_.end()) return std::nullopt;
    return it->second;
  }

  std::optional<Target> find_member(size_t cube, const std::string& name) const {
    auto it = members_[cube].find(name);
    if (it == members_[cube].end()) return std::nullopt;
    return it->second;
  }

  std::vector<std::string> member_names(size_t cube) const {
    std::vector<std::string> out;
    const CubeDraft& c = model_.cubes[cube];
    for (const auto& d : c.dimensions)
      out.push_back(d.def.name);
    for (const auto& m : c.measures)
      out.push_back(m.def.name);
    for (const auto& s : c.segments)
      out.push_back(s.def.name);
    return out;
  }

  void report(const Scope& scope, std::string message, std::string hint) {
    issues_.add(std::move(message), scope.loc, scope.member, std::move(hint));
  }

  SqlTemplate resolve(const SqlSource& sql, const Scope& scope) {
    SqlTemplate out;
    if (!sql.present) return out;
    const std::string& own = model_.cubes[scope.cube].def.name;
    if (is_bare_column(sql.text)) {
      out.parts.push_back(Part{Part::Kind::kCubeAlias, own});
      append_text(out, "." + std::string(trim(sql.text)));
      return out;
    }
    std::string error;
    std::vector<SqlPiece> pieces = split_references(sql.text, error);
    if (!error.empty()) {
      report(scope, error + " in the sql of " + scope.what,
             "close every '{' with '}'; " + std::string(kReferenceForms));
      return out;
    }
    for (const auto& piece : pieces) {
      if (piece.is_reference) {
        resolve_reference(piece.text, scope, out);
      } else {
        append_text(out, piece.text);
      }
    }
    return out;
  }

  void resolve_reference(const std::string& ref, const Scope& scope, SqlTemplate& out) {
    const std::string& own = model_.cubes[scope.cube].def.name;
    std::vector<std::string> words = split_dots(ref);
    bool well_formed = words.size() <= 2 && std::all_of(words.begin(), words.end(),
                                                        [](auto& w) { return is_identifier(w); });
    if (!well_formed) {
      report(scope, "malformed reference '{" + ref + "}' in the sql of " + scope.what,
             std::string(kReferenceForms) + " (one level of cube only)");
      return;
    }
    if (words.size() == 1) {
      const std::string& word = words[0];
      if (word == "CUBE") {
        out.parts.push_back(Part{Part::Kind::kCubeAlias, own});
      } else if (auto member = find_member(scope.cube, word)) {
        use_member(*member, scope, out);
      } else if (find_cube(word)) {
        out.parts.push_back(Part{Part::Kind::kCubeAlias, word});
      } else {
        std::vector<std::string> candidates = member_names(scope.cube);
        candidates.insert(candidates.end(), cube_names_.begin(), cube_names_.end());
        std::string best = closest_name(word, candidates);
        report(scope,
               "unknown reference '{" + word + "}' in the sql of " + scope.what + ": '" + word +
                   "' is neither a member of " + own + " nor a cube",
               best.empty() ? "cube " + own + " has: " + list_names(member_names(scope.cube))
                            : "did you mean {" + best + "}?");
      }
      return;
    }
    const std::string& cube_word = words[0];
    const std::string& member_word = words[1];
    std::optional<size_t> cube = cube_word == "CUBE" ? scope.cube : find_cube(cube_word);
    if (!cube) {
      std::string best = closest_name(cube_word, cube_names_);
      report(scope,
             "unknown cube '" + cube_word + "' in reference '{" + ref + "}' in the sql of " +
                 scope.what,
             best.empty() ? "the model's cubes are: " + list_names(cube_names_)
                          : "did you mean {" + best + "." + member_word + "}?");
      return;
    }
    const std::string& cube_name = model_.cubes[*cube].def.name;
    if (auto member = find_member(*cube, member_word)) {
      use_member(*member, scope, out);
      return;
    }
    std::string best = closest_name(member_word, member_names(*cube));
    report(scope,
           "unknown member '" + cube_name + "." + member_word + "' referenced in the sql of " +
               scope.what,
           best.empty() ? "cube " + cube_name + " has: " + list_names(member_names(*cube))
                        : "did you mean {" + cube_word + "." + best + "}?");
  }

  void use_member(const Target& t, const Scope& scope, SqlTemplate& out) {
    if (t.kind != MemberKind::kMeasure) {
      const SqlTemplate& inner = row_level_template(t);
      append_text(out, "(");
      for (const auto& p : inner.parts)
        append_part(out, p);
      append_text(out, ")");
      return;
    }
    std::string name = name_of(t);
    if (scope.measures_allowed) {
      out.parts.push_back(Part{Part::Kind::kMeasureRef, name});
      return;
    }
    if (scope.measure_type) {
      report(scope,
             scope.what + " (type " + std::string(measure_type_name(*scope.measure_type)) +
                 ") references measure " + name,
             "only number measures can reference other measures: make " + scope.member +
                 " type: number, or reference a dimension or a column instead");
    } else {
      report(scope, scope.what + " references measure " + name,
             "a measure is an aggregate and can only be referenced from a number measure; "
             "reference a dimension or a column here");
    }
  }

  // Number measures combine other measures' aggregates; following those
  // references must end, or the measure has no value.
  void check_measure_cycles() {
    std::map<std::string, Target, std::less<>> by_name;
    for (size_t c = 0; c < model_.cubes.size(); ++c) {
      for (size_t i = 0; i < model_.cubes[c].measures.size(); ++i) {
        Target t{c, MemberKind::kMeasure, i};
        by_name.emplace(name_of(t), t);
      }
    }
    std::map<std::string, State, std::less<>> state;
    std::vector<Target> path;
    for (size_t c = 0; c < model_.cubes.size(); ++c) {
      for (size_t i = 0; i < model_.cubes[c].measures.size(); ++i) {
        visit_measure(Target{c, MemberKind::kMeasure, i}, by_name, state, path);
      }
    }
  }

  void visit_measure(const Target& t, const std::map<std::string, Target, std::less<>>& by_name,
                     std::map<std::string, State, std::less<>>& state, std::vector<Target>& path) {
    std::string name = name_of(t);
    State& s = state[name];
    if (s == State::kDone) return;
    if (s == State::kActive) {
      report_cycle(path, t);
      return;
    }
    s = State::kActive;
    path.push_back(t);
    for (const auto& ref : model_.cubes[t.cube].measures[t.index].def.sql.measure_refs()) {
      auto it = by_name.find(ref);
      if (it != by_name.end()) visit_measure(it->second, by_name, state, path);
    }
    path.pop_back();
    s = State::kDone;  // std::map references survive the insertions made above
  }

  ModelDraft& model_;
  Issues& issues_;
  std::map<std::string, size_t, std::less<>> cube_index_;
  std::vector<std::string> cube_names_;
  std::vector<std::map<std::string, Target, std::less<>>> members_;  // by cube
  std::vector<std::vector<State>> dimension_state_, segment_state_;  // by cube, then member
  std::vector<Target> stack_;  // dimensions and segments being resolved, outermost first
  std::set<std::vector<std::string>> reported_cycles_;
};

}  // namespace

std::vector<SqlPiece> split_references(std::string_view sql, std::string& error) {
  std::vector<SqlPiece> out;
  std::string text;
  bool in_string = false;
  for (size_t i = 0; i < sql.size(); ++i) {
    char c = sql[i];
    // A doubled quote inside a string ('it''s') closes and reopens it, which
    // leaves the scanner inside the string as it should.
    if (c == '\'') {
      in_string = !in_string;
    } else if (c == '{' && !in_string) {
      size_t close = sql.find('}', i + 1);
      if (close == std::string_view::npos) {
        error = "unclosed '{' at character " + std::to_string(i + 1);
        return out;
      }
      if (!text.empty()) out.push_back(SqlPiece{false, std::move(text)});
      text.clear();
      out.push_back(SqlPiece{true, std::string(trim(sql.substr(i + 1, close - i - 1)))});
      i = close;
      continue;
    }
    text += c;
  }
  if (!text.empty()) out.push_back(SqlPiece{false, std::move(text)});
  return out;
}

bool is_bare_column(std::string_view sql) {
  sql = trim(sql);
  if (!is_identifier(sql)) return false;
  static const std::set<std::string, std::less<>> kValueKeywords = {
      "NULL",         "TRUE",           "FALSE",
      "CURRENT_DATE", "CURRENT_TIME",   "CURRENT_TIMESTAMP",
      "LOCALTIME",    "LOCALTIMESTAMP", "CURRENT_USER",
      "DEFAULT",
  };
  std::string upper(sql);
  for (auto& c : upper)
    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return !kValueKeywords.contains(upper);
}

void resolve_references(ModelDraft& model, Issues& issues) {
  Resolver(model, issues).run();
}

}  // namespace strata::model_loader
