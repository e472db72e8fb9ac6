// Helpers shared by the model tests: loading inline YAML and looking at the
// issues of a failed load.
#pragma once

#include <gtest/gtest.h>

#include <ostream>
#include <string>
#include <vector>

#include "model/loader.h"

namespace strata {

// Readable template parts in assertion messages.
inline void PrintTo(const SqlTemplate::Part& p, std::ostream* os) {
  static const char* const kKinds[] = {"text", "alias", "measure"};
  *os << kKinds[static_cast<int>(p.kind)] << "(\"" << p.text << "\")";
}

}  // namespace strata

namespace strata::testing {

inline std::shared_ptr<const Model> load_yaml(const std::string& yaml,
                                              const std::string& name = "model.yml") {
  return load_model_from_files({ModelFile{name, yaml}});
}

// The issues of a load that must fail; an empty list (and a test failure)
// when it does not.
inline std::vector<ModelIssue> issues_of(const std::vector<ModelFile>& files) {
  try {
    load_model_from_files(files);
  } catch (const ModelError& e) {
    return e.issues();
  }
  ADD_FAILURE() << "the model loaded without issues";
  return {};
}

inline std::vector<ModelIssue> issues_of(const std::string& yaml) {
  return issues_of({ModelFile{"model.yml", yaml}});
}

// The single issue of a load that must fail with exactly one.
inline ModelIssue only_issue(const std::string& yaml) {
  auto issues = issues_of(yaml);
  if (issues.size() != 1) {
    std::string all;
    for (const auto& i : issues)
      all += "\n  " + i.message;
    ADD_FAILURE() << "expected one issue, got " << issues.size() << ":" << all;
  }
  return issues.empty() ? ModelIssue{} : issues.front();
}

inline SqlTemplate::Part text(std::string s) {
  return {SqlTemplate::Part::Kind::kText, std::move(s)};
}
inline SqlTemplate::Part alias(std::string cube) {
  return {SqlTemplate::Part::Kind::kCubeAlias, std::move(cube)};
}
inline SqlTemplate::Part measure_ref(std::string name) {
  return {SqlTemplate::Part::Kind::kMeasureRef, std::move(name)};
}

}  // namespace strata::testing
