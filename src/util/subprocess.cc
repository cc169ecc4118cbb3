#include "util/subprocess.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

extern char** environ;

namespace hoist {
namespace {

std::mutex running_mutex;
std::map<pid_t, int> running_groups;  ///< process group -> seconds from SIGTERM to SIGKILL
std::atomic<bool> stopped{false};
std::map<int, std::function<void()>> stop_actions;
int next_stop_action = 0;
std::atomic<int> stop_actions_running{0};

/// Runs `action` on a detached thread, counted while it runs.
void RunStopAction(std::function<void()> action) {
  ++stop_actions_running;
  std::thread([action = std::move(action)] {
    action();
    --stop_actions_running;
  }).detach();
}

/// environ with `extra` ("NAME=value") added or replacing same-named entries.
std::vector<std::string> MergedEnvironment(const std::vector<std::string>& extra) {
  std::vector<std::string> out;
  for (char** entry = environ; *entry; ++entry) {
    std::string_view item(*entry);
    std::string_view name = item.substr(0, item.find('='));
    bool replaced = false;
    for (const auto& e : extra) {
      if (std::string_view(e).substr(0, e.find('=')) == name) replaced = true;
    }
    if (!replaced) out.emplace_back(item);
  }
  // Of two entries of one name in `extra`, the later wins.
  for (size_t i = 0; i < extra.size(); ++i) {
    const std::string_view name = std::string_view(extra[i]).substr(0, extra[i].find('='));
    bool overridden = false;
    for (size_t j = i + 1; j < extra.size() && !overridden; ++j) {
      overridden = std::string_view(extra[j]).substr(0, extra[j].find('=')) == name;
    }
    if (!overridden) out.push_back(extra[i]);
  }
  return out;
}

// Large pipe buffers and reads: streaming a big `git ls-tree` costs far fewer wake-ups.
constexpr size_t kReadChunk = 1 << 16;
constexpr int kPipeSize = 1 << 20;

struct Pipe {
  int read = -1;
  int write = -1;
};

bool MakePipe(Pipe& pipe_fds) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) return false;
  pipe_fds.read = fds[0];
  pipe_fds.write = fds[1];
  return true;
}

void CloseFd(int& fd) {
  if (fd >= 0) close(fd);
  fd = -1;
}

}  // namespace

void StopAllProcesses() {
  std::lock_guard<std::mutex> lock(running_mutex);
  if (stopped.exchange(true)) return;
  for (const auto& [group, grace] : running_groups) kill(-group, SIGTERM);
  for (auto& [id, action] : stop_actions) RunStopAction(action);
  std::thread([] {
    const auto stopped_at = std::chrono::steady_clock::now();
    std::set<pid_t> killed;
    for (;;) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      const auto elapsed = std::chrono::steady_clock::now() - stopped_at;
      std::lock_guard<std::mutex> held(running_mutex);
      bool waiting = false;
      for (const auto& [group, grace] : running_groups) {
        if (grace <= 0 || killed.count(group)) continue;
        if (elapsed >= std::chrono::seconds(grace)) {
          kill(-group, SIGKILL);
          killed.insert(group);
        } else {
          waiting = true;
        }
      }
      if (!waiting) return;
    }
  }).detach();
}

int AddStopAction(std::function<void()> action) {
  std::lock_guard<std::mutex> lock(running_mutex);
  if (stopped) {
    RunStopAction(std::move(action));
    return -1;
  }
  stop_actions[next_stop_action] = std::move(action);
  return next_stop_action++;
}

void RemoveStopAction(int id) {
  std::lock_guard<std::mutex> lock(running_mutex);
  stop_actions.erase(id);
}

bool ProcessesRunning() {
  std::lock_guard<std::mutex> lock(running_mutex);
  return !running_groups.empty() || stop_actions_running > 0;
}

bool ProcessesStopped() {
  return stopped;
}

