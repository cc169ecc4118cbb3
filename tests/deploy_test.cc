// hoist deploy: the gate, promotion between two real registries, steps, deployed markers.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "support/registry_fixture.h"
#include "support/temp_repo.h"

namespace hoist {
namespace {

using testing::RegistryFixture;
using testing::TempRepo;

class Deploy : public ::testing::Test {
 protected:
  void SetUp() override {
    repo.Write("PROJECT", "acme\n");
    repo.Write("VERSION", "1.0\n");
    repo.Write("build_manifest.yml", R"(
api:
  buildDir: api
  tests:
    unit:
      command: ["test", "-f", "Dockerfile"]
      host: true
  deploy:
    - type: terraform
      taints: [aws_instance.api]
    - type: command
      command: "echo deployed $DEPLOY_TAG $COMMIT_HASH >> ../deploy.log"
)");
    repo.Write("api/Dockerfile", "FROM scratch\n");
    repo.Write("api/terraform/main.tf", "# the stand-in reads nothing\n");
    // A recording stand-in for terraform (it cannot be installed here): it logs its argv
    // and the TF_VAR_ environment, and does nothing else.
    repo.Write(".bin/terraform",
               "#!/bin/sh\necho \"terraform $* | $PWD | $TF_VAR_DEPLOY_TAG $TF_VAR_COMMIT_HASH\" "
               ">> \"$TERRAFORM_RECORD\"\n");
    chmod((repo.root() + "/.bin/terraform").c_str(), 0755);
    repo.Write(".gitignore", ".bin/\ndeploy.log\nterraform.log\n");
    commit = repo.Commit();
    hash = testing::HashOf(repo.root(), "api");
    HttpClient http;
    auto client = cache.Client(http);
    testing::PushBuiltImage(cache, "ci/api", hash, "api");
  }
  testing::HoistRun Hoist(std::vector<std::string> args) {
    ProcessSpec spec;
    spec.argv = {HOIST_BINARY, "--registry", cache.host() + "/ci", "--deploy-registry",
                 target.host() + "/prod"};
    spec.argv.insert(spec.argv.end(), args.begin(), args.end());
    spec.cwd = repo.root();
    spec.env = {"PATH=" + repo.root() + "/.bin:" + std::getenv("PATH"),
                "TERRAFORM_RECORD=" + repo.root() + "/terraform.log",
                "CIRCLECI=",
                "GITHUB_ACTIONS=",
                "GITLAB_CI=",
                "BUILDKITE="};
    auto result = RunProcess(spec);
    EXPECT_TRUE(result.ok());
    return {result->exit_code, result->stdout_text, result->stderr_text};
  }
  std::string Read(const std::string& path) {
    std::ifstream in(repo.root() + "/" + path);
    return std::string((std::istreambuf_iterator<char>(in)), {});
  }
  TempRepo repo;
  RegistryFixture cache, target;
  std::string commit, hash;
};

TEST_F(Deploy, TheGateWaitsForTestsThenPromotesAndRunsStepsOnce) {
  auto refused = Hoist({"deploy"});
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_NE(refused.err.find("test job 'unit' has not passed"), std::string::npos) << refused.err;
  EXPECT_EQ(Read("deploy.log"), "");

  ASSERT_EQ(Hoist({"test", "api"}).exit_code, 0);
  auto deployed = Hoist({"deploy"});
  ASSERT_EQ(deployed.exit_code, 0) << deployed.err;
  EXPECT_NE(deployed.out.find("api"), std::string::npos);
  EXPECT_EQ(Read("deploy.log"), "deployed acme-dev " + commit + "\n");
  std::string tf = Read("terraform.log");
  EXPECT_NE(tf.find("terraform init -input=false -backend-config=key=acme-dev/api | " +
                    repo.root() + "/api/terraform | acme-dev " + commit),
            std::string::npos)
      << tf;
  EXPECT_NE(tf.find("terraform taint aws_instance.api"), std::string::npos);
  EXPECT_NE(tf.find("terraform apply -input=false -auto-approve"), std::string::npos);

  // Promoted by copy: the same digest under <commit> and <DEPLOY_TAG>.
  HttpClient http;
  auto source = cache.Client(http)->HeadManifest("ci/api", "cache-" + hash);
  auto by_commit = target.Client(http)->HeadManifest("prod/api", commit);
  auto by_tag = target.Client(http)->HeadManifest("prod/api", "acme-dev");
  ASSERT_TRUE(source.ok() && by_commit.ok() && by_tag.ok());
  EXPECT_EQ(by_commit->value_or("a"), source->value_or("b"));
  EXPECT_EQ(by_tag->value_or("a"), source->value_or("b"));

  // Nothing changed: no step runs again.
  auto again = Hoist({"deploy"});
  EXPECT_EQ(again.exit_code, 0);
  EXPECT_NE(again.out.find("already deployed"), std::string::npos) << again.out;
  EXPECT_EQ(Read("deploy.log"), "deployed acme-dev " + commit + "\n");
}

TEST_F(Deploy, DryRunPrintsThePlanAndChangesNothing) {
  ASSERT_EQ(Hoist({"test", "api"}).exit_code, 0);
  auto plan = Hoist({"deploy", "--dry-run"});
  ASSERT_EQ(plan.exit_code, 0) << plan.err;
  EXPECT_NE(plan.out.find("planned"), std::string::npos) << plan.out;
  EXPECT_NE(plan.err.find("[api] promote " + cache.host() + "/ci/api:cache-" + hash +
                          " to registry " + target.host() + "/prod as " + commit + ", acme-dev"),
            std::string::npos)
      << plan.err;
  EXPECT_NE(plan.err.find("[api] step terraform in api/terraform"), std::string::npos);
  EXPECT_NE(plan.err.find("[api] step command sh -c"), std::string::npos) << plan.err;
  EXPECT_EQ(Read("deploy.log"), "");
  EXPECT_EQ(Read("terraform.log"), "");
  HttpClient http;
  auto promoted = target.Client(http)->HeadManifest("prod/api", "acme-dev");
  ASSERT_TRUE(promoted.ok());
  EXPECT_FALSE(promoted->has_value());
  auto marker = cache.Client(http)->HeadManifest("ci/api", "deployed-acme-dev");
  ASSERT_TRUE(marker.ok());
  EXPECT_FALSE(marker->has_value());
  // And the real deploy after it still runs every step.
  ASSERT_EQ(Hoist({"deploy"}).exit_code, 0);
  EXPECT_EQ(Read("deploy.log"), "deployed acme-dev " + commit + "\n");
}

TEST_F(Deploy, AFailedStepLeavesNoDeployedMarker) {
  repo.Write("build_manifest.yml",
             "api:\n  buildDir: api\n  deploy:\n"
             "    - type: command\n      command: \"exit 3\"\n");
  repo.Commit();
  hash = testing::HashOf(repo.root(), "api");
  HttpClient http;
  testing::PushBuiltImage(cache, "ci/api", hash, "api");
  auto failed = Hoist({"deploy"});
  EXPECT_EQ(failed.exit_code, 1);
  EXPECT_NE(failed.err.find("command step failed"), std::string::npos) << failed.err;
  auto marker = cache.Client(http)->HeadManifest("ci/api", "deployed-acme-dev");
  ASSERT_TRUE(marker.ok());
  EXPECT_FALSE(marker->has_value());
}

TEST_F(Deploy, BadInputs) {
  repo.Write("build_manifest.yml", "api:\n  buildDir: api\n  deploy:\n    - type: terrafrom\n");
  auto unknown = Hoist({"deploy"});
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_NE(unknown.err.find("unknown deploy step type 'terrafrom'"), std::string::npos);
  EXPECT_NE(unknown.err.find("did you mean 'terraform'?"), std::string::npos) << unknown.err;
  repo.Write("build_manifest.yml",
             "api:\n  buildDir: api\n  deploy:\n    - type: registry\n"
             "      registry: hub.example\n      onlytagged: true\n");
  auto misspelt = Hoist({"deploy"});
  EXPECT_EQ(misspelt.exit_code, 1);
  EXPECT_NE(misspelt.err.find("a registry deploy step has no key 'onlytagged'"), std::string::npos)
      << misspelt.err;
  EXPECT_NE(misspelt.err.find("did you mean 'onlyTagged'?"), std::string::npos);
  repo.Write("build_manifest.yml", "api:\n  buildDir: api\n");
  auto no_target = testing::RunHoist(repo.root(), {"--registry", cache.host(), "deploy"});
  EXPECT_EQ(no_target.exit_code, 2);
  EXPECT_NE(no_target.err.find("no deploy registry"), std::string::npos) << no_target.err;
  repo.Git({"tag", "v2.0.0"});
  auto wrong_tag = Hoist({"deploy"});
  EXPECT_EQ(wrong_tag.exit_code, 1);
  EXPECT_NE(wrong_tag.err.find("does not match VERSION 1.0"), std::string::npos) << wrong_tag.err;
}

}  // namespace
}  // namespace hoist
