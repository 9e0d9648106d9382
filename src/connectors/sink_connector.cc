#include "connectors/sink_connector.h"

#include "common/error_code.h"
#include "connectors/file_sink.h"

namespace laminar::connectors {

const std::map<std::string, std::string>& AvailableSinkConnectors() {
  static const auto* const connectors = new std::map<std::string, std::string>{
      {"files",
       "one file per checkpoint in a directory, JSON lines or CSV, exactly once "
       "(docs/formats/file-sink.md)"}};
  return *connectors;
}

Result<std::unique_ptr<SinkConnector>> CreateSinkConnector(
    const std::string& name, const std::map<std::string, std::string>& options,
    const std::string& format, const std::shared_ptr<const Schema>& schema, FileSystem* fs) {
  if (name != "files") {
    return Status::Error(ErrorCode::kNotSupported, "sink connector {} is not built yet", name);
  }
  LAMINAR_ASSIGN_OR_RETURN(FileSinkOptions parsed, ParseFileSinkOptions(options, format));
  return std::unique_ptr<SinkConnector>(std::make_unique<FileSink>(std::move(parsed), schema, fs));
}

}  // namespace laminar::connectors
