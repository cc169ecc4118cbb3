#include "run/interrupts.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <future>
#include <thread>

#include "util/subprocess.h"

namespace hoist {
namespace {

using Clock = std::chrono::steady_clock;

/// The scenario runs in a process of its own (a death test re-runs this binary), so the
/// signal and the stopped processes never reach other tests. It exits 0 when every
/// expectation held, else prints what did not and exits 1.
void SignalScenario(int signal) {
  interrupts::Install();
  std::atomic<int> handled{0};
  interrupts::Scope scope([&] { ++handled; });
  std::atomic<bool> acted{false};
  AddStopAction([&] { acted = true; });
  auto child = std::async(std::launch::async, [] {
    ProcessSpec spec;
    spec.argv = {"sh", "-c", "sleep 30; exit 7"};
    spec.stoppable = true;
    return RunProcess(spec);
  });
  auto until = Clock::now() + std::chrono::seconds(5);
  while (!ProcessesRunning() && Clock::now() < until) usleep(1000);
  const auto sent = Clock::now();
  kill(getpid(), signal);
  if (child.wait_for(std::chrono::seconds(5)) != std::future_status::ready) {
    // Say how far the stop came (the death test then waits out the sleep, which holds its pipe).
    fprintf(stderr,
            "the stoppable child outlived the signal: received %d, handled %d, acted %d, "
            "stopped %d, running %d\n",
            interrupts::Received(), handled.load(), acted.load(), ProcessesStopped() ? 1 : 0,
            ProcessesRunning() ? 1 : 0);
    _exit(1);
  }
  auto result = child.get();
  const auto waited = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - sent);
  until = Clock::now() + std::chrono::seconds(5);
  while (ProcessesRunning() && Clock::now() < until) usleep(1000);
  bool ok = result.ok() && result->exit_code == 128 + SIGTERM && interrupts::Received() == signal &&
            handled == 1 && acted && waited.count() < 2000 && ProcessesStopped();
  // A handler added after the signal runs at once; a later stoppable process does not start.
  interrupts::Scope late([&] { ++handled; });
  ProcessSpec again;
  again.argv = {"true"};
  again.stoppable = true;
  ok = ok && handled == 2 && !RunProcess(again).ok();
  if (!ok) {
    fprintf(stderr, "exit %d, received %d, handled %d, acted %d, waited %lld ms\n",
            result.ok() ? result->exit_code : -1, interrupts::Received(), handled.load(),
            acted.load(), static_cast<long long>(waited.count()));
  }
  _exit(ok ? 0 : 1);
}

TEST(Interrupts, TheFirstSignalStopsEveryChildAndCallsTheHandlersOnce) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(SignalScenario(SIGINT), ::testing::ExitedWithCode(0), "");
  EXPECT_EXIT(SignalScenario(SIGTERM), ::testing::ExitedWithCode(0), "");
  EXPECT_EXIT(SignalScenario(SIGHUP), ::testing::ExitedWithCode(0), "");
}

void TwoSignals() {
  interrupts::Install();
  interrupts::Scope run([] {});  // a run that winds down: the first signal does not exit
  // A process that ignores SIGTERM keeps the first stop waiting; the second signal leaves.
  std::thread([] {
    ProcessSpec spec;
    spec.argv = {"sh", "-c", "trap '' TERM; sleep 3"};
    spec.stoppable = true;
    (void)RunProcess(spec);
  }).detach();
  usleep(200 * 1000);
  kill(getpid(), SIGINT);
  usleep(100 * 1000);
  kill(getpid(), SIGINT);
  sleep(10);
  _exit(0);  // not reached: the second signal exits 130 at once
}

TEST(Interrupts, ASecondSignalExitsAtOnce) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(TwoSignals(), ::testing::ExitedWithCode(128 + SIGINT), "");
}

void Unattended() {
  interrupts::Install();
  std::thread([] {
    ProcessSpec spec;
    spec.argv = {"sleep", "30"};
    spec.stoppable = true;
    (void)RunProcess(spec);
  }).detach();
  usleep(200 * 1000);
  kill(getpid(), SIGTERM);
  sleep(20);
  _exit(0);  // not reached: nothing winds down, so the watch stops the sleep and exits 143
}

TEST(Interrupts, WithNoRunToWindDownTheSignalStopsWhatRunsAndExits) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(Unattended(), ::testing::ExitedWithCode(128 + SIGTERM), "");
}

}  // namespace
}  // namespace hoist
