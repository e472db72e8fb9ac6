// Rows per second of PostgreSQL result paths into a strata ResultSet.
//
//   pg_bulk_bench "host=... port=... user=... password=... dbname=..." TABLE [RUNS]
//
// Measures, on the same table (SELECT * FROM TABLE):
//   source   PostgresSource::query as configured by default (copy_results:
//            prepare + describe, then binary COPY decoded into Columns);
//   copy     a bare binary COPY loop over libpq decoded with the same
//            decoders (the floor of the COPY path);
//   rows     PostgresSource::query with copy_results: false (extended
//            protocol, binary results in one PGresult);
// and the latency of a small query with and without the COPY path.
// Prints one line per path with the best of RUNS runs. bench/pg_bulk_bench.sh
// sets up the server and the table and compares with psql's \copy.
#include <libpq-fe.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "core/result_set.h"
#include "source/postgres/pg_binary.h"
#include "source/postgres/postgres_source.h"

namespace {

using Clock = std::chrono::steady_clock;
using namespace strata;
using namespace strata::pg_detail;

struct ConnDeleter {
  void operator()(PGconn* c) const { PQfinish(c); }
};
struct ResultDeleter {
  void operator()(PGresult* r) const { PQclear(r); }
};
using ResultPtr = std::unique_ptr<PGresult, ResultDeleter>;

std::string conninfo_value(const std::string& conninfo, const std::string& key) {
  size_t at = conninfo.find(key + "=");
  if (at == std::string::npos) return "";
  at += key.size() + 1;
  size_t end = conninfo.find(' ', at);
  return conninfo.substr(at, end == std::string::npos ? std::string::npos : end - at);
}

// COPY binary: a header, then per row int16 field count and per field int32
// length (-1: NULL) and the bytes; a trailer of field count -1.
size_t copy_binary(PGconn* conn, const std::string& table) {
  ResultPtr describe(PQexec(conn, ("SELECT * FROM " + table + " LIMIT 0").c_str()));
  int fields = PQnfields(describe.get());
  std::vector<uint32_t> oids;
  std::vector<ColumnInfo> schema;
  for (int i = 0; i < fields; ++i) {
    oids.push_back(PQftype(describe.get(), i));
    Type t = type_of(oids.back(), PQfmod(describe.get(), i));
    if (t.id == TypeId::kDecimal && t.precision == 38 && t.scale == 0) t = Type::decimal(38, 2);
    schema.push_back({PQfname(describe.get(), i), t});
  }
  ResultSet rs(schema);
  ResultPtr start(
      PQexec(conn, ("COPY (SELECT * FROM " + table + ") TO STDOUT (FORMAT binary)").c_str()));
  if (PQresultStatus(start.get()) != PGRES_COPY_OUT) {
    std::fprintf(stderr, "COPY failed: %s\n", PQerrorMessage(conn));
    std::exit(1);
  }
  bool header = true;
  for (;;) {
    char* buf = nullptr;
    int len = PQgetCopyData(conn, &buf, 0);
    if (len < 0) break;
    const char* p = buf;
    if (header) {
      p += 11 + 4;
      p += 4 + read_i32(p);  // flags, extension length
      header = false;
    }
    int16_t n = read_i16(p);
    p += 2;
    if (n < 0) {
      PQfreemem(buf);
      continue;
    }
    for (int i = 0; i < n; ++i) {
      int32_t flen = read_i32(p);
      p += 4;
      Column& col = rs.column(i);
      if (flen < 0) {
        col.append_null();
        continue;
      }
      std::string_view v(p, flen);
      switch (oids[i]) {
        case oid::kInt8: col.append_int(read_i64(p)); break;
        case oid::kInt4: col.append_int(read_i32(p)); break;
        case oid::kFloat8: {
          uint64_t u = static_cast<uint64_t>(read_i64(p));
          double d;
          std::memcpy(&d, &u, 8);
          col.append_double(d);
          break;
        }
        case oid::kNumeric:
          col.append_decimal(numeric_unscaled(v, col.type().scale).value_or(0));
          break;
        case oid::kTimestamp:
        case oid::kTimestamptz: col.append_int(read_i64(p) + kEpochShiftMicros); break;
        case oid::kDate: col.append_int(read_i32(p) + kEpochShiftDays); break;
        default: col.append_string(std::string(v)); break;
      }
      p += flen;
    }
    PQfreemem(buf);
  }
  ResultPtr end(PQgetResult(conn));
  return rs.row_count();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: pg_bulk_bench CONNINFO TABLE [RUNS]\n");
    return 2;
  }
  std::string conninfo = argv[1];
  std::string table = argv[2];
  int runs = argc > 3 ? std::atoi(argv[3]) : 3;

  PostgresSourceOptions o;
  o.host = conninfo_value(conninfo, "host");
  o.port = std::atoi(conninfo_value(conninfo, "port").c_str());
  o.user = conninfo_value(conninfo, "user");
  o.password = conninfo_value(conninfo, "password");
  o.database = conninfo_value(conninfo, "dbname");
  o.sslmode = "disable";
  auto source = PostgresSource::open("bench", o);

  double best_source = 1e30, best_copy = 1e30, best_rows = 1e30;
  size_t rows = 0;
  for (int r = 0; r < runs; ++r) {
    Clock::time_point t0 = Clock::now();
    ResultSet rs = source->query("SELECT * FROM " + table, {});
    double s = std::chrono::duration<double>(Clock::now() - t0).count();
    rows = rs.row_count();
    best_source = std::min(best_source, s);
  }
  std::printf("source  %zu rows  %.3f s  %.0f rows/s  (copy_results: true, the default)\n", rows,
              best_source, rows / best_source);
  {
    PostgresSourceOptions ro = o;
    ro.copy_results = false;
    auto rows_source = PostgresSource::open("bench", ro);
    for (int r = 0; r < runs; ++r) {
      Clock::time_point t0 = Clock::now();
      ResultSet rs = rows_source->query("SELECT * FROM " + table, {});
      double s = std::chrono::duration<double>(Clock::now() - t0).count();
      rows = rs.row_count();
      best_rows = std::min(best_rows, s);
    }
    std::printf("rows    %zu rows  %.3f s  %.0f rows/s  (copy_results: false)\n", rows, best_rows,
                rows / best_rows);
  }

  std::unique_ptr<PGconn, ConnDeleter> conn(PQconnectdb((conninfo + " sslmode=disable").c_str()));
  if (PQstatus(conn.get()) != CONNECTION_OK) {
    std::fprintf(stderr, "connect failed: %s\n", PQerrorMessage(conn.get()));
    return 1;
  }
  for (int r = 0; r < runs; ++r) {
    Clock::time_point t0 = Clock::now();
    rows = copy_binary(conn.get(), table);
    double s = std::chrono::duration<double>(Clock::now() - t0).count();
    best_copy = std::min(best_copy, s);
  }
  std::printf("copy    %zu rows  %.3f s  %.0f rows/s\n", rows, best_copy, rows / best_copy);

  // What the extra round trip of the COPY path costs a small query.
  for (bool copy : {true, false}) {
    o.copy_results = copy;
    auto small = PostgresSource::open("bench", o);
    small->query("SELECT 1", {});  // connect first
    const int n = 2000;
    Clock::time_point t0 = Clock::now();
    for (int i = 0; i < n; ++i)
      small->query("SELECT " + std::to_string(i) + "::int8 AS x, 'a' AS y", {});
    double s = std::chrono::duration<double>(Clock::now() - t0).count();
    std::printf("small query, copy_results=%s: %.0f us per query\n", copy ? "true " : "false",
                s / n * 1e6);
  }
  return 0;
}
