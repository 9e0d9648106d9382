#pragma once

// Internal to the expression evaluator: regexp_like / regexp_match, regexp_extract and
// regexp_replace.

#include <memory>
#include <vector>

#include "common/result.h"
#include "exec/evaluator_node.h"
#include "functions/function_registry.h"
#include "sql/plan/bound_expression.h"

namespace laminar::exec {

/// Builds the node of a call of `function` (kRegexpLike, kRegexpExtract or kRegexpReplace) with
/// its compiled `children` (text, pattern, then the group, replacement and/or flags). A literal
/// pattern (with literal flags) is compiled here, once; a pattern that varies by row is compiled
/// per distinct value within a batch. Errors: kInvalidRegex for a literal pattern that does not
/// compile, kInvalidArgument for literal flags that do not exist or a literal group the pattern
/// does not have.
Result<std::unique_ptr<const EvaluatorNode>> MakeRegexNode(
    const sql::BoundExpression& expr, functions::FunctionId function,
    std::vector<std::unique_ptr<const EvaluatorNode>> children);

}  // namespace laminar::exec
