#pragma once

#include <memory>
#include <string>
#include <vector>

#include "config/hoist_config.h"
#include "machines/build_machine.h"
#include "manifest/manifest.h"
#include "store/image_store.h"

namespace hoist {

/// What a stage's jobs run on: the placement of each project and the machines.
struct StageMachines {
  std::vector<std::string> placement;  ///< by project index ("local" without --remote)
  std::unique_ptr<MachinePool> pool;
  bool any_local = false;
  bool any_remote = false;
  int jobs = 1;  ///< at once: as asked; with remote jobs and no -j, one per job (pools limit)
};

/// What a stage asked for its jobs' machines.
struct MachineRequest {
  std::vector<std::string> remotes;     ///< --remote values (none: everything local)
  const HoistConfig* config = nullptr;  ///< hoist.yml (used only with --remote)
  int jobs = 1;
  bool jobs_given = false;  ///< -j was given
  size_t job_count = 0;     ///< jobs of the run
  MachineOwner owner;       ///< whose machines spot machines are
};

/// Places `projects` and makes the pool; an Error for a bad --remote, a pool hoist.yml does
/// not define, or remote jobs with the local engine as the store (remote engines push to and
/// pull from a registry).
Expected<StageMachines> PrepareMachines(const Manifest& manifest, const std::vector<int>& projects,
                                        const ImageStore& store, ImageBuilder& local,
                                        const MachineRequest& request);

/// Readies `store` to answer for `projects` (each named once): one listing (an engine) or one
/// token (a registry) for every decision of the run, and a store that cannot be reached one
/// Error, not one per project.
Status PrepareStore(ImageStore& store, const Manifest& manifest, const std::vector<int>& projects);

}  // namespace hoist
