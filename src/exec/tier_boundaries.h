// TierBoundaries: the boundary instant of each tiered cube, for the planner.
// A retention boundary is computed from the current time; a watermark
// boundary is the value of the cube's watermark SQL on the hot source, read
// at most once per watermark_refresh and shared by every query meanwhile.
// Thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>

#include "model/model.h"
#include "source/source.h"

namespace strata {

class TierBoundaries {
 public:
  // `sources` must outlive this object.
  explicit TierBoundaries(SourceRegistry& sources) : sources_(sources) {}

  // UTC microseconds; hot holds rows at and after it. Throws SourceError when
  // the watermark cannot be read (the hot source is down) and no earlier
  // value is known; with an earlier value, that one is used and a warning logged.
  int64_t boundary(const Cube& cube);

 private:
  struct Cached {
    int64_t value = 0;
    int64_t read_at = 0;  // UTC micros
  };
  SourceRegistry& sources_;
  std::mutex mu_;
  std::map<std::string, Cached> watermarks_;  // by cube name
};

// The single value of a one-row, one-column result as UTC microseconds
// (timestamp, timestamptz, date); nullopt for NULL or no row.
std::optional<int64_t> instant_of(const ResultSet& rows);

}  // namespace strata
