// Cube's REST query JSON -> a validated SemanticQuery. The JSON paths in
// errors are relative to the query object ("measures[1]"), whether it came
// bare or wrapped as {"query": {...}}. Unknown top-level fields are ignored:
// Cube clients send extras such as responseFormat or queryType.
#include <boost/json.hpp>
#include <set>

#include "query/cube_query.h"
#include "query/parse_util.h"
#include "query/table_version.h"

namespace strata {

namespace json = boost::json;
using namespace query_internal;

namespace {

constexpr const char* kGranularityList = "second, minute, hour, day, week, month, quarter, year";

// A present, non-null field (clients send null for "not given").
const json::value* field(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v && !v->is_null() ? v : nullptr;
}

std::string lower_ascii(std::string s) {
  for (char& c : s) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return s;
}

class QueryParser {
 public:
  QueryParser(const Model& model, const ParseOptions& options)
      : model_(model),
        options_(options),
        now_(options.now_utc_micros != 0 ? options.now_utc_micros : now_utc_micros()) {}

  SemanticQuery parse(const json::object& o) {
    if (field(o, "compareDateRange")) {
      fail("compareDateRange queries are not supported yet", "compareDateRange",
           "send one query per date range");
    }
    parse_timezone(o);
    if (auto* v = field(o, "measures")) measures(*v);
    if (auto* v = field(o, "dimensions")) dimensions(*v);
    if (auto* v = field(o, "timeDimensions")) time_dimensions(*v);
    if (auto* v = field(o, "segments")) segments(*v);
    if (auto* v = field(o, "filters")) {
      q_.filters = parse_filters(*v, FilterContext{model_, *tz_, now_});
    }
    require_selection();
    if (auto* v = field(o, "order")) order(*v);
    limits(o);
    if (auto* v = field(o, "total")) q_.total = expect_bool(*v, "total");
    if (auto* v = field(o, "ungrouped")) q_.ungrouped = expect_bool(*v, "ungrouped");
    if (auto* v = field(o, "renewQuery")) q_.renew_query = expect_bool(*v, "renewQuery");
    if (auto* v = field(o, "asOf")) q_.as_of = parse_as_of(*v);
    return std::move(q_);
  }

 private:
  void parse_timezone(const json::object& o) {
    tz_ = TimeZone::utc();
    if (auto* v = field(o, "timezone")) {
      const std::string name = expect_string(*v, "timezone", "an IANA time zone name");
      try {
        tz_ = TimeZone::load(name);
      } catch (const UserError& e) {
        fail(e.message(), "timezone", e.context().hint);
      }
    }
    q_.timezone = tz_->name();
  }

  // Time travel for lake tables (query/table_version.h): a string, or
  // {"snapshotId": n} / {"timestamp": ISO text or Unix ms} / {"ref"|"branch"|"tag": name}.
  TableVersion parse_as_of(const json::value& v) {
    if (v.is_string()) return parse_table_version(v.get_string(), "asOf");
    if (v.is_int64() || v.is_uint64()) return parse_table_version(json::serialize(v), "asOf");
    if (!v.is_object() || v.get_object().size() != 1) {
      fail("asOf must be a string or an object with one of snapshotId, timestamp, ref", "asOf",
           R"(for example "asOf": {"snapshotId": 123} or "asOf": "ref:main")");
    }
    const std::string key(v.get_object().begin()->key());
    const json::value& val = v.get_object().begin()->value();
    const std::string path = field_path("asOf", key);
    if (key == "snapshotId") {
      if (val.is_string()) {
        return parse_table_version("snapshot:" + std::string(val.get_string()), path);
      }
      TableVersion t;
      t.kind = TableVersion::Kind::kSnapshotId;
      t.snapshot_id = expect_integer(val, path);
      return t;
    }
    if (key == "timestamp") {
      if (val.is_string()) {
        return parse_table_version("timestamp:" + std::string(val.get_string()), path);
      }
      TableVersion t;
      t.kind = TableVersion::Kind::kTimestamp;
      t.timestamp_ms = expect_integer(val, path);
      return t;
    }
    if (key == "ref" || key == "branch" || key == "tag") {
      return parse_table_version("ref:" + expect_string(val, path, "a branch or tag name"), path);
    }
    fail("unknown asOf field " + quoted(key), path, "use snapshotId, timestamp or ref");
  }

