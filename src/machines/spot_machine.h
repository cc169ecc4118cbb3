#pragma once

#include <memory>
#include <string>

#include "config/hoist_config.h"
#include "machines/build_machine.h"
#include "machines/ec2.h"

namespace hoist {

/// A machine started for one build job (--remote spot:CPUS, or a project's remote: spot:CPUS):
/// ends any leftover machine of the same name, requests a spot instance at CPUS × the price
/// per CPU-hour, falls back to on-demand when the request is not fulfilled in time, waits
/// (bounded) for it to run and answer SSH, builds there, and always terminates it: when the
/// job ends, fails, or is interrupted (Ctrl-C, SIGTERM). The machine also shuts itself down
/// after spot.lifetimeMinutes, whatever happens to hoist.
class SpotMachine : public BuildMachine {
 public:
  /// `placement` is "spot:CPUS" or "spot:CPUS/on-demand"; `name` names the machine (its Name
  /// tag, by which the next run finds a leftover).
  SpotMachine(const std::string& placement, std::string name, MachineOwner owner,
              const HoistConfig& config, std::unique_ptr<Ec2> ec2,
              std::function<long long()> now = nullptr);
  ~SpotMachine() override;

  std::string Describe() const override;
  Expected<ImageBuilder*> Prepare(const LineSink& on_line) override;
  Status Health() override;
  void Finish(const LineSink& on_line) override;
  bool Interrupted() const override { return interrupted_; }

 private:
  Expected<std::string> Launch(const LineSink& on_line);
  Expected<std::string> LaunchSpot(const Ec2Launch& launch, const LineSink& on_line);

  int cpus_ = 0;
  bool on_demand_ = false;
  std::string name_;
  MachineOwner owner_;
  std::function<long long()> now_;  ///< seconds since the epoch (a clock tests can set)
  std::string run_;  ///< this run's id (Run tag): every machine it started, found by tag
  HoistConfig config_;
  std::unique_ptr<Ec2> ec2_;
  std::string spot_request_;
  std::string instance_;
  std::unique_ptr<SshMachine> ssh_;
  bool finished_ = false;
  bool interrupted_ = false;
  bool launched_ = false;
  LineSink job_output_;  ///< the output of the job that prepared the machine
};

/// The factory of MachinePool for spot placements: one machine named for the job. A leftover
/// is a live machine of the same name and group that belongs to the same pipeline run (a
/// retried job) or is past spot.lifetimeMinutes; other pipelines' machines are left alone.
Expected<std::unique_ptr<BuildMachine>> MakeSpotMachine(const std::string& placement,
                                                        const std::string& job,
                                                        const MachineOwner& owner,
                                                        const HoistConfig& config);

}  // namespace hoist
