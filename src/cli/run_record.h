#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cli/build_output.h"
#include "cli/json_output.h"
#include "run/scheduler.h"

namespace hoist {

/// What one run of build, test or deploy did, job by job: what its summary, its `--json`, its
/// HTML report and its GitHub job summary are made from.
struct RunRecord {
  struct Job {
    std::string name;     ///< "api" (a build), "api-unit" (a test job)
    std::string project;  ///< the project it is of
    std::string result;   ///< "built", "cached", "passed", "failed", "skipped", "interrupted"
    JobOutcome outcome = JobOutcome::kDone;
    std::string reason;         ///< why it ran, was cached, failed or was skipped
    std::string hash;           ///< the project's content hash
    std::string image;          ///< the image it made or found ("" when none)
    std::string log;            ///< its log file
    std::vector<size_t> after;  ///< the jobs it waited for
    BuildOutput::JobTimes times;
    nlohmann::json why;  ///< for a rebuild: what changed since its last image (null: unknown)
  };
  std::string command;  ///< "build", "test", "deploy"
  std::string store, builder;
  std::string started;  ///< UTC, ISO 8601
  double seconds = 0;
  std::vector<Job> jobs;
};

/// The chain of jobs that took longest end to end (each after the one before), and its time.
struct CriticalPath {
  std::vector<size_t> jobs;
  double seconds = 0;
};
CriticalPath FindCriticalPath(const RunRecord& record);
/// Every job index, each after the jobs it waits for.
std::vector<size_t> DependencyOrder(const RunRecord& record);

/// The record as JSON: schemaVersion, command, counts, the critical path, each job with its
/// phases on the run's clock.
nlohmann::json RunRecordJson(const RunRecord& record);

/// A self-contained HTML page (no script, no network): the dependency graph coloured by result,
/// a timeline of each job's phases, the cache hits, the critical path and why each rebuilt.
std::string RenderHtmlReport(const RunRecord& record);
/// GitHub's job summary (Markdown): the counts, the critical path, a row per job not cached.
std::string RenderStepSummary(const RunRecord& record);

/// Writes the HTML report to `path` and the record's JSON beside it (FILE.html -> FILE.json);
/// an Error names what could not be written.
Status WriteRunReport(const RunRecord& record, const std::string& path);
/// Appends the job summary to $GITHUB_STEP_SUMMARY when GitHub Actions set it.
Status AppendStepSummary(const RunRecord& record);

}  // namespace hoist
