#include "run/scheduler.h"

#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

namespace hoist {

void Scheduler::Interrupt() {
  interrupted_ = true;
}

std::vector<JobResult> Scheduler::Run(const std::vector<std::vector<size_t>>& after, const Job& job,
                                      const Observer& observer) {
  const size_t n = after.size();
  // waiting[i]: jobs that job i waits for, not finished yet.
  std::vector<int> waiting(n, 0);
  std::vector<std::vector<size_t>> dependents(n);
  for (size_t i = 0; i < n; ++i) {
    for (size_t dep : after[i]) {
      if (dep >= n || dep == i) continue;
      ++waiting[i];
      dependents[dep].push_back(i);
    }
  }
  std::vector<JobResult> results(n);
  std::vector<bool> finished(n, false), blocked(n, false);
  std::deque<size_t> ready;
  for (size_t i = 0; i < n; ++i) {
    if (waiting[i] == 0) ready.push_back(i);
  }
  std::mutex mutex;
  std::condition_variable changed;
  size_t running = 0, done = 0;
  bool stop = false;

  auto finish = [&](size_t i, JobResult result, std::chrono::steady_clock::duration elapsed) {
    // Called with the lock held.
    results[i] = result;
    finished[i] = true;
    ++done;
    if (observer) observer({JobEvent::Kind::kFinished, i, result, elapsed});
    bool failed = result.outcome == JobOutcome::kFailed || result.outcome == JobOutcome::kSkipped ||
                  result.outcome == JobOutcome::kInterrupted;
    if (failed && result.outcome == JobOutcome::kFailed && options_.fail_fast && !stop) {
      stop = true;
      if (options_.on_fail_fast) options_.on_fail_fast();  // e.g. stop running processes
    }
    for (size_t d : dependents[i]) {
      if (failed) blocked[d] = true;
      if (--waiting[d] == 0) ready.push_back(d);
    }
  };

  auto worker = [&] {
    std::unique_lock<std::mutex> lock(mutex);
    while (true) {
      changed.wait(lock, [&] { return !ready.empty() || done == n; });
      if (done == n) return;
      size_t i = ready.front();
      ready.pop_front();
      if (blocked[i] || stop || interrupted_) {
        JobResult skipped{interrupted_ ? JobOutcome::kInterrupted : JobOutcome::kSkipped,
                          blocked[i] ? "a dependency failed" : "stopped"};
        finish(i, skipped, {});
        changed.notify_all();
        continue;
      }
      ++running;
      if (observer) observer({JobEvent::Kind::kStarted, i, {}, {}});
      lock.unlock();
      auto start = std::chrono::steady_clock::now();
      JobResult result;
      try {
        result = job(i);
      } catch (const std::exception& e) {
        result = {JobOutcome::kFailed, std::string("internal error: ") + e.what()};
      }
      auto elapsed = std::chrono::steady_clock::now() - start;
      lock.lock();
      --running;
      if (interrupted_ && result.outcome == JobOutcome::kFailed) {
        result.outcome = JobOutcome::kInterrupted;
      }
      finish(i, result, elapsed);
      changed.notify_all();
    }
  };
  std::vector<std::thread> threads;
  const size_t workers =
      std::max<size_t>(1, std::min<size_t>(options_.jobs, std::max<size_t>(n, 1)));
  for (size_t t = 0; t < workers; ++t) threads.emplace_back(worker);
  for (auto& thread : threads) thread.join();
  return results;
}

}  // namespace hoist
