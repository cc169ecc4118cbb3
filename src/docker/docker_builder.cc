#include "docker/docker_builder.h"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <thread>

#include "util/process_identity.h"
#include "util/subprocess.h"
#include "util/text.h"

namespace hoist {
namespace {

constexpr int kRemovalChecks = 100;
constexpr auto kRemovalCheckInterval = std::chrono::milliseconds(100);

/// `docker rm --force NAME`, not stopped by Ctrl-C: it is part of the stopping. A container of
/// `docker run --rm` may already be in the engine's own removal when the rm comes ("removal of
/// container … is already in progress", exit 1, while it is still listed): then wait, up to 10 s,
/// until the engine no longer knows it, so nothing hoist started outlives hoist.
void RemoveContainer(const std::string& docker, const std::string& host, const std::string& name) {
  ProcessSpec remove;
  remove.argv = {docker, "rm", "--force", name};
  if (!host.empty()) remove.env.push_back("DOCKER_HOST=" + host);
  remove.shielded = true;
  auto removed = RunProcess(remove);
  if (removed && removed->exit_code == 0) return;
  ProcessSpec inspect = remove;
  inspect.argv = {docker, "container", "inspect", "--format", "{{.Id}}", name};
  for (int check = 0; check < kRemovalChecks; ++check) {
    auto known = RunProcess(inspect);
    if (!known || known->exit_code != 0) return;
    std::this_thread::sleep_for(kRemovalCheckInterval);
  }
}

constexpr size_t kErrorTailLines = 15;
constexpr const char* kNoBuildx = "buildx component is missing";
/// The classic builder's cache lookup lists the children of a step's parent image, then reads
/// each: an image removed in between (by a prune, or by any other client of the engine) fails the
/// build with this message (moby image/cache getLocalCachedImage). Nothing of this build was
/// wrong; the same build again looks the children up again.
constexpr const char* kLostCacheImage = "unable to find image \"sha256:";
constexpr int kLostCacheAttempts = 3;

/// `line` without terminal escape sequences (the docker CLI colours the classic builder's
/// errors, ESC[91m … ESC[0m, even into a pipe): logs and CI output hold text only.
std::string WithoutEscapes(const std::string& line) {
  std::string out;
  for (size_t i = 0; i < line.size(); ++i) {
    if (line[i] != '\x1b') {
      out += line[i];
      continue;
    }
    if (i + 1 < line.size() && line[i + 1] == '[') {  // CSI: parameters, then a final byte
      i += 2;
      while (i < line.size() && !(line[i] >= '@' && line[i] <= '~')) ++i;
    } else if (i + 1 < line.size() && line[i + 1] == ']') {  // OSC: up to BEL or ESC backslash
      i += 2;
      while (i < line.size() && line[i] != '\a' &&
             !(line[i] == '\x1b' && i + 1 < line.size() && line[i + 1] == '\\')) {
        ++i;
      }
      if (i < line.size() && line[i] == '\x1b') ++i;
    } else {  // ESC, intermediate bytes (0x20-0x2F), a final byte
      ++i;
      while (i < line.size() && line[i] >= 0x20 && line[i] <= 0x2F) ++i;
    }
  }
  return out;
}

/// The classic builder's banner, said again before every build (hoist chose that builder and
/// says so once).
bool DeprecationBanner(const std::string& line) {
  return line ==
             "DEPRECATED: The legacy builder is deprecated and will be removed in a future "
             "release." ||
         line ==
             "            BuildKit is currently disabled; enable it by removing the "
             "DOCKER_BUILDKIT=0" ||
         line == "            environment-variable.";
}

/// Splits a byte stream into lines for a sink (and keeps the last few for messages), without
/// escape sequences or the classic builder's banner.
class LineSplitter {
 public:
  explicit LineSplitter(const LineSink& sink) : sink_(sink) {}
  void Feed(std::string_view chunk) {
    for (char c : chunk) {
      if (c == '\n' || c == '\r') {
        Flush();
      } else {
        partial_ += c;
      }
    }
  }
  void Flush() {
    partial_ = WithoutEscapes(partial_);
    if (partial_.empty() || DeprecationBanner(partial_)) {
      partial_.clear();
      return;
    }
    if (sink_) sink_(partial_);
    all_ += partial_ + "\n";
    tail_.push_back(std::move(partial_));
    if (tail_.size() > kErrorTailLines) tail_.pop_front();
    partial_.clear();
  }
  std::string Tail() const {
    std::string out;
    for (const auto& line : tail_) out += "\n    " + line;
    return out;
  }
  const std::string& all() const { return all_; }

