// End-to-end test of the SQL API with libpq (the PostgreSQL C client):
// simple and extended queries, text and binary parameters and results,
// prepared statements, error fields, transactions, cancellation, and the
// same questions asked with plain SQL against the fixture data.
//
//   pgwire_libpq_e2e CONNINFO PLAIN_DUCKDB_FILE SLOW_CONNINFO
//
// CONNINFO reaches a server over the shop fixture; PLAIN_DUCKDB_FILE is a
// copy of that fixture's data for plain SQL; SLOW_CONNINFO reaches a server
// over test/e2e/slow_model (a cube whose query takes seconds). Run by
// run_pgwire.sh; exits 0 when every check passes.
#include <libpq-fe.h>

#include <chrono>
#include <cstdint>
#include <cstring>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "core/result_set.h"
#include "source/duckdb/duckdb_source.h"

namespace {

int g_failures = 0;
int g_checks = 0;

#define CHECK(cond)                                                                 \
  do {                                                                              \
    ++g_checks;                                                                     \
    if (!(cond)) {                                                                  \
      ++g_failures;                                                                 \
      std::cerr << __FILE__ << ":" << __LINE__ << ": check failed: " #cond << "\n"; \
    }                                                                               \
  } while (0)

#define CHECK_EQ(a, b)                                                                             \
  do {                                                                                             \
    ++g_checks;                                                                                    \
    auto va = (a);                                                                                 \
    auto vb = (b);                                                                                 \
    if (!(va == vb)) {                                                                             \
      ++g_failures;                                                                                \
      std::cerr << __FILE__ << ":" << __LINE__ << ": " #a " == " #b " failed: '" << va << "' vs '" \
                << vb << "'\n";                                                                    \
    }                                                                                              \
  } while (0)

using Rows = std::vector<std::vector<std::string>>;

struct ResultDeleter {
  void operator()(PGresult* r) const { PQclear(r); }
};
using Result = std::unique_ptr<PGresult, ResultDeleter>;

struct ConnDeleter {
  void operator()(PGconn* c) const { PQfinish(c); }
};
using Conn = std::unique_ptr<PGconn, ConnDeleter>;

Conn connect(const std::string& conninfo) {
  Conn c(PQconnectdb(conninfo.c_str()));
  if (PQstatus(c.get()) != CONNECTION_OK) {
    std::cerr << "cannot connect: " << PQerrorMessage(c.get()) << "\n";
    std::exit(1);
  }
  return c;
}

Rows text_rows(PGresult* r) {
  Rows out;
  for (int i = 0; i < PQntuples(r); ++i) {
    std::vector<std::string> row;
    for (int j = 0; j < PQnfields(r); ++j) {
      row.push_back(PQgetisnull(r, i, j) ? "NULL" : PQgetvalue(r, i, j));
    }
    out.push_back(row);
  }
  return out;
}

std::string show(const Rows& rows) {
  std::string s;
  for (const auto& r : rows) {
    s += "[";
    for (size_t i = 0; i < r.size(); ++i) s += (i ? "|" : "") + r[i];
    s += "]";
  }
  return s;
}

Rows query(PGconn* c, const std::string& sql) {
  Result r(PQexec(c, sql.c_str()));
  if (PQresultStatus(r.get()) != PGRES_TUPLES_OK) {
    std::cerr << "query failed: " << sql << ": " << PQresultErrorMessage(r.get()) << "\n";
    ++g_failures;
    return {};
  }
  return text_rows(r.get());
}

// Plain SQL on the fixture data, cells as PostgreSQL-style text.
Rows plain(strata::DuckDbSource& db, const std::string& sql) {
  strata::ResultSet rs = db.query(sql, {});
  Rows out;
  for (size_t r = 0; r < rs.row_count(); ++r) {
    std::vector<std::string> row;
    for (size_t c = 0; c < rs.column_count(); ++c) {
      const strata::Column& col = rs.column(c);
      row.push_back(col.is_null(r) ? "NULL" : strata::to_text(col.value_at(r)));
    }
    out.push_back(row);
  }
  return out;
}

int64_t be64(const char* p) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | static_cast<uint8_t>(p[i]);
  return static_cast<int64_t>(v);
}

// --- The checks ------------------------------------------------------------------------

