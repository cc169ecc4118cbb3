#pragma once

#include <string>
#include <vector>

#include "stages/deploy.h"

namespace hoist {

/// What one project's deploy hands each of its steps.
struct StepRun {
  DeployContext& context;
  const Project& project;
  const std::string& hash;
  const std::vector<std::string>& env;   ///< hoist env as NAME=value
  const std::vector<std::string>& tags;  ///< the promotion tags
  const LineSink& on_line;
  /// The digest the deploy gate checked ("" only where there is none to check).
  std::string digest;

  /// The project's image in the cache registry: cache-<hash>, pinned to the checked digest.
  std::string Image() const;
  /// What to copy from the cache repository: the checked digest (else cache-<hash>).
  std::string ImageReference() const;
};

/// One kind of deploy step (the manifest's `type:`): what it will do, and doing it. New kinds
/// are a file and a row of the table; DeployProject never changes.
class DeployStepType {
 public:
  virtual ~DeployStepType() = default;
  /// One line for the plan ("step terraform in infra/terraform").
  virtual std::string Plan(const StepRun& run, const DeployStep& step) const = 0;
  virtual Status Run(const StepRun& run, const DeployStep& step) const = 0;
  /// The directories (repository-relative) whose files the step runs or reads, which must be
  /// committed for a deploy: terraform's and npm's dir, a command's projectDir.
  virtual std::vector<std::string> Inputs(const Project&, const DeployStep&) const { return {}; }
};

/// The step type called `type` (registry, npm, terraform, command), from a table as ccache
/// picks a storage backend from its URL scheme; nullptr for another name.
const DeployStepType* FindDeployStep(const std::string& type);

const DeployStepType& RegistryStep();
const DeployStepType& NpmStep();
const DeployStepType& TerraformStep();
const DeployStepType& CommandStep();

/// Copies `reference` of `source_repository` to `target_repository` under every tag of `tags`
/// (one copy, then retags).
Status PromoteImage(DistributionClient& source, const std::string& source_repository,
                    const std::string& reference, DistributionClient& target,
                    const std::string& target_repository, const std::vector<std::string>& tags);

}  // namespace hoist
