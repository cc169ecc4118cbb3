#pragma once

#include <chrono>
#include <fstream>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "run/job_runner.h"

namespace hoist {

/// Shows a build as ninja does: on a terminal one status line rewritten in place and fitted to
/// the terminal's width ("[3/17] falafel 0:42 (+2 more)", a long name cut in the middle, never
/// wrapped), and the full log of what failed; elsewhere (CI) every output line prefixed with its
/// project. Every project's output also goes to its log file. HOIST_STATUS sets the status
/// line's start as NINJA_STATUS does ninja's: %f finished, %t total, %r running, %u not
/// started, %p percentage finished, %e seconds since the start, %% a percent sign; default
/// "[%f/%t] ".
class BuildOutput : public RunObserver {
 public:
  BuildOutput(std::vector<std::string> names, size_t total, std::string log_dir, bool quiet);
  ~BuildOutput();

  /// A line of output from job `job` (any thread).
  void Line(size_t job, const std::string& line) override;
  /// A scheduler event (any thread).
  void Event(const JobEvent& event) override;
  /// Clears the status line (before the summary).
  void Finish();
  std::string LogPath(size_t job) const;
  /// How long each job ran (zero for one that did not), by index; and the run so far.
  std::vector<std::chrono::steady_clock::duration> Durations() const;
  std::chrono::steady_clock::duration Elapsed() const;

 private:
  void Redraw();                        // with mutex_ held
  void Print(const std::string& text);  // with mutex_ held: above the status line

  std::vector<std::string> names_;
  size_t total_;
  std::string log_dir_;
  bool tty_;
  bool quiet_;
  mutable std::mutex mutex_;
  size_t finished_ = 0;
  std::map<size_t, std::chrono::steady_clock::time_point> running_;
  std::map<size_t, std::ofstream> logs_;
  std::map<size_t, std::chrono::steady_clock::duration> durations_;
  bool status_shown_ = false;
  std::string status_format_;
  std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
  bool stop_ = false;
  std::thread ticker_;
};

}  // namespace hoist
