#include "exec/expression_evaluator.h"

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <charconv>
#include <cstring>
#include <optional>
#include <type_traits>
#include <utility>
#include <vector>

#include "columnar/column_builder.h"
#include "columnar/take.h"
#include "columnar/value.h"
#include "exec/evaluator_node.h"
#include "exec/kernel_node.h"
#include "exec/regex_node.h"
#include "functions/datetime_template.h"
#include "functions/function_registry.h"
#include "functions/scalar_kernels.h"
#include "functions/type_coercion.h"

namespace laminar::exec {

using functions::FunctionId;
using functions::kKernelDivisionByZero;
using functions::kKernelInvalidInput;
using functions::kKernelOk;
using functions::kKernelOverflow;
using sql::BoundExpression;
using sql::BoundExpressionKind;
using NodePtr = std::unique_ptr<const EvaluatorNode>;

Status KernelError(KernelFlags flags, const std::string& text, const DataType& type,
                   ErrorCode invalid_code, const Vector* inputs, size_t input_count, int64_t row) {
  std::string values;
  for (size_t i = 0; i < input_count; ++i) {
    if (i > 0) values += ", ";
    Value value = inputs[i].column().GetValue(inputs[i].scalar ? 0 : row);
    bool quote = value.type().id() == TypeId::kVarchar;
    values += quote ? "'" + value.ToString() + "'" : value.ToString();
  }
  if (flags & kKernelDivisionByZero) {
    return Status::Error(ErrorCode::kDivisionByZero, "division by zero in expression `{}`", text);
  }
  if (flags & kKernelOverflow) {
    return Status::Error(ErrorCode::kNumericOverflow,
                         "{} value out of range in expression `{}` (input {})", type.ToString(),
                         text, values);
  }
  if (invalid_code == ErrorCode::kInvalidCast) {
    return Status::Error(ErrorCode::kInvalidCast,
                         "invalid input value {} for type {} in expression `{}`", values,
                         type.ToString(), text);
  }
  return Status::Error(invalid_code, "invalid argument ({}) in expression `{}`", values, text);
}

Status EvaluatorNode::Filter(const EvaluationInput& input, SelectionVector* selection) const {
  LAMINAR_ASSIGN_OR_RETURN(Vector result, Evaluate(input, selection->data(), selection->size()));
  const Column& column = result.column();
  if (result.scalar) {
    if (column.IsNull(0) || !column.BooleanValue(0)) selection->Clear();
    return Status::Ok();
  }
  const uint8_t* values = column.values_buffer()->data();
  const uint8_t* validity = column.null_count() > 0 ? column.validity_buffer()->data() : nullptr;
  int64_t offset = column.offset();
  uint32_t* rows = selection->mutable_data();
  int64_t kept = 0;
  int64_t count = selection->size();
  for (int64_t i = 0; i < count; ++i) {
    bool keep = GetBit(values, offset + i) && (validity == nullptr || GetBit(validity, offset + i));
    rows[kept] = rows[i];
    kept += keep;
  }
  selection->Resize(kept);
  return Status::Ok();
}

namespace {

// ----- Leaves. -----

class ConstantNode final : public EvaluatorNode {
 public:
  ConstantNode(const Value& value, DataType type, std::string text, Column column)
      : EvaluatorNode(type, std::move(text)), value_(value), column_(std::move(column)) {}

  static Result<NodePtr> Make(const Value& value, const DataType& type, std::string text) {
    if (value.is_null() || type.id() == TypeId::kNull) {
      return NodePtr(new ConstantNode(value, type, std::move(text), Column::Nulls(type, 1)));
    }
    ColumnBuilder builder(type);
    LAMINAR_RETURN_IF_ERROR(builder.AppendValue(value));
    return NodePtr(new ConstantNode(value, type, std::move(text), builder.Finish()));
  }

  Result<Vector> Evaluate(const EvaluationInput&, const uint32_t*, int64_t) const override {
    return Vector::Borrow(column_, true);
  }
  std::string Describe() const override {
    if (value_.type().id() == TypeId::kVarchar && !value_.is_null()) {
      return "Constant('" + value_.ToString() + "')";
    }
    return "Constant(" + value_.ToString() + ")";
  }
  bool IsConstant() const override { return true; }
  const Value& value() const { return value_; }

 private:
  Value value_;
  Column column_;
};

class ColumnNode final : public EvaluatorNode {
 public:
  ColumnNode(int index, DataType type, std::string text)
      : EvaluatorNode(type, std::move(text)), index_(index) {}

  Result<Vector> Evaluate(const EvaluationInput& input, const uint32_t* rows,
                          int64_t count) const override {
    const Batch& batch = input.batch;
    if (index_ < 0 || index_ >= batch.num_columns() || batch.column(index_).type() != type()) {
      return Status::Error(ErrorCode::kSchemaMismatch,
                           "expression `{}` expects column #{} of type {} in its input", text(),
                           index_, type().ToString());
    }
    const Column& column = batch.column(index_);
    if (rows == nullptr) return Vector::Borrow(column, false);
    SelectionVector selection(std::vector<uint32_t>(rows, rows + count));
    LAMINAR_ASSIGN_OR_RETURN(Column gathered, Take(column, selection));
    return Vector{std::move(gathered), false};
  }
  std::string Describe() const override { return fmt::format("Column(#{} {})", index_, text()); }

 private:
  int index_;
};

/// Physical type tags: the C++ type a column of a given TypeId is read as.
template <typename F>
Result<NodePtr> VisitPhysical(TypeId id, F&& f) {
  switch (id) {
    case TypeId::kBoolean:
      return f(std::type_identity<bool>{});
    case TypeId::kTinyInt:
      return f(std::type_identity<int8_t>{});
    case TypeId::kSmallInt:
      return f(std::type_identity<int16_t>{});
    case TypeId::kInteger:
    case TypeId::kDate:
      return f(std::type_identity<int32_t>{});
    case TypeId::kBigInt:
    case TypeId::kTimestamp:
    case TypeId::kTimestampTz:
      return f(std::type_identity<int64_t>{});
    case TypeId::kReal:
      return f(std::type_identity<float>{});
    case TypeId::kDouble:
      return f(std::type_identity<double>{});
    case TypeId::kDecimal:
      return f(std::type_identity<Decimal128>{});
    case TypeId::kInterval:
      return f(std::type_identity<Interval>{});
    case TypeId::kVarchar:
    case TypeId::kBytea:
      return f(std::type_identity<std::string_view>{});
    case TypeId::kNull:
      break;
  }
  return Status::Error(ErrorCode::kNotSupported, "no physical type for NULL");
}

/// Output tag of a physical type: strings are produced through StringResult.
template <typename T>
using OutputOf = std::conditional_t<std::is_same_v<T, std::string_view>, StringResult, T>;

// ----- Assembling a result from branches evaluated on subsets (CASE, COALESCE). -----

/// Per output row: the branch it takes (-1: NULL) and its index in that branch's vector.
struct BranchMap {
  std::vector<int32_t> branch;
  std::vector<uint32_t> index;
};

template <typename T>
Column AssembleTyped(const DataType& type, int64_t count, const std::vector<Vector>& branches,
                     const BranchMap& map) {
  std::vector<AnyReader<T>> readers;
  readers.reserve(branches.size());
  for (const Vector& branch : branches) readers.emplace_back(branch);
  using O = OutputOf<T>;
  Writer<O> writer(count);
  BufferBuilder validity;
  validity.Resize(static_cast<size_t>(BytesForBits(count)));
  bool any_null = false;
  for (int64_t row = 0; row < count; ++row) {
    int32_t b = map.branch[row];
    uint32_t index = map.index[row];
    O value = writer.Slot();
    if (b >= 0 && readers[b].IsValid(index)) {
      if constexpr (std::is_same_v<O, StringResult>) {
        value.view = readers[b].Get(index);
      } else {
        value = readers[b].Get(index);
      }
      SetBit(validity.data(), row);
    } else {
      any_null = true;
    }
    writer.Set(row, value);
  }
  return writer.Finish(type, count, any_null ? validity.Finish() : nullptr);
}

Column Assemble(const DataType& type, int64_t count, const std::vector<Vector>& branches,
                const BranchMap& map) {
  if (type.id() == TypeId::kNull) return Column::Nulls(type, count);
  Column result;
  auto status = VisitPhysical(type.id(), [&](auto tag) -> Result<NodePtr> {
    using T = typename decltype(tag)::type;
    result = AssembleTyped<T>(type, count, branches, map);
    return NodePtr();
  });
  (void)status;
  return result;
}

/// The original batch rows of the given positions (for evaluating a child on a subset).
void SubsetRows(const uint32_t* rows, const std::vector<uint32_t>& positions,
                std::vector<uint32_t>* subset) {
  subset->resize(positions.size());
  for (size_t i = 0; i < positions.size(); ++i) {
    (*subset)[i] = rows ? rows[positions[i]] : positions[i];
  }
}

/// Searched CASE: conditions[k] selects results[k] for the rows not taken by an earlier
/// condition; the rest take `otherwise` (or NULL). Each child sees only the rows that reach it.
class CaseNode final : public EvaluatorNode {
 public:
  CaseNode(DataType type, std::string text, std::vector<NodePtr> conditions,
           std::vector<NodePtr> results, NodePtr otherwise)
      : EvaluatorNode(type, std::move(text)),
        conditions_(std::move(conditions)),
        results_(std::move(results)),
        otherwise_(std::move(otherwise)) {}

  Result<Vector> Evaluate(const EvaluationInput& input, const uint32_t* rows,
                          int64_t count) const override {
    BranchMap map;
    map.branch.assign(static_cast<size_t>(count), -1);
    map.index.assign(static_cast<size_t>(count), 0);
    std::vector<uint32_t> remaining(static_cast<size_t>(count));
    for (int64_t i = 0; i < count; ++i) remaining[i] = static_cast<uint32_t>(i);
    std::vector<Vector> branches;
    std::vector<uint32_t> subset;
    std::vector<uint32_t> taken;
    std::vector<uint32_t> still;
    for (size_t k = 0; k < conditions_.size() && !remaining.empty(); ++k) {
      SubsetRows(rows, remaining, &subset);
      LAMINAR_ASSIGN_OR_RETURN(Vector condition,
                               conditions_[k]->Evaluate(input, subset.data(), subset.size()));
      AnyReader<bool> reader(condition);
      taken.clear();
      still.clear();
      for (size_t i = 0; i < remaining.size(); ++i) {
        bool take = reader.IsValid(static_cast<int64_t>(i)) && reader.Get(static_cast<int64_t>(i));
        (take ? taken : still).push_back(remaining[i]);
      }
      if (!taken.empty()) {
        SubsetRows(rows, taken, &subset);
        LAMINAR_ASSIGN_OR_RETURN(Vector result,
                                 results_[k]->Evaluate(input, subset.data(), subset.size()));
        int32_t branch = static_cast<int32_t>(branches.size());
        for (size_t i = 0; i < taken.size(); ++i) {
          map.branch[taken[i]] = branch;
          map.index[taken[i]] = static_cast<uint32_t>(i);
        }
        branches.push_back(std::move(result));
      }
      remaining.swap(still);
    }
    if (otherwise_ && !remaining.empty()) {
      SubsetRows(rows, remaining, &subset);
      LAMINAR_ASSIGN_OR_RETURN(Vector result,
                               otherwise_->Evaluate(input, subset.data(), subset.size()));
      int32_t branch = static_cast<int32_t>(branches.size());
      for (size_t i = 0; i < remaining.size(); ++i) {
        map.branch[remaining[i]] = branch;
        map.index[remaining[i]] = static_cast<uint32_t>(i);
      }
      branches.push_back(std::move(result));
    }
    return Vector{Assemble(type(), count, branches, map), false};
  }

  std::string Describe() const override {
    std::string result = "Case(";
    for (size_t k = 0; k < conditions_.size(); ++k) {
      result += (k ? ", " : "") + conditions_[k]->Describe() + " -> " + results_[k]->Describe();
    }
    if (otherwise_) result += ", else " + otherwise_->Describe();
    return result + ")";
  }

 private:
  std::vector<NodePtr> conditions_;
  std::vector<NodePtr> results_;
  NodePtr otherwise_;
};

/// COALESCE: each argument is evaluated only for the rows all earlier arguments left NULL.
class CoalesceNode final : public EvaluatorNode {
 public:
  CoalesceNode(DataType type, std::string text, std::vector<NodePtr> children)
      : EvaluatorNode(type, std::move(text)), children_(std::move(children)) {}

