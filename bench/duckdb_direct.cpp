// duckdb_direct: runs one SQL statement against a DuckDB file through
// DuckDB's C API alone (no strata code), fetching every row, and prints
// latency percentiles. The baseline for strata's REST latency.
//
//   duckdb_direct DB_FILE SQL_FILE [RUNS]
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
    std::fprintf(stderr, "usage: duckdb_direct DB_FILE SQL_FILE [RUNS]\n");
    return 2;
  }
  int runs = argc > 3 ? std::atoi(argv[3]) : 30;
  std::ifstream in(argv[2]);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string sql = ss.str();

  duckdb_database db;
  duckdb_connection con;
  duckdb_config config;
  duckdb_create_config(&config);
  duckdb_set_config(config, "access_mode", "READ_ONLY");
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
  auto pct = [&](double p) { return ms[std::min(ms.size() - 1, static_cast<size_t>(p * ms.size()))]; };
  std::printf("rows=%zu runs=%d p50_ms=%.3f p95_ms=%.3f min_ms=%.3f\n", rows, runs, pct(0.5),
              pct(0.95), ms.front());
  duckdb_disconnect(&con);
  duckdb_close(&db);
  return 0;
}
