#pragma once

#include <string>
#include <string_view>

namespace laminar {

/// Names the calling thread as `top -H`, perf, gdb and /proc/<pid>/task/<tid>/comm show it.
/// Linux keeps at most 15 bytes: a longer name is cut there. The engine's threads are named
/// "ldb-" and their role: ldb-reactor, ldb-wal-flush, ldb-checkpoint, ldb-callback, ldb-nexmark.
void NameCurrentThread(std::string_view name);

/// The calling thread's name ("" where the platform has none).
std::string CurrentThreadName();

}  // namespace laminar
