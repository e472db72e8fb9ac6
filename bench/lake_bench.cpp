// lake_bench: the pruning win and the planning overhead of strata's Iceberg
// reader, on a day-partitioned table written with strata's own append path.
//
//   lake_bench DIR [--rows N] [--days D] [--runs R]
//
// DIR/bench/events is created on first use (N rows, default 10,000,000,
// spread evenly over D days from 2023-01-01, default 365; one Parquet file per
// day). Then, R times each (median reported, after warm-up runs):
//   strata:        the cube query {count, sum(amount)} for one day through
//                  QueryService -> planner (pruning hints) -> IcebergSource
//                  (metadata read, scan planning, per-query view) -> DuckDB;
//   duckdb (all):  the same aggregate with DuckDB read_parquet over every
//                  data file of the table;
//   duckdb (1):    the same over exactly the file(s) holding that day.
// Also a full-table aggregate through strata and through DuckDB over all files.
// Prints markdown rows for BENCHMARKS.md.
#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <string>
#include <vector>

#include "core/error.h"
#include "exec/query_service.h"
#include "lake/iceberg_source.h"
#include "lake/write/appender.h"
#include "model/loader.h"
#include "query/cube_query.h"

using namespace strata;
namespace fs = std::filesystem;

namespace {

using Clock = std::chrono::steady_clock;

double median_ms(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

// Runs the functions in turn, `runs` rounds (after warm-up), so a busy
// machine slows all of them alike; returns each one's median.
std::vector<double> interleaved(int runs, const std::vector<std::function<std::string()>>& fns,
                                std::vector<std::string>* answers) {
  answers->assign(fns.size(), "");
  for (int w = 0; w < 3; ++w) {
    for (size_t f = 0; f < fns.size(); ++f) (*answers)[f] = fns[f]();
  }
  std::vector<std::vector<double>> times(fns.size());
  for (int i = 0; i < runs; ++i) {
    for (size_t f = 0; f < fns.size(); ++f) {
      auto start = Clock::now();
      std::string a = fns[f]();
      times[f].push_back(std::chrono::duration<double, std::milli>(Clock::now() - start).count());
      if (a != (*answers)[f]) throw InternalError("answers differ between runs: " + a);
    }
  }
  std::vector<double> out;
  for (auto& t : times) out.push_back(median_ms(t));
  return out;
}

std::string row_text(const ResultSet& rs) {
  std::string out;
  for (size_t c = 0; c < rs.column_count(); ++c) {
    if (c) out += " | ";
    out += rs.column(c).is_null(0) ? "NULL" : to_text(rs.column(c).value_at(0));
  }
  return out;
}

std::string list(const std::vector<std::string>& files) {
  std::string out = "[";
  for (size_t i = 0; i < files.size(); ++i) out += (i ? ", '" : "'") + files[i] + "'";
  return out + "]";
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: lake_bench DIR [--rows N] [--days D] [--runs R]\n";
    return 2;
  }
  fs::path dir = fs::absolute(argv[1]);
  int64_t rows = 10'000'000;
  int days = 365;
  int runs = 20;
  for (int i = 2; i + 1 < argc; i += 2) {
    std::string a = argv[i];
    if (a == "--rows") rows = std::stoll(argv[i + 1]);
    if (a == "--days") days = std::stoi(argv[i + 1]);
    if (a == "--runs") runs = std::stoi(argv[i + 1]);
  }
  try {
    fs::path table = dir / "bench" / "events";
    DuckDbSourceOptions duck;
    duck.threads = 2;
    if (!fs::exists(table / "metadata")) {
      lake::LakeEngine writer("bench", lake::StorageOptions{}, duck);
      lake::AppendOptions o;
      o.create = true;
      o.partition_by = {"day(ts)"};
      int64_t step_us = static_cast<int64_t>(days) * 86'400'000'000LL / rows;
      std::string select = "SELECT i AS id, TIMESTAMP '2023-01-01' + to_microseconds(i * " +
                           std::to_string(step_us) +
                           ") AS ts, (i % 97)::INTEGER AS kind, CAST((hash(i) % 100000) / 100.0 AS "
                           "DECIMAL(12,2)) AS amount, "
                           "'customer-' || (i % 5000) AS customer FROM range(" +
                           std::to_string(rows) + ") r(i)";
      auto start = Clock::now();
      lake::AppendResult r =
          lake::append_rows(writer, lake::AppendTarget{nullptr, {}, table.string()}, select, o);
      double s = std::chrono::duration<double>(Clock::now() - start).count();
      std::cout << "| append (write Parquet + manifests + commit) | " << r.rows << " rows, "
                << r.data_files << " files | " << static_cast<int64_t>(s * 1000) << " ms ("
                << static_cast<int64_t>(r.rows / s) << " rows/s) |\n";
    }
    fs::create_directories(dir / "model");
    std::ofstream(dir / "model" / "events.yml") << R"(cubes:
  - name: events
    sql_table: bench.events
    data_source: lake
    dimensions:
      - {name: id, sql: id, type: number, primary_key: true}
      - {name: ts, sql: ts, type: time}
    measures:
      - {name: count, type: count}
      - {name: amount, sql: amount, type: sum}
)";
    lake::LakeConfig config =
        lake::parse_lake_config("lake", {{"warehouse", dir.string()}, {"threads", "2"}}, dir);
    SourceRegistry sources;
    auto source = lake::IcebergSource::open(config);
    lake::IcebergSource* lake = source.get();
    sources.add(std::move(source));
    auto model = load_model(dir / "model");
    QueryServiceOptions so;
    so.worker_threads = 1;
    QueryService service(model, sources, so);

    const std::string day = "2023-06-15";
    SemanticQuery one_day = parse_cube_query_text(
        R"({"measures": ["events.count", "events.amount"], "timeDimensions": [{"dimension": "events.ts", "dateRange": [")" +
            day + "\", \"" + day + "\"]}]}",
        *model, ParseOptions{});
    SemanticQuery whole = parse_cube_query_text(
        R"({"measures": ["events.count", "events.amount"]})", *model, ParseOptions{});

