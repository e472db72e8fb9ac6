// SqlSession over the shop fixture (an in-memory DuckDB seeded with
// test/fixtures/shop/seed.sql): the three paths (direct, post-processed,
// catalog), session statements and errors. Expected answers are computed by
// hand from the seed: 6 orders, total 465.00; completed 3 / 370.00,
// pending 2 / 65.00, cancelled 1 / 30.00; by month (UTC) Jan 3, Feb 2, Mar 1.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "core/error.h"
#include "exec/query_service.h"
#include "model/loader.h"
#include "pgwire/bytes.h"
#include "pgwire/sql_session.h"
#include "source/duckdb/duckdb_source.h"

namespace strata::pgwire {
namespace {

using Rows = std::vector<std::vector<std::string>>;

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Collects what a statement sends, cells in PostgreSQL's text format.
class Recorder : public ResultWriter {
 public:
  explicit Recorder(const TimeZone& tz) : tz_(tz) {}
  void columns(const std::vector<PgField>& f) override { fields = f; }
  bool rows(const ResultSet& b, const std::vector<int>& map) override {
    for (size_t r = 0; r < b.row_count(); ++r) {
      std::vector<std::string> row;
      for (size_t i = 0; i < map.size(); ++i) {
        if (map[i] < 0 || b.column(static_cast<size_t>(map[i])).is_null(r)) {
          row.push_back("NULL");
          continue;
        }
        const Column& c = b.column(static_cast<size_t>(map[i]));
        std::string out;
        CellEncoder(c.type(), fields[i].type_oid, false, &tz_).append(c, r, out);
        row.push_back(out.substr(4));
      }
      rows_.push_back(row);
    }
    return true;
  }
  void notice(const ErrorFields& n) override { notices.push_back(n); }
  void parameter_status(const std::string& name, const std::string& value) override {
    statuses.emplace_back(name, value);
  }
  Rows rows_;
  std::vector<PgField> fields;
  std::vector<ErrorFields> notices;
  std::vector<std::pair<std::string, std::string>> statuses;

 private:
  const TimeZone& tz_;
};

class SessionTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    model_ = load_model(std::string(STRATA_SOURCE_DIR) + "/test/fixtures/shop/model");
    auto db = DuckDbSource::open("default", ":memory:");
    db->query(read_file(std::string(STRATA_SOURCE_DIR) + "/test/fixtures/shop/seed.sql"), {});
    sources_ = std::make_unique<SourceRegistry>();
    sources_->add(std::move(db));
    service_ = std::make_unique<QueryService>(model_, *sources_, QueryServiceOptions{2});
    SqlEngineOptions o;
    o.users = {"alice"};
    engine_ = std::make_unique<SqlEngine>(*service_, o);
  }
  static void TearDownTestSuite() {
    engine_.reset();
    service_.reset();
    sources_.reset();
    model_.reset();
  }

  void SetUp() override {
    session_ = std::make_unique<SqlSession>(*engine_,
                                            SecurityContext{"{\"sub\":\"alice\"}", "alice", true},
                                            "alice", 4242, std::map<std::string, std::string>{});
  }

  // Runs every statement of `sql`; returns the last one's rows.
  Rows run(const std::string& sql) {
    auto parsed = ParsedSql::parse(sql);
    Rows last;
    for (size_t i = 0; i < parsed->statements().size(); ++i) {
      rec_ = std::make_unique<Recorder>(session_->time_zone());
      tag_ = session_->execute(*parsed, i, {}, {}, *rec_);
      last = rec_->rows_;
    }
    return last;
  }

  std::string error_of(const std::string& sql) {
    try {
      run(sql);
    } catch (const Error& e) {
      session_->failed();
      return e.sqlstate();
    }
    return "no error";
  }

  std::vector<std::string> names() const {
    std::vector<std::string> n;
    for (const auto& f : rec_->fields) n.push_back(f.name);
    return n;
  }