  [[noreturn]] void wrong_kind(const std::string& name, const ResolvedMember& m,
                               const std::string& path, std::string_view list,
                               std::string_view wanted) {
    const std::string_view kind = member_kind_name(m.kind);
    const std::string_view home = m.kind == MemberKind::kMeasure     ? "measures"
                                  : m.kind == MemberKind::kDimension ? "dimensions"
                                                                     : "segments";
    fail(quoted(name) + " is " + describe_member(m) + ", not a " + std::string(wanted), path,
         "put " + std::string(kind) + "s in " + std::string(home) + ", not in " + std::string(list),
         name);
  }

  std::vector<std::string> names(const json::value& v, std::string_view list) {
    const json::array& items = expect_array(v, std::string(list), "member names");
    std::vector<std::string> out;
    for (size_t i = 0; i < items.size(); ++i) {
      out.push_back(expect_string(items[i], index_path(list, i), "a member name"));
    }
    return out;
  }

  void measures(const json::value& v) {
    const auto list = names(v, "measures");
    for (size_t i = 0; i < list.size(); ++i) {
      const std::string path = index_path("measures", i);
      const ResolvedMember& m = resolve_member(model_, list[i], path, MemberKind::kMeasure);
      if (m.kind != MemberKind::kMeasure) wrong_kind(list[i], m, path, "measures", "measure");
      q_.measures.push_back(list[i]);
    }
  }

  // A time dimension may be written "orders.created_at.month" in
  // dimensions, as Cube allows: it becomes a time dimension with that
  // granularity.
  bool granularity_suffixed(const std::string& name, const std::string& path) {
    const size_t dot = name.rfind('.');
    if (dot == std::string::npos) return false;
    auto g = parse_granularity(std::string_view(name).substr(dot + 1));
    const ResolvedMember* base = model_.find_member(std::string_view(name).substr(0, dot));
    if (!g || !base || base->kind != MemberKind::kDimension ||
        base->dimension->type != DimensionType::kTime) {
      return false;
    }
    TimeDimensionQuery td;
    td.dimension = name.substr(0, dot);
    td.granularity = g;
    td.json_path = path;
    q_.time_dimensions.push_back(std::move(td));
    return true;
  }

  void dimensions(const json::value& v) {
    const auto list = names(v, "dimensions");
    for (size_t i = 0; i < list.size(); ++i) {
      const std::string path = index_path("dimensions", i);
      if (!model_.find_member(list[i]) && granularity_suffixed(list[i], path)) continue;
      const ResolvedMember& m = resolve_member(model_, list[i], path, MemberKind::kDimension);
      if (m.kind != MemberKind::kDimension) {
        wrong_kind(list[i], m, path, "dimensions", "dimension");
      }
      q_.dimensions.push_back(list[i]);
    }
  }

  void segments(const json::value& v) {
    const auto list = names(v, "segments");
    for (size_t i = 0; i < list.size(); ++i) {
      const std::string path = index_path("segments", i);
      const ResolvedMember& m = resolve_member(model_, list[i], path, MemberKind::kSegment);
      if (m.kind != MemberKind::kSegment) wrong_kind(list[i], m, path, "segments", "segment");
      q_.segments.push_back(list[i]);
    }
  }

  std::string time_dimensions_of(const Cube& cube) const {
    std::string out;
    for (const auto& d : cube.dimensions) {
      if (d.type != DimensionType::kTime || !d.shown) continue;
      out += (out.empty() ? "" : ", ") + d.full_name();
    }
    return out;
  }

