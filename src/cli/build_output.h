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
  /// When a job ran, in seconds since the run began (-1: it did not), and the phases its work
  /// went through, each with the second it began.
  struct JobTimes {
    double start = -1, end = -1;
    std::vector<std::pair<std::string, double>> phases;
  };

  BuildOutput(std::vector<std::string> names, size_t total, std::string log_dir, bool quiet);
  ~BuildOutput();

  /// A line of output from job `job` (any thread).
  void Line(size_t job, const std::string& line) override;
  /// A scheduler event (any thread).
  void Event(const JobEvent& event) override;
  /// A job's phase (any thread): kept for Timeline(); a pull or a push shows on the status line.
  void Phase(size_t job, const std::string& phase) override;
  /// Text of hoist's own (a -v request log line) printed above the status line (any thread).
  void PrintAbove(const std::string& text);
  /// Clears the status line (before the summary).
  void Finish();
  std::string LogPath(size_t job) const;
  /// How long the run has taken so far.
  std::chrono::steady_clock::duration Elapsed() const;
  /// Each job's times, by index.
  std::vector<JobTimes> Timeline() const;

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
  std::vector<JobTimes> times_;
  bool status_shown_ = false;
  std::string status_format_;
  std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
  bool stop_ = false;
  std::thread ticker_;
};

/// Writes a line of hoist's own (a -v request log, a warning) to stderr: above the status line
/// while a BuildOutput shows one (any thread).
void SayOwnLine(const std::string& line);

}  // namespace hoist
