#include "support/terminal.h"

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include "support/temp_repo.h"

namespace hoist::testing {

TerminalScreen RunInTerminal(const std::string& directory, const std::string& command, int columns,
                             const std::string& watch, int seconds) {
  const std::string dir = MakeTempDir("hoist-tmux");
  const std::string socket = dir + "/socket";
  const std::string marker = "END-OF-" + std::to_string(::getpid());
  const std::string script = "cd '" + directory + "' && " + command + "; echo " + marker +
                             "; sleep " + std::to_string(seconds);
  RunOk(directory, {"tmux", "-S", socket, "new-session", "-d", "-x", std::to_string(columns), "-y",
                    "50", script});
  auto capture = [&](bool join) {
    ProcessSpec spec;
    spec.argv = {"tmux", "-S", socket, "capture-pane", "-p", "-S", "-"};
    if (join) spec.argv.push_back("-J");
    auto result = RunProcess(spec);
    return result.ok() ? result->stdout_text : std::string();
  };
  TerminalScreen screen;
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
  while (std::chrono::steady_clock::now() < until) {
    screen.rows = capture(false);
    if (!watch.empty()) {
      int shown = 0;
      for (const auto& row : Lines(screen.rows)) {
        if (row.rfind(watch, 0) != 0) continue;
        ++shown;
        if (screen.watched_seen.find(row + "\n") == std::string::npos) {
          screen.watched_seen += row + "\n";
        }
      }
      screen.most_watched_rows = std::max(screen.most_watched_rows, shown);
    }
    if (screen.rows.find(marker) != std::string::npos) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  screen.lines = capture(true);
  ProcessSpec kill;
  kill.argv = {"tmux", "-S", socket, "kill-server"};
  (void)RunProcess(kill);
  std::filesystem::remove_all(dir);
  EXPECT_NE(screen.rows.find(marker), std::string::npos)
      << "the command did not end in " << seconds << " s:\n"
      << screen.rows;
  return screen;
}

}  // namespace hoist::testing
