#include "functions/regex.h"

#include <gtest/gtest.h>

#include <string>

namespace laminar::functions {
namespace {

Regex Compile(std::string_view pattern, std::string_view flags = "") {
  auto parsed = ParseRegexFlags(flags, true);
  EXPECT_TRUE(parsed.ok()) << parsed.status();
  auto regex = Regex::Compile(pattern, *parsed);
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

}  // namespace
}  // namespace laminar::functions
