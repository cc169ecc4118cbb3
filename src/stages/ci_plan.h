#pragma once

#include <string>
#include <vector>

#include "ci/ci_pipeline.h"
#include "stages/build_stage.h"

namespace hoist {

/// Whether one build or test job of a dynamic pipeline runs, and why.
struct CiJobDecision {
  std::string id;
  bool run = false;
  std::string reason;
};

/// Decides, from the store, which build and test jobs of `jobs` a pipeline runs: a build job
/// when its project's build would build (`plan`, PlanBuild's decisions over every project); a
/// test job when its project's build runs or no pass is recorded for its definition on the
/// image cache-<hash> names now. A job whose question the store cannot answer runs, so that
/// the job itself shows the error.
std::vector<CiJobDecision> DecideCiJobs(const std::vector<CiJob>& jobs, const Manifest& manifest,
                                        const std::vector<ProjectHash>& hashes,
                                        const BuildPlan& plan, ImageStore& store,
                                        const std::string& root);

}  // namespace hoist
