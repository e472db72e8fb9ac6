#include "pgwire/translate.h"

#include <algorithm>
#include <boost/json.hpp>
#include <cctype>
#include <map>

#include "core/error.h"
#include "model/suggest.h"

namespace strata::pgwire {

namespace json = boost::json;

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

[[noreturn]] void fail(const ParsedSql& sql, int64_t location, std::string message,
                       const char* sqlstate, std::string hint = {}) {
  int position = location >= 0 ? char_position(sql.text(), static_cast<size_t>(location)) : 0;
  throw UserError(std::move(message),
                  {.position = position, .hint = std::move(hint), .sqlstate = sqlstate});
}

bool is_token(const ParsedSql& sql, size_t i, std::string_view text) {
  std::string_view t = sql.token_text(i);
  if (t.size() != text.size()) return false;
  for (size_t k = 0; k < t.size(); ++k) {
    if (std::tolower(static_cast<unsigned char>(t[k])) != text[k]) return false;
  }
  return true;
}

// The index just past the ')' matching the '(' at token `open`.
size_t match_paren(const ParsedSql& sql, size_t open) {
  const auto& toks = sql.tokens();
  int depth = 0;
  for (size_t i = open; i < toks.size(); ++i) {
    if (is_token(sql, i, "(")) ++depth;
    if (is_token(sql, i, ")")) {
      if (--depth == 0) return i + 1;
    }
  }
  return toks.size();
}

void collect_locations(const json::value& v, int64_t& lo, int64_t& hi) {
  if (v.is_object()) {
    for (const auto& kv : v.as_object()) {
      if (kv.key() == "location" && kv.value().is_int64()) {
        int64_t l = kv.value().as_int64();
        if (l >= 0) {
          lo = lo < 0 ? l : std::min(lo, l);
          hi = std::max(hi, l);
        }
      } else {
        collect_locations(kv.value(), lo, hi);
      }
    }
  } else if (v.is_array()) {
    for (const auto& x : v.as_array()) collect_locations(x, lo, hi);
  }
}

}  // namespace

// --- Spans ------------------------------------------------------------------------------

std::pair<size_t, size_t> name_span(const ParsedSql& sql, size_t location) {
  const auto& toks = sql.tokens();
  size_t i = sql.token_index(location);
  if (i >= toks.size()) return {location, location};
  size_t end = toks[i].end;
  while (i + 2 < toks.size() && is_token(sql, i + 1, ".")) {
    i += 2;
    end = toks[i].end;
  }
  return {location, end};
}

std::pair<size_t, size_t> call_span(const ParsedSql& sql, size_t location) {
  const auto& toks = sql.tokens();
  size_t i = sql.token_index(location);
  while (i < toks.size() && !is_token(sql, i, "(")) ++i;
  if (i >= toks.size()) return name_span(sql, location);
  size_t after = match_paren(sql, i);
  return {location, after > 0 ? toks[after - 1].end : sql.text().size()};
}

std::pair<size_t, size_t> expression_span(const ParsedSql& sql, const json::value& node) {
  int64_t lo = -1, hi = -1;
  collect_locations(node, lo, hi);
  const auto& toks = sql.tokens();
  if (lo < 0 || toks.empty()) return {0, 0};
  size_t first = sql.token_index(static_cast<size_t>(lo));
  size_t last = sql.token_index(static_cast<size_t>(hi));
  if (first >= toks.size() || last >= toks.size()) return {0, 0};
  // A qualified name (a.b.c) at the end: take all of it.
  while (last + 2 < toks.size() && is_token(sql, last + 1, ".")) last += 2;
  // A call or keyword followed by '(' at the end: take its arguments too.
  if (last + 1 < toks.size() && is_token(sql, last + 1, "(")) last = match_paren(sql, last + 1) - 1;
  // Balance parentheses.
  int depth = 0, min_depth = 0;
  for (size_t i = first; i <= last; ++i) {
    if (is_token(sql, i, "(")) ++depth;
    if (is_token(sql, i, ")")) min_depth = std::min(min_depth, --depth);
  }
  while (depth > 0 && last + 1 < toks.size()) {
    ++last;
    if (is_token(sql, last, "(")) ++depth;
    if (is_token(sql, last, ")")) --depth;
  }
  while (min_depth < 0 && first > 0) {
    --first;
    if (is_token(sql, first, "(")) ++min_depth;
    if (is_token(sql, first, ")")) --min_depth;
  }
  return {toks[first].start, toks[last].end};
}

// --- Table references -----------------------------------------------------------------

const CatalogTable* cube_table_of(const json::object& rv, const Catalog& catalog,
                                  const std::set<std::string>& cte_names) {
  std::string_view schema = string_field(rv, "schemaname");
  std::string_view name = string_field(rv, "relname");
  if (!schema.empty() && lower(schema) != "public") return nullptr;
  if (schema.empty() && cte_names.count(std::string(name))) return nullptr;
  return catalog.find_table(name);
}

namespace {

struct TableRef {
  const CatalogTable* table = nullptr;
  std::string alias;
  int64_t location = -1;
};

struct ConstValue {
  bool null = false;
  std::string text;
};

enum class Region { kTarget, kGroup, kHaving, kOrder, kWhere };

struct ColumnUse {
  const CatalogColumn* column = nullptr;
  size_t table = 0;
  const json::object* node = nullptr;
  int64_t location = -1;
  Region region = Region::kTarget;
  bool in_aggregate = false;         // inside an aggregate over dimensions
  std::optional<Granularity> trunc;  // the argument of DATE_TRUNC(g, ...)
  bool in_trunc = false;
  bool star = false;
};

struct MeasureAgg {
  const CatalogColumn* column = nullptr;
  const json::object* node = nullptr;
  int64_t location = -1;
  Region region = Region::kTarget;
};

// A condition pushed down: a filter or a segment.
struct Pushed {
  std::optional<FilterNode> filter;
  std::string segment;
};

std::optional<Granularity> pg_granularity(std::string_view text) {
  std::string g = lower(text);
  if (g == "second" || g == "seconds") return Granularity::kSecond;
  if (g == "minute" || g == "minutes") return Granularity::kMinute;
  if (g == "hour" || g == "hours") return Granularity::kHour;
  if (g == "day" || g == "days") return Granularity::kDay;
  if (g == "week" || g == "weeks") return Granularity::kWeek;
  if (g == "month" || g == "months") return Granularity::kMonth;
  if (g == "quarter" || g == "quarters") return Granularity::kQuarter;
  if (g == "year" || g == "years") return Granularity::kYear;
  return std::nullopt;
}

FilterNode condition(const std::string& member, FilterOp op, std::vector<std::string> values) {
  FilterNode n;
  n.kind = FilterNode::Kind::kCondition;
  n.member = member;
  n.op = op;
  n.values = std::move(values);
  return n;
}

FilterNode group(FilterNode::Kind kind, std::vector<FilterNode> children) {
  FilterNode n;
  n.kind = kind;
  n.children = std::move(children);
  return n;
}

FilterNode with_set(FilterNode n) {
  // SQL's negative comparisons exclude NULLs; Cube's keep them.
  std::string member = n.member;
  return group(FilterNode::Kind::kAnd, {std::move(n), condition(member, FilterOp::kSet, {})});
}

std::optional<FilterNode> negate(const FilterNode& n) {
  if (n.kind == FilterNode::Kind::kAnd || n.kind == FilterNode::Kind::kOr) {
    std::vector<FilterNode> kids;
    for (const auto& c : n.children) {
      auto x = negate(c);
      if (!x) return std::nullopt;
      kids.push_back(std::move(*x));
    }
    return group(n.kind == FilterNode::Kind::kAnd ? FilterNode::Kind::kOr : FilterNode::Kind::kAnd,
                 std::move(kids));
  }
  auto flip = [&](FilterOp op) { return condition(n.member, op, n.values); };
  switch (n.op) {
    case FilterOp::kEquals: return with_set(flip(FilterOp::kNotEquals));
    case FilterOp::kContains: return with_set(flip(FilterOp::kNotContains));
    case FilterOp::kStartsWith: return with_set(flip(FilterOp::kNotStartsWith));
    case FilterOp::kEndsWith: return with_set(flip(FilterOp::kNotEndsWith));
    case FilterOp::kGt: return flip(FilterOp::kLte);
    case FilterOp::kGte: return flip(FilterOp::kLt);
    case FilterOp::kLt: return flip(FilterOp::kGte);
    case FilterOp::kLte: return flip(FilterOp::kGt);
    case FilterOp::kSet: return flip(FilterOp::kNotSet);
    case FilterOp::kNotSet: return flip(FilterOp::kSet);
    default: return std::nullopt;
  }
}

class BlockTranslator {
 public:
  BlockTranslator(const json::object& select, const ParsedSql& sql, const TranslateContext& ctx,
                  bool allow_direct, std::string table)
      : s_(select), sql_(sql), ctx_(ctx), allow_direct_(allow_direct) {
    plan_.table = std::move(table);
  }

