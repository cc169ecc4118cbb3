#pragma once

#include <functional>

namespace hoist {

/// The one owner of SIGINT, SIGTERM and SIGHUP in a hoist process, as ninja and ccache have
/// one. Install() runs first in main, before any thread exists, so every thread inherits the
/// blocked signals and only the watch thread receives them. The first signal stops every
/// process group hoist started (docker builds and runs, test and deploy commands, terraform,
/// npm) and the containers of `docker run`, and calls the handlers (a scheduler stops starting
/// jobs); the command then winds down, waits for what it started, and exits 128 + signal.
/// With no handler registered (no run to wind down) it stops what runs and exits 128 + signal
/// itself. A second signal exits at once.
namespace interrupts {

/// Blocks the signals in the calling thread and starts the watch thread (once).
void Install();
/// The first signal received (SIGINT, SIGTERM or SIGHUP), or 0.
int Received();
/// Calls `handler` (from the watch thread) when the first signal comes, or at once when one
/// came already; returns an id for Remove.
int OnInterrupt(std::function<void()> handler);
void Remove(int id);

/// Calls OnInterrupt(handler) for as long as it lives.
class Scope {
 public:
  explicit Scope(std::function<void()> handler) : id_(OnInterrupt(std::move(handler))) {}
  ~Scope() { Remove(id_); }
  Scope(const Scope&) = delete;
  Scope& operator=(const Scope&) = delete;

 private:
  int id_;
};

}  // namespace interrupts
}  // namespace hoist
