#include "pgwire/rewrite.h"

#include <algorithm>
#include <boost/json.hpp>
#include <cctype>

#include "core/error.h"
#include "pgwire/translate.h"

namespace strata::pgwire {

namespace json = boost::json;

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool from_reads_cube(const json::value& item, const Catalog& catalog,
                     const std::set<std::string>& ctes) {
  auto [type, body] = node_of(item);
  if (!body) return false;
  if (type == "RangeVar") return cube_table_of(*body, catalog, ctes) != nullptr;
  if (type == "JoinExpr") {
    const json::value* l = field(*body, "larg");
    const json::value* r = field(*body, "rarg");
    return (l && from_reads_cube(*l, catalog, ctes)) || (r && from_reads_cube(*r, catalog, ctes));
  }
  return false;
}

}  // namespace

bool is_set_operand(std::string_view key, const json::value& v) {
  // libpg_query writes a set operation's branches as bare SelectStmt bodies.
  return (key == "larg" || key == "rarg") && v.is_object() && v.as_object().contains("op");
}

namespace {

void find_blocks(const json::value& v, const Catalog& catalog, const std::set<std::string>& ctes,
                 std::vector<const json::object*>& out, bool bare_select = false) {
  if (v.is_array()) {
    for (const auto& x : v.as_array()) find_blocks(x, catalog, ctes, out);
    return;
  }
  if (!v.is_object()) return;
  auto [type, body] = node_of(v);
  if (bare_select) {
    type = "SelectStmt";
    body = &v.as_object();
  }
  if (type == "SelectStmt" && body) {
    if (const json::array* from = array_field(*body, "fromClause")) {
      for (const auto& item : *from) {
        if (from_reads_cube(item, catalog, ctes)) {
          out.push_back(body);
          break;
        }
      }
    }
  }
  for (const auto& kv : (bare_select ? *body : v.as_object())) {
    find_blocks(kv.value(), catalog, ctes, out, is_set_operand(kv.key(), kv.value()));
  }
}

// Relation OIDs PostgreSQL gives its own catalogs (for 'pg_class'::regclass).
int64_t system_relation_oid(std::string_view name) {
  static const std::map<std::string, int64_t, std::less<>> kOids = {
      {"pg_type", 1247},      {"pg_attribute", 1249},  {"pg_proc", 1255},        {"pg_class", 1259},
      {"pg_namespace", 2615}, {"pg_constraint", 2606}, {"pg_description", 2609}, {"pg_index", 2610},
      {"pg_database", 1262},  {"pg_roles", 12001},     {"pg_trigger", 2620},     {"pg_am", 2601},
      {"pg_collation", 3456}, {"pg_extension", 3079},  {"pg_settings", 12002}};
  auto it = kOids.find(name);
  return it == kOids.end() ? 0 : it->second;
}

// The DuckDB type PostgreSQL type `name` is written as, or "" when DuckDB
// understands the name itself.
std::string duck_type_for(std::string_view name) {
  static const std::map<std::string, std::string, std::less<>> kMap = {
      {"regclass", "BIGINT"},
      {"regtype", "BIGINT"},
      {"regproc", "VARCHAR"},
      {"regprocedure", "VARCHAR"},
      {"regoper", "VARCHAR"},
      {"regoperator", "VARCHAR"},
      {"regnamespace", "BIGINT"},
      {"regrole", "BIGINT"},
      {"regconfig", "BIGINT"},
      {"oid", "BIGINT"},
      {"xid", "BIGINT"},
      {"xid8", "BIGINT"},
      {"cid", "BIGINT"},
      {"tid", "VARCHAR"},
      {"name", "VARCHAR"},
      {"char", "VARCHAR"},
      {"bpchar", "VARCHAR"},
      {"text", "VARCHAR"},
      {"int2vector", "VARCHAR"},
      {"oidvector", "VARCHAR"},
      {"aclitem", "VARCHAR"},
      {"pg_node_tree", "VARCHAR"},
      {"anyarray", "VARCHAR"},
      {"pg_lsn", "VARCHAR"},
      {"jsonb", "JSON"},
      {"bytea", "BLOB"},
      {"int2", "SMALLINT"},
      {"int4", "INTEGER"},
      {"int8", "BIGINT"},
      {"float4", "FLOAT"},
      {"float8", "DOUBLE"},
      {"bool", "BOOLEAN"},
      {"numeric", "DECIMAL(38,10)"},
      {"varchar", "VARCHAR"},
      {"timestamptz", "TIMESTAMPTZ"},
      {"timestamp", "TIMESTAMP"},
      {"date", "DATE"},
      {"time", "TIME"},
      {"interval", "INTERVAL"},
      {"uuid", "UUID"},
      {"json", "JSON"},
      {"unknown", "VARCHAR"},
  };
  auto it = kMap.find(name);
  return it == kMap.end() ? "" : it->second;
}

std::string duck_type_of_oid(int32_t o) {
  std::string_view n = pg_type_name(o);
  std::string t = n.empty() ? "" : duck_type_for(n);
  return t;
}

class Rewriter {
 public:
  explicit Rewriter(const RewriteInput& in) : in_(in), sql_(*in.sql) { edits_ = in.block_edits; }