  BlockPlan run() {
    read_from();
    targets_ = array_field(s_, "targetList");
    groups_ = array_field(s_, "groupClause");
    sorts_ = array_field(s_, "sortClause");
    having_ = field(s_, "havingClause");
    where_ = field(s_, "whereClause");
    if (where_ && where_->is_null()) where_ = nullptr;
    if (having_ && having_->is_null()) having_ = nullptr;

    if (targets_) {
      for (const auto& t : *targets_) {
        auto [type, body] = node_of(t);
        if (type != "ResTarget" || !body) continue;
        if (const json::value* v = field(*body, "val")) scan(*v, Region::kTarget, false);
      }
    }
    if (groups_) {
      for (const auto& g : *groups_) scan(g, Region::kGroup, false);
    }
    if (having_) scan(*having_, Region::kHaving, false);
    if (sorts_) {
      for (const auto& o : *sorts_) scan(o, Region::kOrder, false);
    }

    decide_mode();
    push_where();
    collect_members();
    exact_ = exact_grouping();
    if (grouped_ && exact_) push_having();
    build_query();
    if (allow_direct_ && try_direct()) {
      plan_.direct = true;
      return std::move(plan_);
    }
    plan_.query.limit = ctx_.limits.max_limit;
    plan_.query.limit_given = false;
    plan_.query.order.clear();
    plan_.query.order_given = true;  // the sandbox orders; the cube query need not
    plan_.query.offset = 0;
    build_edits();
    return std::move(plan_);
  }

 private:
  // --- FROM ----------------------------------------------------------------------

  void read_from() {
    const json::array* from = array_field(s_, "fromClause");
    if (!from || from->empty()) fail(sql_, -1, "a cube query needs a FROM clause", "42601");
    for (const auto& item : *from) read_from_item(item);
    for (size_t i = 0; i < tables_.size(); ++i) {
      for (size_t j = i + 1; j < tables_.size(); ++j) {
        if (tables_[i].alias == tables_[j].alias) {
          fail(sql_, tables_[j].location,
               "table name \"" + tables_[j].alias + "\" specified more than once", "42712",
               "give each table its own alias");
        }
        if (tables_[i].table == tables_[j].table) {
          fail(sql_, tables_[j].location,
               "cube " + tables_[j].table->name + " appears twice in one SELECT", "0A000",
               "strata joins each cube at most once per query; use a subquery for a self-join");
        }
      }
    }
  }

  void read_from_item(const json::value& item) {
    auto [type, body] = node_of(item);
    if (type == "RangeVar") {
      const CatalogTable* t = cube_table_of(*body, *ctx_.catalog, ctx_.cte_names);
      std::string name(string_field(*body, "relname"));
      if (!t) {
        fail(sql_, location_of(*body),
             "\"" + name +
                 "\" is not a cube or view, and a SELECT that reads cubes may only "
                 "join other cubes",
             "0A000", "move the other table into an outer query, a subquery or a CTE");
      }
      TableRef r;
      r.table = t;
      r.alias = t->name;
      if (const json::value* a = field(*body, "alias"); a && a->is_object()) {
        std::string_view alias = string_field(a->as_object(), "aliasname");
        if (!alias.empty()) r.alias = std::string(alias);
        if (array_field(a->as_object(), "colnames")) {
          fail(sql_, location_of(*body), "column aliases on a cube table are not supported",
               "0A000", "alias the columns in the SELECT list instead");
        }
      }
      r.location = location_of(*body);
      tables_.push_back(r);
      return;
    }
    if (type == "JoinExpr") {
      if (const json::value* l = field(*body, "larg")) read_from_item(*l);
      if (const json::value* r = field(*body, "rarg")) read_from_item(*r);
      std::string_view jt = string_field(*body, "jointype");
      if (jt == "JOIN_FULL" || jt == "JOIN_RIGHT") {
        fail(sql_, -1, "FULL and RIGHT joins between cubes are not supported", "0A000",
             "write JOIN, LEFT JOIN or CROSS JOIN: cubes are joined along the model's joins");
      }
      if (const json::value* q = field(*body, "quals"); q && !q->is_null())
        check_join_condition(*q);
      return;
    }
    // Point at the subquery's opening parenthesis.
    int64_t lo = -1, hi = -1;
    collect_locations(item, lo, hi);
    if (lo >= 0) {
      size_t i = sql_.token_index(static_cast<size_t>(lo));
      int depth = 0;
      while (i > 0 && i < sql_.tokens().size()) {
        --i;
        if (is_token(sql_, i, ")")) ++depth;
        if (is_token(sql_, i, "(")) {
          if (depth == 0) {
            lo = static_cast<int64_t>(sql_.tokens()[i].start);
            break;
          }
          --depth;
        }
      }
    }
    fail(sql_, lo,
         "a SELECT that reads cubes may only join cube tables, not " +
             std::string(type == "RangeSubselect" ? "subqueries" : "this kind of FROM item"),
         "0A000", "put the subquery in an outer query that reads the cube query's result");
  }

  // ON conditions only say which cubes are joined; the join itself follows the
  // model. They must be column equalities (or Cube's __cubeJoinField).
  void check_join_condition(const json::value& q) {
    auto [type, body] = node_of(q);
    if (type == "A_Const" && body) {  // ON true: a cross join
      const json::value* b = field(*body, "boolval");
      if (b && b->is_object() && bool_field(b->as_object(), "boolval")) return;
    }
    if (type == "BoolExpr" && string_field(*body, "boolop") == "AND_EXPR") {
      if (const json::array* args = array_field(*body, "args")) {
        for (const auto& a : *args) check_join_condition(a);
      }
      return;
    }
    if (type == "A_Expr" && string_field(*body, "kind") == "AEXPR_OP") {
      auto names = name_list(array_field(*body, "name"));
      const json::value* l = field(*body, "lexpr");
      const json::value* r = field(*body, "rexpr");
      if (names.size() == 1 && names[0] == "=" && l && r && node_of(*l).first == "ColumnRef" &&
          node_of(*r).first == "ColumnRef") {
        return;
      }
    }
    int64_t lo = -1, hi = -1;
    collect_locations(q, lo, hi);
    fail(sql_, lo, "join conditions between cubes must be equalities of columns", "0A000",
         "write ON a.__cubeJoinField = b.__cubeJoinField (or CROSS JOIN): strata joins cubes "
         "along the model's joins");
  }

  // --- Column references -------------------------------------------------------------

  struct Resolved {
    const CatalogColumn* column = nullptr;
    size_t table = 0;
    bool star = false;
    bool join_field = false;
  };

  Resolved resolve(const json::object& ref) {
    auto fields = name_list(array_field(ref, "fields"));
    int64_t loc = location_of(ref);
    Resolved out;
    if (fields.empty()) fail(sql_, loc, "empty column reference", "42601");
    std::string col = fields.back();
    std::optional<size_t> only_table;
    if (fields.size() >= 2) {
      const std::string& qual = fields[fields.size() - 2];
      if (fields.size() >= 3 && lower(fields[fields.size() - 3]) != "public") {
        fail(sql_, loc, "cross-database or schema references are not supported", "0A000");
      }
      for (size_t i = 0; i < tables_.size(); ++i) {
        if (tables_[i].alias == qual || lower(tables_[i].alias) == lower(qual)) only_table = i;
      }
      if (!only_table) {
        fail(sql_, loc, "missing FROM-clause entry for table \"" + qual + "\"", "42P01");
      }
    }
    if (col == "*") {
      out.star = true;
      out.table = only_table.value_or(0);
      return out;
    }
    if (lower(col) == "__cubejoinfield") {
      out.join_field = true;
      return out;
    }
    std::vector<std::pair<size_t, const CatalogColumn*>> found;
    for (size_t i = 0; i < tables_.size(); ++i) {
      if (only_table && *only_table != i) continue;
      if (const CatalogColumn* c = tables_[i].table->find(col)) found.emplace_back(i, c);
    }
    if (found.size() > 1) {
      fail(sql_, loc, "column reference \"" + col + "\" is ambiguous", "42702",
           "qualify it with the table: " + tables_[found[0].first].alias + "." + col);
    }
    if (found.empty()) {
      std::vector<std::string> names;
      for (size_t i = 0; i < tables_.size(); ++i) {
        if (only_table && *only_table != i) continue;
        for (const auto& c : tables_[i].table->columns) names.push_back(c.name);
      }
      std::string hint;
      std::string near = model_loader::closest_name(col, names);
      if (!near.empty()) {
        hint = "did you mean \"" + near + "\"?";
      } else {
        hint = "the columns of a cube table are its dimensions, measures and segments (\\d " +
               tables_[only_table.value_or(0)].table->name + " lists them)";
      }
      std::string where = only_table ? tables_[*only_table].alias + "." : "";
      fail(sql_, loc, "column " + (where.empty() ? "" : where) + "\"" + col + "\" does not exist",
           "42703", hint);
    }
    out.table = found[0].first;
    out.column = found[0].second;
    return out;
  }

  // --- Scanning expressions --------------------------------------------------------------

