#pragma once

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "source/git_repository.h"
#include "util/expected.h"

namespace hoist {

/// What a CI run is about, from flags, the CI vendor's variables, or git.
struct PipelineFacts {
  std::string commit;          ///< COMMIT_HASH
  std::string tag;             ///< COMMIT_TAG ("" when the commit is not tagged)
  std::string job;             ///< JOB_NAME
  std::string branch;          ///< BRANCH
  std::string repository_url;  ///< GIT_REPOSITORY_URL (credentials removed)
  std::string pull_request;    ///< PULL_REQUEST ("" when none)
  std::string vendor;          ///< "circleci", "github", "gitlab", "buildkite" or "local"
  /// The pipeline run this job belongs to, the same in all its jobs and their retries
  /// (GITHUB_RUN_ID, CI_PIPELINE_ID, CIRCLE_WORKFLOW_ID, BUILDKITE_BUILD_ID, or HOIST_RUN_ID);
  /// outside CI, one of its own per hoist process.
  std::string run_id;
  std::string job_url = "";  ///< the CI job's page ("" outside CI), recorded in markers
  /// Why the vendor's variables say this run builds someone else's proposal ("a GitHub
  /// pull_request event", …): such a run is never trusted. "" otherwise.
  std::string proposal = "";
  /// A CI hoist does not know (CI is set, no vendor's variables): it cannot tell a pull
  /// request's run there, so runs are untrusted unless --trust trusted says otherwise.
  bool unknown_ci = false;
  /// The repository's default branch where the CI says it (GitLab's CI_DEFAULT_BRANCH, the
  /// repository in GitHub's event payload), else the clone's origin/HEAD; "" when none says.
  /// It deploys when hoist.yml names no ci.deployBranches.
  std::string default_branch = "";
};

/// Reads an environment variable ("" when unset); injectable for tests.
using EnvLookup = std::function<std::string(const std::string&)>;

/// The EnvLookup of this process's own environment.
std::string ProcessEnv(const std::string& name);

/// What the CI vendor's variables alone say (no git): vendor, commit, branch, tag, pull
/// request, run id, job URL, proposal; vendor "local" outside CI.
PipelineFacts VendorFacts(const EnvLookup& env);

/// The facts from the CI vendor's variables (CircleCI, GitHub Actions, GitLab CI,
/// Buildkite), completed from git where the vendor says nothing. `given` fields win. A
/// detached checkout (every GitLab job, tags) has no branch from git: "" unless the CI says.
Expected<PipelineFacts> DetectPipelineFacts(const GitRepository& repo, const PipelineFacts& given,
                                            const EnvLookup& env);

/// The environment of the seed's setup_env, in order: ROOT_PATH, PROJECT, VERSION,
/// COMMIT_HASH, COMMIT_TAG, JOB_NAME, BRANCH, GIT_REPOSITORY_URL, PULL_REQUEST, VERSION_TAG,
/// DEPLOY_TAG. Errors: no PROJECT file; a version tag whose vMAJ.MIN is not VERSION.
Expected<std::vector<std::pair<std::string, std::string>>> PipelineEnvironment(
    const std::string& root, const PipelineFacts& facts);

/// A commit tag without the "<PROJECT>-" prefix the seed allowed (aztec-packages-v1.2.3 is
/// v1.2.3).
std::string ReleaseTag(const std::string& tag, const std::string& project);

}  // namespace hoist
