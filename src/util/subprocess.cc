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
#include <vector>

extern char** environ;

namespace hoist {
namespace {

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
  if (spec.argv.empty()) return Error{"internal error: empty command"};
  Pipe in, out, err;
  if (!MakePipe(in) || !MakePipe(out) || !MakePipe(err)) {
    return Error{std::string("cannot create pipes: ") + strerror(errno)};
  }
  fcntl(out.write, F_SETPIPE_SZ, kPipeSize);  // best effort: the limit may be lower

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in.read, 0);
  posix_spawn_file_actions_adddup2(&actions, out.write, 1);
  posix_spawn_file_actions_adddup2(&actions, err.write, 2);
  if (!spec.cwd.empty()) posix_spawn_file_actions_addchdir_np(&actions, spec.cwd.c_str());

  std::vector<char*> argv;
  for (const auto& arg : spec.argv) argv.push_back(const_cast<char*>(arg.c_str()));
  argv.push_back(nullptr);

  pid_t pid = -1;
  int rc = posix_spawnp(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  CloseFd(in.read);
  CloseFd(out.write);
  CloseFd(err.write);
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
  // A child that exits early must not kill us with SIGPIPE while we feed its stdin.
  struct sigaction ignore {
  }, previous{};
  ignore.sa_handler = SIG_IGN;
  sigaction(SIGPIPE, &ignore, &previous);

  std::vector<char> buffer(kReadChunk);
  while (out.read >= 0 || err.read >= 0) {
    std::array<pollfd, 3> fds{};
    nfds_t count = 0;
    int out_slot = -1, err_slot = -1, in_slot = -1;
    if (out.read >= 0) fds[out_slot = count++] = {out.read, POLLIN, 0};
    if (err.read >= 0) fds[err_slot = count++] = {err.read, POLLIN, 0};
    if (in.write >= 0) fds[in_slot = count++] = {in.write, POLLOUT, 0};
    if (poll(fds.data(), count, -1) < 0) {
      if (errno == EINTR) continue;
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
        result.stderr_text.append(buffer.data(), static_cast<size_t>(n));
      } else if (n == 0 || errno != EINTR) {
        CloseFd(err.read);
      }
    }
  }
  CloseFd(in.write);
  sigaction(SIGPIPE, &previous, nullptr);

  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status)) {
    result.exit_code = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    result.exit_code = 128 + WTERMSIG(status);
  }
  return result;
}

}  // namespace hoist
