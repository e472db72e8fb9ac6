#include "api/rest/titles.h"

#include <array>
#include <cctype>
#include <vector>

namespace strata {

namespace {

// Short words Cube leaves in lower case inside a title ("Created at").
constexpr std::array<std::string_view, 22> kMinorWords = {
    "a",  "an",  "and", "at",   "but", "by",  "for",  "from", "in",  "into", "nor",
    "of", "off", "on",  "onto", "or",  "out", "over", "so",   "the", "to",   "with"};

bool is_minor(std::string_view word) {
  for (auto w : kMinorWords) {
    if (w == word) return true;
  }
  return false;
}

bool is_upper(char c) {
  return std::isupper(static_cast<unsigned char>(c)) != 0;
}
bool is_lower_or_digit(char c) {
  return std::islower(static_cast<unsigned char>(c)) != 0 ||
         std::isdigit(static_cast<unsigned char>(c)) != 0;
}

std::vector<std::string> split_words(std::string_view name) {
  std::vector<std::string> words;
  std::string current;
  auto flush = [&] {
    if (!current.empty()) words.push_back(std::move(current));
    current.clear();
  };
  for (size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    if (c == '_' || c == '-' || c == ' ' || c == '.') {
      flush();
      continue;
    }
    if (is_upper(c) && !current.empty()) {
      char prev = name[i - 1];
      bool after_lower = is_lower_or_digit(prev);
      // "HTTPServer": the S starts a new word because a lower-case letter follows it.
      bool acronym_end = is_upper(prev) && i + 1 < name.size() &&
                         std::islower(static_cast<unsigned char>(name[i + 1])) != 0;
      if (after_lower || acronym_end) flush();
    }
    current += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  flush();
  return words;
}

const std::string& own_title(const ResolvedMember& m) {
  static const std::string kEmpty;
  if (m.dimension) return m.dimension->title;
  if (m.measure) return m.measure->title;
  if (m.segment) return m.segment->title;
  return kEmpty;
}

const std::string& own_description(const ResolvedMember& m) {
  static const std::string kEmpty;
  if (m.dimension) return m.dimension->description;
  if (m.measure) return m.measure->description;
  if (m.segment) return m.segment->description;
  return kEmpty;
}

const std::string& own_name(const ResolvedMember& m) {
  static const std::string kEmpty;
  if (m.dimension) return m.dimension->name;
  if (m.measure) return m.measure->name;
  if (m.segment) return m.segment->name;
  return kEmpty;
}

}  // namespace

std::string titleize(std::string_view name) {
  std::string out;
  auto words = split_words(name);
  for (size_t i = 0; i < words.size(); ++i) {
    std::string& w = words[i];
    if (i == 0 || !is_minor(w))
      w[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(w[0])));
    if (i > 0) out += ' ';
    out += w;
  }
  return out;
}

std::string cube_title(const Cube& cube) {
  return cube.title.empty() ? titleize(cube.name) : cube.title;
}

std::string view_title(const View& view) {
  return view.title.empty() ? titleize(view.name) : view.title;
}

MemberTitles member_titles(const ResolvedMember& member) {
  MemberTitles out;
  std::string container;
  if (member.view != nullptr && member.view_member != nullptr) {
    const ViewMember& vm = *member.view_member;
    container = view_title(*member.view);
    if (!vm.title.empty()) {
      out.short_title = vm.title;
    } else if (!own_title(member).empty()) {
      out.short_title = own_title(member);
    } else {
      out.short_title = titleize(vm.name);
    }
    out.description = vm.description.empty() ? own_description(member) : vm.description;
  } else {
    container = member.cube != nullptr ? cube_title(*member.cube) : std::string();
    out.short_title = own_title(member).empty() ? titleize(own_name(member)) : own_title(member);
    out.description = own_description(member);
  }
  out.title = container.empty() ? out.short_title : container + " " + out.short_title;
  return out;
}

}  // namespace strata
