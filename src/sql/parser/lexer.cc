#include "sql/parser/lexer.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cstring>
#include <string>

#include "common/check.h"
#include "common/utf8.h"

namespace laminar::sql {

std::string_view TokenKindName(TokenKind kind) {
  switch (kind) {
    case TokenKind::kEndOfInput:
      return "end of input";
    case TokenKind::kIdentifier:
    case TokenKind::kQuotedIdentifier:
      return "a name";
    case TokenKind::kString:
      return "a string literal";
    case TokenKind::kInteger:
      return "an integer";
    case TokenKind::kDecimal:
      return "a number";
    case TokenKind::kComma:
      return "\",\"";
    case TokenKind::kSemicolon:
      return "\";\"";
    case TokenKind::kLeftParen:
      return "\"(\"";
    case TokenKind::kRightParen:
      return "\")\"";
    case TokenKind::kLeftBracket:
      return "\"[\"";
    case TokenKind::kRightBracket:
      return "\"]\"";
    case TokenKind::kDot:
      return "\".\"";
    case TokenKind::kPlus:
      return "\"+\"";
    case TokenKind::kMinus:
      return "\"-\"";
    case TokenKind::kStar:
      return "\"*\"";
    case TokenKind::kSlash:
      return "\"/\"";
    case TokenKind::kPercent:
      return "\"%\"";
    case TokenKind::kCaret:
      return "\"^\"";
    case TokenKind::kConcat:
      return "\"||\"";
    case TokenKind::kEqual:
      return "\"=\"";
    case TokenKind::kNotEqual:
      return "\"<>\"";
    case TokenKind::kLess:
      return "\"<\"";
    case TokenKind::kLessEqual:
      return "\"<=\"";
    case TokenKind::kGreater:
      return "\">\"";
    case TokenKind::kGreaterEqual:
      return "\">=\"";
    case TokenKind::kDoubleColon:
      return "\"::\"";
    case TokenKind::kColon:
      return "\":\"";
    case TokenKind::kArrow:
      return "\"=>\"";
  }
  return "a token";
}

namespace {

// Character classes of the SQL alphabet, one table lookup per byte.
constexpr uint8_t kDigitClass = 1;
constexpr uint8_t kIdentifierStartClass = 2;
constexpr uint8_t kIdentifierPartClass = 4;
// Whitespace, and the first bytes of comments ("--" and "/*").
constexpr uint8_t kSkippableClass = 8;

constexpr std::array<uint8_t, 256> BuildCharacterClasses() {
  std::array<uint8_t, 256> classes{};
  for (int byte = 0; byte < 256; ++byte) {
    bool digit = byte >= '0' && byte <= '9';
    bool start =
        (byte >= 'a' && byte <= 'z') || (byte >= 'A' && byte <= 'Z') || byte == '_' || byte >= 0x80;
    uint8_t value = 0;
    if (digit) value |= kDigitClass;
    if (start) value |= kIdentifierStartClass;
    if (start || digit || byte == '$') value |= kIdentifierPartClass;
    if (byte == ' ' || byte == '\t' || byte == '\r' || byte == '\f' || byte == '\v' ||
        byte == '\n' || byte == '-' || byte == '/') {
      value |= kSkippableClass;
    }
    classes[byte] = value;
  }
  return classes;
}

constexpr std::array<uint8_t, 256> kCharacterClasses = BuildCharacterClasses();

/// The token of each byte that forms a token on its own whatever byte follows (comments were
/// skipped before, and a dot followed by a digit was taken as a number); kEndOfInput for the
/// others.
constexpr std::array<TokenKind, 256> BuildSingleByteTokens() {
  std::array<TokenKind, 256> kinds{};
  kinds[','] = TokenKind::kComma;
  kinds[';'] = TokenKind::kSemicolon;
  kinds['('] = TokenKind::kLeftParen;
  kinds[')'] = TokenKind::kRightParen;
  kinds['['] = TokenKind::kLeftBracket;
  kinds[']'] = TokenKind::kRightBracket;
  kinds['.'] = TokenKind::kDot;
  kinds['+'] = TokenKind::kPlus;
  kinds['-'] = TokenKind::kMinus;
  kinds['*'] = TokenKind::kStar;
  kinds['/'] = TokenKind::kSlash;
  kinds['%'] = TokenKind::kPercent;
  kinds['^'] = TokenKind::kCaret;
  return kinds;
}

constexpr std::array<TokenKind, 256> kSingleByteTokens = BuildSingleByteTokens();

bool HasClass(char c, uint8_t character_class) {
  return (kCharacterClasses[static_cast<unsigned char>(c)] & character_class) != 0;
}

bool IsDigit(char c) { return HasClass(c, kDigitClass); }

bool IsHexDigit(char c) { return IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

int HexValue(char c) {
  if (IsDigit(c)) return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return c - 'A' + 10;
}

bool IsIdentifierStart(char c) { return HasClass(c, kIdentifierStartClass); }

bool IsIdentifierPart(char c) { return HasClass(c, kIdentifierPartClass); }

char ToLowerAscii(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

/// kLengthMasks[n] keeps the first n bytes of a padded word and clears the rest.
constexpr std::array<PaddedWord, kPaddedWordSize + 1> BuildLengthMasks() {
  std::array<PaddedWord, kPaddedWordSize + 1> masks{};
  for (size_t length = 0; length <= kPaddedWordSize; ++length) {
    std::array<char, kPaddedWordSize> bytes{};
    for (size_t i = 0; i < length; ++i) bytes[i] = static_cast<char>(0xFF);
    masks[length] = std::bit_cast<PaddedWord>(bytes);
  }
  return masks;
}

constexpr std::array<PaddedWord, kPaddedWordSize + 1> kLengthMasks = BuildLengthMasks();

/// Folds the ASCII capitals among eight bytes to lower case; every other byte, including the
/// bytes of multi-byte UTF-8 characters, stays as it is.
constexpr uint64_t FoldCase(uint64_t bytes) {
  constexpr uint64_t kEachByte = 0x0101010101010101u;
  constexpr uint64_t kHighBits = 0x80 * kEachByte;
  uint64_t low_bits = bytes & ~kHighBits;  // Each byte below 0x80, so sums never carry over.
  uint64_t at_least_a = low_bits + (0x80 - 'A') * kEachByte;    // High bit set from 'A' up.
  uint64_t beyond_z = low_bits + (0x80 - 'Z' - 1) * kEachByte;  // High bit set past 'Z'.
  uint64_t capitals = at_least_a & ~beyond_z & ~bytes & kHighBits;
  return bytes | (capitals >> 2);  // 0x80 >> 2 is 0x20, the case bit.
}

static_assert(FoldCase(0x5B5A41403F7A61C1u) == 0x5B7A61403F7A61C1u);

/// Scans the text once, keeping the line and column of the cursor up to date.
///
/// Token texts are views. Most view the text itself (names already in lower case, numbers,
/// strings without escapes) or a keyword's spelling; the others (names with capitals, strings
/// with escapes or doubled quotes) are decoded into `decoded`. A decoded text is never longer
/// than its spelling, so `decoded`, once it has room for the whole text, never reallocates and
/// the views stay valid.
class Lexer {
 public:
  Lexer(std::string_view text, std::vector<char>& decoded) : text_(text), decoded_(decoded) {}

  /// Appends the tokens to `tokens`. On error `tokens` holds a partial result.
  /// REQUIRES: `decoded` is empty.
  Status Run(std::vector<Token>& tokens) {
    // Real SQL averages well over four bytes per token; the vector only grows on odd input.
    tokens.reserve(tokens.size() + text_.size() / 4 + 1);
    while (true) {
      LAMINAR_RETURN_IF_ERROR(SkipWhitespaceAndComments());
      Token& token = tokens.emplace_back();
      token.position = Here();
      if (AtEnd()) {
        token.kind = TokenKind::kEndOfInput;
        token.end_offset = static_cast<uint32_t>(pos_);
        return Status::Ok();
      }
      LAMINAR_RETURN_IF_ERROR(Scan(token));
      token.end_offset = static_cast<uint32_t>(pos_);
      token.raw =
          std::string_view(text_.data() + token.position.offset, pos_ - token.position.offset);
    }
  }

 private:
  bool AtEnd() const { return pos_ >= text_.size(); }
  char Peek(size_t ahead = 0) const {
    return pos_ + ahead < text_.size() ? text_[pos_ + ahead] : '\0';
  }
  SourcePosition Here() const {
    return SourcePosition{line_, static_cast<uint32_t>(pos_ - line_start_ + 1),
                          static_cast<uint32_t>(pos_)};
  }
  void Advance() {
    if (text_[pos_] == '\n') {
      ++line_;
      line_start_ = pos_ + 1;
    }
    ++pos_;
  }

  static Status Invalid(SourcePosition position, std::string message) {
    return Status(ErrorCode::kInvalidToken, std::move(message)).WithPosition(position);
  }

  /// Where the next decoded text starts in `decoded_`. Gives `decoded_` room for the whole text
  /// the first time, while no token views it yet.
  size_t StartDecoded() {
    if (decoded_.capacity() < text_.size()) {
      LAMINAR_CHECK(decoded_.empty());
      decoded_.reserve(text_.size());
    }
    return decoded_.size();
  }
  std::string_view DecodedSince(size_t start) const {
    return std::string_view(decoded_.data() + start, decoded_.size() - start);
  }

  Status SkipWhitespaceAndComments() {
    while (!AtEnd()) {
      char c = text_[pos_];
      // Most calls stop at once, at the first byte of a token: one table lookup decides.
      if (!HasClass(c, kSkippableClass)) break;
      if (c == ' ') {
        // Indentation: runs of spaces are the most common whitespace by far.
        const char* const data = text_.data();
        const size_t size = text_.size();
        size_t end = pos_;
        do {
          ++end;
        } while (end < size && data[end] == ' ');
        pos_ = end;
      } else if (c == '\n') {
        Advance();
      } else if (c == '\t' || c == '\r' || c == '\f' || c == '\v') {
        ++pos_;
      } else if (c == '-' && Peek(1) == '-') {
        // The comment runs to the end of the line; the newline itself is whitespace.
        const void* newline = std::memchr(text_.data() + pos_, '\n', text_.size() - pos_);
        pos_ = newline == nullptr
                   ? text_.size()
                   : static_cast<size_t>(static_cast<const char*>(newline) - text_.data());
      } else if (c == '/' && Peek(1) == '*') {
        SourcePosition start = Here();
        Advance();
        Advance();
        int depth = 1;
        while (depth > 0) {
          if (AtEnd()) return Invalid(start, "unterminated block comment");
          if (Peek() == '/' && Peek(1) == '*') {
            Advance();
            Advance();
            ++depth;
          } else if (Peek() == '*' && Peek(1) == '/') {
            Advance();
            Advance();
            --depth;
          } else {
            Advance();
          }
        }
      } else {
        break;
      }
    }
    return Status::Ok();
  }

  Status Scan(Token& token) {
    char c = Peek();
    if ((c == 'e' || c == 'E') && Peek(1) == '\'') {
      Advance();
      token.kind = TokenKind::kString;
      return ScanString(token, /*escapes=*/true);
    }
    if (IsIdentifierStart(c)) {
      ScanIdentifier(token);
      return Status::Ok();
    }
    if (IsDigit(c) || (c == '.' && IsDigit(Peek(1)))) return ScanNumber(token);
    if (c == '\'') {
      token.kind = TokenKind::kString;
      return ScanString(token, /*escapes=*/false);
    }
    if (c == '"') return ScanQuotedIdentifier(token);
    // Punctuation that is one byte whatever follows: a table lookup, no call.
    const TokenKind single = kSingleByteTokens[static_cast<unsigned char>(c)];
    if (single != TokenKind::kEndOfInput) {
      token.kind = single;
      ++pos_;  // Not a newline.
      return Status::Ok();
    }
    return ScanOperator(token);
  }

  /// An unquoted identifier: folded to lower case and looked up in the keyword table. Its text
  /// is the keyword's spelling, the identifier itself when it has no capitals, or the folded
  /// copy. It never contains a newline, so the cursor jumps to its end.
  void ScanIdentifier(Token& token) {
    token.kind = TokenKind::kIdentifier;
    const char* const data = text_.data();
    const size_t size = text_.size();
    size_t start = pos_;
    size_t end = pos_ + 1;
    while (end < size && IsIdentifierPart(data[end])) ++end;
    size_t length = end - start;
    pos_ = end;
    const std::string_view spelling = text_.substr(start, length);
    if (length <= kPaddedWordSize && start + kPaddedWordSize <= text_.size()) {
      // The common case: fold and pad a fixed number of bytes, eight at a time, instead of a
      // loop whose exit costs a branch misprediction per word.
      PaddedWord word;
      std::memcpy(word.data(), text_.data() + start, kPaddedWordSize);
      const PaddedWord& mask = kLengthMasks[length];
      // Most words fit in the first eight bytes; the others are then all padding.
      word[0] &= mask[0];
      uint64_t capitals = FoldCase(word[0]) ^ word[0];
      word[0] ^= capitals;
      if (length > 8) {
        for (size_t i = 1; i < word.size(); ++i) {
          word[i] &= mask[i];
          const uint64_t folded = FoldCase(word[i]);
          capitals |= folded ^ word[i];
          word[i] = folded;
        }
      } else {
        for (size_t i = 1; i < word.size(); ++i) word[i] = 0;
      }
      token.keyword_id = LookUpKeyword(word);
      if (token.keyword_id != 0) {
        token.text = kKeywordSpellings[token.keyword_id - 1].word;
      } else if (capitals == 0) {
        token.text = spelling;
      } else {
        const size_t decoded = StartDecoded();
        const char* folded = reinterpret_cast<const char*>(word.data());
        decoded_.insert(decoded_.end(), folded, folded + length);
        token.text = DecodedSince(decoded);
      }
      return;
    }
    if (std::none_of(spelling.begin(), spelling.end(),
                     [](char letter) { return letter >= 'A' && letter <= 'Z'; })) {
      token.text = spelling;
    } else {
      const size_t decoded = StartDecoded();
      for (char letter : spelling) decoded_.push_back(ToLowerAscii(letter));
      token.text = DecodedSince(decoded);
    }
    token.keyword_id = LookUpKeyword(token.text);
    if (token.keyword_id != 0) token.text = kKeywordSpellings[token.keyword_id - 1].word;
  }

  /// A number's text is exactly its spelling; numbers never contain newlines, so the cursor
  /// moves without line bookkeeping.
  Status ScanNumber(Token& token) {
    token.kind = TokenKind::kInteger;
    size_t start = pos_;
    while (IsDigit(Peek())) ++pos_;
    if (Peek() == '.' && Peek(1) != '.') {
      token.kind = TokenKind::kDecimal;
      ++pos_;
      while (IsDigit(Peek())) ++pos_;
    }
    if (Peek() == 'e' || Peek() == 'E') {
      size_t digits_at = (Peek(1) == '+' || Peek(1) == '-') ? 2 : 1;
      if (!IsDigit(Peek(digits_at))) {
        return Invalid(token.position, "invalid number: the exponent has no digits");
      }
      token.kind = TokenKind::kDecimal;
      pos_ += digits_at;
      while (IsDigit(Peek())) ++pos_;
    }
    token.text = text_.substr(start, pos_ - start);
    if (!AtEnd() && IsIdentifierPart(Peek())) {
      return Invalid(Here(), "invalid number: letters directly after a numeric literal");
    }
    return Status::Ok();
  }

  /// Moves the cursor to the first `quote` (or, when `stop_at_backslash`, backslash) at or
  /// after it; stops at the end of the text.
  void SkipUntil(char quote, bool stop_at_backslash) {
    size_t end = pos_;
    while (end < text_.size()) {
      char c = text_[end];
      if (c == quote || (stop_at_backslash && c == '\\')) break;
      if (c == '\n') {
        ++line_;
        line_start_ = end + 1;
      }
      ++end;
    }
    pos_ = end;
  }

  /// SkipUntil, appending the bytes passed over to `decoded_`.
  void CopyUntil(char quote, bool stop_at_backslash) {
    const size_t from = pos_;
    SkipUntil(quote, stop_at_backslash);
    decoded_.insert(decoded_.end(), text_.data() + from, text_.data() + pos_);
  }

  Status ScanString(Token& token, bool escapes) {
    Advance();  // The opening quote.
    // Most strings have neither escapes nor doubled quotes: their text is their spelling.
    const size_t content = pos_;
    SkipUntil('\'', escapes);
    if (AtEnd()) return Invalid(token.position, "unterminated string literal");
    if (Peek() == '\'' && Peek(1) != '\'') {
      token.text = text_.substr(content, pos_ - content);
      Advance();
      return Status::Ok();
    }
    const size_t decoded = StartDecoded();
    decoded_.insert(decoded_.end(), text_.data() + content, text_.data() + pos_);
    while (true) {
      if (Peek() == '\'') {
        if (Peek(1) != '\'') {
          Advance();
          token.text = DecodedSince(decoded);
          return Status::Ok();
        }
        decoded_.push_back('\'');
        Advance();
        Advance();
      } else {
        LAMINAR_RETURN_IF_ERROR(ScanEscape());  // SkipUntil stopped at a backslash.
      }
      CopyUntil('\'', escapes);
      if (AtEnd()) return Invalid(token.position, "unterminated string literal");
    }
  }

  /// Decodes one backslash escape of an E'...' string into `decoded_`.
  Status ScanEscape() {
    std::vector<char>& out = decoded_;
    SourcePosition start = Here();
    Advance();  // The backslash.
    if (AtEnd()) return Invalid(start, "unterminated string literal");
    char c = Peek();
    switch (c) {
      case 'n':
        out.push_back('\n');
        break;
      case 't':
        out.push_back('\t');
        break;
      case 'r':
        out.push_back('\r');
        break;
      case 'b':
        out.push_back('\b');
        break;
      case 'f':
        out.push_back('\f');
        break;
      case 'x': {
        Advance();
        if (!IsHexDigit(Peek())) return Invalid(start, "invalid \\x escape: expected hex digits");
        int value = 0;
        for (int i = 0; i < 2 && IsHexDigit(Peek()); ++i) {
          value = value * 16 + HexValue(Peek());
          Advance();
        }
        out.push_back(static_cast<char>(value));
        return Status::Ok();
      }
      case 'u':
      case 'U': {
        int digits = c == 'u' ? 4 : 8;
        Advance();
        uint32_t code_point = 0;
        for (int i = 0; i < digits; ++i) {
          if (!IsHexDigit(Peek())) {
            return Invalid(start,
                           fmt::format("invalid \\{} escape: expected {} hex digits", c, digits));
          }
          code_point = code_point * 16 + static_cast<uint32_t>(HexValue(Peek()));
          Advance();
        }
        if (code_point > 0x10FFFF || (code_point >= 0xD800 && code_point <= 0xDFFF)) {
          return Invalid(start, "invalid Unicode escape: not a valid code point");
        }
        AppendUtf8(code_point, out);
        return Status::Ok();
      }
      default:
        if (c >= '0' && c <= '7') {
          int value = 0;
          for (int i = 0; i < 3 && Peek() >= '0' && Peek() <= '7'; ++i) {
            value = value * 8 + (Peek() - '0');
            Advance();
          }
          out.push_back(static_cast<char>(value & 0xFF));
          return Status::Ok();
        }
        out.push_back(c);  // \\, \', \" and any other character stand for themselves.
        break;
    }
    Advance();
    return Status::Ok();
  }

  Status ScanQuotedIdentifier(Token& token) {
    token.kind = TokenKind::kQuotedIdentifier;
    Advance();
    const size_t content = pos_;
    SkipUntil('"', /*stop_at_backslash=*/false);
    if (AtEnd()) return Invalid(token.position, "unterminated quoted identifier");
    const size_t content_end = pos_;
    Advance();  // The quote SkipUntil stopped at.
    if (Peek() != '"') {
      token.text = text_.substr(content, content_end - content);
    } else {
      // Doubled quotes stand for one: decode.
      const size_t decoded = StartDecoded();
      decoded_.insert(decoded_.end(), text_.data() + content, text_.data() + content_end);
      while (true) {
        decoded_.push_back('"');
        Advance();  // The second quote of the pair.
        CopyUntil('"', /*stop_at_backslash=*/false);
        if (AtEnd()) return Invalid(token.position, "unterminated quoted identifier");
        Advance();  // The quote CopyUntil stopped at.
        if (Peek() != '"') break;
      }
      token.text = DecodedSince(decoded);
    }
    if (token.text.empty()) return Invalid(token.position, "zero-length quoted identifier");
    return Status::Ok();
  }

  Status ScanOperator(Token& token) {
    char c = Peek();
    char next = Peek(1);
    auto single = [&](TokenKind kind) {
      token.kind = kind;
      Advance();
      return Status::Ok();
    };
    auto pair = [&](TokenKind kind) {
      token.kind = kind;
      Advance();
      Advance();
      return Status::Ok();
    };
    switch (c) {
      case ',':
        return single(TokenKind::kComma);
      case ';':
        return single(TokenKind::kSemicolon);
      case '(':
        return single(TokenKind::kLeftParen);
      case ')':
        return single(TokenKind::kRightParen);
      case '[':
        return single(TokenKind::kLeftBracket);
      case ']':
        return single(TokenKind::kRightBracket);
      case '.':
        return single(TokenKind::kDot);
      case '+':
        return single(TokenKind::kPlus);
      case '-':
        return single(TokenKind::kMinus);
      case '*':
        return single(TokenKind::kStar);
      case '/':
        return single(TokenKind::kSlash);
      case '%':
        return single(TokenKind::kPercent);
      case '^':
        return single(TokenKind::kCaret);
      case '|':
        if (next == '|') return pair(TokenKind::kConcat);
        break;
      case '=':
        if (next == '>') return pair(TokenKind::kArrow);
        return single(TokenKind::kEqual);
      case '<':
        if (next == '>') return pair(TokenKind::kNotEqual);
        if (next == '=') return pair(TokenKind::kLessEqual);
        return single(TokenKind::kLess);
      case '>':
        if (next == '=') return pair(TokenKind::kGreaterEqual);
        return single(TokenKind::kGreater);
      case '!':
        if (next == '=') return pair(TokenKind::kNotEqual);
        break;
      case ':':
        if (next == ':') return pair(TokenKind::kDoubleColon);
        return single(TokenKind::kColon);
      default:
        break;
    }
    auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7F) {
      return Invalid(token.position, fmt::format("invalid character (byte 0x{:02X})", byte));
    }
    return Invalid(token.position, fmt::format("invalid character \"{}\"", c));
  }

  std::string_view text_;
  std::vector<char>& decoded_;
  size_t pos_ = 0;
  uint32_t line_ = 1;
  size_t line_start_ = 0;
};

}  // namespace

Status TokenizeInto(std::string_view text, TokenizedText& out) {
  out.tokens.clear();
  out.decoded.clear();
  if (text.size() > UINT32_MAX - 1) {
    return Status(ErrorCode::kStatementTooLarge, "SQL text exceeds 4 GiB");
  }
  return Lexer(text, out.decoded).Run(out.tokens);
}

Result<TokenizedText> Tokenize(std::string_view text) {
  TokenizedText tokenized;
  LAMINAR_RETURN_IF_ERROR(TokenizeInto(text, tokenized));
  return tokenized;
}

}  // namespace laminar::sql
