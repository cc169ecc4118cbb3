// Trust tiers and gates on the bytes, with a real Docker engine and real registries: a pull
// request's run reads the trusted cache and writes only its own namespace; a deploy promotes
// only images a trusted run built and tested, by digest.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "oci/distribution_client.h"
#include "store/tag_names.h"
#include "support/docker_engine.h"
#include "support/registry_fixture.h"
#include "support/temp_repo.h"

namespace hoist {
namespace {

using testing::RegistryFixture;
using testing::RunOk;
using testing::TempRepo;

class TrustWithRegistry : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string why = testing::EnsureDockerEngine();
    ASSERT_EQ(why, "") << "these tests build images: they need a Docker engine";
    RunOk(HOIST_SOURCE_DIR, {"bash", "scripts/make-busybox-image.sh"});
    repo.Write("PROJECT", "acme\n");
    repo.Write("VERSION", "1.0\n");
    repo.Write("build_manifest.yml", R"(
app:
  buildDir: app
  tests:
    unit:
      command: ["test", "-f", "/app.txt"]
  deploy:
    - type: command
      command: "echo deployed $COMMIT_HASH >> ../deploy.log"
)");
    repo.Write("app/Dockerfile", "FROM hoist-example/busybox:1\nCOPY app.txt /app.txt\n");
    // Bytes of this test alone: the tests share one engine, and another test removing its
    // images must not take away a layer this one's build uses as its cache.
    repo.Write("app/app.txt",
               "app " + std::filesystem::path(repo.root()).filename().string() + "\n");
    repo.Write(".gitignore", "deploy.log\n");
    commit = repo.Commit("initial");
    hash = testing::HashOf(repo.root(), "app");
  }

  /// hoist with the cache and deploy registries, as a run of `env` (a CI's variables).
  testing::HoistRun Hoist(std::vector<std::string> args, std::vector<std::string> env = {}) {
    args.insert(args.begin(),
                {"--registry", cache.host() + "/ci", "--deploy-registry", target.host() + "/prod"});
    return testing::RunHoist(repo.root(), args, env);
  }
  /// The variables of a GitHub Actions run of pull request 7 from branch `tweak`.
  std::vector<std::string> PullRequest(const std::string& sha) {
    return {"GITHUB_ACTIONS=true",
            "GITHUB_EVENT_NAME=pull_request",
            "GITHUB_REF=refs/pull/7/merge",
            "GITHUB_HEAD_REF=tweak",
            "GITHUB_SHA=" + sha,
            "GITHUB_REPOSITORY=acme/app",
            "GITHUB_RUN_ID=99"};
  }
  std::string Digest(const RegistryFixture& registry, const std::string& repository,
                     const std::string& tag) {
    HttpClient http;
    auto digest = registry.Client(http)->HeadManifest(repository, tag);
    EXPECT_TRUE(digest.ok());
    return digest.ok() ? digest->value_or("") : "?";
  }
  /// Removes this test's images from the engine, as on another machine: a build then runs
  /// every step again (the engine's layer cache would otherwise give back the same bytes).
  /// (An image a rebuild left untagged lists as REPOSITORY:<none>, no reference to remove by.)
  void ForgetLocalImages() {
    RunOk("/", {"sh", "-c",
                "docker images --format '{{.Repository}}:{{.Tag}}' | grep '^" + cache.host() +
                    "/' | grep -v ':<none>$' | xargs -r docker image rm -f >/dev/null"});
  }
  std::string Read(const std::string& path) { return testing::ReadText(repo.root() + "/" + path); }

  TempRepo repo;
  RegistryFixture cache, target;
  std::string commit, hash;
};

