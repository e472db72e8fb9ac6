// SQL text as PostgreSQL's own parser sees it (libpg_query): the parse tree
// as JSON, the statements of a multi-statement string with their byte spans,
// the scanner's tokens (to find where clauses begin and end), and text edits
// that splice replacements in at those byte offsets.
//
// Locations in the tree and tokens are 0-based byte offsets into the whole
// text; PostgreSQL's error positions are 1-based character positions
// (char_position converts).
#pragma once

#include <boost/json/value.hpp>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace strata::pgwire {

struct SqlToken {
  size_t start = 0;  // byte offsets [start, end)
  size_t end = 0;
  int kind = 0;          // libpg_query's Token enum value
  bool keyword = false;  // a keyword of any kind (reserved or not)
};

struct SqlStatement {
  const boost::json::object* node = nullptr;  // {"SelectStmt": {...}} etc.
  const boost::json::value* value = nullptr;  // the same node as a value
  std::string_view type;                      // "SelectStmt", "VariableSetStmt", ...
  size_t location = 0;                        // byte span of the statement in the text
  size_t length = 0;                          // (to the end of the text when 0)
};

class ParsedSql {
 public:
  // Parses `sql` (one or more statements). Throws UserError with SQLSTATE
  // 42601 (syntax_error) and the position PostgreSQL would report.
  static std::shared_ptr<const ParsedSql> parse(std::string sql);

  const std::string& text() const { return text_; }
  const std::vector<SqlStatement>& statements() const { return statements_; }
  // The statement's own text (without the separating ';').
  std::string_view statement_text(const SqlStatement& s) const;
  // The scanner's tokens over the whole text (scanned on first use).
  const std::vector<SqlToken>& tokens() const;
  // Index of the token that starts at or covers byte `offset`; tokens().size()
  // when none does.
  size_t token_index(size_t offset) const;
  std::string_view token_text(size_t index) const;
  // Index of the first token that starts at or after byte `offset`.
  size_t token_from(size_t offset) const;

 private:
  std::string text_;
  boost::json::value tree_;
  std::vector<SqlStatement> statements_;
  mutable std::vector<SqlToken> tokens_;
  mutable bool scanned_ = false;
};

// One replacement of text_[start, end) by `text`.
struct TextEdit {
  size_t start = 0;
  size_t end = 0;
  std::string text;
};

// `text` with the edits applied, restricted to [from, to). Edits that lie
// inside an earlier, larger edit are dropped (the larger one replaces them);
// partially overlapping edits are an InternalError.
std::string apply_edits(std::string_view text, std::vector<TextEdit> edits, size_t from, size_t to);

// 1-based character (UTF-8 code point) position of byte `offset`.
int char_position(std::string_view text, size_t offset);
// The byte offset of 1-based character position `position` (inverse).
size_t byte_offset(std::string_view text, int position);

// Quoting for SQL text strata writes itself.
std::string quote_ident(std::string_view id);   // "x" with "" doubled
std::string quote_literal(std::string_view s);  // 'x' with '' doubled

// --- Parse tree helpers ----------------------------------------------------------

// The node type and body of a tree node {"TypeName": {...}}; {"", nullptr}
// for anything else.
std::pair<std::string_view, const boost::json::object*> node_of(const boost::json::value& v);
const boost::json::value* field(const boost::json::object& o, std::string_view key);
const boost::json::array* array_field(const boost::json::object& o, std::string_view key);
std::string_view string_field(const boost::json::object& o, std::string_view key);
int64_t int_field(const boost::json::object& o, std::string_view key, int64_t fallback = 0);
bool bool_field(const boost::json::object& o, std::string_view key);
// "location" of a node body, or -1.
int64_t location_of(const boost::json::object& body);
// The names of a qualified name list ([{"String":{"sval":"pg_catalog"}}, ...]).
std::vector<std::string> name_list(const boost::json::array* names);

}  // namespace strata::pgwire
