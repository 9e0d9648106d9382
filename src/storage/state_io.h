#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "columnar/batch.h"
#include "columnar/column.h"
#include "columnar/data_type.h"
#include "columnar/schema.h"
#include "columnar/value.h"
#include "common/check.h"
#include "common/status.h"

namespace laminar::storage {

/// Serialises operator state for checkpoints (ARCHITECTURE.md "Operator contract":
/// Snapshot(writer) / Restore(reader)). A flat little-endian byte string: fixed-width integers,
/// LEB128 varints, length-prefixed bytes, and typed SQL values, columns and batches. The format
/// of each piece is documented in docs/formats/checkpoint.md; every operator writes its own
/// format version first (WriteVersion) so later releases can read older checkpoints.
///
/// Thread-safety: one thread at a time.
class StateWriter {
 public:
  StateWriter() = default;

  void U8(uint8_t value) { out_.push_back(static_cast<char>(value)); }
  void Bool(bool value) { U8(value ? 1 : 0); }
  void U32(uint32_t value);
  void U64(uint64_t value);
  void I64(int64_t value) { U64(static_cast<uint64_t>(value)); }
  void F64(double value);
  /// LEB128, 1 to 10 bytes.
  void VarU64(uint64_t value);
  /// Zig-zag then LEB128: small magnitudes of either sign take few bytes.
  void VarI64(int64_t value);
  /// Length (varint) then the bytes.
  void Bytes(std::string_view bytes);
  /// Raw bytes, no length (the reader must know the size).
  void Raw(std::string_view bytes) {
    if (gather_ && bytes.size() >= kLeastGatheredBytes) {
      references_.emplace_back(out_.size(), bytes);
      return;
    }
    if (!bytes.empty()) out_.append(bytes);  // An empty view may have no data pointer.
  }

  /// Gathering, for output that is used once and at once (a source's WAL record, which the
  /// WAL copies from where its pieces lie): from now on Raw does not copy runs of at least
  /// kLeastGatheredBytes (a column's values, offsets and string bytes) but refers to them.
  /// Gathered then gives the whole output as views, of the bytes written and of the runs
  /// referred to, in order. The memory referred to must stay as it is while the views are
  /// used. A gathering writer is read only through Gathered: data(), Release(), PatchU64 and
  /// the piece functions, which would see only the bytes written, stop the process.
  void Gather() { gather_ = true; }
  /// Empties the writer, keeping its memory (and gathering, if it was).
  void Clear() {
    out_.clear();
    references_.clear();
  }
  /// The memory the writer holds for the bytes it writes.
  size_t capacity() const { return out_.capacity(); }
  /// Appends the output's views to `parts`. They are valid until the writer changes.
  void Gathered(std::vector<std::string_view>& parts) const;
  static constexpr size_t kLeastGatheredBytes = 512;

  /// The format version of the piece that follows (an operator's state, a store).
  void WriteVersion(uint32_t version) { U32(version); }

  void Type(const DataType& type);
  void ValueOf(const Value& value);
  void SchemaOf(const Schema& schema);
  /// A column's logical rows (any offset), with its type and NULLs.
  void ColumnOf(const Column& column);
  /// The schema and every column.
  void BatchOf(const Batch& batch);
  /// The rows, then the weights (empty for append-only).
  void Weights(const std::vector<int8_t>& weights);

  size_t size() const { return out_.size(); }
  const std::string& data() const {
    LAMINAR_CHECK_MSG(!gather_, "a gathering StateWriter is read through Gathered");
    return out_;
  }
  std::string Release() {
    LAMINAR_CHECK_MSG(!gather_, "a gathering StateWriter is read through Gathered");
    return std::move(out_);
  }
  /// Makes room for `bytes` in total, so that a writer filled piece by piece (an incremental
  /// snapshot, one reactor turn at a time) does not copy what it holds when it grows.
  void Reserve(size_t bytes) { out_.reserve(bytes); }
  /// Overwrites the 8 bytes at `offset` (written by U64, as a placeholder) with `value`.
  /// REQUIRES: offset + 8 <= size().
  void PatchU64(size_t offset, uint64_t value);

  /// Incremental snapshots: once at least `piece_bytes` are written, moves them to `pieces` and
  /// starts a new piece with room for two more, so that no reactor turn copies a buffer grown
  /// by doubling.
  void SetAsidePieceIfFull(std::vector<std::string>& pieces, size_t piece_bytes) {
    LAMINAR_CHECK_MSG(!gather_, "a gathering StateWriter is read through Gathered");
    if (out_.size() < piece_bytes) return;
    pieces.push_back(std::move(out_));
    out_ = std::string();
    out_.reserve(2 * piece_bytes);
  }
  /// Incremental snapshots, at the end: adds what this writer holds as the last piece and
  /// returns all of `pieces` (both are left empty).
  std::vector<std::string> TakePieces(std::vector<std::string>& pieces) {
    LAMINAR_CHECK_MSG(!gather_, "a gathering StateWriter is read through Gathered");
    pieces.push_back(std::move(out_));
    out_ = std::string();
    return std::move(pieces);
  }

 private:
  std::string out_;
  bool gather_ = false;
  // Gathering: each run referred to, with the size out_ had when it came.
  std::vector<std::pair<size_t, std::string_view>> references_;
};

/// Reads what a StateWriter wrote. Errors are sticky: after the first malformed piece (too few
/// bytes, an impossible value) every read returns a zero value and status() says what was
/// wrong (kCorruption naming `context`), so restore code reads a whole structure and checks
/// once. Counts read with Count() are checked against the bytes left, so corrupt input never
/// makes a reader allocate without bound.
class StateReader {
 public:
  /// `context` names what is read (e.g. "state of query q1, operator 2") in error messages.
  StateReader(std::string_view data, std::string context);

  uint8_t U8();
  bool Bool();
  uint32_t U32();
  uint64_t U64();
  int64_t I64() { return static_cast<int64_t>(U64()); }
  double F64();
  uint64_t VarU64();
  int64_t VarI64();
  std::string Bytes();
  std::string_view BytesView();
  std::string_view Raw(size_t size);
  /// A count of elements that each take at least `min_bytes_per_element` bytes: fails when
  /// the bytes left cannot hold that many.
  size_t Count(size_t min_bytes_per_element = 1);

  /// Reads a format version; kUnsupportedFormatVersion when it is above `newest` (or 0).
  uint32_t ReadVersion(uint32_t newest);

  DataType Type();
  Value ValueOf();
  std::shared_ptr<const Schema> SchemaOf();
  Column ColumnOf();
  Batch BatchOf();
  std::vector<int8_t> Weights();

  /// Marks the input malformed (restore code's own checks): kCorruption with `what`.
  void Fail(std::string_view what);
  void FailWith(Status status);

  bool ok() const { return status_.ok(); }
  const Status& status() const { return status_; }
  /// Bytes not read yet.
  size_t remaining() const { return data_.size() - position_; }
  /// Ok when everything was read and nothing failed; kCorruption when bytes are left over.
  Status Finish();

 private:
  bool Need(size_t bytes);

  std::string_view data_;
  size_t position_ = 0;
  std::string context_;
  Status status_;
};

}  // namespace laminar::storage
