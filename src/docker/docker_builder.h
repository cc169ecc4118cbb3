#pragma once

#include <atomic>
#include <string>

#include "docker/builder_memory.h"
#include "docker/docker_engine_api.h"
#include "docker/image_builder.h"

namespace hoist {

/// The Docker backend, through the docker CLI (HOIST_DOCKER or `docker` on PATH): BuildKit
/// with inline cache metadata, falling back to the classic builder where the CLI cannot use
/// BuildKit (a CLI without buildx), which it remembers for later runs (BuilderMemory).
class DockerBuilder : public ImageBuilder {
 public:
  /// `docker_host`: the engine to use (DOCKER_HOST for the CLI and the Engine API client);
  /// "" for the environment's own.
  explicit DockerBuilder(std::string docker_host = "");

  std::string Describe() const override;
  std::string DockerHost() const override { return docker_host_; }
  Status Check() override;
  Status Build(const BuildRequest& request, const LineSink& on_line) override;
  Status Pull(const std::string& reference, const LineSink& on_line) override;
  Status Push(const std::string& reference, const LineSink& on_line) override;
  Status Tag(const std::string& source, const std::string& target) override;
  Status RunContainer(const std::string& image, const std::vector<std::string>& command,
                      const std::string& network, const LineSink& on_line) override;
  Status RunCompose(const ComposeRun& run, const LineSink& on_line) override;
  Status CopyFromImage(const std::string& image, const std::string& path,
                       const std::string& destination, const LineSink& on_line) override;
  Expected<std::string> Architecture() override;

 private:
  /// Runs the docker CLI, streaming its output lines; the last lines go into the Error.
  /// With `context`, what it writes is the CLI's stdin (a build context on `-`).
  Status Run(const std::vector<std::string>& args, const std::vector<std::string>& env,
             const LineSink& on_line, const std::string& what, std::string* output = nullptr,
             const ContextWriter* context = nullptr);
  /// Run's work, for any program: `argv` in full.
  Status RunProgram(const std::vector<std::string>& argv, const std::vector<std::string>& env,
                    const LineSink& on_line, const std::string& what, std::string* output,
                    const ContextWriter* context);
  /// How compose is run: {docker, "compose"} when the CLI has the plugin (as the Aztec build
  /// system's scripts preferred), else Debian's {"docker-compose"}; asked once.
  std::vector<std::string> ComposeCommand();

  std::string docker_;
  std::string docker_host_;
  DockerEngineApi api_;
  std::atomic<int> compose_plugin_{-1};  ///< -1 not asked, 1 `docker compose`, 0 docker-compose
  std::atomic<int> buildkit_{-1};        ///< -1 unknown, 1 BuildKit works, 0 classic builder
  BuilderMemory memory_;                 ///< what earlier runs found
};

}  // namespace hoist
