#include "machines/build_machine.h"

#include <chrono>
#include <thread>

namespace hoist {

Expected<ImageBuilder*> SshMachine::Prepare(const LineSink& on_line) {
  if (tunnel_ && tunnel_->alive()) return builder_.get();
  builder_.reset();
  tunnel_.reset();
  if (on_line) on_line("hoist: connecting to the Docker engine of " + target_.Display());
  auto tunnel = SshTunnel::Open(target_, settings_);
  if (!tunnel) return tunnel.error();
  tunnel_ = std::move(*tunnel);
  builder_ = std::make_unique<DockerBuilder>(tunnel_->docker_host());
  if (auto engine = builder_->Check(); !engine) {
    builder_.reset();
    tunnel_.reset();
    return Error{target_.Display() + ": " + engine.error().message};
  }
  return builder_.get();
}

Status SshMachine::Health() {
  // The engine still answers through the connection: the failure was the build's own.
  if (tunnel_ && tunnel_->alive() && builder_ && builder_->Check()) return Ok();
  // A connection that just broke takes ssh a moment to notice.
  for (int i = 0; i < 100 && tunnel_ && tunnel_->alive(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  if (tunnel_ && tunnel_->alive()) {
    return Error{"the Docker engine of " + target_.Display() + " stopped answering"};
  }
  return Error{"lost the SSH connection to " + target_.Display() +
               (tunnel_ && !tunnel_->LogTail().empty() ? " (" + tunnel_->LogTail() + ")" : "")};
}

MachinePool::MachinePool(ImageBuilder& local_builder, int local_jobs, SshSettings ssh,
                         Factory factory)
    : ssh_(std::move(ssh)), factory_(std::move(factory)) {
  Slot local;
  local.machine = std::make_unique<LocalMachine>(local_builder);
  local.free = std::max(1, local_jobs);
  pools_["local"].push_back(std::move(local));
}

Status MachinePool::AddSshPool(const std::string& placement, const std::vector<std::string>& urls) {
  std::vector<Slot> slots;
  for (const auto& url : urls) {
    auto target = SshTarget::Parse(url);
    if (!target) return target.error();
    Slot slot;
    slot.machine = std::make_unique<SshMachine>(*target, ssh_);
    slots.push_back(std::move(slot));
  }
  std::lock_guard<std::mutex> lock(mutex_);
  pools_.try_emplace(placement, std::move(slots));  // never replaces machines in use
  return Ok();
}

int MachinePool::capacity() const {
  int total = 0;
  for (const auto& [name, slots] : pools_) {
    if (name == "local") continue;
    total += static_cast<int>(slots.size());
  }
  return total;
}

Expected<MachinePool::Lease> MachinePool::Acquire(const std::string& placement,
                                                  const std::string& job, const LineSink& on_line) {
  std::unique_lock<std::mutex> lock(mutex_);
  std::string name = placement;
  if (!pools_.count(name) && name.rfind("ssh://", 0) == 0) {
    auto target = SshTarget::Parse(name);
    if (!target) return target.error();
    // A host that is already in a pool keeps its one-job-at-a-time slot there.
    for (const auto& [pool_name, slots] : pools_) {
      for (const auto& slot : slots) {
        if (slot.machine->Describe() == target->Display()) name = pool_name;
      }
    }
    if (!pools_.count(name)) {
      std::vector<Slot> slots(1);
      slots[0].machine = std::make_unique<SshMachine>(*target, ssh_);
      pools_.emplace(name, std::move(slots));
    }
  }
  auto pool = pools_.find(name);
  if (pool == pools_.end()) {
    lock.unlock();
    if (!factory_) return Error{"unknown build placement '" + placement + "'"};
    auto made = factory_(placement, job);
    if (!made) return made.error();
    BuildMachine* machine = made->get();
    return Lease(this, machine, std::move(*made), name, on_line);
  }
  for (;;) {
    bool any_alive = false;
    std::string why;
    for (auto& slot : pool->second) {
      if (slot.retired) {
        why += (why.empty() ? "" : "; ") + slot.why;
        continue;
      }
      any_alive = true;
      if (slot.free > 0) {
        --slot.free;
        return Lease(this, slot.machine.get(), nullptr, name, on_line);
      }
    }
    if (!any_alive) return Error{"no machine of '" + placement + "' can build: " + why};
    freed_.wait(lock);
  }
}

void MachinePool::Release(const std::string& placement, BuildMachine* machine) {
  std::lock_guard<std::mutex> lock(mutex_);
  for (auto& slot : pools_[placement]) {
    if (slot.machine.get() == machine) ++slot.free;
  }
  freed_.notify_all();
}

bool MachinePool::Retire(const std::string& placement, BuildMachine* machine,
                         const std::string& why) {
  std::lock_guard<std::mutex> lock(mutex_);
  bool others = false;
  for (auto& slot : pools_[placement]) {
    if (slot.machine.get() == machine) {
      slot.retired = true;
      slot.why = why;
    } else if (!slot.retired) {
      others = true;
    }
  }
  freed_.notify_all();
  return others;
}

MachinePool::Lease::Lease(MachinePool* pool, BuildMachine* machine,
                          std::unique_ptr<BuildMachine> owned, std::string placement,
                          LineSink on_line)
    : pool_(pool),
      machine_(machine),
      owned_(std::move(owned)),
      placement_(std::move(placement)),
      on_line_(std::move(on_line)) {}

MachinePool::Lease::Lease(Lease&& other) noexcept
    : pool_(other.pool_),
      machine_(other.machine_),
      owned_(std::move(other.owned_)),
      placement_(std::move(other.placement_)),
      on_line_(std::move(other.on_line_)) {
  other.pool_ = nullptr;
  other.machine_ = nullptr;
}

bool MachinePool::Lease::Retire(const std::string& why) {
  if (owned_ || !pool_) return false;
  return pool_->Retire(placement_, machine_, why);
}

MachinePool::Lease::~Lease() {
  if (!pool_ || !machine_) return;
  if (owned_) {
    owned_->Finish(on_line_);
  } else {
    pool_->Release(placement_, machine_);
  }
}

}  // namespace hoist
