#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <string>
#include <vector>

namespace hoist {

/// How one job of a scheduled run ended.
enum class JobOutcome { kDone, kCached, kFailed, kSkipped, kInterrupted };

/// What a job reports back.
struct JobResult {
  JobOutcome outcome = JobOutcome::kDone;
  std::string message;  ///< why it failed, or was cached/skipped
};

/// One line of what happened, for whoever shows progress.
struct JobEvent {
  enum class Kind { kStarted, kFinished } kind;
  size_t job;        ///< the job's index
  JobResult result;  ///< for kFinished
  std::chrono::steady_clock::duration elapsed{};
};

/// Runs jobs over a DAG: a job starts once every job it waits for is done or cached, at most
/// `jobs` at once; a failure skips the jobs that wait for it while unrelated ones go on (or,
/// with fail_fast, stops everything).
class Scheduler {
 public:
  struct Options {
    int jobs = 1;
    bool fail_fast = false;
    /// Called once when fail_fast stops the run (with the scheduler's lock held).
    std::function<void()> on_fail_fast;
  };
  using Job = std::function<JobResult(size_t job)>;
  using Observer = std::function<void(const JobEvent&)>;

  explicit Scheduler(Options options) : options_(std::move(options)) {}

  /// Runs `job` for each index of `after`, job i once every job of after[i] (indexes below i
  /// or above) succeeded; returns each one's result by index. Stops starting jobs once
  /// `Interrupt()` was called.
  std::vector<JobResult> Run(const std::vector<std::vector<size_t>>& after, const Job& job,
                             const Observer& observer);

  /// Asks a running Run() to start nothing more (safe from another thread).
  void Interrupt();

 private:
  Options options_;
  std::atomic<bool> interrupted_{false};
};

}  // namespace hoist