std::string FormatCommand(const std::vector<std::string>& argv) {
  std::string out;
  for (const auto& arg : argv) {
    if (!out.empty()) out += ' ';
    bool plain =
        !arg.empty() && arg.find_first_of(" \t\n'\"\\$`*?[]{}()<>|&;") == std::string::npos;
    if (plain) {
      out += arg;
    } else {
      out += '\'';
      for (char c : arg) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
      out += '\'';
    }
  }
  return out;
}

Expected<ProcessResult> RunProcess(const ProcessSpec& spec) {
  if (spec.argv.empty()) {
    if (spec.stdin_fd >= 0) close(spec.stdin_fd);
    return Error{"internal error: empty command"};
  }
  Pipe in, out, err;
  if (!MakePipe(in) || !MakePipe(out) || !MakePipe(err)) {
    std::string why = strerror(errno);
    if (spec.stdin_fd >= 0) close(spec.stdin_fd);
    for (int* fd : {&in.read, &in.write, &out.read, &out.write, &err.read, &err.write}) {
      CloseFd(*fd);
    }
    return Error{"cannot create pipes: " + why};
  }
  fcntl(out.write, F_SETPIPE_SZ, kPipeSize);  // best effort: the limit may be lower

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, spec.stdin_fd >= 0 ? spec.stdin_fd : in.read, 0);
  posix_spawn_file_actions_adddup2(&actions, out.write, 1);
  posix_spawn_file_actions_adddup2(&actions, err.write, 2);
  if (!spec.cwd.empty()) posix_spawn_file_actions_addchdir_np(&actions, spec.cwd.c_str());

  std::vector<char*> argv;
  for (const auto& arg : spec.argv) argv.push_back(const_cast<char*>(arg.c_str()));
  argv.push_back(nullptr);
  std::vector<std::string> env_storage;
  std::vector<char*> envp;
  if (!spec.env.empty()) {
    env_storage = MergedEnvironment(spec.env);
    for (auto& entry : env_storage) envp.push_back(entry.data());
    envp.push_back(nullptr);
  }
  // A child that exits early must not kill us with SIGPIPE while we feed its stdin: hoist
  // ignores SIGPIPE; children get default dispositions and an empty signal mask back.
  static const bool sigpipe_ignored = [] {
    signal(SIGPIPE, SIG_IGN);
    return true;
  }();
  (void)sigpipe_ignored;
  posix_spawnattr_t attributes;
  posix_spawnattr_init(&attributes);
  sigset_t no_signals, default_signals;
  sigemptyset(&no_signals);
  sigemptyset(&default_signals);
  sigaddset(&default_signals, SIGPIPE);
  sigaddset(&default_signals, SIGINT);
  sigaddset(&default_signals, SIGTERM);
  posix_spawnattr_setsigmask(&attributes, &no_signals);
  posix_spawnattr_setsigdefault(&attributes, &default_signals);
  short flags = POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF;
  const bool bounded = spec.timeout_seconds > 0 || spec.max_output > 0;
  const bool own_group = spec.stoppable || spec.shielded || bounded;
  if (own_group) flags |= POSIX_SPAWN_SETPGROUP;
  posix_spawnattr_setflags(&attributes, flags);
  if (own_group) {
    posix_spawnattr_setpgroup(&attributes, 0);
  }

  pid_t pid = -1;
  int rc = 0;
  {
    // Registering under the lock closes the race with StopAllProcesses().
    std::lock_guard<std::mutex> lock(running_mutex);
    if (spec.stoppable && stopped) {
      rc = ECANCELED;
    } else {
      rc = posix_spawnp(&pid, argv[0], &actions, &attributes, argv.data(),
                        envp.empty() ? environ : envp.data());
      if (rc == 0 && spec.stoppable) running_groups[pid] = spec.kill_after_seconds;
    }
  }
  posix_spawnattr_destroy(&attributes);
  posix_spawn_file_actions_destroy(&actions);
  CloseFd(in.read);
  CloseFd(out.write);
  CloseFd(err.write);
  if (spec.stdin_fd >= 0) close(spec.stdin_fd);
  if (rc != 0) {
    CloseFd(in.write);
    CloseFd(out.read);
    CloseFd(err.read);
    std::string why = strerror(rc);
    if (!spec.cwd.empty()) why += " (in " + spec.cwd + ")";
    return Error{"cannot run " + FormatCommand(spec.argv) + ": " + why};
  }

  ProcessResult result;
  size_t written = 0;
  if (spec.stdin_data.empty()) {
    CloseFd(in.write);
  } else {
    fcntl(in.write, F_SETFL, O_NONBLOCK);
  }
  std::vector<char> buffer(kReadChunk);
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::seconds(spec.timeout_seconds);
  auto end_early = [&](bool& why) {
    why = true;
    kill(-pid, SIGKILL);  // its process group: what it started goes too
    CloseFd(out.read);
    CloseFd(err.read);
  };
  while (out.read >= 0 || err.read >= 0) {
    std::array<pollfd, 3> fds{};
    nfds_t count = 0;
    int out_slot = -1, err_slot = -1, in_slot = -1;
    if (out.read >= 0) fds[out_slot = count++] = {out.read, POLLIN, 0};
    if (err.read >= 0) fds[err_slot = count++] = {err.read, POLLIN, 0};
    if (in.write >= 0) fds[in_slot = count++] = {in.write, POLLOUT, 0};
    int wait_ms = -1;
    if (spec.timeout_seconds > 0) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      wait_ms = static_cast<int>(std::max<int64_t>(0, left.count()));
    }
    const int ready = poll(fds.data(), count, wait_ms);
    if (ready < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (ready == 0 && spec.timeout_seconds > 0) {
      end_early(result.timed_out);
      break;
    }
    if (in_slot >= 0 && fds[in_slot].revents) {
      ssize_t n =
          write(in.write, spec.stdin_data.data() + written, spec.stdin_data.size() - written);
      if (n > 0) written += static_cast<size_t>(n);
      if (n < 0 && errno != EAGAIN && errno != EINTR) written = spec.stdin_data.size();
      if (written >= spec.stdin_data.size()) CloseFd(in.write);
    }
    if (out_slot >= 0 && fds[out_slot].revents) {
      ssize_t n = read(out.read, buffer.data(), buffer.size());
      if (n > 0) {
        std::string_view chunk(buffer.data(), static_cast<size_t>(n));
        if (spec.on_stdout) {
          spec.on_stdout(chunk);
        } else {
          result.stdout_text.append(chunk);
        }
      } else if (n == 0 || errno != EINTR) {
        CloseFd(out.read);
      }
    }
    if (err_slot >= 0 && fds[err_slot].revents) {
      ssize_t n = read(err.read, buffer.data(), buffer.size());
      if (n > 0) {
        if (spec.on_stderr) {
          spec.on_stderr(std::string_view(buffer.data(), static_cast<size_t>(n)));
        } else {
          result.stderr_text.append(buffer.data(), static_cast<size_t>(n));
        }
      } else if (n == 0 || errno != EINTR) {
        CloseFd(err.read);
      }
    }
    if (spec.max_output > 0 &&
        result.stdout_text.size() + result.stderr_text.size() > spec.max_output) {
      end_early(result.too_much);
      break;
    }
  }
  CloseFd(in.write);

  int status = 0;
  bool reaped = false;
  if (spec.timeout_seconds > 0 && !result.timed_out && !result.too_much) {
    // Its output closed, but it may still run (exec >/dev/null; sleep): the bound holds.
    for (;;) {
      const pid_t done = waitpid(pid, &status, WNOHANG);
      if (done == pid || (done < 0 && errno != EINTR)) {
        reaped = true;
        break;
      }
      if (std::chrono::steady_clock::now() >= deadline) {
        result.timed_out = true;
        kill(-pid, SIGKILL);
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
  if (!reaped) {
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
  }
  if (spec.stoppable) {
    std::lock_guard<std::mutex> lock(running_mutex);
    running_groups.erase(pid);
  }
  if (WIFEXITED(status)) {
    result.exit_code = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    result.exit_code = 128 + WTERMSIG(status);
  }
  return result;
}

}  // namespace hoist