// A CI job with no cache registry set would keep its images in a runner that is thrown away:
// every run would build everything again while going green. Refused, unless --local says so.
// Before, such builds silently used the runner's engine.
TEST_F(TrustWithRegistry, ACiJobWithoutACacheRegistryIsRefusedUnlessLocalIsSaid) {
  std::vector<std::string> push = {"GITHUB_ACTIONS=true",        "GITHUB_EVENT_NAME=push",
                                   "GITHUB_REF=refs/heads/main", "GITHUB_SHA=" + commit,
                                   "GITHUB_REPOSITORY=acme/app", "GITHUB_RUN_ID=98"};
  for (const auto& env : {push, std::vector<std::string>{"CI=true"}}) {
    auto run = testing::RunHoist(repo.root(), {"build", "--all"}, env);
    EXPECT_EQ(run.exit_code, 2) << run.err;
    EXPECT_NE(run.err.find("no cache registry is set"), std::string::npos) << run.err;
    EXPECT_NE(run.err.find("HOIST_REGISTRY"), std::string::npos) << run.err;
    EXPECT_NE(run.err.find("--local"), std::string::npos) << run.err;
    run = testing::RunHoist(repo.root(), {"test", "--all"}, env);
    EXPECT_EQ(run.exit_code, 2) << run.err;
  }
  EXPECT_NE(testing::RunHoist(repo.root(), {"build", "app"}, push).err.find("a GitHub Actions job"),
            std::string::npos);
  // What writes nothing still works (hash, status, a dry run), and --local (or HOIST_LOCAL)
  // says the engine is meant.
  EXPECT_EQ(testing::RunHoist(repo.root(), {"hash", "app"}, push).exit_code, 0);
  EXPECT_EQ(testing::RunHoist(repo.root(), {"status"}, push).exit_code, 0);
  EXPECT_EQ(testing::RunHoist(repo.root(), {"build", "--dry-run", "--all"}, push).exit_code, 0);
  auto run = testing::RunHoist(repo.root(), {"--local", "build", "--all"}, push);
  EXPECT_EQ(run.exit_code, 0) << run.err;
  auto with_env = push;
  with_env.push_back("HOIST_LOCAL=1");
  run = testing::RunHoist(repo.root(), {"test", "--all"}, with_env);
  EXPECT_EQ(run.exit_code, 0) << run.err;
  // With a registry, nothing changes.
  EXPECT_EQ(Hoist({"build", "--dry-run", "--all"}, push).exit_code, 0);
}

// CircleCI names no default branch: the clone's origin/HEAD does. A repository whose default
// branch is master is trusted (and deploys) there with no setting; before, only main was.
TEST_F(TrustWithRegistry, TheClonesDefaultBranchCountsWhereTheCiDoesNotNameIt) {
  repo.Git({"branch", "-m", "main", "master"});
  const std::string dir = testing::MakeTempDir("hoist-clone");
  RunOk("/", {"git", "clone", "-q", repo.root(), dir + "/clone"});
  auto circleci = [&](const std::string& branch) {
    return std::vector<std::string>{"CIRCLECI=true", "CIRCLE_BRANCH=" + branch,
                                    "CIRCLE_SHA1=" + commit, "CIRCLE_WORKFLOW_ID=w1"};
  };
  auto run = testing::RunHoist(dir + "/clone",
                               {"--registry", cache.host() + "/ci", "build", "--dry-run", "--all"},
                               circleci("master"));
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.err.find("an untrusted run"), std::string::npos) << run.err;
  run = testing::RunHoist(dir + "/clone",
                          {"--registry", cache.host() + "/ci", "build", "--dry-run", "--all"},
                          circleci("feature"));
  EXPECT_NE(run.err.find("an untrusted run (branch feature matches none of the default branch)"),
            std::string::npos)
      << run.err;
  std::filesystem::remove_all(dir);
}