  static inline std::shared_ptr<const Model> model_;
  static inline std::unique_ptr<SourceRegistry> sources_;
  static inline std::unique_ptr<QueryService> service_;
  static inline std::unique_ptr<SqlEngine> engine_;
  std::unique_ptr<SqlSession> session_;
  std::unique_ptr<Recorder> rec_;
  std::string tag_;
};

TEST_F(SessionTest, DirectQueryAnswersTheIssueExample) {
  Rows r =
      run("SELECT status, MEASURE(count), MEASURE(total_amount) FROM orders "
          "WHERE created_at >= '2024-01-01' GROUP BY 1 ORDER BY 3 DESC LIMIT 10");
  EXPECT_EQ(
      r,
      (Rows{{"completed", "3", "370.00"}, {"pending", "2", "65.00"}, {"cancelled", "1", "30.00"}}));
  EXPECT_EQ(tag_, "SELECT 3");
  EXPECT_EQ(names(), (std::vector<std::string>{"status", "measure", "measure"}));
  EXPECT_EQ(rec_->fields[1].type_oid, 20);
  EXPECT_EQ(rec_->fields[2].type_oid, 1700);
}

TEST_F(SessionTest, TotalsAndMonths) {
  EXPECT_EQ(run("SELECT COUNT(*), SUM(total_amount) FROM orders"), (Rows{{"6", "465.00"}}));
  EXPECT_EQ(run("SELECT DATE_TRUNC('month', created_at) AS m, COUNT(*) FROM orders GROUP BY 1 "
                "ORDER BY 1"),
            (Rows{{"2024-01-01 00:00:00", "3"},
                  {"2024-02-01 00:00:00", "2"},
                  {"2024-03-01 00:00:00", "1"}}));
}

TEST_F(SessionTest, FiltersSegmentsAndParameters) {
  EXPECT_EQ(run("SELECT MEASURE(count) FROM orders WHERE completed"), (Rows{{"3"}}));
  EXPECT_EQ(run("SELECT MEASURE(count) FROM orders WHERE status <> 'completed'"), (Rows{{"3"}}));
  EXPECT_EQ(run("SELECT status FROM orders WHERE amount >= 100 ORDER BY 1"),
            (Rows{{"completed"}, {"completed"}}));
  auto parsed = ParsedSql::parse("SELECT MEASURE(total_amount) FROM orders WHERE status = $1");
  Recorder rec(session_->time_zone());
  session_->execute(*parsed, 0, {std::string("pending")}, {}, rec);
  EXPECT_EQ(rec.rows_, (Rows{{"65.00"}}));
}

TEST_F(SessionTest, WindowFunctionsOverASubquery) {
  EXPECT_EQ(run("SELECT status, c, rank() OVER (ORDER BY c DESC) AS r FROM "
                "(SELECT status, MEASURE(count) AS c FROM orders GROUP BY 1) t ORDER BY 3"),
            (Rows{{"completed", "3", "1"}, {"pending", "2", "2"}, {"cancelled", "1", "3"}}));
  EXPECT_EQ(names(), (std::vector<std::string>{"status", "c", "r"}));
}

TEST_F(SessionTest, CteAndExpressionsOverAggregates) {
  EXPECT_EQ(run("WITH s AS (SELECT status, SUM(total_amount) AS t FROM orders GROUP BY 1) "
                "SELECT status, round(100 * t / (SELECT SUM(total_amount) FROM orders), 1) AS pct "
                "FROM s ORDER BY 1"),
            (Rows{{"cancelled", "6.5"}, {"completed", "79.6"}, {"pending", "14"}}));
  EXPECT_EQ(run("SELECT status, MEASURE(count) * 2 FROM orders GROUP BY 1 ORDER BY 1"),
            (Rows{{"cancelled", "2"}, {"completed", "6"}, {"pending", "4"}}));
  EXPECT_EQ(names(), (std::vector<std::string>{"status", "?column?"}));
}

