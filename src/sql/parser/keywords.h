#pragma once

#include <string_view>

namespace laminar::sql {

/// True for words that cannot be used as unquoted names (columns, tables, aliases) because
/// they start or separate clauses, e.g. `from`, `join`, `emit`. REQUIRES: lower case.
/// Everything else (`source`, `state`, `timestamp`, `window_start`, ...) is an ordinary name
/// wherever a name is expected, and a keyword only where the grammar asks for it.
bool IsReservedWord(std::string_view word);

/// Self-check for tests: the reserved-word table must stay sorted for binary search.
bool ReservedWordsAreSorted();

}  // namespace laminar::sql
