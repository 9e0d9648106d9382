#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "functions/function_registry.h"
#include "sql/binder/binder.h"
#include "sql/catalog/catalog.h"
#include "sql/parser/parser.h"

namespace laminar::sql {

/// Runs SQL through parser and binder the way the runtime will: bound CREATEs are registered
/// in the catalog and DROPs applied, so later statements see earlier ones. For tests.
class ScriptBinder {
 public:
  explicit ScriptBinder(BinderOptions options = {})
      : binder_(catalog_, functions::FunctionRegistry::BuiltIn(), std::move(options)) {}

  /// Binds (and applies) every statement of `text`; stops at the first error.
  Result<std::vector<BoundStatement>> Run(std::string_view text) {
    LAMINAR_ASSIGN_OR_RETURN(auto statements, ParseScript(text));
    std::vector<BoundStatement> bound;
    for (const auto& statement : statements) {
      LAMINAR_ASSIGN_OR_RETURN(BoundStatement result, binder_.Bind(*statement, text));
      LAMINAR_RETURN_IF_ERROR(Apply(result));
      bound.push_back(std::move(result));
    }
    return bound;
  }

  /// Binds a single statement and applies it.
  Result<BoundStatement> RunOne(std::string_view text) {
    LAMINAR_ASSIGN_OR_RETURN(auto statement, ParseStatement(text));
    LAMINAR_ASSIGN_OR_RETURN(BoundStatement result, binder_.Bind(*statement, text));
    LAMINAR_RETURN_IF_ERROR(Apply(result));
    return result;
  }

  const Catalog& catalog() const { return catalog_; }

 private:
  Status Apply(const BoundStatement& statement) {
    if (const auto* create = std::get_if<BoundCreate>(&statement)) {
      return catalog_.Create(create->object, create->mode).status();
    }
    if (const auto* drop = std::get_if<BoundDrop>(&statement)) {
      return catalog_.Drop(drop->kind, drop->name, drop->if_exists, drop->cascade);
    }
    return Status::Ok();
  }

  Catalog catalog_;
  Binder binder_;
};

}  // namespace laminar::sql
