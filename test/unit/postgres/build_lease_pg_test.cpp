// The PostgreSQL build lease (cache/build_lease.h) on the real test server:
// an advisory lock held by a session, so two workers never build at once.
#include <gtest/gtest.h>

#include "cache/build_lease.h"
#include "test_server.h"

namespace strata {
namespace {

using namespace std::chrono_literals;
using testing::TestServer;

std::string conninfo() {
  TestServer& s = TestServer::shared(
      "scripts/test-postgres", "STRATA_PG_", "STRATA_TEST_POSTGRES_ENV",
      {"--ssl", "--sql", TestServer::path("test/fixtures/shop/seed_postgres.sql")});
  return "host=127.0.0.1 port=" + std::to_string(s.port()) + " user=" + s.get("USER") +
         " password=" + s.get("PASSWORD") + " dbname=" + s.get("DATABASE");
}

TEST(PostgresBuildLease, OneHolderAtATimeUntilReleased) {
  constexpr int64_t kKey = 0x5354524154417465;  // this test's own lock key
  auto a = make_postgres_lease(conninfo(), kKey);
  auto b = make_postgres_lease(conninfo(), kKey);
  EXPECT_EQ(a->kind(), "postgres");
  ASSERT_TRUE(a->try_acquire(10s));
  EXPECT_FALSE(b->try_acquire(10s));  // the other session holds the lock
  EXPECT_TRUE(a->renew(10s));
  a->release();
  ASSERT_TRUE(b->try_acquire(10s));
  EXPECT_FALSE(a->try_acquire(10s));
  b->release();
  // Another key is another lock.
  auto c = make_postgres_lease(conninfo(), kKey + 1);
  ASSERT_TRUE(a->try_acquire(10s));
  EXPECT_TRUE(c->try_acquire(10s));
  a->release();
  c->release();
}

TEST(PostgresBuildLease, AnUnreachableServerRefusesTheLeaseWithoutThrowing) {
  // Port 1 on loopback: nothing listens there.
  auto lease = make_postgres_lease("host=127.0.0.1 port=1 connect_timeout=2 dbname=x", 1);
  EXPECT_FALSE(lease->try_acquire(1s));
  EXPECT_FALSE(lease->renew(1s));
  lease->release();  // nothing held: a no-op
}

}  // namespace
}  // namespace strata
