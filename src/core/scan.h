// What a query tells a source about the rows it needs, beyond its SQL text,
// so that sources storing data in files (Iceberg) can skip files and read a
// table as of a past version. Hints only for pruning: a source that ignores
// the predicates still answers correctly, because the SQL applies them too.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/types.h"

namespace strata {

// A condition every row the query reads from `table` satisfies (taken from
// top-level AND-ed filters and date ranges on plain columns).
struct ScanPredicate {
  enum class Op { kEq, kIn, kLt, kLte, kGt, kGte, kIsNull, kNotNull };
  std::string table;   // the cube's sql_table, as written in the model
  std::string column;  // a column of that table
  Op op = Op::kEq;
  std::vector<Value> values;  // one value, several for kIn, none for null tests;
                              // timestamps are UTC instants (kTimestamp)
  std::string cube;           // the model cube the table belongs to
};

// Which version of a table to read (lake tables: time travel).
struct TableVersion {
  enum class Kind { kSnapshotId, kTimestamp, kRef };
  Kind kind = Kind::kSnapshotId;
  int64_t snapshot_id = 0;    // kSnapshotId
  int64_t timestamp_ms = 0;   // kTimestamp: the snapshot current at this instant (UTC ms)
  std::string ref;            // kRef: a branch or tag name
  friend bool operator==(const TableVersion&, const TableVersion&) = default;
};

}  // namespace strata
