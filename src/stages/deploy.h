#pragma once

#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "docker/image_builder.h"
#include "manifest/manifest.h"
#include "run/job_runner.h"
#include "source/content_hash.h"
#include "source/git_repository.h"
#include "store/registry_store.h"

namespace hoist {

/// What a deploy run works with.
struct DeployContext {
  const Manifest& manifest;
  const std::vector<ProjectHash>& hashes;
  RegistryStore& cache;   ///< where cache-<hash> images and markers are
  RegistryStore& target;  ///< the deploy registry
  std::vector<std::pair<std::string, std::string>> env;  ///< hoist env (DEPLOY_TAG, …)
  std::string root;
  /// A client for another registry (registry steps).
  std::function<std::unique_ptr<DistributionClient>(const std::string& host)> client_for;
  /// The Docker engine, for npm steps that publish out of the built image (fromImage).
  ImageBuilder* builder = nullptr;
  /// Each project's image digest, as the gate checked it (MissingForDeploy): what is promoted.
  std::vector<std::string> digests;
  /// The repository, for the definition of deploy steps and the rollback check.
  const GitRepository* repo = nullptr;
  /// Deploy even a commit older than the one the deploy tag runs now.
  bool allow_rollback = false;
  /// How long to wait for another run's deploy to the same tag (its lease) to end.
  int lease_wait_seconds = 600;
  /// Steps given for one call (hoist deploy --step): its markers and lease are kept under
  /// <DEPLOY_TAG>.<channel>, apart from the manifest's deploy and other calls'; "" for those.
  std::string channel;
  /// Whether the image is promoted to the deploy registry before the steps (not for a call's
  /// own steps: a registry step says where it goes).
  bool promote = true;

  std::string Var(const std::string& name) const;
};

/// The seed's "deploy only on a fully successful build of the entire project", on the bytes:
/// for every project, the image cache-<hash> names now was built by a trusted run (its build
/// record built-<hash> names this very digest), and every declared test job passed on this very
/// digest in a trusted run. Returns what is missing; `digests` gets each project's checked
/// digest (indexed like manifest.projects), the one a deploy promotes. A compose job's pass
/// counts for the images it runs now (`root`, the repository, holds its compose file).
/// With `only`, only those projects are checked (a per-call deploy of the Aztec build system's
/// scripts, gated on what the call names).
Expected<std::vector<std::string>> MissingForDeploy(
    const Manifest& manifest, const std::vector<ProjectHash>& hashes, ImageStore& cache,
    std::vector<std::string>& digests, const std::string& root, const std::vector<int>& only = {});

/// Deploys are of committed intent only: for `projects`, each uncommitted change (edited,
/// deleted or untracked file) to the manifest, to a directory one of their steps runs in or
/// reads (DeployStepType::Inputs), or to a repository file a command step names. Returns
/// "path (what)" for each.
Expected<std::vector<std::string>> UncommittedDeployInputs(const GitRepository& repo,
                                                           const Manifest& manifest,
                                                           const std::vector<int>& projects);

/// A digest of what project `project`'s deploy runs at `commit`: its steps as declared and
/// the committed content of the directories and files they run. A deploy counts as done for
/// one definition only.
std::string DeployDefinition(const GitRepository& repo, const std::string& commit,
                             const Project& project);

/// Whether the deploy tag's deployed marker `pointer` says the project's deploy is done: it
/// names `hash`, and `definition` (or no definition: a marker of before definitions).
bool IsDeployed(const std::optional<Marker>& pointer, const std::string& hash,
                const std::string& definition);

/// The projects of `projects` whose deploy to `deploy_tag` is not done (what DeployProject
/// would promote or run steps for); an Error when the registry cannot say.
Expected<std::vector<int>> PendingDeploys(RegistryStore& cache, const Manifest& manifest,
                                          const std::vector<ProjectHash>& hashes,
                                          const GitRepository& repo, const std::string& commit,
                                          const std::string& deploy_tag,
                                          const std::vector<int>& projects);

/// How one project's deploy ended.
enum class DeployOutcome { kDeployed, kAlreadyDeployed, kPlanned };

/// Promotes the project's image (as <commit>, <DEPLOY_TAG>, and on tagged commits
/// <PROJECT>-<COMMIT_TAG>), runs its deploy steps in order and then writes the deployed
/// markers; skips all of it when deployed-<DEPLOY_TAG> already names this hash. A failed step
/// stops the project's deploy and writes no marker. With dry_run, only says what it would do.
Expected<DeployOutcome> DeployProject(DeployContext& context, int project, bool dry_run,
                                      const LineSink& on_line);

/// The projects a deploy covers: `named`, or (none named) every project with deploy: steps.
std::vector<int> DeployedProjects(const Manifest& manifest, std::vector<int> named);
/// One job per project, in order, none waiting for another (a deploy runs one at a time).
std::vector<RunJob> DeployJobs(const Manifest& manifest, const std::vector<int>& projects);
/// The work of a deploy job: done ("deployed", "planned") or cached ("already deployed").
JobResult RunDeployJob(DeployContext& context, int project, bool dry_run, JobScope& scope);

}  // namespace hoist
