#include "sql/parser/variable_substitution.h"

#include <gtest/gtest.h>

#include <map>

namespace laminar::sql {
namespace {

VariableLookup MapLookup(std::map<std::string, std::string, std::less<>> values) {
  return [values = std::move(values)](std::string_view name) -> std::optional<std::string> {
    auto it = values.find(name);
    if (it == values.end()) return std::nullopt;
    return it->second;
  };
}

TEST(VariableSubstitutionTest, ReplacesDefinedVariablesEverywhere) {
  auto result = SubstituteVariables("FROM KAFKA (brokers = '${BROKERS}', n = ${N})",
                                    MapLookup({{"BROKERS", "h:9092"}, {"N", "3"}}));
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(*result, "FROM KAFKA (brokers = 'h:9092', n = 3)");
}

TEST(VariableSubstitutionTest, DefaultIsUsedOnlyWhenUndefined) {
  auto lookup = MapLookup({{"SET", "given"}});
  EXPECT_EQ(*SubstituteVariables("${SET:-d} ${UNSET:-fallback} ${EMPTY:-}", lookup),
            "given fallback ");
}

TEST(VariableSubstitutionTest, UndefinedVariableWithoutDefaultIsAnErrorAtTheDollar) {
  auto result = SubstituteVariables("SELECT 1;\n  SELECT '${MISSING}'", MapLookup({}));
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), ErrorCode::kUndefinedVariable);
  EXPECT_EQ(result.status().position(), (SourcePosition{2, 11, 20}));
  EXPECT_NE(result.status().message().find("MISSING"), std::string_view::npos);
}

TEST(VariableSubstitutionTest, OtherDollarUsesStayUntouched) {
  auto lookup = MapLookup({{"X", "1"}});
  EXPECT_EQ(*SubstituteVariables("$$ $${X} $1 $ ${ ${1X} ${X ${X:-a", lookup),
            "$$ $${X} $1 $ ${ ${1X} ${X ${X:-a");
}

TEST(VariableSubstitutionTest, ValuesAreNotScannedAgain) {
  auto lookup = MapLookup({{"A", "${B}"}, {"B", "no"}});
  EXPECT_EQ(*SubstituteVariables("${A}", lookup), "${B}");
}

TEST(VariableSubstitutionTest, DottedNamesAreAllowed) {
  EXPECT_EQ(*SubstituteVariables("${kafka.brokers}", MapLookup({{"kafka.brokers", "b"}})), "b");
}

}  // namespace
}  // namespace laminar::sql
