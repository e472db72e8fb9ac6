#include "model/yaml_util.h"

#include <cctype>
#include <cstdio>

namespace strata::model_loader {

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// The JSON number grammar, so that what we emit as a number is valid JSON.
bool is_json_number(std::string_view s) {
  size_t i = 0;
  if (i < s.size() && s[i] == '-') ++i;
  if (i >= s.size()) return false;
  if (s[i] == '0') {
    ++i;
  } else if (is_digit(s[i])) {
    while (i < s.size() && is_digit(s[i]))
      ++i;
  } else {
    return false;
  }
  if (i < s.size() && s[i] == '.') {
    ++i;
    if (i >= s.size() || !is_digit(s[i])) return false;
    while (i < s.size() && is_digit(s[i]))
      ++i;
  }
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    if (i >= s.size() || !is_digit(s[i])) return false;
    while (i < s.size() && is_digit(s[i]))
      ++i;
  }
  return i == s.size();
}

void append_json_string(std::string& out, std::string_view s) {
  out += '"';
  for (char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(c));
          out += buf;
        } else {
          out += c;  // UTF-8 passes through unchanged
        }
    }
  }
  out += '"';
}

void append_json(std::string& out, const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Undefined:
    case YAML::NodeType::Null:
      out += "null";
      return;
    case YAML::NodeType::Scalar: {
      const std::string& s = node.Scalar();
      // yaml-cpp tags plain (unquoted) scalars "?"; quoted ones are strings.
      if (node.Tag() == "?") {
        if (s == "null" || s == "Null" || s == "NULL" || s == "~") {
          out += "null";
          return;
        }
        if (s == "true" || s == "True" || s == "TRUE") {
          out += "true";
          return;
        }
        if (s == "false" || s == "False" || s == "FALSE") {
          out += "false";
          return;
        }
        if (is_json_number(s)) {
          out += s;
          return;
        }
      }
      append_json_string(out, s);
      return;
    }
    case YAML::NodeType::Sequence: {
      out += '[';
      bool first = true;
      for (const auto& item : node) {
        if (!first) out += ',';
        first = false;
        append_json(out, item);
      }
      out += ']';
      return;
    }
    case YAML::NodeType::Map: {
      out += '{';
      bool first = true;
      for (const auto& kv : node) {
        if (!first) out += ',';
        first = false;
        // JSON keys are strings; a complex YAML key becomes its JSON text.
        append_json_string(out, kv.first.IsScalar() ? kv.first.Scalar() : yaml_to_json(kv.first));
        out += ':';
        append_json(out, kv.second);
      }
      out += '}';
      return;
    }
  }
}

}  // namespace

SourceLocation FileReader::at(const YAML::Node& node, int fallback) const {
  int line = fallback;
  if (node.IsDefined()) {
    YAML::Mark m = node.Mark();
    if (!m.is_null()) line = m.line + 1;  // yaml-cpp counts lines from 0
  }
  return SourceLocation{file_, line};
}

void FileReader::report(const YAML::Node& node, std::string message, std::string member,
                        std::string hint) const {
  issues_.add(std::move(message), at(node), std::move(member), std::move(hint));
}

std::optional<std::string> FileReader::string_value(const YAML::Node& value, std::string_view key,
                                                    const std::string& member) const {
  if (!value.IsDefined() || value.IsNull()) return std::nullopt;
  if (value.IsScalar()) return value.Scalar();
  report(value, "'" + std::string(key) + "' must be a string", member,
         "write a single value after '" + std::string(key) + ":', not a list or a map");
  return std::nullopt;
}

std::optional<bool> FileReader::bool_value(const YAML::Node& value, std::string_view key,
                                           const std::string& member) const {
  if (!value.IsDefined() || value.IsNull()) return std::nullopt;
  if (value.IsScalar()) {
    std::string s = lower(value.Scalar());
    if (s == "true" || s == "yes" || s == "on") return true;
    if (s == "false" || s == "no" || s == "off") return false;
  }
  report(value, "'" + std::string(key) + "' must be true or false", member,
         "write '" + std::string(key) + ": true' or '" + std::string(key) + ": false'");
  return std::nullopt;
}

std::vector<std::string> FileReader::string_list(const YAML::Node& value, std::string_view key,
                                                 const std::string& member) const {
  std::vector<std::string> out;
  if (!value.IsDefined() || value.IsNull()) return out;
  if (value.IsScalar()) {
    out.push_back(value.Scalar());
    return out;
  }
  if (value.IsSequence()) {
    for (const auto& item : value) {
      if (item.IsScalar()) {
        out.push_back(item.Scalar());
      } else {
        report(item, "each entry of '" + std::string(key) + "' must be a name", member,
               "write '" + std::string(key) + ": [a, b]'");
      }
    }
    return out;
  }
  report(value, "'" + std::string(key) + "' must be a list of names", member,
         "write '" + std::string(key) + ": [a, b]'");
  return out;
}

std::vector<YAML::Node> FileReader::map_list(const YAML::Node& value, std::string_view key,
                                             const std::string& member) const {
  std::vector<YAML::Node> out;
  if (!value.IsDefined() || value.IsNull()) return out;
  if (!value.IsSequence()) {
    report(value, "'" + std::string(key) + "' must be a list", member,
           "write each entry on its own line starting with '- name:'");
    return out;
  }
  for (const auto& item : value) {
    if (item.IsMap()) {
      out.push_back(item);
    } else {
      report(item, "each entry of '" + std::string(key) + "' must be a map", member,
             "write each entry as '- name: ...' followed by its keys");
    }
  }
  return out;
}

std::string snake_case(std::string_view key) {
  std::string out;
  out.reserve(key.size() + 4);
  for (size_t i = 0; i < key.size(); ++i) {
    char c = key[i];
    if (std::isupper(static_cast<unsigned char>(c))) {
      if (i > 0 && out.back() != '_') out += '_';
      out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    } else {
      out += c;
    }
  }
  return out;
}

bool is_identifier(std::string_view s) {
  if (s.empty()) return false;
  auto first = static_cast<unsigned char>(s[0]);
  if (!std::isalpha(first) && first != '_') return false;
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if (!std::isalnum(u) && u != '_') return false;
  }
  return true;
}

std::string yaml_to_json(const YAML::Node& node) {
  std::string out;
  append_json(out, node);
  return out;
}

}  // namespace strata::model_loader
