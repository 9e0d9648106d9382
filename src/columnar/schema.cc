#include "columnar/schema.h"

namespace laminar {

std::optional<int> Schema::FieldIndex(std::string_view name) const {
  for (int i = 0; i < num_fields(); ++i) {
    if (fields_[i].name == name) return i;
  }
  return std::nullopt;
}

std::string Schema::ToString() const {
  std::string text = "(";
  for (int i = 0; i < num_fields(); ++i) {
    if (i > 0) text += ", ";
    text += fields_[i].name;
    text += ' ';
    text += fields_[i].type.ToString();
    if (!fields_[i].nullable) text += " NOT NULL";
  }
  text += ')';
  return text;
}

}  // namespace laminar