void same_answers_as_plain_sql(PGconn* c, strata::DuckDbSource& db) {
  Rows api = query(c,
                   "SELECT status, MEASURE(count), MEASURE(total_amount) FROM orders "
                   "GROUP BY 1 ORDER BY 1");
  Rows sql = plain(db, "SELECT status, count(*), sum(amount) FROM orders GROUP BY 1 ORDER BY 1");
  CHECK_EQ(show(api), show(sql));
  CHECK_EQ(show(api), "[cancelled|1|30.00][completed|3|370.00][pending|2|65.00]");

  api = query(c,
              "SELECT DATE_TRUNC('month', created_at), COUNT(*) FROM orders GROUP BY 1 ORDER BY 1");
  sql = plain(db,
              "SELECT CAST(date_trunc('month', created_at) AS TIMESTAMP), count(*) FROM orders "
              "GROUP BY 1 ORDER BY 1");
  CHECK_EQ(show(api), show(sql));

  api = query(c,
              "SELECT u.city, MEASURE(o.count), SUM(o.total_amount) FROM orders o "
              "JOIN users u ON o.user_id = u.id GROUP BY 1 ORDER BY 1");
  // The model's joins are LEFT JOINs from the first cube, however the SQL writes them.
  sql = plain(db,
              "SELECT u.city, count(*), sum(o.amount) FROM orders o LEFT JOIN users u "
              "ON o.user_id = u.id GROUP BY 1 ORDER BY 1 NULLS LAST");
  CHECK_EQ(show(api), show(sql));

  api = query(c,
              "SELECT category, MEASURE(revenue) FROM line_items li JOIN products p "
              "ON li.product_id = p.id GROUP BY 1 ORDER BY 1");
  sql = plain(db,
              "SELECT p.category, sum(li.quantity * li.price) FROM line_items li JOIN "
              "products p ON li.product_id = p.id GROUP BY 1 ORDER BY 1");
  CHECK_EQ(show(api), show(sql));
}

void extended_protocol(PGconn* c) {
  // Text parameters, text results.
  const char* values[1] = {"pending"};
  Result r(
      PQexecParams(c, "SELECT MEASURE(count), MEASURE(total_amount) FROM orders WHERE status = $1",
                   1, nullptr, values, nullptr, nullptr, 0));
  CHECK_EQ(PQresultStatus(r.get()), PGRES_TUPLES_OK);
  CHECK_EQ(show(text_rows(r.get())), "[2|65.00]");
  CHECK_EQ(PQftype(r.get(), 0), 20u);
  CHECK_EQ(PQftype(r.get(), 1), 1700u);

  // Binary parameters (int8) and binary results.
  int64_t threshold = 60;
  char buf[8];
  for (int i = 0; i < 8; ++i)
    buf[i] = static_cast<char>((static_cast<uint64_t>(threshold) >> (56 - 8 * i)) & 0xff);
  const char* bvalues[1] = {buf};
  int lengths[1] = {8};
  int formats[1] = {1};
  Oid types[1] = {20};
  Result b(PQexecParams(c, "SELECT MEASURE(count) FROM orders WHERE amount > $1", 1, types, bvalues,
                        lengths, formats, 1));
  CHECK_EQ(PQresultStatus(b.get()), PGRES_TUPLES_OK);
  CHECK_EQ(PQfformat(b.get(), 0), 1);
  CHECK_EQ(PQgetlength(b.get(), 0, 0), 8);
  CHECK_EQ(be64(PQgetvalue(b.get(), 0, 0)), 3);  // 100, 200, 70

  // Binary numeric: 465.00 is ndigits 1, weight 0, sign 0, dscale 2, digits [465].
  Result n(PQexecParams(c, "SELECT SUM(total_amount) FROM orders", 0, nullptr, nullptr, nullptr,
                        nullptr, 1));
  CHECK_EQ(PQresultStatus(n.get()), PGRES_TUPLES_OK);
  const char* v = PQgetvalue(n.get(), 0, 0);
  CHECK_EQ(PQgetlength(n.get(), 0, 0), 10);
  CHECK_EQ((static_cast<uint8_t>(v[0]) << 8 | static_cast<uint8_t>(v[1])), 1);
  CHECK_EQ((static_cast<uint8_t>(v[6]) << 8 | static_cast<uint8_t>(v[7])), 2);
  CHECK_EQ((static_cast<uint8_t>(v[8]) << 8 | static_cast<uint8_t>(v[9])), 465);

  // Named prepared statement, described before it runs.
  Result p(PQprepare(c, "by_status",
                     "SELECT status, MEASURE(count) FROM orders WHERE status = $1 GROUP BY 1", 1,
                     nullptr));
  CHECK_EQ(PQresultStatus(p.get()), PGRES_COMMAND_OK);
  Result d(PQdescribePrepared(c, "by_status"));
  CHECK_EQ(PQresultStatus(d.get()), PGRES_COMMAND_OK);
  CHECK_EQ(PQnfields(d.get()), 2);
  CHECK_EQ(PQnparams(d.get()), 1);
  CHECK_EQ(std::string(PQfname(d.get(), 0)), "status");
  CHECK_EQ(PQftype(d.get(), 1), 20u);
  for (const char* s : {"completed", "cancelled", "nope"}) {
    const char* pv[1] = {s};
    Result e(PQexecPrepared(c, "by_status", 1, pv, nullptr, nullptr, 0));
    CHECK_EQ(PQresultStatus(e.get()), PGRES_TUPLES_OK);
    std::string want = std::string(s) == "completed"   ? "[completed|3]"
                       : std::string(s) == "cancelled" ? "[cancelled|1]"
                                                       : "";
    CHECK_EQ(show(text_rows(e.get())), want);
  }
  // A query with no rows still describes its columns.
  const char* none[1] = {"no-such-status"};
  Result z(PQexecPrepared(c, "by_status", 1, none, nullptr, nullptr, 0));
  CHECK_EQ(PQntuples(z.get()), 0);
  CHECK_EQ(PQnfields(z.get()), 2);
}

