#include "run/interrupts.h"

#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <map>
#include <mutex>
#include <thread>

#include "util/subprocess.h"

namespace hoist::interrupts {
namespace {

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
    {
      std::lock_guard<std::mutex> lock(handlers_mutex);
      for (auto& [id, handler] : handlers) handler();
    }
    StopAllProcesses();
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
