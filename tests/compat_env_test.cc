// `hoist env --compat aztec-ERA -- ARGS…` against what the Aztec build system's setup_env
// wrote to $BASH_ENV, scenario by scenario (the expected values are read off its source:
// build-system 06ec53a for 2024, 89389e8 for 2023-02).
#include <gtest/gtest.h>

#include <map>

#include "support/temp_repo.h"

namespace hoist {
namespace {

using testing::TempRepo;

const char* kCache = "111122223333.dkr.ecr.us-east-2.amazonaws.com";
const char* kDeploy = "111122223333.dkr.ecr.eu-west-2.amazonaws.com";

struct SetupEnv {
  int exit_code = 0;
  std::string out;
  std::vector<std::string> lines;          ///< appended to $BASH_ENV, in order
  std::map<std::string, std::string> env;  ///< its exports
};

SetupEnv RunSetupEnv(const TempRepo& repo, const std::string& era, std::vector<std::string> args) {
  std::string bash_env = testing::MakeTempDir("bash-env") + "/env";
  std::vector<std::string> full = {
      "--registry", kCache, "--deploy-registry", kDeploy, "env", "--compat", era, "--"};
  full.insert(full.end(), args.begin(), args.end());
  auto run = testing::RunHoist(repo.root(), full, {"BASH_ENV=" + bash_env, "PATH=/usr/bin:/bin"});
  SetupEnv result{run.exit_code, run.out, {}, {}};
  for (const auto& line : testing::Lines(testing::ReadText(bash_env))) {
    result.lines.push_back(line);
    if (line.rfind("export ", 0) != 0) continue;
    size_t eq = line.find('=');
    result.env.emplace(line.substr(7, eq - 7), line.substr(eq + 1));  // the first one
  }
  return result;
}

struct Scenario {
  std::string what, message, tag, branch, pull_request;
  std::string commit_tag, deploy_env, deploy_tag, dry_deploy;
};

TEST(CompatEnv, SetupEnv2024DecidesTheDeployTagAsItDid) {
  const std::vector<Scenario> scenarios = {
      {"a push to master", "feat: a", "", "master", "", "", "dev", "aztec-dev", "0"},
      {"a pull request", "feat: a", "", "feature", "https://github.com/o/r/pull/7", "", "", "",
       "0"},
      {"a release tag (no branch)", "feat: a", "v1.2.3", "", "", "v1.2.3", "", "", "0"},
      {"a release tag on master", "feat: a", "v1.2.3", "master", "", "v1.2.3", "prod", "aztec-prod",
       "0"},
      {"release-please's prefix", "feat: a", "aztec-packages-v0.17.0", "master", "", "v0.17.0",
       "prod", "aztec-prod", "0"},
      {"a pre-release", "feat: a", "v2.1.123-testnet.0", "master", "", "v2.1.123-testnet.0",
       "testnet", "aztec-testnet", "0"},
      {"[ci dry-deploy] on a branch", "chore: try [ci dry-deploy]", "", "feature",
       "https://github.com/o/r/pull/8", "v999.999.999", "dev", "aztec-dev", "1"},
      {"[ci debug] on a branch", "fix: it's [ci debug]", "", "feature", "", "", "", "", "0"},
  };
  for (const auto& s : scenarios) {
    SCOPED_TRACE(s.what);
    TempRepo repo;
    repo.Write("build_manifest.yml", "app:\n  buildDir: app\n");
    repo.Write("PROJECT", "aztec\n");
    std::string commit = repo.Commit(s.message);
    auto result = RunSetupEnv(
        repo, "aztec-2024",
        {commit, s.tag, "build-app", "git@github.com:o/r.git", s.branch, s.pull_request});
    ASSERT_EQ(result.exit_code, 0) << result.out;
    EXPECT_EQ(result.env["COMMIT_TAG"], s.commit_tag);
    EXPECT_EQ(result.env["DEPLOY_ENV"], s.deploy_env);
    EXPECT_EQ(result.env["DEPLOY_TAG"], s.deploy_tag);
    EXPECT_EQ(result.env["DRY_DEPLOY"], s.dry_deploy);
    EXPECT_EQ(result.env["PROJECT"], "aztec");
    EXPECT_EQ(result.env["BRANCH"], s.branch);
    EXPECT_EQ(result.env["PULL_REQUEST"], s.pull_request);
    EXPECT_EQ(result.env["JOB_NAME"], "build-app");
    EXPECT_EQ(result.env["COMMIT_HASH"], commit);
    EXPECT_EQ(result.env["ECR_URL"], kCache);
    EXPECT_EQ(result.env["ECR_REGION"], "us-east-2");
    EXPECT_EQ(result.env["ECR_DEPLOY_URL"], kDeploy);
    EXPECT_EQ(result.env["AWS_DEFAULT_REGION"], "eu-west-2");
    EXPECT_EQ(result.env["AWS_ACCOUNT"], "111122223333");
    EXPECT_EQ(result.env["DOCKER_BUILDKIT"], "1");
    EXPECT_EQ(result.env["PATH"], "$PATH:" + repo.root() + "/build-system/scripts");
    EXPECT_EQ(result.env["ROOT_PATH"], repo.root());
    // Its order: the strict shell options after the variables, the tools' folder last.
    auto strict = std::find(result.lines.begin(), result.lines.end(), "set -euo pipefail");
    ASSERT_NE(strict, result.lines.end());
    EXPECT_EQ(*(strict - 1), "export DRY_DEPLOY=" + s.dry_deploy);
    // It printed the tag before [ci dry-deploy] replaced it.
    const std::string printed_tag = s.dry_deploy == "1" ? s.tag : s.commit_tag;
    EXPECT_EQ(result.out.rfind("COMMIT_HASH=" + commit + "\nCOMMIT_TAG=" + printed_tag + "\n", 0),
              0u)
        << result.out;
    if (s.message.find("[ci debug]") != std::string::npos) {
      EXPECT_EQ(result.env["COMMIT_MESSAGE"], "'fix: it'\\''s [ci debug]'");
      EXPECT_EQ(*(strict + 1), "export BUILD_SYSTEM_DEBUG=1");
      EXPECT_EQ(*(strict + 2), "set -x");
    }
  }
}

TEST(CompatEnv, SetupEnv2023ChecksTheTagAgainstVersionAndAlwaysSetsTheDeployTag) {
  struct Json {
    std::string what, tag, branch, version_tag;
  };
  const std::vector<Json> scenarios = {
      {"a push to master", "", "master", "dev"},
      {"the staging branch", "", "stage", "stage"},
      {"a release tag", "v2.1.5", "", "prod"},
      {"a pre-release", "v2.1.123-testnet.0", "", "testnet"},
  };
  TempRepo repo;
  repo.Write("build_manifest.json", R"({"app": {"buildDir": "app"}})");
  repo.Write("PROJECT", "aztec-connect\n");
  repo.Write("VERSION", "v2.1\n");
  std::string commit = repo.Commit("feat: a");
  for (const auto& s : scenarios) {
    SCOPED_TRACE(s.what);
    auto result = RunSetupEnv(repo, "aztec-2023-02", {commit, s.tag, "deploy", "url", s.branch});
    ASSERT_EQ(result.exit_code, 0) << result.out;
    EXPECT_EQ(result.env["VERSION_TAG"], s.version_tag);
    EXPECT_EQ(result.env["DEPLOY_TAG"], "aztec-connect-" + s.version_tag);
    EXPECT_EQ(result.env["COMMIT_TAG"], s.tag);
    // PATH was written out as it was, with the scripts' own folder (not scripts/) after it.
    EXPECT_EQ(result.env["PATH"], "/usr/bin:/bin:" + repo.root() + "/build-system");
    EXPECT_EQ(result.out.rfind("Setting up environment COMMIT_HASH=" + commit + ", COMMIT_TAG=" +
                                   s.tag + ", JOB_NAME=deploy, GIT_REPOSITORY_URL=url\n",
                               0),
              0u)
        << result.out;
  }
  // A tag of another version stops it, with its message on stdout, and writes nothing.
  auto wrong = RunSetupEnv(repo, "aztec-2023-02", {commit, "v3.0.1", "deploy", "url", ""});
  EXPECT_EQ(wrong.exit_code, 1);
  EXPECT_NE(wrong.out.find("Commit tag v3.0.1 does not match repo version v2.1.\n"),
            std::string::npos)
      << wrong.out;
  EXPECT_TRUE(wrong.lines.empty());
}

TEST(CompatEnv, MissingArgumentsAndFilesAreSaidAndWriteNothing) {
  TempRepo repo;
  repo.Write("build_manifest.yml", "app:\n  buildDir: app\n");
  std::string commit = repo.Commit("feat: a");
  auto no_project = RunSetupEnv(repo, "aztec-2024", {commit, "", "job"});
  EXPECT_EQ(no_project.exit_code, 1);
  EXPECT_NE(no_project.out.find("/PROJECT: No such file or directory"), std::string::npos);
  EXPECT_TRUE(no_project.lines.empty());
  repo.Write("PROJECT", "aztec\n");
  repo.Commit("project");
  auto short_args = RunSetupEnv(repo, "aztec-2024", {commit});
  EXPECT_EQ(short_args.exit_code, 1);
  EXPECT_NE(short_args.out.find("unbound variable"), std::string::npos) << short_args.out;
  EXPECT_TRUE(short_args.lines.empty());
  // Without $BASH_ENV there is nowhere to write: a usage error, not a silent success.
  auto run = testing::RunHoist(repo.root(), {"env", "--compat", "aztec", "--", commit, "", "j"},
                               {"BASH_ENV="});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.err.find("$BASH_ENV"), std::string::npos) << run.err;
}

}  // namespace
}  // namespace hoist
