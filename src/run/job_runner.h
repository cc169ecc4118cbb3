#pragma once

#include <functional>
#include <string>
#include <vector>

#include "machines/build_machine.h"
#include "run/scheduler.h"
#include "util/line_sink.h"

namespace hoist {

/// One job of a run: a project's build, one test job, a project's deploy.
struct RunJob {
  std::string name;           ///< in output and as its log's name: "api", "api-unit"
  std::string placement;      ///< where it runs: "local", "pool", ssh://…, spot:CPUS
  std::vector<size_t> after;  ///< the jobs that must succeed first
  std::string kind;           ///< "build", "test", "deploy": a machine is named "<kind>-<name>"
};

/// Who shows a run (the CLI: a status line, prefixed lines, logs); called from any thread.
class RunObserver {
 public:
  virtual ~RunObserver() = default;
  virtual void Event(const JobEvent& event) = 0;
  virtual void Line(size_t job, const std::string& line) = 0;
  /// The job's work entered a phase of its own ("prepare", "pull", "build", "push", "test",
  /// "record"), for the status line and the run report's timeline.
  virtual void Phase(size_t /*job*/, const std::string& /*phase*/) {}
};

/// What a job's work has at hand: its output, and a machine of its placement.
class JobScope {
 public:
  JobScope(size_t index, const RunJob& job, MachinePool* machines, RunObserver& observer);
  size_t index() const { return index_; }
  const RunJob& job() const { return job_; }
  /// A line of the job's output.
  void Say(const std::string& line) const { observer_.Line(index_, line); }
  LineSink sink() const {
    return [this](const std::string& line) { Say(line); };
  }
  /// The job's work enters a phase (RunObserver::Phase).
  void Phase(const std::string& phase) const { observer_.Phase(index_, phase); }
  LineSink phases() const {
    return [this](const std::string& phase) { Phase(phase); };
  }
  /// Runs `work` on a machine of the job's placement (RunOnMachine: another pool machine when
  /// one is unreachable, an on-demand one when EC2 took a spot machine back).
  Status OnMachine(const std::string& lost_means,
                   const std::function<Status(BuildMachine&, ImageBuilder&)>& work) const;

 private:
  size_t index_;
  const RunJob& job_;
  MachinePool* machines_;
  RunObserver& observer_;
};

/// How a run goes.
struct RunSettings {
  int jobs = 1;  ///< at once
  bool fail_fast = false;
};

/// The one way build, test and deploy run their jobs: each after the jobs it waits for, at
/// most `jobs` at once, on machines from the pool, reporting to an observer. The first
/// SIGINT/SIGTERM/SIGHUP (run/interrupts) stops starting jobs; the running ones see their
/// processes stopped and end as interrupted; Run returns once everything hoist started for
/// them is gone.
class JobRunner {
 public:
  using Work = std::function<JobResult(JobScope& scope)>;

  /// `machines` may be null when no job asks for one.
  JobRunner(MachinePool* machines, RunSettings settings)
      : machines_(machines), settings_(settings) {}

  /// Each job's result, by index.
  std::vector<JobResult> Run(const std::vector<RunJob>& jobs, const Work& work,
                             RunObserver& observer);
  /// The signal that cut the last run short, or 0.
  int interrupted() const { return interrupted_; }

 private:
  MachinePool* machines_;
  RunSettings settings_;
  int interrupted_ = 0;
};

}  // namespace hoist