  static bool is_aggregate_name(std::string_view n) {
    static const std::set<std::string, std::less<>> kAggs = {"measure",
                                                             "sum",
                                                             "avg",
                                                             "min",
                                                             "max",
                                                             "count",
                                                             "string_agg",
                                                             "array_agg",
                                                             "bool_and",
                                                             "bool_or",
                                                             "every",
                                                             "stddev",
                                                             "stddev_pop",
                                                             "stddev_samp",
                                                             "variance",
                                                             "var_pop",
                                                             "var_samp",
                                                             "any_value",
                                                             "median",
                                                             "mode",
                                                             "percentile_cont",
                                                             "percentile_disc",
                                                             "bit_and",
                                                             "bit_or",
                                                             "json_agg",
                                                             "jsonb_agg",
                                                             "json_object_agg",
                                                             "corr",
                                                             "covar_pop",
                                                             "covar_samp",
                                                             "regr_slope",
                                                             "regr_intercept",
                                                             "regr_count",
                                                             "regr_r2"};
    return kAggs.count(n) > 0;
  }

  // The measure an aggregate call computes, or nullptr when it aggregates
  // dimensions. Throws when the aggregate does not fit the measure.
  const CatalogColumn* measure_of(const json::object& fc, std::string_view fname) {
    int64_t loc = location_of(fc);
    const json::array* args = array_field(fc, "args");
    bool star = bool_field(fc, "agg_star");
    bool distinct = bool_field(fc, "agg_distinct");
    auto upper_name = [&] {
      std::string u(fname);
      for (char& c : u) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      return u;
    };
    if (star) {
      if (fname != "count") return nullptr;
      if (tables_.size() != 1) {
        fail(sql_, loc, "COUNT(*) is ambiguous when several cubes are joined", "0A000",
             "write MEASURE(cube.count) for the count you mean");
      }
      return count_measure(*tables_[0].table, loc);
    }
    if (!args || args->size() != 1) {
      if (fname == "measure") fail(sql_, loc, "MEASURE() takes one measure column", "42883");
      return nullptr;
    }
    auto [atype, abody] = node_of((*args)[0]);
    if (atype != "ColumnRef") {
      if (fname == "measure") {
        fail(sql_, loc, "MEASURE() takes a measure column, not an expression", "0A000",
             "write MEASURE(count) and compute around it: MEASURE(count) * 2");
      }
      return nullptr;  // an aggregate over an expression of dimensions
    }
    Resolved r = resolve(*abody);
    if (r.star || r.join_field || !r.column) return nullptr;
    const CatalogColumn* c = r.column;
    if (c->kind == MemberKind::kSegment) {
      fail(sql_, location_of(*abody), "segment " + c->name + " cannot be aggregated", "0A000",
           "use segments as conditions in WHERE");
    }
    if (c->kind == MemberKind::kDimension) {
      if (fname == "measure") {
        fail(sql_, loc, "MEASURE() takes a measure, and " + c->name + " is a dimension", "42883",
             "aggregate dimensions with SUM, COUNT, ... or group by them");
      }
      return nullptr;
    }
    if (field(fc, "agg_filter") || array_field(fc, "agg_order")) {
      fail(sql_, loc, "FILTER and ORDER BY inside an aggregate of a measure are not supported",
           "0A000", "filter with WHERE, or define a measure with filters in the model");
    }
    const Measure& m = *c->resolved->measure;
    if (fname == "measure") return c;
    bool ok = false;
    switch (m.type) {
      case MeasureType::kCount: ok = fname == "count" && !distinct; break;
      case MeasureType::kCountDistinct:
      case MeasureType::kCountDistinctApprox: ok = fname == "count" && distinct; break;
      case MeasureType::kSum: ok = fname == "sum" && !distinct; break;
      case MeasureType::kAvg: ok = fname == "avg" && !distinct; break;
      case MeasureType::kMin: ok = fname == "min"; break;
      case MeasureType::kMax: ok = fname == "max"; break;
      case MeasureType::kNumber:
        ok = fname == "sum" || fname == "avg" || fname == "min" || fname == "max" ||
             fname == "count";
        break;
    }
    if (!ok) {
      std::string want;
      switch (m.type) {
        case MeasureType::kCount: want = "COUNT(*)"; break;
        case MeasureType::kCountDistinct:
        case MeasureType::kCountDistinctApprox: want = "COUNT(DISTINCT " + c->name + ")"; break;
        case MeasureType::kSum: want = "SUM(" + c->name + ")"; break;
        case MeasureType::kAvg: want = "AVG(" + c->name + ")"; break;
        case MeasureType::kMin: want = "MIN(" + c->name + ")"; break;
        case MeasureType::kMax: want = "MAX(" + c->name + ")"; break;
        case MeasureType::kNumber: want = "MEASURE(" + c->name + ")"; break;
      }
      fail(sql_, loc,
           "measure aggregation type doesn't match: " + upper_name() +
               (distinct ? "(DISTINCT " : "(") + c->name + ") over a " +
               std::string(measure_type_name(m.type)) + " measure",
           "0A000", "write MEASURE(" + c->name + ") or " + want);
    }
    return c;
  }

  const CatalogColumn* count_measure(const CatalogTable& t, int64_t loc) {
    const CatalogColumn* best = nullptr;
    for (const auto& c : t.columns) {
      if (c.kind != MemberKind::kMeasure) continue;
      const Measure& m = *c.resolved->measure;
      if (m.type != MeasureType::kCount || !m.filters.empty()) continue;
      if (lower(c.name) == "count") return &c;
      if (!best) best = &c;
    }
    if (!best) {
      fail(sql_, loc, "cube " + t.name + " has no count measure for COUNT(*)", "0A000",
           "add a measure of type count to " + t.name + ", or use MEASURE(...)");
    }
    return best;
  }

  void scan(const json::value& v, Region region, bool in_agg) {
    if (v.is_array()) {
      for (const auto& x : v.as_array()) scan(x, region, in_agg);
      return;
    }
    if (!v.is_object()) return;
    auto [type, body] = node_of(v);
    if (!body) {
      for (const auto& kv : v.as_object()) scan(kv.value(), region, in_agg);
      return;
    }
    if (type == "SelectStmt") {
      has_sublink_ = true;  // a nested block: translated on its own
      return;
    }
    if (type == "SubLink") {
      has_sublink_ = true;
      if (const json::value* t = field(*body, "testexpr")) scan(*t, region, in_agg);
      return;
    }
    if (type == "ColumnRef") {
      Resolved r = resolve(*body);
      if (r.join_field) {
        fail(sql_, location_of(*body), "__cubeJoinField can only be used in a JOIN's ON clause",
             "0A000");
      }
      ColumnUse u;
      u.column = r.column;
      u.table = r.table;
      u.node = body;
      u.location = location_of(*body);
      u.region = region;
      u.in_aggregate = in_agg;
      u.star = r.star;
      if (r.star && region != Region::kTarget) {
        fail(sql_, u.location, "* is only allowed in the SELECT list", "42601");
      }
      uses_.push_back(u);
      return;
    }
    if (type == "FuncCall") {
      auto names = name_list(array_field(*body, "funcname"));
      std::string fname = names.empty() ? "" : lower(names.back());
      if (field(*body, "over")) {
        has_window_ = true;
        if (const json::value* a = field(*body, "args")) scan(*a, region, in_agg);
        if (const json::value* w = field(*body, "over")) scan(*w, region, in_agg);
        return;
      }
      if (is_aggregate_name(fname) && (names.size() == 1 || lower(names[0]) == "pg_catalog")) {
        if (in_agg) {
          fail(sql_, location_of(*body), "aggregate function calls cannot be nested", "42803");
        }
        const CatalogColumn* m = measure_of(*body, fname);
        if (m) {
          aggs_.push_back({m, body, location_of(*body), region});
          return;
        }
        has_dim_aggregate_ = true;
        if (const json::value* a = field(*body, "args")) scan(*a, region, true);
        if (const json::value* f = field(*body, "agg_filter")) scan(*f, region, true);
        return;
      }
      if (fname == "date_trunc") {
        const json::array* args = array_field(*body, "args");
        if (args && args->size() == 2 && node_of((*args)[1]).first == "ColumnRef") {
          auto g = const_value((*args)[0]);
          size_t before = uses_.size();
          scan((*args)[1], region, in_agg);
          if (uses_.size() == before + 1) {
            ColumnUse& u = uses_.back();
            u.in_trunc = true;
            if (g && !g->null) u.trunc = pg_granularity(g->text);
          }
          return;
        }
      }
      for (const auto& kv : *body) scan(kv.value(), region, in_agg);
      return;
    }
    for (const auto& kv : *body) scan(kv.value(), region, in_agg);
  }

  // --- Constants -----------------------------------------------------------------------

