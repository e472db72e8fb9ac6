// ApiServer over real sockets: keep-alive, limits, malformed HTTP, long
// polling and graceful stop, with a real QueryService over in-memory DuckDB.
#include "api/http_server.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>
#include <boost/url/encode.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>
#include <thread>

#include "exec/query_service.h"
#include "model/loader.h"
#include "security/jwt.h"
#include "source/duckdb/duckdb_source.h"

namespace strata {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace json = boost::json;
using tcp = asio::ip::tcp;
using ::testing::HasSubstr;

constexpr const char* kSecret = "unit-secret";

constexpr const char* kModel = R"(
cubes:
  - name: items
    sql_table: items
    dimensions:
      - name: id
        sql: id
        type: number
        primary_key: true
      - name: kind
        sql: kind
        type: string
    measures:
      - name: count
        type: count
  - name: slow
    sql: >
      SELECT i AS id FROM range(3) t(i)
      WHERE (SELECT sum(hash(j) % 7) FROM range(20000000) r(j)) >= 0
    dimensions:
      - name: id
        sql: id
        type: number
        primary_key: true
    measures:
      - name: count
        type: count
)";

std::string encode(std::string_view s) {
  return boost::urls::encode(s, boost::urls::unreserved_chars);
}

std::string load_target(std::string_view query_json) {
  return "/cubejs-api/v1/load?query=" + encode(query_json);
}

// A blocking HTTP/1.1 client over one connection.
class Client {
 public:
  explicit Client(uint16_t port) : stream_(ioc_) {
    stream_.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  }

  http::response<http::string_body> send(http::request<http::string_body> req) {
    req.version(11);
    req.set(http::field::host, "127.0.0.1");
    req.prepare_payload();
    http::write(stream_, req);
    return read();
  }

  http::response<http::string_body> request(http::verb verb, std::string target,
                                            std::string token = "", std::string body = "") {
    http::request<http::string_body> req{verb, target, 11};
    if (!token.empty()) req.set(http::field::authorization, token);
    if (!body.empty()) req.set(http::field::content_type, "application/json");
    req.body() = std::move(body);
    return send(std::move(req));
  }

  http::response<http::string_body> read() {
    http::response<http::string_body> res;
    http::read(stream_, buffer_, res);
    return res;
  }

  void write_raw(std::string_view bytes) { asio::write(stream_.socket(), asio::buffer(bytes)); }

  // True when the server closes the connection (EOF) within `within`.
  bool closed_by_server(std::chrono::milliseconds within) {
    char c;
    beast::error_code result;
    bool done = false;
    stream_.socket().async_read_some(asio::buffer(&c, 1), [&](beast::error_code ec, size_t) {
      result = ec;
      done = true;
    });
    ioc_.restart();
    ioc_.run_for(within);
    if (!done) {
      stream_.socket().cancel();
      ioc_.restart();
      ioc_.run();
      return false;
    }
    return result == asio::error::eof || result == asio::error::connection_reset;
  }

 private:
  asio::io_context ioc_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
};

json::value body_json(const http::response<http::string_body>& res) {
  return json::parse(res.body());
}

class ApiServerTest : public ::testing::Test {
 protected:
  void SetUp() override { start_server({}); }

  void TearDown() override { stop_server(); }

  void start_server(std::function<void(ApiOptions&)> tweak) {
    model_ = load_model_from_files({{"model.yml", kModel}});
    auto source = DuckDbSource::open("default", ":memory:");
    source->query(
        "CREATE TABLE items AS SELECT i AS id, CASE WHEN i % 2 = 0 THEN 'even' ELSE 'odd' END "
        "AS kind FROM range(5) t(i)",
        {});
    sources_ = std::make_unique<SourceRegistry>();
    sources_->add(std::move(source));
    QueryServiceOptions qs;
    qs.worker_threads = 2;
    service_ = std::make_unique<QueryService>(model_, *sources_, qs);
    ApiOptions o;
    o.port = 0;
    o.threads = 2;
    o.api_secret = kSecret;
    o.continue_wait = std::chrono::milliseconds(50);
    o.max_body_bytes = 4096;
    o.read_timeout = std::chrono::milliseconds(2000);
    o.sources = sources_.get();
    if (tweak) tweak(o);
    server_ = std::make_unique<ApiServer>(*service_, o);
    port_ = server_->start();
    token_ = sign_jwt_hs256(R"({"sub":"unit"})", kSecret);
  }

