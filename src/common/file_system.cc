#include "common/file_system.h"

namespace laminar {

Result<std::string> FileSystem::ReadFile(const std::string& path) {
  LAMINAR_ASSIGN_OR_RETURN(auto file, NewRandomAccessFile(path));
  LAMINAR_ASSIGN_OR_RETURN(const uint64_t size, file->Size());
  std::string contents(size, '\0');
  size_t total = 0;
  while (total < contents.size()) {
    LAMINAR_ASSIGN_OR_RETURN(
        const size_t read,
        file->ReadAt(total, std::span<char>(contents.data() + total, contents.size() - total)));
    if (read == 0) break;  // The file shrank while we read it.
    total += read;
  }
  contents.resize(total);
  return contents;
}

Status FileSystem::WriteFile(const std::string& path, std::string_view contents, bool sync) {
  LAMINAR_ASSIGN_OR_RETURN(auto file, NewWritableFile(path));
  LAMINAR_RETURN_IF_ERROR(file->Append(contents));
  if (sync) LAMINAR_RETURN_IF_ERROR(file->Sync());
  return file->Close();
}

std::string JoinPath(std::string_view directory, std::string_view name) {
  if (directory.empty()) return std::string(name);
  std::string path(directory);
  if (path.back() != '/') path += '/';
  while (!name.empty() && name.front() == '/') name.remove_prefix(1);
  path += name;
  return path;
}

std::string ParentPath(std::string_view path) {
  while (path.size() > 1 && path.back() == '/') path.remove_suffix(1);
  const size_t slash = path.rfind('/');
  if (slash == std::string_view::npos) return "";
  if (slash == 0) return "/";
  return std::string(path.substr(0, slash));
}

}  // namespace laminar
