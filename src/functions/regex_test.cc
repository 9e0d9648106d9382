#include "functions/regex.h"

#include <gtest/gtest.h>
#include <re2/re2.h>

#include <random>
#include <string>
#include <vector>

namespace laminar::functions {
namespace {

Regex Compile(std::string_view pattern, std::string_view flags = "") {
  auto parsed = ParseRegexFlags(flags, true);
  EXPECT_TRUE(parsed.ok()) << parsed.status();
  auto regex = Regex::CompileWithPrefilter(pattern, *parsed);
  EXPECT_TRUE(regex.ok()) << regex.status();
  return *regex;
}

std::string Replace(std::string_view text, std::string_view pattern, std::string_view replacement,
                    std::string_view flags = "") {
  std::string scratch;
  return std::string(Compile(pattern, flags).Replace(text, replacement, &scratch));
}

TEST(RegexTest, InvalidPatternsAreInvalidRegex) {
  auto regex = Regex::Compile("a(b", RegexFlags{});
  ASSERT_FALSE(regex.ok());
  EXPECT_EQ(regex.status().code(), ErrorCode::kInvalidRegex);
  EXPECT_NE(std::string(regex.status().message()).find("a(b"), std::string::npos);
  // Back-references are not in RE2's syntax.
  EXPECT_EQ(Regex::Compile("(a)\\1", RegexFlags{}).status().code(), ErrorCode::kInvalidRegex);
}

TEST(RegexTest, FlagsFollowPostgres) {
  EXPECT_TRUE(Compile("HELLO", "i").Matches("hello"));
  EXPECT_FALSE(Compile("HELLO", "ic").Matches("hello"));
  // By default '.' matches a newline and $ only the end; 'n' makes both line-aware.
  EXPECT_TRUE(Compile("a.b").Matches("a\nb"));
  EXPECT_FALSE(Compile("a.b", "n").Matches("a\nb"));
  EXPECT_FALSE(Compile("a$").Matches("a\nb"));
  EXPECT_TRUE(Compile("a$", "m").Matches("a\nb"));
  auto unknown = ParseRegexFlags("iz", true);
  EXPECT_EQ(unknown.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(ParseRegexFlags("g", false).status().code(), ErrorCode::kInvalidArgument);
}

TEST(RegexTest, ExtractGivesTheGroupOfTheFirstMatch) {
  Regex regex = Compile("(&|^)channel_id=([^&]*)");
  std::string_view out;
  ASSERT_TRUE(regex.Extract("a=1&channel_id=7&channel_id=8", 2, &out));
  EXPECT_EQ(out, "7");
  ASSERT_TRUE(regex.Extract("channel_id=&x", 2, &out));
  EXPECT_EQ(out, "");
  EXPECT_FALSE(regex.Extract("nothing", 0, &out));
  EXPECT_EQ(regex.group_count(), 2);
  // A group that took no part in the match.
  EXPECT_FALSE(Compile("a|(b)").Extract("a", 1, &out));
  // Many groups.
  Regex twelve = Compile("(a)(b)(c)(d)(e)(f)(g)(h)(i)(j)(k)(l)");
  ASSERT_TRUE(twelve.Extract("abcdefghijkl", 12, &out));
  EXPECT_EQ(out, "l");
}

TEST(RegexTest, ReplaceUsesPostgresReferences) {
  EXPECT_EQ(Replace("a-b-c", "-", "+"), "a+b-c");
  EXPECT_EQ(Replace("a-b-c", "-", "+", "g"), "a+b+c");
  EXPECT_EQ(Replace("john smith", "(\\w+) (\\w+)", "\\2, \\1"), "smith, john");
  EXPECT_EQ(Replace("abc", "b", "[\\&]"), "a[b]c");
  EXPECT_EQ(Replace("abc", "b", "\\\\"), "a\\c");
  EXPECT_EQ(Replace("abc", "b", "\\x\\9"), "a\\xc");  // Unknown escape kept, missing group empty.
  EXPECT_EQ(Replace("abc", "z", "y", "g"), "abc");
}

TEST(RegexTest, GlobalReplaceOfEmptyMatchesMakesProgress) {
  EXPECT_EQ(Replace("abc", "x*", "-", "g"), "-a-b-c-");
  EXPECT_EQ(Replace("aaa", "a*", "-", "g"), "-");
  EXPECT_EQ(Replace("€€", "", "|", "g"), "|€|€|");
  EXPECT_EQ(Replace("", "x*", "-", "g"), "-");
  EXPECT_EQ(Replace("baaac", "a*", "-", "g"), "-b-c-");
}

TEST(RegexTest, PrefilterAtomsComeFromTheRequiredLiterals) {
  EXPECT_EQ(Compile("(&|^)channel_id=([^&]*)").prefilter_atoms(),
            (std::vector<std::string>{"channel_id=", "&channel_id="}));
  // Case-insensitive patterns, inline flags and patterns without literals get no prefilter, and
  // neither does a pattern compiled for one text (a pattern that varies by row).
  EXPECT_TRUE(Regex::Compile("channel_id=", RegexFlags{})->prefilter_atoms().empty());
  EXPECT_TRUE(Compile("(&|^)channel_id=([^&]*)", "i").prefilter_atoms().empty());
  EXPECT_TRUE(Compile("(?i)channel").prefilter_atoms().empty());
  EXPECT_TRUE(Compile("[a-z]+\\d").prefilter_atoms().empty());
}

TEST(RegexTest, PrefilterRejectsOnlyTextsThatCannotMatch) {
  Regex regex = Compile("(&|^)channel_id=([^&]*)");
  std::string_view out;
  EXPECT_FALSE(regex.Extract("https://www.nexmark.com/abc/def/ghi/item.htm?query=1", 2, &out));
  EXPECT_TRUE(regex.Extract("https://x/item.htm?query=1&channel_id=42", 2, &out));
  EXPECT_EQ(out, "42");
  // The literal in another case is found by the prefilter but rejected by the pattern.
  EXPECT_FALSE(regex.Extract("a&CHANNEL_ID=1", 2, &out));
  EXPECT_EQ(Compile("x(ab|cd)y").Matches("..xcdy.."), true);
}

// Differential: with and without the prefilter (plain RE2), every answer agrees, over random
// texts built from pieces of the patterns' literals.
TEST(RegexTest, PrefilterNeverChangesAnAnswer) {
  const std::vector<std::string> patterns = {
      "(&|^)channel_id=([^&]*)", "abc|xyz", "(abc)+d", "foo.*bar",  "a(bc)?de", "hello",
      "(cat|dog)s?(\\d+)",       "^start",  "end$",    "[0-9]+abc", "AbC(dE)"};
  const std::vector<std::string> pieces = {
      "a",   "b",    "c",     "d",           "e",   "x",  "y",   "z",     "abc",
      "xyz", "foo",  "bar",   "channel_id=", "&",   "1",  "42",  "hello", "hel",
      "cat", "dogs", "start", "end",         "AbC", "dE", "ABC", "\n"};
  std::mt19937 random(7);
  for (const std::string& pattern : patterns) {
    Regex regex = Compile(pattern);
    re2::RE2::Options options;
    options.set_dot_nl(true);
    re2::RE2 reference(pattern, options);
    ASSERT_TRUE(reference.ok());
    const int groups = reference.NumberOfCapturingGroups();
    for (int round = 0; round < 2000; ++round) {
      std::string text;
      const int count = static_cast<int>(random() % 6);
      for (int i = 0; i < count; ++i) text += pieces[random() % pieces.size()];
      EXPECT_EQ(regex.Matches(text), re2::RE2::PartialMatch(text, reference))
          << pattern << " on " << text;
      std::string_view out;
      std::vector<re2::StringPiece> match(static_cast<size_t>(groups) + 1);
      const bool expected =
          reference.Match(text, 0, text.size(), re2::RE2::UNANCHORED, match.data(), groups + 1);
      EXPECT_EQ(regex.Extract(text, groups, &out), expected && match[groups].data() != nullptr)
          << pattern << " on " << text;
    }
  }
}

}  // namespace
}  // namespace laminar::functions