TEST_F(SessionTest, UnionCaseAndRegrouping) {
  EXPECT_EQ(run("SELECT status AS x FROM orders GROUP BY 1 UNION ALL "
                "SELECT city FROM users GROUP BY 1 ORDER BY 1"),
            (Rows{{"Los Angeles"},
                  {"New York"},
                  {"San Francisco"},
                  {"cancelled"},
                  {"completed"},
                  {"pending"}}));
  EXPECT_EQ(run("SELECT CASE WHEN MEASURE(count) > 1 THEN 'many' ELSE 'one' END AS k, status "
                "FROM orders GROUP BY 2 ORDER BY 2"),
            (Rows{{"one", "cancelled"}, {"many", "completed"}, {"many", "pending"}}));
  // GROUP BY an expression of a dimension: counts and sums re-aggregate.
  EXPECT_EQ(run("SELECT status IN ('completed', 'pending') AS open_or_done, COUNT(*), "
                "SUM(total_amount) FROM orders GROUP BY 1 ORDER BY 1"),
            (Rows{{"f", "1", "30.00"}, {"t", "5", "435.00"}}));
}

TEST_F(SessionTest, AggregatesOverDimensionsUseRawRows) {
  EXPECT_EQ(run("SELECT SUM(amount), COUNT(DISTINCT status) FROM orders"), (Rows{{"465.00", "3"}}));
}

TEST_F(SessionTest, CatalogQueries) {
  Rows v = run("SELECT version()");
  ASSERT_EQ(v.size(), 1u);
  EXPECT_TRUE(v[0][0].starts_with("PostgreSQL 15.0")) << v[0][0];
  EXPECT_EQ(names(), std::vector<std::string>{"version"});
  EXPECT_EQ(run("SELECT current_database(), current_user, current_schema()"),
            (Rows{{"strata", "alice", "public"}}));
  EXPECT_EQ(run("SELECT 1"), (Rows{{"1"}}));
  EXPECT_EQ(names(), std::vector<std::string>{"?column?"});
  // psql's \dt (15).
  EXPECT_EQ(run("SELECT n.nspname as \"Schema\", c.relname as \"Name\", CASE c.relkind WHEN 'r' "
                "THEN 'table' WHEN 'v' THEN 'view' END as \"Type\", "
                "pg_catalog.pg_get_userbyid(c.relowner) as \"Owner\" FROM pg_catalog.pg_class c "
                "LEFT JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace LEFT JOIN "
                "pg_catalog.pg_am am ON am.oid = c.relam WHERE c.relkind IN ('r','p','') AND "
                "n.nspname <> 'pg_catalog' AND n.nspname !~ '^pg_toast' AND n.nspname <> "
                "'information_schema' AND pg_catalog.pg_table_is_visible(c.oid) ORDER BY 1,2"),
            (Rows{{"public", "line_items", "table", "strata"},
                  {"public", "orders", "table", "strata"},
                  {"public", "products", "table", "strata"},
                  {"public", "users", "table", "strata"}}));
  EXPECT_EQ(run("SELECT c.oid, n.nspname, c.relname FROM pg_catalog.pg_class c LEFT JOIN "
                "pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE c.relname "
                "OPERATOR(pg_catalog.~) '^(orders)$' COLLATE pg_catalog.default AND "
                "pg_catalog.pg_table_is_visible(c.oid) ORDER BY 2, 3"),
            (Rows{{"16385", "public", "orders"}}));
  EXPECT_EQ(
      run("SELECT a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod) FROM "
          "pg_catalog.pg_attribute a WHERE a.attrelid = '16385' AND a.attnum > 0 AND NOT "
          "a.attisdropped ORDER BY a.attnum LIMIT 3"),
      (Rows{{"id", "numeric"}, {"status", "text"}, {"created_at", "timestamp without time zone"}}));
  EXPECT_EQ(run("SELECT count(*) FROM information_schema.columns WHERE table_name = 'users'"),
            (Rows{{"6"}}));
  EXPECT_EQ(run("SELECT 'orders'::regclass::oid"), (Rows{{"16385"}}));
  EXPECT_EQ(run("SELECT t.typname FROM pg_type t WHERE t.oid = 1700"), (Rows{{"numeric"}}));
}

