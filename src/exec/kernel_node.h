#pragma once

// Internal to the expression evaluator: the loops that run a scalar kernel op (see
// functions/scalar_kernels.h) over whole vectors. A KernelNode is instantiated per op, output
// type and input types at Make time; its loop reads raw arrays through typed readers, so there
// is no virtual call or type switch per row. Scalar (constant) inputs are read through readers
// specialised at compile time, so `x % 123` does not broadcast 123.

#include <array>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>

#include "columnar/buffer.h"
#include "columnar/selection_vector.h"
#include "exec/evaluator_node.h"
#include "functions/scalar_kernels.h"

namespace laminar::exec {

using functions::KernelFlags;

/// The output slot of an op producing a string: a view of the result, which either points into
/// an input or into `scratch` (reused from row to row, so no per-row allocation once warm).
struct StringResult {
  std::string_view view;
  std::string* scratch = nullptr;
};

// ----- Readers: typed access to a vector, scalar or not, decided at compile time. -----

template <typename T, bool kScalar>
struct Reader {
  Reader() = default;
  explicit Reader(const Vector& vector) : values(vector.column().Values<T>()) {
    if constexpr (kScalar) value = values[0];
  }
  // A scalar is read once, so the loop sees a loop-invariant value (e.g. a constant divisor
  // whose zero check the compiler can hoist) instead of a load that may alias the output.
  T Get(int64_t row) const {
    if constexpr (kScalar) {
      return value;
    } else {
      return values[row];
    }
  }
  const T* values = nullptr;
  T value{};
};

template <bool kScalar>
struct Reader<bool, kScalar> {
  Reader() = default;
  explicit Reader(const Vector& vector)
      : bits(vector.column().values_buffer()->data()), offset(vector.column().offset()) {}
  bool Get(int64_t row) const { return GetBit(bits, offset + (kScalar ? 0 : row)); }
  const uint8_t* bits = nullptr;
  int64_t offset = 0;
};

template <bool kScalar>
struct Reader<std::string_view, kScalar> {
  Reader() = default;
  explicit Reader(const Vector& vector)
      : offsets(vector.column().Offsets()),
        data(vector.column().data_buffer() ? vector.column().data_buffer()->data_as<char>() : "") {}
  std::string_view Get(int64_t row) const {
    int64_t index = kScalar ? 0 : row;
    return std::string_view(data + offsets[index],
                            static_cast<size_t>(offsets[index + 1] - offsets[index]));
  }
  const int32_t* offsets = nullptr;
  const char* data = nullptr;
};

// ----- Runtime-scalar typed access, for nodes that combine several vectors per row. -----

/// Reads a vector that may or may not be scalar (decided per batch, not at compile time), with
/// its validity; for nodes whose per-row work dwarfs the check.
template <typename T>
struct AnyReader {
  explicit AnyReader(const Vector& vector)
      : scalar(vector.scalar),
        all_null(vector.column().type().id() == TypeId::kNull),
        validity(!all_null && vector.column().null_count() > 0
                     ? vector.column().validity_buffer()->data()
                     : nullptr),
        offset(vector.column().offset()) {
    if (!all_null) fixed = Reader<T, false>(vector);
  }
  int64_t Index(int64_t row) const { return scalar ? 0 : row; }
  bool IsValid(int64_t row) const {
    if (all_null) return false;
    return validity == nullptr || GetBit(validity, offset + Index(row));
  }
  /// REQUIRES: IsValid(row).
  T Get(int64_t row) const { return fixed.Get(Index(row)); }

