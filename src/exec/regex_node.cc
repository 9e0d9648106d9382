#include "exec/regex_node.h"

#include <optional>
#include <string>
#include <utility>

#include "exec/kernel_node.h"
#include "functions/regex.h"

namespace laminar::exec {
namespace {

using functions::FunctionId;
using functions::Regex;
using functions::RegexFlags;
using NodePtr = std::unique_ptr<const EvaluatorNode>;

/// A constant VARCHAR argument's text, or nullopt when the argument varies (or is NULL).
std::optional<std::string_view> ConstantText(const sql::BoundExpression& expr) {
  if (expr.kind != sql::BoundExpressionKind::kConstant || expr.constant.is_null() ||
      expr.type.id() != TypeId::kVarchar) {
    return std::nullopt;
  }
  return expr.constant.string();
}

/// regexp_like / regexp_extract / regexp_replace over whole vectors. Strict: a NULL argument
/// gives NULL (and regexp_extract gives NULL when nothing matches).
class RegexNode final : public EvaluatorNode {
 public:
  RegexNode(DataType type, std::string text, FunctionId function, std::vector<NodePtr> children,
            int flags_index, std::optional<Regex> constant, std::optional<RegexFlags> flags)
      : EvaluatorNode(type, std::move(text)),
        function_(function),
        children_(std::move(children)),
        flags_index_(flags_index),
        constant_(std::move(constant)),
        constant_flags_(flags) {}

  Result<Vector> Evaluate(const EvaluationInput& input, const uint32_t* rows,
                          int64_t count) const override {
    std::vector<Vector> inputs;
    inputs.reserve(children_.size());
    bool all_scalar = true;
    bool null_constant = false;
    for (const NodePtr& child : children_) {
      LAMINAR_ASSIGN_OR_RETURN(Vector value, child->Evaluate(input, rows, count));
      all_scalar = all_scalar && value.scalar;
      null_constant = null_constant || (value.scalar && value.column().IsNull(0));
      inputs.push_back(std::move(value));
    }
    if (null_constant) return Vector{Column::Nulls(type(), 1), true};
    int64_t length = all_scalar ? 1 : count;
    if (function_ == FunctionId::kRegexpLike) {
      LAMINAR_ASSIGN_OR_RETURN(Column column, Run<bool>(inputs, length));
      return Vector{std::move(column), all_scalar};
    }
    LAMINAR_ASSIGN_OR_RETURN(Column column, Run<StringResult>(inputs, length));
    return Vector{std::move(column), all_scalar};
  }

  std::string Describe() const override {
    std::string result = "Regex(" + std::string(functions::FunctionIdName(function_));
    for (const NodePtr& child : children_) result += ", " + child->Describe();
    return result + ")";
  }

 private:
  template <typename O>
  Result<Column> Run(const std::vector<Vector>& inputs, int64_t length) const {
    std::vector<AnyReader<std::string_view>> texts;  // Every VARCHAR argument.
    std::optional<AnyReader<int64_t>> group;
    for (size_t i = 0; i < inputs.size(); ++i) {
      if (function_ == FunctionId::kRegexpExtract && i == 2) {
        group.emplace(inputs[i]);
        texts.emplace_back(inputs[0]);  // Placeholder keeping the indexes aligned.
      } else {
        texts.emplace_back(inputs[i]);
      }
    }
    Writer<O> writer(length);
    BufferBuilder validity;
    validity.Resize(static_cast<size_t>(BytesForBits(length)));
    bool any_null = false;
    // The pattern of the previous row, for patterns that vary by row.
    std::optional<Regex> cached;
    std::string cached_pattern;
    std::string cached_flags;
    for (int64_t row = 0; row < length; ++row) {
      O slot = writer.Slot();
      bool valid = true;
      for (size_t i = 0; i < texts.size(); ++i) valid = valid && texts[i].IsValid(row);
      if (group) valid = valid && group->IsValid(row);
      if (!valid) {
        any_null = true;
        writer.Set(row, slot);
        continue;
      }
      const Regex* regex = constant_ ? &*constant_ : nullptr;
      if (regex == nullptr) {
        std::string_view pattern = texts[1].Get(row);
        std::string_view flags_text = flags_index_ >= 0 ? texts[flags_index_].Get(row) : "";
        if (!cached || pattern != cached_pattern || flags_text != cached_flags) {
          RegexFlags flags;
          if (constant_flags_) {
            flags = *constant_flags_;
          } else {
            auto parsed =
                functions::ParseRegexFlags(flags_text, function_ == FunctionId::kRegexpReplace);
            if (!parsed.ok()) return Named(parsed.status());
            flags = *parsed;
          }
          auto compiled = Regex::Compile(pattern, flags);
          if (!compiled.ok()) return Named(compiled.status());
          cached = std::move(*compiled);
          cached_pattern.assign(pattern);
          cached_flags.assign(flags_text);
        }
        regex = &*cached;
      }
      std::string_view text = texts[0].Get(row);
      if constexpr (std::is_same_v<O, bool>) {
        slot = regex->Matches(text);
      } else if (function_ == FunctionId::kRegexpExtract) {
        int64_t index = group ? group->Get(row) : 0;
        if (index < 0 || index > regex->group_count()) {
          return Status::Error(ErrorCode::kInvalidArgument,
                               "regexp_extract group {} does not exist (the pattern has {} "
                               "groups) in expression `{}`",
                               index, regex->group_count(), this->text());
        }
        if (!regex->Extract(text, static_cast<int>(index), &slot.view)) {
          any_null = true;
          writer.Set(row, slot);
          continue;
        }
      } else {
        slot.view = regex->Replace(text, texts[2].Get(row), slot.scratch);
      }
      SetBit(validity.data(), row);
      writer.Set(row, slot);
    }
    if constexpr (std::is_same_v<O, StringResult>) {
      if (writer.overflow) {
        return Status::Error(ErrorCode::kNumericOverflow,
                             "string result exceeds 2 GiB in expression `{}`", this->text());
      }
    }
    return writer.Finish(type(), length, any_null ? validity.Finish() : nullptr);
  }

