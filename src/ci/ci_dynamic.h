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
  /// The plan job's run is untrusted: so are the jobs it starts, whatever they see (a GitLab
  /// child pipeline is not told of its parent's merge request).
  bool untrusted = false;
};

/// `run`'s build and test jobs in the dependency waves of the whole job graph, in the order of
/// `jobs`: wave 0 needs nothing, wave k+1 needs only jobs of waves up to k. Waves none of `run`
/// falls in stay, empty: a job keeps its wave whatever runs, so the config's slots for a wave
/// fit every plan.
std::vector<std::vector<const CiJob*>> CiWaves(const std::vector<CiJob>& jobs,
                                               const std::vector<std::string>& run);

/// GitHub's most jobs of one matrix: a wave with more is split over matrix jobs.
inline constexpr size_t kGithubMatrixLimit = 256;

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
/// pipeline; CircleCI, the config to continue with (when nothing runs, the empty config its
/// continuation orb finishes a pipeline with).
std::string RenderCiPlan(CiVendor vendor, const std::vector<CiJob>& jobs, const CiRunPlan& plan,
                         const CiOptions& options);

/// Where GitLab's plan job writes the child pipeline, and CircleCI's the continuation request.
inline constexpr const char* kGitlabChildPipeline = ".hoist/pipeline.yml";
inline constexpr const char* kCircleCiContinuation = ".hoist/continuation.json";

}  // namespace hoist