  std::optional<ConstValue> const_value(const json::value& v) {
    auto [type, body] = node_of(v);
    if (!body) return std::nullopt;
    if (type == "A_Const") {
      if (bool_field(*body, "isnull")) return ConstValue{true, ""};
      if (const json::value* iv = field(*body, "ival"); iv && iv->is_object()) {
        int64_t n = int_field(iv->as_object(), "ival", 0);
        if (n != 0) return ConstValue{false, std::to_string(n)};
        // libpg_query writes negative integers and zero as {}: read the text.
        return ConstValue{false, integer_text(location_of(*body))};
      }
      if (const json::value* fv = field(*body, "fval"); fv && fv->is_object()) {
        return ConstValue{false, std::string(string_field(fv->as_object(), "fval"))};
      }
      if (const json::value* sv = field(*body, "sval"); sv && sv->is_object()) {
        return ConstValue{false, std::string(string_field(sv->as_object(), "sval"))};
      }
      if (const json::value* bv = field(*body, "boolval"); bv && bv->is_object()) {
        return ConstValue{false, bool_field(bv->as_object(), "boolval") ? "true" : "false"};
      }
      return std::nullopt;
    }
    if (type == "ParamRef") {
      int64_t n = int_field(*body, "number", 0);
      if (!ctx_.params) return ConstValue{true, ""};
      if (n < 1 || static_cast<size_t>(n) > ctx_.params->size()) {
        fail(sql_, location_of(*body), "there is no parameter $" + std::to_string(n), "42P02");
      }
      const auto& p = (*ctx_.params)[static_cast<size_t>(n - 1)];
      if (!p) return ConstValue{true, ""};
      return ConstValue{false, *p};
    }
    if (type == "TypeCast") {
      auto names = name_list(array_field(field(*body, "typeName")->as_object(), "names"));
      std::string tn = names.empty() ? "" : lower(names.back());
      const json::value* arg = field(*body, "arg");
      if (arg &&
          (tn == "text" || tn == "varchar" || tn == "numeric" || tn == "int4" || tn == "int8" ||
           tn == "int2" || tn == "float8" || tn == "float4" || tn == "bool" || tn == "bpchar")) {
        auto inner = const_value(*arg);
        if (inner) return inner;
      }
      return evaluated(v);
    }
    if (type == "SQLValueFunction" || type == "FuncCall" || type == "A_Expr") {
      return evaluated(v);
    }
    return std::nullopt;
  }

  std::string integer_text(int64_t location) {
    if (location < 0) return "0";
    size_t i = sql_.token_index(static_cast<size_t>(location));
    std::string out;
    if (is_token(sql_, i, "-")) {
      out = "-";
      ++i;
    }
    out += std::string(sql_.token_text(i));
    return out;
  }

  static bool is_constant_tree(const json::value& v) {
    if (v.is_array()) {
      for (const auto& x : v.as_array()) {
        if (!is_constant_tree(x)) return false;
      }
      return true;
    }
    if (!v.is_object()) return true;
    auto [type, body] = node_of(v);
    if (type == "ColumnRef" || type == "SubLink" || type == "SelectStmt") return false;
    if (type == "FuncCall" && body && (field(*body, "over") || bool_field(*body, "agg_star"))) {
      return false;
    }
    for (const auto& kv : v.as_object()) {
      if (!is_constant_tree(kv.value())) return false;
    }
    return true;
  }

  // A constant expression, evaluated by the sandbox.
  std::optional<ConstValue> evaluated(const json::value& v) {
    if (!ctx_.evaluate || !is_constant_tree(v)) return std::nullopt;
    auto [start, end] = expression_span(sql_, v);
    if (end <= start) return std::nullopt;
    std::string text;
    const auto& toks = sql_.tokens();
    size_t pos = start;
    for (size_t i = sql_.token_index(start); i < toks.size() && toks[i].start < end; ++i) {
      std::string_view t = sql_.token_text(i);
      if (t.size() > 1 && t[0] == '$') {
        int n = std::atoi(std::string(t.substr(1)).c_str());
        text += sql_.text().substr(pos, toks[i].start - pos);
        if (!ctx_.params || n < 1 || static_cast<size_t>(n) > ctx_.params->size() ||
            !(*ctx_.params)[static_cast<size_t>(n - 1)]) {
          text += "NULL";
        } else {
          text += quote_literal(*(*ctx_.params)[static_cast<size_t>(n - 1)]);
        }
        pos = toks[i].end;
      }
    }
    text += sql_.text().substr(pos, end - pos);
    auto r = ctx_.evaluate(text);
    if (!r) return ConstValue{true, ""};
    return ConstValue{false, *r};
  }

  // --- Pushing conditions down ------------------------------------------------------------

  // The member a condition operand names (a column, or in HAVING a measure
  // aggregate), or nullptr.
  const CatalogColumn* operand_member(const json::value& v, bool having, int64_t& loc) {
    auto [type, body] = node_of(v);
    if (!body) return nullptr;
    loc = location_of(*body);
    if (type == "ColumnRef") {
      Resolved r = resolve(*body);
      if (r.star || r.join_field) return nullptr;
      return r.column;
    }
    if (having && type == "FuncCall" && !field(*body, "over")) {
      auto names = name_list(array_field(*body, "funcname"));
      std::string fname = names.empty() ? "" : lower(names.back());
      if (is_aggregate_name(fname)) return measure_of(*body, fname);
    }
    return nullptr;
  }

  void check_kind(const CatalogColumn* c, bool having, int64_t loc) {
    if (!having && c->kind == MemberKind::kMeasure) {
      fail(sql_, loc, "measure " + c->name + " cannot be used in WHERE", "42803",
           "conditions on measures belong in HAVING, e.g. HAVING MEASURE(" + c->name + ") > 10");
    }
  }

  std::optional<Pushed> push(const json::value& v, bool having) {
    auto [type, body] = node_of(v);
    if (!body) return std::nullopt;
    if (type == "BoolExpr") {
      std::string_view op = string_field(*body, "boolop");
      const json::array* args = array_field(*body, "args");
      if (!args) return std::nullopt;
      std::vector<FilterNode> kids;
      for (const auto& a : *args) {
        auto p = push(a, having);
        if (!p || !p->filter) return std::nullopt;  // segments only as top-level conditions
        kids.push_back(std::move(*p->filter));
      }
      if (op == "AND_EXPR") return Pushed{group(FilterNode::Kind::kAnd, std::move(kids)), ""};
      if (op == "OR_EXPR") return Pushed{group(FilterNode::Kind::kOr, std::move(kids)), ""};
      if (op == "NOT_EXPR" && kids.size() == 1) {
        auto n = negate(kids[0]);
        if (n) return Pushed{std::move(*n), ""};
      }
      return std::nullopt;
    }
    if (type == "ColumnRef") {
      int64_t loc = -1;
      const CatalogColumn* c = operand_member(v, having, loc);
      if (!c) return std::nullopt;
      if (c->kind == MemberKind::kSegment) return Pushed{std::nullopt, c->member};
      if (c->kind == MemberKind::kDimension &&
          c->resolved->dimension->type == DimensionType::kBoolean) {
        return Pushed{condition(c->member, FilterOp::kEquals, {"true"}), ""};
      }
      return std::nullopt;
    }
    if (type == "BooleanTest") {
      int64_t loc = -1;
      const json::value* arg = field(*body, "arg");
      const CatalogColumn* c = arg ? operand_member(*arg, having, loc) : nullptr;
      if (!c) return std::nullopt;
      std::string_view t = string_field(*body, "booltesttype");
      if (c->kind == MemberKind::kSegment) {
        if (t == "IS_TRUE") return Pushed{std::nullopt, c->member};
        return std::nullopt;
      }
      if (c->kind != MemberKind::kDimension ||
          c->resolved->dimension->type != DimensionType::kBoolean) {
        return std::nullopt;
      }
      if (t == "IS_TRUE") return Pushed{condition(c->member, FilterOp::kEquals, {"true"}), ""};
      if (t == "IS_FALSE") return Pushed{condition(c->member, FilterOp::kEquals, {"false"}), ""};
      if (t == "IS_NOT_TRUE") {
        return Pushed{
            group(FilterNode::Kind::kOr, {condition(c->member, FilterOp::kEquals, {"false"}),
                                          condition(c->member, FilterOp::kNotSet, {})}),
            ""};
      }
      if (t == "IS_NOT_FALSE") {
        return Pushed{
            group(FilterNode::Kind::kOr, {condition(c->member, FilterOp::kEquals, {"true"}),
                                          condition(c->member, FilterOp::kNotSet, {})}),
            ""};
      }
      if (t == "IS_UNKNOWN") return Pushed{condition(c->member, FilterOp::kNotSet, {}), ""};
      if (t == "IS_NOT_UNKNOWN") return Pushed{condition(c->member, FilterOp::kSet, {}), ""};
      return std::nullopt;
    }
    if (type == "NullTest") {
      int64_t loc = -1;
      const json::value* arg = field(*body, "arg");
      const CatalogColumn* c = arg ? operand_member(*arg, having, loc) : nullptr;
      if (!c || c->kind == MemberKind::kSegment) return std::nullopt;
      check_kind(c, having, loc);
      bool is_null = string_field(*body, "nulltesttype") == "IS_NULL";
      return Pushed{condition(c->member, is_null ? FilterOp::kNotSet : FilterOp::kSet, {}), ""};
    }
    if (type == "A_Expr") return push_a_expr(*body, having);
    return std::nullopt;
  }