    // The table's files, and the ones holding that day (from a pruned plan).
    lake::LoadedTable t = lake->load(lake::TableIdent::parse("bench.events"));
    lake::ScanOptions all_opts;
    lake::ScanPlan all_plan = lake->engine().reader().plan(t, all_opts);
    std::vector<std::string> all_files, day_files;
    for (const auto& task : all_plan.tasks) all_files.push_back(t.paths.map(task.file.file_path));
    lake::ScanOptions day_opts;
    day_opts.predicates = {
        ScanPredicate{"bench.events",
                      "ts",
                      ScanPredicate::Op::kGte,
                      {Value::temporal(TypeId::kTimestamp, 1686787200000000)}},  // 2023-06-15
        ScanPredicate{"bench.events",
                      "ts",
                      ScanPredicate::Op::kLt,
                      {Value::temporal(TypeId::kTimestamp, 1686873600000000)}}};
    lake::ScanPlan day_plan = lake->engine().reader().plan(t, day_opts);
    for (const auto& task : day_plan.tasks) day_files.push_back(t.paths.map(task.file.file_path));

    auto direct = DuckDbSource::open("direct", ":memory:", duck);
    const std::string where =
        " WHERE ts >= TIMESTAMP '2023-06-15 00:00:00' AND ts < TIMESTAMP '2023-06-16 00:00:00'";
    auto duck_sql = [&](const std::vector<std::string>& files, bool filter) {
      return "SELECT count(*), sum(amount) FROM read_parquet(" + list(files) + ")" +
             (filter ? where : "");
    };

    std::vector<std::string> day_answers, whole_answers;
    std::vector<double> day_t = interleaved(
        runs,
        {[&] { return row_text(service.run(one_day, SecurityContext{}).rows); },
         [&] { return row_text(direct->query(duck_sql(all_files, true), ExecOptions{})); },
         [&] { return row_text(direct->query(duck_sql(day_files, true), ExecOptions{})); }},
        &day_answers);
    auto stats = lake->last_query_stats();
    std::vector<double> whole_t = interleaved(
        std::max(3, runs / 4),
        {[&] { return row_text(service.run(whole, SecurityContext{}).rows); },
         [&] { return row_text(direct->query(duck_sql(all_files, false), ExecOptions{})); }},
        &whole_answers);
    std::string a_strata = day_answers[0], a_all = day_answers[1], a_day = day_answers[2];
    std::string a_whole = whole_answers[0], a_whole_duck = whole_answers[1];
    double t_strata = day_t[0], t_all = day_t[1], t_day = day_t[2];
    double t_whole = whole_t[0], t_whole_duck = whole_t[1];
    if (a_strata != a_all || a_all != a_day || a_whole != a_whole_duck) {
      std::cerr << "answers differ: strata " << a_strata << ", all files " << a_all
                << ", needed files " << a_day << "; whole table strata " << a_whole << ", duckdb "
                << a_whole_duck << "\n";
      return 1;
    }
    int64_t scanned = stats.empty() ? -1 : stats[0].scan.files_scanned;
    std::cout << "| table | " << all_plan.stats.records << " rows, " << all_files.size()
              << " data files (day partitions) | |\n";
    std::cout << "| one day through strata (REST query -> plan -> prune -> DuckDB) | " << scanned
              << " of " << all_files.size() << " files read | " << t_strata << " ms |\n";
    std::cout << "| one day, DuckDB read_parquet over all files | " << all_files.size()
              << " files | " << t_all << " ms |\n";
    std::cout << "| one day, DuckDB read_parquet over exactly the needed files | "
              << day_files.size() << " file | " << t_day << " ms |\n";
    std::cout << "| pruning win (all files / strata) | | " << t_all / t_strata << "x |\n";
    std::cout << "| planning overhead (strata - needed files) | | " << t_strata - t_day << " ms ("
              << 100.0 * (t_strata - t_day) / t_day << " %) |\n";
    std::cout << "| whole table through strata | " << all_files.size() << " files | " << t_whole
              << " ms |\n";
    std::cout << "| whole table, DuckDB read_parquet over all files | " << all_files.size()
              << " files | " << t_whole_duck << " ms |\n";
    std::cout << "answer (one day): " << a_strata << "\n";
  } catch (const std::exception& e) {
    std::cerr << "lake_bench: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
