// load_model: finds the model files, parses each into drafts, then runs the
// loading phases (see drafts.h) and builds the Model.
#include "model/loader.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <tuple>

#include "model/drafts.h"
#include "model/parse_cube.h"
#include "model/parse_pre_aggregations.h"
#include "model/references.h"
#include "model/validate.h"
#include "model/view_members.h"
#include "model/yaml_util.h"

namespace strata {

namespace {

using model_loader::FileReader;
using model_loader::Issues;
using model_loader::ModelDraft;

// The same layout Error::what() uses, so one issue reads alike either way.
std::string format_issue(const ModelIssue& issue) {
  std::string out = issue.message;
  std::string where = issue.loc.file;
  if (!where.empty() && issue.loc.line > 0) where += ":" + std::to_string(issue.loc.line);
  if (!issue.member.empty()) where += (where.empty() ? "" : ", ") + ("member " + issue.member);
  if (!where.empty()) out += " (at " + where + ")";
  if (!issue.hint.empty()) out += ". " + issue.hint;
  return out;
}

std::string describe(const std::vector<ModelIssue>& issues) {
  std::string out = "the model has " + std::to_string(issues.size()) + " problems:";
  for (const auto& issue : issues) out += "\n  " + format_issue(issue);
  return out;
}

// One issue keeps its location in the error's context, so that every
// frontend can show where it is; several are listed in the message.
UserError make_base(const std::vector<ModelIssue>& issues) {
  if (issues.size() == 1) {
    const ModelIssue& i = issues.front();
    return UserError(i.message,
                     {.member = i.member, .file = i.loc.file, .line = i.loc.line, .hint = i.hint});
  }
  return UserError(describe(issues));
}

std::string lower_extension(const std::string& name) {
  size_t dot = name.rfind('.');
  if (dot == std::string::npos) return "";
  std::string ext = name.substr(dot);
  for (auto& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return ext;
}

bool is_model_file(const std::string& name) {
  std::string ext = lower_extension(name);
  return ext == ".yml" || ext == ".yaml" || ext == ".json";
}

// FNV-1a, 64 bits, over every file's name and content in load order: cheap,
// stable across runs and platforms, and any edit changes it.
std::string content_hash(const std::vector<ModelFile>& files) {
  uint64_t h = 14695981039346656037ULL;
  auto feed = [&h](std::string_view bytes) {
    for (unsigned char c : bytes) {
      h ^= c;
      h *= 1099511628211ULL;
    }
    h ^= 0xff;  // a separator no text contains, so "ab"+"c" differs from "a"+"bc"
    h *= 1099511628211ULL;
  };
  for (const auto& f : files) {
    feed(f.name);
    feed(f.content);
  }
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

void parse_file(const ModelFile& file, ModelDraft& draft, Issues& issues) {
  bool json = lower_extension(file.name) == ".json";
  std::string text = file.content;
  // JSON allows tabs as whitespace where YAML does not; a raw tab cannot
  // occur inside a valid JSON string, so turning each into a space is safe
  // and keeps every line number.
  if (json) std::replace(text.begin(), text.end(), '\t', ' ');
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    int line = e.mark.is_null() ? 0 : e.mark.line + 1;
    issues.add(std::string(json ? "malformed JSON: " : "malformed YAML: ") + e.msg,
               SourceLocation{file.name, line}, "",
               json ? "fix the JSON syntax near this line (a missing comma, quote or bracket)"
                    : "fix the YAML syntax near this line (indentation, a missing ':' or an "
                      "unclosed quote)");
    return;
  }
  FileReader reader(file.name, issues);
  if (root.IsNull()) return;  // an empty file defines nothing
  if (!root.IsMap()) {
    reader.report(root, "a model file must be a map with 'cubes:' and/or 'views:'", "",
                  "start the file with 'cubes:' or 'views:' followed by a list");
    return;
  }
  for (const auto& kv : root) {
    std::string key = model_loader::snake_case(kv.first.Scalar());
    if (key == "cubes") {
      for (const auto& node : reader.map_list(kv.second, key, "")) {
        if (auto cube = model_loader::parse_cube(node, reader)) {
          draft.cubes.push_back(std::move(*cube));
        }
      }
    } else if (key == "views") {
      for (const auto& node : reader.map_list(kv.second, key, "")) {
        if (auto view = model_loader::parse_view(node, reader)) {
          draft.views.push_back(std::move(*view));
        }
      }
    }
    // Other top-level keys belong to other formats and are ignored.
  }
}

std::vector<Cube> assemble_cubes(ModelDraft& draft) {
  std::vector<Cube> cubes;
  cubes.reserve(draft.cubes.size());
  for (auto& d : draft.cubes) {
    Cube cube = std::move(d.def);
    for (auto& x : d.dimensions) cube.dimensions.push_back(std::move(x.def));
    for (auto& x : d.measures) cube.measures.push_back(std::move(x.def));
    for (auto& x : d.segments) cube.segments.push_back(std::move(x.def));
    for (auto& x : d.joins) cube.joins.push_back(std::move(x.def));
    cubes.push_back(std::move(cube));
  }
  return cubes;
}

std::shared_ptr<const Model> build_model(std::vector<ModelFile> files, Issues issues) {
  std::stable_sort(files.begin(), files.end(),
                   [](const ModelFile& a, const ModelFile& b) { return a.name < b.name; });
  ModelDraft draft;
  for (const auto& f : files) parse_file(f, draft, issues);

  model_loader::remove_duplicates(draft, issues);
  model_loader::check_join_targets(draft, issues);
  model_loader::resolve_references(draft, issues);
  model_loader::resolve_drill_members(draft, issues);
  model_loader::check_primary_keys(draft, issues);
  std::vector<Cube> cubes = assemble_cubes(draft);
  std::vector<View> views = model_loader::build_views(draft.views, cubes, issues);

  auto throw_issues = [&issues] {
    std::vector<ModelIssue> list = issues.take();
    // Phases report in their own order; by place reads better.
    std::stable_sort(list.begin(), list.end(), [](const ModelIssue& a, const ModelIssue& b) {
      return std::tie(a.loc.file, a.loc.line) < std::tie(b.loc.file, b.loc.line);
    });
    throw ModelError(std::move(list));
  };
  if (!issues.empty()) throw_issues();
  auto model = std::make_shared<Model>(std::move(cubes), std::move(views));
  // Pre-aggregations name members of any cube: checked on the assembled model.
  model_loader::check_pre_aggregations(*model, issues);
  if (!issues.empty()) throw_issues();
  model->set_version(content_hash(files));
  return model;
}

}  // namespace

ModelError::ModelError(std::vector<ModelIssue> issues)
    : UserError(make_base(issues)), issues_(std::move(issues)) {}

std::shared_ptr<const Model> load_model(const std::filesystem::path& dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    bool exists = fs::exists(dir, ec);
    throw NotFoundError(
        "model folder '" + dir.string() + (exists ? "' is not a folder" : "' does not exist"),
        {.hint = "point strata at the folder that holds your cube and view "
                 "files (*.yml, *.yaml, *.json)"});
  }
  std::vector<ModelFile> files;
  Issues issues;
  auto options = fs::directory_options::skip_permission_denied;
  for (auto it = fs::recursive_directory_iterator(dir, options, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    const fs::path& path = it->path();
    // Hidden files and folders (.git, editor swap files) are not model files.
    if (path.filename().string().starts_with(".")) {
      if (it->is_directory(ec)) it.disable_recursion_pending();
      continue;
    }
    if (!it->is_regular_file(ec) || !is_model_file(path.filename().string())) continue;
    std::string name = path.lexically_relative(dir).generic_string();
    std::ifstream in(path, std::ios::binary);
    std::ostringstream content;
    content << in.rdbuf();
    if (!in) {
      issues.add("cannot read model file", SourceLocation{name, 0}, "",
                 "check that the file is readable by the strata process");
      continue;
    }
    files.push_back(ModelFile{name, content.str()});
  }
  if (ec) {
    issues.add("cannot list the model folder: " + ec.message(), SourceLocation{dir.string(), 0}, "",
               "check that the folder is readable by the strata process");
  }
  return build_model(std::move(files), std::move(issues));
}

std::shared_ptr<const Model> load_model_from_files(const std::vector<ModelFile>& files) {
  return build_model(files, Issues{});
}

}  // namespace strata