  Result<Vector> Evaluate(const EvaluationInput& input, const uint32_t* rows,
                          int64_t count) const override {
    BranchMap map;
    map.branch.assign(static_cast<size_t>(count), -1);
    map.index.assign(static_cast<size_t>(count), 0);
    std::vector<uint32_t> remaining(static_cast<size_t>(count));
    for (int64_t i = 0; i < count; ++i) remaining[i] = static_cast<uint32_t>(i);
    std::vector<Vector> branches;
    std::vector<uint32_t> subset;
    std::vector<uint32_t> still;
    for (size_t k = 0; k < children_.size() && !remaining.empty(); ++k) {
      SubsetRows(rows, remaining, &subset);
      LAMINAR_ASSIGN_OR_RETURN(Vector value,
                               children_[k]->Evaluate(input, subset.data(), subset.size()));
      int32_t branch = static_cast<int32_t>(branches.size());
      still.clear();
      bool all_null = value.column().type().id() == TypeId::kNull;
      for (size_t i = 0; i < remaining.size(); ++i) {
        int64_t at = value.scalar ? 0 : static_cast<int64_t>(i);
        if (all_null || value.column().IsNull(at)) {
          still.push_back(remaining[i]);
        } else {
          map.branch[remaining[i]] = branch;
          map.index[remaining[i]] = static_cast<uint32_t>(i);
        }
      }
      branches.push_back(std::move(value));
      remaining.swap(still);
    }
    return Vector{Assemble(type(), count, branches, map), false};
  }

  std::string Describe() const override {
    std::string result = "Coalesce(";
    for (size_t k = 0; k < children_.size(); ++k) {
      result += (k ? ", " : "") + children_[k]->Describe();
    }
    return result + ")";
  }

 private:
  std::vector<NodePtr> children_;
};

// ----- Boolean logic. -----

/// Three-valued AND / OR over two or more children. Each child after the first is evaluated
/// only on the rows still undecided (AND: not yet FALSE; OR: not yet TRUE).
class LogicalNode final : public EvaluatorNode {
 public:
  LogicalNode(bool is_and, std::string text, std::vector<NodePtr> children)
      : EvaluatorNode(DataType::Boolean(), std::move(text)),
        is_and_(is_and),
        children_(std::move(children)) {}

  // Three-valued logic over bitmaps of `count` positions. `decided`: an operand gave the
  // dominant value (FALSE for AND, TRUE for OR), which is the result. `null_seen`: an operand
  // was NULL, so the result is NULL unless decided. Otherwise the result is the other value.
  // Each child sees only the positions not decided yet (all of them, word by word, as long as
  // none is decided; else the subset, row by row), so `x <> 0 AND 10 / x > 1` never divides
  // by zero.
  Result<Vector> Evaluate(const EvaluationInput& input, const uint32_t* rows,
                          int64_t count) const override {
    const size_t words = static_cast<size_t>((count + 63) / 64);
    std::vector<uint64_t> decided(words, 0);
    std::vector<uint64_t> null_seen(words, 0);
    std::vector<uint32_t> positions;
    std::vector<uint32_t> subset;
    bool none_decided = true;
    for (const NodePtr& child : children_) {
      if (none_decided) {
        LAMINAR_ASSIGN_OR_RETURN(Vector operand, child->Evaluate(input, rows, count));
        MergeAll(operand, count, decided.data(), null_seen.data());
      } else {
        positions.clear();
        for (size_t w = 0; w < words; ++w) {
          uint64_t open = ~decided[w];
          if (w + 1 == words && (count & 63) != 0) open &= (uint64_t{1} << (count & 63)) - 1;
          while (open != 0) {
            positions.push_back(static_cast<uint32_t>(w * 64 + std::countr_zero(open)));
            open &= open - 1;
          }
        }
        if (positions.empty()) break;
        SubsetRows(rows, positions, &subset);
        LAMINAR_ASSIGN_OR_RETURN(
            Vector operand,
            child->Evaluate(input, subset.data(), static_cast<int64_t>(subset.size())));
        AnyReader<bool> reader(operand);
        for (size_t i = 0; i < positions.size(); ++i) {
          const uint32_t at = positions[i];
          const int64_t index = static_cast<int64_t>(i);
          const uint64_t bit = uint64_t{1} << (at & 63);
          if (!reader.IsValid(index)) {
            null_seen[at >> 6] |= bit;
          } else if (reader.Get(index) != is_and_) {
            decided[at >> 6] |= bit;
          }
        }
      }
      none_decided = std::all_of(decided.begin(), decided.end(), [](uint64_t w) { return w == 0; });
    }
    const size_t bytes = static_cast<size_t>(BytesForBits(count));
    auto in_range = [&](size_t w) {
      return (w + 1 == words && (count & 63) != 0) ? (uint64_t{1} << (count & 63)) - 1
                                                   : ~uint64_t{0};
    };
    bool any_null = false;
    for (size_t w = 0; w < words && !any_null; ++w) {
      any_null = ((decided[w] | ~null_seen[w]) & in_range(w)) != in_range(w);
    }
    Writer<bool> writer(count);
    BufferBuilder validity;
    if (any_null) validity.Resize(bytes);
    for (size_t w = 0; w < words; ++w) {
      // AND: TRUE where neither decided nor NULL; OR: TRUE where decided.
      const uint64_t value = (is_and_ ? ~decided[w] & ~null_seen[w] : decided[w]) & in_range(w);
      const size_t length = std::min<size_t>(8, bytes - w * 8);
      std::memcpy(writer.raw + w * 8, &value, length);
      if (any_null) {
        const uint64_t valid = (decided[w] | ~null_seen[w]) & in_range(w);
        std::memcpy(validity.data() + w * 8, &valid, length);
      }
    }
    return Vector{writer.Finish(type(), count, any_null ? validity.Finish() : nullptr), false};
  }

  /// AND filters child by child, each on the rows the previous ones kept.
  Status Filter(const EvaluationInput& input, SelectionVector* selection) const override {
    if (!is_and_) return EvaluatorNode::Filter(input, selection);
    for (const NodePtr& child : children_) {
      if (selection->empty()) break;
      LAMINAR_RETURN_IF_ERROR(child->Filter(input, selection));
    }
    return Status::Ok();
  }

  std::string Describe() const override {
    std::string result = is_and_ ? "And(" : "Or(";
    for (size_t k = 0; k < children_.size(); ++k) {
      result += (k ? ", " : "") + children_[k]->Describe();
    }
    return result + ")";
  }

 private:
  // Folds an operand evaluated on all `count` positions into the bitmaps, 64 positions at a
  // time when its bits are byte-aligned (the usual case), else bit by bit.
  void MergeAll(const Vector& operand, int64_t count, uint64_t* decided,
                uint64_t* null_seen) const {
    const size_t words = static_cast<size_t>((count + 63) / 64);
    const Column& column = operand.column();
    if (operand.scalar || column.type().id() == TypeId::kNull) {
      const bool valid = column.type().id() != TypeId::kNull && column.IsValid(0);
      const bool dominant = valid && column.BooleanValue(0) != is_and_;
      for (size_t w = 0; w < words; ++w) {
        if (!valid) null_seen[w] = ~uint64_t{0};
        if (dominant) decided[w] = ~uint64_t{0};
      }
      return;
    }
    const int64_t offset = column.offset();
    const uint8_t* values = column.values_buffer()->data();
    const uint8_t* validity = column.null_count() > 0 ? column.validity_buffer()->data() : nullptr;
    if ((offset & 7) != 0) {
      for (int64_t i = 0; i < count; ++i) {
        const uint64_t bit = uint64_t{1} << (i & 63);
        if (validity != nullptr && !GetBit(validity, offset + i)) {
          null_seen[i >> 6] |= bit;
        } else if (GetBit(values, offset + i) != is_and_) {
          decided[i >> 6] |= bit;
        }
      }
      return;
    }
    const size_t bytes = static_cast<size_t>(BytesForBits(count));
    const size_t first_byte = static_cast<size_t>(offset / 8);
    for (size_t w = 0; w < words; ++w) {
      const size_t length = std::min<size_t>(8, bytes - w * 8);
      uint64_t value = 0;
      uint64_t valid = ~uint64_t{0};
      std::memcpy(&value, values + first_byte + w * 8, length);
      if (validity != nullptr) {
        valid = 0;
        std::memcpy(&valid, validity + first_byte + w * 8, length);
      }
      null_seen[w] |= ~valid;
      decided[w] |= valid & (is_and_ ? ~value : value);
    }
  }

  bool is_and_;
  std::vector<NodePtr> children_;
};

class IsNullNode final : public EvaluatorNode {
 public:
  IsNullNode(std::string text, NodePtr child)
      : EvaluatorNode(DataType::Boolean(), std::move(text)), child_(std::move(child)) {}

  Result<Vector> Evaluate(const EvaluationInput& input, const uint32_t* rows,
                          int64_t count) const override {
    LAMINAR_ASSIGN_OR_RETURN(Vector operand, child_->Evaluate(input, rows, count));
    int64_t length = operand.scalar ? 1 : count;
    Writer<bool> writer(length);
    const Column& column = operand.column();
    if (column.type().id() == TypeId::kNull) {
      for (int64_t i = 0; i < length; ++i) writer.Set(i, true);
    } else if (column.null_count() > 0) {
      const uint8_t* validity = column.validity_buffer()->data();
      for (int64_t i = 0; i < length; ++i) {
        writer.Set(i, !GetBit(validity, column.offset() + i));
      }
    }
    return Vector{writer.Finish(type(), length, nullptr), operand.scalar};
  }
  std::string Describe() const override { return "IsNull(" + child_->Describe() + ")"; }

 private:
  NodePtr child_;
};

/// IS [NOT] DISTINCT FROM: NULL equals NULL, never NULL itself.
template <typename T>
class DistinctNode final : public EvaluatorNode {
 public:
  DistinctNode(bool distinct, std::string text, NodePtr left, NodePtr right)
      : EvaluatorNode(DataType::Boolean(), std::move(text)),
        distinct_(distinct),
        left_(std::move(left)),
        right_(std::move(right)) {}

  Result<Vector> Evaluate(const EvaluationInput& input, const uint32_t* rows,
                          int64_t count) const override {
    LAMINAR_ASSIGN_OR_RETURN(Vector left, left_->Evaluate(input, rows, count));
    LAMINAR_ASSIGN_OR_RETURN(Vector right, right_->Evaluate(input, rows, count));
    bool scalar = left.scalar && right.scalar;
    int64_t length = scalar ? 1 : count;
    AnyReader<T> a(left);
    AnyReader<T> b(right);
    Writer<bool> writer(length);
    for (int64_t i = 0; i < length; ++i) {
      bool a_valid = a.IsValid(i);
      bool b_valid = b.IsValid(i);
      bool same;
      if (a_valid && b_valid) {
        same = functions::CompareValues(a.Get(i), b.Get(i)) == 0;
      } else {
        same = a_valid == b_valid;
      }
      writer.Set(i, same != distinct_);
    }
    return Vector{writer.Finish(type(), length, nullptr), scalar};
  }
  std::string Describe() const override {
    return std::string(distinct_ ? "IsDistinctFrom(" : "IsNotDistinctFrom(") + left_->Describe() +
           ", " + right_->Describe() + ")";
  }

