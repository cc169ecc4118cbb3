#pragma once

#include <CLI/CLI.hpp>
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
int PrintBuildPlan(CommandContext& context, const BuildEnvironment& env, const BuildPlan& plan);
/// The table (or JSON) of what happened to each project, and a line of totals; the exit code.
int PrintBuildSummary(CommandContext& context, const BuildEnvironment& env, const BuildPlan& plan,
                      const std::vector<JobResult>& results, const std::string& builder);

}  // namespace hoist