  void time_dimensions(const json::value& v) {
    const json::array& items = expect_array(v, "timeDimensions", "time dimension objects");
    for (size_t i = 0; i < items.size(); ++i) {
      const std::string path = index_path("timeDimensions", i);
      const json::object* o = items[i].if_object();
      if (!o) {
        fail(path + " must be an object, got " + json_kind(items[i]), path,
             "write {\"dimension\": \"orders.created_at\", \"granularity\": \"month\", "
             "\"dateRange\": \"last 6 months\"}");
      }
      if (field(*o, "compareDateRange")) {
        fail("compareDateRange queries are not supported yet", field_path(path, "compareDateRange"),
             "send one query per date range");
      }
      TimeDimensionQuery td;
      td.json_path = path;
      const std::string dim_path = field_path(path, "dimension");
      const json::value* dim = field(*o, "dimension");
      if (!dim)
        fail(path + " needs a dimension", path, "name a time dimension, e.g. orders.created_at");
      td.dimension = expect_string(*dim, dim_path, "a time dimension name");
      const ResolvedMember& m =
          resolve_member(model_, td.dimension, dim_path, MemberKind::kDimension);
      if (m.kind != MemberKind::kDimension || m.dimension->type != DimensionType::kTime) {
        std::string hint = "timeDimensions takes time dimensions only";
        if (const std::string times = time_dimensions_of(*m.cube); !times.empty()) {
          hint += "; time dimensions of cube " + m.cube->name + ": " + times;
        }
        fail(quoted(td.dimension) + " is " + describe_member(m) + ", not a time dimension",
             dim_path, hint, td.dimension);
      }
      if (const json::value* g = field(*o, "granularity")) {
        const std::string g_path = field_path(path, "granularity");
        const std::string name = expect_string(*g, g_path, "a granularity");
        td.granularity = parse_granularity(name);
        if (!td.granularity) {
          fail("unknown granularity " + quoted(name), g_path,
               std::string("granularities: ") + kGranularityList);
        }
      }
      if (const json::value* r = field(*o, "dateRange"))
        date_range(*r, field_path(path, "dateRange"), td);
      q_.time_dimensions.push_back(std::move(td));
    }
  }

  void date_range(const json::value& v, const std::string& path, TimeDimensionQuery& td) {
    if (const json::string* phrase = v.if_string()) {
      td.date_range_text = std::string(*phrase);
      td.date_range = resolve_relative_date_range(td.date_range_text, *tz_, now_, path);
      return;
    }
    const json::array* pair = v.if_array();
    if (!pair || pair->size() != 2) {
      fail(path + " must be a pair of dates or a relative date range", path,
           "write [\"2024-01-01\", \"2024-01-31\"] or \"last 7 days\"");
    }
    const std::string from = expect_string((*pair)[0], index_path(path, 0), "a date");
    const std::string to = expect_string((*pair)[1], index_path(path, 1), "a date");
    td.date_range = date_pair(from, to, *tz_, index_path(path, 0), index_path(path, 1), path);
  }

  void require_selection() const {
    for (const auto& td : q_.time_dimensions) {
      if (td.granularity) return;
    }
    if (!q_.measures.empty() || !q_.dimensions.empty()) return;
    fail("the query selects nothing", "",
         "give at least one measure, dimension, or time dimension with a granularity, e.g. "
         "{\"measures\": [\"orders.count\"]}");
  }

  // Members the query can be ordered by: what it selects.
  bool orderable(std::string_view member) const {
    for (const auto& list : {&q_.measures, &q_.dimensions}) {
      for (const auto& m : *list) {
        if (m == member) return true;
      }
    }
    for (const auto& td : q_.time_dimensions) {
      if (td.dimension == member) return true;
      if (td.granularity &&
          td.dimension + "." + std::string(granularity_name(*td.granularity)) == member) {
        return true;
      }
    }
    return false;
  }

  void order_item(const std::string& member, const std::string& member_path,
                  const json::value& direction, const std::string& direction_path) {
    if (!orderable(member)) {
      const size_t dot = member.rfind('.');
      const bool known = model_.find_member(member) ||
                         (dot != std::string::npos && parse_granularity(member.substr(dot + 1)) &&
                          model_.find_member(member.substr(0, dot)));
      if (!known) resolve_member(model_, member, member_path);  // fails with suggestions
      fail(quoted(member) + " is not in the query, so it cannot order it", member_path,
           "order by the query's measures, dimensions or time dimensions (a time dimension as "
           "cube.member or cube.member.granularity); add it to the query first",
           member);
    }
    const std::string dir = lower_ascii(expect_string(direction, direction_path, "asc or desc"));
    if (dir != "asc" && dir != "desc") {
      fail("order direction must be asc or desc, got " + quoted(dir), direction_path,
           "write \"asc\" or \"desc\"");
    }
    q_.order.push_back({member, dir == "desc"});
  }

