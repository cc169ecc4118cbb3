#include "cli/run_report.h"

#include <algorithm>
#include <cstdio>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>

#include "cli/input_changes.h"
#include "cli/terminal.h"

namespace hoist {

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
    if (context.json) {
      out.push_back(
          {{"project", name}, {"action", action}, {"reason", why}, {"hash", env.hashes[p].hash}});
      if (found != since.end()) out.back()["since"] = found->second;
    } else {
      std::printf("%-7s %-32s %s\n", action.c_str(), name.c_str(), why.c_str());
      if (found != since.end() && !found->second.is_null()) {
        const nlohmann::json& last = found->second;
        const int back = last["back"];
        const std::string where =
            back == 0 ? "the commit checked out"
                      : std::to_string(back) + (back == 1 ? " commit" : " commits") + " back";
        std::printf("        since %s (%s), which has image cache-%s:\n",
                    last["commit"].get<std::string>().substr(0, 12).c_str(), where.c_str(),
                    last["hash"].get<std::string>().substr(0, 12).c_str());
        std::fflush(stdout);
        PrintChanges(last["changes"], "          ");
      }
    }
  }
  if (context.json) std::cout << out.dump(2) << "\n";
  return exit_code;
}

int PrintBuildSummary(CommandContext& context, const BuildEnvironment& env, const BuildPlan& plan,
                      const std::vector<JobResult>& results, const std::string& builder,
                      const RunTimes& times, bool full) {
  using Duration = std::chrono::steady_clock::duration;
  const auto& projects = env.manifest.projects;
  auto seconds = [](Duration d) { return std::chrono::duration<double>(d).count(); };
  std::map<JobOutcome, size_t> counts;
  for (const auto& result : results) ++counts[result.outcome];
  if (context.json) {
    nlohmann::json summary = nlohmann::json::array();
    for (size_t i = 0; i < plan.order.size(); ++i) {
      const int p = plan.order[i];
      const JobResult& result = results[i];
      const bool has_image =
          result.outcome == JobOutcome::kDone || result.outcome == JobOutcome::kCached;
      summary.push_back(
          {{"project", projects[p].name},
           {"result", OutcomeName(result.outcome)},
           {"hash", env.hashes[p].hash},
           {"image",
            has_image ? env.store.Reference(projects[p].name, CacheTag(env.hashes[p].hash)) : ""},
           {"reason", result.message},
           {"seconds", seconds(times.durations[i])},
           {"log", times.logs[i]}});
    }
    std::cout << nlohmann::json{{"store", env.store.Describe()},
                                {"builder", builder},
                                {"seconds", seconds(times.total)},
                                {"projects", summary}}
                     .dump(2)
              << "\n";
  } else {
    size_t width = 8;
    for (int p : plan.order) width = std::max(width, std::min<size_t>(projects[p].name.size(), 40));
    for (size_t i = 0; i < plan.order.size(); ++i) {
      const int p = plan.order[i];
      const JobResult& result = results[i];
      if (result.outcome == JobOutcome::kCached && !full) continue;
      std::string detail = env.hashes[p].hash.substr(0, 12);
      if (result.outcome == JobOutcome::kFailed || result.outcome == JobOutcome::kInterrupted) {
        detail = "log: " + times.logs[i];
      } else if (result.outcome == JobOutcome::kSkipped) {
        detail = result.message;
      }
      const bool ran =
          result.outcome != JobOutcome::kSkipped && result.outcome != JobOutcome::kCached;
      std::printf("%-*s %-11s %5s  %s\n", static_cast<int>(width), projects[p].name.c_str(),
                  OutcomeName(result.outcome).c_str(),
                  ran ? FormatClock(times.durations[i]).c_str() : "", detail.c_str());
    }
  }
  std::fflush(stdout);
  // The counts; those of nothing are left out but built and cached.
  std::string line = "hoist: " + std::to_string(counts[JobOutcome::kDone]) + " built, " +
                     std::to_string(counts[JobOutcome::kCached]) + " cached";
  for (auto [outcome, word] :
       {std::pair{JobOutcome::kFailed, "failed"}, std::pair{JobOutcome::kSkipped, "skipped"},
        std::pair{JobOutcome::kInterrupted, "interrupted"}}) {
    if (counts[outcome] > 0) line += ", " + std::to_string(counts[outcome]) + " " + word;
  }
  line += " in " + FormatClock(times.total);
  // The slowest builds, and the chain of dependencies that took longest end to end.
  std::vector<size_t> ran;
  for (size_t i = 0; i < results.size(); ++i) {
    if (results[i].outcome == JobOutcome::kDone || results[i].outcome == JobOutcome::kFailed) {
      ran.push_back(i);
    }
  }
  std::sort(ran.begin(), ran.end(),
            [&](size_t a, size_t b) { return times.durations[a] > times.durations[b]; });
  if (ran.size() > 1) {
    line += "; slowest:";
    for (size_t k = 0; k < ran.size() && k < 3; ++k) {
      line += (k ? ", " : " ") + projects[plan.order[ran[k]]].name + " " +
              FormatClock(times.durations[ran[k]]);
    }
    std::map<int, size_t> index_of;  // project -> index in plan.order
    for (size_t i = 0; i < plan.order.size(); ++i) index_of[plan.order[i]] = i;
    std::vector<Duration> finish(plan.order.size());
    std::vector<int> before(plan.order.size(), -1);
    size_t last = 0;
    for (size_t i = 0; i < plan.order.size(); ++i) {  // dependencies first
      for (int dependency : env.graph.Dependencies(plan.order[i])) {
        auto it = index_of.find(dependency);
        if (it != index_of.end() && finish[it->second] > finish[i]) {
          finish[i] = finish[it->second];
          before[i] = static_cast<int>(it->second);
        }
      }
      finish[i] += times.durations[i];
      if (finish[i] > finish[last]) last = i;
    }
    std::string path;
    for (int i = static_cast<int>(last); i >= 0; i = before[i]) {
      if (results[i].outcome != JobOutcome::kDone && results[i].outcome != JobOutcome::kFailed) {
        continue;  // cached or skipped: no time on the path
      }
      path = projects[plan.order[i]].name + (path.empty() ? "" : " > " + path);
    }
    line += "; critical path: " + path + " " + FormatClock(finish[last]);
  }
  std::fprintf(stderr, "%s\nhoist: logs in %s\n", line.c_str(), context.LogDirectory().c_str());
  return counts[JobOutcome::kDone] + counts[JobOutcome::kCached] == results.size() ? kExitOk
                                                                                   : kExitFailure;
}

}  // namespace hoist
