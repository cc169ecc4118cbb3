#include "machines/placement.h"

#include <re2/re2.h>

#include "machines/spot_machine.h"
#include "util/subprocess.h"

namespace hoist {

Expected<std::vector<std::string>> PlaceJobs(const Manifest& manifest,
                                             const std::vector<std::string>& remotes,
                                             const HoistConfig& config,
                                             const std::vector<int>& projects) {
  std::vector<std::string> placement(manifest.projects.size(), "local");
  if (remotes.empty()) return placement;
  size_t ssh_urls = 0;
  for (const auto& remote : remotes) {
    if (remote.rfind("ssh://", 0) == 0) {
      auto target = SshTarget::Parse(remote);
      if (!target) return target.error();
      ++ssh_urls;
    } else if (remote != "local" && remote != "pool" && !RE2::FullMatch(remote, "spot:[1-9]\\d*")) {
      return Error{"--remote " + remote +
                   ": use ssh://[USER@]HOST[:PORT] (repeat it for a pool), pool (hoist.yml "
                   "remotes), spot:CPUS or local"};
    }
  }
  if (ssh_urls > 0 && ssh_urls != remotes.size()) {
    return Error{"--remote: give either ssh:// hosts (a pool) or one of pool, spot:CPUS, local"};
  }
  if (ssh_urls == 0 && remotes.size() > 1) {
    return Error{"--remote: pool, spot:CPUS and local are given once"};
  }
  const std::string fallback = ssh_urls > 0 ? "cli" : remotes.front();
  for (int p : projects) {
    const std::string& own = manifest.projects[p].remote;
    placement[p] = own.empty() ? fallback : own;
    if (placement[p] == "pool" && config.remotes.empty()) {
      return Error{"project '" + manifest.projects[p].name +
                   "' runs on the pool, but hoist.yml lists no remotes: add remotes: " +
                   "[ssh://USER@HOST, …]"};
    }
  }
  return placement;
}

Expected<std::unique_ptr<MachinePool>> MakeMachinePool(ImageBuilder& local, int local_jobs,
                                                       const std::vector<std::string>& remotes,
                                                       const HoistConfig& config,
                                                       const MachineOwner& owner) {
  SshSettings ssh;
  ssh.identity_file = config.ssh_identity_file;
  ssh.options = config.ssh_options;
  auto machines = std::make_unique<MachinePool>(
      local, local_jobs, ssh, [&config, owner](const std::string& where, const std::string& job) {
        return MakeSpotMachine(where, job, owner, config);
      });
  std::vector<std::string> cli_hosts;
  for (const auto& remote : remotes) {
    if (remote.rfind("ssh://", 0) == 0) cli_hosts.push_back(remote);
  }
  Status added = machines->AddSshPool("cli", cli_hosts);
  if (added) added = machines->AddSshPool("pool", config.remotes);
  if (!added) return added.error();
  return machines;
}

Status RunOnMachine(MachinePool& machines, std::string placement, const std::string& job,
                    const std::string& lost_means, const LineSink& say,
                    const std::function<Status(BuildMachine&, ImageBuilder&)>& work) {
  for (int attempt = 1;;) {
    auto lease = machines.Acquire(placement, job, say);
    if (!lease) return lease.error();
    BuildMachine& machine = lease->machine();
    auto builder = machine.Prepare(say);
    if (!builder) {
      const std::string why = builder.error().message;
      if (!lease->Retire(why)) return builder.error();
      say("hoist: " + why + "; trying another machine of the pool");
      continue;
    }
    auto done = work(machine, **builder);
    if (done) return done;
    auto health = machine.Health();
    if (health) return done;  // the job's own failure
    const std::string lost = health.error().message + "; " + lost_means;
    if (attempt == 1 && machine.Interrupted() && !ProcessesStopped()) {
      say("hoist: " + lost + "; retrying on an on-demand machine");
      placement += "/on-demand";
      ++attempt;
      continue;
    }
    return Error{lost};
  }
}

}  // namespace hoist
