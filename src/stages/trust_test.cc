// Which runs are trusted: the CI vendors' variables, hoist.yml trust:, --trust.
#include "stages/trust.h"

#include <gtest/gtest.h>

#include <fstream>
#include <map>

namespace hoist {
namespace {

TrustTier Decide(const std::map<std::string, std::string>& variables,
                 const std::string& mode = "auto", HoistConfig config = {}) {
  PipelineFacts facts = VendorFacts([&](const std::string& name) {
    auto found = variables.find(name);
    return found == variables.end() ? std::string() : found->second;
  });
  auto tier = DecideTrust(facts, config, mode);
  EXPECT_TRUE(tier.ok()) << tier.error().message;
  return tier.ok() ? *tier : TrustTier{};
}

TEST(TrustTiers, GitHubTrustsOnlyItsOwnEventsOnATrustedBranch) {
  auto github = [](const std::string& event, const std::string& ref_name) {
    return std::map<std::string, std::string>{{"GITHUB_ACTIONS", "true"},
                                              {"GITHUB_EVENT_NAME", event},
                                              {"GITHUB_REF_NAME", ref_name},
                                              {"GITHUB_REF", "refs/heads/" + ref_name}};
  };
  EXPECT_TRUE(Decide(github("push", "main")).trusted);
  EXPECT_TRUE(Decide(github("workflow_dispatch", "main")).trusted);
  EXPECT_FALSE(Decide(github("push", "feature")).trusted);
  // Events that run, or tend to check out, someone's proposal with the base's credentials.
  for (const char* event : {"pull_request", "pull_request_target", "workflow_run", "issue_comment",
                            "merge_group", "check_suite"}) {
    TrustTier tier = Decide(github(event, "main"));
    EXPECT_FALSE(tier.trusted) << event;
    EXPECT_EQ(tier.reason, std::string("a GitHub ") + event + " event");
  }
}

TEST(TrustTiers, OtherVendorsProposalsAndUnknownCis) {
  EXPECT_FALSE(Decide({{"GITLAB_CI", "true"},
                       {"CI_COMMIT_BRANCH", "main"},
                       {"CI_PIPELINE_SOURCE", "merge_request_event"}})
                   .trusted);
  EXPECT_TRUE(Decide({{"GITLAB_CI", "true"}, {"CI_COMMIT_BRANCH", "main"}}).trusted);
  EXPECT_FALSE(
      Decide({{"CIRCLECI", "true"}, {"CIRCLE_BRANCH", "main"}, {"CIRCLE_PR_NUMBER", "7"}}).trusted);
  EXPECT_FALSE(
      Decide({{"BUILDKITE", "true"}, {"BUILDKITE_BRANCH", "main"}, {"BUILDKITE_PULL_REQUEST", "7"}})
          .trusted);
  // A CI hoist does not know cannot tell a pull request: untrusted unless told.
  TrustTier unknown = Decide({{"CI", "true"}});
  EXPECT_FALSE(unknown.trusted);
  EXPECT_NE(unknown.reason.find("--trust trusted"), std::string::npos);
  EXPECT_TRUE(Decide({{"CI", "true"}}, "trusted").trusted);
}

TEST(TrustTiers, TagsDecideTagRunsAndSettingsAreRegularExpressionsMatchedWhole) {
  // A tag called main is a tag, not the main branch.
  EXPECT_FALSE(
      Decide({{"BUILDKITE", "true"}, {"BUILDKITE_BRANCH", "main"}, {"BUILDKITE_TAG", "main"}})
          .trusted);
  EXPECT_TRUE(Decide({{"CIRCLECI", "true"}, {"CIRCLE_TAG", "v1.2.3"}}).trusted);
  EXPECT_TRUE(Decide({{"CIRCLECI", "true"}, {"CIRCLE_TAG", "aztec-packages-v0.1.0"}}).trusted);
  HoistConfig config;
  config.trust.branches = {"release/.*"};
  config.trust.branches_set = true;
  auto branch = [](const std::string& name) {
    return std::map<std::string, std::string>{{"GITLAB_CI", "true"}, {"CI_COMMIT_BRANCH", name}};
  };
  EXPECT_TRUE(Decide(branch("release/1.2"), "auto", config).trusted);
  EXPECT_FALSE(Decide(branch("main"), "auto", config).trusted);
  EXPECT_FALSE(Decide(branch("xrelease/1.2"), "auto", config).trusted);
  // --trust: untrusted always; trusted refused for a proposal.
  EXPECT_FALSE(Decide(branch("release/1.2"), "untrusted", config).trusted);
  PipelineFacts proposal;
  proposal.proposal = "a GitHub pull_request event";
  EXPECT_FALSE(DecideTrust(proposal, config, "trusted").ok());
  EXPECT_FALSE(DecideTrust(proposal, config, "sometimes").ok());
}

// A repository whose default branch is master deploys from master with no setting: the CI
// names the default branch (GitLab's variable, GitHub's event payload). Before, only main.
TEST(TrustTiers, TheDefaultBranchTheCiNamesIsTrustedWithoutSettings) {
  std::map<std::string, std::string> gitlab = {{"GITLAB_CI", "true"},
                                               {"CI_COMMIT_SHA", "abc"},
                                               {"CI_COMMIT_BRANCH", "master"},
                                               {"CI_DEFAULT_BRANCH", "master"}};
  TrustTier tier = Decide(gitlab);
  EXPECT_TRUE(tier.trusted) << tier.reason;
  EXPECT_NE(tier.reason.find("the default branch"), std::string::npos) << tier.reason;
  gitlab["CI_COMMIT_BRANCH"] = "main";
  tier = Decide(gitlab);
  EXPECT_FALSE(tier.trusted);
  EXPECT_TRUE(tier.not_listed) << "a branch that is not listed just has nothing to deploy";

  const std::string event = ::testing::TempDir() + "/hoist-event.json";
  { std::ofstream(event) << R"({"repository": {"default_branch": "master"}})"; }
  std::map<std::string, std::string> github = {{"GITHUB_ACTIONS", "true"},
                                               {"GITHUB_EVENT_NAME", "push"},
                                               {"GITHUB_REF_NAME", "master"},
                                               {"GITHUB_EVENT_PATH", event}};
  EXPECT_TRUE(Decide(github).trusted);
  // A malformed payload is no default branch, not a crash.
  { std::ofstream(event) << "{not json"; }
  EXPECT_FALSE(Decide(github).trusted);
  // ci.deployBranches, once set, decides.
  HoistConfig config;
  config.ci.deploy_branches = {"release/.*"};
  config.ci.deploy_branches_set = true;
  EXPECT_FALSE(Decide(gitlab, "auto", config).trusted);
  gitlab["CI_COMMIT_BRANCH"] = "release/2";
  EXPECT_TRUE(Decide(gitlab, "auto", config).trusted);
}

}  // namespace
}  // namespace hoist
