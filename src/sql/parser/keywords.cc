#include "sql/parser/keywords.h"

#include <algorithm>
#include <iterator>

namespace laminar::sql {

namespace {

// Sorted, so that lookups can binary-search (keywords_test checks the order).
constexpr std::string_view kReservedWords[] = {
    "all",
    "allowed_lateness",
    "and",
    "anti",
    "any",
    "array",
    "as",
    "asc",
    "asof",
    "between",
    "both",
    "case",
    "cast",
    "check",
    "collate",
    "constraint",
    "create",
    "cross",
    "current_date",
    "current_time",
    "current_timestamp",
    "default",
    "desc",
    "distinct",
    "do",
    "else",
    "emit",
    "end",
    "except",
    "exists",
    "false",
    "fetch",
    "for",
    "foreign",
    "from",
    "full",
    "grant",
    "group",
    "having",
    "ilike",
    "in",
    "inner",
    "intersect",
    "into",
    "is",
    "join",
    "lateral",
    "left",
    "like",
    "limit",
    "localtime",
    "localtimestamp",
    "match_condition",
    "natural",
    "not",
    "null",
    "offset",
    "on",
    "or",
    "order",
    "outer",
    "over",
    "primary",
    "qualify",
    "references",
    "right",
    "select",
    "semi",
    "some",
    "symmetric",
    "table",
    "then",
    "true",
    "union",
    "unique",
    "using",
    "values",
    "when",
    "where",
    "window",
    "with",
};

}  // namespace

bool IsReservedWord(std::string_view word) {
  return std::binary_search(std::begin(kReservedWords), std::end(kReservedWords), word);
}

bool ReservedWordsAreSorted() {
  return std::is_sorted(std::begin(kReservedWords), std::end(kReservedWords));
}

}  // namespace laminar::sql
