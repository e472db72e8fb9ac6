// Prints a ResultSet as an aligned text table (psql-like) for the CLI.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "core/result_set.h"

namespace strata {

// `headers` name the columns (defaults to the schema's names when empty).
void print_table(std::ostream& out, const ResultSet& rows, const std::vector<std::string>& headers);

}  // namespace strata