  std::string run() {
    const SqlStatement& st = *in_.statement;
    if (st.value) walk(*st.value, false);
    size_t from = st.location;
    size_t to = st.length ? st.location + st.length : sql_.text().size();
    if (to > sql_.text().size()) to = sql_.text().size();
    return apply_edits(sql_.text(), std::move(edits_), from, to);
  }

  void walk_select(const json::object& body) {
    bool cube = in_.cube_blocks.count(&body) > 0;
    for (const auto& kv : body) {
      if (cube && kv.key() == "fromClause") continue;  // the block's edits replace it
      if (is_set_operand(kv.key(), kv.value())) {
        walk_select(kv.value().as_object());
      } else {
        walk(kv.value(), false);
      }
    }
  }

  void walk(const json::value& v, bool cube_from) {
    if (v.is_array()) {
      for (const auto& x : v.as_array()) walk(x, cube_from);
      return;
    }
    if (!v.is_object()) return;
    auto [type, body] = node_of(v);
    if (!body) {
      for (const auto& kv : v.as_object()) walk(kv.value(), cube_from);
      return;
    }
    if (type == "SelectStmt") return walk_select(*body);
    // Children first, so that a node's own rewrite can take in theirs.
    for (const auto& kv : *body) walk(kv.value(), cube_from);
    if (type == "RangeVar") return range_var(*body);
    if (type == "RangeFunction") return range_function(*body);
    if (type == "FuncCall") return func_call(*body);
    if (type == "SQLValueFunction") return value_function(*body);
    if (type == "TypeCast") return type_cast(v, *body);
    if (type == "A_Expr") return a_expr(*body);
    if (type == "CollateClause") return collate(*body);
    if (type == "ParamRef") return param(*body);
  }

 private:
  [[noreturn]] void fail(int64_t loc, std::string message, const char* state,
                         std::string hint = {}) {
    int position = loc >= 0 ? char_position(sql_.text(), static_cast<size_t>(loc)) : 0;
    throw UserError(std::move(message),
                    {.position = position, .hint = std::move(hint), .sqlstate = state});
  }

  void add(size_t s, size_t e, std::string text) { edits_.push_back({s, e, std::move(text)}); }

  // The text of [s, e) with the edits inside it applied; those edits are
  // taken out (the caller replaces the whole span).
  std::string take(size_t s, size_t e) {
    std::vector<TextEdit> inside, rest;
    for (auto& x : edits_) {
      if (x.start >= s && x.end <= e) {
        inside.push_back(std::move(x));
      } else {
        rest.push_back(std::move(x));
      }
    }
    edits_ = std::move(rest);
    return apply_edits(sql_.text(), std::move(inside), s, e);
  }

  std::string literal(const std::string& s) { return quote_literal(s); }

  // --- Relations -----------------------------------------------------------------

