#include "sql/parser/lexer.h"

#include <gtest/gtest.h>

#include <vector>

namespace laminar::sql {
namespace {

// The tokens of `text`; their texts view `text` and the returned TokenizedText.
TokenizedText Lex(std::string_view text) {
  auto tokens = Tokenize(text);
  EXPECT_TRUE(tokens.ok()) << tokens.status();
  return tokens.ok() ? std::move(tokens).value() : TokenizedText{};
}

std::vector<TokenKind> Kinds(std::string_view text) {
  std::vector<TokenKind> kinds;
  const TokenizedText lexed = Lex(text);
  for (const Token& token : lexed.tokens) kinds.push_back(token.kind);
  return kinds;
}

void ExpectInvalid(std::string_view text, uint32_t line, uint32_t column) {
  auto tokens = Tokenize(text);
  ASSERT_FALSE(tokens.ok()) << text;
  EXPECT_EQ(tokens.status().code(), ErrorCode::kInvalidToken) << tokens.status();
  EXPECT_EQ(tokens.status().position().line, line) << tokens.status();
  EXPECT_EQ(tokens.status().position().column, column) << tokens.status();
}

TEST(LexerTest, EmptyTextGivesOnlyEndOfInput) {
  const TokenizedText lexed = Lex("");
  const std::vector<Token>& tokens = lexed.tokens;
  ASSERT_EQ(tokens.size(), 1u);
  EXPECT_EQ(tokens[0].kind, TokenKind::kEndOfInput);
  EXPECT_EQ(tokens[0].position.line, 1u);
  EXPECT_EQ(tokens[0].position.column, 1u);
}

TEST(LexerTest, UnquotedIdentifiersFoldToLowerCase) {
  const TokenizedText lexed = Lex("SeLeCt Price_1 _x a$b");
  const std::vector<Token>& tokens = lexed.tokens;
  ASSERT_EQ(tokens.size(), 5u);
  EXPECT_EQ(tokens[0].text, "select");
  EXPECT_TRUE(tokens[0].IsKeyword("select"));
  EXPECT_EQ(tokens[1].text, "price_1");
  EXPECT_EQ(tokens[1].raw, "Price_1");
  EXPECT_EQ(tokens[2].text, "_x");
  EXPECT_EQ(tokens[3].text, "a$b");
}

TEST(LexerTest, LongNamesAndNamesAtTheEndFoldToo) {
  // Past the keyword table's word size, and in the last bytes of the text, names take the slow
  // path of the lexer.
  const TokenizedText lexed = Lex("A_Very_Long_Column_Name_Indeed x FROM Ab");
  const std::vector<Token>& tokens = lexed.tokens;
  ASSERT_EQ(tokens.size(), 5u);
  EXPECT_EQ(tokens[0].text, "a_very_long_column_name_indeed");
  EXPECT_EQ(tokens[1].text, "x");
  EXPECT_EQ(tokens[2].text, "from");
  EXPECT_TRUE(tokens[2].IsKeyword("from"));
  EXPECT_EQ(tokens[3].text, "ab");
  EXPECT_EQ(Lex("SELECT").tokens[0].text, "select");
  EXPECT_TRUE(Lex("SELECT").tokens[0].IsKeyword("select"));
  EXPECT_EQ(Lex("current_timestamp_and_more_x").tokens[0].keyword_id, 0);
}

TEST(LexerTest, TextsStayValidWhenTheTokensMove) {
  std::vector<TokenizedText> moved;
  moved.push_back(Lex(R"(MyName 'it''s' "Q""uoted" e'\t')"));
  moved.push_back(Lex("OtherName"));  // Reallocates `moved`, moving the first element.
  const std::vector<Token>& tokens = moved[0].tokens;
  EXPECT_EQ(tokens[0].text, "myname");
  EXPECT_EQ(tokens[1].text, "it's");
  EXPECT_EQ(tokens[2].text, "Q\"uoted");
  EXPECT_EQ(tokens[3].text, "\t");
  EXPECT_EQ(moved[1].tokens[0].text, "othername");
}

TEST(LexerTest, DoubledQuotesAndEscapesMixInOneString) {
  const TokenizedText lexed = Lex(R"('a''b''' e'x\ny''z' "a""""b")");
  const std::vector<Token>& tokens = lexed.tokens;
  EXPECT_EQ(tokens[0].text, "a'b'");
  EXPECT_EQ(tokens[1].text, "x\ny'z");
  EXPECT_EQ(tokens[2].text, "a\"\"b");
}

TEST(LexerTest, QuotedIdentifiersKeepCaseAndUnescapeDoubledQuotes) {
  const TokenizedText lexed = Lex(R"("MyCol" "a""b" "select")");
  const std::vector<Token>& tokens = lexed.tokens;
  EXPECT_EQ(tokens[0].kind, TokenKind::kQuotedIdentifier);
  EXPECT_EQ(tokens[0].text, "MyCol");
  EXPECT_EQ(tokens[1].text, "a\"b");
  EXPECT_FALSE(tokens[2].IsKeyword("select"));
}

TEST(LexerTest, StringLiteralsUnescapeDoubledQuotes) {
  const TokenizedText lexed = Lex("'it''s' '' 'multi\nline'");
  const std::vector<Token>& tokens = lexed.tokens;
  EXPECT_EQ(tokens[0].kind, TokenKind::kString);
  EXPECT_EQ(tokens[0].text, "it's");
  EXPECT_EQ(tokens[1].text, "");
  EXPECT_EQ(tokens[2].text, "multi\nline");
}

TEST(LexerTest, BackslashIsLiteralInStandardStrings) {
  EXPECT_EQ(Lex(R"('a\nb')").tokens[0].text, "a\\nb");
}

TEST(LexerTest, EscapeStringsDecodeCStyleEscapes) {
  const TokenizedText lexed = Lex(R"(E'a\nb\t\\\'c' e'\x41\101\u00e9\q')");
  const std::vector<Token>& tokens = lexed.tokens;
  EXPECT_EQ(tokens[0].kind, TokenKind::kString);
  EXPECT_EQ(tokens[0].text, "a\nb\t\\'c");
  EXPECT_EQ(tokens[1].text, "AA\xC3\xA9q");
}

TEST(LexerTest, NumbersAreIntegersOrDecimals) {
  const TokenizedText lexed = Lex("42 3.14 .5 1. 1e10 2.5E-3 7e+2");
  const std::vector<Token>& tokens = lexed.tokens;
  std::vector<TokenKind> expected = {
      TokenKind::kInteger, TokenKind::kDecimal, TokenKind::kDecimal, TokenKind::kDecimal,
      TokenKind::kDecimal, TokenKind::kDecimal, TokenKind::kDecimal, TokenKind::kEndOfInput};
  ASSERT_EQ(tokens.size(), expected.size());
  for (size_t i = 0; i < expected.size(); ++i) EXPECT_EQ(tokens[i].kind, expected[i]) << i;
  EXPECT_EQ(tokens[0].text, "42");
  EXPECT_EQ(tokens[2].text, ".5");
  EXPECT_EQ(tokens[5].text, "2.5E-3");
}

TEST(LexerTest, OperatorsIncludeMultiCharacterForms) {
  EXPECT_EQ(Kinds(":: || <> != <= >= => = < > + - * / % ^ ( ) [ ] , ; . :"),
            (std::vector<TokenKind>{
                TokenKind::kDoubleColon, TokenKind::kConcat,       TokenKind::kNotEqual,
                TokenKind::kNotEqual,    TokenKind::kLessEqual,    TokenKind::kGreaterEqual,
                TokenKind::kArrow,       TokenKind::kEqual,        TokenKind::kLess,
                TokenKind::kGreater,     TokenKind::kPlus,         TokenKind::kMinus,
                TokenKind::kStar,        TokenKind::kSlash,        TokenKind::kPercent,
                TokenKind::kCaret,       TokenKind::kLeftParen,    TokenKind::kRightParen,
                TokenKind::kLeftBracket, TokenKind::kRightBracket, TokenKind::kComma,
                TokenKind::kSemicolon,   TokenKind::kDot,          TokenKind::kColon,
                TokenKind::kEndOfInput}));
}

TEST(LexerTest, AdjacentOperatorsSplitCorrectly) {
  EXPECT_EQ(Kinds("a::int"),
            (std::vector<TokenKind>{TokenKind::kIdentifier, TokenKind::kDoubleColon,
                                    TokenKind::kIdentifier, TokenKind::kEndOfInput}));
  EXPECT_EQ(Kinds("a<-1"),
            (std::vector<TokenKind>{TokenKind::kIdentifier, TokenKind::kLess, TokenKind::kMinus,
                                    TokenKind::kInteger, TokenKind::kEndOfInput}));
}

TEST(LexerTest, CommentsAreSkippedAndBlockCommentsNest) {
  const TokenizedText lexed = Lex("a -- line comment\n/* outer /* inner */ still comment */ b");
  const std::vector<Token>& tokens = lexed.tokens;
  ASSERT_EQ(tokens.size(), 3u);
  EXPECT_EQ(tokens[0].text, "a");
  EXPECT_EQ(tokens[1].text, "b");
  EXPECT_EQ(tokens[1].position.line, 2u);
}

TEST(LexerTest, PositionsCountLinesAndByteColumnsFromOne) {
  const TokenizedText lexed = Lex("SELECT a,\n  \"é\" , 'x'\n\tb");
  const std::vector<Token>& tokens = lexed.tokens;
  EXPECT_EQ(tokens[0].position, (SourcePosition{1, 1, 0}));
  EXPECT_EQ(tokens[1].position, (SourcePosition{1, 8, 7}));
  EXPECT_EQ(tokens[3].position, (SourcePosition{2, 3, 12}));
  EXPECT_EQ(tokens[4].position.column, 8u);  // "é" is two bytes wide.
  EXPECT_EQ(tokens[5].position.column, 10u);
  EXPECT_EQ(tokens[6].position, (SourcePosition{3, 2, 24}));
  EXPECT_EQ(tokens[6].end_offset, 25u);
}

TEST(LexerTest, UnterminatedStringIsInvalidTokenAtItsStart) { ExpectInvalid("a\n  'abc", 2, 3); }

TEST(LexerTest, UnterminatedQuotedIdentifierIsInvalidToken) { ExpectInvalid("x \"abc", 1, 3); }

TEST(LexerTest, UnterminatedBlockCommentIsInvalidToken) { ExpectInvalid("a /* /* */ b", 1, 3); }

TEST(LexerTest, EmptyQuotedIdentifierIsInvalidToken) { ExpectInvalid("a \"\"", 1, 3); }

TEST(LexerTest, UnknownCharactersAreInvalidTokens) {
  ExpectInvalid("a @ b", 1, 3);
  ExpectInvalid("a | b", 1, 3);
  ExpectInvalid("a ! b", 1, 3);
  ExpectInvalid("x\n $1", 2, 2);
  ExpectInvalid(std::string_view("a\0b", 3), 1, 2);
}

TEST(LexerTest, MalformedNumbersAreInvalidTokens) {
  ExpectInvalid("1e", 1, 1);
  ExpectInvalid("12abc", 1, 3);
  ExpectInvalid("1.5x", 1, 4);
}

TEST(LexerTest, MalformedEscapesAreInvalidTokens) {
  ExpectInvalid(R"(E'\xZZ')", 1, 3);
  ExpectInvalid(R"(E'\u12')", 1, 3);
  ExpectInvalid(R"(E'\uD800')", 1, 3);
  ExpectInvalid(R"(E'abc\')", 1, 1);
}

}  // namespace
}  // namespace laminar::sql
