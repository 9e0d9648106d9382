#include "server/statement_splitter.h"

namespace laminar::server {
namespace {

// The lexer's identifier characters (src/sql/parser/lexer.cc): an `E` that follows one of
// these is part of an identifier, not the prefix of an E'...' string.
bool IsIdentifierPart(char c) {
  const auto byte = static_cast<unsigned char>(c);
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '$' || byte >= 0x80;
}

bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

// Walks the text once, tracking line and column, and records a piece at every terminator.
class Splitter {
 public:
  explicit Splitter(std::string_view text) : text_(text) {}

  std::vector<StatementPiece> Split() {
    StartPiece();
    while (pos_ < text_.size()) {
      const char c = text_[pos_];
      if (IsSpace(c)) {
        Advance(1);
      } else if (c == '-' && Peek(1) == '-') {
        while (pos_ < text_.size() && text_[pos_] != '\n') Advance(1);
      } else if (c == '/' && Peek(1) == '*') {
        SkipBlockComment();
      } else if (c == ';') {
        Advance(1);
        EndPiece(/*terminated=*/true);
        StartPiece();
      } else {
        piece_.blank = false;
        if (c == '\'') {
          const bool escapes = pos_ > 0 && (text_[pos_ - 1] == 'e' || text_[pos_ - 1] == 'E') &&
                               (pos_ < 2 || !IsIdentifierPart(text_[pos_ - 2]));
          SkipQuoted('\'', escapes);
        } else if (c == '"') {
          SkipQuoted('"', /*escapes=*/false);
        } else if (c == '$' && Peek(1) == '$') {
          Advance(2);  // `$$` is copied unchanged by variable substitution.
        } else if (c == '$' && Peek(1) == '{') {
          while (pos_ < text_.size() && text_[pos_] != '}') Advance(1);
          if (pos_ < text_.size()) Advance(1);
        } else {
          Advance(1);
        }
      }
    }
    EndPiece(/*terminated=*/false);
    return std::move(pieces_);
  }

 private:
  char Peek(size_t ahead) const { return pos_ + ahead < text_.size() ? text_[pos_ + ahead] : '\0'; }

  void Advance(size_t bytes) {
    for (size_t i = 0; i < bytes && pos_ < text_.size(); ++i) {
      if (text_[pos_] == '\n') {
        ++line_;
        column_ = 1;
      } else {
        ++column_;
      }
      ++pos_;
    }
  }

  // Nested like the lexer's; an unterminated comment runs to the end and is content.
  void SkipBlockComment() {
    Advance(2);
    int depth = 1;
    while (depth > 0) {
      if (pos_ >= text_.size()) {
        piece_.blank = false;
        return;
      }
      if (text_[pos_] == '/' && Peek(1) == '*') {
        Advance(2);
        ++depth;
      } else if (text_[pos_] == '*' && Peek(1) == '/') {
        Advance(2);
        --depth;
      } else {
        Advance(1);
      }
    }
  }

  // A doubled quote stands for one; in E'...' a backslash escapes the next byte.
  void SkipQuoted(char quote, bool escapes) {
    Advance(1);
    while (pos_ < text_.size()) {
      const char c = text_[pos_];
      if (escapes && c == '\\') {
        Advance(2);
      } else if (c == quote) {
        Advance(1);
        if (pos_ < text_.size() && text_[pos_] == quote) {
          Advance(1);
        } else {
          return;
        }
      } else {
        Advance(1);
      }
    }
  }

  void StartPiece() {
    piece_ = StatementPiece();
    piece_.start = SourcePosition{line_, column_, static_cast<uint32_t>(pos_)};
  }

  void EndPiece(bool terminated) {
    piece_.length = pos_ - piece_.start.offset;
    piece_.terminated = terminated;
    pieces_.push_back(piece_);
  }

  std::string_view text_;
  size_t pos_ = 0;
  uint32_t line_ = 1;
  uint32_t column_ = 1;
  StatementPiece piece_;
  std::vector<StatementPiece> pieces_;
};

}  // namespace

std::vector<StatementPiece> SplitStatements(std::string_view text) {
  return Splitter(text).Split();
}

Status ShiftToScript(Status status, const StatementPiece& piece) {
  const SourcePosition position = status.position();
  if (!position.valid()) return status;
  SourcePosition shifted;
  shifted.line = piece.start.line + position.line - 1;
  shifted.column = position.line == 1 ? piece.start.column + position.column - 1 : position.column;
  shifted.offset = piece.start.offset + position.offset;
  return std::move(status).WithPosition(shifted);
}

}  // namespace laminar::server
