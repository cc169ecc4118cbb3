#include "ci/ci_dynamic.h"

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

namespace hoist {
namespace {

bool Planned(const CiJob& job) {
  return job.kind == CiJob::Kind::kBuild || job.kind == CiJob::Kind::kTest;
}

std::vector<std::string> AllPlannable(const std::vector<CiJob>& jobs) {
  std::vector<std::string> ids;
  for (const auto& job : jobs) {
    if (Planned(job)) ids.push_back(job.id);
  }
  return ids;
}

std::string WaveOutput(size_t wave) {
  return "wave" + std::to_string(wave + 1);
}

/// The commands of a job that runs hoist `command` after what every job runs first (setup,
/// hoist env): the deploy job's, with its last command replaced.
std::vector<std::string> CommandsRunning(const std::vector<CiJob>& jobs,
                                         const std::string& command) {
  std::vector<std::string> commands;
  for (const auto& job : jobs) {
    if (job.kind == CiJob::Kind::kDeploy) commands = job.commands;
  }
  commands.back() = command;
  return commands;
}

/// The plan job: the config check, then the plan in the vendor's form.
CiJob PlanJob(CiVendor vendor, const std::vector<CiJob>& jobs, const CiOptions& options) {
  CiJob plan{CiJob::Kind::kPlan, "plan", "plan", {}, {}};
  if (!options.setup.empty()) plan.commands.push_back(options.setup);
  plan.commands.push_back(options.regenerate + " --check");
  const std::string& hoist = options.plan;
  switch (vendor) {
    case CiVendor::kGithub: {
      const size_t waves = CiWaves(jobs, AllPlannable(jobs)).size();
      for (size_t w = 0; w < waves; ++w) plan.outputs.push_back(WaveOutput(w));
      plan.outputs.push_back("deploy");
      plan.commands.push_back(hoist + " --vendor github >> \"$GITHUB_OUTPUT\"");
      break;
    }
    case CiVendor::kGitlab:
      plan.outputs.push_back(kGitlabChildPipeline);
      plan.commands.push_back(hoist + " --vendor gitlab --output " + kGitlabChildPipeline);
      break;
    case CiVendor::kCircleCi:
      plan.commands.push_back(hoist + " --vendor circleci --output " + kCircleCiContinuation);
      // CircleCI's continuation API, as its continuation orb calls it (no orb to allow).
      plan.commands.push_back(
          std::string("curl -fsS --retry 3 -X POST -H 'Content-Type: application/json' "
                      "--data-binary @") +
          kCircleCiContinuation +
          " \"https://${CIRCLECI_DOMAIN:-circleci.com}/api/v2/pipeline/continue\"");
      break;
  }
  return plan;
}

}  // namespace

std::vector<std::vector<const CiJob*>> CiWaves(const std::vector<CiJob>& jobs,
                                               const std::vector<std::string>& run) {
  const std::set<std::string> running(run.begin(), run.end());
  std::map<std::string, size_t> wave_of;
  std::vector<std::vector<const CiJob*>> waves;
  for (const auto& job : jobs) {  // dependencies first (PlanCiJobs' order)
    if (!Planned(job) || !running.count(job.id)) continue;
    size_t wave = 0;
    for (const auto& need : job.needs) {
      auto it = wave_of.find(need);
      if (it != wave_of.end()) wave = std::max(wave, it->second + 1);
    }
    wave_of[job.id] = wave;
    if (waves.size() <= wave) waves.resize(wave + 1);
    waves[wave].push_back(&job);
  }
  return waves;
}

std::string RenderDynamicCiConfig(CiVendor vendor, const std::vector<CiJob>& jobs,
                                  const CiOptions& options, const std::string& manifest_file) {
  std::vector<CiJob> dynamic = {PlanJob(vendor, jobs, options)};
  if (vendor == CiVendor::kGithub) {
    // A job the plan leaves out is skipped, and a skipped job would skip what needs it: the
    // waves and the deploy ask for no failure rather than every need's success.
    const size_t waves = CiWaves(jobs, AllPlannable(jobs)).size();
    std::vector<std::string> before = {"plan"};
    for (size_t w = 0; w < waves; ++w) {
      CiJob wave{CiJob::Kind::kWave,
                 "wave-" + std::to_string(w + 1),
                 "wave " + std::to_string(w + 1),
                 before,
                 {}};
      wave.commands = CommandsRunning(jobs, options.run_job + " \"$HOIST_CI_JOB\"");
      wave.matrix = WaveOutput(w);
      wave.run_if = "!cancelled() && !failure() && needs.plan.outputs." + wave.matrix + " != '[]'";
      before.push_back(wave.id);
      dynamic.push_back(std::move(wave));
    }
    for (const auto& job : jobs) {
      if (job.kind != CiJob::Kind::kDeploy) continue;
      CiJob deploy = job;
      deploy.needs = before;
      deploy.run_if = "!cancelled() && !failure() && needs.plan.outputs.deploy == 'true'";
      dynamic.push_back(std::move(deploy));
    }
  } else if (vendor == CiVendor::kGitlab) {
    dynamic.push_back(CiJob{CiJob::Kind::kTrigger, "pipeline", "the planned jobs", {"plan"}, {}});
    dynamic.back().outputs = {kGitlabChildPipeline};
  }
  std::string header = CiConfigHeader(vendor, manifest_file);
  header +=
      "#\n# Affected-only (ci.dynamic): the plan job starts only the build and test jobs "
      "whose inputs\n# changed (hoist ci plan), and the deploy when there is something "
      "to deploy.\n";
  return header + RenderCiJobs(vendor, dynamic, options);
}

std::string RenderCiPlan(CiVendor vendor, const std::vector<CiJob>& jobs, const CiRunPlan& plan,
                         const CiOptions& options) {
  CiOptions static_options = options;
  static_options.dynamic = false;
  if (vendor == CiVendor::kGithub) {
    const auto waves = CiWaves(jobs, plan.run);
    const size_t count = CiWaves(jobs, AllPlannable(jobs)).size();
    std::string text;
    for (size_t w = 0; w < count; ++w) {
      nlohmann::json list = nlohmann::json::array();
      if (w < waves.size()) {
        for (const CiJob* job : waves[w]) list.push_back({{"id", job->id}, {"title", job->title}});
      }
      text += WaveOutput(w) + "=" + list.dump() + "\n";
    }
    return text + "deploy=" + (plan.deploy ? "true" : "false") + "\n";
  }
  // The planned jobs, each needing only the planned jobs it needed.
  const std::set<std::string> running(plan.run.begin(), plan.run.end());
  std::vector<CiJob> planned;
  for (const auto& job : jobs) {
    const bool deploy = job.kind == CiJob::Kind::kDeploy && plan.deploy;
    if (!deploy && !(Planned(job) && running.count(job.id))) continue;
    CiJob copy = job;
    copy.needs.clear();
    for (const auto& need : job.needs) {
      if (running.count(need)) copy.needs.push_back(need);
    }
    planned.push_back(std::move(copy));
  }
  if (vendor == CiVendor::kCircleCi) {
    return planned.empty() ? "{}\n" : RenderCiJobs(vendor, planned, static_options);
  }
  if (planned.empty()) {
    planned.push_back(CiJob{CiJob::Kind::kNothing,
                            "nothing-to-do",
                            "nothing to do",
                            {},
                            {"echo 'hoist ci plan: no build, test or deploy job to run'"}});
  }
  return "# Written by `hoist ci plan` for one pipeline: the jobs whose inputs changed.\n" +
         RenderCiJobs(vendor, planned, static_options);
}

}  // namespace hoist
