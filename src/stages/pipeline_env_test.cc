#include "stages/pipeline_env.h"

#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <sstream>

#include "support/temp_repo.h"

namespace hoist {
namespace {

using testing::TempRepo;

std::map<std::string, std::string> AsMap(
    const std::vector<std::pair<std::string, std::string>>& env) {
  return std::map<std::string, std::string>(env.begin(), env.end());
}

class PipelineEnv : public ::testing::Test {
 protected:
  void SetUp() override {
    repo.Write("PROJECT", "aztec-connect\n");
    repo.Write("VERSION", "2.1\n");
    head = repo.Commit();
  }
  Expected<PipelineFacts> Detect(std::map<std::string, std::string> vars,
                                 PipelineFacts given = {}) {
    auto opened = GitRepository::Open(repo.root());
    EXPECT_TRUE(opened.ok());
    return DetectPipelineFacts(*opened, given, [vars](const std::string& name) {
      auto it = vars.find(name);
      return it == vars.end() ? std::string() : it->second;
    });
  }
  std::map<std::string, std::string> Env(const PipelineFacts& facts) {
    auto env = PipelineEnvironment(repo.root(), facts);
    EXPECT_TRUE(env.ok()) << (env.ok() ? "" : env.error().message);
    return env.ok() ? AsMap(*env) : std::map<std::string, std::string>{};
  }
  TempRepo repo;
  std::string head;
};

TEST_F(PipelineEnv, VersionTagsFromReleaseTagsBranchesAndTheRest) {
  EXPECT_EQ(Env({head, "v2.1.123", "", "", "", "", "", ""})["VERSION_TAG"], "prod");
  auto testnet = Env({head, "v2.1.123-testnet.0", "", "", "", "", "", ""});
  EXPECT_EQ(testnet["VERSION_TAG"], "testnet");
  EXPECT_EQ(testnet["DEPLOY_TAG"], "aztec-connect-testnet");
  EXPECT_EQ(Env({head, "aztec-connect-v2.1.0", "", "", "", "", "", ""})["VERSION_TAG"], "prod");
  EXPECT_EQ(Env({head, "", "", "stage", "", "", "", ""})["VERSION_TAG"], "stage");
  auto dev = Env({head, "", "", "feature/x", "", "", "", ""});
  EXPECT_EQ(dev["VERSION_TAG"], "dev");
  EXPECT_EQ(dev["DEPLOY_TAG"], "aztec-connect-dev");
  EXPECT_EQ(dev["PROJECT"], "aztec-connect");
  EXPECT_EQ(dev["VERSION"], "2.1");
}

TEST_F(PipelineEnv, ATagThatDoesNotMatchVersionIsAnError) {
  auto env = PipelineEnvironment(repo.root(), {head, "v2.2.0", "", "", "", "", "", ""});
  ASSERT_FALSE(env.ok());
  EXPECT_NE(env.error().message.find("does not match VERSION 2.1"), std::string::npos)
      << env.error().message;
  repo.Remove("VERSION");
  auto missing = PipelineEnvironment(repo.root(), {head, "v2.1.0", "", "", "", "", "", ""});
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message.find("VERSION is missing"), std::string::npos);
  repo.Remove("PROJECT");
  auto no_project = PipelineEnvironment(repo.root(), {head, "", "", "", "", "", "", ""});
  ASSERT_FALSE(no_project.ok());
  EXPECT_NE(no_project.error().message.find("PROJECT: missing"), std::string::npos);
}

TEST_F(PipelineEnv, DetectsEachCiVendor) {
  auto circle = Detect({{"CIRCLECI", "true"},
                        {"CIRCLE_SHA1", "c1"},
                        {"CIRCLE_TAG", "v2.1.0"},
                        {"CIRCLE_JOB", "build"},
                        {"CIRCLE_REPOSITORY_URL", "https://u:p@h/r"}});
  ASSERT_TRUE(circle.ok());
  EXPECT_EQ(circle->vendor, "circleci");
  EXPECT_EQ(circle->commit, "c1");
  EXPECT_EQ(circle->tag, "v2.1.0");
  EXPECT_EQ(circle->repository_url, "https://h/r");  // no credentials

  auto github = Detect({{"GITHUB_ACTIONS", "true"},
                        {"GITHUB_SHA", "g1"},
                        {"GITHUB_EVENT_NAME", "pull_request"},
                        {"GITHUB_REF", "refs/pull/42/merge"},
                        {"GITHUB_HEAD_REF", "feature"},
                        {"GITHUB_REF_NAME", "42/merge"},
                        {"GITHUB_REPOSITORY", "acme/mono"},
                        {"GITHUB_JOB", "test"}});
  ASSERT_TRUE(github.ok());
  EXPECT_EQ(github->branch, "feature");
  EXPECT_EQ(github->pull_request, "https://github.com/acme/mono/pull/42");
  EXPECT_EQ(github->job, "test");

  auto gitlab = Detect({{"GITLAB_CI", "true"},
                        {"CI_COMMIT_SHA", "l1"},
                        {"CI_COMMIT_BRANCH", "stage"},
                        {"CI_PROJECT_URL", "https://gl/x"},
                        {"CI_JOB_NAME", "deploy"}});
  ASSERT_TRUE(gitlab.ok());
  EXPECT_EQ(gitlab->branch, "stage");
  EXPECT_EQ(gitlab->repository_url, "https://gl/x");

  auto buildkite = Detect({{"BUILDKITE", "true"},
                           {"BUILDKITE_COMMIT", "b1"},
                           {"BUILDKITE_BRANCH", "main"},
                           {"BUILDKITE_PULL_REQUEST", "false"}});
  ASSERT_TRUE(buildkite.ok());
  EXPECT_EQ(buildkite->pull_request, "");
  EXPECT_EQ(buildkite->commit, "b1");
}

TEST_F(PipelineEnv, FlagsWinAndGitFillsTheRest) {
  repo.Git({"tag", "v2.1.7"});
  auto local = Detect({});
  ASSERT_TRUE(local.ok());
  EXPECT_EQ(local->vendor, "local");
  EXPECT_EQ(local->commit, head);
  EXPECT_EQ(local->tag, "v2.1.7");
  auto flagged = Detect({{"CIRCLECI", "true"}, {"CIRCLE_JOB", "ci-job"}},
                        {"", "", "my-job", "", "", "", "", ""});
  ASSERT_TRUE(flagged.ok());
  EXPECT_EQ(flagged->job, "my-job");
  EXPECT_EQ(flagged->commit, head);
}

TEST_F(PipelineEnv, CommandFormats) {
  std::string github_env = repo.root() + "/.github_env";
  std::string bash_env = repo.root() + "/.bash_env";
  ProcessSpec spec;
  spec.argv = {HOIST_BINARY, "env", "--branch", "stage", "--format", "github"};
  spec.cwd = repo.root();
  spec.env = {"GITHUB_ENV=" + github_env, "BASH_ENV=" + bash_env, "CIRCLECI=", "GITHUB_ACTIONS="};
  auto run = RunProcess(spec);
  ASSERT_TRUE(run.ok());
  ASSERT_EQ(run->exit_code, 0) << run->stderr_text;
  std::ifstream github(github_env), bash(bash_env);
  std::string github_text((std::istreambuf_iterator<char>(github)), {});
  std::string bash_text((std::istreambuf_iterator<char>(bash)), {});
  EXPECT_NE(github_text.find("DEPLOY_TAG=aztec-connect-stage\n"), std::string::npos) << github_text;
  EXPECT_NE(bash_text.find("export DEPLOY_TAG='aztec-connect-stage'\n"), std::string::npos);
  auto json = testing::RunHoist(repo.root(), {"--json", "env", "--branch", "x"});
  EXPECT_NE(json.out.find("\"VERSION_TAG\": \"dev\""), std::string::npos) << json.out;
  auto no_github = testing::RunHoist(repo.root(), {"env", "--format", "github"});
  if (!std::getenv("GITHUB_ENV")) {
    EXPECT_EQ(no_github.exit_code, 2);
    EXPECT_NE(no_github.err.find("$GITHUB_ENV"), std::string::npos);
  }
}

/// $GITHUB_ENV read as GitHub's runner reads it (NAME=value, or NAME<<DELIMITER up to a line
/// that is the delimiter): a stand-in, as GitHub's hosted runner cannot run here.
std::map<std::string, std::string> ReadGithubEnv(const std::string& text) {
  std::map<std::string, std::string> vars;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    size_t heredoc = line.find("<<"), equals = line.find('=');
    if (heredoc != std::string::npos && (equals == std::string::npos || heredoc < equals)) {
      const std::string name = line.substr(0, heredoc), delimiter = line.substr(heredoc + 2);
      std::string value, next;
      bool first = true;
      while (std::getline(in, next) && next != delimiter) {
        value += (first ? "" : "\n") + next;
        first = false;
      }
      vars[name] = value;
    } else if (equals != std::string::npos) {
      vars[line.substr(0, equals)] = line.substr(equals + 1);
    }
  }
  return vars;
}

