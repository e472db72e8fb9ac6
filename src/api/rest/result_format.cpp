#include "api/rest/result_format.h"

#include <algorithm>
#include <boost/json.hpp>

#include "api/rest/member_json.h"
#include "api/rest/titles.h"
#include "core/error.h"
#include "core/time.h"

namespace strata {

namespace json = boost::json;

namespace {

std::string granularity_title(Granularity g) {
  std::string name(granularity_name(g));
  name[0] = static_cast<char>(name[0] - 'a' + 'A');
  return name;
}

bool listed(const std::vector<std::string>& members, const std::string& name) {
  return std::find(members.begin(), members.end(), name) != members.end();
}

}  // namespace

json::value format_cell(const Column& column, size_t row, const ValueFormatOptions& options) {
  if (column.is_null(row)) return nullptr;
  const Type& type = column.type();
  switch (type.id) {
    case TypeId::kNull: return nullptr;
    case TypeId::kBoolean: return column.int_at(row) != 0;
    case TypeId::kInt16:
    case TypeId::kInt32:
    case TypeId::kInt64: return json::string(std::to_string(column.int_at(row)));
    case TypeId::kFloat:
    case TypeId::kDouble: return json::string(double_to_string(column.double_at(row)));
    case TypeId::kDecimal:
      return json::string(decimal_to_string(column.decimal_at(row), type.scale));
    case TypeId::kDate:
      return json::string(format_iso_local(column.int_at(row) * kMicrosPerDay, 3));
    case TypeId::kTimestamp: return json::string(format_iso_local(column.int_at(row), 3));
    case TypeId::kTimestampTz: {
      int64_t utc = column.int_at(row);
      return json::string(
          format_iso_local(options.utc_to_local ? options.utc_to_local(utc) : utc, 3));
    }
    case TypeId::kTime:
    case TypeId::kInterval:
    case TypeId::kString:
    case TypeId::kUuid:
    case TypeId::kJson:
    case TypeId::kBlob: return json::string(to_text(column.value_at(row)));
  }
  return nullptr;
}

json::array format_rows(const QueryResult& result, const SemanticQuery& query,
                        const ValueFormatOptions& options, bool blending) {
  const ResultSet& rows = result.rows;
  size_t ncols = std::min(rows.column_count(), result.columns.size());
  if (rows.column_count() != result.columns.size()) {
    throw InternalError("the result has " + std::to_string(rows.column_count()) +
                        " columns but describes " + std::to_string(result.columns.size()));
  }

  // Every key each column is reported under.
  std::vector<std::vector<json::string>> keys(ncols);
  std::string blending_dimension;
  std::optional<Granularity> blending_granularity;
  if (blending && !query.time_dimensions.empty()) {
    blending_dimension = query.time_dimensions[0].dimension;
    blending_granularity = query.time_dimensions[0].granularity;
  }
  for (size_t c = 0; c < ncols; ++c) {
    const OutputColumn& col = result.columns[c];
    keys[c].emplace_back(col.key);
    bool timed = col.role == OutputRole::kTimeDimension && col.granularity.has_value();
    if (timed && col.key != col.member && !listed(query.dimensions, col.member)) {
      keys[c].emplace_back(col.member);
    }
    if (timed && blending && col.member == blending_dimension &&
        col.granularity == blending_granularity) {
      keys[c].emplace_back("time." + std::string(granularity_name(*col.granularity)));
    }
  }

  json::array out;
  out.reserve(rows.row_count());
  for (size_t r = 0; r < rows.row_count(); ++r) {
    json::object obj;
    obj.reserve(ncols + 2);
    for (size_t c = 0; c < ncols; ++c) {
      json::value v = format_cell(rows.column(c), r, options);
      for (size_t k = 0; k + 1 < keys[c].size(); ++k) obj[keys[c][k]] = v;
      obj[keys[c].back()] = std::move(v);
    }
    out.emplace_back(std::move(obj));
  }
  return out;
}

json::object format_annotation(const SemanticQuery& query, const Model& model) {
  json::object measures, dimensions, segments, time_dimensions;
  for (const auto& name : query.measures) {
    if (const ResolvedMember* m = model.find_member(name)) {
      measures[name] = annotation_entry(*m, model);
    }
  }
  for (const auto& name : query.dimensions) {
    if (const ResolvedMember* m = model.find_member(name)) {
      dimensions[name] = annotation_entry(*m, model);
    }
  }
  for (const auto& name : query.segments) {
    if (const ResolvedMember* m = model.find_member(name)) {
      segments[name] = annotation_entry(*m, model);
    }
  }
  for (const auto& td : query.time_dimensions) {
    if (!td.granularity) continue;
    const ResolvedMember* m = model.find_member(td.dimension);
    if (m == nullptr) continue;
    json::object entry = annotation_entry(*m, model);
    json::object granularity;
    granularity["name"] = granularity_name(*td.granularity);
    granularity["title"] = granularity_title(*td.granularity);
    granularity["interval"] = "1 " + std::string(granularity_name(*td.granularity));
    granularity["type"] = "built-in";
    json::object with_granularity = entry;
    with_granularity["granularity"] = std::move(granularity);
    time_dimensions[td.dimension + "." + std::string(granularity_name(*td.granularity))] =
        std::move(with_granularity);
    if (!listed(query.dimensions, td.dimension)) time_dimensions[td.dimension] = std::move(entry);
  }
  json::object out;
  out["measures"] = std::move(measures);
  out["dimensions"] = std::move(dimensions);
  out["segments"] = std::move(segments);
  out["timeDimensions"] = std::move(time_dimensions);
  return out;
}

std::string answering_source(const QueryResult& result, const Model& model) {
  // A pre-aggregation answers for its cube's data source, as in Cube.
  if (!result.pre_aggregations.empty()) {
    const std::string& name = result.pre_aggregations.front().name;
    if (const Cube* c = model.find_cube(name.substr(0, name.find('.')))) return c->data_source;
  }
  // A federated result has no single source; Cube's clients expect a name.
  return !result.source.empty()          ? result.source
         : result.served_by.size() == 1 ? result.served_by[0].source
         : result.served_by.empty()     ? "default"
                                        : "federated";
}

json::object format_result(const QueryResult& result, const SemanticQuery& query,
                           json::value normalized_query, const Model& model,
                           const ValueFormatOptions& options, const ResultInfo& info) {
  json::object out;
  out["query"] = std::move(normalized_query);
  out["data"] = format_rows(result, query, options, info.blending);
  out["lastRefreshTime"] = info.last_refresh_time;
  out["annotation"] = format_annotation(query, model);
  // A federated result has no single source; Cube's clients expect a name.
  out["dataSource"] = answering_source(result, model);
  out["dbType"] = info.db_type;
  bool external = !result.pre_aggregations.empty();
  out["extDbType"] = external ? "duckdb" : "none";
  out["external"] = external;
  out["slowQuery"] = false;
  // Pre-aggregations that answered, keyed by table as Cube does; strata also
  // says which pre-aggregation and whether it was a lambda.
  json::object used;
  for (const auto& p : result.pre_aggregations) {
    json::object entry;
    entry["targetTableName"] = p.target_table;
    json::array keys;
    for (const auto& v : p.refresh_key_values) {
      json::object k;
      k["refresh_key"] = v;
      keys.push_back(json::array{std::move(k)});
    }
    entry["refreshKeyValues"] = std::move(keys);
    entry["lastUpdatedAt"] = p.last_updated_utc / 1000;
    entry["preAggregation"] = p.name;
    entry["lambda"] = p.lambda;
    used[p.target_table] = std::move(entry);
  }
  out["usedPreAggregations"] = std::move(used);
  // strata's extensions: whether the result cache answered, and the refresh
  // key values the answer is keyed by (one per cube read).
  out["fromCache"] = result.from_cache;
  json::array refresh_keys;
  for (const auto& v : result.refresh_key_values) {
    json::object k;
    k["refresh_key"] = v;
    refresh_keys.push_back(json::array{std::move(k)});
  }
  out["refreshKeyValues"] = std::move(refresh_keys);
  if (query.total && result.total) {
    out["total"] = *result.total;
  } else {
    out["total"] = nullptr;
  }
  out["limitReached"] = result.limit_reached;
  // Which sources answered (a strata extension): one entry per source a
  // single-source query ran on, or per fragment of a federated or tiered one.
  json::array served;
  for (const auto& s : result.served_by) {
    json::object o;
    o["dataSource"] = s.source;
    if (!s.cube.empty()) o["cube"] = s.cube;
    if (!s.tier.empty()) o["tier"] = s.tier;
    o["rows"] = s.rows;
    served.push_back(std::move(o));
  }
  out["servedBy"] = std::move(served);
  return out;
}

json::object pivot_query(std::string_view query_type, const std::vector<json::value>& normalized) {
  json::object pivot;
  if (query_type == "blendingQuery") {
    json::array measures, dimensions;
    auto add_unique = [](json::array& into, const json::value* from) {
      if (from == nullptr || !from->is_array()) return;
      for (const auto& v : from->get_array()) {
        if (std::find(into.begin(), into.end(), v) == into.end()) into.push_back(v);
      }
    };
    std::string granularity;
    for (const auto& q : normalized) {
      if (!q.is_object()) continue;
      add_unique(measures, q.get_object().if_contains("measures"));
      add_unique(dimensions, q.get_object().if_contains("dimensions"));
      const json::value* tds = q.get_object().if_contains("timeDimensions");
      if (granularity.empty() && tds && tds->is_array() && !tds->get_array().empty()) {
        const json::value& td = tds->get_array()[0];
        if (td.is_object()) {
          if (const json::value* g = td.get_object().if_contains("granularity");
              g && g->is_string()) {
            granularity = std::string(g->get_string());
          }
        }
      }
    }
    pivot["measures"] = std::move(measures);
    pivot["dimensions"] = std::move(dimensions);
    json::object td;
    td["dimension"] = "time";
    td["granularity"] = granularity;
    pivot["timeDimensions"] = json::array{std::move(td)};
  } else if (!normalized.empty() && normalized[0].is_object()) {
    pivot = normalized[0].get_object();
  }
  pivot["queryType"] = query_type;
  return pivot;
}

void check_blending(const std::vector<SemanticQuery>& queries) {
  std::optional<Granularity> common;
  for (size_t i = 0; i < queries.size(); ++i) {
    const auto& tds = queries[i].time_dimensions;
    if (tds.empty() || !tds[0].granularity) {
      throw UserError("Data blending query without granularity is not supported",
                      {.json_path = "query[" + std::to_string(i) + "].timeDimensions",
                       .hint = "give every query of the array a time dimension with the same "
                               "granularity"});
    }
    if (common && *common != *tds[0].granularity) {
      throw UserError(
          "Data blending query granularities must match",
          {.json_path = "query[" + std::to_string(i) + "].timeDimensions[0].granularity",
           .hint = "use the same granularity in the first time dimension of every "
                   "query"});
    }
    common = tds[0].granularity;
  }
}

}  // namespace strata
