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

  std::string Var(const std::string& name) const;
};

/// The seed's "deploy only on a fully successful build of the entire project": every project's
/// image for its current hash, and every declared test job's pass. Returns what is missing.
Expected<std::vector<std::string>> MissingForDeploy(const Manifest& manifest,
                                                    const std::vector<ProjectHash>& hashes,
                                                    ImageStore& cache);

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
