#include "columnar/table_printer.h"

#include <fmt/format.h>

#include <algorithm>
#include <vector>

#include "columnar/value.h"

namespace laminar {
namespace {

// Display width in terminal columns: counts UTF-8 code points, not continuation bytes.
size_t DisplayWidth(std::string_view text) {
  size_t width = 0;
  for (const unsigned char c : text) {
    if ((c & 0xC0) != 0x80) ++width;
  }
  return width;
}

std::string Truncate(std::string text, int max_width) {
  if (max_width <= 3 || DisplayWidth(text) <= static_cast<size_t>(max_width)) return text;
  // Cut on a code point boundary.
  size_t bytes = 0;
  size_t width = 0;
  while (bytes < text.size() && width < static_cast<size_t>(max_width - 3)) {
    ++bytes;
    while (bytes < text.size() && (static_cast<unsigned char>(text[bytes]) & 0xC0) == 0x80) {
      ++bytes;
    }
    ++width;
  }
  text.resize(bytes);
  return text + "...";
}

// Control characters (newlines, escape sequences) would break the table or the terminal.
std::string Sanitize(std::string text) {
  for (char& c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7f) c = ' ';
  }
  return text;
}

void AppendPadded(std::string& line, std::string_view text, size_t width, bool right_align) {
  const size_t padding = width - DisplayWidth(text);
  if (right_align) line.append(padding, ' ');
  line.append(text);
  if (!right_align) line.append(padding, ' ');
}

}  // namespace

std::string FormatTable(const Schema& schema, std::span<const Batch> batches,
                        const TableFormatOptions& options) {
  const int columns = schema.num_fields();
  std::vector<size_t> widths(columns);
  std::vector<bool> right_align(columns);
  for (int c = 0; c < columns; ++c) {
    widths[c] = DisplayWidth(schema.field(c).name);
    right_align[c] = schema.field(c).type.IsNumeric();
  }

  int64_t total_rows = 0;
  for (const Batch& batch : batches) total_rows += batch.num_rows();
  const int64_t shown_rows = std::min(total_rows, options.max_rows);

  std::vector<std::vector<std::string>> cells;
  cells.reserve(static_cast<size_t>(shown_rows));
  for (const Batch& batch : batches) {
    for (int64_t r = 0; r < batch.num_rows() && static_cast<int64_t>(cells.size()) < shown_rows;
         ++r) {
      std::vector<std::string> row(columns);
      for (int c = 0; c < columns; ++c) {
        row[c] =
            Truncate(Sanitize(batch.column(c).GetValue(r).ToString()), options.max_column_width);
        widths[c] = std::max(widths[c], DisplayWidth(row[c]));
      }
      cells.push_back(std::move(row));
    }
  }

  std::string separator = "+";
  for (int c = 0; c < columns; ++c) {
    separator.append(widths[c] + 2, '-');
    separator += '+';
  }
  separator += '\n';

  std::string out = separator;
  out += '|';
  for (int c = 0; c < columns; ++c) {
    out += ' ';
    AppendPadded(out, schema.field(c).name, widths[c], /*right_align=*/false);
    out += " |";
  }
  out += '\n';
  out += separator;
  for (const auto& row : cells) {
    out += '|';
    for (int c = 0; c < columns; ++c) {
      out += ' ';
      AppendPadded(out, row[c], widths[c], right_align[c] && row[c] != "NULL");
      out += " |";
    }
    out += '\n';
  }
  out += separator;
  if (total_rows > shown_rows) {
    out += fmt::format("... {} more row{}\n", total_rows - shown_rows,
                       total_rows - shown_rows == 1 ? "" : "s");
  }
  if (options.show_row_count) {
    out += fmt::format("({} row{})\n", total_rows, total_rows == 1 ? "" : "s");
  }
  return out;
}

std::string FormatTable(const Batch& batch, const TableFormatOptions& options) {
  return FormatTable(batch.schema(), std::span<const Batch>(&batch, 1), options);
}

}  // namespace laminar
