// The generated GitHub workflow run end to end on the bundled example: hoist installed by the
// workflow itself from the team's registry (hoist self publish), then env, build, test, the
// config check and deploy, all green; a second run of the same commit builds and tests nothing.
// GitHub's hosted runner cannot run here: tests/fixtures/github_runner_standin.py is a named
// stand-in that runs the jobs' steps with GitHub's rules (needs, if:, GITHUB_ENV, GITHUB_PATH,
// actions/checkout and actions/cache, a fresh $HOME per job). Docker, git and the registries
// are real.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <iostream>
#include <set>

#include "support/docker_engine.h"
#include "support/registry_fixture.h"
#include "support/temp_repo.h"

namespace hoist {
namespace {

namespace fs = std::filesystem;
using testing::ReadText;
using testing::RunOk;

/// Runs one pipeline and prints how long it took: not asserted (timing is the benchmarks'
/// business), printed for the record.
Expected<ProcessResult> RunPipeline(const ProcessSpec& spec) {
  const auto started = std::chrono::steady_clock::now();
  auto result = RunProcess(spec);
  std::cout << "[ timing   ] " << ::testing::UnitTest::GetInstance()->current_test_info()->name()
            << ": a pipeline run took "
            << std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count()
            << " s\n";
  return result;
}

/// Copies the bundled example into `repo`, with the engine and the base image it builds on;
/// "" when ready, else why not.
std::string CopyExample(const testing::TempRepo& repo) {
  std::string why = testing::EnsureDockerEngine();
  if (!why.empty()) return "the jobs build images: " + why;
  RunOk(HOIST_SOURCE_DIR, {"bash", "scripts/make-busybox-image.sh"});
  RunOk(repo.root(),
        {"cp", "-r", std::string(HOIST_SOURCE_DIR) + "/examples/monorepo/.", repo.root()});
  return "";
}

class GithubWorkflow : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(CopyExample(repo), "");
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
    auto result = RunPipeline(spec);
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

/// The jobs an affected-only pipeline ran: "title result" of every matrix job (sorted), then
/// the other jobs' "id result" lines in order.
std::string Started(const std::string& output) {
  std::vector<std::string> matrix;
  std::string others;
  for (const auto& line : testing::Lines(output)) {
    if (line.rfind("wave-", 0) == 0 && line.find(' ') != line.rfind(' ')) {
      matrix.push_back(line.substr(line.find(' ') + 1));
    } else if (!line.empty()) {
      others += line + "\n";
    }
  }
  std::sort(matrix.begin(), matrix.end());
  std::string out;
  for (const auto& line : matrix) out += line + "\n";
  return out + others;
}

/// What `hoist affected --base HEAD~1` says changed: their build jobs and test jobs, as the
/// CI shows them ("build api", "test api smoke").
std::set<std::string> AffectedJobs(const std::string& root) {
  std::set<std::string> jobs;
  for (const auto& project :
       testing::Lines(RunOk(root, {HOIST_BINARY, "affected", "--base", "HEAD~1"}))) {
    if (project.empty()) continue;
    jobs.insert("build " + project);
    if (project == "api") jobs.insert("test api smoke");
    if (project == "e2e-tests") jobs.insert("test e2e-tests e2e");
  }
  return jobs;
}

// "Every job starts on every push": with ci.dynamic, a plan job decides from the registry, and
// a push that changes nothing starts the plan job alone; a library change starts exactly the
// builds and tests it affects, in dependency waves (GitHub matrix jobs), then the deploy.
TEST_F(GithubWorkflow, AnAffectedOnlyPipelineStartsOnlyWhatChanged) {
  repo.Write("hoist.yml", ReadText(repo.root() + "/hoist.yml") + "ci:\n  dynamic: true\n");
  ASSERT_EQ(testing::RunHoist(repo.root(), {"ci", "generate", "--vendor", "github"}).exit_code, 0);
  commit = repo.Commit("an affected-only workflow");
  auto published = testing::RunHoist(
      repo.root(), {"self", "publish", testing::ReleaseTarball(), "--to", cache.host() + "/ci"});
  ASSERT_EQ(published.exit_code, 0) << published.err;

  // The first push: everything, wave after wave.
  EXPECT_EQ(Started(Run("1")),
            "build api success\nbuild base success\nbuild e2e-tests success\n"
            "build greeting success\nbuild lint success\nbuild worker success\n"
            "test api smoke success\ntest e2e-tests e2e success\n"
            "plan success\ndeploy success\n");
  EXPECT_NE(Log("plan").find("run  build-base: no image cache-"), std::string::npos) << Log("plan");
  EXPECT_NE(Log("deploy").find("deployed"), std::string::npos) << Log("deploy");

  // The same commit again: one job starts.
  EXPECT_EQ(Run("2"),
            "plan success\nwave-1 skipped\nwave-2 skipped\nwave-3 skipped\nwave-4 skipped\n"
            "wave-5 skipped\ndeploy skipped\n");
  EXPECT_NE(Log("plan").find("skip deploy: every project is deployed to"), std::string::npos)
      << Log("plan");

  // A library change: exactly what it affects, then the deploy.
  repo.Write("libs/greeting/src/greeting.c",
             ReadText(repo.root() + "/libs/greeting/src/greeting.c") + "/* changed */\n");
  commit = repo.Commit("change the library");
  std::set<std::string> started;
  const std::string output = Run("3");
  for (const auto& line : testing::Lines(Started(output))) {
    if (line.rfind("build ", 0) == 0 || line.rfind("test ", 0) == 0) {
      started.insert(line.substr(0, line.rfind(' ')));
      EXPECT_EQ(line.substr(line.rfind(' ') + 1), "success") << output;
    }
  }
  const std::set<std::string> affected = AffectedJobs(repo.root());
  EXPECT_EQ(started, affected) << output;
  EXPECT_EQ(affected.count("build base"), 0u);
  EXPECT_NE(output.find("deploy success"), std::string::npos) << output;
}

// The generated GitLab pipeline run for real by gitlab-ci-local (from the npm registry, pinned
// in tests/tools) with its shell executor, each job in a copy of its own (--shell-isolation),
// hoist installed by the pipeline from the registry, not from PATH. gitlab-ci-local sets
// GITLAB_CI=false to tell scripts it is not GitLab; the test sets what GitLab sets, true.
class GitlabPipeline : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(CopyExample(repo), "");
    // A shell runner (its tag): no job image, no docker:dind service.
    repo.Write("hoist.yml", ReadText(repo.root() + "/hoist.yml") + "ci:\n  runner: shell\n");
    ASSERT_EQ(testing::RunHoist(repo.root(), {"ci", "generate", "--vendor", "gitlab"}).exit_code,
              0);
    repo.Commit("the example, with its generated pipeline");
    auto published = testing::RunHoist(
        repo.root(), {"self", "publish", testing::ReleaseTarball(), "--to", cache.host() + "/ci"});
    ASSERT_EQ(published.exit_code, 0) << published.err;
  }

