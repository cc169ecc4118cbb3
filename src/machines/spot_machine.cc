#include "machines/spot_machine.h"

#include <unistd.h>

#include <chrono>
#include <thread>

#include "util/process_identity.h"
#include "util/subprocess.h"

namespace hoist {
namespace {

using Clock = std::chrono::steady_clock;

/// Sleeps `ms`, or less when Ctrl-C stopped everything; false then.
bool Pause(int ms) {
  auto until = Clock::now() + std::chrono::milliseconds(ms);
  while (Clock::now() < until) {
    if (ProcessesStopped()) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return !ProcessesStopped();
}

constexpr int kPollMs = 1000;

}  // namespace

SpotMachine::SpotMachine(const std::string& placement, std::string name, MachineOwner owner,
                         const HoistConfig& config, std::unique_ptr<Ec2> ec2,
                         std::function<long long()> now)
    : name_(std::move(name)),
      owner_(std::move(owner)),
      now_(std::move(now)),
      config_(config),
      ec2_(std::move(ec2)) {
  if (!now_) {
    now_ = [] {
      return static_cast<long long>(std::chrono::duration_cast<std::chrono::seconds>(
                                        std::chrono::system_clock::now().time_since_epoch())
                                        .count());
    };
  }
  run_ = ProcessIdentity();
  std::string cpus = placement.substr(5);
  on_demand_ = cpus.find("/on-demand") != std::string::npos;
  cpus_ = std::atoi(cpus.c_str());
}

SpotMachine::~SpotMachine() {
  Finish(nullptr);
}

std::string SpotMachine::Describe() const {
  const auto size = config_.spot.sizes.find(cpus_);
  return std::string(on_demand_ ? "on-demand " : "spot ") +
         (instance_.empty() ? "machine" : instance_) + " (" +
         (size == config_.spot.sizes.end() ? "?" : size->second.instance_type) + ", " +
         std::to_string(cpus_) + " CPUs)";
}

Expected<std::string> SpotMachine::LaunchSpot(const Ec2Launch& launch, const LineSink& on_line) {
  const double bid = cpus_ * config_.spot.price_per_cpu_hour;
  auto request = ec2_->RequestSpot(launch, bid);
  if (!request) return request.error();
  spot_request_ = *request;
  if (ProcessesStopped()) return Error{"interrupted while requesting a spot machine"};
  if (on_line) {
    char price[32];
    std::snprintf(price, sizeof price, "$%.4f/h", bid);
    on_line("hoist: requested spot " + launch.size.instance_type + " at " + price + " (" +
            spot_request_ + "); waiting up to " + std::to_string(config_.spot.spot_wait_seconds) +
            " s");
  }
  auto deadline = Clock::now() + std::chrono::seconds(config_.spot.spot_wait_seconds);
  std::string status;
  for (;;) {
    auto state = ec2_->DescribeSpotRequest(spot_request_);
    if (!state) return state.error();
    status = state->status;
    if (!state->instance_id.empty()) return state->instance_id;
    if (state->state == "failed" || state->state == "cancelled" || state->state == "closed") break;
    if (Clock::now() >= deadline || !Pause(kPollMs)) break;
  }
  if (ProcessesStopped()) return Error{"interrupted while waiting for a spot machine"};
  // Not fulfilled in time: cancel, and end what may have started at the last moment.
  if (auto cancelled = ec2_->CancelSpotRequest(spot_request_); !cancelled) {
    return cancelled.error();
  }
  auto last = ec2_->DescribeSpotRequest(spot_request_);
  if (last && !last->instance_id.empty()) return last->instance_id;
  if (on_line) {
    on_line("hoist: spot request " + spot_request_ + " not fulfilled (" + status +
            "); falling back to on-demand");
  }
  return std::string();
}

Expected<std::string> SpotMachine::Launch(const LineSink& on_line) {
  auto size = config_.spot.sizes.find(cpus_);
  if (size == config_.spot.sizes.end()) {
    std::string known;
    for (const auto& [cpus, spec] : config_.spot.sizes) {
      known += (known.empty() ? "" : ", ") + std::to_string(cpus);
    }
    return Error{"spot:" + std::to_string(cpus_) + ": hoist.yml spot.sizes has no launch spec " +
                 "for " + std::to_string(cpus_) + " CPUs" +
                 (known.empty() ? " (it has none)" : " (it has " + known + ")")};
  }
  if (!on_demand_ && config_.spot.price_per_cpu_hour <= 0) {
    return Error{"spot:" + std::to_string(cpus_) +
                 ": hoist.yml spot.pricePerCpuHour is not set (the bid is CPUS × it)"};
  }
  // A live machine of this name is a leftover only when it is this pipeline's (the job ran
  // before in this pipeline and could not end it: killed, its runner lost) or when it outlived
  // its own shutdown timer. Any other is a concurrent pipeline's job: never touch it.
  auto same_name = ec2_->FindLive({{"Name", name_}, {"Group", config_.spot.group}});
  if (!same_name) return same_name.error();
  // The machine's shutdown timer starts at boot, a while after launch: a margin for that.
  constexpr long long kBootMargin = 10 * 60;
  const long long lifetime = 60LL * config_.spot.lifetime_minutes + kBootMargin;
  for (const auto& machine : *same_name) {
    auto pipeline = machine.tags.find("Pipeline");
    bool ours = pipeline != machine.tags.end() && pipeline->second == owner_.pipeline;
    bool expired = machine.launch_time > 0 && now_() - machine.launch_time > lifetime;
    if (!ours && !expired) continue;
    if (on_line) {
      on_line("hoist: terminating leftover machine " + machine.id + " (" + name_ + ", " +
              (ours ? "an earlier attempt of this pipeline" : "past spot.lifetimeMinutes") + ")");
    }
    if (auto ended = ec2_->Terminate(machine.id); !ended) return ended.error();
  }
  std::map<std::string, std::string> tags = {{"Name", name_}, {"Group", config_.spot.group}};
  if (!owner_.pipeline.empty()) tags["Pipeline"] = owner_.pipeline;
  if (!owner_.branch.empty()) tags["Branch"] = owner_.branch;
  tags["Run"] = run_;
  Ec2Launch launch;
  launch.size = size->second;
  launch.tags = tags;
  // The machine's own timer: it powers off (and so terminates) whatever happens to hoist.
  launch.user_data =
      "#!/bin/sh\nshutdown -h +" + std::to_string(config_.spot.lifetime_minutes) + "\n";
  std::string instance;
  launched_ = true;
  if (!on_demand_) {
    auto spot = LaunchSpot(launch, on_line);
    if (!spot) return spot.error();
    instance = *spot;
  }
  if (instance.empty()) {
    on_demand_ = true;
    auto started = ec2_->RunOnDemand(launch);
    if (!started) return started.error();
    instance = *started;
  }
  instance_ = instance;
  if (ProcessesStopped()) return Error{"interrupted while starting " + Describe()};
  // Spot instances do not inherit the request's tags.
  if (auto tagged = ec2_->Tag(instance_, tags); !tagged) return tagged.error();
  return instance_;
}

Expected<ImageBuilder*> SpotMachine::Prepare(const LineSink& on_line) {
  job_output_ = on_line;
  if (ssh_) return ssh_->Prepare(on_line);
  auto instance = Launch(on_line);
  if (!instance) return instance.error();
  if (on_line) on_line("hoist: started " + Describe() + "; waiting for it to run");
  auto deadline = Clock::now() + std::chrono::seconds(config_.spot.boot_wait_seconds);
  Ec2Instance state;
  for (;;) {
    auto described = ec2_->DescribeInstance(instance_);
    if (!described) return described.error();
    state = *described;
    if (state.state == "running") break;
    if (state.state != "pending") {
      return Error{Describe() + " is " + state.state +
                   (state.state_reason.empty() ? "" : " (" + state.state_reason + ")") +
                   " before it ran"};
    }
    if (Clock::now() >= deadline) {
      return Error{Describe() + " still pending after " +
                   std::to_string(config_.spot.boot_wait_seconds) + " s"};
    }
    if (!Pause(kPollMs)) return Error{"interrupted while waiting for " + Describe()};
  }
  const std::string address = state.public_ip.empty() ? state.private_ip : state.public_ip;
  if (address.empty()) return Error{Describe() + " has no IP address"};
  SshTarget target;
  target.user = config_.spot.user;
  target.host = address;
  target.port = config_.spot.ssh_port;
  SshSettings settings;
  settings.identity_file = config_.ssh_identity_file;
  settings.options = config_.ssh_options;
  settings.connect_timeout_seconds = 10;
  settings.fresh_host_key = true;
  ssh_ = std::make_unique<SshMachine>(target, settings);
  // sshd comes up a while after "running": retry until the boot deadline.
  for (;;) {
    auto builder = ssh_->Prepare(on_line);
    if (builder) return builder;
    if (Clock::now() >= deadline) {
      return Error{Describe() + " did not answer SSH within " +
                   std::to_string(config_.spot.boot_wait_seconds) +
                   " s: " + builder.error().message};
    }
    if (!Pause(2 * kPollMs)) return Error{"interrupted while waiting for SSH on " + Describe()};
  }
}

Status SpotMachine::Health() {
  if (ssh_ && ssh_->Health()) return Ok();
  if (!instance_.empty()) {
    auto state = ec2_->DescribeInstance(instance_);
    if (state && state->state_reason == "Server.SpotInstanceTermination") {
      interrupted_ = true;
      return Error{"spot machine " + instance_ + " was interrupted by EC2 (" + state->state_reason +
                   ")"};
    }
    if (state && state->state_reason == "Client.InstanceInitiatedShutdown") {
      return Error{Describe() + " shut itself down: the job outlived spot.lifetimeMinutes (" +
                   std::to_string(config_.spot.lifetime_minutes) + "); raise it in hoist.yml"};
    }
  }
  return ssh_ ? ssh_->Health() : Status(Error{Describe() + " never became ready"});
}

void SpotMachine::Finish(const LineSink& on_line) {
  if (finished_) return;
  finished_ = true;
  ssh_.reset();
  // Without a sink of its own (the destructor), what happens goes to the job's output.
  const LineSink& sink = on_line ? on_line : job_output_;
  auto warn = [&](const std::string& line) {
    if (sink) sink("hoist: " + line);
  };
  if (!spot_request_.empty()) {
    if (auto cancelled = ec2_->CancelSpotRequest(spot_request_); !cancelled) {
      warn("warning: could not cancel spot request " + spot_request_ + ": " +
           cancelled.error().message);
    }
    // Cancelling a request does not end its machine: one fulfilled while we were not looking
    // (Ctrl-C during the wait, a race with the cancel) is ended here.
    auto request = ec2_->DescribeSpotRequest(spot_request_, /*cleanup=*/true);
    if (request && !request->instance_id.empty() && request->instance_id != instance_) {
      if (auto ended = ec2_->Terminate(request->instance_id); !ended) {
        warn("warning: could not terminate " + request->instance_id + ": " + ended.error().message);
      } else {
        warn("terminated " + request->instance_id + " (fulfilled after hoist stopped waiting)");
      }
    }
  }
  if (instance_.empty() && launched_) {
    // A launch whose answer never came back may still have made a machine: find it by this
    // run's tag.
    auto live = ec2_->FindLive({{"Group", config_.spot.group}, {"Run", run_}});
    if (live) {
      for (const auto& machine : *live) {
        if (ec2_->Terminate(machine.id)) warn("terminated " + machine.id + " (" + name_ + ")");
      }
    }
  }
  if (!instance_.empty()) {
    if (auto ended = ec2_->Terminate(instance_); !ended) {
      warn("warning: could not terminate " + instance_ + " (" + name_ +
           "); it shuts itself down within " + std::to_string(config_.spot.lifetime_minutes) +
           " minutes and the next run ends it: " + ended.error().message);
    } else {
      warn("terminated " + Describe());
    }
  }
}

Expected<std::unique_ptr<BuildMachine>> MakeSpotMachine(const std::string& placement,
                                                        const std::string& job,
                                                        const MachineOwner& owner,
                                                        const HoistConfig& config) {
  if (placement.rfind("spot:", 0) != 0) return Error{"unknown build placement '" + placement + "'"};
  return std::unique_ptr<BuildMachine>(std::make_unique<SpotMachine>(
      placement, "hoist-" + job, owner, config, std::make_unique<AwsCliEc2>(config.spot)));
}

}  // namespace hoist
