#include "run/scheduler.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <mutex>
#include <thread>

namespace hoist {
namespace {

using Outcomes = std::vector<JobOutcome>;

Outcomes OutcomesOf(const std::vector<JobResult>& results) {
  Outcomes out;
  for (const auto& result : results) out.push_back(result.outcome);
  return out;
}

TEST(Scheduler, AJobStartsOnlyAfterEveryJobItWaitsFor) {
  // 0 <- 1 <- 3, 0 <- 2 <- 3
  std::vector<std::vector<size_t>> after = {{}, {0}, {0}, {1, 2}};
  std::mutex mutex;
  std::vector<size_t> started;
  Scheduler scheduler({4, false, nullptr});
  auto results = scheduler.Run(
      after,
      [&](size_t job) {
        std::lock_guard<std::mutex> lock(mutex);
        started.push_back(job);
        return JobResult{};
      },
      nullptr);
  EXPECT_EQ(OutcomesOf(results), Outcomes(4, JobOutcome::kDone));
  ASSERT_EQ(started.size(), 4u);
  EXPECT_EQ(started.front(), 0u);
  EXPECT_EQ(started.back(), 3u);
}

TEST(Scheduler, NeverRunsMoreThanJobsAtOnce) {
  std::atomic<int> running{0}, most{0};
  Scheduler scheduler({2, false, nullptr});
  scheduler.Run(
      std::vector<std::vector<size_t>>(8),
      [&](size_t) {
        int now = ++running;
        int seen = most.load();
        while (now > seen && !most.compare_exchange_weak(seen, now)) {
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
        --running;
        return JobResult{};
      },
      nullptr);
  EXPECT_EQ(most.load(), 2);
}

TEST(Scheduler, AFailureSkipsWhatWaitsForItAndUnrelatedJobsGoOn) {
  // 1 waits for 0 (fails); 2 waits for 1; 3 is unrelated; cached counts as success for 4.
  std::vector<std::vector<size_t>> after = {{}, {0}, {1}, {}, {3}};
  Scheduler scheduler({1, false, nullptr});
  std::vector<JobEvent> events;
  auto results = scheduler.Run(
      after,
      [](size_t job) {
        if (job == 0) return JobResult{JobOutcome::kFailed, "broken"};
        if (job == 3) return JobResult{JobOutcome::kCached, "exists"};
        return JobResult{};
      },
      [&](const JobEvent& event) { events.push_back(event); });
  EXPECT_EQ(OutcomesOf(results),
            (Outcomes{JobOutcome::kFailed, JobOutcome::kSkipped, JobOutcome::kSkipped,
                      JobOutcome::kCached, JobOutcome::kDone}));
  EXPECT_EQ(results[1].message, "a dependency failed");
  // Skipped jobs never start: one finished event each, started events only for those run.
  EXPECT_EQ(std::count_if(events.begin(), events.end(),
                          [](const JobEvent& e) { return e.kind == JobEvent::Kind::kStarted; }),
            3);
  EXPECT_EQ(events.size(), 3u + 5u);
}

TEST(Scheduler, FailFastStopsTheRunAndCallsItsHookOnce) {
  int hooks = 0;
  Scheduler scheduler({1, true, [&] { ++hooks; }});
  auto results = scheduler.Run(
      std::vector<std::vector<size_t>>(4),
      [](size_t job) {
        return job == 1 ? JobResult{JobOutcome::kFailed, "no"} : JobResult{};
      },
      nullptr);
  EXPECT_EQ(OutcomesOf(results), (Outcomes{JobOutcome::kDone, JobOutcome::kFailed,
                                           JobOutcome::kSkipped, JobOutcome::kSkipped}));
  EXPECT_EQ(hooks, 1);
}

TEST(Scheduler, AnInterruptStartsNothingMoreAndMarksWhatFailedAsInterrupted) {
  Scheduler scheduler({1, false, nullptr});
  auto results = scheduler.Run(
      std::vector<std::vector<size_t>>(3),
      [&](size_t job) {
        if (job == 0) return JobResult{};
        scheduler.Interrupt();  // Ctrl-C while job 1 runs: its process fails
        return JobResult{JobOutcome::kFailed, "killed"};
      },
      nullptr);
  EXPECT_EQ(OutcomesOf(results),
            (Outcomes{JobOutcome::kDone, JobOutcome::kInterrupted, JobOutcome::kInterrupted}));
  EXPECT_EQ(results[2].message, "stopped");
}

TEST(Scheduler, AnExceptionInAJobIsItsFailure) {
  Scheduler scheduler({2, false, nullptr});
  auto results = scheduler.Run(
      {{}, {0}},
      [](size_t job) -> JobResult {
        if (job == 0) throw std::runtime_error("bad json");
        return {};
      },
      nullptr);
  EXPECT_EQ(OutcomesOf(results), (Outcomes{JobOutcome::kFailed, JobOutcome::kSkipped}));
  EXPECT_EQ(results[0].message, "internal error: bad json");
}

TEST(Scheduler, NoJobsIsNoWork) {
  Scheduler scheduler({4, false, nullptr});
  EXPECT_TRUE(scheduler
                  .Run(
                      {}, [](size_t) { return JobResult{}; }, nullptr)
                  .empty());
}

}  // namespace
}  // namespace hoist