  Status Named(const Status& status) const {
    return Status::Error(status.code(), "{} in expression `{}`", status.message(), text());
  }

  FunctionId function_;
  std::vector<NodePtr> children_;
  int flags_index_;                           // Index of the flags argument, -1 without one.
  std::optional<Regex> constant_;             // A literal pattern (and flags), compiled once.
  std::optional<RegexFlags> constant_flags_;  // Literal flags with a varying pattern.
};

}  // namespace

Result<NodePtr> MakeRegexNode(const sql::BoundExpression& expr, FunctionId function,
                              std::vector<NodePtr> children) {
  auto named = [&](const Status& status) {
    return Status::Error(status.code(), "{} in expression `{}`", status.message(), expr.ToString());
  };
  for (const auto& child : expr.children) {
    if (child->type.id() != TypeId::kVarchar && child->type.id() != TypeId::kBigInt &&
        child->type.id() != TypeId::kNull) {
      return Status::Error(ErrorCode::kNotSupported,
                           "{} of {} is not supported by the evaluator: `{}`", expr.name,
                           child->type.ToString(), expr.ToString());
    }
  }
  int flags_index = -1;
  if (function == FunctionId::kRegexpLike && expr.children.size() == 3) flags_index = 2;
  if (function == FunctionId::kRegexpReplace && expr.children.size() == 4) flags_index = 3;
  std::optional<RegexFlags> flags = RegexFlags{};
  if (flags_index >= 0) {
    flags.reset();
    if (std::optional<std::string_view> text = ConstantText(*expr.children[flags_index])) {
      auto parsed = functions::ParseRegexFlags(*text, function == FunctionId::kRegexpReplace);
      if (!parsed.ok()) return named(parsed.status());
      flags = *parsed;
    }
  }
  std::optional<Regex> constant;
  std::optional<std::string_view> pattern = ConstantText(*expr.children[1]);
  if (pattern && flags) {
    auto compiled = Regex::CompileWithPrefilter(*pattern, *flags);
    if (!compiled.ok()) return named(compiled.status());
    constant = std::move(*compiled);
    if (function == FunctionId::kRegexpExtract && expr.children.size() == 3) {
      const sql::BoundExpression& group = *expr.children[2];
      if (group.kind == sql::BoundExpressionKind::kConstant && !group.constant.is_null()) {
        int64_t index = group.constant.integer();
        if (index < 0 || index > constant->group_count()) {
          return Status::Error(ErrorCode::kInvalidArgument,
                               "regexp_extract group {} does not exist (the pattern has {} "
                               "groups) in expression `{}`",
                               index, constant->group_count(), expr.ToString());
        }
      }
    }
  }
  return NodePtr(new RegexNode(expr.type, expr.ToString(), function, std::move(children),
                               flags_index, std::move(constant), flags));
}

}  // namespace laminar::exec
