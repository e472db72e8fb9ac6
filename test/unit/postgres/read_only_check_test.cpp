// The SQL pass-through's read-only checks: the conservative one every engine
// gets (api/sources_admin.h) and PostgreSQL's parser-based one.
#include <gtest/gtest.h>

#include "api/sources_admin.h"
#include "core/error.h"
#include "source/postgres/pg_statement.h"

namespace strata {
namespace {

TEST(ReadOnlyCheck, AcceptsReads) {
  for (const char* sql :
       {"SELECT 1", "select * from orders where status = 'x' order by 1 limit 5;",
        "WITH t AS (SELECT 1 AS a) SELECT a FROM t", "VALUES (1), (2)", "SHOW TimeZone",
        "EXPLAIN SELECT 1", "(SELECT 1) UNION ALL (SELECT 2)", "SELECT 'it''s -- not a comment'",
        "SELECT \"update\" FROM t /* a comment: DELETE */ -- DROP\n",
        "SELECT replace(name, 'a', 'b') FROM users"}) {
    EXPECT_NO_THROW(check_read_only_sql(sql)) << sql;
  }
}

TEST(ReadOnlyCheck, RefusesWritesAndTricks) {
  for (const char* sql : {
           "INSERT INTO t VALUES (1)",
           "SELECT 1; DELETE FROM t",
           "SELECT 1; SELECT 2",
           "WITH d AS (DELETE FROM t RETURNING *) SELECT * FROM d",
           "SELECT * INTO new_table FROM t",
           "SELECT * FROM t FOR UPDATE",
           "SELECT * FROM t FOR SHARE",
           "SET search_path = x",
           "COPY t TO '/tmp/x'",
           "CREATE TABLE x AS SELECT 1",
           "SELECT $$'$$; DROP TABLE x; --'",
           "SELECT 'a\\'; DELETE FROM t; --'",
           "SELECT E'\\''",
           "/* /* nested */ DELETE FROM t */ SELECT 1",
           "SELECT 'unterminated",
           "",
           "   ;",
           "CALL p()",
           "SELECT * FROM t INTO OUTFILE '/tmp/x'",
           "ATTACH 'x.db'",
           "PRAGMA enable_profiling",
       }) {
    EXPECT_THROW(check_read_only_sql(sql), UserError) << sql;
  }
}

TEST(PostgresReadOnlyCheck, ParsesWithPostgresGrammar) {
  for (const char* sql : {"SELECT 1", "SELECT $$it's$$", "WITH t AS (SELECT 1) SELECT * FROM t",
                          "EXPLAIN ANALYZE SELECT 1", "SHOW search_path", "VALUES (1)",
                          "TABLE orders", "SELECT pg_sleep(1)"}) {
    EXPECT_NO_THROW(check_postgres_read_only(sql)) << sql;
  }
  for (const char* sql :
       {"SELECT 1; SELECT 2", "INSERT INTO t VALUES (1)", "EXPLAIN ANALYZE DELETE FROM t",
        "WITH d AS (UPDATE t SET x = 1 RETURNING *) SELECT * FROM d", "SELECT * INTO x FROM t",
        "SELECT * FROM t FOR NO KEY UPDATE",
        "SELECT set_config('default_transaction_read_only', 'off', false)",
        "SELECT pg_catalog.pg_terminate_backend(1)", "SELECT lo_import('/etc/passwd')", "SET x = 1",
        "SELEC 1"}) {
    EXPECT_THROW(check_postgres_read_only(sql), UserError) << sql;
  }
  try {
    check_postgres_read_only("SELECT FROM WHERE");
    FAIL();
  } catch (const UserError& e) {
    EXPECT_GT(e.context().position, 0);
  }
}

}  // namespace
}  // namespace strata
