// QueryService end to end on the shop fixture (test/fixtures/shop): planning
// with the real planner, running on a real in-memory DuckDB seeded with
// seed.sql, in-flight deduplication, limit + 1, totals, errors, shutdown.
//
// Hand-computed answers (see seed.sql): 6 orders, 465.00 in total; by status
// completed 3 / 370.00, pending 2 / 65.00, cancelled 1 / 30.00.
#include "exec/query_service.h"

#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>
#include <thread>

#include "core/error.h"
#include "model/loader.h"
#include "source/duckdb/duckdb_source.h"

namespace strata {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Wraps a real source: counts the statements it runs and can hold them at a
// gate, so a test can keep a query "in flight" as long as it needs.
class CountingSource : public Source {
 public:
  explicit CountingSource(std::unique_ptr<Source> inner) : inner_(std::move(inner)) {}

  const std::string& name() const override { return inner_->name(); }
  std::string_view type() const override { return inner_->type(); }
  const sql::Dialect& dialect() const override { return inner_->dialect(); }

  ResultSet query(const std::string& sql, const ExecOptions& options) override {
    {
      std::unique_lock lock(mu_);
      ++calls_[sql];
      ++total_;
      peak_ = std::max(peak_, ++running_);
      cv_.notify_all();
      cv_.wait(lock, [&] { return !gated_; });
    }
    struct Leave {
      CountingSource* s;
      ~Leave() {
        std::lock_guard lock(s->mu_);
        --s->running_;
      }
    } leave{this};
    return inner_->query(sql, options);
  }
  std::vector<TableInfo> list_tables() override { return inner_->list_tables(); }
  TableInfo describe_table(const std::string& schema, const std::string& name) override {
    return inner_->describe_table(schema, name);
  }
  SourceHealth health() override { return inner_->health(); }

  void close_gate() {
    std::lock_guard lock(mu_);
    gated_ = true;
  }
  void open_gate() {
    {
      std::lock_guard lock(mu_);
      gated_ = false;
    }
    cv_.notify_all();
  }
  // Waits until `n` statements are running (or held at the gate).
  bool wait_running(int n) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, 30s, [&] { return running_ >= n; });
  }
  int calls(const std::string& sql) {
    std::lock_guard lock(mu_);
    return calls_[sql];
  }
  int total() {
    std::lock_guard lock(mu_);
    return total_;
  }
  int peak() {
    std::lock_guard lock(mu_);
    return peak_;
  }

 private:
  std::unique_ptr<Source> inner_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::map<std::string, int> calls_;
  int total_ = 0;
  int running_ = 0;
  int peak_ = 0;
  bool gated_ = false;
};

class QueryServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = DuckDbSource::open("default", ":memory:");
    db->query(read_file(std::string(STRATA_SOURCE_DIR) + "/test/fixtures/shop/seed.sql"), {});
    auto counting = std::make_unique<CountingSource>(std::move(db));
    source_ = counting.get();
    registry_.add(std::move(counting));
    model_ = load_model(std::string(STRATA_SOURCE_DIR) + "/test/fixtures/shop/model");
  }

  std::unique_ptr<QueryService> service(QueryServiceOptions options = {}) {
    if (options.worker_threads == 0) options.worker_threads = 4;
    return std::make_unique<QueryService>(model_, registry_, options);
  }

  static SemanticQuery count_by_status() {
    SemanticQuery q;
    q.measures = {"orders.count", "orders.total_amount"};
    q.dimensions = {"orders.status"};
    q.order = {{"orders.count", true}};
    q.order_given = true;
    return q;
  }

  static int column_of(const QueryResult& r, const std::string& member) {
    for (size_t i = 0; i < r.columns.size(); ++i) {
      if (r.columns[i].member == member) return static_cast<int>(i);
    }
    ADD_FAILURE() << "no column for " << member;
    return 0;
  }

  static std::string text(const QueryResult& r, const std::string& member, size_t row) {
    const Column& c = r.rows.column(column_of(r, member));
    return c.is_null(row) ? "NULL" : to_text(c.value_at(row));
  }

  SourceRegistry registry_;
  CountingSource* source_ = nullptr;
  std::shared_ptr<const Model> model_;
};

