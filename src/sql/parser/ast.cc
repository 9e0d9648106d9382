#include "sql/parser/ast.h"

namespace laminar::sql {

std::string ObjectName::ToString() const {
  std::string text;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i > 0) text.push_back('.');
    text += parts[i];
  }
  return text;
}

}  // namespace laminar::sql