// A push to a feature branch starts the deploy job where the CI cannot match hoist.yml's
// branch patterns itself (GitHub): hoist says there is nothing to deploy, and the job is green.
// Before, it failed as "not deploying from an untrusted run".
TEST_F(TrustWithRegistry, ADeployJobOnABranchThatDoesNotDeployHasNothingToDo) {
  auto run =
      Hoist({"deploy"}, {"GITHUB_ACTIONS=true", "GITHUB_EVENT_NAME=push",
                         "GITHUB_REF=refs/heads/feature", "GITHUB_REF_NAME=feature",
                         "GITHUB_SHA=" + commit, "GITHUB_REPOSITORY=acme/app", "GITHUB_RUN_ID=97"});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.err.find("nothing to deploy: branch feature is not a deploy branch"),
            std::string::npos)
      << run.err;
  // A pull request's run is still refused: it is not a branch that merely does not deploy.
  run = Hoist({"deploy"}, PullRequest(commit));
  EXPECT_EQ(run.exit_code, 1) << run.err;
  EXPECT_NE(run.err.find("not deploying from an untrusted run"), std::string::npos) << run.err;
  // A trusted branch that does not deploy (trust.branches may name more than deploys) has
  // nothing to deploy either: it does not promote its images.
  repo.Write("hoist.yml", "trust:\n  branches: [main, develop]\n");
  const std::string develop = repo.Commit("develop is trusted");
  run = Hoist({"deploy"},
              {"GITHUB_ACTIONS=true", "GITHUB_EVENT_NAME=push", "GITHUB_REF=refs/heads/develop",
               "GITHUB_REF_NAME=develop", "GITHUB_SHA=" + develop, "GITHUB_REPOSITORY=acme/app",
               "GITHUB_RUN_ID=95"});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.err.find("nothing to deploy: branch develop is not a deploy branch"),
            std::string::npos)
      << run.err;
  // A deploy branch that trust.branches leaves out could never deploy: an error to mend, not a
  // green job that did nothing.
  repo.Write("hoist.yml", "ci:\n  deployBranches: ['release/.*']\ntrust:\n  branches: [main]\n");
  const std::string next = repo.Commit("deploy from release branches");
  run = Hoist({"deploy"}, {"GITHUB_ACTIONS=true", "GITHUB_EVENT_NAME=push",
                           "GITHUB_REF=refs/heads/release/2", "GITHUB_REF_NAME=release/2",
                           "GITHUB_SHA=" + next, "GITHUB_REPOSITORY=acme/app", "GITHUB_RUN_ID=96"});
  EXPECT_EQ(run.exit_code, 1) << run.err;
  EXPECT_NE(
      run.err.find("release/2 is a deploy branch (hoist.yml ci.deployBranches) but not trusted"),
      std::string::npos)
      << run.err;
}

TEST_F(TrustWithRegistry, APullRequestsRebuildCannotChangeWhatMainReadsOrDeploys) {
  ASSERT_EQ(Hoist({"build", "app"}).exit_code, 0);
  ASSERT_EQ(Hoist({"test", "app"}).exit_code, 0);
  const std::string trusted = Digest(cache, "ci/app", "cache-" + hash);
  ASSERT_FALSE(trusted.empty());

  // A pull request whose commit asks for a rebuild, the inputs of app unchanged.
  repo.Write("README.md", "tweak\n");
  const std::string pr = repo.Commit("tweak [ci rebuild]");
  ForgetLocalImages();  // another machine
  auto built = Hoist({"--json", "build", "app"}, PullRequest(pr));
  ASSERT_EQ(built.exit_code, 0) << built.err;
  EXPECT_NE(built.err.find("an untrusted run (a GitHub pull_request event)"), std::string::npos)
      << built.err;
  // It built, into its own namespace; main's image is untouched.
  const std::string untrusted = Digest(cache, "ci/untrusted/app", "cache-" + hash);
  ASSERT_FALSE(untrusted.empty()) << built.err;
  EXPECT_NE(untrusted, trusted);
  EXPECT_EQ(Digest(cache, "ci/app", "cache-" + hash), trusted);
  // Where the trusted cache has the hash, its bytes win, for the pull request too: its tests
  // were passed there.
  auto tested = Hoist({"test", "app"}, PullRequest(pr));
  ASSERT_EQ(tested.exit_code, 0) << tested.err;
  EXPECT_NE(tested.out.find("passed before"), std::string::npos) << tested.out;

  // A change of its own: built, tested and recorded in its namespace only.
  repo.Write("app/app.txt", "changed by the pull request\n");
  const std::string change = repo.Commit("change app");
  const std::string changed = testing::HashOf(repo.root(), "app");
  ASSERT_EQ(Hoist({"build", "app"}, PullRequest(change)).exit_code, 0);
  auto tested_change = Hoist({"test", "app"}, PullRequest(change));
  ASSERT_EQ(tested_change.exit_code, 0) << tested_change.err;
  EXPECT_EQ(tested_change.out.find("passed before"), std::string::npos) << tested_change.out;
  EXPECT_FALSE(Digest(cache, "ci/untrusted/app", "passed-" + changed + "-unit").empty());
  EXPECT_TRUE(Digest(cache, "ci/app", "cache-" + changed).empty());
  EXPECT_TRUE(Digest(cache, "ci/app", "passed-" + changed + "-unit").empty());
  auto status = Hoist({"--json", "status"}, PullRequest(change));
  ASSERT_EQ(status.exit_code, 0) << status.err;
  auto json = nlohmann::json::parse(status.out);
  EXPECT_EQ(json["tier"], "untrusted");
  EXPECT_EQ(json["projects"][0]["imageTier"], "untrusted") << status.out;
  EXPECT_EQ(json["projects"][0]["markerTiers"]["passed:unit"], "untrusted") << status.out;
  auto deploy = Hoist({"deploy"}, PullRequest(change));
  EXPECT_EQ(deploy.exit_code, 1);
  EXPECT_NE(deploy.err.find("not deploying from an untrusted run"), std::string::npos);
  // Nor does a copy by hand write the trusted cache.
  auto copied = Hoist({"image", "copy", "app:cache-" + hash, "app:copied"}, PullRequest(change));
  ASSERT_EQ(copied.exit_code, 0) << copied.err;
  EXPECT_EQ(Digest(cache, "ci/untrusted/app", "copied"), trusted);
  EXPECT_TRUE(Digest(cache, "ci/app", "copied").empty());

  // main, at its own commit (app as main has it), reads only the trusted cache: cached,
  // passed before, and deploys main's bytes.
  repo.Git({"reset", "-q", "--hard", commit});
  repo.Write("README.md", "merged\n");
  repo.Commit("merge pull request 7");
  auto main_build = Hoist({"--json", "build", "app"});
  ASSERT_EQ(main_build.exit_code, 0) << main_build.err;
  EXPECT_EQ(testing::BuildResults(main_build.out)["app"], "cached") << main_build.out;
  auto main_test = Hoist({"test", "app"});
  EXPECT_NE(main_test.out.find("passed before"), std::string::npos) << main_test.out;
  auto main_status = nlohmann::json::parse(Hoist({"--json", "status"}).out);
  EXPECT_EQ(main_status["tier"], "trusted");
  EXPECT_EQ(main_status["projects"][0]["imageTier"], "trusted");
  auto deployed = Hoist({"deploy"});
  ASSERT_EQ(deployed.exit_code, 0) << deployed.err;
  EXPECT_EQ(Digest(target, "prod/app", "acme-dev"), trusted);

  // What an untrusted run wrote, copied into the trusted cache (a leaked credential, a
  // misconfigured job): main's deploy refuses it.
  HttpClient http;
  auto client = cache.Client(http);
  for (const std::string& tag : {"cache-" + hash, "built-" + hash}) {
    ASSERT_TRUE(CopyImage(*client, "ci/untrusted/app", tag, *client, "ci/app", tag).ok());
  }
  auto poisoned = Hoist({"deploy"});
  EXPECT_EQ(poisoned.exit_code, 1);
  EXPECT_NE(poisoned.err.find("was built by an untrusted run"), std::string::npos) << poisoned.err;
  EXPECT_EQ(Digest(target, "prod/app", "acme-dev"), trusted);
}

