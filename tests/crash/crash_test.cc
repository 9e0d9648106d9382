// Crash tests (issue "Durability"): a child process ingests a deterministic stream with
// wal_mode = 'sync' and checkpoints every 200 ms; the test SIGKILLs it at random points (at
// least 30 times), reopens it each time, lets it finish, and checks that the exactly-once
// file sinks' output equals that of a run without crashes: nothing lost, nothing duplicated.

#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <thread>
#include <vector>

namespace {

namespace fs = std::filesystem;

constexpr int64_t kRows = 60'000;

std::string MakeDirectory() {
  char pattern[] = "/tmp/laminar-crash-XXXXXX";
  if (::mkdtemp(pattern) == nullptr) std::abort();
  return pattern;
}

pid_t StartChild(const std::string& dir) {
  const pid_t pid = ::fork();
  if (pid == 0) {
    const std::string rows = std::to_string(kRows);
    // Quiet: the child's output goes to a log file in its directory.
    const std::string log = dir + "/child.log";
    FILE* out = std::freopen(log.c_str(), "a", stdout);
    FILE* err = std::freopen(log.c_str(), "a", stderr);
    (void)out;
    (void)err;
    ::execl(LAMINAR_CRASH_CHILD, LAMINAR_CRASH_CHILD, dir.c_str(), rows.c_str(),
            static_cast<char*>(nullptr));
    std::_Exit(127);
  }
  return pid;
}

int Wait(pid_t pid) {
  int status = 0;
  ::waitpid(pid, &status, 0);
  return status;
}

/// Every line of every published part file of a sink, sorted.
std::vector<std::string> Published(const std::string& dir) {
  std::vector<std::string> lines;
  if (!fs::exists(dir)) return lines;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (!entry.is_regular_file() || entry.path().filename().string().rfind("part-", 0) != 0) {
      continue;
    }
    std::ifstream in(entry.path());
    for (std::string line; std::getline(in, line);) lines.push_back(line);
  }
  std::sort(lines.begin(), lines.end());
  return lines;
}

TEST(CrashTest, KilledThirtyTimesTheSinksMatchACleanRun) {
  const std::string clean = MakeDirectory();
  ASSERT_EQ(Wait(StartChild(clean)), 0) << "the clean run failed; see " << clean << "/child.log";
  const std::vector<std::string> windows = Published(clean + "/windows");
  const std::vector<std::string> sevens = Published(clean + "/sevens");
  ASSERT_FALSE(windows.empty());
  ASSERT_EQ(sevens.size(), static_cast<size_t>((kRows + 6) / 7));

  const std::string crashed = MakeDirectory();
  std::mt19937 random(20261121);
  std::uniform_int_distribution<int> delay_ms(20, 400);
  int kills = 0;
  int finished_early = 0;
  while (kills < 30) {
    const pid_t pid = StartChild(crashed);
    std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms(random)));
    if (::kill(pid, SIGKILL) == 0) {
      const int status = Wait(pid);
      if (WIFSIGNALED(status)) {
        ++kills;
      } else {
        ASSERT_NE(WEXITSTATUS(status), 3)
            << "an acknowledged push was lost; see " << crashed << "/child.log";
        // It finished before the signal: start over so every kill lands mid-run.
        ASSERT_EQ(status, 0) << "see " << crashed << "/child.log";
        ++finished_early;
        fs::remove_all(crashed);
        fs::create_directories(crashed);
      }
    }
  }
  ASSERT_EQ(Wait(StartChild(crashed)), 0) << "see " << crashed << "/child.log";
  EXPECT_EQ(Published(crashed + "/windows"), windows);
  EXPECT_EQ(Published(crashed + "/sevens"), sevens);
  std::printf("crash test: %d kills, %d runs finished before their kill\n", kills, finished_early);
  if (!HasFailure()) {
    fs::remove_all(clean);
    fs::remove_all(crashed);
  }
}

}  // namespace
