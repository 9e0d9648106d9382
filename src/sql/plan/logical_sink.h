#pragma once

#include <string>

#include "sql/plan/logical_node.h"

namespace laminar::sql {

/// Delivers its input to a sink: a connector, or in-process subscribers.
class LogicalSink final : public LogicalNode {
 public:
  static LogicalNodePtr Make(LogicalNodePtr input, std::string sink_name, std::string connector,
                             SourcePosition position);

  const std::string sink_name;
  const std::string connector;  // Empty: subscribers only.

  std::string Describe() const override;

  LogicalSink(LogicalNodePtr input, std::string sink_name, std::string connector,
              SourcePosition position)
      : LogicalNode(LogicalNodeKind::kSink, input->schema(), input->properties(), {input},
                    position),
        sink_name(std::move(sink_name)),
        connector(std::move(connector)) {}
};

}  // namespace laminar::sql