  void range_var(const json::object& rv) {
    std::string schema = lower(string_field(rv, "schemaname"));
    std::string name(string_field(rv, "relname"));
    std::string catalog(string_field(rv, "catalogname"));
    int64_t loc = location_of(rv);
    if (!catalog.empty() && catalog != in_.session.database) {
      fail(loc,
           "cross-database references are not implemented: " + catalog + "." + schema + "." + name,
           "0A000");
    }
    auto [s, e] = name_span(sql_, static_cast<size_t>(loc));
    if (schema == "pg_catalog" ||
        (schema.empty() && !in_.cte_names.count(name) && is_emulated_pg_relation(name))) {
      if (!is_emulated_pg_relation(name)) {
        fail(loc, "relation \"pg_catalog." + name + "\" does not exist", "42P01",
             "strata emulates the pg_catalog tables that psql, JDBC and BI tools read");
      }
      add(s, e, "__pg_catalog." + quote_ident(name));
      return;
    }
    if (schema == "information_schema") {
      if (!is_emulated_information_schema_relation(name)) {
        fail(loc, "relation \"information_schema." + name + "\" does not exist", "42P01");
      }
      add(s, e, "__information_schema." + quote_ident(name));
      return;
    }
    if (schema.empty() && in_.cte_names.count(name)) return;
    std::string shown = schema.empty() ? name : schema + "." + name;
    std::vector<std::string> names;
    for (const auto& t : in_.catalog->tables()) names.push_back(t.name);
    std::string hint = names.empty() ? "the model has no cubes or views"
                                     : "the tables are the model's cubes and views: " + [&] {
                                         std::string l;
                                         for (size_t i = 0; i < names.size() && i < 12; ++i) {
                                           if (i) l += ", ";
                                           l += names[i];
                                         }
                                         if (names.size() > 12) l += ", ...";
                                         return l;
                                       }();
    fail(loc, "relation \"" + shown + "\" does not exist", "42P01", hint);
  }

  void range_function(const json::object& rf) {
    const json::array* fns = array_field(rf, "functions");
    if (!fns) return;
    size_t last_end = 0;
    for (const auto& f : *fns) {
      // Each entry is a List [FuncCall, coldeflist].
      const json::value* call = nullptr;
      if (f.is_object()) {
        auto [lt, lb] = node_of(f);
        if (lt == "List" && lb) {
          if (const json::array* items = array_field(*lb, "items"); items && !items->empty()) {
            call = &(*items)[0];
          }
        }
      }
      if (!call) continue;
      auto [ct, cb] = node_of(*call);
      if (ct != "FuncCall" || !cb) {
        fail(-1, "only function calls may appear as tables", "0A000");
      }
      auto names = name_list(array_field(*cb, "funcname"));
      std::string fname = names.empty() ? "" : lower(names.back());
      bool allowed = fname == "generate_series" || fname == "unnest" ||
                     fname == "pg_get_keywords" || fname == "generate_subscripts";
      if (!allowed || (names.size() > 1 && lower(names[0]) != "pg_catalog")) {
        fail(location_of(*cb), "function " + fname + "(...) cannot be used as a table here",
             "42883", "table functions available: generate_series, unnest");
      }
      last_end = std::max(last_end, call_span(sql_, static_cast<size_t>(location_of(*cb))).second);
    }
    // PostgreSQL names a one-column function's column after its alias.
    const json::value* alias = field(rf, "alias");
    if (!alias || !alias->is_object() || array_field(alias->as_object(), "colnames")) return;
    if (array_field(rf, "coldeflist")) return;
    std::string name(string_field(alias->as_object(), "aliasname"));
    if (name.empty() || last_end == 0) return;
    const auto& toks = sql_.tokens();
    size_t first = sql_.token_from(last_end);
    for (size_t i = first; i < toks.size() && i < first + 2; ++i) {
      if (lower(sql_.token_text(i)) == lower(name) || sql_.token_text(i) == quote_ident(name)) {
        add(toks[i].end, toks[i].end, "(" + quote_ident(name) + ")");
        return;
      }
    }
  }

  // --- Functions -----------------------------------------------------------------

