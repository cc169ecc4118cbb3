// `hoist doctor`: whether this machine can run hoist, each check with the fix of its failure;
// and `hoist version`.
#include <sys/statvfs.h>

#include <ctime>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/json_output.h"
#include "docker/builder_memory.h"
#include "docker/docker_engine_api.h"
#include "hoist_version.h"
#include "oci/distribution_client.h"
#include "util/subprocess.h"

namespace hoist {
namespace {

struct Check {
  std::string name;
  std::string status;  ///< "ok", "warn", "fail" or "skip"
  std::string detail;
  std::string fix;  ///< what to do when it is not ok
};

/// The first line of a program's --version, or an Error saying it cannot run.
Expected<std::string> VersionOf(const std::vector<std::string>& argv) {
  ProcessSpec spec;
  spec.argv = argv;
  spec.timeout_seconds = 20;
  auto result = RunProcess(spec);
  if (!result) return result.error();
  if (result->exit_code != 0) {
    return Error{FormatCommand(argv) + " exited " + std::to_string(result->exit_code)};
  }
  return result->stdout_text.substr(0, result->stdout_text.find('\n'));
}

/// GiB free for an unprivileged user in the file system holding `path` (-1 when unknown).
double FreeGib(const std::string& path) {
  struct statvfs info {};
  if (statvfs(path.c_str(), &info) != 0) return -1;
  return static_cast<double>(info.f_bavail) * static_cast<double>(info.f_frsize) /
         (1024.0 * 1024.0 * 1024.0);
}

std::string Gib(double gib) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f GiB", gib);
  return text;
}

constexpr double kLowDiskGib = 2.0;
constexpr long kSkewSeconds = 60;

std::vector<Check> RunChecks(CommandContext& context) {
  std::vector<Check> checks;
  // git, and the repository.
  auto git = VersionOf({"git", "--version"});
  checks.push_back(
      git ? Check{"git", "ok", *git, ""}
          : Check{"git", "fail", git.error().message, "install git: apt-get install git"});
  const char* docker_env = std::getenv("HOIST_DOCKER");
  const std::string docker = docker_env && *docker_env ? docker_env : "docker";
  auto cli = VersionOf({docker, "--version"});
  checks.push_back(cli ? Check{"docker CLI", "ok", *cli + " (" + docker + ")", ""}
                       : Check{"docker CLI", "fail", cli.error().message,
                               "install the docker CLI (apt-get install docker.io), or set "
                               "HOIST_DOCKER to one"});
  // The engine, and what it says of itself.
  DockerEngineApi engine;
  const char* host_env = std::getenv("DOCKER_HOST");
  const std::string where = engine.where();
  std::optional<EngineInfo> info;
  if (auto ping = engine.Ping(); !ping) {
    checks.push_back({"Docker engine", "fail", ping.error().message,
                      host_env && *host_env
                          ? "check DOCKER_HOST (" + where + "), or unset it for the local engine"
                          : "start it: sudo dockerd --bridge=none --iptables=false "
                            "--ip-masq=false & (or systemctl start docker)"});
  } else {
    auto answer = engine.Info();
    if (answer) info = *answer;
    const std::string version = info ? info->version : "";
    checks.push_back({"Docker engine", "ok", where + (version.empty() ? "" : ", " + version), ""});
  }
  // The builder the CLI gives: BuildKit needs buildx in a Docker 23+ CLI.
  if (cli) {
    BuilderMemory memory(docker);
    std::optional<bool> buildkit = memory.Buildkit();
    if (!buildkit) {
      ProcessSpec buildx;
      buildx.argv = {docker, "buildx", "version"};
      buildx.timeout_seconds = 20;
      auto result = RunProcess(buildx);
      buildkit = result.ok() && result->exit_code == 0;
    }
    checks.push_back(*buildkit ? Check{"builder", "ok", "BuildKit (buildx)", ""}
                               : Check{"builder", "warn",
                                       "the classic builder (this docker CLI has no buildx)",
                                       "for BuildKit (faster, inline cache): apt-get install "
                                       "docker-buildx, or the docker-buildx-plugin package"});
  }
  // The cache registry: reachable, and the credentials it asks for.
  if (context.registry.empty()) {
    checks.push_back({"registry", "skip",
                      "none set: images stay in the local engine (give --registry or "
                      "HOIST_REGISTRY to share them)",
                      ""});
  } else {
    const std::string host = context.registry.substr(0, context.registry.find('/'));
    auto client = context.ClientFor(host);
    Status ping = client->Ping();
    std::string prefix = context.registry.find('/') == std::string::npos
                             ? ""
                             : context.registry.substr(context.registry.find('/') + 1);
    if (ping) ping = client->Authorize({(prefix.empty() ? "" : prefix + "/") + "hoist"}, false);
    checks.push_back(ping ? Check{"registry", "ok", context.registry + " answers", ""}
                          : Check{"registry", "fail", ping.error().message,
                                  "check the address; log in with docker login " + host +
                                      "; for plain HTTP give --insecure-registry " + host});
  }
  // The clock, against the engine's (tokens, leases and markers carry times).
  if (info && !info->system_time.empty()) {
    std::tm tm{};
    const std::string text = info->system_time;
    if (strptime(text.c_str(), "%Y-%m-%dT%H:%M:%S", &tm)) {
      const long skew = static_cast<long>(timegm(&tm) - std::time(nullptr));
      const long size = skew < 0 ? -skew : skew;
      checks.push_back(
          size <= kSkewSeconds
              ? Check{"clock", "ok", "the engine's differs by " + std::to_string(skew) + " s", ""}
              : Check{"clock", "fail",
                      "the engine's clock differs by " + std::to_string(skew) + " s",
                      "synchronise both clocks (systemd-timesyncd or chrony)"});
    }
  }
  // The repository, and disk: its file system and, for a local engine, the engine's.
  std::vector<std::pair<std::string, std::string>> places;
  try {
    places.push_back({"repository", context.repo().root()});
    checks.push_back({"repository", "ok", context.repo().root(), ""});
  } catch (const CommandFailure& failure) {
    checks.push_back(
        {"repository", "fail", failure.message, "run hoist in a git repository, or give -C DIR"});
  }
  if (info && where.rfind("unix://", 0) == 0 && !info->root_dir.empty()) {
    places.push_back({"engine", info->root_dir});
  }
  for (const auto& [what, path] : places) {
    const double free = FreeGib(path);
    if (free < 0) continue;
    checks.push_back(
        free >= kLowDiskGib
            ? Check{"disk", "ok", Gib(free) + " free for the " + what + " (" + path + ")", ""}
            : Check{"disk", "fail",
                    "only " + Gib(free) + " free for the " + what + " (" + path + ")",
                    "free space there: docker image prune, docker builder prune"});
  }
  return checks;
}

}  // namespace