  std::optional<Pushed> push_a_expr(const json::object& e, bool having) {
    std::string_view kind = string_field(e, "kind");
    auto names = name_list(array_field(e, "name"));
    std::string op = names.empty() ? "" : names.back();
    const json::value* l = field(e, "lexpr");
    const json::value* r = field(e, "rexpr");
    if (!l || !r) return std::nullopt;
    int64_t loc = -1;
    if (kind == "AEXPR_OP") {
      const CatalogColumn* c = operand_member(*l, having, loc);
      const json::value* value_node = r;
      if (!c) {
        c = operand_member(*r, having, loc);
        value_node = l;
        if (!c) return std::nullopt;
        if (op == "<")
          op = ">";
        else if (op == ">")
          op = "<";
        else if (op == "<=")
          op = ">=";
        else if (op == ">=")
          op = "<=";
      }
      if (c->kind == MemberKind::kSegment) {
        auto v = const_value(*value_node);
        if (op == "=" && v && !v->null && lower(v->text) == "true")
          return Pushed{std::nullopt, c->member};
        return std::nullopt;
      }
      check_kind(c, having, loc);
      auto v = const_value(*value_node);
      if (!v || v->null) return std::nullopt;
      std::string value = v->text;
      if (c->kind == MemberKind::kDimension &&
          c->resolved->dimension->type == DimensionType::kBoolean) {
        std::string b = lower(value);
        if (b == "t" || b == "true" || b == "yes" || b == "on" || b == "1")
          value = "true";
        else if (b == "f" || b == "false" || b == "no" || b == "off" || b == "0")
          value = "false";
      }
      if (op == "=") return Pushed{condition(c->member, FilterOp::kEquals, {value}), ""};
      if (op == "<>" || op == "!=") {
        return Pushed{with_set(condition(c->member, FilterOp::kNotEquals, {value})), ""};
      }
      if (c->kind == MemberKind::kDimension &&
          (c->resolved->dimension->type == DimensionType::kString ||
           c->resolved->dimension->type == DimensionType::kBoolean)) {
        return std::nullopt;  // ordering comparisons on text: not a Cube filter
      }
      if (op == ">") return Pushed{condition(c->member, FilterOp::kGt, {value}), ""};
      if (op == ">=") return Pushed{condition(c->member, FilterOp::kGte, {value}), ""};
      if (op == "<") return Pushed{condition(c->member, FilterOp::kLt, {value}), ""};
      if (op == "<=") return Pushed{condition(c->member, FilterOp::kLte, {value}), ""};
      return std::nullopt;
    }
    if (kind == "AEXPR_IN") {
      const CatalogColumn* c = operand_member(*l, having, loc);
      if (!c || c->kind == MemberKind::kSegment) return std::nullopt;
      check_kind(c, having, loc);
      auto [rt, rb] = node_of(*r);
      if (rt != "List" || !rb) return std::nullopt;
      std::vector<std::string> values;
      if (const json::array* items = array_field(*rb, "items")) {
        for (const auto& it : *items) {
          auto v = const_value(it);
          if (!v) return std::nullopt;
          if (v->null) continue;  // NULL never matches
          values.push_back(v->text);
        }
      }
      if (values.empty()) return std::nullopt;
      if (op == "=") return Pushed{condition(c->member, FilterOp::kEquals, values), ""};
      return Pushed{with_set(condition(c->member, FilterOp::kNotEquals, values)), ""};
    }
    if (kind == "AEXPR_LIKE" || kind == "AEXPR_ILIKE") {
      const CatalogColumn* c = operand_member(*l, having, loc);
      if (!c || c->kind != MemberKind::kDimension ||
          c->resolved->dimension->type != DimensionType::kString) {
        return std::nullopt;
      }
      auto v = const_value(*r);
      if (!v || v->null) return std::nullopt;
      bool negated = op.starts_with("!");
      bool insensitive = kind == "AEXPR_ILIKE";
      const std::string& p = v->text;
      bool lead = !p.empty() && p.front() == '%';
      bool trail = p.size() > 1 && p.back() == '%';
      std::string core = p.substr(lead ? 1 : 0, p.size() - (lead ? 1 : 0) - (trail ? 1 : 0));
      if (core.find_first_of("%_\\") != std::string::npos) return std::nullopt;
      FilterOp f;
      if (!lead && !trail) {
        if (insensitive) return std::nullopt;  // no case-insensitive equality in Cube's filters
        f = FilterOp::kEquals;
      } else {
        // Cube's contains/startsWith/endsWith are case-insensitive (ILIKE).
        if (!insensitive) return std::nullopt;
        f = lead && trail ? FilterOp::kContains
                          : (trail ? FilterOp::kStartsWith : FilterOp::kEndsWith);
      }
      FilterNode n = condition(c->member, f, {core});
      if (negated) {
        auto neg = negate(n);
        if (!neg) return std::nullopt;
        return Pushed{std::move(*neg), ""};
      }
      return Pushed{std::move(n), ""};
    }
    if (kind == "AEXPR_BETWEEN" || kind == "AEXPR_NOT_BETWEEN") {
      const CatalogColumn* c = operand_member(*l, having, loc);
      if (!c || c->kind == MemberKind::kSegment) return std::nullopt;
      check_kind(c, having, loc);
      if (c->kind == MemberKind::kDimension &&
          c->resolved->dimension->type == DimensionType::kString) {
        return std::nullopt;
      }
      auto [rt, rb] = node_of(*r);
      const json::array* items = rb ? array_field(*rb, "items") : nullptr;
      if (rt != "List" || !items || items->size() != 2) return std::nullopt;
      auto lo = const_value((*items)[0]);
      auto hi = const_value((*items)[1]);
      if (!lo || !hi || lo->null || hi->null) return std::nullopt;
      if (kind == "AEXPR_BETWEEN") {
        return Pushed{
            group(FilterNode::Kind::kAnd, {condition(c->member, FilterOp::kGte, {lo->text}),
                                           condition(c->member, FilterOp::kLte, {hi->text})}),
            ""};
      }
      return Pushed{group(FilterNode::Kind::kOr, {condition(c->member, FilterOp::kLt, {lo->text}),
                                                  condition(c->member, FilterOp::kGt, {hi->text})}),
                    ""};
    }
    return std::nullopt;
  }

  static void conjuncts(const json::value& v, std::vector<const json::value*>& out) {
    auto [type, body] = node_of(v);
    if (type == "BoolExpr" && string_field(*body, "boolop") == "AND_EXPR") {
      if (const json::array* args = array_field(*body, "args")) {
        for (const auto& a : *args) conjuncts(a, out);
      }
      return;
    }
    out.push_back(&v);
  }

  // --- Mode, members, filters -----------------------------------------------------------

  void decide_mode() {
    bool has_group = groups_ && !groups_->empty();
    if (!aggs_.empty() && has_dim_aggregate_) {
      fail(sql_, aggs_[0].location, "one SELECT cannot aggregate both measures and dimensions",
           "0A000",
           "aggregate dimensions in a subquery, or define a measure for them in the model");
    }
    if (!aggs_.empty()) {
      grouped_ = true;
    } else if (has_dim_aggregate_) {
      grouped_ = false;
    } else {
      grouped_ = has_group;
    }
    bool distinct = array_field(s_, "distinctClause") != nullptr;
    if (!grouped_ && !has_dim_aggregate_ && distinct) {
      // SELECT DISTINCT over dimensions groups by them.
      bool only_dims = true;
      for (const auto& u : uses_) {
        if (u.star || (u.column && u.column->kind != MemberKind::kDimension)) only_dims = false;
      }
      const json::array* d = array_field(s_, "distinctClause");
      bool plain = d && (d->empty() ||
                         (d->size() == 1 && d->at(0).is_object() && d->at(0).as_object().empty()));
      if (only_dims && plain && !uses_.empty()) {
        grouped_ = true;
        distinct_as_group_ = true;
      }
    }
    for (const auto& u : uses_) {
      if (u.column && u.column->kind == MemberKind::kSegment && u.region != Region::kWhere) {
        fail(sql_, u.location,
             "segment " + u.column->name + " can only be used as a condition in WHERE", "0A000",
             "write WHERE " + u.column->name + " (segments are boolean columns)");
      }
      if (u.column && u.column->kind == MemberKind::kMeasure && !grouped_ && has_dim_aggregate_ &&
          !u.in_aggregate) {
        fail(sql_, u.location,
             "measure " + u.column->name + " is used next to aggregates of dimensions", "0A000",
             "aggregate it with MEASURE(" + u.column->name + ") in its own query");
      }
    }
  }

  void push_where() {
    if (!where_) return;
    std::vector<const json::value*> parts;
    conjuncts(*where_, parts);
    bool all = true;
    std::vector<Pushed> pushed;
    for (const json::value* p : parts) {
      auto x = push(*p, false);
      if (!x) {
        all = false;
      } else {
        if (x->segment.empty()) {
          pushed.push_back(std::move(*x));
        } else {
          pushed_segments_.push_back(x->segment);
          pushed.push_back(std::move(*x));
        }
      }
    }
    for (auto& p : pushed) {
      if (p.filter) where_filters_.push_back(std::move(*p.filter));
    }
    where_kept_ = !all;
    if (where_kept_) scan(*where_, Region::kWhere, false);
  }

  void push_having() {
    if (!having_) return;
    std::vector<const json::value*> parts;
    conjuncts(*having_, parts);
    std::vector<FilterNode> filters;
    for (const json::value* p : parts) {
      auto x = push(*p, true);
      if (!x || !x->filter) return;  // kept whole in the sandbox
      filters.push_back(std::move(*x->filter));
    }
    having_pushed_ = true;
    having_filters_ = std::move(filters);
  }

  void add_measure(const CatalogColumn* c) {
    if (std::find(measures_.begin(), measures_.end(), c) == measures_.end()) measures_.push_back(c);
  }

