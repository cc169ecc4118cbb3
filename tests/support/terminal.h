#pragma once

#include <string>

namespace hoist::testing {

/// What a terminal showed when a command ended in it.
struct TerminalScreen {
  std::string rows;   ///< every row, scrollback included, as the terminal shows them
  std::string lines;  ///< the same with the rows the terminal wrapped joined again
  /// During the run: the most rows that showed a line starting with `watch` at once (a status
  /// line redrawn in place is one).
  int most_watched_rows = 0;
  /// Every distinct row starting with `watch` seen while it ran, one per line.
  std::string watched_seen;
};

/// Runs shell `command` in `directory` in a real terminal, a tmux pane `columns` wide (tmux
/// from Debian), sampling the screen while it runs; waits at most `seconds`.
TerminalScreen RunInTerminal(const std::string& directory, const std::string& command, int columns,
                             const std::string& watch = "", int seconds = 120);

}  // namespace hoist::testing
