// The generated GitHub workflow run end to end on the bundled example: hoist installed by the
// workflow itself from the team's registry (hoist self publish), then env, build, test, the
// config check and deploy, all green; a second run of the same commit builds and tests nothing.
// GitHub's hosted runner cannot run here: tests/fixtures/github_runner_standin.py is a named
// stand-in that runs the jobs' steps with GitHub's rules (needs, if:, GITHUB_ENV, GITHUB_PATH,
// actions/checkout and actions/cache, a fresh $HOME per job). Docker, git and the registries
// are real.
#include <gtest/gtest.h>

#include <filesystem>

#include "support/docker_engine.h"
#include "support/registry_fixture.h"
#include "support/temp_repo.h"

namespace hoist {
namespace {

namespace fs = std::filesystem;
using testing::ReadText;
using testing::RunOk;

class GithubWorkflow : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(testing::EnsureDockerEngine(), "") << "the jobs build images";
    RunOk(HOIST_SOURCE_DIR, {"bash", "scripts/make-busybox-image.sh"});
    RunOk(repo.root(),
          {"cp", "-r", std::string(HOIST_SOURCE_DIR) + "/examples/monorepo/.", repo.root()});
    ASSERT_EQ(testing::RunHoist(repo.root(), {"ci", "generate", "--vendor", "github"}).exit_code,
              0);
    commit = repo.Commit("the example, with its generated workflow");
    work = testing::MakeTempDir("hoist-github-standin");
  }
  void TearDown() override { fs::remove_all(work); }

  /// Runs the workflow for a push of `commit` to main; returns "job result" lines.
  std::string Run(const std::string& run_id) {
    ProcessSpec spec;
    spec.argv = {"python3",
                 std::string(HOIST_SOURCE_DIR) + "/tests/fixtures/github_runner_standin.py",
                 repo.root() + "/.github/workflows/hoist.yml",
                 repo.root(),
                 work,
                 "--ref",
                 "refs/heads/main",
                 "--sha",
                 commit,
                 "--run-id",
                 run_id,
                 "--var",
                 "HOIST_REGISTRY=" + cache.host() + "/ci",
                 "--var",
                 "HOIST_DEPLOY_REGISTRY=" + target.host() + "/prod"};
    auto result = RunProcess(spec);
    EXPECT_TRUE(result.ok());
    if (!result.ok()) return "";
    EXPECT_EQ(result->exit_code, 0) << result->stdout_text << result->stderr_text << Logs();
    return result->stdout_text;
  }
  std::string Log(const std::string& job) { return ReadText(work + "/logs/" + job + ".log"); }
  std::string Logs() {
    std::string all;
    for (const auto& entry : fs::directory_iterator(work + "/logs")) {
      all += "==== " + entry.path().filename().string() + "\n" + ReadText(entry.path().string());
    }
    return all;
  }

  testing::TempRepo repo;
  testing::RegistryFixture cache, target;
  std::string commit, work;
};

TEST_F(GithubWorkflow, InstallsHoistFromTheRegistryAndRunsGreenThenHasNothingToDo) {
  auto published = testing::RunHoist(
      repo.root(), {"self", "publish", testing::ReleaseTarball(), "--to", cache.host() + "/ci"});
  ASSERT_EQ(published.exit_code, 0) << published.err;

  const std::string all_green =
      "build-base success\nbuild-greeting success\nbuild-api success\ntest-api-smoke success\n"
      "build-worker success\nbuild-e2e-tests success\ntest-e2e-tests-e2e success\n"
      "build-lint success\nci-config success\ndeploy success\n";
  EXPECT_EQ(Run("1"), all_green);
  // The first job installed hoist from the registry; later jobs found it in the cache.
  EXPECT_NE(Log("build-base").find("cache miss: hoist-0.1.0"), std::string::npos);
  EXPECT_NE(Log("build-api").find("cache hit: hoist-0.1.0"), std::string::npos);
  EXPECT_NE(Log("build-api").find("hoist 0.1.0 (commit"), std::string::npos);
  EXPECT_NE(Log("build-api").find("1 built, 2 cached"), std::string::npos) << Log("build-api");
  EXPECT_NE(Log("test-api-smoke").find("passed"), std::string::npos) << Log("test-api-smoke");
  EXPECT_NE(Log("deploy").find("deployed"), std::string::npos) << Log("deploy");

  // The same commit again: every image is cached, every test pass found, nothing to deploy.
  EXPECT_EQ(Run("2"), all_green);
  EXPECT_NE(Log("build-api").find("0 built, 3 cached"), std::string::npos) << Log("build-api");
  EXPECT_NE(Log("test-api-smoke").find("passed before"), std::string::npos)
      << Log("test-api-smoke");
  EXPECT_NE(Log("deploy").find("already deployed"), std::string::npos) << Log("deploy");
}

}  // namespace
}  // namespace hoist
