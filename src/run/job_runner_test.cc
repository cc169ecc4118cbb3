// The job runner over a machine pool of fakes: placement, one job per machine, machines
// finished after their job, a spot machine taken back replaced on demand.
#include "run/job_runner.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>

#include "machines/placement.h"
#include "support/fakes.h"

namespace hoist {
namespace {

using testing::FakeImageBuilder;
using testing::FakeMachine;

/// Records what a run showed.
class Recorder : public RunObserver {
 public:
  void Event(const JobEvent& event) override {
    std::lock_guard<std::mutex> lock(mutex);
    events.push_back(event);
  }
  void Line(size_t job, const std::string& line) override {
    std::lock_guard<std::mutex> lock(mutex);
    lines.push_back(std::to_string(job) + " " + line);
  }
  std::mutex mutex;
  std::vector<JobEvent> events;
  std::vector<std::string> lines;
};

class JobRunnerTest : public ::testing::Test {
 protected:
  JobRunnerTest()
      : pool(local, 1, SshSettings{}, [this](const std::string& placement, const std::string& job) {
          std::lock_guard<std::mutex> lock(mutex);
          made.push_back(placement + " for " + job);
          auto machine = std::make_unique<FakeMachine>(placement + "#" + job);
          machine->journal = &journal;
          machine->lost = lose_next_spot && placement == "spot:4";
          machine->interrupted = machine->lost;
          return Expected<std::unique_ptr<BuildMachine>>(std::move(machine));
        }) {}

  FakeImageBuilder local{"local engine"};
  std::mutex mutex;
  std::vector<std::string> made, journal;
  bool lose_next_spot = false;
  MachinePool pool;
  Recorder recorder;
};

TEST_F(JobRunnerTest, EachJobRunsOnAMachineOfItsPlacementWhichEndsWithIt) {
  std::vector<RunJob> jobs = {{"lib", "local", {}, ""}, {"app", "spot:4", {0}, ""}};
  JobRunner runner(&pool, {4, false});
  auto results = runner.Run(
      jobs,
      [](JobScope& scope) {
        auto done = scope.OnMachine(
            "nothing was tagged", [&](BuildMachine& machine, ImageBuilder& builder) {
              scope.Say("on " + machine.Describe() + " with " + builder.Describe());
              return Status(Ok());
            });
        return done ? JobResult{} : JobResult{JobOutcome::kFailed, done.error().message};
      },
      recorder);
  EXPECT_EQ(results[0].outcome, JobOutcome::kDone);
  EXPECT_EQ(results[1].outcome, JobOutcome::kDone);
  EXPECT_EQ(recorder.lines, (std::vector<std::string>{"0 on local engine with local engine",
                                                      "1 on spot:4#app with spot:4#app"}));
  EXPECT_EQ(made, (std::vector<std::string>{"spot:4 for app"}));
  EXPECT_EQ(journal, (std::vector<std::string>{"finished spot:4#app"}));
  EXPECT_EQ(runner.interrupted(), 0);
}

TEST_F(JobRunnerTest, ASpotMachineTakenBackIsReplacedOnDemandOnce) {
  lose_next_spot = true;
  JobRunner runner(&pool, {1, false});
  int attempts = 0;
  auto results = runner.Run(
      {{"app", "spot:4", {}, ""}},
      [&](JobScope& scope) {
        auto done = scope.OnMachine("nothing was tagged", [&](BuildMachine&, ImageBuilder&) {
          ++attempts;
          return attempts == 1 ? Status(Error{"ssh: connection lost"}) : Status(Ok());
        });
        return done ? JobResult{} : JobResult{JobOutcome::kFailed, done.error().message};
      },
      recorder);
  EXPECT_EQ(results[0].outcome, JobOutcome::kDone) << results[0].message;
  EXPECT_EQ(made, (std::vector<std::string>{"spot:4 for app", "spot:4/on-demand for app"}));
  EXPECT_EQ(journal,
            (std::vector<std::string>{"finished spot:4#app", "finished spot:4/on-demand#app"}));
  EXPECT_NE(std::find_if(recorder.lines.begin(), recorder.lines.end(),
                         [](const std::string& line) {
                           return line.find("retrying on an on-demand machine") !=
                                  std::string::npos;
                         }),
            recorder.lines.end());
}

TEST_F(JobRunnerTest, TheLocalEngineTakesAsManyJobsAtOnceAsItHasSlots) {
  std::atomic<int> running{0}, most{0};
  JobRunner runner(&pool, {4, false});  // four workers, one local slot
  runner.Run(
      std::vector<RunJob>(4, RunJob{"x", "local", {}, ""}),
      [&](JobScope& scope) {
        auto done = scope.OnMachine("", [&](BuildMachine&, ImageBuilder&) {
          int now = ++running;
          most = std::max(most.load(), now);
          std::this_thread::sleep_for(std::chrono::milliseconds(5));
          --running;
          return Status(Ok());
        });
        return done ? JobResult{} : JobResult{JobOutcome::kFailed, done.error().message};
      },
      recorder);
  EXPECT_EQ(most.load(), 1);
}

TEST_F(JobRunnerTest, AJobWithoutMachinesRunsWithoutAPool) {
  JobRunner runner(nullptr, {2, false});
  auto results = runner.Run(
      {{"deploy", "", {}, ""}},
      [](JobScope& scope) {
        auto done = scope.OnMachine("", [](BuildMachine&, ImageBuilder&) { return Status(Ok()); });
        return done ? JobResult{} : JobResult{JobOutcome::kFailed, done.error().message};
      },
      recorder);
  EXPECT_EQ(results[0].outcome, JobOutcome::kFailed);
  EXPECT_NE(results[0].message.find("has no machines"), std::string::npos);
}

TEST(Placement, AProjectsOwnRemoteWinsOnceRemoteIsGiven) {
  Manifest manifest;
  manifest.projects.resize(3);
  manifest.projects[1].remote = "spot:8";
  manifest.projects[2].remote = "local";
  HoistConfig config;
  auto none = PlaceJobs(manifest, {}, config, {0, 1, 2});
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(*none, (std::vector<std::string>{"local", "local", "local"}));
  auto spot = PlaceJobs(manifest, {"spot:4"}, config, {0, 1, 2});
  ASSERT_TRUE(spot.ok());
  EXPECT_EQ(*spot, (std::vector<std::string>{"spot:4", "spot:8", "local"}));
  auto hosts = PlaceJobs(manifest, {"ssh://a@h1", "ssh://a@h2"}, config, {0});
  ASSERT_TRUE(hosts.ok());
  EXPECT_EQ((*hosts)[0], "cli");
  EXPECT_FALSE(PlaceJobs(manifest, {"spot:0"}, config, {0}).ok());
  EXPECT_FALSE(PlaceJobs(manifest, {"ssh://a@h1", "pool"}, config, {0}).ok());
  auto pool = PlaceJobs(manifest, {"pool"}, config, {0});
  ASSERT_FALSE(pool.ok());
  EXPECT_NE(pool.error().message.find("hoist.yml lists no remotes"), std::string::npos);
}

}  // namespace
}  // namespace hoist
