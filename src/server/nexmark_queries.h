#pragma once

// The SQL of the Nexmark benchmark (bench/nexmark/), compiled into the laminardb binary so that
// `laminardb bench nexmark --query qN` runs the checked-in text wherever it is started.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace laminar::server {

/// One embedded file: its path under bench/nexmark/ and its contents.
struct EmbeddedTextFile {
  std::string_view path;
  std::string_view contents;
};

/// bench/nexmark/sources.sql: the three sources, FROM NEXMARK with the default options.
std::string_view NexmarkSourcesSql();

/// bench/nexmark/queries/<name>.sql for "q0" ... "q22"; empty for any other name.
std::optional<std::string_view> NexmarkQuerySql(std::string_view name);

/// "q0", "q1", ..., "q22": every embedded query, in numeric order.
std::vector<std::string> NexmarkQueryNames();

}  // namespace laminar::server
