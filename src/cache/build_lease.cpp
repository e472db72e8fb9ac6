#include "cache/build_lease.h"

#include <fcntl.h>
#include <libpq-fe.h>
#include <openssl/rand.h>
#include <spdlog/spdlog.h>
#include <sys/file.h>
#include <unistd.h>

#include <random>

#include "core/error.h"

namespace strata {

std::string random_token(size_t bytes) {
  std::string raw(bytes, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(raw.data()), static_cast<int>(bytes)) != 1) {
    std::random_device rd;
    for (auto& c : raw) c = static_cast<char>(rd());
  }
  static const char* kHex = "0123456789abcdef";
  std::string out;
  for (unsigned char c : raw) {
    out += kHex[c >> 4];
    out += kHex[c & 15];
  }
  return out;
}

namespace {

class NoLease : public BuildLease {
 public:
  std::string_view kind() const override { return "none"; }
  bool try_acquire(std::chrono::milliseconds) override { return true; }
  bool renew(std::chrono::milliseconds) override { return true; }
  void release() override {}
};

class FileLease : public BuildLease {
 public:
  explicit FileLease(std::filesystem::path path) : path_(std::move(path)) {}
  ~FileLease() override { release(); }
  std::string_view kind() const override { return "file"; }
  bool try_acquire(std::chrono::milliseconds) override {
    if (fd_ >= 0) return true;
    std::error_code ec;
    std::filesystem::create_directories(path_.parent_path(), ec);
    int fd = ::open(path_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) {
      spdlog::warn("pre-aggregations: cannot open the lock file {}", path_.string());
      return false;
    }
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
      ::close(fd);
      return false;
    }
    fd_ = fd;
    return true;
  }
  bool renew(std::chrono::milliseconds) override { return fd_ >= 0; }
  void release() override {
    if (fd_ < 0) return;
    ::flock(fd_, LOCK_UN);
    ::close(fd_);
    fd_ = -1;
  }

 private:
  std::filesystem::path path_;
  int fd_ = -1;
};

class RedisLease : public BuildLease {
 public:
  RedisLease(std::shared_ptr<RedisClient> client, std::string key)
      : client_(std::move(client)), key_(std::move(key)), token_(random_token()) {}
  ~RedisLease() override { release(); }
  std::string_view kind() const override { return "redis"; }
  bool try_acquire(std::chrono::milliseconds ttl) override {
    if (held_) return renew(ttl);
    try {
      auto r = client_->command({"SET", key_, token_, "NX", "PX", std::to_string(ttl.count())});
      held_ = r.kind == RedisClient::Reply::Kind::kString && r.text == "OK";
      return held_;
    } catch (const Error& e) {
      spdlog::warn("pre-aggregations: the Redis build lease is unavailable ({}); not building",
                   e.message());
      return false;
    }
  }
  bool renew(std::chrono::milliseconds ttl) override {
    if (!held_) return false;
    static const char* kRenew =
        "if redis.call('get', KEYS[1]) == ARGV[1] then "
        "return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end";
    try {
      auto r = client_->command({"EVAL", kRenew, "1", key_, token_, std::to_string(ttl.count())});
      held_ = r.kind == RedisClient::Reply::Kind::kInteger && r.integer == 1;
    } catch (const Error& e) {
      spdlog::warn("pre-aggregations: cannot renew the Redis build lease ({})", e.message());
      held_ = false;
    }
    return held_;
  }
  void release() override {
    if (!held_) return;
    held_ = false;
    static const char* kRelease =
        "if redis.call('get', KEYS[1]) == ARGV[1] then "
        "return redis.call('del', KEYS[1]) else return 0 end";
    try {
      client_->command({"EVAL", kRelease, "1", key_, token_});
    } catch (const Error&) {
      // It expires by itself.
    }
  }

 private:
  std::shared_ptr<RedisClient> client_;
  std::string key_;
  std::string token_;
  bool held_ = false;
};

class PostgresLease : public BuildLease {
 public:
  PostgresLease(std::string conninfo, int64_t key) : conninfo_(std::move(conninfo)), key_(key) {}
  ~PostgresLease() override { release(); }
  std::string_view kind() const override { return "postgres"; }
  bool try_acquire(std::chrono::milliseconds) override {
    if (conn_ && check()) return true;
    close();
    conn_ = PQconnectdb(conninfo_.c_str());
    if (!conn_ || PQstatus(conn_) != CONNECTION_OK) {
      spdlog::warn(
          "pre-aggregations: cannot reach PostgreSQL for the build lease ({}); not "
          "building",
          conn_ ? PQerrorMessage(conn_) : "out of memory");
      close();
      return false;
    }
    PGresult* r = with_key("SELECT pg_try_advisory_lock($1::bigint)");
    bool ok = r && PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1 &&
              std::string(PQgetvalue(r, 0, 0)) == "t";
    if (r) PQclear(r);
    if (!ok) close();
    return ok;
  }
  bool renew(std::chrono::milliseconds) override { return conn_ && check(); }
  void release() override {
    if (!conn_) return;
    if (PGresult* r = with_key("SELECT pg_advisory_unlock($1::bigint)")) PQclear(r);
    close();
  }

 private:
  // Runs `sql` with the lock key as its parameter $1; the caller clears the result.
  PGresult* with_key(const char* sql) {
    std::string key = std::to_string(key_);
    const char* values[] = {key.c_str()};
    return PQexecParams(conn_, sql, 1, nullptr, values, nullptr, nullptr, 0);
  }
  // The session is alive, so its advisory lock is still held.
  bool check() {
    PGresult* r = PQexec(conn_, "SELECT 1");
    bool ok = r && PQresultStatus(r) == PGRES_TUPLES_OK;
    if (r) PQclear(r);
    return ok && PQstatus(conn_) == CONNECTION_OK;
  }
  void close() {
    if (conn_) PQfinish(conn_);
    conn_ = nullptr;
  }
  std::string conninfo_;
  int64_t key_;
  PGconn* conn_ = nullptr;
};

}  // namespace

std::unique_ptr<BuildLease> make_no_lease() {
  return std::make_unique<NoLease>();
}
std::unique_ptr<BuildLease> make_file_lease(std::filesystem::path lock_file) {
  return std::make_unique<FileLease>(std::move(lock_file));
}
std::unique_ptr<BuildLease> make_redis_lease(std::shared_ptr<RedisClient> client, std::string key) {
  return std::make_unique<RedisLease>(std::move(client), std::move(key));
}
std::unique_ptr<BuildLease> make_postgres_lease(std::string conninfo, int64_t lock_key) {
  return std::make_unique<PostgresLease>(std::move(conninfo), lock_key);
}

}  // namespace strata
