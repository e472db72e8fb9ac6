// A database server for tests that need a real one (PostgreSQL, MariaDB).
//
// Under ctest a fixture starts one server per engine for the whole run
// (test/CMakeLists.txt) and names its env file in an environment variable;
// a test binary run by hand starts its own through the script instead (with
// --watch on this process, so nothing outlives it) and stops it at exit.
// Tests that disturb the server (a restart) start a private one with
// TestServer::start.
#pragma once

#include <gtest/gtest.h>
#include <sys/types.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace strata::testing {

class TestServer {
 public:
  // `script` is relative to the source tree ("scripts/test-postgres"); `prefix`
  // the variables' prefix ("STRATA_PG_").
  static std::unique_ptr<TestServer> start(const std::string& script, const std::string& prefix,
                                           const std::vector<std::string>& args = {}) {
    std::string cmd =
        "timeout 180 " + path(script) + " start --watch " + std::to_string(::getpid());
    for (const auto& a : args) cmd += " " + a;
    FILE* p = ::popen(cmd.c_str(), "r");
    if (!p) throw std::runtime_error("cannot run " + cmd);
    std::string out;
    std::array<char, 512> buf;
    while (size_t n = std::fread(buf.data(), 1, buf.size(), p)) out.append(buf.data(), n);
    int status = ::pclose(p);
    if (status != 0) throw std::runtime_error(cmd + " failed (see its output above)");
    auto s = std::unique_ptr<TestServer>(new TestServer(script, prefix));
    s->parse(out);
    s->own_ = true;
    return s;
  }

  // The ctest fixture's server when `env_variable` names its env file; else
  // one started now for this process (stopped at exit).
  static TestServer& shared(const std::string& script, const std::string& prefix,
                            const char* env_variable, const std::vector<std::string>& args) {
    static std::map<std::string, std::unique_ptr<TestServer>> servers;
    auto& s = servers[script];
    if (s) return *s;
    const char* file = std::getenv(env_variable);
    if (file && *file) {
      std::ifstream in(file);
      if (in) {
        std::stringstream text;
        text << in.rdbuf();
        s.reset(new TestServer(script, prefix));
        s->parse(text.str());
        return *s;
      }
    }
    s = start(script, prefix, args);
    return *s;
  }

  ~TestServer() {
    if (own_) run(path(script_) + " stop " + get("DIR") + " >/dev/null 2>&1");
  }
  TestServer(const TestServer&) = delete;
  TestServer& operator=(const TestServer&) = delete;

  // A value without the prefix: get("PORT").
  std::string get(const std::string& key) const {
    auto it = values_.find(prefix_ + key);
    if (it == values_.end()) throw std::runtime_error("the test server has no " + prefix_ + key);
    return it->second;
  }
  int port() const { return std::stoi(get("PORT")); }

  // Runs `sub` of the script on this server ("restart", "psql -c ...").
  int script(const std::string& sub, const std::string& args = "") const {
    return run("timeout 120 " + path(script_) + " " + sub + " " + get("DIR") + " " + args);
  }

  static std::string path(const std::string& relative) {
    return std::string(STRATA_SOURCE_DIR) + "/" + relative;
  }
  static int run(const std::string& cmd) {
    int status = std::system(cmd.c_str());
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }

 private:
  TestServer(std::string script, std::string prefix)
      : script_(std::move(script)), prefix_(std::move(prefix)) {}

  void parse(const std::string& text) {
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) {
      size_t eq = line.find('=');
      if (eq != std::string::npos) values_[line.substr(0, eq)] = line.substr(eq + 1);
    }
  }

  std::string script_;
  std::string prefix_;
  std::map<std::string, std::string> values_;
  bool own_ = false;
};

}  // namespace strata::testing