  void stop_server() {
    if (server_) {
      server_->stop();
      server_->wait();
    }
    server_.reset();
    service_.reset();
    sources_.reset();
  }

  std::shared_ptr<const Model> model_;
  std::unique_ptr<SourceRegistry> sources_;
  std::unique_ptr<QueryService> service_;
  std::unique_ptr<ApiServer> server_;
  uint16_t port_ = 0;
  std::string token_;
};

TEST_F(ApiServerTest, BindsAnEphemeralPort) {
  EXPECT_NE(port_, 0);
  EXPECT_EQ(server_->port(), port_);
}

TEST_F(ApiServerTest, KeepAliveServesSeveralRequestsOnOneConnection) {
  Client c(port_);
  for (int i = 0; i < 3; ++i) {
    auto res = c.request(http::verb::get, "/livez");
    EXPECT_EQ(res.result_int(), 200);
    EXPECT_TRUE(res.keep_alive());
    EXPECT_EQ(body_json(res), json::parse(R"({"health":"HEALTH"})"));
    EXPECT_EQ(res[http::field::content_type], "application/json; charset=utf-8");
  }
}

TEST_F(ApiServerTest, LoadNeedsAToken) {
  Client c(port_);
  auto denied = c.request(http::verb::get, load_target(R"({"measures":["items.count"]})"));
  EXPECT_EQ(denied.result_int(), 403);
  EXPECT_EQ(body_json(denied).at("error"), json::value("Authorization header isn't set"));
  auto ok = c.request(http::verb::get, load_target(R"({"measures":["items.count"]})"),
                      "Bearer " + token_);
  ASSERT_EQ(ok.result_int(), 200) << ok.body();
  EXPECT_EQ(body_json(ok).at("data"), json::parse(R"([{"items.count":"5"}])"));
}

TEST_F(ApiServerTest, PostLoadAndMultiQueryShape) {
  Client c(port_);
  auto res = c.request(http::verb::post, "/cubejs-api/v1/load", token_,
                       R"({"query":{"measures":["items.count"],"dimensions":["items.kind"],
                           "order":{"items.kind":"asc"}},"queryType":"multi"})");
  ASSERT_EQ(res.result_int(), 200) << res.body();
  json::value b = body_json(res);
  EXPECT_EQ(b.at("queryType"), json::value("regularQuery"));
  EXPECT_EQ(b.at("results").at(0).at("data"),
            json::parse(R"([{"items.kind":"even","items.count":"3"},
                            {"items.kind":"odd","items.count":"2"}])"));
  EXPECT_EQ(b.at("pivotQuery").at("queryType"), json::value("regularQuery"));
  EXPECT_EQ(b.at("slowQuery"), json::value(false));
}

TEST_F(ApiServerTest, QueryErrorsAreJson) {
  Client c(port_);
  auto res = c.request(http::verb::get, load_target(R"({"measures":["items.nope"]})"), token_);
  EXPECT_EQ(res.result_int(), 400);
  EXPECT_THAT(std::string(body_json(res).at("error").as_string()), HasSubstr("items.nope"));
  EXPECT_EQ(body_json(res).at("path"), json::value("measures[0]"));
  auto bad_json = c.request(http::verb::get, "/cubejs-api/v1/load?query=%7Boops", token_);
  EXPECT_EQ(bad_json.result_int(), 400);
  // The connection is still usable.
  EXPECT_EQ(c.request(http::verb::get, "/livez").result_int(), 200);
}

