#include "stages/stage_machines.h"

#include <algorithm>

#include "machines/placement.h"

namespace hoist {

Expected<StageMachines> PrepareMachines(const Manifest& manifest, const std::vector<int>& projects,
                                        const ImageStore& store, ImageBuilder& local,
                                        const MachineRequest& request) {
  static const HoistConfig kNoConfig;
  const HoistConfig& config =
      request.remotes.empty() || !request.config ? kNoConfig : *request.config;
  StageMachines machines;
  auto placement = PlaceJobs(manifest, request.remotes, config, projects);
  if (!placement) return placement.error();
  machines.placement = std::move(*placement);
  for (int p : projects) {
    (machines.placement[p] == "local" ? machines.any_local : machines.any_remote) = true;
  }
  if (machines.any_remote && store.InEngine()) {
    return Error{
        "--remote needs a registry (--registry or HOIST_REGISTRY): remote engines push "
        "their images there and pull what they need from there"};
  }
  auto pool = MakeMachinePool(local, request.jobs, request.remotes, config, request.owner);
  if (!pool) return pool.error();
  machines.pool = std::move(*pool);
  machines.jobs = request.jobs;
  if (machines.any_remote && !request.jobs_given) {
    machines.jobs = std::max<int>(static_cast<int>(request.job_count), 1);
  }
  return machines;
}

Status PrepareStore(ImageStore& store, const Manifest& manifest, const std::vector<int>& projects) {
  std::vector<std::string> names;
  for (int p : projects) names.push_back(manifest.projects[p].name);
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  return store.Prepare(names);
}

}  // namespace hoist
