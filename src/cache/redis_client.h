// RedisClient: a small pool of synchronous hiredis connections to one Redis
// server, shared by the Redis result cache and the Redis build lease.
//
// Failure handling: a command that fails (connection refused, timeout,
// broken connection, an error reply) drops its connection, marks the
// server down and throws SourceError naming "redis". While marked down
// (retry_after, 5 s by default) commands fail at once without touching the
// network, so a dead Redis costs nothing per query; then one command tries
// to reconnect. Thread-safe: each command takes a pooled connection.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace strata {

struct RedisOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 6379;
  std::string password;  // AUTH when set (a secret: never logged)
  int database = 0;      // SELECT when not 0
  std::chrono::milliseconds connect_timeout{500};
  std::chrono::milliseconds command_timeout{1000};
  std::chrono::milliseconds retry_after{5000};
  int max_connections = 8;
};

class RedisClient {
 public:
  explicit RedisClient(RedisOptions options);
  ~RedisClient();
  RedisClient(const RedisClient&) = delete;
  RedisClient& operator=(const RedisClient&) = delete;

  // A reply: nil, a string (bulk or status), an integer, or an array of those.
  struct Reply {
    enum class Kind { kNil, kString, kInteger, kArray };
    Kind kind = Kind::kNil;
    std::string text;
    int64_t integer = 0;
    std::vector<Reply> items;
  };
  // Runs one command (arguments are binary-safe). Throws SourceError
  // ("redis", message) on any failure, including an error reply.
  Reply command(const std::vector<std::string>& args);

  // Whether the server is currently marked down.
  bool down() const;
  const RedisOptions& options() const { return options_; }

 private:
  struct Connection;
  std::unique_ptr<Connection> take();
  void give_back(std::unique_ptr<Connection> c);
  void mark_down(const std::string& why);

  RedisOptions options_;
  mutable std::mutex mu_;
  std::vector<std::unique_ptr<Connection>> idle_;
  std::chrono::steady_clock::time_point down_until_{};
};

}  // namespace strata
