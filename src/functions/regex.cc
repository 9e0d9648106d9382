#include "functions/regex.h"

#include <re2/re2.h>

#include <algorithm>
#include <array>

namespace laminar::functions {
namespace {

re2::StringPiece Piece(std::string_view text) { return re2::StringPiece(text.data(), text.size()); }

size_t Utf8Width(std::string_view text, size_t position) {
  size_t width = 1;
  while (position + width < text.size() &&
         (static_cast<unsigned char>(text[position + width]) & 0xC0) == 0x80) {
    ++width;
  }
  return width;
}

// Appends `replacement` with \1..\9, \& and \\ substituted from `match`.
void AppendReplacement(std::string_view replacement, const re2::StringPiece* match, int groups,
                       std::string* out) {
  for (size_t i = 0; i < replacement.size(); ++i) {
    char c = replacement[i];
    if (c != '\\' || i + 1 >= replacement.size()) {
      out->push_back(c);
      continue;
    }
    char next = replacement[i + 1];
    if (next >= '1' && next <= '9') {
      int group = next - '0';
      if (group < groups && match[group].data() != nullptr) {
        out->append(match[group].data(), match[group].size());
      }
      ++i;
    } else if (next == '&') {
      out->append(match[0].data(), match[0].size());
      ++i;
    } else if (next == '\\') {
      out->push_back('\\');
      ++i;
    } else {
      out->push_back('\\');  // Not an escape: the backslash stays.
    }
  }
}

}  // namespace

Result<RegexFlags> ParseRegexFlags(std::string_view flags, bool allow_global) {
  RegexFlags result;
  for (char flag : flags) {
    switch (flag) {
      case 'i':
        result.case_insensitive = true;
        break;
      case 'c':
        result.case_insensitive = false;
        break;
      case 'n':
      case 'm':
        result.newline_sensitive = true;
        break;
      case 's':
        result.newline_sensitive = false;
        break;
      case 'g':
        if (!allow_global) {
          return Status::Error(ErrorCode::kInvalidArgument,
                               "regular expression flag 'g' is only allowed in regexp_replace");
        }
        result.global = true;
        break;
      default:
        return Status::Error(ErrorCode::kInvalidArgument,
                             "invalid regular expression flag '{}' in '{}' (valid: i, c, n, m, "
                             "s{})",
                             std::string_view(&flag, 1), flags, allow_global ? ", g" : "");
    }
  }
  return result;
}

Result<Regex> Regex::Compile(std::string_view pattern, const RegexFlags& flags) {
  re2::RE2::Options options;
  options.set_log_errors(false);
  options.set_case_sensitive(!flags.case_insensitive);
  // PostgreSQL's default: '.' matches a newline; newline-sensitive mode turns that off and lets
  // ^ and $ match at line breaks.
  options.set_dot_nl(!flags.newline_sensitive);
  std::string text = flags.newline_sensitive ? "(?m)" + std::string(pattern) : std::string(pattern);
  auto compiled = std::make_shared<const re2::RE2>(Piece(text), options);
  if (!compiled->ok()) {
    return Status::Error(ErrorCode::kInvalidRegex, "invalid regular expression '{}': {}", pattern,
                         compiled->error());
  }
  int groups = compiled->NumberOfCapturingGroups();
  return Regex(std::move(compiled), groups, flags.global);
}

bool Regex::Matches(std::string_view text) const {
  return re2::RE2::PartialMatch(Piece(text), *compiled_);
}

bool Regex::Extract(std::string_view text, int group, std::string_view* out) const {
  *out = {};
  std::array<re2::StringPiece, 10> small;
  std::unique_ptr<re2::StringPiece[]> large;
  re2::StringPiece* match = small.data();
  if (group >= static_cast<int>(small.size())) {
    large = std::make_unique<re2::StringPiece[]>(static_cast<size_t>(group) + 1);
    match = large.get();
  }
  if (!compiled_->Match(Piece(text), 0, text.size(), re2::RE2::UNANCHORED, match, group + 1)) {
    return false;
  }
  if (match[group].data() == nullptr) return false;
  *out = std::string_view(match[group].data(), match[group].size());
  return true;
}

std::string_view Regex::Replace(std::string_view text, std::string_view replacement,
                                std::string* scratch) const {
  const int groups = std::min(group_count_, 9) + 1;
  std::array<re2::StringPiece, 10> match;
  size_t position = 0;
  size_t copied = 0;  // text[copied..] is not in *scratch yet.
  bool replaced = false;
  size_t previous_end = 0;
  while (position <= text.size()) {
    if (!compiled_->Match(Piece(text), position, text.size(), re2::RE2::UNANCHORED, match.data(),
                          groups)) {
      break;
    }
    size_t start = static_cast<size_t>(match[0].data() - text.data());
    size_t end = start + match[0].size();
    if (match[0].empty() && replaced && start == previous_end) {
      // No empty match right where the previous match ended ('a*' on "aaa" replaces once).
      if (start >= text.size()) break;
      position = start + Utf8Width(text, start);
      continue;
    }
    if (!replaced) scratch->clear();
    replaced = true;
    scratch->append(text.substr(copied, start - copied));
    AppendReplacement(replacement, match.data(), groups, scratch);
    copied = end;
    previous_end = end;
    if (!global_) break;
    if (match[0].empty()) {
      // Step over one character so that the next search makes progress.
      if (end >= text.size()) break;
      size_t width = Utf8Width(text, end);
      scratch->append(text.substr(end, width));
      copied = end + width;
      position = end + width;
    } else {
      position = end;
    }
  }
  if (!replaced) return text;
  scratch->append(text.substr(copied));
  return *scratch;
}

}  // namespace laminar::functions
