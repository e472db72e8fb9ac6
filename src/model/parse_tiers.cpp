#include "model/parse_tiers.h"

#include "core/time.h"

namespace strata::model_loader {

namespace {

std::optional<TierTable> parse_tier(const YAML::Node& node, const std::string& which,
                                    const Cube& cube, const FileReader& r) {
  if (!node || !node.IsMap()) {
    r.report(node, "cube " + cube.name + " has tiers without a `" + which + "` tier", cube.name,
             "add " + which + ": {data_source: <source>, sql_table: <schema.table>}");
    return std::nullopt;
  }
  TierTable t;
  for (const auto& kv : node) {
    std::string key = snake_case(kv.first.Scalar());
    if (key == "data_source") {
      t.data_source = r.string_value(kv.second, key, cube.name).value_or("");
    } else if (key == "sql_table") {
      t.sql_table = r.string_value(kv.second, key, cube.name).value_or("");
    } else if (key == "sql") {
      t.sql = r.string_value(kv.second, key, cube.name).value_or("");
    } else {
      r.report(kv.first, "unknown key `" + key + "` in the " + which + " tier of " + cube.name,
               cube.name, "a tier takes data_source and sql_table (or sql)");
    }
  }
  bool ok = true;
  if (t.data_source.empty()) {
    r.report(node, "the " + which + " tier of " + cube.name + " has no data_source", cube.name,
             "name the data source that holds these rows");
    ok = false;
  }
  if (t.sql_table.empty() == t.sql.empty()) {
    r.report(node,
             "the " + which + " tier of " + cube.name +
                 " needs exactly one of sql_table "
                 "and sql",
             cube.name, "add sql_table: <schema.table>");
    ok = false;
  }
  return ok ? std::optional<TierTable>(t) : std::nullopt;
}

std::optional<int64_t> interval(const YAML::Node& value, const std::string& key, const Cube& cube,
                                const FileReader& r) {
  auto text = r.string_value(value, key, cube.name);
  if (!text) return std::nullopt;
  auto micros = parse_interval_micros(*text);
  if (!micros || *micros <= 0) {
    r.report(value,
             "`" + key + "` of " + cube.name + "'s tiers is '" + *text + "', not an interval",
             cube.name, "write a number and a unit: 30 days, 12 hours, 1 minute");
    return std::nullopt;
  }
  return micros;
}

}  // namespace

std::optional<Tiering> parse_tiers(const YAML::Node& node, const Cube& cube, const FileReader& r) {
  if (!node.IsMap()) {
    r.report(node, "`tiers` of " + cube.name + " must be a mapping", cube.name,
             "see docs/federation.md for the tiers block");
    return std::nullopt;
  }
  Tiering t;
  t.loc = r.at(node);
  std::optional<TierTable> hot, cold;
  bool saw_hot = false, saw_cold = false;
  bool has_boundary = false;
  bool ok = true;
  for (const auto& kv : node) {
    std::string key = snake_case(kv.first.Scalar());
    const YAML::Node& value = kv.second;
    if (key == "time_dimension") {
      t.time_dimension = r.string_value(value, key, cube.name).value_or("");
    } else if (key == "hot") {
      saw_hot = true;
      hot = parse_tier(value, "hot", cube, r);
      ok = ok && hot;
    } else if (key == "cold") {
      saw_cold = true;
      cold = parse_tier(value, "cold", cube, r);
      ok = ok && cold;
    } else if (key == "boundary") {
      has_boundary = true;
      if (!value.IsMap()) {
        r.report(value, "`boundary` of " + cube.name + "'s tiers must be a mapping", cube.name,
                 "write boundary: {retention: 30 days} or boundary: {watermark: SELECT ...}");
        ok = false;
        continue;
      }
      for (const auto& b : value) {
        std::string bkey = snake_case(b.first.Scalar());
        if (bkey == "retention") {
          if (auto m = interval(b.second, bkey, cube, r))
            t.retention_micros = *m;
          else
            ok = false;
        } else if (bkey == "watermark") {
          t.watermark_sql = r.string_value(b.second, bkey, cube.name).value_or("");
        } else if (bkey == "watermark_refresh") {
          if (auto m = interval(b.second, bkey, cube, r))
            t.watermark_refresh_micros = *m;
          else
            ok = false;
        } else {
          r.report(b.first, "unknown key `" + bkey + "` in the tiers boundary of " + cube.name,
                   cube.name, "a boundary takes retention, or watermark and watermark_refresh");
          ok = false;
        }
      }
    } else {
      r.report(kv.first, "unknown key `" + key + "` in the tiers of " + cube.name, cube.name,
               "tiers take time_dimension, hot, cold and boundary");
      ok = false;
    }
  }
  if (t.time_dimension.empty()) {
    r.report(node, "the tiers of " + cube.name + " name no time_dimension", cube.name,
             "add time_dimension: <a time dimension of " + cube.name + ">");
    ok = false;
  }
  if (!saw_hot || !saw_cold) {
    r.report(node, "the tiers of " + cube.name + " need both a hot and a cold tier", cube.name,
             "add hot: {data_source: ..., sql_table: ...} and cold: {...}");
    ok = false;
  }
  if (!hot || !cold) ok = false;
  bool retention = t.retention_micros > 0;
  bool watermark = !t.watermark_sql.empty();
  if (ok && (!has_boundary || retention == watermark)) {
    r.report(node, "the tiers of " + cube.name + " need a boundary: either retention or watermark",
             cube.name,
             "add boundary: {retention: 30 days} (hot keeps the last 30 days) or boundary: "
             "{watermark: SELECT min(<time column>) FROM <hot table>}");
    ok = false;
  }
  if (!ok) return std::nullopt;
  t.hot = *hot;
  t.cold = *cold;
  return t;
}

void check_tiers(const CubeDraft& cube, const FileReader& r, const YAML::Node& node) {
  const auto& t = cube.def.tiers;
  if (!t) return;
  for (const auto& d : cube.dimensions) {
    if (d.def.name != t->time_dimension) continue;
    if (d.def.type != DimensionType::kTime) {
      r.report(node,
               "the tiers of " + cube.def.name + " split on " + t->time_dimension +
                   ", which is not a time dimension",
               cube.def.name, "name a dimension of type time");
    }
    return;
  }
  r.report(node,
           "the tiers of " + cube.def.name + " split on " + t->time_dimension +
               ", which is not a dimension of " + cube.def.name,
           cube.def.name, "name a time dimension of " + cube.def.name);
}

}  // namespace strata::model_loader
