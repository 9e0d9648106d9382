#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "common/result.h"

namespace laminar::sql {

/// Looks up a configuration or environment variable; nullopt when it is not defined.
using VariableLookup = std::function<std::optional<std::string>(std::string_view name)>;

/// Replaces `${NAME}` and `${NAME:-default}` in SQL text before it is parsed, so that scripts
/// can take broker addresses, paths and secrets from the environment (seed 001, "Config
/// vars"). Substitution is textual and applies everywhere, including inside string literals.
///
/// NAME is a letter or underscore followed by letters, digits, underscores or dots. The default
/// runs to the first `}` and is used when the lookup returns nullopt. Values are inserted as
/// they are and not scanned again. `$$` is copied unchanged (so `$${NAME}` stays literal), as is
/// any `$` not followed by a well-formed `${NAME...}`.
///
/// Errors: kUndefinedVariable, positioned at the `$`, for a variable without a value or default.
Result<std::string> SubstituteVariables(std::string_view text, const VariableLookup& lookup);

}  // namespace laminar::sql