  /// Runs the pipeline; returns the "PASS job" / "FAIL job" lines, sorted.
  std::string Run() {
    // The project's CI/CD variables, which GitLab gives child pipelines too: gitlab-ci-local
    // reads them from this file (its --variable reaches no child pipeline). Not committed.
    repo.Write(".gitlab-ci-local-variables.yml",
               "GITLAB_CI: 'true'\nHOIST_REGISTRY: " + cache.host() +
                   "/ci\nHOIST_DEPLOY_REGISTRY: " + target.host() + "/prod\n");
    ProcessSpec spec;
    spec.argv = {std::string(HOIST_TEST_TOOLS) + "/node_modules/.bin/gitlab-ci-local",
                 "--shell-isolation",
                 "--variable",
                 "GITLAB_CI=true",
                 "--variable",
                 "HOIST_REGISTRY=" + cache.host() + "/ci",
                 "--variable",
                 "HOIST_DEPLOY_REGISTRY=" + target.host() + "/prod"};
    spec.cwd = repo.root();
    spec.timeout_seconds = 900;
    // Not the hoist the tests built: the pipeline installs its own.
    spec.env = {"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                "HOIST_NETWORK=", "HOIST_LOCAL="};
    auto result = RunPipeline(spec);
    EXPECT_TRUE(result.ok());
    if (!result.ok()) return "";
    EXPECT_EQ(result->exit_code, 0) << result->stdout_text << result->stderr_text;
    std::vector<std::string> lines;
    for (const auto& line : testing::Lines(result->stdout_text)) {
      const size_t start = line.find_first_not_of(' ');
      if (start == std::string::npos) continue;
      const std::string text = line.substr(start);
      if (text.rfind("PASS ", 0) == 0 || text.rfind("FAIL ", 0) == 0) {
        lines.push_back(text.substr(0, text.find_last_not_of(' ') + 1));
      }
    }
    std::sort(lines.begin(), lines.end());
    std::string out;
    for (const auto& line : lines) out += line + "\n";
    // (gitlab-ci-local exits 0 when a child pipeline's job failed: say what it printed.)
    EXPECT_EQ(out.find("FAIL "), std::string::npos) << result->stdout_text;
    return out;
  }
  std::string Log(const std::string& job) {
    return ReadText(repo.root() + "/.gitlab-ci-local/output/" + job + ".log");
  }

  testing::TempRepo repo;
  testing::RegistryFixture cache, target;
};

TEST_F(GitlabPipeline, GreenThenNothingThenExactlyWhatALibraryChangeAffects) {
  const std::string all_pass =
      "PASS  build-api\nPASS  build-base\nPASS  build-e2e-tests\nPASS  build-greeting\n"
      "PASS  build-lint\nPASS  build-worker\nPASS  ci-config\nPASS  deploy\n"
      "PASS  test-api-smoke\nPASS  test-e2e-tests-e2e\n";
  EXPECT_EQ(Run(), all_pass);
  EXPECT_NE(Log("build-base").find("hoist 0.1.0 (commit"), std::string::npos) << Log("build-base");
  EXPECT_NE(Log("build-base").find("1 built"), std::string::npos) << Log("build-base");
  EXPECT_NE(Log("deploy").find("deployed"), std::string::npos) << Log("deploy");

  EXPECT_EQ(Run(), all_pass);  // the same commit again
  for (const char* job : {"build-base", "build-greeting", "build-api", "build-worker",
                          "build-e2e-tests", "build-lint"}) {
    EXPECT_NE(Log(job).find(" 0 built, "), std::string::npos) << job << "\n" << Log(job);
  }
  EXPECT_NE(Log("test-api-smoke").find("passed before"), std::string::npos);
  EXPECT_NE(Log("deploy").find("already deployed"), std::string::npos) << Log("deploy");

  // One library changes: exactly it and what depends on it build again.
  repo.Write("libs/greeting/src/greeting.c",
             ReadText(repo.root() + "/libs/greeting/src/greeting.c") + "/* changed */\n");
  repo.Commit("change the library");
  EXPECT_EQ(Run(), all_pass);
  std::set<std::string> built;
  for (const char* project : {"base", "greeting", "api", "worker", "e2e-tests", "lint"}) {
    const std::string log = Log(std::string("build-") + project);
    if (log.find("\n" + std::string(project) + " ") != std::string::npos &&
        log.find(" 0 built, ") == std::string::npos) {
      built.insert(project);
    }
  }
  const std::string affected = RunOk(repo.root(), {HOIST_BINARY, "affected", "--base", "HEAD~1"});
  std::set<std::string> expected;
  for (const auto& line : testing::Lines(affected)) expected.insert(line);
  EXPECT_EQ(built, expected) << affected;
  EXPECT_EQ(expected.count("base"), 0u);
}

// The same with GitLab's child pipelines: the plan job leaves the pipeline of the jobs to run,
// which the trigger job starts; a push that changes nothing runs the plan job and the one job
// GitLab needs to accept a child pipeline (it refuses an empty one), which clones nothing.
TEST_F(GitlabPipeline, AnAffectedOnlyPipelineStartsOnlyWhatChanged) {
  repo.Write("hoist.yml", ReadText(repo.root() + "/hoist.yml") + "  dynamic: true\n");
  ASSERT_EQ(testing::RunHoist(repo.root(), {"ci", "generate", "--vendor", "gitlab"}).exit_code, 0);
  repo.Commit("an affected-only pipeline");
  EXPECT_EQ(Run(),
            "PASS  [pipeline] -> build-api\nPASS  [pipeline] -> build-base\n"
            "PASS  [pipeline] -> build-e2e-tests\nPASS  [pipeline] -> build-greeting\n"
            "PASS  [pipeline] -> build-lint\nPASS  [pipeline] -> build-worker\n"
            "PASS  [pipeline] -> deploy\nPASS  [pipeline] -> test-api-smoke\n"
            "PASS  [pipeline] -> test-e2e-tests-e2e\nPASS  pipeline\nPASS  plan\n");

  EXPECT_EQ(Run(), "PASS  [pipeline] -> nothing-to-do\nPASS  pipeline\nPASS  plan\n");
  EXPECT_NE(Log("plan").find("skip test-api-smoke: passed at"), std::string::npos) << Log("plan");

  repo.Write("libs/greeting/src/greeting.c",
             ReadText(repo.root() + "/libs/greeting/src/greeting.c") + "/* changed */\n");
  repo.Commit("change the library");
  std::set<std::string> started;
  for (const auto& line : testing::Lines(Run())) {
    const std::string prefix = "PASS  [pipeline] -> ";
    if (line.rfind(prefix, 0) == 0 && line != prefix + "deploy") {
      std::string id = line.substr(prefix.size());
      // build-api -> "build api", test-api-smoke -> "test api smoke"
      if (id == "test-e2e-tests-e2e") {
        id = "test e2e-tests e2e";
      } else if (id.rfind("build-", 0) == 0) {
        id = "build " + id.substr(6);
      } else if (id == "test-api-smoke") {
        id = "test api smoke";
      }
      started.insert(id);
    }
  }
  EXPECT_EQ(started, AffectedJobs(repo.root()));
}

}  // namespace
}  // namespace hoist
