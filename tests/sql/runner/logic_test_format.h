#pragma once

// The SQL logic test format (docs/testing.md): a .test file is a sequence of records separated
// by blank lines. This file parses the text into records; logic_test_runner.h runs them.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace laminar::logic_test {

/// What a record does.
enum class RecordKind {
  kStatement,        // statement ok | statement error LDB-NNNN [message]
  kQuery,            // query <types> [rowsort]
  kPush,             // push <source> [handle] [error LDB-NNNN [message]]
  kWatermark,        // watermark <source> <micros | timestamp> [error LDB-NNNN [message]]
  kClose,            // close <source> [error LDB-NNNN [message]]
  kClockAdvance,     // clock advance <interval>
  kClockSet,         // clock set <timestamp>
  kSubscribe,        // subscribe <name> as <alias> [error LDB-NNNN [message]]
  kExpectRows,       // expect <name> [rowsort] [error LDB-NNNN [message]] | expect <name> empty
  kExpectWatermark,  // expect <name> watermark <micros | timestamp | -inf | +inf>
  kHalt,             // halt
  kDurable,          // durable  (first record: the file runs on a database with a data_dir)
  kCheckpoint,       // checkpoint [error LDB-NNNN [message]]
  kRestart,          // restart  (Shutdown, then Open on the same data_dir)
  kCrash,            // crash    (SimulateCrash, then Open on the same data_dir)
};

/// An error a record expects: the LDB code's number and, optionally, a piece of the message.
struct ExpectedError {
  int code = 0;                   // 1101 for LDB-1101.
  std::string message_substring;  // Empty: any message.
};

/// One record of a .test file. Which fields mean something depends on `kind`.
struct Record {
  RecordKind kind = RecordKind::kStatement;
  /// Line of the record's first (header) line, counting from 1.
  int line = 0;
  /// kStatement, kQuery: the SQL text (lines joined with '\n').
  std::string sql;
  /// Line on which `sql` starts.
  int sql_line = 0;
  /// kStatement, kPush, kWatermark, kClose, kSubscribe, kExpectRows: the error the record
  /// expects.
  std::optional<ExpectedError> error;
  /// kQuery: one letter per result column (I, R, T, B).
  std::string column_types;
  /// kQuery, kExpectRows: compare rows after sorting both sides.
  bool rowsort = false;
  /// kQuery, kExpectRows: the expected rows, one string per row.
  std::vector<std::string> expected_rows;
  /// kPush, kWatermark, kClose, kSubscribe, kExpectRows, kExpectWatermark: the object named,
  /// folded to lower case unless written in double quotes.
  std::string object;
  /// kPush: the rows as written, one SQL tuple per entry, e.g. "(1, 'a')".
  std::vector<std::string> push_rows;
  /// kPush: push through a SourceHandle instead of INSERT INTO.
  bool push_through_handle = false;
  /// kWatermark, kExpectWatermark: the time as written; kClockAdvance: the interval;
  /// kClockSet: the timestamp; kSubscribe: the alias (folded like `object`).
  std::string argument;
};

/// A line of the file that could not be understood.
struct FormatError {
  int line = 0;
  std::string message;
};

/// The records of a file, and the errors of the records that could not be parsed (each bad
/// record is skipped; parsing continues with the next one).
struct ParsedFile {
  std::vector<Record> records;
  std::vector<FormatError> errors;
};

/// Parses the text of a .test file.
ParsedFile ParseLogicTest(std::string_view text);

/// "LDB-1101" → 1101; nullopt when `text` is not of that form.
std::optional<int> ParseErrorCodeText(std::string_view text);

/// Folds an object name as the SQL front end does: unquoted names to lower case, "Quoted"
/// names keep their case (without the quotes).
std::string FoldObjectName(std::string_view name);

}  // namespace laminar::logic_test
