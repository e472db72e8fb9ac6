// Loading from a folder: discovery of model files, relative names, the
// version hash, and the folder itself missing or empty.
#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>

#include "model/loader.h"

namespace strata {
namespace {

class ModelFolder : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("strata_model_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  void write(const std::string& rel, const std::string& content) {
    auto path = dir_ / rel;
    std::filesystem::create_directories(path.parent_path());
    std::ofstream(path) << content;
  }
  std::filesystem::path dir_;
};

TEST_F(ModelFolder, MissingFolderIsNotFound) {
  EXPECT_THROW(load_model(dir_ / "nope"), NotFoundError);
}

TEST_F(ModelFolder, EmptyFolderIsAnEmptyModel) {
  auto model = load_model(dir_);
  EXPECT_TRUE(model->cubes().empty());
  EXPECT_TRUE(model->views().empty());
}

TEST_F(ModelFolder, FilesAreFoundRecursivelyAndNamedRelatively) {
  write("sub/b.yaml", "cubes:\n  - name: b\n    sql_table: b\n");
  write("a.json", R"({"cubes": [{"name": "a", "sql_table": "a"}]})");
  write("notes.txt", "cubes: [not, a, model]");
  write(".hidden/c.yml", "cubes:\n  - name: c\n");
  write("sub/z.yml", "cubes:\n  - name: z\n    sql_table: z\n    sql: SELECT 1\n");
  try {
    load_model(dir_);
    FAIL();
  } catch (const ModelError& e) {
    ASSERT_EQ(e.issues().size(), 1u);
    EXPECT_EQ(e.issues()[0].loc.file, "sub/z.yml");
  }
  std::filesystem::remove(dir_ / "sub/z.yml");
  auto model = load_model(dir_);
  ASSERT_EQ(model->cubes().size(), 2u);
  EXPECT_EQ(model->cubes()[0].name, "a");
  EXPECT_EQ(model->cubes()[1].name, "b");
  EXPECT_EQ(model->cubes()[1].loc.file, "sub/b.yaml");
}

TEST_F(ModelFolder, VersionChangesWithContent) {
  write("a.yml", "cubes:\n  - name: a\n    sql_table: a\n");
  std::string v1 = load_model(dir_)->version();
  EXPECT_EQ(load_model(dir_)->version(), v1);
  write("a.yml", "cubes:\n  - name: a\n    sql_table: a2\n");
  EXPECT_NE(load_model(dir_)->version(), v1);
}

}  // namespace
}  // namespace strata
