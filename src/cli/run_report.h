#pragma once

#include <CLI/CLI.hpp>
#include <chrono>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cli/command_context.h"
#include "run/job_runner.h"
#include "stages/build_stage.h"

namespace hoist {

/// --remote, as build and test take it.
void AddRemoteOption(CLI::App& command, std::vector<std::string>& remotes, const std::string& what);
/// The jobs' names, by index (for the output and its logs).
std::vector<std::string> JobNames(const std::vector<RunJob>& jobs);
/// "built", "cached", "failed", "skipped", "interrupted".
std::string OutcomeName(JobOutcome outcome, const std::string& done = "built");

/// `hoist build --dry-run`: what would be built and why; the exit code.
/// The dry run's plan; `since` holds, for projects with no image, ChangesSinceLastImage().
int PrintBuildPlan(CommandContext& context, const BuildEnvironment& env, const BuildPlan& plan,
                   const std::map<int, nlohmann::json>& since = {});
/// What a build run did and how long it took, by project (indexed like plan.order).
struct RunTimes {
  std::vector<std::chrono::steady_clock::duration> durations;
  std::chrono::steady_clock::duration total{};
  std::vector<std::string> logs;  ///< each project's log file
};

/// The summary of a build, as turbo's footer: a row for each project that was not cached
/// (every project with `full`; failed ones name their log), then the counts (built, cached,
/// failed, skipped, interrupted) with the total time, the slowest builds and the critical
/// path. JSON instead with --json. Returns the exit code.
int PrintBuildSummary(CommandContext& context, const BuildEnvironment& env, const BuildPlan& plan,
                      const std::vector<JobResult>& results, const std::string& builder,
                      const RunTimes& times, bool full);

}  // namespace hoist
