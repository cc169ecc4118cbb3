#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "util/expected.h"

namespace hoist {

/// What to run and how: the one way hoist starts another program.
struct ProcessSpec {
  std::vector<std::string> argv;
  std::string cwd;         ///< empty: the current directory
  std::string stdin_data;  ///< written to the child's stdin, which is then closed
  /// When set, stdout is handed over in chunks as it arrives instead of being collected.
  std::function<void(std::string_view)> on_stdout;
};

/// How a finished program ended and what it printed.
struct ProcessResult {
  int exit_code = -1;  ///< the exit status, or 128 + signal number
  std::string stdout_text;
  std::string stderr_text;
};

/// Runs a program to completion; an Error only when it could not be started at all.
Expected<ProcessResult> RunProcess(const ProcessSpec& spec);

/// The argv joined for messages, quoted where needed.
std::string FormatCommand(const std::vector<std::string>& argv);

}  // namespace hoist
