#include "server/nexmark_queries.h"

#include <algorithm>
#include <cstdlib>

namespace laminar::server {

// Generated from bench/nexmark/ at build time (cmake/EmbedTextFiles.cmake).
extern const EmbeddedTextFile kNexmarkSqlFiles[];
extern const size_t kNexmarkSqlFiles_count;

namespace {

std::optional<std::string_view> FindFile(std::string_view path) {
  for (size_t i = 0; i < kNexmarkSqlFiles_count; ++i) {
    if (kNexmarkSqlFiles[i].path == path) return kNexmarkSqlFiles[i].contents;
  }
  return std::nullopt;
}

}  // namespace

std::string_view NexmarkSourcesSql() { return FindFile("sources.sql").value_or(""); }

std::optional<std::string_view> NexmarkQuerySql(std::string_view name) {
  if (name.size() < 2 || name[0] != 'q' || name.find('/') != std::string_view::npos) {
    return std::nullopt;
  }
  return FindFile("queries/" + std::string(name) + ".sql");
}

std::vector<std::string> NexmarkQueryNames() {
  std::vector<std::string> names;
  constexpr std::string_view kPrefix = "queries/";
  constexpr std::string_view kSuffix = ".sql";
  for (size_t i = 0; i < kNexmarkSqlFiles_count; ++i) {
    std::string_view path = kNexmarkSqlFiles[i].path;
    if (!path.starts_with(kPrefix) || !path.ends_with(kSuffix)) continue;
    path.remove_prefix(kPrefix.size());
    path.remove_suffix(kSuffix.size());
    names.emplace_back(path);
  }
  std::sort(names.begin(), names.end(), [](const std::string& a, const std::string& b) {
    return std::atoi(a.c_str() + 1) < std::atoi(b.c_str() + 1);
  });
  return names;
}

}  // namespace laminar::server
