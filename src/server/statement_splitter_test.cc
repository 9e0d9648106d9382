#include "server/statement_splitter.h"

#include <gtest/gtest.h>

namespace laminar::server {
namespace {

/// The pieces' texts, blank ones shown as "<blank>" and unterminated ones with a "…" suffix.
std::vector<std::string> Pieces(std::string_view text) {
  std::vector<std::string> out;
  for (const StatementPiece& piece : SplitStatements(text)) {
    std::string shown(text.substr(piece.start.offset, piece.length));
    if (piece.blank) shown = "<blank>";
    if (!piece.terminated) shown += "…";
    out.push_back(shown);
  }
  return out;
}

TEST(StatementSplitterTest, CutsAfterEachSemicolon) {
  EXPECT_EQ(Pieces("SELECT 1; SELECT 2;"),
            (std::vector<std::string>{"SELECT 1;", " SELECT 2;", "<blank>…"}));
  EXPECT_EQ(Pieces("SELECT 1"), (std::vector<std::string>{"SELECT 1…"}));
  EXPECT_EQ(Pieces(""), (std::vector<std::string>{"<blank>…"}));
  EXPECT_EQ(Pieces(";;"), (std::vector<std::string>{"<blank>", "<blank>", "<blank>…"}));
}

TEST(StatementSplitterTest, IgnoresSemicolonsInQuotesAndComments) {
  EXPECT_EQ(Pieces("SELECT 'a;b', \"c;d\"; SELECT 1"),
            (std::vector<std::string>{"SELECT 'a;b', \"c;d\";", " SELECT 1…"}));
  EXPECT_EQ(Pieces("SELECT 'it''s;' ;"),
            (std::vector<std::string>{"SELECT 'it''s;' ;", "<blank>…"}));
  EXPECT_EQ(Pieces("SELECT E'\\';' ;"), (std::vector<std::string>{"SELECT E'\\';' ;", "<blank>…"}));
  // Without the E prefix a backslash is an ordinary character.
  EXPECT_EQ(Pieces("SELECT '\\'; x'"), (std::vector<std::string>{"SELECT '\\';", " x'…"}));
  EXPECT_EQ(Pieces("SELECT 1 -- no; cut\n;"),
            (std::vector<std::string>{"SELECT 1 -- no; cut\n;", "<blank>…"}));
  EXPECT_EQ(Pieces("SELECT /* a /* nested; */ ; */ 1;"),
            (std::vector<std::string>{"SELECT /* a /* nested; */ ; */ 1;", "<blank>…"}));
  EXPECT_EQ(Pieces("SELECT '${X:-a;b}' || ${Y:-;};"),
            (std::vector<std::string>{"SELECT '${X:-a;b}' || ${Y:-;};", "<blank>…"}));
}

TEST(StatementSplitterTest, CommentsAloneAreBlankButOpenQuotesAndCommentsAreNot) {
  EXPECT_EQ(Pieces("SELECT 1; -- done\n/* really */\n"),
            (std::vector<std::string>{"SELECT 1;", "<blank>…"}));
  EXPECT_EQ(Pieces("SELECT 1; /* open"), (std::vector<std::string>{"SELECT 1;", " /* open…"}));
  EXPECT_EQ(Pieces("SELECT 'open;"), (std::vector<std::string>{"SELECT 'open;…"}));
}

TEST(StatementSplitterTest, PiecesStartWhereThePreviousEnded) {
  const std::string text = "SELECT 1;\n  SELECT\n  2;";
  std::vector<StatementPiece> pieces = SplitStatements(text);
  ASSERT_EQ(pieces.size(), 3u);
  EXPECT_EQ(pieces[1].start, (SourcePosition{1, 10, 9}));
  EXPECT_EQ(pieces[2].start, (SourcePosition{3, 5, static_cast<uint32_t>(text.size())}));
}

TEST(StatementSplitterTest, ShiftToScriptMovesPositionsFromThePieceToTheScript) {
  const StatementPiece piece{SourcePosition{4, 7, 50}, 20, true, false};
  const Status first_line =
      ShiftToScript(Status(ErrorCode::kSyntaxError, "x").WithPosition({1, 3, 2}), piece);
  EXPECT_EQ(first_line.position(), (SourcePosition{4, 9, 52}));
  const Status later_line =
      ShiftToScript(Status(ErrorCode::kSyntaxError, "x").WithPosition({2, 5, 12}), piece);
  EXPECT_EQ(later_line.position(), (SourcePosition{5, 5, 62}));
  EXPECT_EQ(ShiftToScript(Status(ErrorCode::kSyntaxError, "x"), piece).position(),
            SourcePosition{});
  EXPECT_TRUE(ShiftToScript(Status::Ok(), piece).ok());
}

}  // namespace
}  // namespace laminar::server