  bool scalar;
  bool all_null;
  const uint8_t* validity;
  int64_t offset;
  Reader<T, false> fixed;
};

// ----- Writers: the output buffers of one batch. -----

// Fixed-width results: the size is known, so the buffer is allocated once with its reference
// count (Buffer::Allocate) and every row is written.
template <typename T>
struct Writer {
  explicit Writer(int64_t count) {
    uint8_t* bytes = nullptr;
    values = Buffer::Allocate(static_cast<size_t>(count) * sizeof(T), &bytes);
    raw = reinterpret_cast<T*>(bytes);
  }
  T Slot() { return T{}; }
  void Set(int64_t row, const T& value) { raw[row] = value; }
  Column Finish(const DataType& type, int64_t count, std::shared_ptr<const Buffer> validity) {
    return Column(type, count, std::move(validity), std::move(values));
  }
  std::shared_ptr<const Buffer> values;
  T* raw;
};

template <>
struct Writer<bool> {
  explicit Writer(int64_t count) {
    const size_t size = static_cast<size_t>(BytesForBits(count));
    values = Buffer::Allocate(size, &raw);
    std::memset(raw, 0, size);  // Set ORs bits in.
  }
  bool Slot() { return false; }
  void Set(int64_t row, bool value) {
    raw[row >> 3] |= static_cast<uint8_t>(static_cast<unsigned>(value) << (row & 7));
  }
  Column Finish(const DataType& type, int64_t count, std::shared_ptr<const Buffer> validity) {
    return Column(type, count, std::move(validity), std::move(values));
  }
  std::shared_ptr<const Buffer> values;
  uint8_t* raw;
};

template <>
struct Writer<StringResult> {
  explicit Writer(int64_t count) {
    offsets.Reserve(static_cast<size_t>(count + 1) * sizeof(int32_t));
    offsets.AppendValue(int32_t{0});
  }
  StringResult Slot() { return StringResult{{}, &scratch}; }
  /// Rows are set in order. Data beyond 2 GiB is truncated to keep offsets valid; `overflow`
  /// records it and the node reports kNumericOverflow.
  void Set(int64_t /*row*/, const StringResult& value) {
    if (value.view.size() <= static_cast<size_t>(INT32_MAX) - data.size()) {
      data.Append(value.view.data(), value.view.size());
    } else {
      overflow = true;
    }
    offsets.AppendValue(static_cast<int32_t>(data.size()));
  }
  Column Finish(const DataType& type, int64_t count, std::shared_ptr<const Buffer> validity) {
    return Column(type, count, std::move(validity), offsets.Finish(), data.Finish());
  }
  BufferBuilder offsets;
  BufferBuilder data;
  std::string scratch;
  bool overflow = false;
};

// ----- Validity. -----

/// The validity bitmap of `count` rows that are valid where every non-scalar input is (scalar
/// inputs are known to be non-NULL here). Null when no input has NULLs.
template <size_t N>
std::shared_ptr<const Buffer> IntersectValidity(const std::array<Vector, N>& inputs,
                                                int64_t count) {
  bool any_nulls = false;
  for (const Vector& input : inputs) any_nulls |= !input.scalar && input.column().null_count() != 0;
  if (!any_nulls) return nullptr;  // The common case, without a builder to make and destroy.
  BufferBuilder bits;
  bool started = false;
  for (const Vector& input : inputs) {
    if (input.scalar || input.column().null_count() == 0) continue;
    const uint8_t* source = input.column().validity_buffer()->data();
    int64_t offset = input.column().offset();
    if (!started) {
      bits.Resize(static_cast<size_t>(BytesForBits(count)));
      uint8_t* target = bits.data();
      if ((offset & 7) == 0) {
        std::memcpy(target, source + offset / 8, static_cast<size_t>(BytesForBits(count)));
      } else {
        for (int64_t i = 0; i < count; ++i) {
          if (GetBit(source, offset + i)) SetBit(target, i);
        }
      }
      started = true;
    } else {
      uint8_t* target = bits.data();
      for (int64_t i = 0; i < count; ++i) {
        if (!GetBit(source, offset + i)) ClearBit(target, i);
      }
    }
  }
  return bits.Finish();
}

/// Builds the message of a kernel error found in row `row` of `inputs`.
/// `invalid_code` is the code of kKernelInvalidInput (kInvalidCast for casts, kInvalidArgument
/// for functions).
Status KernelError(KernelFlags flags, const std::string& text, const DataType& type,
                   ErrorCode invalid_code, const Vector* inputs, size_t input_count, int64_t row);

/// A strict scalar function: NULL in, NULL out; otherwise `op` computes the value.
/// `O` is the output physical type (StringResult for strings), `Ins` the input physical types.
/// With `null_on_error` (TRY_CAST), rows the op rejects become NULL instead of failing.
template <typename Op, typename O, typename... Ins>
class KernelNode final : public EvaluatorNode {
 public:
  static constexpr size_t kArity = sizeof...(Ins);

  KernelNode(DataType type, std::string text, std::string name, Op op,
             std::array<std::unique_ptr<const EvaluatorNode>, kArity> children,
             ErrorCode invalid_code = ErrorCode::kInvalidArgument, bool null_on_error = false)
      : EvaluatorNode(type, std::move(text)),
        name_(std::move(name)),
        op_(std::move(op)),
        children_(std::move(children)),
        invalid_code_(invalid_code),
        null_on_error_(null_on_error) {}

  Result<Vector> Evaluate(const EvaluationInput& input, const uint32_t* rows,
                          int64_t count) const override {
    std::array<Vector, kArity> inputs;
    bool all_scalar = true;
    bool null_constant = false;
    LAMINAR_RETURN_IF_ERROR(
        EvaluateInputs(input, rows, count, inputs, &all_scalar, &null_constant));
    if (null_constant) return Vector{Column::Nulls(type(), 1), true};
    if (all_scalar) count = 1;
    LAMINAR_ASSIGN_OR_RETURN(Column column, Dispatch<>(inputs, count));
    return Vector{std::move(column), all_scalar};
  }

