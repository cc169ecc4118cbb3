// How many calls hoist makes to the Docker engine, counted by a recording proxy in front of the
// engine's socket (tests/fixtures/engine_call_recorder.py), not timed.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "support/docker_engine.h"
#include "support/temp_repo.h"
#include "util/background_process.h"

namespace hoist {
namespace {

using testing::RunOk;
using testing::TempRepo;

constexpr int kProjects = 200;

/// The unix socket of the engine the tests use (DOCKER_HOST's, else the default).
std::string EngineSocket() {
  const char* host = std::getenv("DOCKER_HOST");
  const std::string value = host ? host : "";
  if (value.rfind("unix://", 0) == 0) return value.substr(7);
  return "/var/run/docker.sock";
}

class EngineCalls : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(testing::EnsureDockerEngine(), "") << "these tests need a Docker engine";
    // The proxy listens on a unix socket and forwards to the engine's: an engine reached over
    // tcp:// (a remote DOCKER_HOST) cannot be put behind it, so the count is not taken there.
    // CI and the README's test command use the local socket, where the test always runs.
    const char* host = std::getenv("DOCKER_HOST");
    if (host && *host && std::string(host).rfind("unix://", 0) != 0) {
      GTEST_SKIP()
          << "DOCKER_HOST is not a unix socket: the recording proxy stands in front of one";
    }
    RunOk(HOIST_SOURCE_DIR, {"bash", "scripts/make-busybox-image.sh"});
    // Projects of their own: another test's images never answer for them.
    const std::string own = std::filesystem::path(repo.root()).filename().string();
    std::string manifest;
    char name[16];
    for (int i = 0; i < kProjects; ++i) {
      std::snprintf(name, sizeof name, "p%03d", i);
      manifest += std::string(name) + ":\n  buildDir: " + name + "\n";
      repo.Write(std::string(name) + "/Dockerfile", "FROM hoist-example/busybox:1\n");
      repo.Write(std::string(name) + "/own.txt", own + "\n");
    }
    repo.Write("build_manifest.yml", manifest);
    repo.Commit("200 projects");
    // Every project's image present in the engine, tagged as a build would.
    std::istringstream hashes(testing::RunHoist(repo.root(), {"hash"}).out);
    std::ofstream tags(repo.root() + "/.git/tags");
    for (std::string project, hash; hashes >> project >> hash;) {
      tags << "hoist/" << project << ":cache-" << hash << "\n";
      references.push_back("hoist/" + project + ":cache-" + hash);
    }
    tags.close();
    ASSERT_EQ(references.size(), static_cast<size_t>(kProjects));
    RunOk(repo.root(),
          {"sh", "-c", "xargs -P 4 -n 1 docker tag hoist-example/busybox:1 < .git/tags"});

    dir = testing::MakeTempDir("hoist-engine-calls");
    proxy = std::make_unique<BackgroundProcess>(
        std::vector<std::string>{
            "python3", std::string(HOIST_SOURCE_DIR) + "/tests/fixtures/engine_call_recorder.py",
            dir + "/engine.sock", EngineSocket(), dir + "/calls.log"},
        dir + "/proxy.log");
    for (int i = 0; i < 100 && !std::filesystem::exists(dir + "/engine.sock"); ++i) {
      usleep(50 * 1000);
    }
    ASSERT_TRUE(std::filesystem::exists(dir + "/engine.sock"))
        << testing::ReadText(dir + "/proxy.log");
  }

  void TearDown() override {
    if (proxy) proxy->Stop();
    if (!references.empty()) {
      RunOk(repo.root(), {"sh", "-c", "xargs docker image rm -f < .git/tags >/dev/null"});
    }
    if (!dir.empty()) std::filesystem::remove_all(dir);
  }

  /// Runs hoist through the proxy; returns the engine calls it made (request lines).
  std::vector<std::string> Calls(const std::vector<std::string>& args, testing::HoistRun* run) {
    // Emptied, not removed: the proxy keeps the file open and appends to it.
    std::ofstream(dir + "/calls.log", std::ios::trunc).close();
    *run = testing::RunHoist(repo.root(), args, {"DOCKER_HOST=unix://" + dir + "/engine.sock"});
    std::vector<std::string> calls;
    std::istringstream log(testing::ReadText(dir + "/calls.log"));
    for (std::string line; std::getline(log, line);) calls.push_back(line);
    return calls;
  }

  static std::string Joined(const std::vector<std::string>& calls) {
    std::string out;
    for (const auto& call : calls) out += call + "\n";
    return out;
  }

  TempRepo repo;
  std::string dir;
  std::unique_ptr<BackgroundProcess> proxy;
  std::vector<std::string> references;
};

// "hoist status with the local engine … takes 32 s for 200 projects: one docker image ls
// process per project"; the build's decisions were two inspects per project (401 calls for a
// build of 200 projects that had nothing to do). One listing answers all of them now.
TEST_F(EngineCalls, TwoHundredProjectsAreAnsweredByOneListing) {
  testing::HoistRun run;
  auto calls = Calls({"status"}, &run);
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_GE(calls.size(), 1u) << "the proxy saw no call: " << testing::ReadText(dir + "/proxy.log");
  EXPECT_LE(calls.size(), 2u) << Joined(calls);

  calls = Calls({"--json", "build", "--all"}, &run);
  ASSERT_EQ(run.exit_code, 0) << run.err;
  auto results = testing::BuildResults(run.out);
  ASSERT_EQ(results.size(), static_cast<size_t>(kProjects)) << run.out;
  for (const auto& [project, result] : results) EXPECT_EQ(result, "cached") << project;
  EXPECT_LE(calls.size(), 3u) << Joined(calls);  // _ping, the base image, the listing

  // What the listing answers is what the engine holds: a taint among the 200 is seen.
  ASSERT_EQ(testing::RunHoist(repo.root(), {"taint", "p005"}).exit_code, 0);
  std::ofstream(repo.root() + "/.git/tags", std::ios::app) << "hoist/p005:tainted\n";
  calls = Calls({"build", "--all", "--dry-run"}, &run);
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_LE(calls.size(), 3u) << Joined(calls);
  EXPECT_NE(run.out.find("build   p005 "), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("tainted"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("cached  p006 "), std::string::npos) << run.out;

  // A few projects are asked one by one (a listing costs in proportion to every image the
  // engine holds): two inspects each, beside the pings and the base image's inspect.
  calls = Calls({"build", "p001", "p002"}, &run);
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_LE(calls.size(), 7u) << Joined(calls);
}

}  // namespace
}  // namespace hoist