 private:
  const LineSink& sink_;
  std::string partial_;
  std::string all_;
  std::deque<std::string> tail_;
};

}  // namespace

namespace {
std::string DockerCli() {
  const char* configured = std::getenv("HOIST_DOCKER");
  return configured && *configured ? configured : "docker";
}
}  // namespace

DockerBuilder::DockerBuilder(std::string docker_host)
    : docker_(DockerCli()),
      docker_host_(std::move(docker_host)),
      api_(docker_host_),
      memory_(docker_) {
  if (auto known = memory_.Buildkit()) buildkit_ = *known ? 1 : 0;
}

std::string DockerBuilder::Describe() const {
  int mode = buildkit_.load();
  return std::string("docker") + (mode == 1   ? " (BuildKit)"
                                  : mode == 0 ? " (classic builder)"
                                              : "");
}

Status DockerBuilder::Run(const std::vector<std::string>& args, const std::vector<std::string>& env,
                          const LineSink& on_line, const std::string& what, std::string* output,
                          const ContextWriter* context) {
  std::vector<std::string> argv = {docker_};
  argv.insert(argv.end(), args.begin(), args.end());
  return RunProgram(argv, env, on_line, what, output, context);
}

Status DockerBuilder::RunProgram(const std::vector<std::string>& argv,
                                 const std::vector<std::string>& env, const LineSink& on_line,
                                 const std::string& what, std::string* output,
                                 const ContextWriter* context) {
  ProcessSpec spec;
  spec.argv = argv;
  spec.env = env;
  if (!docker_host_.empty()) spec.env.push_back("DOCKER_HOST=" + docker_host_);
  spec.stoppable = true;
  LineSplitter lines(on_line);
  if (on_line) {
    std::string shown;
    for (const auto& variable : spec.env) shown += variable + " ";
    on_line("$ " + shown + FormatCommand(spec.argv));  // as ninja -v shows commands
  }
  std::mutex mutex;
  auto feed = [&](std::string_view chunk) {
    std::lock_guard<std::mutex> lock(mutex);
    lines.Feed(chunk);
  };
  spec.on_stdout = feed;
  spec.on_stderr = feed;
  // The context goes through a pipe, written on a thread of its own while the CLI reads it: no
  // copy of it on disk or in memory. Both ends are close-on-exec, so a build started meanwhile
  // by another job cannot hold the write end open.
  std::thread writer;
  Status written = Ok();
  std::atomic<bool> reader_gone{false};
  if (context) {
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) return Error{what + ": cannot create a pipe"};
    spec.stdin_fd = fds[0];
    writer = std::thread([&written, &reader_gone, context, fd = fds[1]] {
      written = (*context)([fd, &reader_gone](std::string_view data) {
        while (!data.empty()) {
          ssize_t n = write(fd, data.data(), data.size());
          if (n < 0 && errno == EINTR) continue;
          if (n <= 0) {  // the CLI has gone (its own error says why)
            reader_gone = true;
            return false;
          }
          data.remove_prefix(static_cast<size_t>(n));
        }
        return true;
      });
      close(fd);
    });
  }
  auto result = RunProcess(spec);
  if (writer.joinable()) writer.join();
  lines.Flush();
  // The writer's own failure (a file it could not read) says more than the CLI's "unexpected
  // EOF" on the cut stream.
  if (!written && !reader_gone && !ProcessesStopped()) {
    return Error{what + ": " + written.error().message};
  }
  if (output) *output = lines.all();
  if (!result) {
    if (ProcessesStopped()) return Error{what + ": interrupted"};
    const bool compose = argv[0] != docker_;
    return Error{what + ": cannot run " + argv[0] + " (" + result.error().message + "); install " +
                 (compose ? "docker compose: apt-get install docker-compose"
                          : "the docker CLI: apt-get install docker.io")};
  }
  if (result->exit_code != 0) {
    if (ProcessesStopped()) return Error{what + ": interrupted"};
    return Error{what + " failed (exit status " + std::to_string(result->exit_code) +
                 "):" + lines.Tail()};
  }
  return Ok();
}

