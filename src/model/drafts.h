// Internal to the model loader (loader.cpp and its helpers); nothing outside
// src/model/ should include this.
//
// Loading runs in phases: parse every file into drafts, drop duplicates,
// resolve references, check what spans cubes (joins, keys, drill members),
// assemble the final Cubes, expand views. A draft is the final definition
// plus what is only needed while loading: the SQL as written, with its
// location, and whether its type could be read at all. Every phase reports
// into one Issues list and keeps going, so the user sees every problem of a
// model at once.
#pragma once

#include <string>
#include <vector>

#include "model/loader.h"
#include "model/model.h"

namespace strata::model_loader {

class Issues {
 public:
  void add(std::string message, SourceLocation loc, std::string member, std::string hint) {
    list_.push_back(
        ModelIssue{std::move(message), std::move(loc), std::move(member), std::move(hint)});
  }
  bool empty() const { return list_.empty(); }
  const std::vector<ModelIssue>& list() const { return list_; }
  std::vector<ModelIssue> take() { return std::move(list_); }

 private:
  std::vector<ModelIssue> list_;
};

// Model SQL as written, before its references are resolved.
struct SqlSource {
  std::string text;
  SourceLocation loc;  // of the `sql` value
  bool present = false;
};

struct DimensionDraft {
  Dimension def;  // everything but `sql`
  SqlSource sql;
};

struct MeasureDraft {
  Measure def;  // everything but `sql`, `filters` and `drill_members`
  SqlSource sql;
  std::vector<SqlSource> filters;
  std::vector<std::string> drill_members;  // as written: "id" or "users.city"
  SourceLocation drill_loc;
  bool type_known = true;  // false after an unknown `type` was reported
};

struct SegmentDraft {
  Segment def;
  SqlSource sql;
};

struct JoinDraft {
  Join def;
  SqlSource sql;
};

struct CubeDraft {
  Cube def;  // its member and join vectors stay empty until assembled
  std::vector<DimensionDraft> dimensions;
  std::vector<MeasureDraft> measures;
  std::vector<SegmentDraft> segments;
  std::vector<JoinDraft> joins;
};

// One entry of a view's `cubes:` list.
struct ViewCubeDraft {
  struct Include {
    std::string name;   // the cube member
    std::string alias;  // exposed name instead of `name`, "" for none
    std::string title, description;
    SourceLocation loc;
  };
  struct Exclude {
    std::string name;
    SourceLocation loc;
  };
  std::string join_path;  // "a.b.c" as written
  std::string alias;      // prefix instead of the last cube's name
  bool prefix = false;
  bool include_all = false;  // includes: "*"
  std::vector<Include> includes;
  std::vector<Exclude> excludes;
  SourceLocation loc;
};

struct ViewDraft {
  View def;  // `members` stays empty until expanded
  std::vector<ViewCubeDraft> cubes;
};

struct ModelDraft {
  std::vector<CubeDraft> cubes;  // in load order: files by path, then declaration order
  std::vector<ViewDraft> views;
};

}  // namespace strata::model_loader
