#include "stages/ci_plan.h"

#include "stages/test_job.h"

namespace hoist {

std::vector<CiJobDecision> DecideCiJobs(const std::vector<CiJob>& jobs, const Manifest& manifest,
                                        const std::vector<ProjectHash>& hashes,
                                        const BuildPlan& plan, ImageStore& store,
                                        const std::string& root) {
  std::vector<CiJobDecision> decisions;
  auto builds = [&](int p) {
    const auto& decision = plan.decisions[p];
    return !decision || decision->build;
  };
  for (const auto& job : jobs) {
    if (job.kind == CiJob::Kind::kBuild) {
      const auto& decision = plan.decisions[job.project];
      decisions.push_back(
          {job.id, builds(job.project), decision ? decision->reason : plan.errors[job.project]});
      continue;
    }
    if (job.kind != CiJob::Kind::kTest) continue;
    const Project& project = manifest.projects[job.project];
    const ProjectHash& hash = hashes[job.project];
    if (builds(job.project)) {
      decisions.push_back({job.id, true, "its build runs"});
      continue;
    }
    const TestJob* test = nullptr;
    for (const auto& declared : project.tests) {
      if (declared.name == job.test) test = &declared;
    }
    if (!test || !hash.error.empty()) {
      decisions.push_back({job.id, true, test ? hash.error : "no such test job"});
      continue;
    }
    auto image = TestedImage(store, project.name, hash.hash, *test);
    if (!image) {
      decisions.push_back({job.id, true, image.error().message});
      continue;
    }
    // A compose job runs, too, when an image it runs has no pass with it.
    auto inputs = ComposeInputs(store, manifest, hashes, job.project, *test, root);
    if (!inputs) {
      decisions.push_back({job.id, true, inputs.error().message});
      continue;
    }
    auto pass = FindTestPass(store, project.name, hash.hash, *test, *image, *inputs);
    if (!pass) {
      decisions.push_back({job.id, true, pass.error().message});
    } else if (*pass) {
      decisions.push_back(
          {job.id, false,
           "passed at " + (*pass)->time + " at commit " + (*pass)->commit.substr(0, 12)});
    } else {
      decisions.push_back({job.id, true, "no pass recorded for cache-" + hash.hash.substr(0, 12)});
    }
  }
  return decisions;
}

}  // namespace hoist