  void collect_members() {
    // Measures: aggregates, then bare measure columns (as MEASURE in a grouped
    // block, as per-row values in an ungrouped one).
    for (const auto& a : aggs_) add_measure(a.column);
    for (const auto& u : uses_) {
      if (!u.star && u.column && u.column->kind == MemberKind::kMeasure) add_measure(u.column);
    }
    // Dimensions: every use outside aggregates (grouped) or anywhere (ungrouped);
    // SELECT * stands for every column of its table(s).
    std::map<const CatalogColumn*, std::vector<const ColumnUse*>> dim_uses;
    std::vector<const CatalogColumn*> dim_order;
    for (const auto& u : uses_) {
      if (u.star) {
        for (size_t t = 0; t < tables_.size(); ++t) {
          if (has_qualified_star(u) && u.table != t) continue;
          for (const auto& c : tables_[t].table->columns) {
            if (c.kind == MemberKind::kDimension) {
              if (!dim_uses.count(&c)) dim_order.push_back(&c);
              dim_uses[&c];
            } else if (c.kind == MemberKind::kMeasure) {
              add_measure(&c);
            }
          }
        }
        continue;
      }
      if (!u.column || u.column->kind != MemberKind::kDimension) continue;
      if (grouped_ && u.in_aggregate) continue;
      if (!dim_uses.count(u.column)) dim_order.push_back(u.column);
      dim_uses[u.column].push_back(&u);
    }
    for (const CatalogColumn* c : dim_order) {
      const auto& us = dim_uses[c];
      std::optional<Granularity> g;
      bool all_trunc = !us.empty();
      for (const ColumnUse* u : us) {
        if (!u->in_trunc || !u->trunc || (g && *g != *u->trunc)) {
          all_trunc = false;
          break;
        }
        g = u->trunc;
      }
      bool time = c->resolved->dimension->type == DimensionType::kTime;
      if (time && all_trunc && g) {
        dims_.push_back({c, g});
      } else {
        dims_.push_back({c, std::nullopt});
      }
    }
    if (dims_.empty() && measures_.empty()) {
      // Nothing named (SELECT 1 FROM orders): read the cube's rows by a dimension.
      const CatalogTable& t = *tables_[0].table;
      const CatalogColumn* pick = nullptr;
      for (const auto& c : t.columns) {
        if (c.kind != MemberKind::kDimension) continue;
        if (!pick ||
            (c.resolved->dimension->primary_key && !pick->resolved->dimension->primary_key)) {
          pick = &c;
        }
      }
      if (!pick) {
        fail(sql_, tables_[0].location, "cube " + t.name + " has no dimension to read rows by",
             "0A000", "select a measure, e.g. MEASURE(count)");
      }
      dims_.push_back({pick, std::nullopt});
      grouped_ = false;
    }
  }

  bool has_qualified_star(const ColumnUse& u) const {
    if (!u.node) return false;
    auto f = name_list(array_field(*u.node, "fields"));
    return f.size() >= 2;
  }

  std::string dim_key(const CatalogColumn* c, std::optional<Granularity> g) const {
    return g ? c->member + "." + std::string(granularity_name(*g)) : c->member;
  }

  void build_query() {
    SemanticQuery& q = plan_.query;
    q.timezone = ctx_.timezone;
    q.ungrouped = !grouped_;
    for (const auto& [c, g] : dims_) {
      if (g) {
        TimeDimensionQuery td;
        td.dimension = c->member;
        td.granularity = g;
        q.time_dimensions.push_back(std::move(td));
      } else {
        q.dimensions.push_back(c->member);
      }
    }
    for (const CatalogColumn* m : measures_) q.measures.push_back(m->member);
    q.filters = where_filters_;
    if (having_pushed_) {
      for (auto& f : having_filters_) q.filters.push_back(f);
    }
    for (const auto& s : pushed_segments_) {
      if (std::find(q.segments.begin(), q.segments.end(), s) == q.segments.end()) {
        q.segments.push_back(s);
      }
    }
    q.limit = ctx_.limits.max_limit;
  }

  // --- Direct blocks ---------------------------------------------------------------------

  bool not_direct(std::string why) {
    plan_.not_direct_reason = std::move(why);
    return false;
  }

  // The member key an expression stands for in a direct block, or "" when it
  // is something else.
  std::string expr_key(const json::value& v) {
    auto [type, body] = node_of(v);
    if (!body) return "";
    if (type == "ColumnRef") {
      Resolved r = resolve(*body);
      if (!r.column || r.star) return "";
      if (r.column->kind == MemberKind::kMeasure)
        return grouped_ || !has_dim_aggregate_ ? r.column->member : "";
      if (r.column->kind != MemberKind::kDimension) return "";
      for (const auto& [c, g] : dims_) {
        if (c == r.column) return g ? "" : c->member;
      }
      return "";
    }
    if (type == "FuncCall" && !field(*body, "over")) {
      auto names = name_list(array_field(*body, "funcname"));
      std::string fname = names.empty() ? "" : lower(names.back());
      if (fname == "date_trunc") {
        const json::array* args = array_field(*body, "args");
        if (!args || args->size() != 2) return "";
        auto [at, ab] = node_of((*args)[1]);
        if (at != "ColumnRef") return "";
        Resolved r = resolve(*ab);
        auto g = const_value((*args)[0]);
        if (!r.column || !g || g->null) return "";
        auto gran = pg_granularity(g->text);
        for (const auto& [c, dg] : dims_) {
          if (c == r.column && dg && gran && *dg == *gran) return dim_key(c, dg);
        }
        return "";
      }
      if (is_aggregate_name(fname)) {
        const CatalogColumn* m = measure_of(*body, fname);
        return m ? m->member : "";
      }
    }
    return "";
  }

  bool try_direct() {
    const json::object& s = s_;
    if (string_field(s, "op") != "SETOP_NONE" && !string_field(s, "op").empty()) {
      return not_direct("set operation");
    }
    if (array_field(s, "distinctClause") && !distinct_as_group_) return not_direct("DISTINCT");
    if (array_field(s, "windowClause") || has_window_) return not_direct("window functions");
    if (array_field(s, "lockingClause")) return not_direct("locking clause");
    if (field(s, "withClause")) return not_direct("WITH");
    if (has_sublink_) return not_direct("subqueries");
    if (has_dim_aggregate_) return not_direct("aggregates over dimensions");
    if (where_kept_) return not_direct("WHERE conditions that cannot be pushed down");
    if (having_ && !having_pushed_)
      return not_direct("HAVING conditions that cannot be pushed down");
    if (!targets_) return not_direct("no SELECT list");

    // Outputs.
    std::vector<SqlOutput> outputs;
    std::vector<std::string> target_keys;  // per ResTarget ("" for a star)
    for (const auto& t : *targets_) {
      auto [type, body] = node_of(t);
      const json::value* v = body ? field(*body, "val") : nullptr;
      if (!v) return not_direct("odd SELECT list");
      std::string alias(string_field(*body, "name"));
      auto [vt, vb] = node_of(*v);
      if (vt == "ColumnRef") {
        Resolved r = resolve(*vb);
        if (r.star) {
          if (grouped_) return not_direct("* in a grouped query");
          for (size_t ti = 0; ti < tables_.size(); ++ti) {
            if (has_qualified_star_node(*vb) && ti != r.table) continue;
            for (const auto& c : tables_[ti].table->columns) {
              SqlOutput o;
              o.name = c.name;
              o.key = c.kind == MemberKind::kSegment ? "" : c.member;
              o.type_oid = c.type_oid;
              o.table_oid = tables_[ti].table->oid;
              o.attnum = c.attnum;
              outputs.push_back(o);
            }
          }
          target_keys.emplace_back("");
          continue;
        }
        std::string key = expr_key(*v);
        if (key.empty()) return not_direct("a column that is not a member");
        SqlOutput o;
        o.name = alias.empty() ? r.column->name : alias;
        o.key = key;
        o.type_oid = r.column->type_oid;
        o.table_oid = tables_[r.table].table->oid;
        o.attnum = r.column->attnum;
        outputs.push_back(o);
        target_keys.push_back(key);
        continue;
      }
      if (vt == "FuncCall") {
        std::string key = expr_key(*v);
        if (key.empty()) return not_direct("an expression");
        auto names = name_list(array_field(*vb, "funcname"));
        std::string fname = names.empty() ? "?column?" : lower(names.back());
        SqlOutput o;
        o.name = alias.empty() ? fname : alias;
        o.key = key;
        const ResolvedMember* m = ctx_.catalog->model().find_member(
            fname == "date_trunc" ? key.substr(0, key.rfind('.')) : key);
        o.type_oid = m ? member_type_oid(*m) : oid::kText;
        outputs.push_back(o);
        target_keys.push_back(key);
        continue;
      }
      return not_direct("an expression in the SELECT list");
    }

    // GROUP BY must name exactly the dimensions.
    if (groups_ && !groups_->empty()) {
      std::set<std::string> keys;
      for (const auto& g : *groups_) {
        std::string key = group_key(g, target_keys);
        if (key.empty()) return not_direct("GROUP BY an expression");
        keys.insert(key);
      }
      for (const auto& [c, g] : dims_) {
        if (!keys.count(dim_key(c, g))) return not_direct("a dimension missing from GROUP BY");
      }
    }

    // ORDER BY.
    std::vector<OrderBy> order;
    if (sorts_) {
      for (const auto& o : *sorts_) {
        auto [st, sb] = node_of(o);
        if (st != "SortBy" || !sb) return not_direct("odd ORDER BY");
        if (string_field(*sb, "sortby_nulls") == "SORTBY_NULLS_FIRST") {
          return not_direct("NULLS FIRST");
        }
        std::string_view dir = string_field(*sb, "sortby_dir");
        if (dir == "SORTBY_USING") return not_direct("ORDER BY USING");
        const json::value* node = field(*sb, "node");
        if (!node) return not_direct("odd ORDER BY");
        std::string key = sort_key(*node, target_keys, outputs);
        if (key.empty()) return not_direct("ORDER BY an expression");
        order.push_back({key, dir == "SORTBY_DESC"});
      }
    }

    // LIMIT / OFFSET.
    int64_t limit = -1, offset = 0;
    if (const json::value* lc = field(s, "limitCount"); lc && !lc->is_null()) {
      auto v = const_value(*lc);
      if (!v) return not_direct("LIMIT expression");
      if (!v->null) {
        char* end = nullptr;
        limit = std::strtoll(v->text.c_str(), &end, 10);
        if (*end != '\0' || limit < 0) {
          fail(sql_, -1, "LIMIT must be a non-negative integer, not " + v->text, "2201W");
        }
      }
    }
    if (const json::value* lo = field(s, "limitOffset"); lo && !lo->is_null()) {
      auto v = const_value(*lo);
      if (!v) return not_direct("OFFSET expression");
      if (!v->null) {
        char* end = nullptr;
        offset = std::strtoll(v->text.c_str(), &end, 10);
        if (*end != '\0' || offset < 0) {
          fail(sql_, -1, "OFFSET must be a non-negative integer, not " + v->text, "2201X");
        }
      }
    }
    if (string_field(s, "limitOption") == "LIMIT_OPTION_WITH_TIES") return not_direct("WITH TIES");

    SemanticQuery& q = plan_.query;
    for (const auto& o : order) {
      // Ordering by a measure the SELECT list does not show: add it.
      const ResolvedMember* m = ctx_.catalog->model().find_member(o.member);
      if (m && m->measure &&
          std::find(q.measures.begin(), q.measures.end(), o.member) == q.measures.end()) {
        q.measures.push_back(o.member);
      }
    }
    if (sorts_) {
      q.order = order;
      q.order_given = true;
    }
    plan_.sql_limit = limit;
    if (limit >= 0) {
      q.limit_given = true;
      if (limit > ctx_.limits.max_limit) {
        plan_.limit_capped = true;
        q.limit = ctx_.limits.max_limit;
      } else {
        q.limit = limit;
      }
      if (limit == 0) plan_.skip_run = true;
    }
    q.offset = offset;
    plan_.outputs = std::move(outputs);
    return true;
  }

