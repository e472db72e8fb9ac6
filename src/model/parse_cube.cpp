#include "model/parse_cube.h"

#include "model/parse_pre_aggregations.h"
#include "model/parse_tiers.h"

#include <map>

namespace strata::model_loader {

namespace {

const char* const kNameHint = "names use letters, digits and underscores and start with a letter";

// The value of `name` (any spelling of the key), or an undefined node.
YAML::Node name_node(const YAML::Node& map) {
  for (const auto& kv : map) {
    if (kv.first.IsScalar() && kv.first.Scalar() == "name") return kv.second;
  }
  return YAML::Node(YAML::NodeType::Undefined);
}

// Reads the `name` of a cube or member. Reports a missing or malformed name;
// nullopt only when there is none to go on. `what` is "cube", "dimension"...
std::optional<std::string> read_name(const YAML::Node& node, const FileReader& r,
                                     const std::string& what, const std::string& owner,
                                     const std::string& placeholder) {
  auto name = r.string_value(name_node(node), "name", owner);
  if (!name || name->empty()) {
    r.report(node, what + " has no name", owner, "add 'name: <" + placeholder + ">' to it");
    return std::nullopt;
  }
  if (!is_identifier(*name)) {
    r.report(node, what + " name '" + *name + "' is not a valid name",
             owner.empty() ? *name : owner + "." + *name, kNameHint);
  }
  return name;
}

SqlSource read_sql(const YAML::Node& value, const FileReader& r, const std::string& member) {
  SqlSource s;
  s.loc = r.at(value);
  if (auto text = r.string_value(value, "sql", member); text && !text->empty()) {
    s.text = *text;
    s.present = true;
  }
  return s;
}

// The keys every member (and cube and view) may carry. Returns false when
// `key` is not one of them.
template <typename Def>
bool read_common_key(const std::string& key, const YAML::Node& value, Def& def, const FileReader& r,
                     const std::string& member) {
  if (key == "title") {
    def.title = r.string_value(value, key, member).value_or("");
  } else if (key == "description") {
    def.description = r.string_value(value, key, member).value_or("");
  } else if (key == "public" || key == "shown") {
    def.shown = r.bool_value(value, key, member).value_or(def.shown);
  } else if (key == "meta") {
    def.meta_json = value.IsNull() ? "" : yaml_to_json(value);
  } else {
    return false;
  }
  return true;
}

std::optional<DimensionType> dimension_type(const std::string& s) {
  static const std::map<std::string, DimensionType> kTypes = {
      {"string", DimensionType::kString},
      {"number", DimensionType::kNumber},
      {"time", DimensionType::kTime},
      {"boolean", DimensionType::kBoolean},
  };
  auto it = kTypes.find(snake_case(s));
  if (it == kTypes.end()) return std::nullopt;
  return it->second;
}

std::optional<MeasureType> measure_type(const std::string& s) {
  static const std::map<std::string, MeasureType> kTypes = {
      {"count", MeasureType::kCount},
      {"count_distinct", MeasureType::kCountDistinct},
      {"count_distinct_approx", MeasureType::kCountDistinctApprox},
      {"sum", MeasureType::kSum},
      {"avg", MeasureType::kAvg},
      {"min", MeasureType::kMin},
      {"max", MeasureType::kMax},
      {"number", MeasureType::kNumber},
  };
  auto it = kTypes.find(snake_case(s));
  if (it == kTypes.end()) return std::nullopt;
  return it->second;
}

std::optional<Relationship> relationship(const std::string& s) {
  // Cube's older names (belongs_to, has_many, has_one) say the same thing.
  static const std::map<std::string, Relationship> kRelationships = {
      {"many_to_one", Relationship::kManyToOne}, {"belongs_to", Relationship::kManyToOne},
      {"one_to_many", Relationship::kOneToMany}, {"has_many", Relationship::kOneToMany},
      {"one_to_one", Relationship::kOneToOne},   {"has_one", Relationship::kOneToOne},
  };
  auto it = kRelationships.find(snake_case(s));
  if (it == kRelationships.end()) return std::nullopt;
  return it->second;
}

std::optional<DimensionDraft> parse_dimension(const YAML::Node& node, const Cube& cube,
                                              const FileReader& r) {
  auto name = read_name(node, r, "dimension", cube.name, "dimension_name");
  if (!name) return std::nullopt;
  DimensionDraft d;
  d.def.name = *name;
  d.def.cube = cube.name;
  d.def.loc = r.at(node);
  std::string member = d.def.full_name();
  bool has_type = false;
  for (const auto& kv : node) {
    std::string key = snake_case(kv.first.Scalar());
    const YAML::Node& value = kv.second;
    if (key == "name" || read_common_key(key, value, d.def, r, member)) continue;
    if (key == "sql") {
      d.sql = read_sql(value, r, member);
    } else if (key == "type") {
      has_type = true;
      auto text = r.string_value(value, key, member).value_or("");
      if (auto t = dimension_type(text)) {
        d.def.type = *t;
      } else {
        r.report(value, "unknown dimension type '" + text + "'", member,
                 "use type: string, number, time or boolean");
      }
    } else if (key == "primary_key") {
      d.def.primary_key = r.bool_value(value, key, member).value_or(false);
    } else if (key == "format") {
      d.def.format = r.string_value(value, key, member).value_or("");
    }
    // Other keys (case, sub_query, granularities...) are not supported yet and ignored.
  }
  if (!has_type) {
    r.report(node, "dimension " + member + " has no type", member,
             "add type: string, number, time or boolean");
  }
  if (!d.sql.present) {
    d.sql.loc = d.def.loc;
    r.report(node, "dimension " + member + " has no sql", member,
             "add sql: <column or SQL expression>, e.g. sql: " + d.def.name);
  }
  return d;
}

std::optional<MeasureDraft> parse_measure(const YAML::Node& node, const Cube& cube,
                                          const FileReader& r) {
  auto name = read_name(node, r, "measure", cube.name, "measure_name");
  if (!name) return std::nullopt;
  MeasureDraft m;
  m.def.name = *name;
  m.def.cube = cube.name;
  m.def.loc = r.at(node);
  std::string member = m.def.full_name();
  bool has_type = false;
  for (const auto& kv : node) {
    std::string key = snake_case(kv.first.Scalar());
    const YAML::Node& value = kv.second;
    if (key == "name" || read_common_key(key, value, m.def, r, member)) continue;
    if (key == "sql") {
      m.sql = read_sql(value, r, member);
    } else if (key == "type") {
      has_type = true;
      auto text = r.string_value(value, key, member).value_or("");
      if (auto t = measure_type(text)) {
        m.def.type = *t;
      } else {
        m.type_known = false;
        r.report(value, "unknown measure type '" + text + "'", member,
                 "use type: count, count_distinct, count_distinct_approx, sum, avg, min, max "
                 "or number");
      }
    } else if (key == "filters") {
      for (const auto& f : r.map_list(value, key, member)) {
        SqlSource s;
        for (const auto& fkv : f) {
          if (snake_case(fkv.first.Scalar()) == "sql") s = read_sql(fkv.second, r, member);
        }
        if (s.present) {
          m.filters.push_back(std::move(s));
        } else {
          r.report(f, "a filter of measure " + member + " has no sql", member,
                   "write each filter as '- sql: <condition>'");
        }
      }
    } else if (key == "drill_members") {
      m.drill_members = r.string_list(value, key, member);
      m.drill_loc = r.at(value, m.def.loc.line);
    } else if (key == "format") {
      m.def.format = r.string_value(value, key, member).value_or("");
    }
    // Other keys (rolling_window, multi_stage, ...) are not supported yet and ignored.
  }
  if (!has_type) {
    m.type_known = false;
    r.report(node, "measure " + member + " has no type", member,
             "add type: count, count_distinct, count_distinct_approx, sum, avg, min, max or "
             "number");
  }
  // Only a count can do without sql (it counts rows); with an unknown type we
  // cannot tell, and the type has been reported already.
  if (!m.sql.present) m.sql.loc = m.def.loc;
  if (!m.sql.present && m.type_known && m.def.type != MeasureType::kCount) {
    r.report(node, "measure " + member + " has no sql", member,
             "a " + std::string(measure_type_name(m.def.type)) +
                 " measure needs sql: <column or expression> to aggregate");
  }
  return m;
}

std::optional<SegmentDraft> parse_segment(const YAML::Node& node, const Cube& cube,
                                          const FileReader& r) {
  auto name = read_name(node, r, "segment", cube.name, "segment_name");
  if (!name) return std::nullopt;
  SegmentDraft s;
  s.def.name = *name;
  s.def.cube = cube.name;
  s.def.loc = r.at(node);
  std::string member = s.def.full_name();
  for (const auto& kv : node) {
    std::string key = snake_case(kv.first.Scalar());
    if (key == "name" || read_common_key(key, kv.second, s.def, r, member)) continue;
    if (key == "sql") s.sql = read_sql(kv.second, r, member);
  }
  if (!s.sql.present) {
    s.sql.loc = s.def.loc;
    r.report(node, "segment " + member + " has no sql", member,
             "add sql: <condition>, e.g. sql: \"{CUBE}.status = 'completed'\"");
  }
  return s;
}

std::optional<JoinDraft> parse_join(const YAML::Node& node, const Cube& cube, const FileReader& r) {
  auto target = read_name(node, r, "join", cube.name, "target cube");
  if (!target) return std::nullopt;
  JoinDraft j;
  j.def.target = *target;
  j.def.loc = r.at(node);
  bool has_relationship = false;
  for (const auto& kv : node) {
    std::string key = snake_case(kv.first.Scalar());
    if (key == "sql") {
      j.sql = read_sql(kv.second, r, cube.name);
    } else if (key == "relationship") {
      has_relationship = true;
      auto text = r.string_value(kv.second, key, cube.name).value_or("");
      if (auto rel = relationship(text)) {
        j.def.relationship = *rel;
      } else {
        r.report(kv.second, "unknown relationship '" + text + "' in the join to " + *target,
                 cube.name, "use relationship: many_to_one, one_to_many or one_to_one");
      }
    }
  }
  if (!has_relationship) {
    r.report(node, "the join from " + cube.name + " to " + *target + " has no relationship",
             cube.name, "add relationship: many_to_one, one_to_many or one_to_one");
  }
  if (!j.sql.present) {
    j.sql.loc = j.def.loc;
    r.report(node, "the join from " + cube.name + " to " + *target + " has no sql", cube.name,
             "add sql: \"{CUBE}.<column> = {" + *target + "}.<column>\"");
  }
  return j;
}

}  // namespace

std::optional<CubeDraft> parse_cube(const YAML::Node& node, const FileReader& r) {
  auto name = read_name(node, r, "cube", "", "cube_name");
  if (!name) return std::nullopt;
  CubeDraft d;
  Cube& cube = d.def;
  cube.name = *name;
  cube.loc = r.at(node);
  YAML::Node tiers_node;
  bool has_tiers = false;  // a default YAML::Node is a defined null, so track this apart
  for (const auto& kv : node) {
    std::string key = snake_case(kv.first.Scalar());
    const YAML::Node& value = kv.second;
    if (key == "name" || read_common_key(key, value, cube, r, cube.name)) continue;
    if (key == "sql_table") {
      cube.sql_table = r.string_value(value, key, cube.name).value_or("");
    } else if (key == "sql") {
      cube.sql = r.string_value(value, key, cube.name).value_or("");
    } else if (key == "data_source") {
      cube.data_source = r.string_value(value, key, cube.name).value_or("default");
    } else if (key == "dimensions") {
      for (const auto& n : r.map_list(value, key, cube.name)) {
        if (auto dim = parse_dimension(n, cube, r)) d.dimensions.push_back(std::move(*dim));
      }
    } else if (key == "measures") {
      for (const auto& n : r.map_list(value, key, cube.name)) {
        if (auto m = parse_measure(n, cube, r)) d.measures.push_back(std::move(*m));
      }
    } else if (key == "segments") {
      for (const auto& n : r.map_list(value, key, cube.name)) {
        if (auto s = parse_segment(n, cube, r)) d.segments.push_back(std::move(*s));
      }
    } else if (key == "joins") {
      for (const auto& n : r.map_list(value, key, cube.name)) {
        if (auto j = parse_join(n, cube, r)) d.joins.push_back(std::move(*j));
      }
    } else if (key == "tiers") {
      tiers_node = value;
      has_tiers = true;
      cube.tiers = parse_tiers(value, cube, r);
    } else if (key == "pre_aggregations") {
      cube.pre_aggregations = parse_pre_aggregations(value, cube, r);
    } else if (key == "refresh_key") {
      cube.refresh_key = parse_refresh_key(value, cube.name, false, r);
    }
    // Keys that other parts of strata will read once they exist
    // (hierarchies, access_policy, extends, ...) are accepted and ignored
    // here; their parsers go next to this loop.
  }
  if (cube.tiers) {
    // A tiered cube reads its tiers' tables; its own data source is the hot one.
    check_tiers(d, r, tiers_node);
    cube.data_source = cube.tiers->hot.data_source;
  } else if (!cube.sql.empty() && !cube.sql_table.empty()) {
    r.report(node, "cube " + cube.name + " has both sql_table and sql", cube.name,
             "keep sql_table for a table, or sql for a SELECT, not both");
  } else if (!has_tiers && cube.sql.empty() && cube.sql_table.empty()) {
    r.report(node, "cube " + cube.name + " has neither sql_table nor sql", cube.name,
             "add sql_table: <schema.table>, or sql: SELECT ... for a derived table");
  }
  return d;
}

}  // namespace strata::model_loader