TEST_F(ApiServerTest, NotFoundAndWrongMethod) {
  Client c(port_);
  auto missing = c.request(http::verb::get, "/nothing/here");
  EXPECT_EQ(missing.result_int(), 404);
  EXPECT_EQ(body_json(missing).at("type"), json::value("NotFoundError"));
  auto wrong = c.request(http::verb::put, "/cubejs-api/v1/load", token_);
  EXPECT_EQ(wrong.result_int(), 405);
  EXPECT_EQ(wrong[http::field::allow], "GET, POST");
  auto preflight = c.request(http::verb::options, "/cubejs-api/v1/load");
  EXPECT_EQ(preflight.result_int(), 204);
  EXPECT_EQ(preflight[http::field::access_control_allow_origin], "*");
}

TEST_F(ApiServerTest, OversizedBodyGets413AndTheConnectionCloses) {
  Client c(port_);
  auto res = c.request(http::verb::post, "/cubejs-api/v1/load", token_, std::string(10000, 'x'));
  EXPECT_EQ(res.result_int(), 413);
  EXPECT_THAT(std::string(body_json(res).at("error").as_string()), HasSubstr("4096 bytes"));
  EXPECT_FALSE(res.keep_alive());
  EXPECT_TRUE(c.closed_by_server(std::chrono::seconds(5)));
}

TEST_F(ApiServerTest, MalformedHttpGets400) {
  Client c(port_);
  c.write_raw("THIS IS NOT HTTP\r\n\r\n");
  auto res = c.read();
  EXPECT_EQ(res.result_int(), 400);
  EXPECT_THAT(std::string(body_json(res).at("error").as_string()), HasSubstr("Malformed HTTP"));
}

TEST_F(ApiServerTest, ExpectContinueIsHonoured) {
  Client c(port_);
  http::request<http::string_body> req{http::verb::post, "/cubejs-api/v1/load", 11};
  req.set(http::field::authorization, token_);
  req.set(http::field::expect, "100-continue");
  req.body() = R"({"query":{"measures":["items.count"]}})";
  auto res = c.send(std::move(req));
  if (res.result() == http::status::continue_) res = c.read();
  EXPECT_EQ(res.result_int(), 200) << res.body();
}

TEST_F(ApiServerTest, ReadyzChecksTheSources) {
  Client c(port_);
  auto res = c.request(http::verb::get, "/readyz");
  EXPECT_EQ(res.result_int(), 200);
  EXPECT_EQ(body_json(res).at("health"), json::value("HEALTH"));
  EXPECT_EQ(body_json(res).at("sources").at(0).at("name"), json::value("default"));
  EXPECT_EQ(body_json(res).at("sources").at(0).at("ok"), json::value(true));
}

TEST_F(ApiServerTest, SqlAndDryRunAndMeta) {
  Client c(port_);
  auto sql =
      c.request(http::verb::get,
                "/cubejs-api/v1/sql?query=" + encode(R"({"measures":["items.count"]})"), token_);
  ASSERT_EQ(sql.result_int(), 200) << sql.body();
  EXPECT_TRUE(body_json(sql).at("sql").at("sql").at(0).is_string());
  EXPECT_EQ(body_json(sql).at("sql").at("sql").at(1), json::array());
  auto dry = c.request(http::verb::post, "/cubejs-api/v1/dry-run", token_,
                       R"({"query":{"measures":["items.count"]}})");
  ASSERT_EQ(dry.result_int(), 200) << dry.body();
  EXPECT_EQ(body_json(dry).at("queryType"), json::value("regularQuery"));
  auto meta = c.request(http::verb::get, "/cubejs-api/v1/meta", token_);
  ASSERT_EQ(meta.result_int(), 200);
  EXPECT_EQ(body_json(meta).at("cubes").as_array().size(), 2u);
}

