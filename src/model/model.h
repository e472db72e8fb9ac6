// The Model: cubes, views and their members, as loaded from a model folder
// (Cube's data-model syntax in YAML or JSON). Immutable after loading and
// shared read-only between threads through std::shared_ptr<const Model>.
//
// Member SQL is kept as SqlTemplate: model SQL text in which references have
// been resolved at load time. Dimension references are inlined (so a
// dimension's template mentions only column text and cube aliases); measure
// references survive only in `number` measures, whose expression combines
// other measures' aggregates.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/time.h"
#include "model/join_graph.h"

namespace strata {

struct SourceLocation {
  std::string file;  // path relative to the model folder
  int line = 0;      // 1-based, 0 when unknown
};

struct SqlTemplate {
  struct Part {
    enum class Kind {
      kText,        // model SQL text, emitted verbatim
      kCubeAlias,   // the table alias of cube `text` in the query ({CUBE} or {cube})
      kMeasureRef,  // the aggregated value of measure `text` ("cube.member"); number measures only
    };
    Kind kind = Kind::kText;
    std::string text;
    friend bool operator==(const Part&, const Part&) = default;
  };
  std::vector<Part> parts;

  bool empty() const { return parts.empty(); }
  // Cubes whose alias the template mentions (they must be joined to evaluate it).
  std::set<std::string> cubes() const;
  // Full names of the measures it references.
  std::vector<std::string> measure_refs() const;
  // Human-readable form, aliases as "{cube}": for messages and /meta.
  std::string to_string() const;
};

enum class DimensionType { kString, kNumber, kTime, kBoolean };
enum class MeasureType {
  kCount,
  kCountDistinct,
  kCountDistinctApprox,
  kSum,
  kAvg,
  kMin,
  kMax,
  kNumber,  // an expression over other measures ({measure}), or over aggregates in SQL
};
enum class Relationship { kManyToOne, kOneToMany, kOneToOne };

std::string_view dimension_type_name(DimensionType t);  // "string", "number", "time", "boolean"
std::string_view measure_type_name(MeasureType t);   // "count", "countDistinct"... as Cube's /meta
std::string_view relationship_name(Relationship r);  // "many_to_one", ...

struct Dimension {
  std::string name;  // short name, unique within its cube
  std::string cube;  // owning cube
  DimensionType type = DimensionType::kString;
  SqlTemplate sql;
  bool primary_key = false;
  bool shown = true;  // `public`
  std::string title, description, format;
  std::string meta_json;  // `meta` as serialized JSON, "" when absent
  SourceLocation loc;

  std::string full_name() const { return cube + "." + name; }
};

struct Measure {
  std::string name;
  std::string cube;
  MeasureType type = MeasureType::kCount;
  SqlTemplate sql;                   // empty for a count without sql
  std::vector<SqlTemplate> filters;  // each a boolean condition; all must hold
  bool shown = true;
  std::string title, description, format;
  std::vector<std::string> drill_members;  // full member names
  std::string meta_json;
  SourceLocation loc;

  std::string full_name() const { return cube + "." + name; }
};

struct Segment {
  std::string name;
  std::string cube;
  SqlTemplate sql;  // a boolean condition
  bool shown = true;
  std::string title, description;
  std::string meta_json;
  SourceLocation loc;

  std::string full_name() const { return cube + "." + name; }
};

struct Join {
  std::string target;  // the joined cube
  Relationship relationship = Relationship::kManyToOne;
  SqlTemplate on;  // mentions both cubes' aliases
  SourceLocation loc;
};

// A cube whose rows live in two sources split at one instant along a time
// dimension: recent rows in a hot source, older rows in a cold one. The
// planner sends each tier only its part of a query and merges the partial
// aggregates (see docs/federation.md).
struct TierTable {
  std::string data_source;
  std::string sql_table;  // exactly one of sql_table / sql
  std::string sql;
};

struct Tiering {
  std::string time_dimension;  // short name of a time dimension of the cube
  TierTable hot;               // rows at and after the boundary
  TierTable cold;              // rows before the boundary
  // The boundary is either the start of the current UTC day minus
  // `retention_micros`, or the single value `watermark_sql` returns when run
  // on the hot source (re-read at most every `watermark_refresh_micros`).
  int64_t retention_micros = 0;
  std::string watermark_sql;
  int64_t watermark_refresh_micros = 60'000'000;
  SourceLocation loc;
};

// How fresh cached answers and pre-aggregations must be (Cube's refresh_key):
// a time bucket (`every`: the key changes when the current time crosses into
// the next bucket), or the single value of `sql` run on the cube's data
// source, checked at most once per `every` (docs/caching.md).
struct RefreshKey {
  int64_t every_micros = 0;  // 0: not written (sql keys are then checked every 10 s)
  std::string sql;           // "" for a pure time bucket
  // Pre-aggregations only: rebuild just the partitions that overlap the last
  // `update_window_micros` when the key changes (older ones stay as built).
  bool incremental = false;
  int64_t update_window_micros = 0;
  SourceLocation loc;
};

enum class PreAggregationType {
  kRollup,        // measures grouped by dimensions (and a time dimension), stored as Parquet
  kOriginalSql,   // the cube's rows as they are (its sql or table), stored as Parquet
  kRollupLambda,  // a rollup whose newest partition is read from the source instead
};

std::string_view pre_aggregation_type_name(PreAggregationType t);  // "rollup", "original_sql"...

// Whether every `coarse` period is a union of whole `fine` periods (on any
// wall clock): day divides month, week divides only week, month divides year.
bool granularity_divides(Granularity fine, Granularity coarse);

// A pre-aggregation of a cube (Cube's `pre_aggregations`), with every member
// reference resolved to a full name ("orders.status"). See docs/caching.md.
struct PreAggregation {
  std::string name;
  std::string cube;  // the cube that declares it
  PreAggregationType type = PreAggregationType::kRollup;
  std::vector<std::string> measures;       // full names, as written (number measures included)
  std::vector<std::string> dimensions;     // full names
  std::vector<std::string> segments;       // full names
  std::string time_dimension;              // full name; "" for none
  std::optional<Granularity> granularity;  // set iff time_dimension is
  std::optional<Granularity> partition_granularity;  // one Parquet file per such period
  std::optional<RefreshKey> refresh_key;             // nullopt: every 1 hour
  // SQL run on the cube's data source that returns one instant each; empty:
  // the time dimension's min / max over the data.
  std::string build_range_start_sql;
  std::string build_range_end_sql;
  // strata's extension: the time zone the time dimension is bucketed in.
  std::string timezone = "UTC";
  // rollup_lambda: the rollup it reads (full name "cube.rollup") and whether
  // the newest partition comes from the source.
  std::string lambda_rollup;
  bool union_with_source_data = false;
  SourceLocation loc;
  // Where each listed member (and the time dimension) is written, by full
  // name, so problems with one point at its line.
  std::map<std::string, SourceLocation> member_locs;

