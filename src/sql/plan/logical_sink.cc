#include "sql/plan/logical_sink.h"

#include <fmt/format.h>

namespace laminar::sql {

LogicalNodePtr LogicalSink::Make(LogicalNodePtr input, std::string sink_name, std::string connector,
                                 SourcePosition position) {
  return std::make_shared<LogicalSink>(std::move(input), std::move(sink_name), std::move(connector),
                                       position);
}

std::string LogicalSink::Describe() const {
  if (connector.empty()) return "Sink " + sink_name;
  return fmt::format("Sink {} into {}", sink_name, connector);
}

}  // namespace laminar::sql