  bool has_qualified_star_node(const json::object& ref) const {
    return name_list(array_field(ref, "fields")).size() >= 2;
  }

  std::string group_key(const json::value& g, const std::vector<std::string>& target_keys) {
    auto [type, body] = node_of(g);
    if (type == "A_Const") {
      auto v = const_value(g);
      if (!v || v->null) return "";
      size_t n = static_cast<size_t>(std::atoll(v->text.c_str()));
      if (n < 1 || n > target_keys.size()) {
        fail(sql_, location_of(*body), "GROUP BY position " + v->text + " is not in select list",
             "42P10");
      }
      return target_keys[n - 1];
    }
    if (type == "ColumnRef") {
      std::string k = alias_key(*body, target_keys);
      if (!k.empty()) return k;
    }
    return expr_key(g);
  }

  std::string sort_key(const json::value& v, const std::vector<std::string>& target_keys,
                       const std::vector<SqlOutput>& outputs) {
    auto [type, body] = node_of(v);
    if (type == "A_Const") {
      auto c = const_value(v);
      if (!c || c->null) return "";
      size_t n = static_cast<size_t>(std::atoll(c->text.c_str()));
      if (n < 1 || n > outputs.size()) {
        fail(sql_, location_of(*body), "ORDER BY position " + c->text + " is not in select list",
             "42P10");
      }
      return outputs[n - 1].key;
    }
    if (type == "ColumnRef") {
      // An output name first (PostgreSQL resolves ORDER BY names that way).
      auto f = name_list(array_field(*body, "fields"));
      if (f.size() == 1) {
        for (const auto& o : outputs) {
          if (o.name == f[0]) return o.key;
        }
      }
    }
    (void)target_keys;
    return expr_key(v);
  }

  std::string alias_key(const json::object& ref, const std::vector<std::string>& target_keys) {
    auto f = name_list(array_field(ref, "fields"));
    if (f.size() != 1 || !targets_) return "";
    for (size_t i = 0; i < targets_->size() && i < target_keys.size(); ++i) {
      auto [type, body] = node_of((*targets_)[i]);
      if (body && string_field(*body, "name") == f[0]) return target_keys[i];
    }
    return "";
  }

  // --- Post-processing --------------------------------------------------------------------

  std::string temp_ref(const CatalogColumn* c) const {
    return quote_ident(plan_.table) + "." + quote_ident(c->member);
  }

  // Whether the block's groups are exactly the SemanticQuery's rows.
  bool exact_grouping() {
    if (!grouped_) return false;
    if (!groups_ || groups_->empty()) return dims_.empty() || distinct_as_group_;
    std::vector<std::string> target_keys;
    if (targets_) {
      for (const auto& t : *targets_) {
        auto [type, body] = node_of(t);
        const json::value* v = body ? field(*body, "val") : nullptr;
        target_keys.push_back(v ? expr_key(*v) : "");
      }
    }
    std::set<std::string> keys;
    for (const auto& g : *groups_) {
      auto [type, body] = node_of(g);
      if (type == "GroupingSet") return false;
      std::string key = group_key(g, target_keys);
      if (key.empty()) return false;
      keys.insert(key);
    }
    for (const auto& [c, g] : dims_) {
      if (!keys.count(dim_key(c, g))) return false;
    }
    return true;
  }

  std::string merge_call(const CatalogColumn* m, bool exact, int64_t loc) {
    std::string ref = temp_ref(m);
    if (exact) return "max(" + ref + ")";
    const Measure& meas = *m->resolved->measure;
    switch (meas.type) {
      case MeasureType::kCount: return "CAST(sum(" + ref + ") AS BIGINT)";
      case MeasureType::kSum: return "sum(" + ref + ")";
      case MeasureType::kMin: return "min(" + ref + ")";
      case MeasureType::kMax: return "max(" + ref + ")";
      default:
        fail(sql_, loc,
             "measure " + m->name + " (" + std::string(measure_type_name(meas.type)) +
                 ") cannot be re-aggregated over groups coarser than its dimensions",
             "0A000",
             "group by dimension columns (or DATE_TRUNC of a time dimension) directly; only "
             "count, sum, min and max measures can be regrouped");
    }
  }

  struct Clauses {
    size_t from = 0, from_end = 0;
    size_t where = 0, where_end = 0;
    size_t having = 0, having_end = 0;
    bool found_from = false, found_where = false, found_having = false;
  };

  // Finds the FROM, WHERE and HAVING clauses of this block in the token stream.
  Clauses find_clauses() {
    Clauses c;
    const auto& toks = sql_.tokens();
    int64_t start_loc = -1;
    if (targets_ && !targets_->empty()) {
      auto [type, body] = node_of((*targets_)[0]);
      if (body) start_loc = location_of(*body);
    }
    if (start_loc < 0) start_loc = tables_.empty() ? 0 : tables_[0].location;
    size_t i = sql_.token_index(static_cast<size_t>(start_loc));
    static const std::set<std::string, std::less<>> kClause = {
        "from",   "where", "group", "having", "window",    "order", "limit",
        "offset", "fetch", "for",   "union",  "intersect", "except"};
    int depth = 0;
    std::string current;
    size_t current_start = 0;
    auto close = [&](size_t at) {
      if (current == "from") {
        c.from = current_start;
        c.from_end = at;
        c.found_from = true;
      } else if (current == "where") {
        c.where = current_start;
        c.where_end = at;
        c.found_where = true;
      } else if (current == "having") {
        c.having = current_start;
        c.having_end = at;
        c.found_having = true;
      }
      current.clear();
    };
    for (; i < toks.size(); ++i) {
      std::string_view t = sql_.token_text(i);
      if (t == "(") {
        ++depth;
        continue;
      }
      if (t == ")") {
        if (depth == 0) break;
        --depth;
        continue;
      }
      if (t == ";" && depth == 0) break;
      if (depth != 0 || !toks[i].keyword) continue;
      std::string k = lower(t);
      if (!kClause.count(k)) continue;
      if (k == "from" && i >= 2 && (is_token(sql_, i - 1, "distinct")))
        continue;                                                    // IS DISTINCT FROM
      if (k == "union" || k == "intersect" || k == "except") break;  // the next branch's
      if (!current.empty()) close(toks[i].start);
      if (k == "from" || k == "where" || k == "having") {
        current = k;
        current_start = toks[i].start;
      }
    }
    size_t end = i < toks.size() ? toks[i].start : sql_.text().size();
    // Trim whitespace before the end so a replacement keeps the separator.
    if (!current.empty()) close(end);
    return c;
  }