void AddDoctorCommand(CLI::App& app, CommandContext& context, int& exit_code) {
  auto* doctor = app.add_subcommand(
      "doctor",
      "Check what hoist needs here (git, docker CLI and engine, builder, registry and its "
      "login, clock, disk), with the fix of each failed check");
  doctor->callback([&context, &exit_code] {
    const auto checks = RunChecks(context);
    bool failed = false;
    nlohmann::json out = nlohmann::json::array();
    for (const auto& check : checks) {
      failed = failed || check.status == "fail";
      if (context.json) {
        out.push_back({{"check", check.name},
                       {"status", check.status},
                       {"detail", check.detail},
                       {"fix", check.fix.empty() ? nlohmann::json() : nlohmann::json(check.fix)}});
        continue;
      }
      std::cout << check.status << std::string(6 - check.status.size(), ' ') << check.name << ": "
                << check.detail << "\n";
      if (!check.fix.empty()) std::cout << "      fix: " << check.fix << "\n";
    }
    if (context.json) PrintJson("doctor", out, "checks");
    exit_code = failed ? kExitFailure : kExitOk;
  });
  auto* version = app.add_subcommand("version", "Print hoist's version and commit");
  version->callback([&exit_code] {
    std::cout << "hoist " HOIST_VERSION " (commit " HOIST_COMMIT ")\n";
    exit_code = kExitOk;
  });
}

}  // namespace hoist