  void order(const json::value& v) {
    q_.order_given = true;
    if (const json::object* o = v.if_object()) {
      // Object keys keep their order: that is the sort order.
      for (const auto& kv : *o) {
        const std::string member(kv.key());
        const std::string path = "order[\"" + member + "\"]";
        order_item(member, path, kv.value(), path);
      }
      return;
    }
    const json::array* items = v.if_array();
    if (!items) {
      fail("order must be an object or an array of [member, direction] pairs, got " + json_kind(v),
           "order", "write {\"orders.count\": \"desc\"} or [[\"orders.count\", \"desc\"]]");
    }
    for (size_t i = 0; i < items->size(); ++i) {
      const std::string path = index_path("order", i);
      const json::array* pair = (*items)[i].if_array();
      if (!pair || pair->size() != 2) {
        fail(path + " must be a [member, direction] pair", path,
             "write [\"orders.count\", \"desc\"]");
      }
      const std::string member = expect_string((*pair)[0], index_path(path, 0), "a member name");
      order_item(member, index_path(path, 0), (*pair)[1], index_path(path, 1));
    }
  }

  void limits(const json::object& o) {
    const QueryLimits& l = options_.limits;
    q_.limit = l.default_limit;
    if (const json::value* v = field(o, "limit")) {
      const int64_t limit = expect_integer(*v, "limit");
      if (limit <= 0) {
        fail("limit must be a positive integer, got " + std::to_string(limit), "limit",
             "leave it out for the default of " + std::to_string(l.default_limit) + " rows");
      }
      if (limit > l.max_limit) {
        fail("limit " + std::to_string(limit) + " is over the maximum " +
                 std::to_string(l.max_limit),
             "limit",
             "ask for at most " + std::to_string(l.max_limit) +
                 " rows and page through the rest with offset");
      }
      q_.limit = limit;
      q_.limit_given = true;
    }
    if (const json::value* v = field(o, "offset")) {
      q_.offset = expect_integer(*v, "offset");
      if (q_.offset < 0) {
        fail("offset must not be negative, got " + std::to_string(q_.offset), "offset",
             "offset is the number of rows to skip: 0 or more");
      }
    }
  }

  const Model& model_;
  const ParseOptions& options_;
  int64_t now_;
  std::shared_ptr<const TimeZone> tz_;
  SemanticQuery q_;
};

}  // namespace

SemanticQuery parse_cube_query(const json::value& query, const Model& model,
                               const ParseOptions& options) {
  const json::value* v = &query;
  if (const json::object* o = v->if_object()) {
    if (const json::value* inner = o->if_contains("query"); inner && !inner->is_null()) {
      v = inner;
    }
  }
  if (v->is_array()) {
    fail("several queries in one request (data blending) are not supported yet", "",
         "send one query object per request");
  }
  const json::object* o = v->if_object();
  if (!o) {
    fail("a query must be a JSON object, got " + json_kind(*v), "",
         "send e.g. {\"measures\": [\"orders.count\"]}");
  }
  return QueryParser(model, options).parse(*o);
}

SemanticQuery parse_cube_query_text(std::string_view json_text, const Model& model,
                                    const ParseOptions& options) {
  json::parse_options opts;
  opts.max_depth = 512;  // filters nest {"or": [{"and": [...]}]} two levels at a time
  json::stream_parser parser({}, opts);
  boost::system::error_code ec;
  const size_t consumed = parser.write(json_text.data(), json_text.size(), ec);
  if (!ec) parser.finish(ec);
  if (ec) {
    const size_t at = std::min(consumed, json_text.size());
    size_t line = 1, column = 1;
    for (size_t i = 0; i < at; ++i) {
      if (json_text[i] == '\n') {
        ++line;
        column = 1;
      } else {
        ++column;
      }
    }
    fail("malformed JSON: " + ec.message() + " at line " + std::to_string(line) + ", column " +
             std::to_string(column),
         "", "send the query as a JSON object, e.g. {\"measures\": [\"orders.count\"]}");
  }
  return parse_cube_query(parser.release(), model, options);
}

}  // namespace strata
