#include "cache/redis_client.h"

#include <hiredis/hiredis.h>
#include <sys/time.h>

#include "core/error.h"

namespace strata {

struct RedisClient::Connection {
  redisContext* ctx = nullptr;
  ~Connection() {
    if (ctx) redisFree(ctx);
  }
};

namespace {

timeval to_timeval(std::chrono::milliseconds d) {
  timeval tv;
  tv.tv_sec = static_cast<time_t>(d.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((d.count() % 1000) * 1000);
  return tv;
}

RedisClient::Reply convert(const redisReply* r) {
  RedisClient::Reply out;
  switch (r->type) {
    case REDIS_REPLY_STRING:
    case REDIS_REPLY_STATUS:
      out.kind = RedisClient::Reply::Kind::kString;
      out.text.assign(r->str, r->len);
      break;
    case REDIS_REPLY_INTEGER:
      out.kind = RedisClient::Reply::Kind::kInteger;
      out.integer = r->integer;
      break;
    case REDIS_REPLY_ARRAY:
      out.kind = RedisClient::Reply::Kind::kArray;
      for (size_t i = 0; i < r->elements; ++i) out.items.push_back(convert(r->element[i]));
      break;
    default: break;  // nil
  }
  return out;
}

struct ReplyDeleter {
  void operator()(redisReply* r) const {
    if (r) freeReplyObject(r);
  }
};
using ReplyPtr = std::unique_ptr<redisReply, ReplyDeleter>;

ReplyPtr run(redisContext* ctx, const std::vector<std::string>& args) {
  std::vector<const char*> argv;
  std::vector<size_t> lens;
  for (const auto& a : args) {
    argv.push_back(a.data());
    lens.push_back(a.size());
  }
  return ReplyPtr(static_cast<redisReply*>(
      redisCommandArgv(ctx, static_cast<int>(args.size()), argv.data(), lens.data())));
}

}  // namespace

RedisClient::RedisClient(RedisOptions options) : options_(std::move(options)) {}

RedisClient::~RedisClient() = default;

bool RedisClient::down() const {
  std::lock_guard lock(mu_);
  return std::chrono::steady_clock::now() < down_until_;
}

void RedisClient::mark_down(const std::string& why) {
  std::lock_guard lock(mu_);
  down_until_ = std::chrono::steady_clock::now() + options_.retry_after;
  idle_.clear();  // every pooled connection is suspect now
  (void)why;
}

std::unique_ptr<RedisClient::Connection> RedisClient::take() {
  {
    std::lock_guard lock(mu_);
    if (std::chrono::steady_clock::now() < down_until_) {
      throw SourceError("redis", "Redis at " + options_.host + ":" + std::to_string(options_.port) +
                                     " is down (retrying shortly)");
    }
    if (!idle_.empty()) {
      auto c = std::move(idle_.back());
      idle_.pop_back();
      return c;
    }
  }
  auto c = std::make_unique<Connection>();
  c->ctx = redisConnectWithTimeout(options_.host.c_str(), options_.port,
                                   to_timeval(options_.connect_timeout));
  std::string where = options_.host + ":" + std::to_string(options_.port);
  if (!c->ctx || c->ctx->err) {
    std::string why = c->ctx ? c->ctx->errstr : "out of memory";
    mark_down(why);
    throw SourceError("redis", "cannot connect to Redis at " + where + ": " + why);
  }
  redisSetTimeout(c->ctx, to_timeval(options_.command_timeout));
  auto setup = [&](const std::vector<std::string>& args) {
    ReplyPtr r = run(c->ctx, args);
    if (!r || r->type == REDIS_REPLY_ERROR) {
      std::string why = r ? std::string(r->str, r->len) : c->ctx->errstr;
      mark_down(why);
      throw SourceError("redis", "Redis at " + where + " refused " + args[0] + ": " + why);
    }
  };
  if (!options_.password.empty()) setup({"AUTH", options_.password});
  if (options_.database != 0) setup({"SELECT", std::to_string(options_.database)});
  return c;
}

void RedisClient::give_back(std::unique_ptr<Connection> c) {
  std::lock_guard lock(mu_);
  if (static_cast<int>(idle_.size()) < options_.max_connections) idle_.push_back(std::move(c));
}

RedisClient::Reply RedisClient::command(const std::vector<std::string>& args) {
  auto c = take();
  ReplyPtr r = run(c->ctx, args);
  if (!r) {
    std::string why = c->ctx->errstr;
    mark_down(why);
    throw SourceError("redis", "Redis command " + args.at(0) + " failed: " + why);
  }
  if (r->type == REDIS_REPLY_ERROR) {
    std::string why(r->str, r->len);
    give_back(std::move(c));  // the connection is fine; the command was refused
    throw SourceError("redis", "Redis refused " + args.at(0) + ": " + why);
  }
  Reply out = convert(r.get());
  give_back(std::move(c));
  return out;
}

}  // namespace strata
