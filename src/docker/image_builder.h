#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "util/expected.h"
#include "util/line_sink.h"

namespace hoist {

/// Receives bytes of a stream; returns false once nobody reads any more.
using ByteSink = std::function<bool(std::string_view)>;
/// Writes a build context, as a tar stream, into the sink it is given (and can be called again
/// for a second build from the same context).
using ContextWriter = std::function<Status(const ByteSink&)>;

/// One `docker build` (or equivalent) invocation.
struct BuildRequest {
  ContextWriter context;   ///< the build context, streamed to the builder
  std::string dockerfile;  ///< the Dockerfile's path inside the context
  std::string target;      ///< stage to stop at, "" for the last
  std::vector<std::string> tags;
  std::map<std::string, std::string> build_args;
  std::map<std::string, std::string> labels;
  std::vector<std::string> cache_from;
  std::string network;   ///< "" = the engine's default
  std::string platform;  ///< "" for the engine's own
};

/// One `docker compose up` of a test job: the services of `file` run until `service` exits,
/// whose exit status is the run's; then everything the run made is removed.
struct ComposeRun {
  std::string file;       ///< the compose file (absolute)
  std::string directory;  ///< where compose runs (relative paths in the file are from here)
  std::string project;    ///< the compose project name: unique per run on a shared engine
  std::string service;    ///< whose exit ends the run and gives its status
  std::vector<std::string> environment;  ///< KEY=VALUE for the file's ${…}
};

/// What builds and moves container images: one small interface, one file per backend.
class ImageBuilder {
 public:
  virtual ~ImageBuilder() = default;
  /// "docker (BuildKit)", "docker (classic builder)".
  virtual std::string Describe() const = 0;
  /// The engine a command run beside it should use (its DOCKER_HOST): "" for the one the
  /// environment names.
  virtual std::string DockerHost() const { return ""; }
  /// An Error saying how to get an engine when none answers.
  virtual Status Check() = 0;
  virtual Status Build(const BuildRequest& request, const LineSink& on_line) = 0;
  virtual Status Pull(const std::string& reference, const LineSink& on_line) = 0;
  virtual Status Push(const std::string& reference, const LineSink& on_line) = 0;
  virtual Status Tag(const std::string& source, const std::string& target) = 0;
  /// Runs `command` in a fresh container of `image` (removed afterwards), without network
  /// unless `network` says otherwise.
  virtual Status RunContainer(const std::string& image, const std::vector<std::string>& command,
                              const std::string& network, const LineSink& on_line) = 0;
  /// Runs a compose file's services with the engine's images only (nothing is built or
  /// pulled by compose), then takes them down, volumes and all, even when stopped.
  virtual Status RunCompose(const ComposeRun& run, const LineSink& on_line) = 0;
  /// Copies `path` (a directory) out of `image` into the existing directory `destination`,
  /// without running the image.
  virtual Status CopyFromImage(const std::string& image, const std::string& path,
                               const std::string& destination, const LineSink& on_line) = 0;
  /// The engine's architecture as image tags name it ("amd64", "arm64").
  virtual Expected<std::string> Architecture() = 0;
};

}  // namespace hoist
