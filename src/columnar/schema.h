#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "columnar/data_type.h"

namespace laminar {

/// A named, typed column slot.
struct Field {
  std::string name;
  DataType type;
  bool nullable = true;

  friend bool operator==(const Field&, const Field&) = default;
};

/// The ordered fields of a batch. Immutable once built and shared through
/// std::shared_ptr<const Schema>, so batches of one stream share one schema.
class Schema {
 public:
  Schema() = default;
  explicit Schema(std::vector<Field> fields) : fields_(std::move(fields)) {}

  static std::shared_ptr<const Schema> Make(std::vector<Field> fields) {
    return std::make_shared<const Schema>(std::move(fields));
  }

  const std::vector<Field>& fields() const { return fields_; }
  int num_fields() const { return static_cast<int>(fields_.size()); }
  const Field& field(int index) const { return fields_[index]; }

  /// Index of the first field named exactly `name`.
  std::optional<int> FieldIndex(std::string_view name) const;

  /// "(a BIGINT NOT NULL, b VARCHAR)".
  std::string ToString() const;

  friend bool operator==(const Schema&, const Schema&) = default;

 private:
  std::vector<Field> fields_;
};

}  // namespace laminar
