#include "cli/run_report.h"

#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>

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

int PrintBuildPlan(CommandContext& context, const BuildEnvironment& env, const BuildPlan& plan) {
  int exit_code = kExitOk;
  nlohmann::json out = nlohmann::json::array();
  for (int p : plan.order) {
    const std::string& name = env.manifest.projects[p].name;
    const bool error = !plan.errors[p].empty();
    std::string action = error ? "error" : plan.decisions[p]->build ? "build" : "cached";
    std::string why = error ? plan.errors[p] : plan.decisions[p]->reason;
    if (error) exit_code = kExitFailure;
    if (context.json) {
      out.push_back(
          {{"project", name}, {"action", action}, {"reason", why}, {"hash", env.hashes[p].hash}});
    } else {
      std::printf("%-7s %-32s %s\n", action.c_str(), name.c_str(), why.c_str());
    }
  }
  if (context.json) std::cout << out.dump(2) << "\n";
  return exit_code;
}

int PrintBuildSummary(CommandContext& context, const BuildEnvironment& env, const BuildPlan& plan,
                      const std::vector<JobResult>& results, const std::string& builder) {
  nlohmann::json summary = nlohmann::json::array();
  size_t built = 0, cached = 0, failed = 0;
  if (!context.json) std::printf("%-32s %-12s %-14s %s\n", "PROJECT", "RESULT", "HASH", "IMAGE");
  for (size_t i = 0; i < plan.order.size(); ++i) {
    int p = plan.order[i];
    const JobResult& result = results[i];
    const std::string& name = env.manifest.projects[p].name;
    std::string image = env.store.Reference(name, CacheTag(env.hashes[p].hash));
    bool has_image = result.outcome == JobOutcome::kDone || result.outcome == JobOutcome::kCached;
    built += result.outcome == JobOutcome::kDone;
    cached += result.outcome == JobOutcome::kCached;
    failed += !has_image;
    if (context.json) {
      summary.push_back({{"project", name},
                         {"result", OutcomeName(result.outcome)},
                         {"hash", env.hashes[p].hash},
                         {"image", has_image ? image : ""},
                         {"reason", result.message}});
    } else {
      std::printf("%-32s %-12s %-14s %s\n", name.c_str(), OutcomeName(result.outcome).c_str(),
                  env.hashes[p].hash.substr(0, 12).c_str(), has_image ? image.c_str() : "-");
    }
  }
  if (context.json) {
    std::cout << nlohmann::json{{"store", env.store.Describe()},
                                {"builder", builder},
                                {"projects", summary}}
                     .dump(2)
              << "\n";
  }
  std::fflush(stdout);
  std::fprintf(stderr, "hoist: %zu built, %zu cached, %zu failed or skipped; logs in %s\n", built,
               cached, failed, context.LogDirectory().c_str());
  return failed > 0 ? kExitFailure : kExitOk;
}

}  // namespace hoist