  void func_call(const json::object& fc) {
    auto names = name_list(array_field(fc, "funcname"));
    if (names.empty()) return;
    int64_t loc = location_of(fc);
    if (loc < 0) return;
    std::string schema = names.size() > 1 ? lower(names[0]) : "";
    std::string fname = lower(names.back());
    if (!schema.empty() && schema != "pg_catalog") return;
    const json::array* args = array_field(fc, "args");
    size_t nargs = args ? args->size() : 0;
    auto whole = [&] { return call_span(sql_, static_cast<size_t>(loc)); };
    const SessionFacts& f = in_.session;
    if (fname == "current_database" && nargs == 0) {
      auto [s, e] = whole();
      return add(s, e, literal(f.database));
    }
    if (fname == "current_schema" && nargs == 0) {
      auto [s, e] = whole();
      return add(s, e, "'public'");
    }
    if (fname == "current_schemas") {
      auto [s, e] = whole();
      return add(s, e, "['pg_catalog', 'public']");
    }
    if (fname == "version" && nargs == 0) {
      auto [s, e] = whole();
      return add(s, e, literal(f.version));
    }
    if (fname == "pg_backend_pid" && nargs == 0) {
      auto [s, e] = whole();
      return add(s, e, std::to_string(f.backend_pid));
    }
    if ((fname == "current_user" || fname == "session_user" || fname == "user") && nargs == 0) {
      auto [s, e] = whole();
      return add(s, e, literal(f.user));
    }
    if (fname == "current_setting" && nargs >= 1) {
      auto [at, ab] = node_of((*args)[0]);
      if (at == "A_Const" && ab) {
        const json::value* sv = field(*ab, "sval");
        if (sv && sv->is_object()) {
          std::string key = lower(string_field(sv->as_object(), "sval"));
          auto [s, e] = whole();
          if (f.settings) {
            auto it = f.settings->find(key);
            if (it != f.settings->end()) return add(s, e, literal(it->second));
          }
          if (nargs >= 2) return add(s, e, "NULL::VARCHAR");
          fail(loc, "unrecognized configuration parameter \"" + key + "\"", "42704");
        }
      }
      return;
    }
    if (is_emulated_function(fname)) {
      auto [s, e] = name_span(sql_, static_cast<size_t>(loc));
      return add(s, e, "__pg_catalog." + fname);
    }
    if (!schema.empty()) {
      auto [s, e] = name_span(sql_, static_cast<size_t>(loc));
      return add(s, e, fname);
    }
  }

  void value_function(const json::object& svf) {
    std::string_view op = string_field(svf, "op");
    int64_t loc = location_of(svf);
    if (loc < 0) return;
    size_t i = sql_.token_index(static_cast<size_t>(loc));
    if (i >= sql_.tokens().size()) return;
    const SqlToken& t = sql_.tokens()[i];
    if (op == "SVFOP_CURRENT_USER" || op == "SVFOP_USER" || op == "SVFOP_SESSION_USER" ||
        op == "SVFOP_CURRENT_ROLE") {
      return add(t.start, t.end, literal(in_.session.user));
    }
    if (op == "SVFOP_CURRENT_CATALOG") return add(t.start, t.end, literal(in_.session.database));
    if (op == "SVFOP_CURRENT_SCHEMA") return add(t.start, t.end, "'public'");
  }

  // --- Casts -------------------------------------------------------------------------

  static std::vector<std::string> type_names(const json::object& cast) {
    const json::value* tn = field(cast, "typeName");
    if (!tn || !tn->is_object()) return {};
    auto names = name_list(array_field(tn->as_object(), "names"));
    for (auto& n : names) n = lower(n);
    return names;
  }

  static int64_t type_location(const json::object& cast) {
    const json::value* tn = field(cast, "typeName");
    if (!tn || !tn->is_object()) return -1;
    return location_of(tn->as_object());
  }

  std::optional<std::string> string_const(const json::value& v) {
    auto [t, b] = node_of(v);
    if (t != "A_Const" || !b) return std::nullopt;
    const json::value* sv = field(*b, "sval");
    if (!sv || !sv->is_object()) return std::nullopt;
    return std::string(string_field(sv->as_object(), "sval"));
  }

  int64_t relation_oid(std::string name) {
    if (name.starts_with("public.")) name = name.substr(7);
    if (name.starts_with("pg_catalog.")) name = name.substr(11);
    if (name.size() > 1 && name.front() == '"' && name.back() == '"')
      name = name.substr(1, name.size() - 2);
    if (const CatalogTable* t = in_.catalog->find_table(name)) return t->oid;
    return system_relation_oid(name);
  }

