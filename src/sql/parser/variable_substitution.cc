#include "sql/parser/variable_substitution.h"

namespace laminar::sql {

namespace {

bool IsNameStart(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }

bool IsNamePart(char c) { return IsNameStart(c) || (c >= '0' && c <= '9') || c == '.'; }

/// The position of byte `offset`, counting lines and columns from the start of `text`.
SourcePosition PositionOf(std::string_view text, size_t offset) {
  uint32_t line = 1;
  size_t line_start = 0;
  for (size_t i = 0; i < offset; ++i) {
    if (text[i] == '\n') {
      ++line;
      line_start = i + 1;
    }
  }
  return SourcePosition{line, static_cast<uint32_t>(offset - line_start + 1),
                        static_cast<uint32_t>(offset)};
}

}  // namespace

Result<std::string> SubstituteVariables(std::string_view text, const VariableLookup& lookup) {
  std::string out;
  out.reserve(text.size());
  size_t i = 0;
  while (i < text.size()) {
    char c = text[i];
    if (c != '$') {
      out.push_back(c);
      ++i;
      continue;
    }
    if (i + 1 < text.size() && text[i + 1] == '$') {
      out.append("$$");
      i += 2;
      continue;
    }
    // Try to read ${NAME} or ${NAME:-default}; anything else is copied unchanged.
    size_t name_begin = i + 2;
    if (i + 1 >= text.size() || text[i + 1] != '{' || name_begin >= text.size() ||
        !IsNameStart(text[name_begin])) {
      out.push_back(c);
      ++i;
      continue;
    }
    size_t name_end = name_begin;
    while (name_end < text.size() && IsNamePart(text[name_end])) ++name_end;
    std::string_view name = text.substr(name_begin, name_end - name_begin);
    std::optional<std::string_view> fallback;
    size_t close = name_end;
    if (text.substr(name_end, 2) == ":-") {
      close = text.find('}', name_end + 2);
      if (close == std::string_view::npos) {
        out.push_back(c);
        ++i;
        continue;
      }
      fallback = text.substr(name_end + 2, close - name_end - 2);
    } else if (name_end >= text.size() || text[name_end] != '}') {
      out.push_back(c);
      ++i;
      continue;
    }
    std::optional<std::string> value = lookup ? lookup(name) : std::nullopt;
    if (value.has_value()) {
      out.append(*value);
    } else if (fallback.has_value()) {
      out.append(*fallback);
    } else {
      return Status::Error(ErrorCode::kUndefinedVariable,
                           "variable \"{}\" is not defined; set it or write ${{{}:-default}}", name,
                           name)
          .WithPosition(PositionOf(text, i));
    }
    i = close + 1;
  }
  return out;
}

}  // namespace laminar::sql
