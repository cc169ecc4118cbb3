#include "run/job_runner.h"

#include <chrono>
#include <thread>

#include "machines/placement.h"
#include "run/interrupts.h"
#include "util/subprocess.h"

namespace hoist {
namespace {

// After an interrupt, how long Run waits for the stop actions (docker rm) it set off.
constexpr auto kStopWait = std::chrono::seconds(20);

}  // namespace

JobScope::JobScope(size_t index, const RunJob& job, MachinePool* machines, RunObserver& observer)
    : index_(index), job_(job), machines_(machines), observer_(observer) {}

Status JobScope::OnMachine(const std::string& lost_means,
                           const std::function<Status(BuildMachine&, ImageBuilder&)>& work) const {
  if (!machines_) return Error{"internal error: job '" + job_.name + "' has no machines"};
  const std::string machine_job = job_.kind.empty() ? job_.name : job_.kind + "-" + job_.name;
  return RunOnMachine(*machines_, job_.placement, machine_job, lost_means, sink(), work);
}

std::vector<JobResult> JobRunner::Run(const std::vector<RunJob>& jobs, const Work& work,
                                      RunObserver& observer) {
  Scheduler scheduler({settings_.jobs, settings_.fail_fast, [] { StopAllProcesses(); }});
  std::vector<std::vector<size_t>> after;
  for (const auto& job : jobs) after.push_back(job.after);
  std::vector<JobResult> results;
  {
    interrupts::Scope stop([&scheduler] { scheduler.Interrupt(); });
    results = scheduler.Run(
        after,
        [&](size_t i) {
          JobScope scope(i, jobs[i], machines_, observer);
          return work(scope);
        },
        [&](const JobEvent& event) { observer.Event(event); });
  }
  interrupted_ = interrupts::Received();
  if (interrupted_ != 0) {
    // Every process a job started was waited for; what the stop actions end (containers)
    // is waited for here, so nothing hoist started outlives it.
    auto deadline = std::chrono::steady_clock::now() + kStopWait;
    while (ProcessesRunning() && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
  return results;
}

}  // namespace hoist
