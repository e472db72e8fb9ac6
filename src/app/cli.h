// The `strata` command line: serve, validate, sql, query, token.
#pragma once

namespace strata {

// Parses argv and runs the chosen command. Returns the process exit code:
// 0 on success, 1 when the command ran into an error it reported (a bad
// model, a bad query), 2 for a usage error.
int run_cli(int argc, char** argv);

}  // namespace strata
