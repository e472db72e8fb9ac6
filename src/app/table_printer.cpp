#include "app/table_printer.h"

#include <algorithm>

namespace strata {

void print_table(std::ostream& out, const ResultSet& rows,
                 const std::vector<std::string>& headers) {
  size_t n = rows.column_count();
  std::vector<std::string> names(n);
  for (size_t c = 0; c < n; ++c) {
    names[c] = c < headers.size() ? headers[c] : rows.schema()[c].name;
  }
  std::vector<std::vector<std::string>> cells(rows.row_count(), std::vector<std::string>(n));
  std::vector<size_t> width(n);
  for (size_t c = 0; c < n; ++c)
    width[c] = names[c].size();
  for (size_t r = 0; r < rows.row_count(); ++r) {
    for (size_t c = 0; c < n; ++c) {
      const Column& col = rows.column(c);
      cells[r][c] = col.is_null(r) ? "NULL" : to_text(col.value_at(r));
      width[c] = std::max(width[c], cells[r][c].size());
    }
  }
  auto line = [&](const std::vector<std::string>& v, bool numbers_right) {
    for (size_t c = 0; c < n; ++c) {
      if (c) out << " | ";
      bool right = numbers_right && rows.schema()[c].type.is_numeric();
      std::string pad(width[c] - v[c].size(), ' ');
      out << (right ? pad + v[c] : v[c] + (c + 1 < n ? pad : ""));
    }
    out << "\n";
  };
  line(names, false);
  for (size_t c = 0; c < n; ++c) {
    if (c) out << "-+-";
    out << std::string(width[c], '-');
  }
  out << "\n";
  for (const auto& row : cells)
    line(row, true);
  out << "(" << rows.row_count() << (rows.row_count() == 1 ? " row)" : " rows)") << "\n";
}

}  // namespace strata