// A multi-line PROJECT file ended the fixed heredoc delimiter early and set NODE_OPTIONS for
// every later step of the job.
TEST_F(PipelineEnv, AValueCannotEndItsHeredocAndSetOtherVariables) {
  repo.Write("PROJECT", "acme\nHOIST_EOF\nNODE_OPTIONS=--require=/tmp/evil.js\n");
  repo.Commit();
  const std::string github_env = repo.root() + "/.github_env";
  ProcessSpec spec;
  spec.argv = {HOIST_BINARY, "env", "--branch", "main", "--format", "github"};
  spec.cwd = repo.root();
  spec.env = {"GITHUB_ENV=" + github_env, "BASH_ENV=", "CIRCLECI=", "GITHUB_ACTIONS="};
  auto run = RunProcess(spec);
  ASSERT_TRUE(run.ok());
  std::ifstream file(github_env);
  const std::string text((std::istreambuf_iterator<char>(file)), {});
  auto vars = ReadGithubEnv(text);
  EXPECT_EQ(vars.count("NODE_OPTIONS"), 0u) << text;
  if (run->exit_code == 0) {
    EXPECT_EQ(vars["PROJECT"], "acme\nHOIST_EOF\nNODE_OPTIONS=--require=/tmp/evil.js") << text;
  }
}

}  // namespace
}  // namespace hoist
