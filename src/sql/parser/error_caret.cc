#include "sql/parser/error_caret.h"

namespace laminar::sql {

std::string RenderErrorWithCaret(std::string_view text, const Status& status) {
  std::string rendered = status.ToString();
  SourcePosition position = status.position();
  if (!position.valid() || position.offset > text.size()) return rendered;
  size_t line_start = 0;
  if (position.offset > 0) {
    size_t newline = text.rfind('\n', position.offset - 1);
    line_start = newline == std::string_view::npos ? 0 : newline + 1;
  }
  size_t line_end = text.find('\n', line_start);
  if (line_end == std::string_view::npos) line_end = text.size();
  std::string_view line = text.substr(line_start, line_end - line_start);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);

  std::string caret;
  for (size_t i = line_start; i < position.offset && i < line_end; ++i) {
    auto byte = static_cast<unsigned char>(text[i]);
    if (text[i] == '\t') {
      caret += '\t';
    } else if ((byte & 0xC0) != 0x80) {  // Skip UTF-8 continuation bytes.
      caret += ' ';
    }
  }
  caret += '^';
  rendered += '\n';
  rendered += line;
  rendered += '\n';
  rendered += caret;
  return rendered;
}

}  // namespace laminar::sql
