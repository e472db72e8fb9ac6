// SemanticQuery -> the normalized query Cube echoes in /load responses, and
// the canonical cache key.
#include <algorithm>
#include <boost/json.hpp>

#include "query/cube_query.h"
#include "query/table_version.h"

namespace strata {

namespace json = boost::json;

namespace {

json::array string_array(const std::vector<std::string>& items) {
  json::array out;
  for (const auto& s : items)
    out.emplace_back(s);
  return out;
}

// Cube's form: both ends as local timestamps with milliseconds, the end
// inclusive ("2024-01-31T23:59:59.999").
json::array cube_date_range(const DateRange& r) {
  return {json::string(format_iso_local(r.from_local, 3)),
          json::string(format_iso_local(r.to_local_exclusive - 1, 3))};
}

json::value filter_json(const FilterNode& n) {
  json::object o;
  if (n.kind != FilterNode::Kind::kCondition) {
    json::array children;
    for (const auto& c : n.children)
      children.push_back(filter_json(c));
    o[n.kind == FilterNode::Kind::kAnd ? "and" : "or"] = std::move(children);
    return o;
  }
  o["member"] = n.member;
  o["operator"] = filter_op_name(n.op);
  if (!n.values.empty()) o["values"] = string_array(n.values);
  return o;
}

json::value range_key(const std::optional<DateRange>& r) {
  if (!r) return nullptr;
  return json::array{r->from_local, r->to_local_exclusive};
}

json::value filter_key(const FilterNode& n) {
  if (n.kind != FilterNode::Kind::kCondition) {
    json::array children;
    for (const auto& c : n.children)
      children.push_back(filter_key(c));
    return json::array{n.kind == FilterNode::Kind::kAnd ? "and" : "or", std::move(children)};
  }
  return json::array{json::string(n.member), json::string(filter_op_name(n.op)),
                     string_array(n.values), range_key(n.date_range)};
}

}  // namespace

json::value to_cube_json(const SemanticQuery& q) {
  json::object o;
  o["measures"] = string_array(q.measures);
  o["dimensions"] = string_array(q.dimensions);
  json::array tds;
  for (const auto& td : q.time_dimensions) {
    json::object t;
    t["dimension"] = td.dimension;
    if (td.granularity) t["granularity"] = granularity_name(*td.granularity);
    if (td.date_range) t["dateRange"] = cube_date_range(*td.date_range);
    tds.push_back(std::move(t));
  }
  o["timeDimensions"] = std::move(tds);
  o["segments"] = string_array(q.segments);
  json::array filters;
  for (const auto& f : q.filters)
    filters.push_back(filter_json(f));
  o["filters"] = std::move(filters);
  if (q.order_given) {
    json::array order;
    for (const auto& item : q.order) {
      order.push_back(json::array{json::string(item.member), item.descending ? "desc" : "asc"});
    }
    o["order"] = std::move(order);
  }
  o["limit"] = q.limit;
  if (q.offset != 0) o["offset"] = q.offset;
  o["timezone"] = q.timezone;
  if (q.total) o["total"] = true;
  if (q.ungrouped) o["ungrouped"] = true;
  if (q.as_of) o["asOf"] = table_version_text(*q.as_of);
  o["rowLimit"] = q.limit;
  o["queryType"] = "regularQuery";
  return o;
}

std::string canonical_key(const SemanticQuery& q) {
  // Everything that shapes the answer, in a fixed layout. Top-level filters
  // and segments are conjunctions, so their order does not matter: sorted.
  // Left out: JSON paths, the phrase a range was written as (its resolved
  // bounds are in), renewQuery.
  json::array tds;
  for (const auto& td : q.time_dimensions) {
    tds.push_back(json::array{
        json::string(td.dimension),
        td.granularity ? json::value(granularity_name(*td.granularity)) : json::value(nullptr),
        range_key(td.date_range)});
  }
  std::vector<std::string> filters;
  for (const auto& f : q.filters)
    filters.push_back(json::serialize(filter_key(f)));
  std::sort(filters.begin(), filters.end());
  std::vector<std::string> segments = q.segments;
  std::sort(segments.begin(), segments.end());
  json::value order = nullptr;
  if (q.order_given) {
    json::array items;
    for (const auto& item : q.order) {
      items.push_back(json::array{json::string(item.member), item.descending ? "desc" : "asc"});
    }
    order = std::move(items);
  }
  json::object key;
  key["measures"] = string_array(q.measures);
  key["dimensions"] = string_array(q.dimensions);
  key["timeDimensions"] = std::move(tds);
  key["filters"] = string_array(filters);
  key["segments"] = string_array(segments);
  key["order"] = std::move(order);
  key["limit"] = q.limit;
  key["offset"] = q.offset;
  key["total"] = q.total;
  key["ungrouped"] = q.ungrouped;
  key["timezone"] = q.timezone;
  if (q.as_of) key["asOf"] = table_version_text(*q.as_of);  // versions never share answers
  return json::serialize(key);
}

}  // namespace strata
