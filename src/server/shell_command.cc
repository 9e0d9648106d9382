// `laminardb shell`: the interactive SQL shell.

#include <fmt/format.h>
#include <unistd.h>

#include <cstdio>  // Before readline.h, which uses FILE without including it.
#include <cstdlib>
#include <iostream>

#include "common/clock.h"
#include "server/commands.h"
#include "server/session.h"
#include "server/statement_splitter.h"
#include "sql/parser/error_caret.h"

#ifdef LAMINAR_HAVE_READLINE
#include <readline/history.h>
#include <readline/readline.h>
#endif

namespace laminar::server {
namespace {

constexpr const char* kPrompt = "laminardb> ";
constexpr const char* kContinuationPrompt = "       -> ";
constexpr int kHistoryLines = 1000;

constexpr std::string_view kHelp =
    "Statements end with ';' and may span several lines. The rows that streams and sinks\n"
    "created in this session emit are printed after each statement.\n"
    "  \\timing [on|off]  print how long each statement takes (toggles without argument)\n"
    "  \\q                quit (also Ctrl-D, exit or quit)\n"
    "  \\?                this help\n";

std::string_view Trim(std::string_view text) {
  const size_t begin = text.find_first_not_of(" \t\r\n\f\v");
  if (begin == std::string_view::npos) return {};
  const size_t end = text.find_last_not_of(" \t\r\n\f\v");
  return text.substr(begin, end - begin + 1);
}

/// Where lines come from: GNU readline with history on a terminal, plain reads otherwise (pipes,
/// files, tests), where nothing is echoed and no prompt is printed.
class LineReader {
 public:
  explicit LineReader(bool interactive) : interactive_(interactive) {
#ifdef LAMINAR_HAVE_READLINE
    if (!interactive_) return;
    if (const char* home = std::getenv("HOME"); home != nullptr && *home != '\0') {
      history_path_ = std::string(home) + "/.laminardb_history";
    }
    using_history();
    stifle_history(kHistoryLines);
    // Timestamp lines ("#1700000000") separate the entries in the file, so a statement that
    // spans several lines comes back as one entry.
    history_comment_char = '#';
    history_write_timestamps = 1;
    history_multiline_entries = 1;
    // read_history returns an errno value; a missing file is created so that appends work.
    if (!history_path_.empty() && read_history(history_path_.c_str()) != 0) {
      (void)write_history(history_path_.c_str());
    }
#endif
  }

  ~LineReader() {
#ifdef LAMINAR_HAVE_READLINE
    if (!history_path_.empty()) (void)history_truncate_file(history_path_.c_str(), kHistoryLines);
#endif
  }

  /// The next line without its newline; nullopt at the end of the input.
  std::optional<std::string> Read(const char* prompt) {
#ifdef LAMINAR_HAVE_READLINE
    if (interactive_) {
      char* line = readline(prompt);
      if (line == nullptr) return std::nullopt;
      std::string text(line);
      std::free(line);
      return text;
    }
#else
    if (interactive_) {
      std::fputs(prompt, stdout);
      std::fflush(stdout);
    }
#endif
    std::string line;
    if (!std::getline(std::cin, line)) return std::nullopt;
    return line;
  }

  /// Remembers an entered statement or command (interactive sessions only).
  void Remember(std::string_view entry) {
#ifdef LAMINAR_HAVE_READLINE
    if (!interactive_ || entry.empty()) return;
    add_history(std::string(entry).c_str());
    if (!history_path_.empty()) (void)append_history(1, history_path_.c_str());
#endif
  }

 private:
  const bool interactive_;
  std::string history_path_;
};

class Shell {
 public:
  Shell(Session& session, LineReader& reader) : session_(session), reader_(reader) {}

