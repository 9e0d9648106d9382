#include "functions/regex.h"

#include <re2/filtered_re2.h>
#include <re2/re2.h>

#include <algorithm>
#include <array>
#include <cstring>

namespace laminar::functions {
namespace {

re2::StringPiece Piece(std::string_view text) { return re2::StringPiece(text.data(), text.size()); }

char AsciiLower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + ('a' - 'A')) : c; }

bool IsAsciiLetter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

// Whether lowercase ASCII `atom` occurs in `text`, ignoring ASCII case. Candidates are found
// with memchr on the atom's `anchor` byte (a non-letter where there is one, so that case does
// not matter), then the whole atom is compared around it.
bool ContainsIgnoringCase(std::string_view text, std::string_view atom, size_t anchor) {
  if (atom.size() > text.size()) return false;
  const char* const begin = text.data();
  const char* const last_start = begin + (text.size() - atom.size());
  const char lower = atom[anchor];
  const char upper = IsAsciiLetter(lower) ? static_cast<char>(lower - ('a' - 'A')) : lower;
  const char* from = begin + anchor;
  const char* const to = last_start + anchor + 1;  // Anchor positions lie in [from, to).
  while (from < to) {
    const auto span = static_cast<size_t>(to - from);
    const char* hit = static_cast<const char*>(std::memchr(from, lower, span));
    if (upper != lower) {
      const char* other = static_cast<const char*>(std::memchr(from, upper, span));
      if (other != nullptr && (hit == nullptr || other < hit)) hit = other;
    }
    if (hit == nullptr) return false;
    const char* start = hit - anchor;
    size_t i = 0;
    while (i < atom.size() && AsciiLower(start[i]) == atom[i]) ++i;
    if (i == atom.size()) return true;
    from = hit + 1;
  }
  return false;
}

// The prefilter of `pattern`, or null when RE2 finds no atoms, too many, non-ASCII ones, or a
// filter that every text passes. Case-insensitive patterns (flag 'i', or inline flags anywhere)
// get none: RE2 folds case by Unicode rules (K matches the Kelvin sign) and the atom search here
// folds ASCII only; a case-sensitive literal occurs byte for byte, so ASCII folding finds it.
std::shared_ptr<const Regex::Prefilter> MakePrefilter(const std::string& pattern,
                                                      const re2::RE2::Options& options) {
  if (!options.case_sensitive()) return nullptr;
  re2::FilteredRE2 filter(/*min_atom_len=*/3);
  int id = 0;
  if (filter.Add(Piece(pattern), options, &id) != re2::RE2::NoError) return nullptr;
  auto prefilter = std::make_shared<Regex::Prefilter>();
  filter.Compile(&prefilter->atoms);
  const size_t count = prefilter->atoms.size();
  if (count == 0 || count > Regex::Prefilter::kMaxAtoms) return nullptr;
  for (const std::string& atom : prefilter->atoms) {
    if (atom.empty()) return nullptr;
    size_t anchor = 0;
    for (size_t i = 0; i < atom.size(); ++i) {
      if (static_cast<unsigned char>(atom[i]) >= 0x80) return nullptr;
      if (!IsAsciiLetter(atom[i])) anchor = i;
    }
    prefilter->anchors.push_back(anchor);
  }
  // An atom containing another atom is absent wherever that one is.
  prefilter->contains.assign(count, 0);
  for (size_t outer = 0; outer < count; ++outer) {
    for (size_t inner = 0; inner < count; ++inner) {
      if (inner != outer &&
          prefilter->atoms[outer].find(prefilter->atoms[inner]) != std::string::npos) {
        prefilter->contains[outer] |= 1u << inner;
      }
    }
  }
  // The filter is an AND/OR tree over the atoms: tabulate it for every subset of present atoms.
  std::vector<int> present;
  std::vector<int> passing;
  for (uint32_t mask = 0; mask < (1u << count); ++mask) {
    present.clear();
    for (size_t atom = 0; atom < count; ++atom) {
      if ((mask >> atom) & 1) present.push_back(static_cast<int>(atom));
    }
    filter.AllPotentials(present, &passing);
    if (!passing.empty()) prefilter->passing_masks |= 1u << mask;
  }
  const uint32_t all = count == 5 ? 0xFFFFFFFFu : (1u << (1u << count)) - 1;
  if (prefilter->passing_masks == all) return nullptr;  // Filters nothing out.
  return prefilter;
}

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
  return Regex(std::move(compiled), nullptr, groups, flags.global);
}

Result<Regex> Regex::CompileWithPrefilter(std::string_view pattern, const RegexFlags& flags) {
  LAMINAR_ASSIGN_OR_RETURN(Regex regex, Compile(pattern, flags));
  // Inline flags may turn case-insensitivity on for part of the pattern.
  if (pattern.find("(?") == std::string_view::npos) {
    regex.prefilter_ = MakePrefilter(regex.compiled_->pattern(), regex.compiled_->options());
  }
  return regex;
}

const std::vector<std::string>& Regex::prefilter_atoms() const {
  static const std::vector<std::string> none;
  return prefilter_ ? prefilter_->atoms : none;
}

bool Regex::MayMatch(std::string_view text) const {
  if (prefilter_ == nullptr) return true;
  uint32_t mask = 0;
  uint32_t absent = 0;
  for (size_t atom = 0; atom < prefilter_->atoms.size(); ++atom) {
    if ((prefilter_->contains[atom] & absent) == 0 &&
        ContainsIgnoringCase(text, prefilter_->atoms[atom], prefilter_->anchors[atom])) {
      mask |= 1u << atom;
    } else {
      absent |= 1u << atom;
    }
  }
  return (prefilter_->passing_masks >> mask) & 1;
}

bool Regex::Matches(std::string_view text) const {
  if (!MayMatch(text)) return false;
  return re2::RE2::PartialMatch(Piece(text), *compiled_);
}

bool Regex::Extract(std::string_view text, int group, std::string_view* out) const {
  *out = {};
  if (!MayMatch(text)) return false;
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
  if (!MayMatch(text)) return text;
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
