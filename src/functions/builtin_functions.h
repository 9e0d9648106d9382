#pragma once

#include "functions/function_registry.h"

namespace laminar::functions {

/// Registers LaminarDB's built-in functions and operators (every signature, with the type
/// choices documented beside each group in builtin_functions.cc). Called once by
/// FunctionRegistry::BuiltIn(). REQUIRES: `registry` has none of these names yet (a clash is a
/// programmer error and aborts).
void RegisterBuiltInFunctions(FunctionRegistry& registry);

}  // namespace laminar::functions
