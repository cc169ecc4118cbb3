// Ctrl-C and SIGTERM during hoist test and hoist deploy: hoist stops everything it started
// (the `docker run` container of a test job, a deploy command step), waits for it, and exits
// 128 + signal; nothing it started is left and no pass or deployed marker is written.
#include <dirent.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>

#include <chrono>
#include <fstream>
#include <random>
#include <thread>

#include "support/docker_engine.h"
#include "support/registry_fixture.h"
#include "support/temp_repo.h"
#include "util/background_process.h"
#include "util/subprocess.h"

namespace hoist {
namespace {

using Clock = std::chrono::steady_clock;

std::string Token() {
  std::random_device random;
  return std::to_string(random()) + std::to_string(random());
}

/// Waits (at most `seconds`) until `path` holds `text`.
bool WaitForText(const std::string& path, const std::string& text, int seconds) {
  auto deadline = Clock::now() + std::chrono::seconds(seconds);
  while (Clock::now() < deadline) {
    if (testing::ReadText(path).find(text) != std::string::npos) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

/// The processes whose command line holds `text` (other than this test's own).
std::vector<std::string> ProcessesWith(const std::string& text) {
  std::vector<std::string> found;
  DIR* proc = opendir("/proc");
  if (!proc) return found;
  while (dirent* entry = readdir(proc)) {
    const std::string pid = entry->d_name;
    if (pid.find_first_not_of("0123456789") != std::string::npos) continue;
    std::string cmdline = testing::ReadText("/proc/" + pid + "/cmdline");
    for (char& c : cmdline) c = c == '\0' ? ' ' : c;
    if (cmdline.find(text) != std::string::npos) found.push_back(pid + ": " + cmdline);
  }
  closedir(proc);
  return found;
}

/// Sends `signal` to a running hoist and returns its exit status (waits at most 60 s).
int StopWith(BackgroundProcess& hoist, int signal) {
  kill(hoist.pid(), signal);
  auto deadline = Clock::now() + std::chrono::seconds(60);
  while (hoist.running() && Clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_FALSE(hoist.running()) << "hoist did not end within 60 s of signal " << signal;
  return hoist.exit_status();
}

class InterruptedTest : public ::testing::TestWithParam<int> {};

TEST_P(InterruptedTest, StopsTheContainerAndExits128PlusSignal) {
  ASSERT_EQ(testing::EnsureDockerEngine(), "");
  testing::RunOk(HOIST_SOURCE_DIR, {"bash", "scripts/make-busybox-image.sh"});
  const std::string token = Token();
  testing::TempRepo repo;
  repo.Write("build_manifest.yml", "app:\n  buildDir: app\n  tests:\n    slow: \"echo started-" +
                                       token + "; sleep 300\"\n");
  repo.Write("app/Dockerfile", "FROM hoist-example/busybox:1\nCOPY token /token\n");
  repo.Write("app/token", token + "\n");
  repo.Commit();
  auto built = testing::RunHoist(repo.root(), {"build", "app"});
  ASSERT_EQ(built.exit_code, 0) << built.err;

  BackgroundProcess hoist({HOIST_BINARY, "-C", repo.root(), "test", "app"},
                          repo.root() + "/.git/hoist-test.out");
  ASSERT_TRUE(hoist.started()) << hoist.error();
  ASSERT_TRUE(WaitForText(repo.root() + "/.hoist/logs/app-slow.log", "started-" + token, 60))
      << testing::ReadText(repo.root() + "/.hoist/logs/app-slow.log");
  const int signal = GetParam();
  EXPECT_EQ(StopWith(hoist, signal), 128 + signal);
  // Nothing hoist started is left: no container, no docker CLI, no job process.
  auto containers = testing::RunOk(
      repo.root(),
      {"docker", "ps", "-aq", "--filter", "label=dev.hoist.pid=" + std::to_string(hoist.pid())});
  EXPECT_EQ(containers, "");
  EXPECT_EQ(ProcessesWith("started-" + token), std::vector<std::string>());
  // And no pass was recorded: the job runs again.
  auto status = testing::RunHoist(repo.root(), {"status", "app"});
  EXPECT_EQ(status.out.find("passed:slow"), std::string::npos) << status.out;
}

INSTANTIATE_TEST_SUITE_P(Signals, InterruptedTest, ::testing::Values(SIGINT, SIGTERM),
                         [](const auto& signal) {
                           return signal.param == SIGINT ? "SIGINT" : "SIGTERM";
                         });

class InterruptedDeploy : public ::testing::TestWithParam<int> {};

TEST_P(InterruptedDeploy, StopsTheStepAndWritesNoDeployedMarker) {
  const std::string token = Token();
  testing::TempRepo repo;
  testing::RegistryFixture cache, target;
  repo.Write("PROJECT", "acme\n");
  repo.Write("VERSION", "1.0\n");
  repo.Write("build_manifest.yml",
             "api:\n  buildDir: api\n  deploy:\n    - type: command\n      command: \"echo step-" +
                 token + "; sleep 2; touch ../finished\"\n");
  repo.Write("api/Dockerfile", "FROM scratch\n");
  repo.Write(".gitignore", "finished\n");
  repo.Commit();
  const std::string hash = testing::HashOf(repo.root(), "api");
  HttpClient http;
  testing::PushBuiltImage(cache, "ci/api", hash, "api");

  BackgroundProcess hoist({HOIST_BINARY, "-C", repo.root(), "--registry", cache.host() + "/ci",
                           "--deploy-registry", target.host() + "/prod", "deploy"},
                          repo.root() + "/.git/hoist-deploy.out");
  ASSERT_TRUE(hoist.started()) << hoist.error();
  ASSERT_TRUE(WaitForText(repo.root() + "/.hoist/logs/api.log", "step-" + token, 60))
      << testing::ReadText(repo.root() + "/.git/hoist-deploy.out");
  const int signal = GetParam();
  EXPECT_EQ(StopWith(hoist, signal), 128 + signal);
  EXPECT_EQ(ProcessesWith("step-" + token), std::vector<std::string>());
  // Had the step gone on, it would have finished by now.
  std::this_thread::sleep_for(std::chrono::milliseconds(2500));
  struct stat info;
  EXPECT_NE(stat((repo.root() + "/finished").c_str(), &info), 0) << "the step went on";
  // No deployed marker: the next deploy runs the step again.
  auto marker = cache.Client(http)->HeadManifest("ci/api", "deployed-acme-dev");
  ASSERT_TRUE(marker.ok()) << marker.error().message;
  EXPECT_FALSE(marker->has_value());
}

INSTANTIATE_TEST_SUITE_P(Signals, InterruptedDeploy, ::testing::Values(SIGINT, SIGTERM),
                         [](const auto& signal) {
                           return signal.param == SIGINT ? "SIGINT" : "SIGTERM";
                         });

}  // namespace
}  // namespace hoist
