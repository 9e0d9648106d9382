#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "columnar/schema.h"
#include "common/status.h"

namespace laminar::sql {

enum class LogicalNodeKind : uint8_t {
  kScan,
  kValues,
  kFilter,
  kProject,
  kWindowTableFunction,
  kAggregate,
  kJoin,
  kOver,
  kTopN,
  kUnion,
  kSort,
  kLimit,
  kSink,
};

/// Every stream is either append-only (rows are only ever added) or a changelog (each row
/// carries a weight: +1 inserts it, -1 retracts an earlier row).
enum class ChangelogMode : uint8_t { kAppendOnly, kChangelog };

/// What the planner knows about the rows a node produces. Operators declare what they accept
/// and produce; validation uses these to reject plans that cannot run with bounded state.
struct StreamProperties {
  ChangelogMode mode = ChangelogMode::kAppendOnly;
  /// A finite input (VALUES, or a snapshot of a table or materialized view read ad hoc).
  bool bounded = false;
  /// Output columns that carry event time with a watermark: a later operator can tell when no
  /// more rows below some time can arrive.
  std::vector<int> watermark_columns;
  /// Sets of output columns whose values identify a row (after applying retractions).
  std::vector<std::vector<int>> unique_keys;
  /// True when the node's state grows with the number of distinct keys and nothing (no window,
  /// no TTL) ever frees it. EXPLAIN says so; metrics will show the size.
  bool unbounded_state = false;
  /// WITH (state_ttl = ...) in microseconds, when set.
  std::optional<int64_t> state_ttl_micros;

  bool HasWatermark(int column) const;
};

class LogicalNode;
/// Plans are immutable trees of shared nodes.
using LogicalNodePtr = std::shared_ptr<const LogicalNode>;

/// A node of the logical plan: what to compute, independent of how. Each node type lives in
/// its own file (logical_<name>.h); the physical planner translates each one separately.
class LogicalNode {
 public:
  virtual ~LogicalNode() = default;
  LogicalNode(const LogicalNode&) = delete;
  LogicalNode& operator=(const LogicalNode&) = delete;

  LogicalNodeKind kind() const { return kind_; }
  /// The columns the node produces.
  const std::shared_ptr<const Schema>& schema() const { return schema_; }
  const StreamProperties& properties() const { return properties_; }
  const std::vector<LogicalNodePtr>& inputs() const { return inputs_; }
  /// Where the clause that produced the node was written.
  SourcePosition position() const { return position_; }

  /// One line naming the node and its arguments, e.g. `Filter ((auction % 123) = 0)`.
  virtual std::string Describe() const = 0;

 protected:
  LogicalNode(LogicalNodeKind kind, std::shared_ptr<const Schema> schema,
              StreamProperties properties, std::vector<LogicalNodePtr> inputs,
              SourcePosition position)
      : kind_(kind),
        schema_(std::move(schema)),
        properties_(std::move(properties)),
        inputs_(std::move(inputs)),
        position_(position) {}

 private:
  LogicalNodeKind kind_;
  std::shared_ptr<const Schema> schema_;
  StreamProperties properties_;
  std::vector<LogicalNodePtr> inputs_;
  SourcePosition position_;
};

/// The plan as an indented tree, one node per line, each followed by its streaming properties:
///
///   Project [auction BIGINT, price BIGINT] append-only; watermark: -
///     Filter ((auction % 123) = 0) append-only; watermark: date_time
///       Scan source bid append-only; watermark: date_time
std::string ExplainPlan(const LogicalNode& root);

/// "append-only; watermark: date_time; unique key: (id); state grows with keys" etc.
std::string DescribeProperties(const LogicalNode& node);

}  // namespace laminar::sql