  std::string full_name() const { return cube + "." + name; }
  const SourceLocation& loc_of(const std::string& member) const {
    auto it = member_locs.find(member);
    return it == member_locs.end() ? loc : it->second;
  }
};

struct Cube {
  std::string name;
  std::string sql_table;  // "schema.table" as written; exactly one of sql_table / sql is set
  std::string sql;        // a SELECT, used as a derived table
  std::string data_source = "default";
  std::string title, description;
  bool shown = true;
  std::string meta_json;
  std::vector<Dimension> dimensions;
  std::vector<Measure> measures;
  std::vector<Segment> segments;
  std::vector<Join> joins;       // in declaration order
  std::optional<Tiering> tiers;  // set for a tiered cube (then data_source is the hot one's)
  std::optional<RefreshKey> refresh_key;         // nullopt: the result cache's default (every 10 s)
  std::vector<PreAggregation> pre_aggregations;  // in declaration order
  SourceLocation loc;

  const Dimension* find_dimension(std::string_view name) const;
  const Measure* find_measure(std::string_view name) const;
  const Segment* find_segment(std::string_view name) const;
  const PreAggregation* find_pre_aggregation(std::string_view name) const {
    for (const auto& p : pre_aggregations) {
      if (p.name == name) return &p;
    }
    return nullptr;
  }
  // The primary-key dimensions, in declaration order (several = a composite key).
  std::vector<const Dimension*> primary_keys() const;
};

enum class MemberKind { kDimension, kMeasure, kSegment };

// A view member: `name` as the view exposes it, backed by a cube member that
// is reached along `join_path` (cube names from the view's root to `cube`).
struct ViewMember {
  std::string name;
  MemberKind kind = MemberKind::kDimension;
  std::string cube;
  std::string member;
  std::vector<std::string> join_path;
  std::string title, description;  // overrides; empty = the cube member's
};

struct View {
  std::string name;
  std::string title, description;
  bool shown = true;
  std::string meta_json;
  std::vector<ViewMember> members;  // in the order /meta lists them
  SourceLocation loc;

  const ViewMember* find_member(std::string_view name) const;
};

// A member named in a query ("cube.member" or "view.member"), resolved.
struct ResolvedMember {
  MemberKind kind = MemberKind::kDimension;
  const Cube* cube = nullptr;            // the owning cube (for a view member: the backing cube)
  const Dimension* dimension = nullptr;  // exactly one of these three is set
  const Measure* measure = nullptr;
  const Segment* segment = nullptr;
  const View* view = nullptr;  // set when named through a view
  const ViewMember* view_member = nullptr;
};

class Model {
 public:
  Model(std::vector<Cube> cubes, std::vector<View> views);
  // The join graph and member index point into this object's own vectors.
  Model(const Model&) = delete;
  Model& operator=(const Model&) = delete;

  const std::vector<Cube>& cubes() const { return cubes_; }
  const std::vector<View>& views() const { return views_; }
  const Cube* find_cube(std::string_view name) const;
  const View* find_view(std::string_view name) const;
  // nullptr when `full_name` names no member.
  const ResolvedMember* find_member(std::string_view full_name) const;

  const JoinGraph& join_graph() const { return join_graph_; }
  // Hash of the model's content; changes whenever any definition changes.
  const std::string& version() const { return version_; }
  void set_version(std::string v) { version_ = std::move(v); }

 private:
  std::vector<Cube> cubes_;
  std::vector<View> views_;
  std::map<std::string, size_t, std::less<>> cube_index_;
  std::map<std::string, size_t, std::less<>> view_index_;
  std::map<std::string, ResolvedMember, std::less<>> members_;
  JoinGraph join_graph_;
  std::string version_;
};

}  // namespace strata
