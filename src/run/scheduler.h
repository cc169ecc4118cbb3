#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "graph/dependency_graph.h"

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
  int project;
  JobResult result;  ///< for kFinished
  std::chrono::steady_clock::duration elapsed{};
};

/// Runs a job per selected project over the dependency DAG: a job starts once every selected
/// dependency's job is done or cached, at most `jobs` at once; a failure skips the projects
/// that depend on it while unrelated ones go on (or, with fail_fast, stops everything).
class Scheduler {
 public:
  struct Options {
    int jobs = 1;
    bool fail_fast = false;
    /// Called once when fail_fast stops the run (with the scheduler's lock held).
    std::function<void()> on_fail_fast;
  };
  using Job = std::function<JobResult(int project)>;
  using Observer = std::function<void(const JobEvent&)>;

  Scheduler(const DependencyGraph& graph, Options options) : graph_(graph), options_(options) {}

  /// Runs `job` for every project in `order` (dependencies first); returns each one's result,
  /// by position in `order`. Stops starting jobs once `Interrupt()` was called.
  std::vector<JobResult> Run(const std::vector<int>& order, const Job& job,
                             const Observer& observer);

  /// Asks a running Run() to start nothing more (safe from another thread).
  void Interrupt();

 private:
  const DependencyGraph& graph_;
  Options options_;
  std::atomic<bool> interrupted_{false};
};

}  // namespace hoist