  Status FilterAll(const EvaluationInput& input, int64_t count,
                   SelectionVector* selection) const override {
    if constexpr (!std::is_same_v<O, bool>) {
      return EvaluatorNode::FilterAll(input, count, selection);
    } else {
      std::array<Vector, kArity> inputs;
      bool all_scalar = true;
      bool null_constant = false;
      LAMINAR_RETURN_IF_ERROR(
          EvaluateInputs(input, nullptr, count, inputs, &all_scalar, &null_constant));
      if (null_constant) {
        selection->Clear();
        return Status::Ok();
      }
      if (all_scalar) {
        LAMINAR_ASSIGN_OR_RETURN(Column column, Dispatch<>(inputs, 1));
        CollectTrueRows(Vector{std::move(column), true}, count, selection);
        return Status::Ok();
      }
      return SelectDispatch<>(inputs, count, selection);
    }
  }

  std::string Describe() const override {
    std::string result = "Call(" + name_;
    for (const auto& child : children_) result += ", " + child->Describe();
    return result + ")";
  }

 private:
  // Evaluates every argument (each may fail, even after a NULL constant), noting whether all
  // are scalar and whether one is a NULL constant.
  Status EvaluateInputs(const EvaluationInput& input, const uint32_t* rows, int64_t count,
                        std::array<Vector, kArity>& inputs, bool* all_scalar,
                        bool* null_constant) const {
    for (size_t i = 0; i < kArity; ++i) {
      LAMINAR_ASSIGN_OR_RETURN(inputs[i], children_[i]->Evaluate(input, rows, count));
      *null_constant = *null_constant || (inputs[i].scalar && inputs[i].column().IsNull(0));
      *all_scalar = *all_scalar && inputs[i].scalar;
    }
    return Status::Ok();
  }

  template <bool... kScalars>
  Result<Column> Dispatch(const std::array<Vector, kArity>& inputs, int64_t count) const {
    constexpr size_t kDone = sizeof...(kScalars);
    if constexpr (kDone == kArity) {
      return Loop<kScalars...>(inputs, count, std::index_sequence_for<Ins...>());
    } else {
      if (inputs[kDone].scalar) return Dispatch<kScalars..., true>(inputs, count);
      return Dispatch<kScalars..., false>(inputs, count);
    }
  }

  template <bool... kScalars>
  Status SelectDispatch(const std::array<Vector, kArity>& inputs, int64_t count,
                        SelectionVector* selection) const {
    constexpr size_t kDone = sizeof...(kScalars);
    if constexpr (kDone == kArity) {
      return SelectLoop<kScalars...>(inputs, count, selection, std::index_sequence_for<Ins...>());
    } else {
      if (inputs[kDone].scalar) return SelectDispatch<kScalars..., true>(inputs, count, selection);
      return SelectDispatch<kScalars..., false>(inputs, count, selection);
    }
  }