  void type_cast(const json::value& whole, const json::object& tc) {
    auto names = type_names(tc);
    if (names.empty()) return;
    const std::string& tname = names.back();
    const json::value* arg = field(tc, "arg");
    int64_t tloc = type_location(tc);
    if (!arg || tloc < 0) return;
    // 'orders'::regclass, 'int4'::regtype: look the name up now.
    if (tname == "regclass" || tname == "regtype") {
      if (auto s = string_const(*arg)) {
        auto [as, ae] = expression_span(sql_, *arg);
        auto [ns, ne] = name_span(sql_, static_cast<size_t>(tloc));
        (void)as;
        (void)ae;
        auto span = expression_span(sql_, whole);
        size_t end = std::max(span.second, ne);
        take(span.first, end);
        if (tname == "regclass") {
          int64_t oid = relation_oid(*s);
          if (oid == 0) {
            fail(location_of(node_of(*arg).second ? *node_of(*arg).second : tc),
                 "relation \"" + *s + "\" does not exist", "42P01");
          }
          add(span.first, end, std::to_string(oid));
        } else {
          add(span.first, end, "__pg_catalog.__regtype_oid(" + quote_literal(*s) + ")");
        }
        return;
      }
    }
    // x::regclass::text and friends: the name, not the number.
    if (tname == "text" || tname == "varchar" || tname == "name") {
      auto [at, ab] = node_of(*arg);
      if (at == "TypeCast" && ab) {
        auto inner = type_names(*ab);
        const json::value* inner_arg = field(*ab, "arg");
        if (!inner.empty() && inner_arg &&
            (inner.back() == "regclass" || inner.back() == "regtype" ||
             inner.back() == "regnamespace" || inner.back() == "regproc")) {
          auto span = expression_span(sql_, whole);
          auto [ns, ne] = name_span(sql_, static_cast<size_t>(tloc));
          size_t end = std::max(span.second, ne);
          auto [is, ie] = expression_span(sql_, *inner_arg);
          std::string x = take(is, ie);
          take(span.first, end);
          std::string fn = inner.back() == "regclass"       ? "__pg_catalog.__regclass_name"
                           : inner.back() == "regtype"      ? "__pg_catalog.format_type"
                           : inner.back() == "regnamespace" ? "__pg_catalog.__regnamespace_name"
                                                            : "CAST";
          std::string call = fn == "CAST"                       ? "CAST((" + x + ") AS VARCHAR)"
                             : fn == "__pg_catalog.format_type" ? fn + "((" + x + "), NULL)"
                                                                : fn + "((" + x + "))";
          add(span.first, end, call);
          return;
        }
      }
    }
    // Rename the type where DuckDB does not know PostgreSQL's name.
    size_t ti = sql_.token_index(static_cast<size_t>(tloc));
    if (ti >= sql_.tokens().size()) return;
    std::string first = lower(sql_.token_text(ti));
    bool qualified_in_text = first == "pg_catalog";
    std::string duck = duck_type_for(tname);
    if (duck.empty()) {
      if (qualified_in_text) {
        auto [s, e] = name_span(sql_, static_cast<size_t>(tloc));
        add(s, e, tname);
      }
      return;
    }
    // Only when the text spells the type by this name (not "double precision").
    std::string last_token;
    auto [s, e] = name_span(sql_, static_cast<size_t>(tloc));
    {
      size_t li = sql_.token_index(e > 0 ? e - 1 : 0);
      last_token = lower(sql_.token_text(li));
      if (last_token.size() >= 2 && last_token.front() == '"')
        last_token = last_token.substr(1, last_token.size() - 2);
    }
    if (last_token != tname && !(tname == "bpchar" && last_token == "char")) return;
    if (tname == "numeric" || tname == "varchar" || tname == "bpchar") {
      // Keep type modifiers: numeric(10,2) stays as written.
      if (e < sql_.text().size()) {
        size_t ni = sql_.token_from(e);
        if (ni < sql_.tokens().size() && sql_.token_text(ni) == "(") {
          add(s, e, tname == "numeric" ? "DECIMAL" : "VARCHAR");
          return;
        }
      }
    }
    add(s, e, duck);
  }

  // --- Operators --------------------------------------------------------------------

