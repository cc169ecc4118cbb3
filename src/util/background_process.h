#pragma once

#include <string>
#include <vector>

namespace hoist {

/// A program running beside hoist (an SSH tunnel, a test's server), its stdout and stderr
/// appended to `log_file`, stdin from /dev/null; stopped (SIGTERM, then SIGKILL) when this goes
/// out of scope.
class BackgroundProcess {
 public:
  BackgroundProcess(const std::vector<std::string>& argv, const std::string& log_file);
  ~BackgroundProcess();
  BackgroundProcess(const BackgroundProcess&) = delete;
  BackgroundProcess& operator=(const BackgroundProcess&) = delete;

  /// False when the program could not be started; `error()` says why.
  bool started() const { return pid_ > 0; }
  const std::string& error() const { return error_; }
  /// Whether it still runs (reaps it when it has ended).
  bool running();
  /// Its exit status once it has ended (-1 while running or when killed by a signal).
  int exit_status() const { return exit_status_; }
  int pid() const { return pid_; }
  /// Stops it now: SIGTERM, SIGKILL after `grace_ms`.
  void Stop(int grace_ms = 2000);

 private:
  int pid_ = -1;
  bool reaped_ = false;
  int exit_status_ = -1;
  std::string error_;
};

}  // namespace hoist
