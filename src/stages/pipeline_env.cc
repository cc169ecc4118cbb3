#include "stages/pipeline_env.h"

#include <re2/re2.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>

#include "util/process_identity.h"
#include "util/text.h"
#include "util/url.h"

namespace hoist {
namespace {

void Fill(std::string& field, const std::string& value) {
  if (field.empty()) field = value;
}

/// A run id of this process's own: host, pid and start time.
std::string LocalRunId() {
  return "local-" + ProcessIdentity();
}

}  // namespace

std::string ProcessEnv(const std::string& name) {
  const char* value = std::getenv(name.c_str());
  return value ? value : "";
}

PipelineFacts VendorFacts(const EnvLookup& env) {
  PipelineFacts vendor;
  if (env("CIRCLECI") == "true") {
    vendor = {env("CIRCLE_SHA1"),
              env("CIRCLE_TAG"),
              env("CIRCLE_JOB"),
              env("CIRCLE_BRANCH"),
              env("CIRCLE_REPOSITORY_URL"),
              env("CIRCLE_PULL_REQUEST"),
              "circleci"};
  } else if (env("GITHUB_ACTIONS") == "true") {
    vendor.vendor = "github";
    vendor.commit = env("GITHUB_SHA");
    vendor.job = env("GITHUB_JOB");
    if (env("GITHUB_REF_TYPE") == "tag") {
      vendor.tag = env("GITHUB_REF_NAME");
    } else {
      vendor.branch =
          env("GITHUB_HEAD_REF").empty() ? env("GITHUB_REF_NAME") : env("GITHUB_HEAD_REF");
    }
    if (!env("GITHUB_REPOSITORY").empty()) {
      std::string server =
          env("GITHUB_SERVER_URL").empty() ? "https://github.com" : env("GITHUB_SERVER_URL");
      vendor.repository_url = server + "/" + env("GITHUB_REPOSITORY");
    }
    std::string number;
    if (env("GITHUB_EVENT_NAME").rfind("pull_request", 0) == 0 &&
        RE2::FullMatch(env("GITHUB_REF"), "refs/pull/(\\d+)/.*", &number)) {
      vendor.pull_request = vendor.repository_url + "/pull/" + number;
    }
  } else if (env("GITLAB_CI") == "true") {
    vendor = {env("CI_COMMIT_SHA"),
              env("CI_COMMIT_TAG"),
              env("CI_JOB_NAME"),
              env("CI_COMMIT_BRANCH").empty() ? env("CI_MERGE_REQUEST_SOURCE_BRANCH_NAME")
                                              : env("CI_COMMIT_BRANCH"),
              env("CI_PROJECT_URL"),
              env("CI_MERGE_REQUEST_IID").empty()
                  ? ""
                  : env("CI_PROJECT_URL") + "/-/merge_requests/" + env("CI_MERGE_REQUEST_IID"),
              "gitlab"};
  } else if (env("BUILDKITE") == "true") {
    std::string pr = env("BUILDKITE_PULL_REQUEST");
    vendor = {env("BUILDKITE_COMMIT"),
              env("BUILDKITE_TAG"),
              env("BUILDKITE_LABEL"),
              env("BUILDKITE_BRANCH"),
              env("BUILDKITE_REPO"),
              pr == "false" ? "" : pr,
              "buildkite"};
  } else {
    vendor.vendor = "local";
  }
  const char* run_variable = vendor.vendor == "github"      ? "GITHUB_RUN_ID"
                             : vendor.vendor == "gitlab"    ? "CI_PIPELINE_ID"
                             : vendor.vendor == "circleci"  ? "CIRCLE_WORKFLOW_ID"
                             : vendor.vendor == "buildkite" ? "BUILDKITE_BUILD_ID"
                                                            : "";
  if (vendor.vendor == "github") {
    // Only these events run the repository's own commits: pull_request*, workflow_run,
    // issue_comment, merge_group, … run (or tend to check out) someone's proposal.
    const std::string event = env("GITHUB_EVENT_NAME");
    if (!event.empty() && event != "push" && event != "schedule" && event != "workflow_dispatch" &&
        event != "release") {
      vendor.proposal = "a GitHub " + event + " event";
    }
    if (!env("GITHUB_EVENT_PATH").empty()) {  // the event's JSON payload names it
      std::ifstream in(env("GITHUB_EVENT_PATH"));
      nlohmann::json payload = nlohmann::json::parse(in, nullptr, false);
      if (payload.is_object() && payload.contains("repository") &&
          payload["repository"].is_object()) {
        const auto& repository = payload["repository"];
        if (repository.contains("default_branch") && repository["default_branch"].is_string()) {
          vendor.default_branch = repository["default_branch"].get<std::string>();
        }
      }
    }
    if (!vendor.repository_url.empty() && !env("GITHUB_RUN_ID").empty()) {
      vendor.job_url = vendor.repository_url + "/actions/runs/" + env("GITHUB_RUN_ID");
    }
  } else if (vendor.vendor == "gitlab") {
    const std::string source = env("CI_PIPELINE_SOURCE");
    if (!env("CI_MERGE_REQUEST_IID").empty() || source == "merge_request_event" ||
        source == "external_pull_request_event") {
      vendor.proposal = "a GitLab merge request pipeline";
    }
    vendor.job_url = env("CI_JOB_URL");
    vendor.default_branch = env("CI_DEFAULT_BRANCH");
  } else if (vendor.vendor == "circleci") {
    if (!env("CIRCLE_PR_NUMBER").empty() || !env("CIRCLE_PR_USERNAME").empty() ||
        !env("CIRCLE_PR_REPONAME").empty() || vendor.branch.rfind("pull/", 0) == 0) {
      vendor.proposal = "a CircleCI build of a fork's pull request";
    }
    vendor.job_url = env("CIRCLE_BUILD_URL");
  } else if (vendor.vendor == "buildkite") {
    if (!vendor.pull_request.empty()) vendor.proposal = "a Buildkite pull request build";
    vendor.job_url = env("BUILDKITE_BUILD_URL");
  }
  if (vendor.vendor == "local" && !env("CI").empty() && env("CI") != "false") {
    vendor.unknown_ci = true;
  }
  Fill(vendor.run_id, env("HOIST_RUN_ID"));
  if (*run_variable) Fill(vendor.run_id, env(run_variable));
  if (vendor.run_id.empty()) vendor.run_id = LocalRunId();
  return vendor;
}

Expected<PipelineFacts> DetectPipelineFacts(const GitRepository& repo, const PipelineFacts& given,
                                            const EnvLookup& env) {
  PipelineFacts facts = given;
  const PipelineFacts vendor = VendorFacts(env);
  Fill(facts.run_id, vendor.run_id);
  Fill(facts.job_url, vendor.job_url);
  facts.proposal = vendor.proposal;
  facts.unknown_ci = vendor.unknown_ci;
  Fill(facts.default_branch, vendor.default_branch);
  Fill(facts.commit, vendor.commit);
  Fill(facts.tag, vendor.tag);
  Fill(facts.job, vendor.job);
  Fill(facts.branch, vendor.branch);
  Fill(facts.repository_url, vendor.repository_url);
  Fill(facts.pull_request, vendor.pull_request);
  facts.vendor = vendor.vendor;
  // What the vendor did not say, git does.
  if (facts.commit.empty()) {
    auto head = repo.ResolveCommit("HEAD");
    if (!head) return head.error();
    facts.commit = *head;
  }
  if (facts.tag.empty() && vendor.vendor == "local") {
    facts.tag = repo.Output({"describe", "--exact-match", "--tags", facts.commit});
  }
  if (facts.branch.empty() && facts.tag.empty()) {
    std::string branch = repo.Output({"rev-parse", "--abbrev-ref", "HEAD"});
    if (branch != "HEAD") facts.branch = branch;
  }
  Fill(facts.repository_url, repo.Output({"config", "--get", "remote.origin.url"}));
  // Where the CI does not name the default branch (CircleCI, a run outside CI), the clone
  // does: origin/HEAD, which git clone sets.
  if (facts.default_branch.empty()) {
    const std::string head =
        repo.Output({"symbolic-ref", "--quiet", "--short", "refs/remotes/origin/HEAD"});
    if (head.rfind("origin/", 0) == 0) facts.default_branch = head.substr(7);
  }
  facts.repository_url = UrlWithoutCredentials(facts.repository_url);
  return facts;
}

std::string ReleaseTag(const std::string& tag, const std::string& project) {
  if (!project.empty() && tag.rfind(project + "-", 0) == 0) return tag.substr(project.size() + 1);
  return tag;
}

Expected<std::vector<std::pair<std::string, std::string>>> PipelineEnvironment(
    const std::string& root, const PipelineFacts& facts) {
  auto read = [&](const std::string& name) -> std::optional<std::string> {
    std::ifstream in(root + "/" + name);
    if (!in) return std::nullopt;
    std::ostringstream text;
    text << in.rdbuf();
    return Trim(text.str());
  };
  auto project = read("PROJECT");
  if (!project || project->empty()) {
    return Error{root + "/PROJECT: missing or empty; it names the deployment (one word, e.g. " +
                 "'aztec-connect'), as the seed's setup_env required"};
  }
  std::string version = read("VERSION").value_or("");

  const std::string tag = ReleaseTag(facts.tag, *project);
  std::string major, minor, patch, prerelease;
  const bool version_tag = RE2::FullMatch(tag, "v(\\d+)\\.(\\d+)\\.(\\d+)(?:-([0-9A-Za-z.-]+))?",
                                          &major, &minor, &patch, &prerelease);
  std::string version_tag_name;
  if (version_tag) {
    std::string wanted = version;
    if (!wanted.empty() && wanted[0] == 'v') wanted = wanted.substr(1);
    if (wanted.empty()) {
      return Error{"commit tag " + facts.tag + " is a version tag but " + root +
                   "/VERSION is missing or empty; write " + major + "." + minor + " into it"};
    }
    if (wanted != major + "." + minor) {
      return Error{"commit tag " + facts.tag + " does not match VERSION " + version + ": the " +
                   "tag's vMAJ.MIN (v" + major + "." + minor + ") must equal VERSION; bump " +
                   "VERSION or tag v" + wanted + ".<patch>"};
    }
    version_tag_name = prerelease.empty() ? "prod" : prerelease.substr(0, prerelease.find('.'));
  } else if (facts.branch == "stage") {
    version_tag_name = "stage";
  } else {
    version_tag_name = "dev";
  }
  return std::vector<std::pair<std::string, std::string>>{
      {"ROOT_PATH", root},
      {"PROJECT", *project},
      {"VERSION", version},
      {"COMMIT_HASH", facts.commit},
      {"COMMIT_TAG", facts.tag},
      {"JOB_NAME", facts.job},
      {"BRANCH", facts.branch},
      {"GIT_REPOSITORY_URL", facts.repository_url},
      {"PULL_REQUEST", facts.pull_request},
      {"VERSION_TAG", version_tag_name},
      {"DEPLOY_TAG", *project + "-" + version_tag_name}};
}

}  // namespace hoist
