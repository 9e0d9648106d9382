#include "logic_test_format.h"

#include <fmt/format.h>

#include <cctype>

namespace laminar::logic_test {
namespace {

bool IsBlank(std::string_view line) {
  for (char c : line) {
    if (!std::isspace(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

std::string_view TrimRight(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) {
    text.remove_suffix(1);
  }
  return text;
}

std::string_view Trim(std::string_view text) {
  text = TrimRight(text);
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) {
    text.remove_prefix(1);
  }
  return text;
}

/// A whitespace-separated word of a header line and where it starts in the line.
struct Word {
  std::string_view text;
  size_t offset = 0;
};

std::vector<Word> SplitWords(std::string_view line) {
  std::vector<Word> words;
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && std::isspace(static_cast<unsigned char>(line[i]))) ++i;
    const size_t start = i;
    while (i < line.size() && !std::isspace(static_cast<unsigned char>(line[i]))) ++i;
    if (i > start) words.push_back(Word{line.substr(start, i - start), start});
  }
  return words;
}

/// The lines of one record: the header and the lines after it, up to a blank line.
struct RawRecord {
  int line = 0;
  std::string_view header;
  std::vector<std::string_view> body;
};

/// Thrown-free error reporting inside the parser: the message of the first problem found.
struct Problem {
  std::string message;
};

/// Parses `error LDB-NNNN [message...]` starting at words[index] (which is "error").
std::optional<Problem> ParseErrorClause(std::string_view header, const std::vector<Word>& words,
                                        size_t index, std::optional<ExpectedError>* error) {
  if (index + 1 >= words.size()) {
    return Problem{"'error' must be followed by an error code such as LDB-1101"};
  }
  std::optional<int> code = ParseErrorCodeText(words[index + 1].text);
  if (!code) {
    return Problem{fmt::format("'{}' is not an error code; write LDB-NNNN", words[index + 1].text)};
  }
  ExpectedError expected;
  expected.code = *code;
  const size_t message_start = words[index + 1].offset + words[index + 1].text.size();
  expected.message_substring = std::string(Trim(header.substr(message_start)));
  *error = std::move(expected);
  return std::nullopt;
}

std::optional<Problem> RequireNoBody(const RawRecord& raw, std::string_view what) {
  if (!raw.body.empty()) {
    return Problem{
        fmt::format("{} takes no lines after it (end the record with a blank line)", what)};
  }
  return std::nullopt;
}

/// Reads "----" and the expected rows after it, from body[start].
std::optional<Problem> ParseExpectedRows(const RawRecord& raw, size_t start, Record* record) {
  if (start >= raw.body.size()) return std::nullopt;
  if (Trim(raw.body[start]) != "----") {
    return Problem{"expected '----' before the expected rows"};
  }
  for (size_t i = start + 1; i < raw.body.size(); ++i) {
    record->expected_rows.emplace_back(TrimRight(raw.body[i]));
  }
  return std::nullopt;
}

std::optional<Problem> ParseStatement(const RawRecord& raw, const std::vector<Word>& words,
                                      Record* record) {
  record->kind = RecordKind::kStatement;
  if (words.size() < 2) return Problem{"write 'statement ok' or 'statement error LDB-NNNN'"};
  if (words[1].text == "ok") {
    if (words.size() > 2) return Problem{"unexpected text after 'statement ok'"};
  } else if (words[1].text == "error") {
    if (auto problem = ParseErrorClause(raw.header, words, 1, &record->error)) return problem;
  } else {
    return Problem{
        fmt::format("unknown statement mode '{}'; write 'ok' or 'error LDB-NNNN'", words[1].text)};
  }
  if (raw.body.empty()) return Problem{"a statement record needs SQL on the following lines"};
  std::string sql;
  for (std::string_view line : raw.body) {
    if (Trim(line) == "----") {
      return Problem{"a statement has no result rows; use a query record to check rows"};
    }
    if (!sql.empty()) sql += '\n';
    sql += line;
  }
  record->sql = std::move(sql);
  record->sql_line = raw.line + 1;
  return std::nullopt;
}

std::optional<Problem> ParseQuery(const RawRecord& raw, const std::vector<Word>& words,
                                  Record* record) {
  record->kind = RecordKind::kQuery;
  if (words.size() < 2) {
    return Problem{"write 'query <column types> [rowsort]', e.g. 'query IT'"};
  }
  for (char letter : words[1].text) {
    if (letter != 'I' && letter != 'R' && letter != 'T' && letter != 'B') {
      return Problem{fmt::format(
          "column type letter '{}' is not one of I (integer), R (real or decimal), B (boolean), "
          "T (text and everything else)",
          letter)};
    }
  }
  record->column_types = std::string(words[1].text);
  for (size_t i = 2; i < words.size(); ++i) {
    if (words[i].text == "rowsort") {
      record->rowsort = true;
    } else {
      return Problem{
          fmt::format("unknown query option '{}'; the only option is rowsort", words[i].text)};
    }
  }
  size_t separator = raw.body.size();
  for (size_t i = 0; i < raw.body.size(); ++i) {
    if (Trim(raw.body[i]) == "----") {
      separator = i;
      break;
    }
  }
  if (separator == raw.body.size()) {
    return Problem{"a query record needs '----' after its SQL, then the expected rows"};
  }
  if (separator == 0) return Problem{"a query record needs SQL before '----'"};
  std::string sql;
  for (size_t i = 0; i < separator; ++i) {
    if (!sql.empty()) sql += '\n';
    sql += raw.body[i];
  }
  record->sql = std::move(sql);
  record->sql_line = raw.line + 1;
  return ParseExpectedRows(raw, separator, record);
}

std::optional<Problem> ParsePush(const RawRecord& raw, const std::vector<Word>& words,
                                 Record* record) {
  record->kind = RecordKind::kPush;
  if (words.size() < 2) return Problem{"write 'push <source>' and one row per line after it"};
  record->object = FoldObjectName(words[1].text);
  for (size_t i = 2; i < words.size(); ++i) {
    if (words[i].text == "handle" && !record->error) {
      record->push_through_handle = true;
    } else if (words[i].text == "error") {
      if (auto problem = ParseErrorClause(raw.header, words, i, &record->error)) return problem;
      break;
    } else {
      return Problem{
          fmt::format("unknown push option '{}'; options: handle, error LDB-NNNN", words[i].text)};
    }
  }
  if (raw.body.empty()) return Problem{"push needs at least one row, e.g. (1, 'a')"};
  for (std::string_view line : raw.body) {
    std::string_view row = Trim(line);
    if (row.ends_with(',')) row = TrimRight(row.substr(0, row.size() - 1));
    if (!row.starts_with('(') || !row.ends_with(')')) {
      return Problem{
          fmt::format("a pushed row is a parenthesised SQL tuple such as (1, 'a'), not '{}'", row)};
    }
    record->push_rows.emplace_back(row);
  }
  record->sql_line = raw.line + 1;
  return std::nullopt;
}

/// The words from `first` up to an "error" word (or the end), joined as written, and the
/// index where they stopped.
std::string_view ArgumentUntilError(std::string_view header, const std::vector<Word>& words,
                                    size_t first, size_t* stop) {
  size_t end = first;
  while (end < words.size() && words[end].text != "error") ++end;
  *stop = end;
  if (end == first) return {};
  const size_t from = words[first].offset;
  const size_t to = words[end - 1].offset + words[end - 1].text.size();
  return header.substr(from, to - from);
}

std::optional<Problem> ParseWatermark(const RawRecord& raw, const std::vector<Word>& words,
                                      Record* record) {
  record->kind = RecordKind::kWatermark;
  if (auto problem = RequireNoBody(raw, "watermark")) return problem;
  if (words.size() < 3) {
    return Problem{"write 'watermark <source> <micros or timestamp>'"};
  }
  record->object = FoldObjectName(words[1].text);
  size_t stop = 0;
  record->argument = std::string(ArgumentUntilError(raw.header, words, 2, &stop));
  if (record->argument.empty()) return Problem{"watermark needs a time"};
  if (stop < words.size()) {
    if (auto problem = ParseErrorClause(raw.header, words, stop, &record->error)) return problem;
  }
  return std::nullopt;
}

std::optional<Problem> ParseClose(const RawRecord& raw, const std::vector<Word>& words,
                                  Record* record) {
  record->kind = RecordKind::kClose;
  if (auto problem = RequireNoBody(raw, "close")) return problem;
  if (words.size() < 2) return Problem{"write 'close <source>'"};
  record->object = FoldObjectName(words[1].text);
  if (words.size() > 2) {
    if (words[2].text != "error") {
      return Problem{fmt::format("unknown close option '{}'", words[2].text)};
    }
    if (auto problem = ParseErrorClause(raw.header, words, 2, &record->error)) return problem;
  }
  return std::nullopt;
}

std::optional<Problem> ParseClock(const RawRecord& raw, const std::vector<Word>& words,
                                  Record* record) {
  if (auto problem = RequireNoBody(raw, "clock")) return problem;
  if (words.size() < 3 || (words[1].text != "advance" && words[1].text != "set")) {
    return Problem{"write 'clock advance <interval>' or 'clock set <timestamp>'"};
  }
  record->kind = words[1].text == "advance" ? RecordKind::kClockAdvance : RecordKind::kClockSet;
  record->argument = std::string(Trim(raw.header.substr(words[2].offset)));
  return std::nullopt;
}

std::optional<Problem> ParseSubscribe(const RawRecord& raw, const std::vector<Word>& words,
                                      Record* record) {
  record->kind = RecordKind::kSubscribe;
  if (auto problem = RequireNoBody(raw, "subscribe")) return problem;
  if (words.size() < 4 || words[2].text != "as") {
    return Problem{"write 'subscribe <name> as <alias>'"};
  }
  record->object = FoldObjectName(words[1].text);
  record->argument = FoldObjectName(words[3].text);
  if (words.size() > 4) {
    if (words[4].text != "error") {
      return Problem{fmt::format("unknown subscribe option '{}'", words[4].text)};
    }
    if (auto problem = ParseErrorClause(raw.header, words, 4, &record->error)) return problem;
  }
  return std::nullopt;
}

std::optional<Problem> ParseExpect(const RawRecord& raw, const std::vector<Word>& words,
                                   Record* record) {
  record->kind = RecordKind::kExpectRows;
  if (words.size() < 2) return Problem{"write 'expect <stream> [rowsort]'"};
  record->object = FoldObjectName(words[1].text);
  if (words.size() >= 3 && words[2].text == "watermark") {
    record->kind = RecordKind::kExpectWatermark;
    if (auto problem = RequireNoBody(raw, "expect ... watermark")) return problem;
    if (words.size() < 4) return Problem{"write 'expect <stream> watermark <time>'"};
    record->argument = std::string(Trim(raw.header.substr(words[3].offset)));
    return std::nullopt;
  }
  if (words.size() >= 3 && words[2].text == "empty") {
    if (words.size() > 3) return Problem{"unexpected text after 'empty'"};
    return RequireNoBody(raw, "expect ... empty");
  }
  for (size_t i = 2; i < words.size(); ++i) {
    if (words[i].text == "rowsort") {
      record->rowsort = true;
    } else if (words[i].text == "error") {
      if (auto problem = ParseErrorClause(raw.header, words, i, &record->error)) return problem;
      break;
    } else {
      return Problem{fmt::format(
          "unknown expect option '{}'; options: rowsort, empty, error LDB-NNNN, watermark <time>",
          words[i].text)};
    }
  }
  return ParseExpectedRows(raw, 0, record);
}

std::optional<Problem> ParseRecord(const RawRecord& raw, Record* record) {
  record->line = raw.line;
  const std::vector<Word> words = SplitWords(raw.header);
  const std::string_view keyword = words.front().text;
  if (keyword == "statement") return ParseStatement(raw, words, record);
  if (keyword == "query") return ParseQuery(raw, words, record);
  if (keyword == "push") return ParsePush(raw, words, record);
  if (keyword == "watermark") return ParseWatermark(raw, words, record);
  if (keyword == "close") return ParseClose(raw, words, record);
  if (keyword == "clock") return ParseClock(raw, words, record);
  if (keyword == "subscribe") return ParseSubscribe(raw, words, record);
  if (keyword == "expect") return ParseExpect(raw, words, record);
  if (keyword == "halt" || keyword == "durable" || keyword == "restart" || keyword == "crash") {
    record->kind = keyword == "halt"      ? RecordKind::kHalt
                   : keyword == "durable" ? RecordKind::kDurable
                   : keyword == "restart" ? RecordKind::kRestart
                                          : RecordKind::kCrash;
    if (words.size() > 1) return Problem{fmt::format("unexpected text after '{}'", keyword)};
    return RequireNoBody(raw, std::string(keyword));
  }
  if (keyword == "checkpoint") {
    record->kind = RecordKind::kCheckpoint;
    if (auto problem = RequireNoBody(raw, "checkpoint")) return problem;
    if (words.size() > 1) {
      if (words[1].text != "error") {
        return Problem{fmt::format("unknown checkpoint option '{}'", words[1].text)};
      }
      if (auto problem = ParseErrorClause(raw.header, words, 1, &record->error)) return problem;
    }
    return std::nullopt;
  }
  return Problem{fmt::format(
      "unknown record '{}'; records start with statement, query, push, watermark, close, clock, "
      "subscribe, expect, durable, checkpoint, restart, crash or halt",
      keyword)};
}

}  // namespace

std::optional<int> ParseErrorCodeText(std::string_view text) {
  if (text.size() != 8 || !text.starts_with("LDB-")) return std::nullopt;
  int code = 0;
  for (char c : text.substr(4)) {
    if (c < '0' || c > '9') return std::nullopt;
    code = code * 10 + (c - '0');
  }
  return code;
}

std::string FoldObjectName(std::string_view name) {
  if (name.size() >= 2 && name.front() == '"' && name.back() == '"') {
    return std::string(name.substr(1, name.size() - 2));
  }
  std::string folded(name);
  for (char& c : folded) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return folded;
}

ParsedFile ParseLogicTest(std::string_view text) {
  // Split into lines; "\r\n" line ends count as "\n".
  std::vector<std::string_view> lines;
  while (!text.empty()) {
    const size_t end = text.find('\n');
    std::string_view line = text.substr(0, end);
    if (line.ends_with('\r')) line.remove_suffix(1);
    lines.push_back(line);
    if (end == std::string_view::npos) break;
    text.remove_prefix(end + 1);
  }

  ParsedFile parsed;
  size_t i = 0;
  while (i < lines.size()) {
    // Between records: blank lines and # comments.
    if (IsBlank(lines[i]) || lines[i].starts_with('#')) {
      ++i;
      continue;
    }
    RawRecord raw;
    raw.line = static_cast<int>(i) + 1;
    raw.header = TrimRight(lines[i]);
    ++i;
    while (i < lines.size() && !IsBlank(lines[i])) raw.body.push_back(lines[i++]);
    Record record;
    if (std::optional<Problem> problem = ParseRecord(raw, &record)) {
      parsed.errors.push_back(FormatError{raw.line, std::move(problem->message)});
      continue;
    }
    parsed.records.push_back(std::move(record));
  }
  return parsed;
}

}  // namespace laminar::logic_test