  // FilterAll of a boolean kernel: the rows where every input is valid and the op yields TRUE
  // go straight into the selection.
  template <bool... kScalars, size_t... kIndexes>
  Status SelectLoop(const std::array<Vector, kArity>& inputs, int64_t count,
                    SelectionVector* selection, std::index_sequence<kIndexes...>) const {
    std::tuple<Reader<Ins, kScalars>...> readers{Reader<Ins, kScalars>(inputs[kIndexes])...};
    // The bitmaps of the inputs with NULLs (scalar inputs are valid here).
    std::array<const uint8_t*, kArity> validity{};
    std::array<int64_t, kArity> offsets{};
    size_t nullable = 0;
    for (const Vector& vector : inputs) {
      if (vector.scalar || vector.column().null_count() == 0) continue;
      validity[nullable] = vector.column().validity_buffer()->data();
      offsets[nullable] = vector.column().offset();
      ++nullable;
    }
    selection->Resize(count);
    uint32_t* rows = selection->mutable_data();
    int64_t kept = 0;
    KernelFlags flags = 0;  // Of valid rows only: NULL slots hold arbitrary payloads.
    auto valid = [&](int64_t row) {
      bool all = true;
      for (size_t k = 0; k < nullable; ++k) all = all && GetBit(validity[k], offsets[k] + row);
      return all;
    };
    int64_t row = 0;
    // Eight rows at a time into a byte of TRUE bits, whose set bits (few, for a selective
    // predicate) are then listed.
    auto list = [&](unsigned byte) {
      while (byte != 0) {
        rows[kept++] = static_cast<uint32_t>(row + __builtin_ctz(byte));
        byte &= byte - 1;
      }
    };
    if (nullable == 0) {
      for (; row + 8 <= count; row += 8) {
        unsigned byte = 0;
        for (int bit = 0; bit < 8; ++bit) {
          bool value = false;
          flags |= op_.Call(std::get<kIndexes>(readers).Get(row + bit)..., &value);
          byte |= static_cast<unsigned>(value) << bit;
        }
        list(byte);
      }
    } else {
      for (; row + 8 <= count; row += 8) {
        unsigned byte = 0;
        for (int bit = 0; bit < 8; ++bit) {
          bool value = false;
          const KernelFlags row_flags =
              op_.Call(std::get<kIndexes>(readers).Get(row + bit)..., &value);
          const bool is_valid = valid(row + bit);
          flags |= is_valid ? row_flags : KernelFlags{0};
          byte |= static_cast<unsigned>(value && is_valid) << bit;
        }
        list(byte);
      }
    }
    for (; row < count; ++row) {
      if (nullable != 0 && !valid(row)) continue;
      bool value = false;
      flags |= op_.Call(std::get<kIndexes>(readers).Get(row)..., &value);
      rows[kept] = static_cast<uint32_t>(row);
      kept += value;
    }
    if (flags != 0) [[unlikely]] {
      // A row the op rejected: evaluation reports it (or, for TRY_ kernels, makes it NULL).
      Result<Column> column = Loop<kScalars...>(inputs, count, std::index_sequence_for<Ins...>());
      if (!column.ok()) {
        selection->Clear();  // As a failed evaluation leaves it.
        return column.status();
      }
      CollectTrueRows(Vector{std::move(*column), false}, count, selection);
      return Status::Ok();
    }
    selection->Resize(kept);
    return Status::Ok();
  }

  template <bool... kScalars, size_t... kIndexes>
  Result<Column> Loop(const std::array<Vector, kArity>& inputs, int64_t count,
                      std::index_sequence<kIndexes...>) const {
    std::tuple<Reader<Ins, kScalars>...> readers{Reader<Ins, kScalars>(inputs[kIndexes])...};
    Writer<O> writer(count);
    KernelFlags flags = 0;
    int64_t row = 0;
    if constexpr (std::is_same_v<O, bool>) {
      // Eight results per output byte, written once (no read-modify-write per row).
      for (; row + 8 <= count; row += 8) {
        uint8_t byte = 0;
        for (int bit = 0; bit < 8; ++bit) {
          bool value = false;
          flags |= op_.Call(std::get<kIndexes>(readers).Get(row + bit)..., &value);
          byte |= static_cast<uint8_t>(static_cast<unsigned>(value) << bit);
        }
        writer.raw[row >> 3] = byte;
      }
    }
    for (; row < count; ++row) {
      O value = writer.Slot();
      flags |= op_.Call(std::get<kIndexes>(readers).Get(row)..., &value);
      writer.Set(row, value);
    }
    std::shared_ptr<const Buffer> validity = IntersectValidity(inputs, count);
    if constexpr (std::is_same_v<O, StringResult>) {
      if (writer.overflow) {
        return Status::Error(ErrorCode::kNumericOverflow,
                             "string result exceeds 2 GiB in expression `{}`", text());
      }
    }
    if (flags != 0) [[unlikely]] {
      // Find the rows the op rejected that are not NULL (NULL slots hold arbitrary payloads).
      BufferBuilder cleared;
      if (null_on_error_) {
        cleared.Resize(static_cast<size_t>(BytesForBits(count)));
        if (validity) {
          std::memcpy(cleared.data(), validity->data(), static_cast<size_t>(BytesForBits(count)));
        } else {
          std::memset(cleared.data(), 0xFF, static_cast<size_t>(BytesForBits(count)));
        }
      }
      for (int64_t row = 0; row < count; ++row) {
        if (validity && !GetBit(validity->data(), row)) continue;
        O value = writer.Slot();
        KernelFlags row_flags = op_.Call(std::get<kIndexes>(readers).Get(row)..., &value);
        if (row_flags == 0) continue;
        if (!null_on_error_) {
          Vector row_inputs[kArity] = {Vector::Borrow(inputs[kIndexes].column(), kScalars)...};
          return KernelError(row_flags, text(), type(), invalid_code_, row_inputs, kArity, row);
        }
        ClearBit(cleared.data(), row);
      }
      if (null_on_error_) validity = cleared.Finish();
    }
    return writer.Finish(type(), count, std::move(validity));
  }

  std::string name_;
  Op op_;
  std::array<std::unique_ptr<const EvaluatorNode>, kArity> children_;
  ErrorCode invalid_code_;
  bool null_on_error_;
};

}  // namespace laminar::exec