Status DockerBuilder::Check() {
  return api_.Ping();
}

Status DockerBuilder::Build(const BuildRequest& request, const LineSink& on_line) {
  // The context is hoist's own tar stream on stdin ("-"), the Dockerfile a file inside it.
  std::vector<std::string> args = {"build", "--file", request.dockerfile};
  if (!request.network.empty()) args.push_back("--network=" + request.network);
  if (!request.platform.empty()) args.push_back("--platform=" + request.platform);
  if (!request.target.empty()) args.insert(args.end(), {"--target", request.target});
  for (const auto& tag : request.tags) args.insert(args.end(), {"--tag", tag});
  for (const auto& [name, value] : request.build_args) {
    args.insert(args.end(), {"--build-arg", name + "=" + value});
  }
  for (const auto& [name, value] : request.labels) {
    args.insert(args.end(), {"--label", name + "=" + value});
  }
  for (const auto& image : request.cache_from) args.insert(args.end(), {"--cache-from", image});
  std::vector<std::string> buildkit_args = args;
  // Inline cache metadata makes the pushed image usable as --cache-from elsewhere.
  buildkit_args.insert(buildkit_args.end(),
                       {"--build-arg", "BUILDKIT_INLINE_CACHE=1", "--progress=plain", "-"});
  args.push_back("-");

  if (buildkit_.load() != 0) {
    std::string output;
    auto status = Run(buildkit_args, {"DOCKER_BUILDKIT=1"}, on_line, "docker build", &output,
                      &request.context);
    if (status || output.find(kNoBuildx) == std::string::npos) {
      if (status && buildkit_.exchange(1) != 1) memory_.Remember(true);
      return status;
    }
    // This CLI cannot use BuildKit: the classic builder from now on, and in later runs.
    if (buildkit_.exchange(0) != 0) memory_.Remember(false);
    if (on_line) {
      on_line(
          "hoist: BuildKit is unavailable (no buildx); using the classic builder (remembered "
          "until the docker CLI or its buildx plugin changes)");
    }
  }
  for (int attempt = 1;; ++attempt) {
    std::string output;
    auto status =
        Run(args, {"DOCKER_BUILDKIT=0"}, on_line, "docker build", &output, &request.context);
    // The engine's error is the CLI's last line; a step's own output saying so is no race.
    const std::string trimmed = Trim(output);
    const std::string last = trimmed.substr(trimmed.rfind('\n') + 1);
    if (status || attempt == kLostCacheAttempts || ProcessesStopped() ||
        last.rfind(kLostCacheImage, 0) != 0) {
      return status;
    }
    if (on_line) {
      on_line(
          "hoist: the engine removed an image while the classic builder looked through its "
          "cache (another client's removal or prune at that moment); building again");
    }
    std::this_thread::sleep_for(std::chrono::seconds(attempt));  // a prune may still run
  }
}

Status DockerBuilder::Pull(const std::string& reference, const LineSink& on_line) {
  return Run({"pull", "--quiet", reference}, {}, on_line, "docker pull " + reference);
}

Status DockerBuilder::Push(const std::string& reference, const LineSink& on_line) {
  return Run({"push", "--quiet", reference}, {}, on_line, "docker push " + reference);
}

Status DockerBuilder::Tag(const std::string& source, const std::string& target) {
  return api_.Tag(source, target);
}

