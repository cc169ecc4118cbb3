#pragma once

#include <string>

#include "config/hoist_config.h"
#include "stages/pipeline_env.h"

namespace hoist {

/// Whether a run may write what trusted runs read (DESIGN.md rule 2), and why.
struct TrustTier {
  bool trusted = false;
  std::string reason;  ///< "branch main is trusted (trust.branches)", "a GitHub pull_request event"
  /// Untrusted only because its branch or tag is not listed (no proposal, no mismatch): such a
  /// run has nothing to deploy, which is not an error.
  bool not_listed = false;

  std::string Name() const { return trusted ? "trusted" : "untrusted"; }
};

/// The tier of the run `facts` describe. `mode` is --trust (or HOIST_TRUST): "auto" decides
/// from the facts and hoist.yml `trust:`; "untrusted" forces untrusted; "trusted" forces
/// trusted, except for a proposal (a pull request's run), which is an Error.
/// The branches that deploy (regular expressions matched whole): hoist.yml ci.deployBranches,
/// else the repository's default branch where the CI names it, else main.
std::vector<std::string> DeployBranches(const PipelineFacts& facts, const HoistConfig& config);

/// Whether this run's tag is a release tag (trust.tags) or its branch a deploy branch.
bool IsDeployRef(const PipelineFacts& facts, const HoistConfig& config);

/// Whether a run of `tier` may deploy: "" when it may; why there is nothing to deploy (a
/// branch or tag that does not deploy, trusted or not: a CI's deploy job may start for every
/// push, and hoist.yml decides the same way on every vendor); an error for an untrusted run,
/// or a deploy branch that trust.branches leaves out (a setting to mend, not a green job).
/// With `caller_decides` (a per-call deploy of the Aztec build system's scripts, which the CI
/// config runs where it deploys, as it ran the scripts) no ref is "nothing to deploy": only
/// trust decides, failing closed.
Expected<std::string> MayDeploy(const PipelineFacts& facts, const HoistConfig& config,
                                const TrustTier& tier, bool caller_decides = false);

Expected<TrustTier> DecideTrust(const PipelineFacts& facts, const HoistConfig& config,
                                const std::string& mode);

/// Where an untrusted run writes: hoist.yml trust.untrustedRegistry, else the cache registry
/// `cache` ("HOST[/PREFIX]") with "/untrusted" after its prefix.
std::string UntrustedLocation(const std::string& cache, const TrustConfig& trust);

}  // namespace hoist
