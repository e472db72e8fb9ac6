// duckdb_exec: runs SQL scripts against a DuckDB database file through
// strata's own DuckDB source. Used to seed test fixtures and to generate the
// demo data; not part of the server.
//
//   duckdb_exec DB_FILE SCRIPT.sql [SCRIPT.sql...] [--set NAME=INTEGER ...]
//
// --set defines DuckDB variables the scripts read with getvariable('NAME').
#include <fstream>
#include <iostream>
#include <sstream>

#include "core/error.h"
#include "source/duckdb/duckdb_source.h"

int main(int argc, char** argv) {
  if (argc < 3) {
    std::cerr << "usage: duckdb_exec DB_FILE SCRIPT.sql [...] [--set NAME=INTEGER ...]\n";
    return 2;
  }
  std::string prelude;
  std::vector<std::string> scripts;
  for (int i = 2; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--set" && i + 1 < argc) {
      std::string kv = argv[++i];
      size_t eq = kv.find('=');
      std::string name = kv.substr(0, eq);
      std::string value = eq == std::string::npos ? "" : kv.substr(eq + 1);
      bool ok_name = !name.empty() &&
                     name.find_first_not_of("abcdefghijklmnopqrstuvwxyz_") == std::string::npos;
      bool ok_value = !value.empty() && value.find_first_not_of("0123456789") == std::string::npos;
      if (!ok_name || !ok_value) {
        std::cerr << "--set takes NAME=INTEGER (lower-case name), not '" << kv << "'\n";
        return 2;
      }
      prelude += "SET VARIABLE " + name + " = " + value + ";\n";
    } else {
      scripts.push_back(a);
    }
  }
  try {
    auto db = strata::DuckDbSource::open("duckdb_exec", argv[1]);
    for (const auto& path : scripts) {
      std::ifstream in(path);
      if (!in) {
        std::cerr << "cannot read " << path << "\n";
        return 1;
      }
      std::stringstream sql;
      sql << prelude << in.rdbuf();
      db->query(sql.str(), {});
    }
  } catch (const strata::Error& e) {
    std::cerr << "duckdb_exec: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
