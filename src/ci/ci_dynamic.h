#pragma once

#include <string>
#include <vector>

#include "ci/ci_pipeline.h"

namespace hoist {

/// What a dynamic pipeline's plan job decided: the build and test jobs to run (ids of the job
/// graph PlanCiJobs makes) and whether the deploy job runs.
struct CiRunPlan {
  std::vector<std::string> run;
  bool deploy = false;
};

/// `run`'s jobs in dependency waves, in the order of `jobs`: a job comes in the wave after the
/// last of the jobs it needs that run too (one that does not run left its image or its pass
/// in the registry already).
std::vector<std::vector<const CiJob*>> CiWaves(const std::vector<CiJob>& jobs,
                                               const std::vector<std::string>& run);

/// The header of a generated config: how it was made, which variables to set.
std::string CiConfigHeader(CiVendor vendor, const std::string& manifest_file);

/// An affected-only pipeline: a plan job first (it checks the config is up to date and runs
/// `hoist ci plan`), then only what it planned:
///   GitHub: one matrix job per dependency wave of the whole job graph, skipped when the plan
///   puts nothing in it, then the deploy job when the plan says so;
///   GitLab: a trigger of the child pipeline the plan job leaves as an artifact;
///   CircleCI: a setup workflow, which the plan job continues with the planned config.
/// A push that changes nothing starts the plan job alone (on GitLab, which refuses an empty
/// child pipeline, also one job that clones and installs nothing).
std::string RenderDynamicCiConfig(CiVendor vendor, const std::vector<CiJob>& jobs,
                                  const CiOptions& options, const std::string& manifest_file);

/// What the plan job hands on for `plan`: GitHub, its step outputs (`waveN=[{"id","title"}…]`
/// lines for every wave of the dynamic config, then `deploy=true|false`); GitLab, the child
/// pipeline; CircleCI, the config to continue with ("{}" when nothing runs, which ends the
/// pipeline).
std::string RenderCiPlan(CiVendor vendor, const std::vector<CiJob>& jobs, const CiRunPlan& plan,
                         const CiOptions& options);

/// Where GitLab's plan job writes the child pipeline, and CircleCI's the continuation request.
inline constexpr const char* kGitlabChildPipeline = ".hoist/pipeline.yml";
inline constexpr const char* kCircleCiContinuation = ".hoist/continuation.json";

}  // namespace hoist