TEST_F(SessionTest, SetShowAndParameterStatus) {
  run("SET TimeZone = 'Europe/Berlin'");
  EXPECT_EQ(tag_, "SET");
  ASSERT_EQ(rec_->statuses.size(), 1u);
  EXPECT_EQ(rec_->statuses[0].first, "TimeZone");
  EXPECT_EQ(rec_->statuses[0].second, "Europe/Berlin");
  EXPECT_EQ(run("SHOW TimeZone"), (Rows{{"Europe/Berlin"}}));
  EXPECT_EQ(names(), std::vector<std::string>{"TimeZone"});
  EXPECT_EQ(run("SHOW server_version"), (Rows{{"15.0"}}));
  EXPECT_EQ(run("SELECT current_setting('TimeZone')"), (Rows{{"Europe/Berlin"}}));
  EXPECT_EQ(error_of("SET TimeZone = 'Mars/Olympus'"), "22023");
  EXPECT_EQ(error_of("SHOW no_such_thing"), "42704");
  run("RESET ALL");
  EXPECT_EQ(run("SHOW timezone"), (Rows{{"UTC"}}));
}

TEST_F(SessionTest, TransactionsAndFailedBlocks) {
  run("BEGIN");
  EXPECT_EQ(session_->transaction_status(), 'T');
  EXPECT_EQ(error_of("SELECT nope FROM orders"), "42703");
  EXPECT_EQ(session_->transaction_status(), 'E');
  EXPECT_EQ(error_of("SELECT 1"), "25P02");
  run("ROLLBACK");
  EXPECT_EQ(session_->transaction_status(), 'I');
  EXPECT_EQ(run("SELECT 1"), (Rows{{"1"}}));
  run("COMMIT");
  ASSERT_EQ(rec_->notices.size(), 1u);
  EXPECT_EQ(rec_->notices[0].sqlstate, "25P01");
}

TEST_F(SessionTest, ErrorsMapToSqlstates) {
  EXPECT_EQ(error_of("SELECT * FROM nowhere"), "42P01");
  EXPECT_EQ(error_of("SELEC 1"), "42601");
  EXPECT_EQ(error_of("INSERT INTO orders VALUES (1)"), "25006");
  EXPECT_EQ(error_of("CREATE TABLE x (a int)"), "25006");
  EXPECT_EQ(error_of("SELECT * FROM read_csv('/etc/passwd')"), "42883");
  EXPECT_EQ(error_of("SELECT * FROM duckdb_tables()"), "42883");
  EXPECT_EQ(error_of("LISTEN x"), "0A000");
}

TEST_F(SessionTest, DescribeWithoutRunning) {
  auto parsed =
      ParsedSql::parse("SELECT status, MEASURE(count) FROM orders WHERE status = $1 GROUP BY 1");
  StatementDescription d = session_->describe(*parsed, 0, nullptr, {});
  ASSERT_EQ(d.fields.size(), 2u);
  EXPECT_EQ(d.fields[0].type_oid, 25);
  EXPECT_EQ(d.fields[1].type_oid, 20);
  EXPECT_EQ(d.param_types.size(), 1u);
  auto catalog = ParsedSql::parse("SELECT oid, relname FROM pg_class WHERE relname = $1");
  StatementDescription c = session_->describe(*catalog, 0, nullptr, {});
  ASSERT_EQ(c.fields.size(), 2u);
  EXPECT_EQ(c.fields[0].type_oid, 20);
  EXPECT_EQ(c.fields[1].type_oid, 25);
  auto post = ParsedSql::parse("SELECT status, MEASURE(count) * 2 AS x FROM orders GROUP BY 1");
  StatementDescription p = session_->describe(*post, 0, nullptr, {});
  ASSERT_EQ(p.fields.size(), 2u);
  EXPECT_EQ(p.fields[1].name, "x");
  EXPECT_EQ(p.fields[1].type_oid, 20);
}

}  // namespace
}  // namespace strata::pgwire
