#include "cache/preagg_builder.h"

#include <filesystem>

#include "cache/build_lease.h"
#include "core/error.h"
#include "sql/dialect.h"
#include "sql/duckdb_statements.h"

namespace strata {

namespace {

constexpr size_t kMaxPartitions = 50'000;

std::string label(int64_t local, Granularity g) {
  CivilTime t = civil_from_micros(local);
  char buf[32];
  if (static_cast<int>(g) >= static_cast<int>(Granularity::kDay)) {
    std::snprintf(buf, sizeof buf, "%04d%02d%02d", t.year, t.month, t.day);
  } else {
    std::snprintf(buf, sizeof buf, "%04d%02d%02dT%02d%02d%02d", t.year, t.month, t.day, t.hour,
                  t.minute, t.second);
  }
  return buf;
}

}  // namespace

PreAggBuilder::PreAggBuilder(QueryService& service, SourceRegistry& sources, PreAggStore& store)
    : service_(service), sources_(sources), store_(store), boundaries_(sources) {}

PreAggBuilder::~PreAggBuilder() = default;

DuckDbSource& PreAggBuilder::duck() {
  std::lock_guard lock(duck_mu_);
  if (!duck_) duck_ = DuckDbSource::open("preagg-build", ":memory:");
  return *duck_;
}

Plan PreAggBuilder::plan_on(const SemanticQuery& q, const Model& model) {
  DialectLookup dialects = [this](std::string_view name) -> const sql::Dialect& {
    return sources_.get(name).dialect();
  };
  TierBoundaryLookup boundaries = [this](const Cube& c) { return boundaries_.boundary(c); };
  return plan_query(q, model, SecurityContext{}, dialects, boundaries);
}

std::optional<int64_t> PreAggBuilder::read_instant(const std::string& source,
                                                   const std::string& sql) {
  ExecOptions o;
  o.timeout = std::chrono::minutes(5);
  return instant_of(sources_.get(source).query(sql, o));
}

std::vector<PartitionSpec> PreAggBuilder::partitions(const PreAggregation& def) {
  const Cube* cube = store_.model()->find_cube(def.cube);
  if (!cube) throw InternalError("pre-aggregation of an unknown cube " + def.cube);
  auto tz = TimeZone::load(def.timezone);
  bool explicit_range = !def.build_range_start_sql.empty() || !def.build_range_end_sql.empty();
  if (def.time_dimension.empty() || (!def.partition_granularity && !explicit_range)) {
    return {PartitionSpec{"all", 0, 0, std::nullopt}};
  }
  // The build range, as UTC instants.
  std::optional<int64_t> start, end;
  if (!def.build_range_start_sql.empty()) {
    start = read_instant(cube->data_source, def.build_range_start_sql);
  }
  if (!def.build_range_end_sql.empty()) {
    end = read_instant(cube->data_source, def.build_range_end_sql);
  }
  if ((!start || !end) && def.type == PreAggregationType::kRollup) {
    auto build = store_.build_of(def);
    Plan plan = plan_on(build->time_range_query(), build->build_model());
    QueryResult r = service_.execute(plan);
    auto [lo_key, hi_key] = build->time_range_keys();
    auto column = [&](const std::string& key) -> std::optional<int64_t> {
      const std::string& alias = alias_of(plan, key);
      int i = r.rows.find_column(alias);
      if (i < 0) return std::nullopt;
      ResultSet one({r.rows.schema()[i]});
      if (r.rows.row_count() > 0) one.column(0).append_value(r.rows.column(i).value_at(0));
      return instant_of(one);
    };
    if (!start) start = column(lo_key);
    if (!end) end = column(hi_key);
  }
  if (!start || !end) {
    if (def.type == PreAggregationType::kOriginalSql && def.partition_granularity) {
      throw UserError(
          "original_sql pre-aggregation " + def.full_name() +
              " is partitioned but has no build range",
          {.member = def.full_name(),
           .hint = "add build_range_start: {sql: ...} and build_range_end: {sql: ...}"});
    }
    return {};  // no data yet: nothing to build
  }
  if (*end < *start) return {};
  int64_t ls = tz->utc_to_local(*start);
  int64_t le = tz->utc_to_local(*end);
  std::vector<PartitionSpec> out;
  if (!def.partition_granularity) {
    Granularity g = def.granularity.value_or(Granularity::kDay);
    int64_t from = truncate_local(ls, g);
    int64_t to = add_local(truncate_local(le, g), g, 1);
    out.push_back({"all", 0, 0, DateRange{from, to}});
    return out;
  }
  Granularity pg = *def.partition_granularity;
  for (int64_t p = truncate_local(ls, pg); p <= le; p = add_local(p, pg, 1)) {
    int64_t next = add_local(p, pg, 1);
    out.push_back({label(p, pg), p, next, DateRange{p, next}});
    if (out.size() > kMaxPartitions) {
      throw UserError("pre-aggregation " + def.full_name() + " would have more than " +
                          std::to_string(kMaxPartitions) + " partitions",
                      {.member = def.full_name(),
                       .hint = "use a coarser partition_granularity or a narrower build range"});
    }
  }
  return out;
}

ManifestPartition PreAggBuilder::build(const PreAggregation& def, const PartitionSpec& partition,
                                       const std::string& refresh_key) {
  namespace fs = std::filesystem;
  fs::path dir = store_.folder(def);
  fs::create_directories(dir);
  std::string id = random_token(6);
  fs::path tmp = dir / (".tmp-" + partition.name + "-" + id + ".parquet");
  std::string file = def.cube + "_" + def.name + "_" + partition.name + "_" + id + ".parquet";
  ManifestPartition out;
  out.name = partition.name;
  out.from_local = partition.from_local;
  out.to_local = partition.to_local;
  out.file = file;
  out.refresh_key = refresh_key;

  struct Cleanup {
    fs::path path;
    bool armed = true;
    ~Cleanup() {
      std::error_code ec;
      if (armed) fs::remove(path, ec);
    }
  } cleanup{tmp};

  ExecOptions copy_options;
  copy_options.timeout = std::chrono::hours(1);
  if (def.type == PreAggregationType::kRollup) {
    auto build = store_.build_of(def);
    Plan main_plan = plan_on(build->main_query(partition.range), build->build_model());
    QueryResult main = service_.execute(main_plan);
    std::vector<Plan> sketch_plans;
    std::vector<QueryResult> sketch_results;
    for (const auto& sq : build->sketch_queries(partition.range)) {
      sketch_plans.push_back(plan_on(sq, build->build_model()));
      sketch_results.push_back(service_.execute(sketch_plans.back()));
    }
    std::vector<DuckDbSource::NamedRows> tables{{kRollupRowsTable, &main.rows}};
    for (size_t i = 0; i < sketch_results.size(); ++i) {
      tables.push_back({sketch_rows_table(i), &sketch_results[i].rows});
    }
    std::string sql =
        sql::duckdb_copy_to_parquet(rollup_rows_sql(*build, main_plan, sketch_plans), tmp.string());
    duck().query_with_tables(tables, sql, copy_options);
    out.rows = static_cast<int64_t>(main.rows.row_count());
  } else if (def.type == PreAggregationType::kOriginalSql) {
    const Model& model = *store_.model();
    sql::Select s = original_rows_select(def, model, partition.range);
    Source& source = sources_.get(model.find_cube(def.cube)->data_source);
    ExecOptions o;
    o.timeout = std::chrono::hours(1);
    ResultSet rows = source.query(source.dialect().render(s), o);
    duck().query_with_tables(
        {{"original_rows", &rows}},
        sql::duckdb_copy_to_parquet("SELECT * FROM original_rows", tmp.string()), copy_options);
    out.rows = static_cast<int64_t>(rows.row_count());
  } else {
    throw InternalError("pre-aggregation " + def.full_name() + " is not built by itself");
  }
  fs::rename(tmp, dir / file);
  cleanup.armed = false;
  std::error_code ec;
  out.bytes = static_cast<int64_t>(fs::file_size(dir / file, ec));
  out.built_at_utc = now_utc_micros();
  return out;
}

}  // namespace strata
