#include "stages/build_stage.h"

#include <algorithm>
#include <atomic>
#include <thread>

namespace hoist {
namespace {

// Store questions in flight at once while deciding what to build.
constexpr size_t kParallelDecisions = 16;

}  // namespace

void ReadRebuildRequests(const std::string& message, BuildSettings& settings) {
  if (message.find("[ci rebuild]") != std::string::npos) settings.force = true;
  const std::string marker = "[ci rebuild ";
  for (size_t at = message.find(marker); at != std::string::npos;
       at = message.find(marker, at + 1)) {
    size_t end = message.find(']', at);
    if (end != std::string::npos) {
      settings.force_projects.push_back(
          message.substr(at + marker.size(), end - at - marker.size()));
    }
  }
}

Expected<std::vector<int>> BuildOrder(const DependencyGraph& graph, std::vector<bool> selected) {
  for (size_t p = 0; p < selected.size(); ++p) {
    if (!selected[p]) continue;
    for (int d : graph.TransitiveDependencies(static_cast<int>(p))) selected[d] = true;
  }
  return graph.TopologicalOrder(selected);
}

BuildPlan PlanBuild(BuildEnvironment& env, std::vector<int> order) {
  BuildPlan plan;
  plan.order = std::move(order);
  plan.decisions.resize(env.manifest.projects.size());
  plan.errors.resize(env.manifest.projects.size());
  std::atomic<size_t> next{0};
  std::vector<std::thread> threads;
  for (size_t t = 0; t < std::min(plan.order.size(), kParallelDecisions); ++t) {
    threads.emplace_back([&] {
      for (size_t i; (i = next++) < plan.order.size();) {
        int p = plan.order[i];
        auto decision = DecideBuild(env, p);
        if (decision) {
          plan.decisions[p] = *decision;
        } else {
          plan.errors[p] = decision.error().message;
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  return plan;
}

std::vector<RunJob> BuildJobs(const BuildEnvironment& env, const BuildPlan& plan,
                              const std::vector<std::string>& placement) {
  std::vector<int> position(env.manifest.projects.size(), -1);
  for (size_t i = 0; i < plan.order.size(); ++i) position[plan.order[i]] = static_cast<int>(i);
  std::vector<RunJob> jobs;
  for (int p : plan.order) {
    RunJob job{env.manifest.projects[p].name, placement[p], {}, "build"};
    for (int dep : env.graph.TransitiveDependencies(p)) {
      if (position[dep] >= 0) job.after.push_back(static_cast<size_t>(position[dep]));
    }
    jobs.push_back(std::move(job));
  }
  return jobs;
}

JobResult RunBuildJob(const BuildEnvironment& env, const BuildPlan& plan, JobScope& scope) {
  const int p = plan.order[scope.index()];
  if (!plan.errors[p].empty()) return {JobOutcome::kFailed, plan.errors[p]};
  const BuildDecision& decision = *plan.decisions[p];
  if (!decision.build) return {JobOutcome::kCached, decision.reason};
  const std::string& name = env.manifest.projects[p].name;
  auto built = scope.OnMachine(
      "the build did not finish and nothing was tagged",
      [&](BuildMachine& machine, ImageBuilder& builder) {
        scope.Phase("prepare");
        scope.Say("hoist: building " + name + " on " + machine.Describe() + " (" + decision.reason +
                  ")");
        BuildEnvironment on_machine{env.manifest, env.graph,    env.hashes,   env.repo,
                                    env.store,    builder,      env.settings, env.submodule_status,
                                    env.snapshot, env.patterns, env.bases,    env.recorded_inputs};
        return BuildProject(on_machine, p, decision, scope.sink(), scope.phases());
      });
  if (!built) return {JobOutcome::kFailed, built.error().message};
  return {JobOutcome::kDone, decision.reason};
}

}  // namespace hoist