  void build_edits() {
    bool exact = exact_;
    Clauses cl = find_clauses();
    if (!cl.found_from) fail(sql_, -1, "cannot find the FROM clause of a cube query", "XX000");
    plan_.edits.push_back({cl.from, cl.from_end, "FROM " + quote_ident(plan_.table) + " "});
    if (cl.found_where && !where_kept_) plan_.edits.push_back({cl.where, cl.where_end, " "});
    if (cl.found_having && having_pushed_) plan_.edits.push_back({cl.having, cl.having_end, " "});

    // Temporary columns: every dimension and measure of the query.
    for (const auto& [c, g] : dims_) plan_.temp_columns.emplace_back(dim_key(c, g), c->member);
    for (const CatalogColumn* m : measures_) plan_.temp_columns.emplace_back(m->member, m->member);

    for (const auto& a : aggs_) {
      auto [s, e] = call_span(sql_, static_cast<size_t>(a.location));
      plan_.edits.push_back({s, e, merge_call(a.column, exact, a.location)});
    }
    // Columns keep PostgreSQL's names (status, measure, upper) for outer
    // queries that refer to them, though their text now reads the temp table.
    if (targets_) {
      for (const auto& t : *targets_) {
        auto [tt, tb] = node_of(t);
        if (!tb || !string_field(*tb, "name").empty()) continue;
        const json::value* v = field(*tb, "val");
        if (!v) continue;
        auto [vt, vb] = node_of(*v);
        if (!vb) continue;
        int64_t loc = location_of(*vb);
        if (loc < 0) continue;
        size_t end = 0;
        if (vt == "ColumnRef") {
          auto f = name_list(array_field(*vb, "fields"));
          if (!f.empty() && f.back() == "*") continue;
          end = name_span(sql_, static_cast<size_t>(loc)).second;
        } else if (vt == "FuncCall" && !field(*vb, "over")) {
          end = call_span(sql_, static_cast<size_t>(loc)).second;
        } else {
          continue;
        }
        plan_.edits.push_back({end, end, " AS " + quote_ident(figure_column_name(*v))});
      }
    }
    for (const auto& u : uses_) {
      if (u.region == Region::kWhere && !where_kept_) continue;
      if (u.star) {
        auto [s, e] = name_span(sql_, static_cast<size_t>(u.location));
        std::string list;
        for (size_t t = 0; t < tables_.size(); ++t) {
          if (has_qualified_star(u) && t != u.table) continue;
          for (const auto& c : tables_[t].table->columns) {
            if (!list.empty()) list += ", ";
            if (c.kind == MemberKind::kSegment) {
              list += "NULL::BOOLEAN AS " + quote_ident(c.name);
            } else if (c.kind == MemberKind::kMeasure && grouped_) {
              list += merge_call(&c, exact, u.location) + " AS " + quote_ident(c.name);
            } else {
              list += temp_ref(&c) + " AS " + quote_ident(c.name);
            }
          }
        }
        plan_.edits.push_back({s, e, list});
        continue;
      }
      if (!u.column) continue;
      auto [s, e] = name_span(sql_, static_cast<size_t>(u.location));
      std::string text;
      if (u.column->kind == MemberKind::kSegment) {
        // Pushed down as a top-level condition: every row left satisfies it.
        if (std::find(pushed_segments_.begin(), pushed_segments_.end(), u.column->member) ==
            pushed_segments_.end()) {
          fail(sql_, u.location,
               "segment " + u.column->name + " can only be used as a condition joined with AND",
               "0A000", "write WHERE " + u.column->name + " AND ...");
        }
        text = "TRUE";
      } else if (u.column->kind == MemberKind::kMeasure && grouped_ && !u.in_aggregate) {
        text = merge_call(u.column, exact, u.location);
      } else {
        text = temp_ref(u.column);
      }
      plan_.edits.push_back({s, e, text});
    }
  }

  const json::object& s_;
  const ParsedSql& sql_;
  const TranslateContext& ctx_;
  bool allow_direct_;
  BlockPlan plan_;

  std::vector<TableRef> tables_;
  const json::array* targets_ = nullptr;
  const json::array* groups_ = nullptr;
  const json::array* sorts_ = nullptr;
  const json::value* having_ = nullptr;
  const json::value* where_ = nullptr;

  std::vector<ColumnUse> uses_;
  std::vector<MeasureAgg> aggs_;
  bool has_dim_aggregate_ = false;
  bool has_window_ = false;
  bool has_sublink_ = false;
  bool grouped_ = false;
  bool exact_ = false;
  bool distinct_as_group_ = false;

  std::vector<FilterNode> where_filters_;
  std::vector<std::string> pushed_segments_;
  bool where_kept_ = false;
  std::vector<FilterNode> having_filters_;
  bool having_pushed_ = false;

  std::vector<const CatalogColumn*> measures_;
  std::vector<std::pair<const CatalogColumn*, std::optional<Granularity>>> dims_;
};

}  // namespace

// The output names PostgreSQL gives the top-level SELECT list; empty when
// they cannot be told (a * in the list).
std::vector<std::string> output_names(const json::object& select) {
  std::string_view op = string_field(select, "op");
  if (!op.empty() && op != "SETOP_NONE") {
    const json::value* l = field(select, "larg");
    if (l && l->is_object()) {
      const json::value* inner = l->as_object().if_contains("SelectStmt");
      if (!inner) {
        auto [t, b] = node_of(*l);
        if (b) return output_names(*b);
      }
      if (inner && inner->is_object()) return output_names(inner->as_object());
      // larg is stored as a bare SelectStmt body in libpg_query's JSON.
      return output_names(l->as_object());
    }
    return {};
  }
  std::vector<std::string> out;
  const json::array* targets = array_field(select, "targetList");
  if (!targets) {
    if (array_field(select, "valuesLists")) return {};
    return out;
  }
  for (const auto& t : *targets) {
    auto [type, body] = node_of(t);
    if (!body) return {};
    std::string_view alias = string_field(*body, "name");
    const json::value* v = field(*body, "val");
    if (!v) return {};
    auto [vt, vb] = node_of(*v);
    if (vt == "ColumnRef" && vb) {
      auto f = name_list(array_field(*vb, "fields"));
      if (!f.empty() && f.back() == "*") return {};
    }
    out.push_back(alias.empty() ? figure_column_name(*v) : std::string(alias));
  }
  return out;
}

std::string figure_column_name(const json::value& v) {
  auto [type, body] = node_of(v);
  if (!body) return "?column?";
  if (type == "ColumnRef") {
    auto f = name_list(array_field(*body, "fields"));
    return f.empty() ? "?column?" : f.back();
  }
  if (type == "FuncCall") {
    auto f = name_list(array_field(*body, "funcname"));
    return f.empty() ? "?column?" : f.back();
  }
  if (type == "TypeCast") {
    const json::value* a = field(*body, "arg");
    std::string inner = a ? figure_column_name(*a) : "?column?";
    if (inner != "?column?") return inner;
    const json::value* tn = field(*body, "typeName");
    if (tn && tn->is_object()) {
      auto n = name_list(array_field(tn->as_object(), "names"));
      if (!n.empty()) return n.back();
    }
    return "?column?";
  }
  if (type == "A_Indirection") {
    const json::array* ind = array_field(*body, "indirection");
    if (ind && !ind->empty()) {
      auto [it, ib] = node_of(ind->back());
      if (it == "String" && ib) return std::string(string_field(*ib, "sval"));
    }
    if (const json::value* a = field(*body, "arg")) return figure_column_name(*a);
    return "?column?";
  }
  if (type == "CaseExpr") return "case";
  if (type == "A_ArrayExpr") return "array";
  if (type == "RowExpr") return "row";
  if (type == "CoalesceExpr") return "coalesce";
  if (type == "NullIfExpr") return "nullif";
  if (type == "MinMaxExpr")
    return string_field(*body, "op") == "IS_GREATEST" ? "greatest" : "least";
  if (type == "A_Expr" && string_field(*body, "kind") == "AEXPR_NULLIF") return "nullif";
  if (type == "SQLValueFunction") {
    std::string op(string_field(*body, "op"));
    if (op.starts_with("SVFOP_")) return lower(op.substr(6));
    return "?column?";
  }
  if (type == "SubLink") {
    std::string_view k = string_field(*body, "subLinkType");
    if (k == "EXISTS_SUBLINK") return "exists";
    if (k == "ARRAY_SUBLINK") return "array";
    if (k == "EXPR_SUBLINK") {
      const json::value* sub = field(*body, "subselect");
      if (sub) {
        auto [st, sb] = node_of(*sub);
        if (sb) {
          auto names = output_names(*sb);
          if (names.size() == 1) return names[0];
        }
      }
    }
    return "?column?";
  }
  return "?column?";
}

BlockPlan translate_block(const json::object& select, const ParsedSql& sql,
                          const TranslateContext& ctx, bool allow_direct,
                          const std::string& table) {
  BlockTranslator t(select, sql, ctx, allow_direct, table);
  return t.run();
}

}  // namespace strata::pgwire