void errors_and_transactions(PGconn* c) {
  Result r(PQexec(c, "SELECT nope FROM orders"));
  CHECK_EQ(PQresultStatus(r.get()), PGRES_FATAL_ERROR);
  CHECK_EQ(std::string(PQresultErrorField(r.get(), PG_DIAG_SQLSTATE)), "42703");
  CHECK_EQ(std::string(PQresultErrorField(r.get(), PG_DIAG_STATEMENT_POSITION)), "8");

  Result s(PQexec(c, "SELECT * FROM orders WHERE"));
  CHECK_EQ(std::string(PQresultErrorField(s.get(), PG_DIAG_SQLSTATE)), "42601");
  CHECK(PQresultErrorField(s.get(), PG_DIAG_STATEMENT_POSITION) != nullptr);

  Result t(PQexec(c, "SELECT * FROM nowhere"));
  CHECK_EQ(std::string(PQresultErrorField(t.get(), PG_DIAG_SQLSTATE)), "42P01");

  Result u(PQexec(c, "SELECT SUM(count) FROM orders"));
  CHECK_EQ(std::string(PQresultErrorField(u.get(), PG_DIAG_SQLSTATE)), "0A000");
  CHECK(PQresultErrorField(u.get(), PG_DIAG_MESSAGE_HINT) != nullptr);

  Result b(PQexec(c, "BEGIN"));
  CHECK_EQ(PQtransactionStatus(c), PQTRANS_INTRANS);
  Result f(PQexec(c, "SELECT nope FROM orders"));
  CHECK_EQ(PQtransactionStatus(c), PQTRANS_INERROR);
  Result g(PQexec(c, "SELECT 1"));
  CHECK_EQ(std::string(PQresultErrorField(g.get(), PG_DIAG_SQLSTATE)), "25P02");
  Result h(PQexec(c, "ROLLBACK"));
  CHECK_EQ(PQtransactionStatus(c), PQTRANS_IDLE);
  CHECK_EQ(show(query(c, "SELECT 1")), "[1]");

  // Several statements in one simple query: all results, in order.
  CHECK(PQsendQuery(c, "SELECT 1; SELECT MEASURE(count) FROM orders; SELECT 'x'") == 1);
  std::vector<std::string> got;
  while (PGresult* res = PQgetResult(c)) {
    if (PQresultStatus(res) == PGRES_TUPLES_OK) got.push_back(PQgetvalue(res, 0, 0));
    PQclear(res);
  }
  CHECK_EQ(got.size(), 3u);
  if (got.size() == 3) {
    CHECK_EQ(got[1], "6");
    CHECK_EQ(got[2], "x");
  }
  CHECK_EQ(std::string(PQparameterStatus(c, "server_version")), "15.0");
  CHECK_EQ(std::string(PQparameterStatus(c, "integer_datetimes")), "on");
  CHECK_EQ(std::string(PQparameterStatus(c, "client_encoding")), "UTF8");
}

void cancellation(const std::string& slow_conninfo) {
  Conn c = connect(slow_conninfo);
  PGcancel* cancel = PQgetCancel(c.get());
  auto start = std::chrono::steady_clock::now();
  std::thread canceller([cancel] {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    char err[256];
    PQcancel(cancel, err, sizeof(err));
  });
  Result r(PQexec(c.get(), "SELECT MEASURE(count) FROM slow"));
  canceller.join();
  PQfreeCancel(cancel);
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                                  start)
                .count();
  CHECK_EQ(PQresultStatus(r.get()), PGRES_FATAL_ERROR);
  const char* state = PQresultErrorField(r.get(), PG_DIAG_SQLSTATE);
  CHECK_EQ(std::string(state ? state : ""), "57014");
  CHECK(ms < 5000);
  // The connection stays usable.
  CHECK_EQ(show(query(c.get(), "SELECT 41 + 1")), "[42]");
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) {
    std::cerr << "usage: pgwire_libpq_e2e CONNINFO PLAIN_DUCKDB_FILE SLOW_CONNINFO\n";
    return 2;
  }
  Conn c = connect(argv[1]);
  strata::DuckDbSourceOptions o;
  o.read_only = true;
  auto db = strata::DuckDbSource::open("plain", argv[2], o);
  same_answers_as_plain_sql(c.get(), *db);
  extended_protocol(c.get());
  errors_and_transactions(c.get());
  cancellation(argv[3]);
  std::cout << "libpq e2e: " << g_checks << " checks, " << g_failures << " failed\n";
  return g_failures == 0 ? 0 : 1;
}
