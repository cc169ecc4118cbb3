#pragma once

#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "docker/docker_builder.h"
#include "docker/image_builder.h"
#include "machines/ssh_tunnel.h"

namespace hoist {

/// Whose machines a run starts: the pipeline run (the same in all its jobs and their retries)
/// and its branch, tagged on every machine so a later sweep tells its own leftovers apart.
struct MachineOwner {
  std::string pipeline;  ///< PipelineFacts::run_id
  std::string branch;    ///< "" on a detached checkout the CI said nothing about
};

/// A machine a build job runs on: this one's Docker engine, one reached over SSH, or a spot
/// machine started for the job.
class BuildMachine {
 public:
  virtual ~BuildMachine() = default;
  /// "local engine", "ssh://build@10.0.0.5", "spot i-0abc… (m6a.8xlarge)".
  virtual std::string Describe() const = 0;
  /// Makes the machine ready (connects, starts it) and returns the builder that uses it.
  virtual Expected<ImageBuilder*> Prepare(const LineSink& on_line) = 0;
  /// After a failed job: an Error when the machine or the connection to it was lost, so the
  /// failure is the machine's and not the build's.
  virtual Status Health() = 0;
  /// The job is over (a spot machine is terminated here).
  virtual void Finish(const LineSink& on_line) { (void)on_line; }
  /// After a failed Health(): the machine was taken back by its provider (a spot
  /// interruption), so the job deserves another machine.
  virtual bool Interrupted() const { return false; }
};

/// This machine's Docker engine.
class LocalMachine : public BuildMachine {
 public:
  explicit LocalMachine(ImageBuilder& builder) : builder_(builder) {}
  std::string Describe() const override { return "local engine"; }
  Expected<ImageBuilder*> Prepare(const LineSink&) override { return &builder_; }
  Status Health() override { return Ok(); }

 private:
  ImageBuilder& builder_;
};

/// A Docker engine over SSH; the connection is opened on first use, kept for later jobs, and
/// opened again when it was lost.
class SshMachine : public BuildMachine {
 public:
  SshMachine(SshTarget target, SshSettings settings)
      : target_(std::move(target)), settings_(std::move(settings)) {}
  std::string Describe() const override { return target_.Display(); }
  Expected<ImageBuilder*> Prepare(const LineSink& on_line) override;
  Status Health() override;

 private:
  SshTarget target_;
  SshSettings settings_;
  std::unique_ptr<SshTunnel> tunnel_;
  std::unique_ptr<DockerBuilder> builder_;
};

/// Hands out machines to build jobs: a fixed pool per placement (the local engine with
/// `local_jobs` slots, each SSH host with one), or a new machine per job from `factory`
/// (spot:CPUS). Acquire blocks until a machine of the placement is free.
class MachinePool {
 public:
  /// Makes a machine for a placement that is not a fixed pool ("spot:32"), or an Error.
  using Factory = std::function<Expected<std::unique_ptr<BuildMachine>>(
      const std::string& placement, const std::string& job)>;

  MachinePool(ImageBuilder& local_builder, int local_jobs, SshSettings ssh, Factory factory);

  /// Adds a fixed pool: `placement` names it ("pool", or the URL of a single host).
  Status AddSshPool(const std::string& placement, const std::vector<std::string>& urls);

  class Lease {
   public:
    Lease(MachinePool* pool, BuildMachine* machine, std::unique_ptr<BuildMachine> owned,
          std::string placement, LineSink on_line);
    Lease(Lease&& other) noexcept;
    Lease& operator=(Lease&&) = delete;
    ~Lease();
    BuildMachine& machine() { return *machine_; }
    /// Takes a pool machine that cannot build (unreachable, no engine) out of rotation for
    /// this run; true when the pool has others to try.
    bool Retire(const std::string& why);

   private:
    MachinePool* pool_;
    BuildMachine* machine_;
    std::unique_ptr<BuildMachine> owned_;
    std::string placement_;
    LineSink on_line_;
  };
  /// A machine for `job` at `placement`: "local", a name given to AddSshPool, an ssh:// URL (a
  /// pool of its own) or what the factory makes (then finished, with `on_line`, when the lease
  /// ends).
  Expected<Lease> Acquire(const std::string& placement, const std::string& job,
                          const LineSink& on_line);
  /// How many jobs can run at once in all fixed pools (the build's default parallelism).
  int capacity() const;

 private:
  struct Slot {
    std::unique_ptr<BuildMachine> machine;
    int free = 1;
    bool retired = false;
    std::string why;
  };
  void Release(const std::string& placement, BuildMachine* machine);
  bool Retire(const std::string& placement, BuildMachine* machine, const std::string& why);

  SshSettings ssh_;
  Factory factory_;
  std::mutex mutex_;
  std::condition_variable freed_;
  std::map<std::string, std::vector<Slot>> pools_;
};

}  // namespace hoist