TEST_F(TrustWithRegistry, AForcedRebuildAfterTestsPassedBlocksTheDeployUntilTheyPassAgain) {
  ASSERT_EQ(Hoist({"build", "app"}).exit_code, 0);
  ASSERT_EQ(Hoist({"test", "app"}).exit_code, 0);
  const std::string first = Digest(cache, "ci/app", "cache-" + hash);
  // Rebuilt elsewhere, without the branch's last image to reuse: other bytes, same hash.
  ForgetLocalImages();
  HttpClient http;
  ASSERT_TRUE(cache.Client(http)->DeleteTag("ci/app", tag::BranchImage("main")).ok());
  auto rebuilt = Hoist({"-v", "build", "--force", "app"});
  ASSERT_EQ(rebuilt.exit_code, 0) << rebuilt.err;
  const std::string second = Digest(cache, "ci/app", "cache-" + hash);
  ASSERT_NE(second, first);
  EXPECT_NE(rebuilt.err.find("replaces the image cache-" + hash.substr(0, 12)), std::string::npos)
      << rebuilt.err;
  auto blocked = Hoist({"deploy"});
  EXPECT_EQ(blocked.exit_code, 1);
  EXPECT_NE(blocked.err.find("test job 'unit' has not passed"), std::string::npos) << blocked.err;
  EXPECT_EQ(Read("deploy.log"), "");
  auto retested = Hoist({"test", "app"});
  ASSERT_EQ(retested.exit_code, 0) << retested.err;
  EXPECT_EQ(retested.out.find("passed before"), std::string::npos) << retested.out;
  auto deployed = Hoist({"deploy"});
  ASSERT_EQ(deployed.exit_code, 0) << deployed.err;
  EXPECT_EQ(Digest(target, "prod/app", "acme-dev"), second);
}

}  // namespace
}  // namespace hoist
