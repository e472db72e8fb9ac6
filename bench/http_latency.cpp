// http_latency: sends the same GET request RUNS times over one keep-alive
// connection and prints latency percentiles (time from sending the request
// to reading the whole response).
//
//   http_latency HOST PORT TARGET AUTHORIZATION [RUNS]
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

namespace beast = boost::beast;
namespace http = beast::http;
using tcp = boost::asio::ip::tcp;

int main(int argc, char** argv) {
  if (argc < 5) {
    std::fprintf(stderr, "usage: http_latency HOST PORT TARGET AUTHORIZATION [RUNS]\n");
    return 2;
  }
  int runs = argc > 5 ? std::atoi(argv[5]) : 30;
  boost::asio::io_context ioc;
  tcp::resolver resolver(ioc);
  beast::tcp_stream stream(ioc);
  stream.connect(resolver.resolve(argv[1], argv[2]));
  http::request<http::empty_body> req{http::verb::get, argv[3], 11};
  req.set(http::field::host, argv[1]);
  req.set(http::field::authorization, argv[4]);
  req.keep_alive(true);

  std::vector<double> ms;
  size_t bytes = 0;
  int status = 0;
  for (int i = 0; i < runs + 3; ++i) {
    auto start = std::chrono::steady_clock::now();
    http::write(stream, req);
    beast::flat_buffer buffer;
    http::response<http::string_body> res;
    http::read(stream, buffer, res);
    double elapsed =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    status = res.result_int();
    bytes = res.body().size();
    if (status != 200 || res.body().find("\"error\"") != std::string::npos) {
      std::fprintf(stderr, "request failed (%d): %.300s\n", status, res.body().c_str());
      return 1;
    }
    if (i >= 3) ms.push_back(elapsed);
  }
  std::sort(ms.begin(), ms.end());
  auto pct = [&](double p) { return ms[std::min(ms.size() - 1, static_cast<size_t>(p * ms.size()))]; };
  std::printf("status=%d bytes=%zu runs=%d p50_ms=%.3f p95_ms=%.3f min_ms=%.3f\n", status, bytes,
              runs, pct(0.5), pct(0.95), ms.front());
  return 0;
}
