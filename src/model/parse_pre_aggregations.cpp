#include "model/parse_pre_aggregations.h"

#include <set>

#include "core/error.h"
#include "core/time.h"

namespace strata {

std::string_view pre_aggregation_type_name(PreAggregationType t) {
  switch (t) {
    case PreAggregationType::kRollup: return "rollup";
    case PreAggregationType::kOriginalSql: return "original_sql";
    case PreAggregationType::kRollupLambda: return "rollup_lambda";
  }
  return "rollup";
}

bool granularity_divides(Granularity fine, Granularity coarse) {
  if (static_cast<int>(fine) > static_cast<int>(coarse)) return false;
  if (fine == coarse) return true;
  switch (fine) {
    case Granularity::kSecond:
    case Granularity::kMinute:
    case Granularity::kHour: return true;
    case Granularity::kDay: return true;    // weeks, months, quarters, years are whole days
    case Granularity::kWeek: return false;  // a week straddles months and years
    case Granularity::kMonth: return true;  // quarters and years
    case Granularity::kQuarter: return coarse == Granularity::kYear;
    case Granularity::kYear: return false;
  }
  return false;
}

namespace model_loader {

namespace {

const char* const kGranularities = "second, minute, hour, day, week, month, quarter or year";

// "CUBE.count", "count" -> "<cube>.count"; "orders.status" as written.
std::string full_member_name(const std::string& written, const std::string& cube) {
  if (written.starts_with("CUBE.")) return cube + written.substr(4);
  if (written.find('.') == std::string::npos) return cube + "." + written;
  return written;
}

std::optional<int64_t> interval(const YAML::Node& value, const std::string& key,
                                const std::string& owner, const FileReader& r) {
  auto text = r.string_value(value, key, owner);
  if (!text) return std::nullopt;
  auto micros = parse_interval_micros(*text);
  if (!micros || *micros <= 0) {
    r.report(value, "`" + key + "` of " + owner + " is '" + *text + "', not an interval", owner,
             "write a number and a unit: 10 second, 5 minute, 1 hour, 1 day (months and cron "
             "strings are not supported)");
    return std::nullopt;
  }
  return micros;
}

std::optional<Granularity> granularity(const YAML::Node& value, const std::string& key,
                                       const std::string& owner, const FileReader& r) {
  auto text = r.string_value(value, key, owner);
  if (!text) return std::nullopt;
  auto g = parse_granularity(*text);
  if (!g) {
    r.report(value, "unknown " + key + " '" + *text + "' in " + owner, owner,
             std::string("use ") + kGranularities);
  }
  return g;
}

// {sql: ...} (Cube's build_range_start / build_range_end).
std::string sql_block(const YAML::Node& value, const std::string& key, const std::string& owner,
                      const FileReader& r) {
  if (value.IsMap()) {
    for (const auto& kv : value) {
      if (snake_case(kv.first.Scalar()) == "sql") {
        return r.string_value(kv.second, key + ".sql", owner).value_or("");
      }
    }
  }
  r.report(value, "`" + key + "` of " + owner + " must be {sql: SELECT ...}", owner,
           "write " + key + ": {sql: SELECT <an instant>}");
  return "";
}

// The members listed under `key`, as full names; records where each is written.
std::vector<std::string> members(const YAML::Node& value, const std::string& key,
                                 const std::string& cube, const std::string& owner,
                                 const FileReader& r, PreAggregation& p) {
  std::vector<std::string> out;
  for (const auto& m : r.string_list(value, key, owner)) out.push_back(full_member_name(m, cube));
  if (value.IsSequence()) {
    for (const auto& item : value) {
      if (item.IsScalar()) p.member_locs.emplace(full_member_name(item.Scalar(), cube), r.at(item));
    }
  }
  return out;
}

std::optional<PreAggregation> parse_one(const YAML::Node& node, const Cube& cube,
                                        const FileReader& r) {
  PreAggregation p;
  p.cube = cube.name;
  p.loc = r.at(node);
  for (const auto& kv : node) {
    if (snake_case(kv.first.Scalar()) == "name") {
      p.name = r.string_value(kv.second, "name", cube.name).value_or("");
    }
  }
  if (p.name.empty()) {
    r.report(node, "a pre-aggregation of " + cube.name + " has no name", cube.name,
             "add 'name: <pre_aggregation_name>' to it");
    return std::nullopt;
  }
  if (!is_identifier(p.name)) {
    r.report(node, "pre-aggregation name '" + p.name + "' is not a valid name", p.full_name(),
             "names use letters, digits and underscores and start with a letter");
  }
  const std::string owner = p.full_name();
  std::vector<std::string> rollups;
  bool saw_rollups = false;
  for (const auto& kv : node) {
    std::string key = snake_case(kv.first.Scalar());
    const YAML::Node& value = kv.second;
    if (key == "name") continue;
    if (key == "type") {
      std::string text = snake_case(r.string_value(value, key, owner).value_or("rollup"));
      if (text == "rollup") {
        p.type = PreAggregationType::kRollup;
      } else if (text == "original_sql") {
        p.type = PreAggregationType::kOriginalSql;
      } else if (text == "rollup_lambda") {
        p.type = PreAggregationType::kRollupLambda;
      } else {
        r.report(value, "unknown pre-aggregation type '" + text + "' in " + owner, owner,
                 "use type: rollup, original_sql or rollup_lambda");
      }
    } else if (key == "measures" || key == "measure_references") {
      p.measures = members(value, key, cube.name, owner, r, p);
    } else if (key == "dimensions" || key == "dimension_references") {
      p.dimensions = members(value, key, cube.name, owner, r, p);
    } else if (key == "segments" || key == "segment_references") {
      p.segments = members(value, key, cube.name, owner, r, p);
    } else if (key == "time_dimension" || key == "time_dimension_reference") {
      if (auto t = r.string_value(value, key, owner)) {
        p.time_dimension = full_member_name(*t, cube.name);
        p.member_locs.emplace(p.time_dimension, r.at(value));
      }
    } else if (key == "granularity") {
      p.granularity = granularity(value, key, owner, r);
    } else if (key == "partition_granularity") {
      p.partition_granularity = granularity(value, key, owner, r);
    } else if (key == "refresh_key") {
      p.refresh_key = parse_refresh_key(value, owner, true, r);
    } else if (key == "build_range_start" || key == "refresh_range_start") {
      p.build_range_start_sql = sql_block(value, key, owner, r);
    } else if (key == "build_range_end" || key == "refresh_range_end") {
      p.build_range_end_sql = sql_block(value, key, owner, r);
    } else if (key == "timezone" || key == "time_zone") {
      p.timezone = r.string_value(value, key, owner).value_or("UTC");
      try {
        TimeZone::load(p.timezone);
      } catch (const Error&) {
        r.report(value, "unknown time zone '" + p.timezone + "' in " + owner, owner,
                 "use an IANA name such as UTC or America/New_York");
      }
    } else if (key == "rollups") {
      saw_rollups = true;
      for (const auto& name : r.string_list(value, key, owner)) {
        rollups.push_back(full_member_name(name, cube.name));
      }
    } else if (key == "union_with_source_data") {
      p.union_with_source_data = r.bool_value(value, key, owner).value_or(false);
    } else if (key == "external" || key == "scheduled_refresh" || key == "indexes" ||
               key == "allow_non_strict_date_range_match" ||
               key == "use_original_sql_pre_aggregations" || key == "build_range" ||
               key == "refresh_range") {
      // Cube settings with nothing to do here: strata always stores
      // pre-aggregations itself and refreshes them in the background.
    } else {
      r.report(kv.first, "unknown key `" + key + "` in pre-aggregation " + owner, owner,
               "see docs/caching.md for the keys a pre-aggregation takes");
    }
  }
  if (p.type == PreAggregationType::kRollupLambda) {
    if (rollups.size() != 1) {
      r.report(node,
               "rollup_lambda " + owner + " must name exactly one rollup" +
                   (saw_rollups ? "" : " (it has no `rollups`)"),
               owner, "write rollups: [CUBE.<rollup name>]");
    } else {
      p.lambda_rollup = rollups[0];
    }
  } else if (saw_rollups) {
    r.report(node, "`rollups` belongs to a rollup_lambda, not to " + owner, owner,
             "add type: rollup_lambda, or remove rollups");
  }
  return p;
}

// The measures a number measure is built from, transitively; the measure
// itself for the others. Adds to `out` in first-seen order.
void leaves_of(const Measure& m, const Model& model, std::vector<const Measure*>& out,
               std::set<const Measure*>& seen) {
  if (!seen.insert(&m).second) return;
  if (m.type != MeasureType::kNumber) {
    out.push_back(&m);
    return;
  }
  for (const auto& ref : m.sql.measure_refs()) {
    const ResolvedMember* r = model.find_member(ref);
    if (r && r->measure) leaves_of(*r->measure, model, out, seen);
  }
}

}  // namespace

std::optional<RefreshKey> parse_refresh_key(const YAML::Node& node, const std::string& owner,
                                            bool for_pre_aggregation, const FileReader& r) {
  if (!node.IsMap()) {
    r.report(node, "`refresh_key` of " + owner + " must be a mapping", owner,
             "write refresh_key: {every: 10 minute} or refresh_key: {sql: SELECT ...}");
    return std::nullopt;
  }
  RefreshKey k;
  k.loc = r.at(node);
  bool ok = true;
  for (const auto& kv : node) {
    std::string key = snake_case(kv.first.Scalar());
    const YAML::Node& value = kv.second;
    if (key == "every") {
      if (auto m = interval(value, "refresh_key.every", owner, r)) {
        k.every_micros = *m;
      } else {
        ok = false;
      }
    } else if (key == "sql") {
      k.sql = r.string_value(value, key, owner).value_or("");
    } else if (key == "incremental" && for_pre_aggregation) {
      k.incremental = r.bool_value(value, key, owner).value_or(false);
    } else if (key == "update_window" && for_pre_aggregation) {
      if (auto m = interval(value, "refresh_key.update_window", owner, r)) {
        k.update_window_micros = *m;
      } else {
        ok = false;
      }
    } else if (key == "timezone") {
      // Only meaningful for cron schedules, which strata does not take.
    } else {
      r.report(kv.first, "unknown key `" + key + "` in the refresh_key of " + owner, owner,
               for_pre_aggregation
                   ? "a pre-aggregation's refresh_key takes every, sql, incremental and "
                     "update_window"
                   : "a cube's refresh_key takes every and sql");
      ok = false;
    }
  }
  if (ok && k.every_micros == 0 && k.sql.empty()) {
    r.report(node, "the refresh_key of " + owner + " has neither `every` nor `sql`", owner,
             "write refresh_key: {every: 10 minute} or refresh_key: {sql: SELECT ...}");
    ok = false;
  }
  if (ok && k.incremental && k.update_window_micros == 0) {
    r.report(node, "the incremental refresh_key of " + owner + " has no update_window", owner,
             "add update_window: 7 day (the partitions rebuilt on each refresh)");
    ok = false;
  }
  if (!ok) return std::nullopt;
  return k;
}

std::vector<PreAggregation> parse_pre_aggregations(const YAML::Node& node, const Cube& cube,
                                                   const FileReader& r) {
  std::vector<PreAggregation> out;
  std::set<std::string> names;
  for (const auto& n : r.map_list(node, "pre_aggregations", cube.name)) {
    auto p = parse_one(n, cube, r);
    if (!p) continue;
    if (!names.insert(p->name).second) {
      r.report(n, "cube " + cube.name + " has two pre-aggregations named " + p->name,
               p->full_name(), "give each pre-aggregation of a cube its own name");
      continue;
    }
    out.push_back(std::move(*p));
  }
  return out;
}

void check_pre_aggregations(const Model& model, Issues& issues) {
  for (const auto& cube : model.cubes()) {
    for (const auto& p : cube.pre_aggregations) {
      const std::string owner = p.full_name();
      auto report = [&](std::string message, std::string hint) {
        issues.add(std::move(message), p.loc, owner, std::move(hint));
      };
      // A problem with one listed member: at the line it is written on.
      auto report_member = [&](const std::string& member, std::string message, std::string hint) {
        issues.add(std::move(message), p.loc_of(member), owner, std::move(hint));
      };
      auto reachable = [&](const ResolvedMember& r, const std::string& name) {
        if (r.cube->name == cube.name || model.join_graph().connected(cube.name, r.cube->name)) {
          return true;
        }
        report_member(name,
                      "pre-aggregation " + owner + " uses " + name + ", but no join leads from " +
                          cube.name + " to " + r.cube->name,
                      "join " + r.cube->name + " to " + cube.name + ", or leave the member out");
        return false;
      };
      auto lookup = [&](const std::string& name, MemberKind kind,
                        const char* what) -> const ResolvedMember* {
        const ResolvedMember* r = model.find_member(name);
        if (!r || r->view) {
          report_member(name,
                        "pre-aggregation " + owner + " names unknown " + what + " '" + name + "'",
                        std::string("write ") + what + "s as CUBE.<name> or <cube>.<name>");
          return nullptr;
        }
        if (r->kind != kind) {
          report_member(name, "'" + name + "' in pre-aggregation " + owner + " is not a " + what,
                        std::string("list it under the key for its kind (measures, dimensions, "
                                    "segments)"));
          return nullptr;
        }
        return reachable(*r, name) ? r : nullptr;
      };

      if (p.type == PreAggregationType::kRollupLambda) {
        auto dot = p.lambda_rollup.find('.');
        const Cube* c = dot == std::string::npos
                            ? nullptr
                            : model.find_cube(std::string_view(p.lambda_rollup).substr(0, dot));
        const PreAggregation* batch =
            c ? c->find_pre_aggregation(std::string_view(p.lambda_rollup).substr(dot + 1))
              : nullptr;
        if (p.lambda_rollup.empty()) continue;  // reported while parsing
        if (!batch || batch->type != PreAggregationType::kRollup) {
          report(
              "rollup_lambda " + owner + " names '" + p.lambda_rollup + "', which is not a rollup",
              "name a pre-aggregation of type rollup, as CUBE.<name> or <cube>.<name>");
          continue;
        }
        if (p.union_with_source_data &&
            (batch->time_dimension.empty() || !batch->partition_granularity)) {
          report("rollup_lambda " + owner + " unions source data with " + p.lambda_rollup +
                     ", which has no time partitions",
                 "give " + p.lambda_rollup +
                     " a time_dimension and a partition_granularity: the newest partition is "
                     "what the source serves");
        }
        if (!p.measures.empty() || !p.dimensions.empty() || !p.time_dimension.empty()) {
          report("rollup_lambda " + owner + " lists members; it takes them from " + p.lambda_rollup,
                 "remove measures, dimensions and time_dimension from it");
        }
        continue;
      }

      if (p.type == PreAggregationType::kRollup && p.measures.empty() && p.dimensions.empty()) {
        report("rollup " + owner + " has neither measures nor dimensions",
               "list the measures and dimensions queries will ask for");
      }
      if (p.type == PreAggregationType::kOriginalSql &&
          (!p.measures.empty() || !p.dimensions.empty() || !p.segments.empty())) {
        report("original_sql pre-aggregation " + owner +
                   " lists members; it keeps the cube's rows as they are",
               "remove measures, dimensions and segments, or use type: rollup");
      }
      for (const auto& name : p.measures) {
        const ResolvedMember* r = lookup(name, MemberKind::kMeasure, "measure");
        if (!r) continue;
        if (r->cube->name != cube.name) {
          report_member(name, "rollup " + owner + " lists measure " + name + " of another cube",
                        "define the rollup in " + r->cube->name +
                            " (a rollup keeps measures of its own cube; dimensions may come from "
                            "joined cubes)");
          continue;
        }
        std::vector<const Measure*> leaves;
        std::set<const Measure*> seen;
        leaves_of(*r->measure, model, leaves, seen);
        if (r->measure->type == MeasureType::kNumber && !r->measure->sql.cubes().empty()) {
          report_member(
              name,
              "number measure " + name + " in rollup " + owner +
                  " aggregates SQL directly, so it cannot be re-aggregated",
              "define it from other measures only ({count}, {total}) to keep it in a rollup");
        }
        for (const Measure* leaf : leaves) {
          if (leaf->cube != cube.name) {
            report_member(name,
                          "measure " + name + " in rollup " + owner + " is built from " +
                              leaf->full_name() + ", a measure of another cube",
                          "a rollup keeps measures of its own cube");
          }
        }
      }
      for (const auto& name : p.dimensions) lookup(name, MemberKind::kDimension, "dimension");
      for (const auto& name : p.segments) lookup(name, MemberKind::kSegment, "segment");
      if (!p.time_dimension.empty()) {
        if (const ResolvedMember* r =
                lookup(p.time_dimension, MemberKind::kDimension, "dimension")) {
          if (r->dimension->type != DimensionType::kTime) {
            report_member(
                p.time_dimension,
                "time_dimension " + p.time_dimension + " of " + owner + " is not a time dimension",
                "name a dimension of type time");
          }
        }
        if (!p.granularity && p.type == PreAggregationType::kRollup) {
          report("rollup " + owner + " has a time_dimension but no granularity",
                 std::string("add granularity: ") + kGranularities);
        }
      } else {
        if (p.granularity) {
          report("rollup " + owner + " has a granularity but no time_dimension",
                 "add time_dimension: <a time dimension>");
        }
        if (p.partition_granularity) {
          report("pre-aggregation " + owner + " is partitioned but has no time_dimension",
                 "add time_dimension: <a time dimension>, or remove partition_granularity");
        }
      }
      if (p.granularity && p.partition_granularity &&
          !granularity_divides(*p.granularity, *p.partition_granularity)) {
        report("the partitions of " + owner + " (" +
                   std::string(granularity_name(*p.partition_granularity)) +
                   ") do not hold whole " + std::string(granularity_name(*p.granularity)) +
                   " buckets",
               "pick a partition_granularity made of whole granularity periods (weeks fit only "
               "week partitions; days fit weeks, months, quarters and years)");
      }
    }
  }
}

}  // namespace model_loader

}  // namespace strata
