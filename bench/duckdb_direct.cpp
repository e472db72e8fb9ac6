// duckdb_direct: runs one SQL statement against a DuckDB file through
// DuckDB's C API alone (no strata code), fetching every row, and prints
// latency percentiles. The baseline for strata's REST latency.
//
//   duckdb_direct DB_FILE SQL_FILE [RUNS] [THREADS] [SETUP_FILE]
// THREADS sets DuckDB's worker threads (0 or absent: DuckDB's default, one
// per core), to match a strata source's setting. DB_FILE ":memory:" opens an
// in-memory database; SETUP_FILE's statements run first, untimed (to load
// tables into it, say).
#include <duckdb.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: duckdb_direct DB_FILE SQL_FILE [RUNS] [THREADS] [SETUP_FILE]\n");
    return 2;
  }
  int runs = argc > 3 ? std::atoi(argv[3]) : 30;
  auto read = [](const char* path) {
    std::ifstream in(path);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  };
  std::string sql = read(argv[2]);
  const bool in_memory = std::string(argv[1]) == ":memory:";

  duckdb_database db;
  duckdb_connection con;
  duckdb_config config;
  duckdb_create_config(&config);
  if (!in_memory) duckdb_set_config(config, "access_mode", "READ_ONLY");
  if (argc > 4 && std::atoi(argv[4]) > 0) duckdb_set_config(config, "threads", argv[4]);
  char* err = nullptr;
  if (duckdb_open_ext(argv[1], &db, config, &err) != DuckDBSuccess) {
    std::fprintf(stderr, "cannot open %s: %s\n", argv[1], err ? err : "?");
    return 1;
  }
  duckdb_destroy_config(&config);
  duckdb_connect(db, &con);
  duckdb_result tz;
  duckdb_query(con, "SET TimeZone='UTC'", &tz);  // as strata's sessions do
  duckdb_destroy_result(&tz);
  if (argc > 5) {
    duckdb_result setup;
    if (duckdb_query(con, read(argv[5]).c_str(), &setup) != DuckDBSuccess) {
      std::fprintf(stderr, "setup failed: %s\n", duckdb_result_error(&setup));
      return 1;
    }
    duckdb_destroy_result(&setup);
  }

  std::vector<double> ms;
  size_t rows = 0;
  for (int i = 0; i < runs + 3; ++i) {
    auto start = std::chrono::steady_clock::now();
    duckdb_result res;
    if (duckdb_query(con, sql.c_str(), &res) != DuckDBSuccess) {
      std::fprintf(stderr, "query failed: %s\n", duckdb_result_error(&res));
      return 1;
    }
    rows = 0;
    // Fetch every chunk, as a client reading the result would.
    while (true) {
      duckdb_data_chunk chunk = duckdb_fetch_chunk(res);
      if (!chunk) break;
      rows += duckdb_data_chunk_get_size(chunk);
      duckdb_destroy_data_chunk(&chunk);
    }
    duckdb_destroy_result(&res);
    double elapsed =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    if (i >= 3) ms.push_back(elapsed);  // the first runs warm caches
  }
  std::sort(ms.begin(), ms.end());
  auto pct = [&](double p) {
    return ms[std::min(ms.size() - 1, static_cast<size_t>(p * ms.size()))];
  };
  std::printf("rows=%zu runs=%d p50_ms=%.3f p95_ms=%.3f min_ms=%.3f\n", rows, runs, pct(0.5),
              pct(0.95), ms.front());
  duckdb_disconnect(&con);
  duckdb_close(&db);
  return 0;
}
