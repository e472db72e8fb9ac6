// FormattedResults: the JSON text of answers already formatted, so that a
// result-cache hit skips formatting and serialization (most of a cached
// request's cost: ~1 M instructions for a 100-row answer).
//
// Keys name the answer's content exactly: the result cache's key (query,
// security context, model version, refresh key values, rollup builds), the
// instant it was computed (a renewed answer gets a new one), and everything
// else the formatted text depends on (see LoadHandler). Entries therefore
// never go stale; they only age out. A least recently used list bounded in
// bytes; thread-safe (one mutex, entries shared and immutable).
#pragma once

#include <cstddef>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

namespace strata {

class FormattedResults {
 public:
  explicit FormattedResults(size_t max_bytes);

  // The text stored under `key`, or null.
  std::shared_ptr<const std::string> get(const std::string& key);
  // Keeps `text` under `key` (replacing any), evicting the least recently
  // used entries beyond the bound. Text over a quarter of it is not kept.
  void put(const std::string& key, std::shared_ptr<const std::string> text);

  size_t bytes() const;

 private:
  struct Entry {
    std::string key;
    std::shared_ptr<const std::string> text;
    size_t bytes = 0;
  };
  void erase(std::list<Entry>::iterator it);

  const size_t max_bytes_;
  mutable std::mutex mu_;
  std::list<Entry> lru_;  // most recently used first
  std::unordered_map<std::string, std::list<Entry>::iterator> index_;
  size_t bytes_ = 0;
};

}  // namespace strata
