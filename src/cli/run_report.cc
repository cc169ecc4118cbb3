#include "cli/run_report.h"

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>

#include "cli/input_changes.h"
#include "cli/json_output.h"
#include "cli/terminal.h"

namespace hoist {

std::string UtcTimestamp(std::chrono::system_clock::time_point when) {
  const std::time_t seconds = std::chrono::system_clock::to_time_t(when);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return text;
}

void CheckReportPath(const std::string& report, bool dry_run) {
  if (report.empty()) return;
  if (dry_run) {
    throw CommandFailure{kExitUsage,
                         "hoist: error: --report describes a run; a dry run runs nothing (drop "
                         "--dry-run, or --report)"};
  }
  if (std::filesystem::path(report).extension() == ".json") {
    throw CommandFailure{kExitUsage, "hoist: error: --report " + report +
                                         ": name the HTML page (run.html); its JSON is written "
                                         "beside it (run.json)"};
  }
}

void AddRemoteOption(CLI::App& command, std::vector<std::string>& remotes,
                     const std::string& what) {
  command
      .add_option("--remote", remotes,
                  what +
                      ": ssh://[USER@]HOST[:PORT] (repeat for a pool, one job per host), pool "
                      "(hoist.yml remotes), spot:CPUS, or local; projects' own remote: "
                      "settings then apply")
      ->allow_extra_args(false)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
}

std::shared_ptr<std::string> AddCompatOption(CLI::App& command) {
  // Each command its own value, set into the context by its callback: CLI11 reads HOIST_COMPAT
  // for every command that declares it, so one shared variable took the environment's value
  // over the command line's.
  auto compat = std::make_shared<std::string>();
  command
      .add_option("--compat", *compat,
                  "aztec: key images and test passes by the Aztec build system's content hash, "
                  "under the tags its scripts used (cache-<hash>, cache-<hash>-<arch>, "
                  "cache-<hash>-<job>); aztec-2023-02: also under its 2023-02 scripts' commit "
                  "tags (cache-<commit>[-<job>]), reusing an earlier commit's when the hash was "
                  "the same there")
      ->envname("HOIST_COMPAT")
      ->check(CLI::IsMember(kCompatSchemes))
      ->option_text("SCHEME");
  return compat;
}

std::vector<std::string> JobNames(const std::vector<RunJob>& jobs) {
  std::vector<std::string> names;
  for (const auto& job : jobs) names.push_back(job.name);
  return names;
}

std::string OutcomeName(JobOutcome outcome, const std::string& done) {
  switch (outcome) {
    case JobOutcome::kDone:
      return done;
    case JobOutcome::kCached:
      return "cached";
    case JobOutcome::kFailed:
      return "failed";
    case JobOutcome::kSkipped:
      return "skipped";
    case JobOutcome::kInterrupted:
      return "interrupted";
  }
  return "?";
}

int PrintBuildPlan(CommandContext& context, const BuildEnvironment& env, const BuildPlan& plan,
                   const std::map<int, nlohmann::json>& since) {
  int exit_code = kExitOk;
  nlohmann::json out = nlohmann::json::array();
  for (int p : plan.order) {
    const std::string& name = env.manifest.projects[p].name;
    const bool error = !plan.errors[p].empty();
    std::string action = error ? "error" : plan.decisions[p]->build ? "build" : "cached";
    std::string why = error ? plan.errors[p] : plan.decisions[p]->reason;
    if (error) exit_code = kExitFailure;
    auto found = since.find(p);
    // The first cause on the row itself: "…, because greeting changed, because FILE was
    // modified".
    const std::string cause = found != since.end() && !found->second.is_null()
                                  ? FirstCause(found->second["changes"])
                                  : "";
    if (context.json) {
      out.push_back({{"project", name},
                     {"action", action},
                     {"reason", why},
                     {"hash", env.hashes[p].hash.empty() ? nlohmann::json()
                                                         : nlohmann::json(env.hashes[p].hash)}});
      if (found != since.end()) out.back()["since"] = found->second;
      if (!cause.empty()) out.back()["cause"] = cause;
    } else {
      if (!cause.empty()) why += ", because " + cause;
      std::printf("%-7s %-32s %s\n", action.c_str(), name.c_str(), why.c_str());
      if (found != since.end() && !found->second.is_null()) {
        const nlohmann::json& last = found->second;
        const std::string where = SinceWords(last);
        std::printf("        since %s (%s), which has image cache-%s:\n",
                    last["commit"].get<std::string>().substr(0, 12).c_str(), where.c_str(),
                    last["hash"].get<std::string>().substr(0, 12).c_str());
        std::fflush(stdout);
        PrintChanges(last["changes"], "          ");
      }
    }
  }
  if (context.json) PrintJson("build", {{"dryRun", true}, {"projects", out}});
  return exit_code;
}

RunRecord BuildRunRecord(const BuildEnvironment& env, const BuildPlan& plan,
                         const std::vector<RunJob>& jobs, const std::vector<JobResult>& results,
                         const BuildOutput& output, const std::string& command) {
  RunRecord record;
  record.command = command;
  record.store = env.store.Describe();
  record.started = UtcTimestamp(std::chrono::system_clock::now() - output.Elapsed());
  record.seconds = std::chrono::duration<double>(output.Elapsed()).count();
  const auto timeline = output.Timeline();
  for (size_t i = 0; i < jobs.size(); ++i) {
    const int p = plan.order[i];
    const JobResult& result = results[i];
    const bool has_image =
        result.outcome == JobOutcome::kDone || result.outcome == JobOutcome::kCached;
    RunRecord::Job job;
    job.name = jobs[i].name;
    job.project = env.manifest.projects[p].name;
    job.result = OutcomeName(result.outcome);
    job.outcome = result.outcome;
    job.reason = result.message;
    job.hash = env.hashes[p].hash;
    if (has_image) job.image = env.store.Reference(job.project, CacheTag(job.hash));
    job.log = output.LogPath(i);
    // The direct dependencies (the jobs wait for every transitive one): the graph's edges.
    for (int dependency : env.graph.Dependencies(p)) {
      auto at = std::find(plan.order.begin(), plan.order.end(), dependency);
      if (at != plan.order.end()) job.after.push_back(static_cast<size_t>(at - plan.order.begin()));
    }
    job.times = timeline[i];
    record.jobs.push_back(std::move(job));
  }
  return record;
}

int PrintRunSummary(CommandContext& context, const RunRecord& record, bool full) {
  std::map<JobOutcome, size_t> counts;
  for (const auto& job : record.jobs) ++counts[job.outcome];
  auto ran = [](const RunRecord::Job& job) {
    return job.times.start >= 0 && job.outcome != JobOutcome::kSkipped &&
           job.outcome != JobOutcome::kCached;
  };
  auto clock = [](double seconds) {
    return FormatClock(std::chrono::duration_cast<std::chrono::steady_clock::duration>(
        std::chrono::duration<double>(seconds)));
  };
  if (context.json) {
    const nlohmann::json json = RunRecordJson(record);
    PrintJson(record.command, json);
  } else {
    size_t width = 8;
    for (const auto& job : record.jobs)
      width = std::max(width, std::min<size_t>(job.name.size(), 40));
    for (const auto& job : record.jobs) {
      if (job.outcome == JobOutcome::kCached && !full) continue;
      std::string detail = job.hash.substr(0, 12);
      if (job.outcome == JobOutcome::kFailed || job.outcome == JobOutcome::kInterrupted) {
        detail = "log: " + job.log;
      } else if (job.outcome == JobOutcome::kSkipped) {
        detail = job.reason;
      }
      std::printf("%-*s %-11s %5s  %s\n", static_cast<int>(width), job.name.c_str(),
                  job.result.c_str(),
                  ran(job) ? clock(job.times.end - job.times.start).c_str() : "", detail.c_str());
    }
  }
  std::fflush(stdout);
  // The counts; those of nothing are left out but built and cached.
  std::string line = "hoist: " + std::to_string(counts[JobOutcome::kDone]) + " " +
                     (record.command == "test" ? "passed" : "built") + ", " +
                     std::to_string(counts[JobOutcome::kCached]) + " cached";
  for (auto [outcome, word] :
       {std::pair{JobOutcome::kFailed, "failed"}, std::pair{JobOutcome::kSkipped, "skipped"},
        std::pair{JobOutcome::kInterrupted, "interrupted"}}) {
    if (counts[outcome] > 0) line += ", " + std::to_string(counts[outcome]) + " " + word;
  }
  line += " in " + clock(record.seconds);
  // The slowest jobs, and the chain of them that took longest end to end.
  std::vector<size_t> slow;
  for (size_t i = 0; i < record.jobs.size(); ++i) {
    const JobOutcome outcome = record.jobs[i].outcome;
    if (outcome == JobOutcome::kDone || outcome == JobOutcome::kFailed) slow.push_back(i);
  }
  auto seconds = [&](size_t i) { return record.jobs[i].times.end - record.jobs[i].times.start; };
  std::sort(slow.begin(), slow.end(), [&](size_t a, size_t b) { return seconds(a) > seconds(b); });
  if (slow.size() > 1) {
    line += "; slowest:";
    for (size_t k = 0; k < slow.size() && k < 3; ++k) {
      line += (k ? ", " : " ") + record.jobs[slow[k]].name + " " + clock(seconds(slow[k]));
    }
    const CriticalPath path = FindCriticalPath(record);
    std::string names;
    for (size_t j : path.jobs) names += (names.empty() ? "" : " > ") + record.jobs[j].name;
    line += "; critical path: " + names + " " + clock(path.seconds);
  }
  std::fprintf(stderr, "%s\nhoist: logs in %s\n", line.c_str(), context.LogDirectory().c_str());
  return counts[JobOutcome::kDone] + counts[JobOutcome::kCached] == record.jobs.size()
             ? kExitOk
             : kExitFailure;
}

void ReportRun(const RunRecord& record, const std::string& report) {
  if (!report.empty()) {
    auto written = WriteRunReport(record, report);
    if (!written) {
      Warn(written.error().message);
    } else {
      std::fprintf(stderr, "hoist: report in %s\n", report.c_str());
    }
  }
  auto summary = AppendStepSummary(record);
  if (!summary) Warn(summary.error().message);
}

}  // namespace hoist
