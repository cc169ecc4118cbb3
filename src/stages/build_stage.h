#pragma once

#include <optional>
#include <string>
#include <vector>

#include "run/job_runner.h"
#include "stages/project_build.h"

namespace hoist {

/// `[ci rebuild]` and `[ci rebuild <project>]` in a commit message, as the Aztec build system
/// read them: force every build, or those of the named projects.
void ReadRebuildRequests(const std::string& message, BuildSettings& settings);

/// The projects a build needs: `selected` (indexed like manifest.projects) and every one of
/// their dependencies (their images are part of the run, cached when present), dependencies
/// first; an Error naming a cycle.
Expected<std::vector<int>> BuildOrder(const DependencyGraph& graph, std::vector<bool> selected);

/// What a build run will do: for each project of `order`, its decision or why none was made.
struct BuildPlan {
  std::vector<int> order;                               ///< projects, dependencies first
  std::vector<std::optional<BuildDecision>> decisions;  ///< by project index
  std::vector<std::string> errors;                      ///< by project index ("" when decided)
};

/// Decides every project of `order` from the store, many questions at once.
BuildPlan PlanBuild(BuildEnvironment& env, std::vector<int> order);

/// One job per project of the plan, after the jobs of its dependencies; `placement` is
/// indexed like manifest.projects.
std::vector<RunJob> BuildJobs(const BuildEnvironment& env, const BuildPlan& plan,
                              const std::vector<std::string>& placement);

/// The work of a build job: cached, or built on a machine of its placement.
JobResult RunBuildJob(const BuildEnvironment& env, const BuildPlan& plan, JobScope& scope);

}  // namespace hoist