Status DockerBuilder::RunContainer(const std::string& image,
                                   const std::vector<std::string>& command,
                                   const std::string& network, const LineSink& on_line) {
  // A SIGTERM to `docker run` does not end its container (PID 1 ignores it unless it handles
  // it): a container hoist started has a name of its own (unique on an engine that many
  // machines share) and is removed when hoist is stopped.
  static std::atomic<int> containers{0};
  const std::string name = "hoist-" + ProcessIdentity() + "-" + std::to_string(++containers);
  std::vector<std::string> args = {"run",
                                   "--rm",
                                   "--name",
                                   name,
                                   "--label",
                                   "dev.hoist.pid=" + std::to_string(getpid()),
                                   "--network=" + (network.empty() ? "none" : network),
                                   image};
  args.insert(args.end(), command.begin(), command.end());
  const int stop = AddStopAction(
      [docker = docker_, host = docker_host_, name] { RemoveContainer(docker, host, name); });
  auto ran = Run(args, {}, on_line, "docker run " + image);
  RemoveStopAction(stop);
  // Stopped before the container existed, the stop action's rm found nothing: once more now.
  if (ProcessesStopped()) RemoveContainer(docker_, docker_host_, name);
  return ran;
}

std::vector<std::string> DockerBuilder::ComposeCommand() {
  if (compose_plugin_.load() < 0) {
    ProcessSpec probe;
    probe.argv = {docker_, "compose", "version"};
    auto result = RunProcess(probe);
    compose_plugin_ = result && result->exit_code == 0 ? 1 : 0;
  }
  if (compose_plugin_.load() == 1) return {docker_, "compose"};
  return {"docker-compose"};
}

Status DockerBuilder::RunCompose(const ComposeRun& run, const LineSink& on_line) {
  std::vector<std::string> base = ComposeCommand();
  base.insert(base.end(), {"--file", run.file, "--project-name", run.project, "--project-directory",
                           run.directory});
  std::vector<std::string> up = base;
  // Only the engine's images: a service built or pulled here would run bytes no hash names.
  up.insert(up.end(), {"up", "--no-build", "--no-color", "--force-recreate", "--exit-code-from",
                       run.service});
  std::vector<std::string> down = base;
  down.insert(down.end(), {"down", "--volumes", "--remove-orphans", "--timeout", "5"});
  std::vector<std::string> env = run.environment;
  if (!docker_host_.empty()) env.push_back("DOCKER_HOST=" + docker_host_);
  // Taken down even when hoist is stopped mid-run (shielded: part of the stopping).
  auto take_down = [down, env] {
    ProcessSpec spec;
    spec.argv = down;
    spec.env = env;
    spec.shielded = true;
    (void)RunProcess(spec);
  };
  const int stop = AddStopAction(take_down);
  auto ran =
      RunProgram(up, run.environment, on_line, "compose up of " + run.file, nullptr, nullptr);
  RemoveStopAction(stop);
  take_down();
  return ran;
}

Status DockerBuilder::CopyFromImage(const std::string& image, const std::string& path,
                                    const std::string& destination, const LineSink& on_line) {
  std::string id;
  auto created =
      Run({"create", image, "/hoist-copy-only"}, {}, on_line, "docker create " + image, &id);
  if (!created) return created;
  id = Trim(id);
  if (id.find('\n') != std::string::npos) id = id.substr(id.rfind('\n') + 1);  // after pull output
  // "PATH/." copies the directory's content, not the directory itself.
  auto copied = Run({"cp", id + ":" + path + "/.", destination}, {}, on_line,
                    "docker cp " + image + ":" + path);
  // Removed even after Ctrl-C (a stoppable rm would not run then).
  RemoveContainer(docker_, docker_host_, id);
  return copied;
}

Expected<std::string> DockerBuilder::Architecture() {
  std::string output;
  auto status =
      Run({"version", "--format", "{{.Server.Arch}}"}, {}, nullptr, "docker version", &output);
  if (!status) return status.error();
  output = Trim(output);
  if (output == "x86_64") return std::string("amd64");
  if (output == "aarch64") return std::string("arm64");
  return output;
}

}  // namespace hoist