 private:
  bool distinct_;
  NodePtr left_;
  NodePtr right_;
};

// ----- Ops that produce strings or need the evaluator's types. -----

struct NotOp {
  KernelFlags Call(bool a, bool* out) const {
    *out = !a;
    return kKernelOk;
  }
};

struct StringConcatOp {
  KernelFlags Call(std::string_view a, std::string_view b, StringResult* out) const {
    out->scratch->assign(a);
    out->scratch->append(b);
    out->view = *out->scratch;
    return kKernelOk;
  }
};

/// concat(): NULL arguments were replaced by '' by the node (coalesce), so it is strict here.
struct CaseMapOp {
  bool upper = false;
  KernelFlags Call(std::string_view a, StringResult* out) const {
    out->scratch->assign(a);
    for (char& c : *out->scratch) {
      if (upper && c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
      if (!upper && c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    out->view = *out->scratch;
    return kKernelOk;
  }
};

struct CharLengthOp {
  KernelFlags Call(std::string_view a, int64_t* out) const {
    *out = functions::Utf8Length(a);
    return kKernelOk;
  }
};

struct OctetLengthOp {
  KernelFlags Call(std::string_view a, int64_t* out) const {
    *out = static_cast<int64_t>(a.size());
    return kKernelOk;
  }
};

struct SubstringOp {
  KernelFlags Call(std::string_view text, int64_t start, StringResult* out) const {
    out->view = functions::Utf8Substring(text, start, -1);
    return kKernelOk;
  }
  KernelFlags Call(std::string_view text, int64_t start, int64_t length, StringResult* out) const {
    if (length < 0) return kKernelInvalidInput;  // "negative substring length not allowed".
    out->view = functions::Utf8Substring(text, start, length);
    return kKernelOk;
  }
};

struct SplitPartOp {
  KernelFlags Call(std::string_view text, std::string_view delimiter, int64_t n,
                   StringResult* out) const {
    if (n == 0) return kKernelInvalidInput;  // "field position must not be zero".
    out->view = functions::SplitPart(text, delimiter, n);
    return kKernelOk;
  }
};

struct CountCharOp {
  KernelFlags Call(std::string_view text, std::string_view needle, int64_t* out) const {
    *out = functions::CountOccurrences(text, needle);
    return kKernelOk;
  }
};

struct LikeOp {
  bool case_insensitive = false;
  KernelFlags Call(std::string_view text, std::string_view pattern, bool* out) const {
    bool malformed;
    *out = functions::LikeMatch(text, pattern, '\\', case_insensitive, &malformed);
    return malformed ? kKernelInvalidInput : kKernelOk;
  }
  KernelFlags Call(std::string_view text, std::string_view pattern, std::string_view escape,
                   bool* out) const {
    *out = false;
    if (escape.size() > 1) return kKernelInvalidInput;
    bool malformed;
    *out = functions::LikeMatch(text, pattern, escape.empty() ? '\0' : escape[0], case_insensitive,
                                &malformed);
    return malformed ? kKernelInvalidInput : kKernelOk;
  }
};

/// to_char(timestamp or interval, template) and date_format(timestamp, Java pattern). A literal
/// template is compiled once (`format`); otherwise each row's template is compiled for it.
struct FormatTemplateOp {
  std::shared_ptr<const functions::DateTimeTemplate> format;
  bool java = false;
  bool with_time_zone = false;

  KernelFlags Call(int64_t micros, std::string_view pattern, StringResult* out) const {
    out->scratch->clear();
    if (format) {
      functions::FormatTimestampWithTemplate(*format, micros, with_time_zone, out->scratch);
    } else if (java) {
      Result<functions::DateTimeTemplate> compiled = functions::CompileJavaPattern(pattern);
      if (!compiled.ok()) return kKernelInvalidInput;
      functions::FormatTimestampWithTemplate(*compiled, micros, with_time_zone, out->scratch);
    } else {
      functions::FormatTimestampWithTemplate(functions::CompilePostgresTemplate(pattern), micros,
                                             with_time_zone, out->scratch);
    }
    out->view = *out->scratch;
    return kKernelOk;
  }

  KernelFlags Call(const Interval& interval, std::string_view pattern, StringResult* out) const {
    out->scratch->clear();
    if (format) {
      functions::FormatIntervalWithTemplate(*format, interval, out->scratch);
    } else {
      functions::DateTimeTemplate compiled = functions::CompilePostgresTemplate(pattern);
      if (!functions::CanFormatInterval(compiled)) return kKernelInvalidInput;
      functions::FormatIntervalWithTemplate(compiled, interval, out->scratch);
    }
    out->view = *out->scratch;
    return kKernelOk;
  }
};

/// to_timestamp(text, template) (TIMESTAMPTZ) and to_date(text, template) (DATE).
struct ParseTemplateOp {
  std::shared_ptr<const functions::DateTimeTemplate> format;

  KernelFlags Call(std::string_view text, std::string_view pattern, int64_t* out) const {
    if (format) return functions::ParseTimestampWithTemplate(*format, text, out);
    functions::DateTimeTemplate compiled = functions::CompilePostgresTemplate(pattern);
    *out = 0;
    if (!functions::CanParse(compiled)) return kKernelInvalidInput;
    return functions::ParseTimestampWithTemplate(compiled, text, out);
  }

  KernelFlags Call(std::string_view text, std::string_view pattern, int32_t* out) const {
    *out = 0;
    int64_t micros;
    KernelFlags flags = Call(text, pattern, &micros);
    if (flags != kKernelOk) return flags;
    int64_t days;
    int64_t time_of_day;
    functions::SplitTimestamp(micros, &days, &time_of_day);
    if (!std::in_range<int32_t>(days)) return kKernelOverflow;
    *out = static_cast<int32_t>(days);
    return kKernelOk;
  }
};

// Casts to VARCHAR: the text Value::ToString prints (PostgreSQL's output format).
template <typename T>
struct ToTextOp {
  DataType from;
  KernelFlags Call(T value, StringResult* out) const {
    std::string& text = *out->scratch;
    text.clear();
    if constexpr (std::is_same_v<T, bool>) {
      text = value ? "true" : "false";
    } else if constexpr (std::is_same_v<T, float>) {
      text = FormatFloatingPoint(value, /*real=*/true);
    } else if constexpr (std::is_same_v<T, double>) {
      text = FormatFloatingPoint(value);
    } else if constexpr (std::is_same_v<T, Decimal128>) {
      text = FormatDecimal(value, from.scale());
    } else if constexpr (std::is_same_v<T, Interval>) {
      text = FormatInterval(value);
    } else if constexpr (std::is_integral_v<T>) {
      if (from.id() == TypeId::kDate) {
        text = FormatDate(static_cast<int32_t>(value));
      } else if (from.id() == TypeId::kTimestamp) {
        text = FormatTimestamp(value);
      } else if (from.id() == TypeId::kTimestampTz) {
        text = FormatTimestampTz(value);
      } else {
        fmt::format_to(std::back_inserter(text), "{}", value);
      }
    }
    out->view = text;
    return kKernelOk;
  }
};

// Casts from VARCHAR: parse the text as the target type.
template <typename T>
struct FromTextOp {
  DataType to;
  KernelFlags Call(std::string_view text, T* out) const {
    *out = T{};
    if constexpr (std::is_same_v<T, bool>) {
      return functions::ParseBooleanText(text, out) ? kKernelOk : kKernelInvalidInput;
    } else if constexpr (std::is_floating_point_v<T>) {
      double value;
      if (!functions::ParseDoubleText(text, &value)) return kKernelInvalidInput;
      return functions::NumericCastOp<double, T>{}.Call(value, out);
    } else if constexpr (std::is_same_v<T, Decimal128>) {
      Result<Decimal128> value = ParseDecimal(text, to.precision(), to.scale());
      if (!value.ok()) {
        return value.status().code() == ErrorCode::kNumericOverflow ? kKernelOverflow
                                                                    : kKernelInvalidInput;
      }
      *out = *value;
      return kKernelOk;
    } else if constexpr (std::is_same_v<T, Interval>) {
      Result<Interval> value = ParseInterval(text);
      if (!value.ok()) {
        return value.status().code() == ErrorCode::kNumericOverflow ? kKernelOverflow
                                                                    : kKernelInvalidInput;
      }
      *out = *value;
      return kKernelOk;
    } else {
      if (to.id() == TypeId::kDate || to.id() == TypeId::kTimestamp ||
          to.id() == TypeId::kTimestampTz) {
        if constexpr (std::is_same_v<T, int32_t>) {
          Result<int32_t> value = ParseDate(text);
          if (!value.ok()) {
            return value.status().code() == ErrorCode::kNumericOverflow ? kKernelOverflow
                                                                        : kKernelInvalidInput;
          }
          *out = *value;
          return kKernelOk;
        } else {
          Result<int64_t> value = ParseTimestamp(text);
          if (!value.ok()) {
            return value.status().code() == ErrorCode::kNumericOverflow ? kKernelOverflow
                                                                        : kKernelInvalidInput;
          }
          *out = static_cast<T>(*value);
          return kKernelOk;
        }
      }
      int64_t value;
      if (!functions::ParseInt64Text(text, &value)) {
        // Digits that do not fit int64_t are an overflow, anything else invalid.
        std::string_view digits = text;
        while (!digits.empty() &&
               (digits.front() == ' ' || digits.front() == '-' || digits.front() == '+')) {
          digits.remove_prefix(1);
        }
        while (!digits.empty() && digits.back() == ' ') digits.remove_suffix(1);
        bool all_digits = !digits.empty() && std::all_of(digits.begin(), digits.end(), [](char c) {
          return c >= '0' && c <= '9';
        });
        return all_digits ? kKernelOverflow : kKernelInvalidInput;
      }
      return functions::NumericCastOp<int64_t, T>{}.Call(value, out);
    }
  }
};

/// Identity conversion between types with the same physical layout (TIMESTAMP <-> TIMESTAMPTZ).
template <typename T>
struct ReinterpretOp {
  KernelFlags Call(T value, T* out) const {
    *out = value;
    return kKernelOk;
  }
};

struct DateAddDaysOp {
  bool subtract = false;
  KernelFlags Call(int32_t date, int32_t days, int32_t* out) const {
    bool overflow = subtract ? __builtin_sub_overflow(date, days, out)
                             : __builtin_add_overflow(date, days, out);
    return overflow ? kKernelOverflow : kKernelOk;
  }
};

struct DateDifferenceOp {
  KernelFlags Call(int32_t a, int32_t b, int32_t* out) const {
    return __builtin_sub_overflow(a, b, out) ? kKernelOverflow : kKernelOk;
  }
};

struct IntervalAddOp {
  bool subtract = false;
  KernelFlags Call(const Interval& a, const Interval& b, Interval* out) const {
    bool overflow;
    if (subtract) {
      overflow = __builtin_sub_overflow(a.months, b.months, &out->months) ||
                 __builtin_sub_overflow(a.days, b.days, &out->days) ||
                 __builtin_sub_overflow(a.micros, b.micros, &out->micros);
    } else {
      overflow = __builtin_add_overflow(a.months, b.months, &out->months) ||
                 __builtin_add_overflow(a.days, b.days, &out->days) ||
                 __builtin_add_overflow(a.micros, b.micros, &out->micros);
    }
    return overflow ? kKernelOverflow : kKernelOk;
  }
};

struct ReverseOp {
  KernelFlags Call(std::string_view text, StringResult* out) const {
    out->view = functions::Utf8Reverse(text, out->scratch);
    return kKernelOk;
  }
};

struct ReplaceOp {
  KernelFlags Call(std::string_view text, std::string_view from, std::string_view to,
                   StringResult* out) const {
    out->view = functions::ReplaceAll(text, from, to, out->scratch);
    return kKernelOk;
  }
};

/// trim, ltrim, rtrim: of spaces, or of the characters of the second argument.
struct TrimOp {
  bool leading = true;
  bool trailing = true;
  KernelFlags Call(std::string_view text, StringResult* out) const {
    out->view = functions::TrimCharacters(text, " ", leading, trailing);
    return kKernelOk;
  }
  KernelFlags Call(std::string_view text, std::string_view characters, StringResult* out) const {
    out->view = functions::TrimCharacters(text, characters, leading, trailing);
    return kKernelOk;
  }
};

/// position(needle, haystack) (`needle_first`) and strpos(haystack, needle).
struct PositionOp {
  bool needle_first = false;
  KernelFlags Call(std::string_view a, std::string_view b, int64_t* out) const {
    *out = needle_first ? functions::Utf8Position(b, a) : functions::Utf8Position(a, b);
    return kKernelOk;
  }
};

/// starts_with(text, prefix) and ends_with(text, suffix).
struct AffixOp {
  bool suffix = false;
  KernelFlags Call(std::string_view text, std::string_view affix, bool* out) const {
    *out = suffix ? text.ends_with(affix) : text.starts_with(affix);
    return kKernelOk;
  }
};

/// left(text, n) and right(text, n).
struct TakeCharactersOp {
  bool from_right = false;
  KernelFlags Call(std::string_view text, int64_t n, StringResult* out) const {
    out->view = from_right ? functions::Utf8Right(text, n) : functions::Utf8Left(text, n);
    return kKernelOk;
  }
};

/// lpad and rpad, with ' ' or the given fill. A result beyond 1 GiB is an invalid argument.
struct PadOp {
  bool left = true;
  KernelFlags Call(std::string_view text, int64_t length, StringResult* out) const {
    return Call(text, length, " ", out);
  }
  KernelFlags Call(std::string_view text, int64_t length, std::string_view fill,
                   StringResult* out) const {
    return functions::Utf8Pad(text, length, fill, left, out->scratch, &out->view)
               ? kKernelOk
               : kKernelInvalidInput;
  }
};

/// date_trunc(unit, value) with a unit that is not a literal, parsed per row.
struct DateTruncDynamicOp {
  KernelFlags Call(std::string_view unit, int64_t micros, int64_t* out) const {
    *out = 0;
    std::optional<functions::TemporalField> field = functions::ParseTemporalField(unit);
    if (!field || !functions::IsTruncationField(*field)) return kKernelInvalidInput;
    return functions::DateTruncOp{*field}.Call(micros, out);
  }
  KernelFlags Call(std::string_view unit, const Interval& interval, Interval* out) const {
    *out = Interval{};
    std::optional<functions::TemporalField> field = functions::ParseTemporalField(unit);
    if (!field || !functions::IsTruncationField(*field) ||
        *field == functions::TemporalField::kWeek) {
      return kKernelInvalidInput;
    }
    return functions::IntervalTruncOp{*field}.Call(interval, out);
  }
};

// ----- Nodes for the clock and for non-strict functions over all their arguments. -----

/// now() / current_timestamp (TIMESTAMPTZ), proctime() (TIMESTAMP) and current_date (DATE, the
/// UTC day): the clock reading of the batch, as a scalar.
class ClockNode final : public EvaluatorNode {
 public:
  ClockNode(DataType type, std::string text, std::string name)
      : EvaluatorNode(type, std::move(text)), name_(std::move(name)) {}

  Result<Vector> Evaluate(const EvaluationInput& input, const uint32_t*, int64_t) const override {
    if (type().id() == TypeId::kDate) {
      int32_t days;
      functions::TimestampToDateOp{}.Call(input.now_micros, &days);
      Writer<int32_t> writer(1);
      writer.Set(0, days);
      return Vector{writer.Finish(type(), 1, nullptr), true};
    }
    Writer<int64_t> writer(1);
    writer.Set(0, input.now_micros);
    return Vector{writer.Finish(type(), 1, nullptr), true};
  }
  std::string Describe() const override { return "Clock(" + name_ + ")"; }

 private:
  std::string name_;
};

/// greatest(...) and least(...): the largest (smallest) non-NULL argument, NULL only when all
/// are NULL. Every argument is evaluated for every row, as in PostgreSQL.
template <typename T>
class ExtremumNode final : public EvaluatorNode {
 public:
  ExtremumNode(bool greatest, DataType type, std::string text, std::vector<NodePtr> children)
      : EvaluatorNode(type, std::move(text)), greatest_(greatest), children_(std::move(children)) {}

  Result<Vector> Evaluate(const EvaluationInput& input, const uint32_t* rows,
                          int64_t count) const override {
    std::vector<Vector> values;
    values.reserve(children_.size());
    bool all_scalar = true;
    for (const NodePtr& child : children_) {
      LAMINAR_ASSIGN_OR_RETURN(Vector value, child->Evaluate(input, rows, count));
      all_scalar = all_scalar && value.scalar;
      values.push_back(std::move(value));
    }
    int64_t length = all_scalar ? 1 : count;
    std::vector<AnyReader<T>> readers;
    readers.reserve(values.size());
    for (const Vector& value : values) readers.emplace_back(value);
    using O = OutputOf<T>;
    Writer<O> writer(length);
    BufferBuilder validity;
    validity.Resize(static_cast<size_t>(BytesForBits(length)));
    bool any_null = false;
    for (int64_t row = 0; row < length; ++row) {
      bool found = false;
      T best{};
      for (const AnyReader<T>& reader : readers) {
        if (!reader.IsValid(row)) continue;
        T value = reader.Get(row);
        int order = functions::CompareValues(value, best);
        if (!found || (greatest_ ? order > 0 : order < 0)) best = value;
        found = true;
      }
      O slot = writer.Slot();
      if (found) {
        if constexpr (std::is_same_v<O, StringResult>) {
          slot.view = best;
        } else {
          slot = best;
        }
        SetBit(validity.data(), row);
      } else {
        any_null = true;
      }
      writer.Set(row, slot);
    }
    if constexpr (std::is_same_v<O, StringResult>) {
      if (writer.overflow) {
        return Status::Error(ErrorCode::kNumericOverflow,
                             "string result exceeds 2 GiB in expression `{}`", text());
      }
    }
    return Vector{writer.Finish(type(), length, any_null ? validity.Finish() : nullptr),
                  all_scalar};
  }

  std::string Describe() const override {
    std::string result = greatest_ ? "Greatest(" : "Least(";
    for (size_t k = 0; k < children_.size(); ++k) {
      result += (k ? ", " : "") + children_[k]->Describe();
    }
    return result + ")";
  }

 private:
  bool greatest_;
  std::vector<NodePtr> children_;
};

/// concat_ws(separator, text, ...): the non-NULL texts joined by the separator; NULL when the
/// separator is NULL. The texts arrive as VARCHAR (the compiler adds the casts).
class ConcatWsNode final : public EvaluatorNode {
 public:
  ConcatWsNode(std::string text, NodePtr separator, std::vector<NodePtr> children)
      : EvaluatorNode(DataType::Varchar(), std::move(text)),
        separator_(std::move(separator)),
        children_(std::move(children)) {}

  Result<Vector> Evaluate(const EvaluationInput& input, const uint32_t* rows,
                          int64_t count) const override {
    LAMINAR_ASSIGN_OR_RETURN(Vector separator, separator_->Evaluate(input, rows, count));
    std::vector<Vector> values;
    values.reserve(children_.size());
    bool all_scalar = separator.scalar;
    for (const NodePtr& child : children_) {
      LAMINAR_ASSIGN_OR_RETURN(Vector value, child->Evaluate(input, rows, count));
      all_scalar = all_scalar && value.scalar;
      values.push_back(std::move(value));
    }
    int64_t length = all_scalar ? 1 : count;
    AnyReader<std::string_view> separator_reader(separator);
    std::vector<AnyReader<std::string_view>> readers;
    readers.reserve(values.size());
    for (const Vector& value : values) readers.emplace_back(value);
    Writer<StringResult> writer(length);
    BufferBuilder validity;
    validity.Resize(static_cast<size_t>(BytesForBits(length)));
    bool any_null = false;
    for (int64_t row = 0; row < length; ++row) {
      StringResult slot = writer.Slot();
      if (separator_reader.IsValid(row)) {
        std::string_view between = separator_reader.Get(row);
        std::string& joined = *slot.scratch;
        joined.clear();
        bool first = true;
        for (const AnyReader<std::string_view>& reader : readers) {
          if (!reader.IsValid(row)) continue;
          if (!first) joined.append(between);
          joined.append(reader.Get(row));
          first = false;
        }
        slot.view = joined;
        SetBit(validity.data(), row);
      } else {
        any_null = true;
      }
      writer.Set(row, slot);
    }
    if (writer.overflow) {
      return Status::Error(ErrorCode::kNumericOverflow,
                           "string result exceeds 2 GiB in expression `{}`", text());
    }
    return Vector{writer.Finish(type(), length, any_null ? validity.Finish() : nullptr),
                  all_scalar};
  }

  std::string Describe() const override {
    std::string result = "ConcatWs(" + separator_->Describe();
    for (const NodePtr& child : children_) result += ", " + child->Describe();
    return result + ")";
  }

 private:
  NodePtr separator_;
  std::vector<NodePtr> children_;
};

// ----- The compiler: bound expression -> node tree. -----

template <typename Op, typename O, typename... Ins>
NodePtr MakeKernel(const BoundExpression& expr, std::string name, Op op,
                   std::vector<NodePtr> children,
                   ErrorCode invalid_code = ErrorCode::kInvalidArgument,
                   bool null_on_error = false) {
  std::array<NodePtr, sizeof...(Ins)> array;
  for (size_t i = 0; i < sizeof...(Ins); ++i) array[i] = std::move(children[i]);
  return NodePtr(new KernelNode<Op, O, Ins...>(expr.type, expr.ToString(), std::move(name),
                                               std::move(op), std::move(array), invalid_code,
                                               null_on_error));
}

Status NotSupported(const BoundExpression& expr, std::string_view what) {
  return Status::Error(ErrorCode::kNotSupported, "{} is not supported by the evaluator yet: `{}`",
                       what, expr.ToString());
}

std::string TypeList(const BoundExpression& expr) {
  std::string result;
  for (const auto& child : expr.children) {
    if (!result.empty()) result += ", ";
    result += child->type.ToString();
  }
  return result;
}

template <typename T>
constexpr bool kIsNumeric = std::is_arithmetic_v<T> && !std::is_same_v<T, bool>;

class Compiler {
 public:
  struct Compiled {
    NodePtr node;
    bool foldable = false;  // No column, only deterministic functions.
  };

  Result<Compiled> Compile(const BoundExpression& expr) {
    LAMINAR_ASSIGN_OR_RETURN(Compiled compiled, CompileUnfolded(expr));
    if (compiled.foldable && !compiled.node->IsConstant()) {
      // Fold on a one-row batch; a failure (1/0 in an untaken branch) keeps the node.
      Batch one_row = Batch::MakeWithoutColumns(std::make_shared<const Schema>(), 1);
      Result<Vector> folded = compiled.node->Evaluate(EvaluationInput{one_row}, nullptr, 1);
      if (folded.ok()) {
        Value value = folded->column().GetValue(0);
        if (value.is_null()) value = Value::Null(expr.type);
        auto constant = ConstantNode::Make(value, expr.type, expr.ToString());
        if (constant.ok()) compiled.node = std::move(constant).value();
      }
    }
    return compiled;
  }

 private:
  Result<std::vector<NodePtr>> CompileChildren(const BoundExpression& expr, bool* foldable) {
    std::vector<NodePtr> children;
    for (const auto& child : expr.children) {
      LAMINAR_ASSIGN_OR_RETURN(Compiled compiled, Compile(*child));
      *foldable = *foldable && compiled.foldable;
      children.push_back(std::move(compiled.node));
    }
    return children;
  }

  Result<Compiled> CompileUnfolded(const BoundExpression& expr) {
    switch (expr.kind) {
      case BoundExpressionKind::kConstant: {
        LAMINAR_ASSIGN_OR_RETURN(NodePtr node,
                                 ConstantNode::Make(expr.constant, expr.type, expr.ToString()));
        return Compiled{std::move(node), true};
      }
      case BoundExpressionKind::kColumn:
        return Compiled{NodePtr(new ColumnNode(expr.column_index, expr.type, expr.name)), false};
      case BoundExpressionKind::kAnd:
      case BoundExpressionKind::kOr: {
        bool foldable = true;
        LAMINAR_ASSIGN_OR_RETURN(auto children, CompileChildren(expr, &foldable));
        return Compiled{NodePtr(new LogicalNode(expr.kind == BoundExpressionKind::kAnd,
                                                expr.ToString(), std::move(children))),
                        foldable};
      }
      case BoundExpressionKind::kNot: {
        bool foldable = true;
        LAMINAR_ASSIGN_OR_RETURN(auto children, CompileChildren(expr, &foldable));
        return Compiled{MakeKernel<NotOp, bool, bool>(expr, "not", NotOp{}, std::move(children)),
                        foldable};
      }
      case BoundExpressionKind::kIsNull: {
        bool foldable = true;
        LAMINAR_ASSIGN_OR_RETURN(auto children, CompileChildren(expr, &foldable));
        return Compiled{NodePtr(new IsNullNode(expr.ToString(), std::move(children[0]))), foldable};
      }
      case BoundExpressionKind::kCase:
        return CompileCase(expr);
      case BoundExpressionKind::kInList:
        return CompileInList(expr);
      case BoundExpressionKind::kCast: {
        bool foldable = true;
        LAMINAR_ASSIGN_OR_RETURN(auto children, CompileChildren(expr, &foldable));
        LAMINAR_ASSIGN_OR_RETURN(NodePtr node, CompileCast(expr, std::move(children[0])));
        return Compiled{std::move(node), foldable};
      }
      case BoundExpressionKind::kCall:
        return CompileCall(expr);
    }
    return NotSupported(expr, "this expression kind");
  }

  Result<Compiled> CompileCase(const BoundExpression& expr) {
    bool foldable = true;
    LAMINAR_ASSIGN_OR_RETURN(auto children, CompileChildren(expr, &foldable));
    NodePtr otherwise;
    if (expr.has_else) {
      otherwise = std::move(children.back());
      children.pop_back();
    }
    if (children.size() % 2 != 0) return NotSupported(expr, "a malformed CASE");
    std::vector<NodePtr> conditions;
    std::vector<NodePtr> results;
    for (size_t i = 0; i < children.size(); i += 2) {
      conditions.push_back(std::move(children[i]));
      results.push_back(std::move(children[i + 1]));
    }
    return Compiled{NodePtr(new CaseNode(expr.type, expr.ToString(), std::move(conditions),
                                         std::move(results), std::move(otherwise))),
                    foldable};
  }

  /// x IN (a, b, ...) is x = a OR x = b OR ...: the same three-valued result.
  Result<Compiled> CompileInList(const BoundExpression& expr) {
    const BoundExpression& needle = *expr.children[0];
    std::vector<sql::BoundExprPtr> equalities;
    for (size_t i = 1; i < expr.children.size(); ++i) {
      if (expr.children[i]->type != needle.type && expr.children[i]->type.id() != TypeId::kNull) {
        return NotSupported(expr, "IN with operands of different types (" + TypeList(expr) + ")");
      }
      equalities.push_back(sql::MakeCall("=", DataType::Boolean(),
                                         {expr.children[0], expr.children[i]}, expr.position));
    }
    sql::BoundExprPtr disjunction =
        equalities.size() == 1
            ? equalities[0]
            : sql::MakeLogical(BoundExpressionKind::kOr, std::move(equalities), expr.position);
    return CompileUnfolded(*disjunction);
  }

  Result<Compiled> CompileCall(const BoundExpression& expr) {
    std::vector<functions::ArgumentInfo> arguments;
    for (const auto& child : expr.children) {
      functions::ArgumentInfo info;
      info.type = child->type;
      if (child->kind == BoundExpressionKind::kConstant && !child->constant.is_null() &&
          child->type.id() == TypeId::kVarchar) {
        info.literal_text = child->constant.string();
      }
      arguments.push_back(info);
    }
    Result<functions::ResolvedFunction> resolved = functions::FunctionRegistry::BuiltIn().Resolve(
        expr.name, functions::FunctionKind::kScalar, arguments);
    if (!resolved.ok()) {
      return Status::Error(ErrorCode::kNotSupported, "function {}({}) has no kernel: {} in `{}`",
                           expr.name, TypeList(expr), resolved.status().message(), expr.ToString());
    }
    bool foldable = resolved->deterministic;
    LAMINAR_ASSIGN_OR_RETURN(auto children, CompileChildren(expr, &foldable));
    LAMINAR_ASSIGN_OR_RETURN(NodePtr node, CompileFunction(expr, *resolved, std::move(children)));
    return Compiled{std::move(node), foldable};
  }

  Result<NodePtr> CompileFunction(const BoundExpression& expr,
                                  const functions::ResolvedFunction& function,
                                  std::vector<NodePtr> children) {
    const auto& args = expr.children;
    auto arg_type = [&](size_t i) { return args[i]->type.id(); };
    auto unsupported = [&]() {
      return NotSupported(expr, "function " + expr.name + "(" + TypeList(expr) + ")");
    };
    switch (function.id) {
      case FunctionId::kAdd:
      case FunctionId::kSubtract:
        if (auto node = CompileTemporalArithmetic(expr, function.id, &children)) {
          return std::move(*node);
        }
        [[fallthrough]];
      case FunctionId::kMultiply:
      case FunctionId::kDivide:
      case FunctionId::kModulo:
        if (args.size() == 2 && function.id != FunctionId::kModulo &&
            (arg_type(0) == TypeId::kInterval || arg_type(1) == TypeId::kInterval)) {
          return CompileIntervalScaling(expr, function.id, std::move(children));
        }
        if (args.size() != 2 || args[0]->type.id() != args[1]->type.id()) return unsupported();
        if (arg_type(0) == TypeId::kDecimal)
          return CompileDecimalArithmetic(expr, function.id, std::move(children));
        return VisitPhysical(arg_type(0), [&](auto tag) -> Result<NodePtr> {
          using T = typename decltype(tag)::type;
          if constexpr (kIsNumeric<T>) {
            if (expr.type.id() != args[0]->type.id()) return unsupported();
            switch (function.id) {
              case FunctionId::kAdd:
                return MakeKernel<functions::AddOp, T, T, T>(expr, "+", {}, std::move(children));
              case FunctionId::kSubtract:
                return MakeKernel<functions::SubtractOp, T, T, T>(expr, "-", {},
                                                                  std::move(children));
              case FunctionId::kMultiply:
                return MakeKernel<functions::MultiplyOp, T, T, T>(expr, "*", {},
                                                                  std::move(children));
              case FunctionId::kDivide:
                return MakeKernel<functions::DivideOp, T, T, T>(expr, "/", {}, std::move(children));
              default:
                return MakeKernel<functions::ModuloOp, T, T, T>(expr, "%", {}, std::move(children));
            }
          }
          return unsupported();
        });
      case FunctionId::kNegate:
        return VisitPhysical(arg_type(0), [&](auto tag) -> Result<NodePtr> {
          using T = typename decltype(tag)::type;
          if constexpr (kIsNumeric<T>) {
            return MakeKernel<functions::NegateOp, T, T>(expr, "negate", {}, std::move(children));
          } else if constexpr (std::is_same_v<T, Decimal128>) {
            return MakeKernel<functions::DecimalNegateOp, T, T>(expr, "negate", {},
                                                                std::move(children));
          } else if constexpr (std::is_same_v<T, Interval>) {
            return MakeKernel<functions::IntervalNegateOp, T, T>(expr, "negate", {},
                                                                 std::move(children));
          }
          return unsupported();
        });
      case FunctionId::kEqual:
        return CompileComparison<functions::Comparison::kEqual>(expr, std::move(children));
      case FunctionId::kNotEqual:
        return CompileComparison<functions::Comparison::kNotEqual>(expr, std::move(children));
      case FunctionId::kLess:
        return CompileComparison<functions::Comparison::kLess>(expr, std::move(children));
      case FunctionId::kLessEqual:
        return CompileComparison<functions::Comparison::kLessEqual>(expr, std::move(children));
      case FunctionId::kGreater:
        return CompileComparison<functions::Comparison::kGreater>(expr, std::move(children));
      case FunctionId::kGreaterEqual:
        return CompileComparison<functions::Comparison::kGreaterEqual>(expr, std::move(children));
      case FunctionId::kIsDistinctFrom:
      case FunctionId::kIsNotDistinctFrom: {
        if (args[0]->type != args[1]->type) return unsupported();
        bool distinct = function.id == FunctionId::kIsDistinctFrom;
        return VisitPhysical(arg_type(0), [&](auto tag) -> Result<NodePtr> {
          using T = typename decltype(tag)::type;
          return NodePtr(new DistinctNode<T>(distinct, expr.ToString(), std::move(children[0]),
                                             std::move(children[1])));
        });
      }
      case FunctionId::kStringConcat:
        // VARCHAR || VARCHAR or BYTEA || BYTEA: the same bytes either way.
        if (arg_type(0) != arg_type(1) ||
            (arg_type(0) != TypeId::kVarchar && arg_type(0) != TypeId::kBytea)) {
          return unsupported();
        }
        return MakeKernel<StringConcatOp, StringResult, std::string_view, std::string_view>(
            expr, "||", {}, std::move(children));
      case FunctionId::kConcat:
        return CompileConcat(expr, std::move(children));
      case FunctionId::kLower:
      case FunctionId::kUpper:
        if (arg_type(0) != TypeId::kVarchar) return unsupported();
        return MakeKernel<CaseMapOp, StringResult, std::string_view>(
            expr, expr.name, CaseMapOp{function.id == FunctionId::kUpper}, std::move(children));
      case FunctionId::kCharLength:
        return MakeKernel<CharLengthOp, int64_t, std::string_view>(expr, expr.name, {},
                                                                   std::move(children));
      case FunctionId::kOctetLength:
        return MakeKernel<OctetLengthOp, int64_t, std::string_view>(expr, expr.name, {},
                                                                    std::move(children));
      case FunctionId::kSubstring:
        if (args.size() == 2) {
          return MakeKernel<SubstringOp, StringResult, std::string_view, int64_t>(
              expr, "substring", {}, std::move(children));
        }
        return MakeKernel<SubstringOp, StringResult, std::string_view, int64_t, int64_t>(
            expr, "substring", {}, std::move(children));
      case FunctionId::kSplitPart:
        return MakeKernel<SplitPartOp, StringResult, std::string_view, std::string_view, int64_t>(
            expr, "split_part", {}, std::move(children));
      case FunctionId::kCountChar:
        return MakeKernel<CountCharOp, int64_t, std::string_view, std::string_view>(
            expr, "count_char", {}, std::move(children));
      case FunctionId::kLike:
      case FunctionId::kIlike: {
        LikeOp op{function.id == FunctionId::kIlike};
        if (args.size() == 2) {
          return MakeKernel<LikeOp, bool, std::string_view, std::string_view>(expr, expr.name, op,
                                                                              std::move(children));
        }
        return MakeKernel<LikeOp, bool, std::string_view, std::string_view, std::string_view>(
            expr, expr.name, op, std::move(children));
      }
      case FunctionId::kCoalesce:
        for (const auto& arg : args) {
          if (arg->type != expr.type && arg->type.id() != TypeId::kNull) return unsupported();
        }
        return NodePtr(new CoalesceNode(expr.type, expr.ToString(), std::move(children)));
      case FunctionId::kNullIf:
        return CompileNullIf(expr);
      case FunctionId::kYear:
      case FunctionId::kQuarter:
      case FunctionId::kMonth:
      case FunctionId::kWeek:
      case FunctionId::kDay:
      case FunctionId::kDayOfWeek:
      case FunctionId::kDayOfYear:
      case FunctionId::kHour:
      case FunctionId::kMinute:
      case FunctionId::kSecond: {
        using functions::TemporalField;
        TemporalField field = TemporalField::kSecond;
        switch (function.id) {
          case FunctionId::kYear:
            field = TemporalField::kYear;
            break;
          case FunctionId::kQuarter:
            field = TemporalField::kQuarter;
            break;
          case FunctionId::kMonth:
            field = TemporalField::kMonth;
            break;
          case FunctionId::kWeek:
            field = TemporalField::kWeek;
            break;
          case FunctionId::kDay:
            field = TemporalField::kDay;
            break;
          case FunctionId::kDayOfWeek:
            field = TemporalField::kDayOfWeekFromOne;
            break;
          case FunctionId::kDayOfYear:
            field = TemporalField::kDayOfYear;
            break;
          case FunctionId::kHour:
            field = TemporalField::kHour;
            break;
          case FunctionId::kMinute:
            field = TemporalField::kMinute;
            break;
          default:
            break;
        }
        if (arg_type(0) != TypeId::kTimestamp && arg_type(0) != TypeId::kTimestampTz) {
          return unsupported();
        }
        return MakeKernel<functions::ExtractFieldOp, int64_t, int64_t>(
            expr, expr.name, functions::ExtractFieldOp{field}, std::move(children));
      }
      case FunctionId::kDatePart:
      case FunctionId::kDateTrunc:
        return CompileDatePartOrTrunc(expr, function.id, std::move(children));
      case FunctionId::kToChar:
      case FunctionId::kDateFormat:
      case FunctionId::kToTimestamp:
      case FunctionId::kToDate:
        return CompileTemplateFunction(expr, function.id, std::move(children));
      case FunctionId::kNow:
      case FunctionId::kCurrentDate:
      case FunctionId::kProctime:
        reads_clock_ = true;
        return NodePtr(new ClockNode(expr.type, expr.ToString(), expr.name));
      case FunctionId::kPower:
        if (arg_type(0) != TypeId::kDouble || arg_type(1) != TypeId::kDouble) return unsupported();
        return MakeKernel<functions::PowerOp, double, double, double>(expr, "power", {},
                                                                      std::move(children));
      case FunctionId::kAbs:
      case FunctionId::kSign:
        return VisitPhysical(arg_type(0), [&](auto tag) -> Result<NodePtr> {
          using T = typename decltype(tag)::type;
          bool abs = function.id == FunctionId::kAbs;
          if constexpr (kIsNumeric<T> || std::is_same_v<T, Decimal128>) {
            if (abs)
              return MakeKernel<functions::AbsOp, T, T>(expr, "abs", {}, std::move(children));
            if constexpr (std::is_same_v<T, Decimal128>) {
              return MakeKernel<functions::DecimalSignOp, T, T>(expr, "sign", {},
                                                                std::move(children));
            } else {
              return MakeKernel<functions::SignOp, T, T>(expr, "sign", {}, std::move(children));
            }
          }
          return unsupported();
        });
      case FunctionId::kRound:
      case FunctionId::kFloor:
      case FunctionId::kCeil:
      case FunctionId::kTrunc:
        return CompileRounding(expr, function.id, std::move(children));
      case FunctionId::kSqrt:
      case FunctionId::kExp:
      case FunctionId::kLn:
      case FunctionId::kLog10: {
        if (arg_type(0) != TypeId::kDouble) return unsupported();
        functions::MathFunction math =
            function.id == FunctionId::kSqrt  ? functions::MathFunction::kSqrt
            : function.id == FunctionId::kExp ? functions::MathFunction::kExp
            : function.id == FunctionId::kLn  ? functions::MathFunction::kLn
                                              : functions::MathFunction::kLog10;
        return MakeKernel<functions::MathOp, double, double>(
            expr, expr.name, functions::MathOp{math}, std::move(children));
      }
      case FunctionId::kLog:
        if (arg_type(0) != TypeId::kDouble || arg_type(1) != TypeId::kDouble) return unsupported();
        return MakeKernel<functions::LogBaseOp, double, double, double>(expr, "log", {},
                                                                        std::move(children));
      case FunctionId::kReverse:
        return MakeKernel<ReverseOp, StringResult, std::string_view>(expr, "reverse", {},
                                                                     std::move(children));
      case FunctionId::kReplace:
        return MakeKernel<ReplaceOp, StringResult, std::string_view, std::string_view,
                          std::string_view>(expr, "replace", {}, std::move(children));
      case FunctionId::kTrim:
      case FunctionId::kLtrim:
      case FunctionId::kRtrim: {
        TrimOp op{function.id != FunctionId::kRtrim, function.id != FunctionId::kLtrim};
        if (args.size() == 1) {
          return MakeKernel<TrimOp, StringResult, std::string_view>(expr, expr.name, op,
                                                                    std::move(children));
        }
        return MakeKernel<TrimOp, StringResult, std::string_view, std::string_view>(
            expr, expr.name, op, std::move(children));
      }
      case FunctionId::kPosition:
      case FunctionId::kStrpos:
        return MakeKernel<PositionOp, int64_t, std::string_view, std::string_view>(
            expr, expr.name, PositionOp{function.id == FunctionId::kPosition}, std::move(children));
      case FunctionId::kStartsWith:
      case FunctionId::kEndsWith:
        return MakeKernel<AffixOp, bool, std::string_view, std::string_view>(
            expr, expr.name, AffixOp{function.id == FunctionId::kEndsWith}, std::move(children));
      case FunctionId::kLeft:
      case FunctionId::kRight:
        return MakeKernel<TakeCharactersOp, StringResult, std::string_view, int64_t>(
            expr, expr.name, TakeCharactersOp{function.id == FunctionId::kRight},
            std::move(children));
      case FunctionId::kLpad:
      case FunctionId::kRpad: {
        PadOp op{function.id == FunctionId::kLpad};
        if (args.size() == 2) {
          return MakeKernel<PadOp, StringResult, std::string_view, int64_t>(expr, expr.name, op,
                                                                            std::move(children));
        }
        return MakeKernel<PadOp, StringResult, std::string_view, int64_t, std::string_view>(
            expr, expr.name, op, std::move(children));
      }
      case FunctionId::kConcatWs:
        return CompileConcatWs(expr);
      case FunctionId::kRegexpExtract:
      case FunctionId::kRegexpLike:
      case FunctionId::kRegexpReplace:
        return MakeRegexNode(expr, function.id, std::move(children));
      case FunctionId::kGreatest:
      case FunctionId::kLeast: {
        if (expr.type.id() == TypeId::kNull) {
          return ConstantNode::Make(Value::Null(expr.type), expr.type, expr.ToString());
        }
        for (const auto& arg : args) {
          if (arg->type != expr.type && arg->type.id() != TypeId::kNull) return unsupported();
        }
        bool greatest = function.id == FunctionId::kGreatest;
        return VisitPhysical(expr.type.id(), [&](auto tag) -> Result<NodePtr> {
          using T = typename decltype(tag)::type;
          return NodePtr(
              new ExtremumNode<T>(greatest, expr.type, expr.ToString(), std::move(children)));
        });
      }
      case FunctionId::kIf: {
        // if(c, a, b) is CASE WHEN c THEN a ELSE b END: each branch sees only its rows.
        if (args[1]->type != expr.type || args[2]->type != expr.type) return unsupported();
        std::vector<NodePtr> conditions;
        std::vector<NodePtr> results;
        conditions.push_back(std::move(children[0]));
        results.push_back(std::move(children[1]));
        return NodePtr(new CaseNode(expr.type, expr.ToString(), std::move(conditions),
                                    std::move(results), std::move(children[2])));
      }
      case FunctionId::kTumble:
      case FunctionId::kTumbleStart:
      case FunctionId::kTumbleEnd:
      case FunctionId::kHop:
      case FunctionId::kHopStart:
      case FunctionId::kHopEnd:
      case FunctionId::kSession:
      case FunctionId::kSessionStart:
      case FunctionId::kSessionEnd:
      case FunctionId::kCumulate:
      case FunctionId::kCumulateStart:
      case FunctionId::kCumulateEnd:
        return NotSupported(expr, "the window assignment function " + expr.name +
                                      "() (the binder plans it as a window of GROUP BY; it has "
                                      "no per-row value)");
      default:
        return unsupported();
    }
  }

 public:
  /// Whether a compiled node reads the clock (now(), current_date, proctime()).
  bool reads_clock() const { return reads_clock_; }

 private:
  template <functions::Comparison kComparison>
  Result<NodePtr> CompileComparison(const BoundExpression& expr, std::vector<NodePtr> children) {
    const DataType& left = expr.children[0]->type;
    const DataType& right = expr.children[1]->type;
    if (left != right) {
      return NotSupported(expr, "comparison of " + left.ToString() + " with " + right.ToString());
    }
    return VisitPhysical(left.id(), [&](auto tag) -> Result<NodePtr> {
      using T = typename decltype(tag)::type;
      return MakeKernel<functions::CompareOp<kComparison>, bool, T, T>(expr, expr.name, {},
                                                                       std::move(children));
    });
  }

  Result<NodePtr> CompileDecimalArithmetic(const BoundExpression& expr, FunctionId id,
                                           std::vector<NodePtr> children) {
    const DataType& left = expr.children[0]->type;
    const DataType& right = expr.children[1]->type;
    const DataType& result = expr.type;
    if (result.id() != TypeId::kDecimal) return NotSupported(expr, "DECIMAL arithmetic");
    int s1 = left.scale();
    int s2 = right.scale();
    int s = result.scale();
    functions::DecimalScales scales;
    scales.result_limit = functions::DecimalPowerOfTen(result.precision());
    auto exact_to_result = [&](int exact) -> bool {
      if (exact < s) return false;
      scales.result_divisor = functions::DecimalPowerOfTen(exact - s);
      return true;
    };
    switch (id) {
      case FunctionId::kAdd:
      case FunctionId::kSubtract:
      case FunctionId::kModulo: {
        int exact = std::max(s1, s2);
        scales.left_multiplier = functions::DecimalPowerOfTen(exact - s1);
        scales.right_multiplier = functions::DecimalPowerOfTen(exact - s2);
        if (!exact_to_result(exact)) return NotSupported(expr, "this DECIMAL result scale");
        if (id == FunctionId::kModulo) {
          return MakeKernel<functions::DecimalModuloOp, Decimal128, Decimal128, Decimal128>(
              expr, "%", {scales}, std::move(children));
        }
        return MakeKernel<functions::DecimalAddOp, Decimal128, Decimal128, Decimal128>(
            expr, id == FunctionId::kAdd ? "+" : "-",
            functions::DecimalAddOp{scales, id == FunctionId::kSubtract}, std::move(children));
      }
      case FunctionId::kMultiply:
        if (!exact_to_result(s1 + s2)) return NotSupported(expr, "this DECIMAL result scale");
        return MakeKernel<functions::DecimalMultiplyOp, Decimal128, Decimal128, Decimal128>(
            expr, "*", {scales}, std::move(children));
      case FunctionId::kDivide: {
        int shift = s - s1 + s2;
        if (shift > 38 || shift < -38) return NotSupported(expr, "this DECIMAL division scale");
        if (shift >= 0) {
          scales.left_multiplier = functions::DecimalPowerOfTen(shift);
        } else {
          scales.right_multiplier = functions::DecimalPowerOfTen(-shift);
        }
        return MakeKernel<functions::DecimalDivideOp, Decimal128, Decimal128, Decimal128>(
            expr, "/", {scales}, std::move(children));
      }
      default:
        return NotSupported(expr, "this DECIMAL operator");
    }
  }

  /// Date and time arithmetic, or nullopt when the operands are not temporal.
  std::optional<Result<NodePtr>> CompileTemporalArithmetic(const BoundExpression& expr,
                                                           FunctionId id,
                                                           std::vector<NodePtr>* children) {
    if (expr.children.size() != 2) return std::nullopt;
    TypeId a = expr.children[0]->type.id();
    TypeId b = expr.children[1]->type.id();
    bool subtract = id == FunctionId::kSubtract;
    auto is_time = [](TypeId t) { return t == TypeId::kTimestamp || t == TypeId::kTimestampTz; };
    if (is_time(a) && b == TypeId::kInterval) {
      return MakeKernel<functions::TimestampAddIntervalOp, int64_t, int64_t, Interval>(
          expr, subtract ? "-" : "+", functions::TimestampAddIntervalOp{subtract},
          std::move(*children));
    }
    if (a == TypeId::kInterval && is_time(b) && !subtract) {
      return MakeKernel<functions::TimestampAddIntervalOp, int64_t, Interval, int64_t>(
          expr, "+", functions::TimestampAddIntervalOp{false}, std::move(*children));
    }
    if (a == TypeId::kDate && b == TypeId::kInteger) {
      return MakeKernel<DateAddDaysOp, int32_t, int32_t, int32_t>(
          expr, subtract ? "-" : "+", DateAddDaysOp{subtract}, std::move(*children));
    }
    if (a == TypeId::kInteger && b == TypeId::kDate && !subtract) {
      // integer + date: swap the operands.
      std::swap((*children)[0], (*children)[1]);
      return MakeKernel<DateAddDaysOp, int32_t, int32_t, int32_t>(expr, "+", DateAddDaysOp{},
                                                                  std::move(*children));
    }
    if (a == TypeId::kDate && b == TypeId::kDate && subtract) {
      return MakeKernel<DateDifferenceOp, int32_t, int32_t, int32_t>(expr, "-", {},
                                                                     std::move(*children));
    }
    if (is_time(a) && is_time(b) && subtract) {
      return MakeKernel<functions::TimestampDifferenceOp, Interval, int64_t, int64_t>(
          expr, "-", {}, std::move(*children));
    }
    if (a == TypeId::kDate && b == TypeId::kInterval) {
      return MakeKernel<functions::DateAddIntervalOp, int64_t, int32_t, Interval>(
          expr, subtract ? "-" : "+", functions::DateAddIntervalOp{subtract}, std::move(*children));
    }
    if (a == TypeId::kInterval && b == TypeId::kDate && !subtract) {
      return MakeKernel<functions::DateAddIntervalOp, int64_t, Interval, int32_t>(
          expr, "+", functions::DateAddIntervalOp{false}, std::move(*children));
    }
    if (a == TypeId::kInterval && b == TypeId::kInterval) {
      return MakeKernel<IntervalAddOp, Interval, Interval, Interval>(
          expr, subtract ? "-" : "+", IntervalAddOp{subtract}, std::move(*children));
    }
    if (a == TypeId::kDate || b == TypeId::kDate || is_time(a) || is_time(b) ||
        a == TypeId::kInterval || b == TypeId::kInterval) {
      return Result<NodePtr>(
          NotSupported(expr, "this date/time arithmetic (" + TypeList(expr) + ")"));
    }
    return std::nullopt;
  }

  Result<NodePtr> CompileDatePartOrTrunc(const BoundExpression& expr, FunctionId id,
                                         std::vector<NodePtr> children) {
    using functions::TemporalField;
    const BoundExpression& unit_expr = *expr.children[0];
    TypeId time = expr.children[1]->type.id();
    bool is_interval = time == TypeId::kInterval;
    if (!is_interval && time != TypeId::kTimestamp && time != TypeId::kTimestampTz) {
      return NotSupported(expr, expr.name + " of " + expr.children[1]->type.ToString());
    }
    bool trunc = id == FunctionId::kDateTrunc;
    if (unit_expr.kind != BoundExpressionKind::kConstant || unit_expr.constant.is_null()) {
      // The unit is parsed per row; date_part then returns DOUBLE.
      if (trunc) {
        if (is_interval) {
          return MakeKernel<DateTruncDynamicOp, Interval, std::string_view, Interval>(
              expr, "date_trunc", {}, std::move(children));
        }
        return MakeKernel<DateTruncDynamicOp, int64_t, std::string_view, int64_t>(
            expr, "date_trunc", {}, std::move(children));
      }
      if (expr.type.id() != TypeId::kDouble) return NotSupported(expr, "date_part of this type");
      if (is_interval) {
        return MakeKernel<functions::DatePartDoubleOp, double, std::string_view, Interval>(
            expr, "date_part", {}, std::move(children));
      }
      return MakeKernel<functions::DatePartDoubleOp, double, std::string_view, int64_t>(
          expr, "date_part", {}, std::move(children));
    }
    std::optional<TemporalField> field = functions::ParseTemporalField(unit_expr.constant.string());
    if (!field) {
      return NotSupported(expr,
                          expr.name + " unit '" + std::string(unit_expr.constant.string()) + "'");
    }
    std::string unit(functions::TemporalFieldName(*field));
    // The kernels take only the value: drop the unit child.
    std::vector<NodePtr> value_only;
    value_only.push_back(std::move(children[1]));
    std::string name = expr.name + "('" + unit + "')";
    if (trunc) {
      if (!functions::IsTruncationField(*field)) {
        return NotSupported(expr, "date_trunc unit '" + unit + "'");
      }
      if (is_interval) {
        if (*field == TemporalField::kWeek) {
          return NotSupported(expr,
                              "date_trunc('week') of an INTERVAL (months have no whole "
                              "number of weeks)");
        }
        return MakeKernel<functions::IntervalTruncOp, Interval, Interval>(
            expr, name, functions::IntervalTruncOp{*field}, std::move(value_only));
      }
      return MakeKernel<functions::DateTruncOp, int64_t, int64_t>(
          expr, name, functions::DateTruncOp{*field}, std::move(value_only));
    }
    bool decimal = *field == TemporalField::kSecond || *field == TemporalField::kMillisecond ||
                   *field == TemporalField::kEpoch;
    int scale = *field == TemporalField::kMillisecond ? 3 : 6;
    if (decimal ? (expr.type.id() != TypeId::kDecimal || expr.type.scale() != scale)
                : expr.type.id() != TypeId::kBigInt) {
      return NotSupported(expr, "date_part('" + unit + "') of type " + expr.type.ToString());
    }
    if (is_interval) {
      if (!functions::IsIntervalField(*field)) {
        return NotSupported(expr, "date_part('" + unit + "') of an INTERVAL");
      }
      if (decimal) {
        return MakeKernel<functions::ExtractIntervalDecimalFieldOp, Decimal128, Interval>(
            expr, name, functions::ExtractIntervalDecimalFieldOp{*field}, std::move(value_only));
      }
      return MakeKernel<functions::ExtractIntervalFieldOp, int64_t, Interval>(
          expr, name, functions::ExtractIntervalFieldOp{*field}, std::move(value_only));
    }
    if (*field == TemporalField::kTimezone && time == TypeId::kTimestamp) {
      return NotSupported(expr, "date_part('timezone') of a TIMESTAMP without time zone");
    }
    if (decimal) {
      return MakeKernel<functions::ExtractDecimalFieldOp, Decimal128, int64_t>(
          expr, name, functions::ExtractDecimalFieldOp{*field}, std::move(value_only));
    }
    return MakeKernel<functions::ExtractFieldOp, int64_t, int64_t>(
        expr, name, functions::ExtractFieldOp{*field}, std::move(value_only));
  }

  /// to_char, date_format, to_timestamp and to_date. A literal template is compiled here, and
  /// one that cannot work (an unknown Java letter, a field to_timestamp cannot read, a name in
  /// an interval's template) is an error now rather than at the first row.
  Result<NodePtr> CompileTemplateFunction(const BoundExpression& expr, FunctionId id,
                                          std::vector<NodePtr> children) {
    const auto& args = expr.children;
    if (id == FunctionId::kToTimestamp && args.size() == 1) {
      if (args[0]->type.id() != TypeId::kDouble) {
        return NotSupported(expr, "to_timestamp of " + args[0]->type.ToString());
      }
      return MakeKernel<functions::EpochSecondsToTimestampOp, int64_t, double>(
          expr, "to_timestamp", {}, std::move(children));
    }
    if (args.size() != 2 || args[1]->type.id() != TypeId::kVarchar) {
      return NotSupported(expr, "function " + expr.name + "(" + TypeList(expr) + ")");
    }
    std::shared_ptr<const functions::DateTimeTemplate> format;
    const BoundExpression& pattern = *args[1];
    if (pattern.kind == BoundExpressionKind::kConstant && !pattern.constant.is_null()) {
      std::string_view text = pattern.constant.string();
      if (id == FunctionId::kDateFormat) {
        Result<functions::DateTimeTemplate> compiled = functions::CompileJavaPattern(text);
        if (!compiled.ok()) {
          return Status::Error(compiled.status().code(), "{} in expression `{}`",
                               compiled.status().message(), expr.ToString());
        }
        format = std::make_shared<const functions::DateTimeTemplate>(std::move(*compiled));
      } else {
        format = std::make_shared<const functions::DateTimeTemplate>(
            functions::CompilePostgresTemplate(text));
      }
      bool interval = args[0]->type.id() == TypeId::kInterval;
      if (interval && !functions::CanFormatInterval(*format)) {
        return Status::Error(ErrorCode::kInvalidArgument,
                             "template '{}' has fields an INTERVAL does not have (only years, "
                             "months, days, hours, minutes, seconds and fractions) in expression "
                             "`{}`",
                             text, expr.ToString());
      }
      if ((id == FunctionId::kToTimestamp || id == FunctionId::kToDate) &&
          !functions::CanParse(*format)) {
        return Status::Error(ErrorCode::kInvalidArgument,
                             "{} cannot read template '{}' (weeks, days of the week, centuries, "
                             "ISO years and time zones are for output only) in expression `{}`",
                             expr.name, text, expr.ToString());
      }
    }
    TypeId value = args[0]->type.id();
    if (id == FunctionId::kToTimestamp || id == FunctionId::kToDate) {
      if (value != TypeId::kVarchar) {
        return NotSupported(expr, "function " + expr.name + "(" + TypeList(expr) + ")");
      }
      if (id == FunctionId::kToDate) {
        return MakeKernel<ParseTemplateOp, int32_t, std::string_view, std::string_view>(
            expr, expr.name, ParseTemplateOp{format}, std::move(children));
      }
      return MakeKernel<ParseTemplateOp, int64_t, std::string_view, std::string_view>(
          expr, expr.name, ParseTemplateOp{format}, std::move(children));
    }
    FormatTemplateOp op{format, id == FunctionId::kDateFormat, value == TypeId::kTimestampTz};
    if (value == TypeId::kInterval && id == FunctionId::kToChar) {
      return MakeKernel<FormatTemplateOp, StringResult, Interval, std::string_view>(
          expr, expr.name, op, std::move(children));
    }
    if (value != TypeId::kTimestamp && value != TypeId::kTimestampTz) {
      return NotSupported(expr, "function " + expr.name + "(" + TypeList(expr) + ")");
    }
    return MakeKernel<FormatTemplateOp, StringResult, int64_t, std::string_view>(
        expr, expr.name, op, std::move(children));
  }

  /// round, floor, ceil and trunc. Integers are already integral (the registry gives BIGINT
  /// for BIGINT), so their call is the argument itself.
  Result<NodePtr> CompileRounding(const BoundExpression& expr, FunctionId id,
                                  std::vector<NodePtr> children) {
    using functions::Rounding;
    const DataType& argument = expr.children[0]->type;
    bool with_digits = expr.children.size() == 2;
    Rounding rounding =
        id == FunctionId::kFloor  ? Rounding::kFloor
        : id == FunctionId::kCeil ? Rounding::kCeil
        : id == FunctionId::kTrunc
            ? Rounding::kTruncate
            : (with_digits || argument.id() == TypeId::kDecimal ? Rounding::kHalfAwayFromZero
                                                                : Rounding::kHalfEven);
    auto unsupported = [&]() {
      return NotSupported(expr, "function " + expr.name + "(" + TypeList(expr) + ")");
    };
    if (with_digits) {
      if (expr.children[1]->type.id() != TypeId::kInteger) return unsupported();
      if (argument.id() == TypeId::kDouble && expr.type.id() == TypeId::kDouble) {
        return MakeKernel<functions::FloatRoundDigitsOp, double, double, int32_t>(
            expr, expr.name, functions::FloatRoundDigitsOp{rounding}, std::move(children));
      }
      if (argument.id() == TypeId::kDecimal && expr.type.id() == TypeId::kDecimal &&
          expr.type.scale() == argument.scale()) {
        functions::DecimalRoundDigitsOp op{
            argument.scale(), functions::DecimalPowerOfTen(expr.type.precision()), rounding};
        return MakeKernel<functions::DecimalRoundDigitsOp, Decimal128, Decimal128, int32_t>(
            expr, expr.name, op, std::move(children));
      }
      return unsupported();
    }
    if (argument.IsInteger() && expr.type == argument) return std::move(children[0]);
    if (argument.id() == TypeId::kDecimal && expr.type.id() == TypeId::kDecimal &&
        expr.type.scale() == 0) {
      functions::DecimalRoundOp op{functions::DecimalPowerOfTen(argument.scale()),
                                   functions::DecimalPowerOfTen(expr.type.precision()), rounding};
      return MakeKernel<functions::DecimalRoundOp, Decimal128, Decimal128>(expr, expr.name, op,
                                                                           std::move(children));
    }
    if (argument.id() == TypeId::kDouble && expr.type == argument) {
      return MakeKernel<functions::FloatRoundOp, double, double>(
          expr, expr.name, functions::FloatRoundOp{rounding}, std::move(children));
    }
    if (argument.id() == TypeId::kReal && expr.type == argument) {
      return MakeKernel<functions::FloatRoundOp, float, float>(
          expr, expr.name, functions::FloatRoundOp{rounding}, std::move(children));
    }
    return unsupported();
  }

  /// interval * double, double * interval, interval / double.
  Result<NodePtr> CompileIntervalScaling(const BoundExpression& expr, FunctionId id,
                                         std::vector<NodePtr> children) {
    TypeId a = expr.children[0]->type.id();
    TypeId b = expr.children[1]->type.id();
    bool divide = id == FunctionId::kDivide;
    functions::IntervalMultiplyOp op{divide};
    if (a == TypeId::kInterval && b == TypeId::kDouble) {
      return MakeKernel<functions::IntervalMultiplyOp, Interval, Interval, double>(
          expr, divide ? "/" : "*", op, std::move(children));
    }
    if (a == TypeId::kDouble && b == TypeId::kInterval && !divide) {
      return MakeKernel<functions::IntervalMultiplyOp, Interval, double, Interval>(
          expr, "*", op, std::move(children));
    }
    return NotSupported(expr, "this interval arithmetic (" + TypeList(expr) + ")");
  }

  /// concat_ws(separator, a, ...): the arguments converted to text like concat's.
  Result<NodePtr> CompileConcatWs(const BoundExpression& expr) {
    LAMINAR_ASSIGN_OR_RETURN(Compiled separator, Compile(*expr.children[0]));
    std::vector<NodePtr> texts;
    for (size_t i = 1; i < expr.children.size(); ++i) {
      const sql::BoundExprPtr& arg = expr.children[i];
      if (arg->type.id() == TypeId::kNull) continue;  // Always skipped.
      sql::BoundExprPtr text = arg;
      if (arg->type.id() != TypeId::kVarchar) text = sql::MakeCast(arg, DataType::Varchar());
      LAMINAR_ASSIGN_OR_RETURN(Compiled compiled, Compile(*text));
      texts.push_back(std::move(compiled.node));
    }
    if (expr.children[0]->type.id() == TypeId::kNull) {
      return ConstantNode::Make(Value::Null(DataType::Varchar()), DataType::Varchar(),
                                expr.ToString());
    }
    if (expr.children[0]->type.id() != TypeId::kVarchar) {
      return NotSupported(
          expr, "concat_ws with a separator of type " + expr.children[0]->type.ToString());
    }
    return NodePtr(new ConcatWsNode(expr.ToString(), std::move(separator.node), std::move(texts)));
  }

  /// concat(a, b, ...): NULLs count as '' and non-strings are converted to text. Built from
  /// || over coalesce(CAST(arg AS VARCHAR), '').
  Result<NodePtr> CompileConcat(const BoundExpression& expr, std::vector<NodePtr> /*unused*/) {
    sql::BoundExprPtr result;
    for (const auto& arg : expr.children) {
      sql::BoundExprPtr text = arg;
      if (arg->type.id() != TypeId::kVarchar) {
        if (arg->type.id() == TypeId::kNull) continue;
        text = sql::MakeCast(arg, DataType::Varchar());
      }
      sql::BoundExprPtr piece = sql::MakeCall("coalesce", DataType::Varchar(),
                                              {text, sql::MakeConstant(Value::Varchar(""))});
      result = result ? sql::MakeCall("||", DataType::Varchar(), {result, piece}) : piece;
    }
    if (!result) result = sql::MakeConstant(Value::Varchar(""));
    LAMINAR_ASSIGN_OR_RETURN(Compiled compiled, Compile(*result));
    return std::move(compiled.node);
  }

  /// NULLIF(a, b) is CASE WHEN a = b THEN NULL ELSE a END.
  Result<NodePtr> CompileNullIf(const BoundExpression& expr) {
    const auto& a = expr.children[0];
    const auto& b = expr.children[1];
    if (a->type != b->type) return NotSupported(expr, "NULLIF of different types");
    sql::BoundExprPtr rewritten = std::make_shared<const BoundExpression>([&] {
      BoundExpression node;
      node.kind = BoundExpressionKind::kCase;
      node.type = expr.type;
      node.has_else = true;
      node.children = {sql::MakeCall("=", DataType::Boolean(), {a, b}),
                       sql::MakeConstant(Value::Null(expr.type)), a};
      return node;
    }());
    LAMINAR_ASSIGN_OR_RETURN(Compiled compiled, CompileUnfolded(*rewritten));
    return std::move(compiled.node);
  }

  Result<NodePtr> CompileCast(const BoundExpression& expr, NodePtr child) {
    const DataType& from = expr.children[0]->type;
    const DataType& to = expr.type;
    ErrorCode invalid = ErrorCode::kInvalidCast;
    bool try_cast = expr.try_cast;
    if (from == to) return child;
    if (from.id() == TypeId::kNull) {
      return ConstantNode::Make(Value::Null(to), to, expr.ToString());
    }
    std::vector<NodePtr> children;
    children.push_back(std::move(child));
    auto unsupported = [&]() {
      return NotSupported(expr, "CAST from " + from.ToString() + " to " + to.ToString());
    };
    auto is_time = [](TypeId t) { return t == TypeId::kTimestamp || t == TypeId::kTimestampTz; };
    // Temporal conversions.
    if (is_time(from.id()) && is_time(to.id())) {
      return MakeKernel<ReinterpretOp<int64_t>, int64_t, int64_t>(
          expr, "cast", {}, std::move(children), invalid, try_cast);
    }
    if (from.id() == TypeId::kDate && is_time(to.id())) {
      return MakeKernel<functions::DateToTimestampOp, int64_t, int32_t>(
          expr, "cast", {}, std::move(children), invalid, try_cast);
    }
    if (is_time(from.id()) && to.id() == TypeId::kDate) {
      return MakeKernel<functions::TimestampToDateOp, int32_t, int64_t>(
          expr, "cast", {}, std::move(children), invalid, try_cast);
    }
    // To text.
    if (to.id() == TypeId::kVarchar) {
      if (from.id() == TypeId::kBytea) return unsupported();
      return VisitPhysical(from.id(), [&](auto tag) -> Result<NodePtr> {
        using T = typename decltype(tag)::type;
        if constexpr (std::is_same_v<T, std::string_view>) {
          return unsupported();
        } else {
          return MakeKernel<ToTextOp<T>, StringResult, T>(expr, "cast", ToTextOp<T>{from},
                                                          std::move(children), invalid, try_cast);
        }
      });
    }
    // From text.
    if (from.id() == TypeId::kVarchar) {
      return VisitPhysical(to.id(), [&](auto tag) -> Result<NodePtr> {
        using T = typename decltype(tag)::type;
        if constexpr (std::is_same_v<T, std::string_view>) {
          return unsupported();
        } else {
          return MakeKernel<FromTextOp<T>, T, std::string_view>(
              expr, "cast", FromTextOp<T>{to}, std::move(children), invalid, try_cast);
        }
      });
    }
    // Numbers and booleans.
    bool from_number = from.IsNumeric() || from.id() == TypeId::kBoolean;
    bool to_number = to.IsNumeric() || to.id() == TypeId::kBoolean;
    if (!from_number || !to_number) return unsupported();
    if (from.id() == TypeId::kDecimal || to.id() == TypeId::kDecimal) {
      return CompileDecimalCast(expr, std::move(children));
    }
    return VisitPhysical(from.id(), [&](auto from_tag) -> Result<NodePtr> {
      using F = typename decltype(from_tag)::type;
      return VisitPhysical(to.id(), [&](auto to_tag) -> Result<NodePtr> {
        using T = typename decltype(to_tag)::type;
        if constexpr (std::is_arithmetic_v<F> && std::is_arithmetic_v<T>) {
          return MakeKernel<functions::NumericCastOp<F, T>, T, F>(
              expr, "cast", {}, std::move(children), invalid, try_cast);
        }
        return unsupported();
      });
    });
  }

  Result<NodePtr> CompileDecimalCast(const BoundExpression& expr, std::vector<NodePtr> children) {
    const DataType& from = expr.children[0]->type;
    const DataType& to = expr.type;
    bool try_cast = expr.try_cast;
    ErrorCode invalid = ErrorCode::kInvalidCast;
    auto unsupported = [&]() {
      return NotSupported(expr, "CAST from " + from.ToString() + " to " + to.ToString());
    };
    if (from.id() == TypeId::kDecimal) {
      int to_scale = to.id() == TypeId::kDecimal ? to.scale() : 0;
      functions::DecimalRescaleOp<Decimal128> rescale;
      if (to_scale >= from.scale()) {
        rescale.multiplier = functions::DecimalPowerOfTen(to_scale - from.scale());
      } else {
        rescale.divisor = functions::DecimalPowerOfTen(from.scale() - to_scale);
      }
      if (to.id() == TypeId::kDecimal) {
        rescale.limit = functions::DecimalPowerOfTen(to.precision());
        return MakeKernel<functions::DecimalRescaleOp<Decimal128>, Decimal128, Decimal128>(
            expr, "cast", rescale, std::move(children), invalid, try_cast);
      }
      return VisitPhysical(to.id(), [&](auto tag) -> Result<NodePtr> {
        using T = typename decltype(tag)::type;
        if constexpr (std::is_floating_point_v<T>) {
          functions::DecimalToFloatOp<T> op{
              static_cast<double>(functions::DecimalPowerOfTen(from.scale()))};
          return MakeKernel<functions::DecimalToFloatOp<T>, T, Decimal128>(
              expr, "cast", op, std::move(children), invalid, try_cast);
        } else if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>) {
          functions::DecimalRescaleOp<T> op{rescale.multiplier, rescale.divisor, rescale.limit};
          return MakeKernel<functions::DecimalRescaleOp<T>, T, Decimal128>(
              expr, "cast", op, std::move(children), invalid, try_cast);
        }
        return unsupported();
      });
    }
    Decimal128 limit = functions::DecimalPowerOfTen(to.precision());
    return VisitPhysical(from.id(), [&](auto tag) -> Result<NodePtr> {
      using F = typename decltype(tag)::type;
      if constexpr (std::is_floating_point_v<F>) {
        functions::FloatToDecimalOp<F> op{
            static_cast<double>(functions::DecimalPowerOfTen(to.scale())), limit};
        return MakeKernel<functions::FloatToDecimalOp<F>, Decimal128, F>(
            expr, "cast", op, std::move(children), invalid, try_cast);
      } else if constexpr (std::is_integral_v<F> && !std::is_same_v<F, bool>) {
        functions::IntegerToDecimalOp<F> op{functions::DecimalPowerOfTen(to.scale()), limit};
        return MakeKernel<functions::IntegerToDecimalOp<F>, Decimal128, F>(
            expr, "cast", op, std::move(children), invalid, try_cast);
      }
      return unsupported();
    });
  }

  bool reads_clock_ = false;
};

}  // namespace

Result<ExpressionEvaluator> ExpressionEvaluator::Make(const sql::BoundExprPtr& expression,
                                                      const EvaluatorOptions& options) {
  if (expression == nullptr) {
    return Status::Error(ErrorCode::kInvalidArgument, "no expression to evaluate");
  }
  if (options.clock == nullptr) {
    return Status::Error(ErrorCode::kInvalidArgument, "an expression evaluator needs a clock");
  }
  Compiler compiler;
  LAMINAR_ASSIGN_OR_RETURN(auto compiled, compiler.Compile(*expression));
  return ExpressionEvaluator(std::move(compiled.node),
                             compiler.reads_clock() ? options.clock : nullptr);
}

ExpressionEvaluator::ExpressionEvaluator(std::unique_ptr<const EvaluatorNode> root,
                                         const Clock* clock)
    : root_(std::move(root)), clock_(clock) {}

EvaluationInput ExpressionEvaluator::MakeInput(const Batch& batch) const {
  return EvaluationInput{batch, clock_ != nullptr ? clock_->NowMicros() : 0};
}
ExpressionEvaluator::ExpressionEvaluator(ExpressionEvaluator&&) noexcept = default;
ExpressionEvaluator& ExpressionEvaluator::operator=(ExpressionEvaluator&&) noexcept = default;
ExpressionEvaluator::~ExpressionEvaluator() = default;

const DataType& ExpressionEvaluator::type() const { return root_->type(); }

Result<Column> ExpressionEvaluator::Evaluate(const Batch& input,
                                             const SelectionVector* selection) const {
  int64_t count = selection ? selection->size() : input.num_rows();
  const uint32_t* rows = selection ? selection->data() : nullptr;
  // No row reaches the expression: nothing is evaluated, so nothing can fail.
  if (count == 0) return Column::Nulls(type(), 0);
  LAMINAR_ASSIGN_OR_RETURN(Vector result, root_->Evaluate(MakeInput(input), rows, count));
  if (!result.scalar) return std::move(result).take_column();
  // Broadcast a constant result.
  if (result.column().IsNull(0)) return Column::Nulls(type(), count);
  SelectionVector zeros(std::vector<uint32_t>(static_cast<size_t>(count), 0));
  return Take(result.column(), zeros);
}

Status ExpressionEvaluator::Filter(const Batch& input, SelectionVector* selection) const {
  if (type().id() != TypeId::kBoolean) {
    return Status::Error(ErrorCode::kInvalidArgument, "filter predicate `{}` is of type {}",
                         root_->text(), type().ToString());
  }
  if (selection->empty()) return Status::Ok();
  return root_->Filter(MakeInput(input), selection);
}

Status ExpressionEvaluator::FilterAll(const Batch& input, SelectionVector* selection) const {
  if (type().id() != TypeId::kBoolean) {
    return Status::Error(ErrorCode::kInvalidArgument, "filter predicate `{}` is of type {}",
                         root_->text(), type().ToString());
  }
  // Evaluated without a selection (no index indirection).
  const int64_t count = input.num_rows();
  selection->Clear();
  if (count == 0) return Status::Ok();
  return root_->FilterAll(MakeInput(input), count, selection);
}

Status EvaluatorNode::FilterAll(const EvaluationInput& input, int64_t count,
                                SelectionVector* selection) const {
  LAMINAR_ASSIGN_OR_RETURN(Vector result, Evaluate(input, nullptr, count));
  CollectTrueRows(result, count, selection);
  return Status::Ok();
}

void CollectTrueRows(const Vector& result, int64_t count, SelectionVector* selection) {
  selection->Resize(count);
  uint32_t* rows = selection->mutable_data();
  const Column& column = result.column();
  if (result.scalar) {
    bool keep = !column.IsNull(0) && column.BooleanValue(0);
    for (int64_t i = 0; i < count; ++i) rows[i] = static_cast<uint32_t>(i);
    selection->Resize(keep ? count : 0);
    return;
  }
  const uint8_t* values = column.values_buffer()->data();
  const uint8_t* validity = column.null_count() > 0 ? column.validity_buffer()->data() : nullptr;
  int64_t offset = column.offset();
  int64_t kept = 0;
  int64_t i = 0;
  if (offset % 8 == 0) {
    // A byte at a time: skip bytes with no TRUE row, walk the set bits of the others.
    const uint8_t* value_bytes = values + offset / 8;
    const uint8_t* validity_bytes = validity ? validity + offset / 8 : nullptr;
    for (; i + 8 <= count; i += 8) {
      unsigned byte = value_bytes[i / 8];
      if (validity_bytes) byte &= validity_bytes[i / 8];
      while (byte != 0) {
        rows[kept++] = static_cast<uint32_t>(i + __builtin_ctz(byte));
        byte &= byte - 1;
      }
    }
  }
  for (; i < count; ++i) {
    bool keep = GetBit(values, offset + i) && (validity == nullptr || GetBit(validity, offset + i));
    rows[kept] = static_cast<uint32_t>(i);
    kept += keep;
  }
  selection->Resize(kept);
}

std::string ExpressionEvaluator::Describe() const { return root_->Describe(); }

}  // namespace laminar::exec