  void a_expr(const json::object& e) {
    std::string_view kind = string_field(e, "kind");
    auto names = name_list(array_field(e, "name"));
    if (names.empty()) return;
    std::string op = names.back();
    int64_t loc = location_of(e);
    if (loc < 0) return;
    size_t oi = sql_.token_index(static_cast<size_t>(loc));
    const auto& toks = sql_.tokens();
    if (oi >= toks.size()) return;
    // OPERATOR(pg_catalog.~) -> ~
    size_t op_start = toks[oi].start, op_end = toks[oi].end;
    bool operator_syntax = lower(sql_.token_text(oi)) == "operator";
    if (operator_syntax) {
      size_t j = oi + 1;
      while (j < toks.size() && sql_.token_text(j) != ")") ++j;
      if (j < toks.size()) op_end = toks[j].end;
    }
    const json::value* r = field(e, "rexpr");
    const json::value* l = field(e, "lexpr");
    bool regex = op == "~" || op == "!~" || op == "~*" || op == "!~*";
    if (kind == "AEXPR_OP" && regex) {
      bool ci = op.ends_with("*");
      std::string duck_op = op.starts_with("!") ? "!~" : "~";
      if (r) {
        if (auto p = string_const(*r)) {
          auto [rs, re] = expression_span(sql_, *r);
          take(rs, re);
          add(rs, re,
              quote_literal(std::string("(?s)") + (ci ? "(?i)" : "") + ".*(?:" + *p + ").*"));
        }
      }
      if (operator_syntax || ci) add(op_start, op_end, " " + duck_op + " ");
      return;
    }
    if (operator_syntax) {
      add(op_start, op_end, " " + op + " ");
      return;
    }
    if (kind == "AEXPR_OP_ANY" && op == "=" && l && r && node_of(*r).first != "SubLink") {
      auto [ls, le] = expression_span(sql_, *l);
      auto [rs, re] = expression_span(sql_, *r);
      if (ls >= le || rs >= re) return;
      size_t end = re;
      size_t after = sql_.token_from(re);
      if (after < toks.size() && sql_.token_text(after) == ")") end = toks[after].end;
      std::string lt = take(ls, le);
      std::string rt = take(rs, re);
      take(ls, end);
      add(ls, end, "list_contains(CAST((" + rt + ") AS VARCHAR[]), CAST((" + lt + ") AS VARCHAR))");
    }
  }

  void collate(const json::object& c) {
    int64_t loc = location_of(c);
    if (loc < 0) return;
    const auto& toks = sql_.tokens();
    size_t i = sql_.token_index(static_cast<size_t>(loc));
    if (i >= toks.size() || lower(sql_.token_text(i)) != "collate") return;
    if (i + 1 >= toks.size()) return;
    auto [s, e] = name_span(sql_, toks[i + 1].start);
    add(toks[i].start, e, " ");
  }

  void param(const json::object& p) {
    if (!in_.params) return;
    int64_t n = int_field(p, "number", 0);
    int64_t loc = location_of(p);
    if (loc < 0) return;
    size_t i = sql_.token_index(static_cast<size_t>(loc));
    if (i >= sql_.tokens().size()) return;
    const SqlToken& t = sql_.tokens()[i];
    if (n < 1 || static_cast<size_t>(n) > in_.params->size()) {
      fail(loc, "there is no parameter $" + std::to_string(n), "42P02");
    }
    const auto& v = (*in_.params)[static_cast<size_t>(n - 1)];
    if (!v) return add(t.start, t.end, "NULL");
    std::string duck;
    if (in_.param_types && static_cast<size_t>(n) <= in_.param_types->size()) {
      duck = duck_type_of_oid((*in_.param_types)[static_cast<size_t>(n - 1)]);
    }
    if (duck.empty() || duck == "VARCHAR") return add(t.start, t.end, quote_literal(*v));
    add(t.start, t.end, "CAST(" + quote_literal(*v) + " AS " + duck + ")");
  }

  const RewriteInput& in_;
  const ParsedSql& sql_;
  std::vector<TextEdit> edits_;
};

}  // namespace

void collect_cte_names(const json::value& v, std::set<std::string>& out) {
  if (v.is_array()) {
    for (const auto& x : v.as_array()) collect_cte_names(x, out);
    return;
  }
  if (!v.is_object()) return;
  auto [type, body] = node_of(v);
  if (type == "CommonTableExpr" && body) out.insert(std::string(string_field(*body, "ctename")));
  for (const auto& kv : v.as_object()) collect_cte_names(kv.value(), out);
}

std::vector<const json::object*> find_cube_blocks(const json::value& node, const Catalog& catalog,
                                                  const std::set<std::string>& cte_names) {
  std::vector<const json::object*> out;
  find_blocks(node, catalog, cte_names, out);
  return out;
}

std::string rewrite_for_sandbox(const RewriteInput& in) {
  Rewriter r(in);
  return r.run();
}

}  // namespace strata::pgwire
