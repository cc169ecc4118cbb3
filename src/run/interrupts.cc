#include "run/interrupts.h"

#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <thread>

#include "util/subprocess.h"

namespace hoist::interrupts {
namespace {

// How long a signal that no run winds down waits for the processes it stopped.
constexpr auto kUnattendedWait = std::chrono::seconds(5);

std::atomic<int> first_signal{0};
std::mutex handlers_mutex;
std::map<int, std::function<void()>> handlers;
int next_handler = 0;

sigset_t Watched() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGHUP);
  return signals;
}

void Watch() {
  const sigset_t signals = Watched();
  for (;;) {
    int signal = 0;
    if (sigwait(&signals, &signal) != 0) continue;
    int expected = 0;
    if (!first_signal.compare_exchange_strong(expected, signal)) {
      _exit(128 + signal);  // the second one: leave at once
    }
    // The handlers first (a scheduler stops starting jobs), then the processes: a job whose
    // process ends is then never followed by another.
    bool winding_down = false;
    {
      std::lock_guard<std::mutex> lock(handlers_mutex);
      winding_down = !handlers.empty();
      for (auto& [id, handler] : handlers) handler();
    }
    StopAllProcesses();
    if (!winding_down) {
      // No run to wind down (hashing, a status, a registry question): stop what was started,
      // wait for it a bounded while, and leave as the signal asks.
      auto until = std::chrono::steady_clock::now() + kUnattendedWait;
      while (ProcessesRunning() && std::chrono::steady_clock::now() < until) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
      }
      _exit(128 + signal);
    }
  }
}

}  // namespace

void Install() {
  static std::once_flag once;
  std::call_once(once, [] {
    const sigset_t signals = Watched();
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);
    std::thread(Watch).detach();
  });
}

int Received() {
  return first_signal.load();
}

int OnInterrupt(std::function<void()> handler) {
  std::lock_guard<std::mutex> lock(handlers_mutex);
  if (first_signal.load() != 0) {
    handler();
    return -1;
  }
  handlers[next_handler] = std::move(handler);
  return next_handler++;
}

void Remove(int id) {
  std::lock_guard<std::mutex> lock(handlers_mutex);
  handlers.erase(id);
}

}  // namespace hoist::interrupts
