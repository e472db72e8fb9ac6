// Helpers shared by the result cache and pre-aggregation tests: the shop
// fixture's model with extra YAML appended to a cube file, a seeded
// in-memory DuckDB, and a Source wrapper that counts statements and can hold
// them at a gate.
#pragma once

#include <gtest/gtest.h>

#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>
#include <string>

#include "core/result_set.h"
#include "model/loader.h"
#include "source/duckdb/duckdb_source.h"
#include "source/source.h"

namespace strata::testing {

inline std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline std::string source_path(const std::string& relative) {
  return std::string(STRATA_SOURCE_DIR) + "/" + relative;
}

// A model folder's files, with `extra[file]` appended to that file (YAML
// for the last cube of the file: indent it by four spaces).
inline std::shared_ptr<const Model> load_with(const std::string& folder,
                                              const std::map<std::string, std::string>& extra) {
  std::vector<ModelFile> files;
  for (const auto& e : std::filesystem::directory_iterator(source_path(folder))) {
    std::string name = e.path().filename().string();
    std::string text = read_text(e.path().string());
    if (auto it = extra.find(name); it != extra.end()) {
      if (!text.empty() && text.back() != '\n') text += '\n';
      text += it->second;
    }
    files.push_back({name, text});
  }
  return load_model_from_files(files);
}

inline std::unique_ptr<DuckDbSource> seeded_shop(const std::string& name = "default") {
  auto db = DuckDbSource::open(name, ":memory:");
  db->query(read_text(source_path("test/fixtures/shop/seed.sql")), {});
  return db;
}

// Rows as text ("NULL" for nulls).
inline std::vector<std::vector<std::string>> text_rows(const ResultSet& rs) {
  std::vector<std::vector<std::string>> out;
  for (size_t r = 0; r < rs.row_count(); ++r) {
    std::vector<std::string> row;
    for (size_t c = 0; c < rs.column_count(); ++c) {
      const Column& col = rs.column(c);
      row.push_back(col.is_null(r) ? "NULL" : to_text(col.value_at(r)));
    }
    out.push_back(std::move(row));
  }
  return out;
}

// Wraps a real source: counts statements by text and can hold them at a gate.
class CountingSource : public Source {
 public:
  explicit CountingSource(std::unique_ptr<Source> inner) : inner_(std::move(inner)) {}

  const std::string& name() const override { return inner_->name(); }
  std::string_view type() const override { return inner_->type(); }
  const sql::Dialect& dialect() const override { return inner_->dialect(); }

  ResultSet query(const std::string& sql, const ExecOptions& options) override {
    {
      std::unique_lock lock(mu_);
      ++calls_[sql];
      ++running_;
      cv_.notify_all();
      cv_.wait(lock, [&] { return !gated_; });
    }
    struct Leave {
      CountingSource* s;
      ~Leave() {
        std::lock_guard lock(s->mu_);
        --s->running_;
      }
    } leave{this};
    return inner_->query(sql, options);
  }
  std::vector<TableInfo> list_tables() override { return inner_->list_tables(); }
  TableInfo describe_table(const std::string& schema, const std::string& name) override {
    return inner_->describe_table(schema, name);
  }
  SourceHealth health() override { return inner_->health(); }

  int calls(const std::string& sql) {
    std::lock_guard lock(mu_);
    return calls_[sql];
  }
  void close_gate() {
    std::lock_guard lock(mu_);
    gated_ = true;
  }
  void open_gate() {
    {
      std::lock_guard lock(mu_);
      gated_ = false;
    }
    cv_.notify_all();
  }
  // Waits until `n` statements are running (held at the gate or not).
  bool wait_running(int n, std::chrono::milliseconds timeout) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, timeout, [&] { return running_ >= n; });
  }
  Source& inner() { return *inner_; }

 private:
  std::unique_ptr<Source> inner_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::map<std::string, int> calls_;
  int running_ = 0;
  bool gated_ = false;
};

}  // namespace strata::testing
