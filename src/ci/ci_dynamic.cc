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

/// One matrix job of a dynamic GitHub workflow: part `part` of wave `wave`'s jobs.
struct WaveSlot {
  size_t wave;
  size_t part;
  size_t parts;  ///< of the wave
  std::string Job() const {
    return "wave-" + std::to_string(wave + 1) + (parts > 1 ? "-" + std::to_string(part + 1) : "");
  }
  std::string Output() const {
    return "wave" + std::to_string(wave + 1) + (parts > 1 ? "_" + std::to_string(part + 1) : "");
  }
};

/// The matrix jobs of the whole job graph: one per wave, or as many as GitHub's matrix limit
/// needs.
std::vector<WaveSlot> WaveSlots(const std::vector<CiJob>& jobs) {
  std::vector<WaveSlot> slots;
  const auto waves = CiWaves(jobs, AllPlannable(jobs));
  for (size_t w = 0; w < waves.size(); ++w) {
    const size_t parts =
        std::max<size_t>(1, (waves[w].size() + kGithubMatrixLimit - 1) / kGithubMatrixLimit);
    for (size_t part = 0; part < parts; ++part) slots.push_back({w, part, parts});
  }
  return slots;
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
      for (const auto& slot : WaveSlots(jobs)) plan.outputs.push_back(slot.Output());
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
          std::string("curl -fsS -X POST -H 'Content-Type: application/json' "
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
    if (!Planned(job)) continue;
    size_t wave = 0;
    for (const auto& need : job.needs) {
      auto it = wave_of.find(need);
      if (it != wave_of.end()) wave = std::max(wave, it->second + 1);
    }
    wave_of[job.id] = wave;
    if (waves.size() <= wave) waves.resize(wave + 1);
    if (running.count(job.id)) waves[wave].push_back(&job);
  }
  return waves;
}

std::string RenderDynamicCiConfig(CiVendor vendor, const std::vector<CiJob>& jobs,
                                  const CiOptions& options, const std::string& manifest_file) {
  std::vector<CiJob> dynamic = {PlanJob(vendor, jobs, options)};
  if (vendor == CiVendor::kGithub) {
    // A job the plan leaves out is skipped, and a skipped job would skip what needs it: the
    // waves and the deploy ask for what they need in their own conditions.
    std::vector<std::string> before = {"plan"}, earlier_waves = {"plan"};
    size_t current = 0;
    for (const auto& slot : WaveSlots(jobs)) {
      if (slot.wave != current) {  // a wave's parts need every part of the waves before
        earlier_waves = before;
        current = slot.wave;
      }
      CiJob wave{CiJob::Kind::kWave, slot.Job(), slot.Job(), earlier_waves, {}};
      wave.commands = CommandsRunning(jobs, options.run_job + " \"$HOIST_CI_JOB\"");
      wave.matrix = slot.Output();
      // After the waves before, whatever became of them: one failure in a wave does not skip
      // unrelated jobs of later ones (a job whose dependency failed builds it itself, and
      // fails the same way).
      wave.run_if = "!cancelled() && needs.plan.result == 'success' && needs.plan.outputs." +
                    wave.matrix + " != '[]'";
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
  if (plan.untrusted) static_options.variables.push_back({"HOIST_TRUST", "untrusted"});
  if (vendor == CiVendor::kGithub) {
    const auto waves = CiWaves(jobs, plan.run);
    std::string text;
    for (const auto& slot : WaveSlots(jobs)) {
      nlohmann::json list = nlohmann::json::array();
      const auto& wave = waves[slot.wave];
      for (size_t i = slot.part * kGithubMatrixLimit;
           i < wave.size() && i < (slot.part + 1) * kGithubMatrixLimit; ++i) {
        list.push_back({{"id", wave[i]->id}, {"title", wave[i]->title}});
      }
      text += slot.Output() + "=" + list.dump() + "\n";
    }
    return text + "deploy=" + (plan.deploy ? "true" : "false") + "\n";
  }
  // The planned jobs, each after the nearest planned jobs it needs, directly or through jobs
  // that do not run (a cached library between a rebuilt base and its user: the user still
  // waits for the base).
  const std::set<std::string> running(plan.run.begin(), plan.run.end());
  std::map<std::string, std::set<std::string>> nearest;  // job id -> nearest running needs
  for (const auto& job : jobs) {                         // dependencies first
    std::set<std::string>& mine = nearest[job.id];
    for (const auto& need : job.needs) {
      if (running.count(need)) {
        mine.insert(need);
      } else {
        mine.insert(nearest[need].begin(), nearest[need].end());
      }
    }
  }
  std::vector<CiJob> planned;
  for (const auto& job : jobs) {
    const bool deploy = job.kind == CiJob::Kind::kDeploy && plan.deploy;
    if (!deploy && !(Planned(job) && running.count(job.id))) continue;
    CiJob copy = job;
    copy.needs.clear();
    for (const auto& other : jobs) {  // in the order of `jobs`
      if (nearest[job.id].count(other.id)) copy.needs.push_back(other.id);
    }
    planned.push_back(std::move(copy));
  }
  if (vendor == CiVendor::kCircleCi) {
    // With nothing to run, the config CircleCI's continuation orb finishes a pipeline with.
    return planned.empty() ? "{\"version\": 2, \"jobs\": {}, \"workflows\": {\"version\": 2}}\n"
                           : RenderCiJobs(vendor, planned, static_options);
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
