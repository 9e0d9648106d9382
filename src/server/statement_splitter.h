#pragma once

#include <string_view>
#include <vector>

#include "common/status.h"

namespace laminar::server {

/// One statement of a script as the command-line tool cuts it: from just after the previous
/// terminating `;` (or the start of the text) up to and including its own `;`. Leading
/// whitespace and comments belong to the piece, so positions inside it map back to the script
/// by adding `start`.
struct StatementPiece {
  /// Where the piece begins in the script (line and column count from 1).
  SourcePosition start;
  /// The piece's bytes: `text.substr(start.offset, length)`.
  size_t length = 0;
  /// Ends with a `;` outside quotes and comments. Only the last piece of a text can be
  /// unterminated.
  bool terminated = false;
  /// Holds nothing but whitespace and complete comments (nothing to execute). An unterminated
  /// quote or block comment counts as content: the statement is not finished.
  bool blank = true;
};

/// Cuts SQL text into statements at every `;` that is outside string literals ('...', E'...'
/// with backslash escapes), quoted identifiers ("..."), comments (-- to the end of the line,
/// nested /* */) and ${NAME} variable references, following the lexer's rules
/// (src/sql/parser/lexer.h). The pieces cover the text without gaps, in order; a text ending
/// with `;` (and possibly whitespace or comments after it) yields a final blank piece.
///
/// Splitting never fails: malformed text (an unterminated string) ends up in the last piece,
/// where executing it reports the error. Runs in time linear in the text.
std::vector<StatementPiece> SplitStatements(std::string_view text);

/// Moves an error position reported for a piece executed on its own (counted from the piece's
/// start) to the same place in the whole script. OK and positionless statuses pass unchanged.
Status ShiftToScript(Status status, const StatementPiece& piece);

}  // namespace laminar::server
