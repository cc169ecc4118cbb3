#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "config/hoist_config.h"
#include "machines/build_machine.h"
#include "manifest/manifest.h"

namespace hoist {

/// Where each of `projects` runs its jobs: "local" without --remote; else the --remote
/// default ("cli" for ssh:// hosts given on the command line, "pool", "spot:CPUS", "local"),
/// overridden by a project's own remote:. Indexed like manifest.projects. Errors name bad
/// --remote values and a pool that hoist.yml does not define.
Expected<std::vector<std::string>> PlaceJobs(const Manifest& manifest,
                                             const std::vector<std::string>& remotes,
                                             const HoistConfig& config,
                                             const std::vector<int>& projects);

/// The machines of a run: the local engine (`local_jobs` at once), the ssh:// hosts of
/// `remotes` as pool "cli", hoist.yml's remotes as "pool", and spot machines on demand
/// (tagged with `owner`). `config` must outlive the pool.
Expected<std::unique_ptr<MachinePool>> MakeMachinePool(ImageBuilder& local, int local_jobs,
                                                       const std::vector<std::string>& remotes,
                                                       const HoistConfig& config,
                                                       const MachineOwner& owner);

/// Runs `work` with a machine of `placement` for the job named `job`: an unreachable pool
/// machine is retired and another tried; when the work fails because the machine went away,
/// the Error says so (with `lost_means`, e.g. "nothing was tagged"), and a job whose spot
/// machine was taken back by EC2 runs once more on an on-demand machine.
Status RunOnMachine(MachinePool& machines, std::string placement, const std::string& job,
                    const std::string& lost_means, const LineSink& say,
                    const std::function<Status(BuildMachine&, ImageBuilder&)>& work);

}  // namespace hoist
