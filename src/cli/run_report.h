#pragma once

#include <CLI/CLI.hpp>
#include <chrono>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cli/build_output.h"
#include "cli/command_context.h"
#include "cli/run_record.h"
#include "run/job_runner.h"
#include "stages/build_stage.h"

namespace hoist {

/// --remote, as build and test take it.
void AddRemoteOption(CLI::App& command, std::vector<std::string>& remotes, const std::string& what);
/// --compat (HOIST_COMPAT), as build and test take it: sets context.compat.
std::shared_ptr<std::string> AddCompatOption(CLI::App& command);
/// The jobs' names, by index (for the output and its logs).
std::vector<std::string> JobNames(const std::vector<RunJob>& jobs);
/// "built", "cached", "failed", "skipped", "interrupted".
std::string OutcomeName(JobOutcome outcome, const std::string& done = "built");

/// `hoist build --dry-run`: what would be built and why; the exit code.
/// The dry run's plan; `since` holds, for projects with no image, ChangesSinceLastImage().
int PrintBuildPlan(CommandContext& context, const BuildEnvironment& env, const BuildPlan& plan,
                   const std::map<int, nlohmann::json>& since = {});
/// The record of a build run (`command` "build"), by job (indexed like plan.order).
RunRecord BuildRunRecord(const BuildEnvironment& env, const BuildPlan& plan,
                         const std::vector<RunJob>& jobs, const std::vector<JobResult>& results,
                         const BuildOutput& output, const std::string& command = "build");

/// The summary of a run, as turbo's footer: a row for each job that was not cached (every job
/// with `full`; failed ones name their log), then the counts (built, cached, failed, skipped,
/// interrupted) with the total time, the slowest jobs and the critical path. The record's JSON
/// instead with --json. Returns the exit code.
int PrintRunSummary(CommandContext& context, const RunRecord& record, bool full);

/// The time as ISO 8601 UTC ("2026-12-01T03:05:40Z").
std::string UtcTimestamp(std::chrono::system_clock::time_point when);
/// --report FILE names the HTML page (its JSON goes beside it) of a run: a usage error for a
/// .json name or a dry run.
void CheckReportPath(const std::string& report, bool dry_run);

/// --report FILE: the HTML report and its JSON; in GitHub Actions, the job summary. What cannot
/// be written is a warning: the run's result stands.
void ReportRun(const RunRecord& record, const std::string& report);

}  // namespace hoist