  void Run() {
    for (;;) {
      const bool continuing = !buffer_.empty();
      std::optional<std::string> line = reader_.Read(continuing ? kContinuationPrompt : kPrompt);
      if (!line) break;
      if (!continuing) {
        const std::string_view command = Trim(*line);
        if (command.starts_with("\\")) {
          reader_.Remember(command);
          if (!RunBackslashCommand(command)) return;
          continue;
        }
        if (command == "exit" || command == "quit") return;
      }
      buffer_ += *line;
      buffer_ += '\n';
      ExecuteCompleteStatements();
    }
    // The end of the input ends a last statement that has no ';' (without its final newline,
    // so that an error at the end of the input points at the end of the last line).
    if (!Trim(buffer_).empty()) {
      buffer_.erase(buffer_.find_last_not_of(" \t\r\n\f\v") + 1);
      reader_.Remember(Trim(buffer_));
      Execute(buffer_, StatementPiece{SourcePosition{1, 1, 0}, buffer_.size(), false, false});
    }
  }

 private:
  // Runs every statement of the buffer that ends with ';' and keeps the unfinished rest.
  void ExecuteCompleteStatements() {
    const std::vector<StatementPiece> pieces = SplitStatements(buffer_);
    for (const StatementPiece& piece : pieces) {
      if (!piece.terminated || piece.blank) continue;
      reader_.Remember(Trim(std::string_view(buffer_).substr(piece.start.offset, piece.length)));
      Execute(buffer_, piece);
    }
    const StatementPiece& rest = pieces.back();
    buffer_ = rest.blank ? std::string() : buffer_.substr(rest.start.offset);
  }

  // Errors are shown against the whole input typed since the last prompt, so that line and
  // caret match what is on the screen.
  void Execute(const std::string& input, const StatementPiece& piece) {
    const int64_t started = Clock::System()->MonotonicNanos();
    Status status =
        session_.Execute(std::string_view(input).substr(piece.start.offset, piece.length));
    if (!status.ok()) {
      std::fflush(stdout);
      fmt::print(stderr, "{}\n",
                 sql::RenderErrorWithCaret(input, ShiftToScript(std::move(status), piece)));
      std::fflush(stderr);
    }
    if (timing_) {
      const double elapsed_ms =
          static_cast<double>(Clock::System()->MonotonicNanos() - started) / 1e6;
      session_.WriteLine(fmt::format("Time: {:.3f} ms", elapsed_ms));
    }
  }

  // False when the shell should end.
  bool RunBackslashCommand(std::string_view command) {
    const size_t space = command.find_first_of(" \t");
    const std::string_view name = command.substr(0, space);
    const std::string_view argument =
        space == std::string_view::npos ? std::string_view() : Trim(command.substr(space));
    if (name == "\\q") return false;
    if (name == "\\?" || name == "\\help") {
      session_.WriteLine(Trim(kHelp));
    } else if (name == "\\timing") {
      if (argument == "on") {
        timing_ = true;
      } else if (argument == "off") {
        timing_ = false;
      } else if (argument.empty()) {
        timing_ = !timing_;
      } else {
        fmt::print(stderr, "\\timing takes on or off, not \"{}\"\n", argument);
        return true;
      }
      session_.WriteLine(fmt::format("Timing is {}.", timing_ ? "on" : "off"));
    } else {
      fmt::print(stderr, "unknown command {}; \\? lists the commands\n", name);
      std::fflush(stderr);
    }
    return true;
  }

  Session& session_;
  LineReader& reader_;
  std::string buffer_;  // Lines of a statement not finished yet.
  bool timing_ = false;
};

}  // namespace

int RunShellCommand(const std::optional<std::string>& data_dir) {
  Config config;
  config.data_dir = data_dir;
  Result<std::unique_ptr<LaminarDB>> db = LaminarDB::Open(config);
  if (!db.ok()) {
    fmt::print(stderr, "{}\n", db.status());
    return 1;
  }
  if (Status started = (*db)->Start(); !started.ok()) {
    fmt::print(stderr, "{}\n", started);
    return 1;
  }
  const bool interactive = isatty(STDIN_FILENO) != 0;
  if (interactive) {
    if (data_dir) {
      fmt::print("laminardb {}: the durable database in {}. \\? for help, \\q to quit.\n",
                 LAMINAR_VERSION, *data_dir);
    } else {
      fmt::print("laminardb {}: an in-memory database. \\? for help, \\q to quit.\n",
                 LAMINAR_VERSION);
    }
  }
  Session session(**db, OutputFormat::kTable, stdout);
  {
    LineReader reader(interactive);
    Shell(session, reader).Run();
  }
  (void)(*db)->Shutdown();
  return 0;
}

}  // namespace laminar::server