TEST_F(QueryServiceTest, AnswersTheShopTotals) {
  auto svc = service();
  SemanticQuery q;
  q.measures = {"orders.count", "orders.total_amount"};
  QueryResult r = svc->run(q, SecurityContext{});
  ASSERT_EQ(r.rows.row_count(), 1u);
  ASSERT_EQ(r.columns.size(), r.rows.column_count());
  EXPECT_EQ(text(r, "orders.count", 0), "6");
  EXPECT_EQ(text(r, "orders.total_amount", 0), "465.00");
  EXPECT_FALSE(r.limit_reached);
  EXPECT_FALSE(r.total.has_value());
  EXPECT_EQ(r.source, "default");
  EXPECT_FALSE(r.sql.empty());
  EXPECT_EQ(r.sql, svc->plan(q, SecurityContext{}).sql);
  EXPECT_GT(r.exec_time.count(), 0);
  EXPECT_GE(r.plan_time.count(), 0);
}

TEST_F(QueryServiceTest, GroupsByStatus) {
  auto svc = service();
  QueryResult r = svc->run(count_by_status(), SecurityContext{});
  ASSERT_EQ(r.rows.row_count(), 3u);
  EXPECT_EQ(text(r, "orders.status", 0), "completed");
  EXPECT_EQ(text(r, "orders.count", 0), "3");
  EXPECT_EQ(text(r, "orders.total_amount", 0), "370.00");
  EXPECT_EQ(text(r, "orders.status", 1), "pending");
  EXPECT_EQ(text(r, "orders.count", 1), "2");
  EXPECT_EQ(text(r, "orders.total_amount", 1), "65.00");
  EXPECT_EQ(text(r, "orders.status", 2), "cancelled");
  EXPECT_EQ(text(r, "orders.count", 2), "1");
  EXPECT_EQ(text(r, "orders.total_amount", 2), "30.00");
  EXPECT_FALSE(r.limit_reached);
}

TEST_F(QueryServiceTest, LimitPlusOneAndTotal) {
  auto svc = service();
  SemanticQuery q = count_by_status();
  q.limit = 2;
  q.limit_given = true;
  q.total = true;
  QueryResult r = svc->run(q, SecurityContext{});
  ASSERT_EQ(r.rows.row_count(), 2u);  // the extra row is dropped
  EXPECT_TRUE(r.limit_reached);
  ASSERT_TRUE(r.total.has_value());
  EXPECT_EQ(*r.total, 3);
  EXPECT_EQ(text(r, "orders.status", 1), "pending");

  q.limit = 3;
  r = svc->run(q, SecurityContext{});
  EXPECT_EQ(r.rows.row_count(), 3u);
  EXPECT_FALSE(r.limit_reached);
  EXPECT_EQ(*r.total, 3);

  q.limit = 1;
  q.offset = 1;
  r = svc->run(q, SecurityContext{});
  ASSERT_EQ(r.rows.row_count(), 1u);
  EXPECT_EQ(text(r, "orders.status", 0), "pending");
  EXPECT_TRUE(r.limit_reached);  // cancelled comes after
  EXPECT_EQ(*r.total, 3);        // without limit and offset

  q.offset = 2;
  r = svc->run(q, SecurityContext{});
  ASSERT_EQ(r.rows.row_count(), 1u);
  EXPECT_EQ(text(r, "orders.status", 0), "cancelled");
  EXPECT_FALSE(r.limit_reached);

  q.offset = 5;
  q.total = false;
  r = svc->run(q, SecurityContext{});
  EXPECT_EQ(r.rows.row_count(), 0u);
  EXPECT_FALSE(r.limit_reached);
  EXPECT_FALSE(r.total.has_value());
}

