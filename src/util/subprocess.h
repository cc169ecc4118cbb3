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
  /// Instead of stdin_data: a readable descriptor to be the child's stdin (the read end of a
  /// pipe that another thread writes to); RunProcess closes it once the child has it.
  int stdin_fd = -1;
  /// When set, stdout is handed over in chunks as it arrives instead of being collected.
  std::function<void(std::string_view)> on_stdout;
  /// When set, stderr is handed over in chunks as it arrives instead of being collected.
  std::function<void(std::string_view)> on_stderr;
  /// Extra environment variables ("NAME=value"), added to (or replacing) the inherited ones;
  /// of two of one name, the later wins.
  std::vector<std::string> env;
  /// Run in a process group of its own, registered so StopAllProcesses() can end it.
  bool stoppable = false;
  /// Run in a process group of its own without being stoppable: a terminal's Ctrl-C does
  /// not reach it (for cleanup that must finish, such as ending a cloud machine).
  bool shielded = false;
  /// After StopAllProcesses(), a stoppable process still running this many seconds after its
  /// SIGTERM gets SIGKILL; 0: never (terraform must finish writing its state).
  int kill_after_seconds = 10;
  /// When > 0: the program (and its process group) is killed after this many seconds.
  int timeout_seconds = 0;
  /// When > 0: the program (and its process group) is killed once it has printed more than
  /// this many bytes (stdout and stderr collected together).
  size_t max_output = 0;
};

/// How a finished program ended and what it printed.
struct ProcessResult {
  int exit_code = -1;  ///< the exit status, or 128 + signal number
  std::string stdout_text;
  std::string stderr_text;
  bool timed_out = false;  ///< killed by timeout_seconds
  bool too_much = false;   ///< killed by max_output
};

/// Runs a program to completion; an Error only when it could not be started at all.
Expected<ProcessResult> RunProcess(const ProcessSpec& spec);

/// Ends every running stoppable process (and its process group) with SIGTERM, and SIGKILL
/// for a group still there its kill_after_seconds later; runs every stop action (on a thread of its
/// own, so it returns at once); and makes any later RunProcess of a stoppable process fail at
/// once: for Ctrl-C, SIGTERM and --fail-fast.
void StopAllProcesses();
/// Registers `action` to run when StopAllProcesses() is called, for what a SIGTERM to a
/// process group does not end (a container that `docker run` started); returns an id for
/// RemoveStopAction. Runs at once when processes were already stopped.
int AddStopAction(std::function<void()> action);
void RemoveStopAction(int id);
/// True while a stoppable process or a stop action is still running.
bool ProcessesRunning();
/// True once StopAllProcesses() was called.
bool ProcessesStopped();

/// The argv joined for messages, quoted where needed.
std::string FormatCommand(const std::vector<std::string>& argv);

}  // namespace hoist