TEST_F(ApiServerTest, LongPollingAnswersContinueWaitThenTheData) {
  Client c(port_);
  std::string target = load_target(R"({"measures":["slow.count"]})");
  auto first = c.request(http::verb::get, target, token_);
  ASSERT_EQ(first.result_int(), 200);
  EXPECT_EQ(body_json(first), json::parse(R"({"error":"Continue wait"})"));
  for (int i = 0; i < 1200; ++i) {  // 50 ms each: at most a minute
    auto again = c.request(http::verb::get, target, token_);
    ASSERT_EQ(again.result_int(), 200);
    json::value b = body_json(again);
    if (b.as_object().contains("error")) {
      EXPECT_EQ(b.at("error"), json::value("Continue wait"));
      continue;
    }
    EXPECT_EQ(b.at("data"), json::parse(R"([{"slow.count":"3"}])"));
    return;
  }
  FAIL() << "the slow query never finished";
}

TEST_F(ApiServerTest, IdleConnectionsTimeOut) {
  stop_server();
  start_server([](ApiOptions& o) { o.read_timeout = std::chrono::milliseconds(200); });
  Client c(port_);
  EXPECT_TRUE(c.closed_by_server(std::chrono::seconds(5)));
}

TEST_F(ApiServerTest, StopAnswersWaitingRequestsAndReturns) {
  stop_server();
  start_server([](ApiOptions& o) { o.continue_wait = std::chrono::seconds(30); });
  http::response<http::string_body> answer;
  std::string client_error;
  Client c(port_);  // connected before the server stops accepting
  std::thread client([&] {
    try {
      answer = c.request(http::verb::get, load_target(R"({"measures":["slow.count"]})"), token_);
    } catch (const std::exception& e) {
      client_error = e.what();
    }
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // the request is waiting
  auto started = std::chrono::steady_clock::now();
  server_->stop();
  server_->wait();
  client.join();
  auto took = std::chrono::steady_clock::now() - started;
  ASSERT_EQ(client_error, "");
  EXPECT_LT(took, std::chrono::seconds(10));
  EXPECT_EQ(answer.result_int(), 200);
  // Either the query won the race, or the client is told to retry.
  json::value b = json::parse(answer.body());
  EXPECT_TRUE(b.as_object().contains("data") || b.at("error") == json::value("Continue wait"));
  // The stop cut the wait short (continue_wait is 30 s): the server says it
  // closes. (A query that won the race was answered before the stop, on a
  // connection still kept alive then.)
  if (b.as_object().contains("error")) {
    EXPECT_FALSE(answer.keep_alive());
  }
  server_.reset();
}

TEST_F(ApiServerTest, ManyConcurrentClients) {
  std::vector<std::thread> clients;
  std::atomic<int> ok{0};
  for (int t = 0; t < 8; ++t) {
    clients.emplace_back([&] {
      try {
        Client c(port_);
        for (int i = 0; i < 10; ++i) {
          auto res =
              c.request(http::verb::get, load_target(R"({"measures":["items.count"]})"), token_);
          if (res.result_int() == 200) ++ok;
        }
      } catch (const std::exception&) {
        // counted as missing answers below
      }
    });
  }
  for (auto& t : clients) t.join();
  EXPECT_EQ(ok.load(), 80);
}

TEST(ApiServerStart, ReportsAnAddressInUse) {
  auto model = load_model_from_files({{"model.yml", kModel}});
  SourceRegistry sources;
  sources.add(DuckDbSource::open("default", ":memory:"));
  QueryService service(model, sources, {});
  ApiOptions o;
  o.port = 0;
  o.api_secret = kSecret;
  ApiServer first(service, o);
  o.port = first.start();
  ApiServer second(service, o);
  EXPECT_THROW(second.start(), UserError);
}

}  // namespace
}  // namespace strata