TEST_F(QueryServiceTest, IdenticalQueriesInFlightRunOnce) {
  auto svc = service();
  SemanticQuery q = count_by_status();
  std::string sql = svc->plan(q, SecurityContext{}).sql;

  source_->close_gate();
  auto first = svc->submit(q, SecurityContext{});
  ASSERT_TRUE(source_->wait_running(1));
  auto second = svc->submit(q, SecurityContext{});
  EXPECT_EQ(first.get(), second.get());
  SemanticQuery renew = q;
  renew.renew_query = true;  // bypasses caches, not a run in flight
  EXPECT_EQ(svc->submit(renew, SecurityContext{}).get(), first.get());
  EXPECT_FALSE(first->done());

  source_->open_gate();
  const QueryResult& a = first->wait();
  const QueryResult& b = second->wait();
  EXPECT_EQ(&a, &b);
  EXPECT_EQ(a.rows.row_count(), 3u);
  EXPECT_EQ(source_->calls(sql), 1);

  // Once done, the same query runs again.
  auto third = svc->submit(q, SecurityContext{});
  EXPECT_NE(third.get(), first.get());
  EXPECT_EQ(third->wait().rows.row_count(), 3u);
  EXPECT_EQ(source_->calls(sql), 2);
}

TEST_F(QueryServiceTest, ManyThreadsSubmittingTheSameQueryShareOneRun) {
  auto svc = service();
  SemanticQuery q = count_by_status();
  std::string sql = svc->plan(q, SecurityContext{}).sql;
  source_->close_gate();
  auto first = svc->submit(q, SecurityContext{});
  ASSERT_TRUE(source_->wait_running(1));
  std::vector<std::thread> threads;
  std::atomic<int> same{0};
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&] {
      if (svc->submit(q, SecurityContext{}).get() == first.get()) ++same;
    });
  }
  for (auto& t : threads)
    t.join();
  source_->open_gate();
  EXPECT_EQ(same.load(), 8);
  EXPECT_EQ(first->wait().rows.row_count(), 3u);
  EXPECT_EQ(source_->calls(sql), 1);
}

TEST_F(QueryServiceTest, DifferentQueriesOrUsersDoNotShare) {
  auto svc = service();
  SemanticQuery q = count_by_status();
  SemanticQuery other = q;
  other.limit = 2;
  SecurityContext alice{
      .claims_json = "{\"sub\":\"alice\"}", .subject = "alice", .authenticated = true};
  SecurityContext bob{.claims_json = "{\"sub\":\"bob\"}", .subject = "bob", .authenticated = true};

  source_->close_gate();
  auto a = svc->submit(q, alice);
  auto b = svc->submit(q, bob);
  auto c = svc->submit(other, alice);
  EXPECT_NE(a.get(), b.get());
  EXPECT_NE(a.get(), c.get());
  ASSERT_TRUE(source_->wait_running(3));
  source_->open_gate();
  EXPECT_EQ(a->wait().rows.row_count(), 3u);
  EXPECT_EQ(b->wait().rows.row_count(), 3u);
  EXPECT_EQ(c->wait().rows.row_count(), 2u);
  EXPECT_TRUE(c->wait().limit_reached);
  EXPECT_EQ(source_->total(), 3);
}

TEST_F(QueryServiceTest, SubmitDoesNotBlockWhenWorkersAreBusy) {
  QueryServiceOptions o;
  o.worker_threads = 1;
  auto svc = service(o);
  SemanticQuery q = count_by_status();
  SemanticQuery other = q;
  other.limit = 2;
  source_->close_gate();
  auto a = svc->submit(q, SecurityContext{});
  ASSERT_TRUE(source_->wait_running(1));
  auto start = Clock::now();
  auto b = svc->submit(other, SecurityContext{});  // queued behind a
  EXPECT_LT(Clock::now() - start, 10s);
  EXPECT_FALSE(b->wait_for(50ms));
  source_->open_gate();
  EXPECT_EQ(a->wait().rows.row_count(), 3u);
  EXPECT_EQ(b->wait().rows.row_count(), 2u);
  EXPECT_EQ(source_->peak(), 1);  // one worker: one query at a time
}

TEST_F(QueryServiceTest, CallbacksFireWhenTheQueryFinishes) {
  auto svc = service();
  source_->close_gate();
  auto p = svc->submit(count_by_status(), SecurityContext{});
  std::mutex mu;
  std::condition_variable cv;
  int fired = 0;
  p->on_done([&] {
    std::lock_guard lock(mu);
    ++fired;
    cv.notify_all();
  });
  source_->open_gate();
  std::unique_lock lock(mu);
  ASSERT_TRUE(cv.wait_for(lock, 30s, [&] { return fired == 1; }));
  EXPECT_TRUE(p->done());
}

TEST_F(QueryServiceTest, PlanningErrorsAreThrownBySubmit) {
  auto svc = service();
  SemanticQuery q;
  q.measures = {"orders.no_such_measure"};
  EXPECT_THROW(svc->submit(q, SecurityContext{}), UserError);
  EXPECT_EQ(source_->total(), 0);
}

TEST_F(QueryServiceTest, UnknownDataSourceIsNotFoundAtPlanning) {
  auto model = load_model_from_files({{"elsewhere.yml", R"(cubes:
  - name: elsewhere
    sql_table: t
    data_source: warehouse
    measures:
      - name: count
        type: count
)"}});
  QueryService svc(model, registry_, {.worker_threads = 2});
  SemanticQuery q;
  q.measures = {"elsewhere.count"};
  EXPECT_THROW(svc.submit(q, SecurityContext{}), NotFoundError);
}

TEST_F(QueryServiceTest, SourceErrorsReachEveryWaiterAndAreNotKept) {
  auto model = load_model_from_files({{"broken.yml", R"(cubes:
  - name: broken
    sql_table: no_such_table
    measures:
      - name: count
        type: count
)"}});
  QueryService svc(model, registry_, {.worker_threads = 2});
  SemanticQuery q;
  q.measures = {"broken.count"};
  auto p = svc.submit(q, SecurityContext{});
  EXPECT_THROW(p->wait(), SourceError);
  try {
    p->wait();
  } catch (const SourceError& e) {
    EXPECT_EQ(e.source(), "default");
    EXPECT_NE(e.message().find("no_such_table"), std::string::npos) << e.message();
  }
  // A failed query leaves the in-flight map: the next submit runs again.
  auto again = svc.submit(q, SecurityContext{});
  EXPECT_NE(again.get(), p.get());
  EXPECT_THROW(again->wait(), SourceError);
  EXPECT_EQ(source_->total(), 2);
}

TEST_F(QueryServiceTest, QueryTimeout) {
  auto model = load_model_from_files({{"slow.yml", R"(cubes:
  - name: slow
    sql: "SELECT a.range AS id FROM range(100000000) a, range(100000) b WHERE (a.range + b.range) % 7 = 3"
    measures:
      - name: count
        type: count
)"}});
  QueryService svc(model, registry_, {.worker_threads = 2, .query_timeout = 200ms});
  SemanticQuery q;
  q.measures = {"slow.count"};
  auto start = Clock::now();
  auto p = svc.submit(q, SecurityContext{});
  ASSERT_TRUE(p->wait_for(60s));
  try {
    p->wait();
    FAIL() << "no timeout";
  } catch (const TimeoutError& e) {
    EXPECT_EQ(e.message(), "query cancelled after 200 ms");
  }
  EXPECT_LT(Clock::now() - start, 60s);
}

TEST_F(QueryServiceTest, DestructorWaitsForRunningQueries) {
  auto svc = service();
  source_->close_gate();
  auto p = svc->submit(count_by_status(), SecurityContext{});
  ASSERT_TRUE(source_->wait_running(1));
  std::thread opener([&] {
    std::this_thread::sleep_for(100ms);
    source_->open_gate();
  });
  svc.reset();
  EXPECT_TRUE(p->done());
  EXPECT_EQ(p->wait().rows.row_count(), 3u);
  opener.join();
}

TEST_F(QueryServiceTest, ParallelMixedQueries) {
  auto svc = service();
  std::vector<std::thread> threads;
  std::atomic<int> wrong{0};
  for (int t = 0; t < 6; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 20; ++i) {
        SemanticQuery q = count_by_status();
        q.limit = 1 + (t + i) % 3;
        q.limit_given = true;
        try {
          QueryResult r = svc->run(q, SecurityContext{});
          size_t expect = static_cast<size_t>(q.limit);
          if (r.rows.row_count() != expect || r.limit_reached != (expect < 3) ||
              text(r, "orders.count", 0) != "3") {
            ++wrong;
          }
        } catch (const std::exception& e) {
          ADD_FAILURE() << e.what();
          ++wrong;
        }
      }
    });
  }
  for (auto& th : threads)
    th.join();
  EXPECT_EQ(wrong.load(), 0);
}

}  // namespace
}  // namespace strata
