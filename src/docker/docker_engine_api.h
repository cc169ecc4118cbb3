#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "net/http_client.h"
#include "util/expected.h"

namespace hoist {

/// An image the engine holds.
struct EngineImage {
  std::string id;                         ///< "sha256:…", the digest of its configuration
  std::vector<std::string> repo_digests;  ///< "repo@sha256:…" of each registry it came from
};

/// One image of the engine's listing (GET /images/json).
struct EngineListedImage {
  std::string id;                      ///< "sha256:…"
  std::vector<std::string> repo_tags;  ///< "repository:tag" of each tag it has
  std::string labels;                  ///< its labels as JSON object text ("{}" when none)
};

/// What the engine says of itself (GET /info).
struct EngineInfo {
  std::string version;      ///< ServerVersion
  std::string root_dir;     ///< DockerRootDir, where it keeps images
  std::string system_time;  ///< its clock, RFC 3339
};

/// The Docker Engine API over its socket, for the quick questions (inspect, tag, remove) that
/// would each cost a docker CLI start (~50 ms here) otherwise. DOCKER_HOST is honoured
/// (unix:// and tcp://); builds, pulls and pushes stay with the docker CLI.
class DockerEngineApi {
 public:
  /// `docker_host` as DOCKER_HOST writes it; "" reads DOCKER_HOST (default the local socket).
  explicit DockerEngineApi(const std::string& docker_host = "");

  /// Checks the engine answers; an Error says how to start one.
  Status Ping();
  /// The image's labels as JSON object text, or nullopt when there is no such image.
  Expected<std::optional<std::string>> InspectLabels(const std::string& reference);
  /// The image `reference` names on the engine, or nullopt when there is none.
  Expected<std::optional<EngineImage>> InspectImage(const std::string& reference);
  /// Every tagged image the engine holds, with its labels, in one call.
  Expected<std::vector<EngineListedImage>> ListImages();
  /// Every "repository:tag" the engine holds, in one call.
  Expected<std::vector<std::string>> ListRepoTags();
  /// Tags `source` as `target` ("repo[:tag]").
  Status Tag(const std::string& source, const std::string& target);
  /// Removes the tag `reference` (never pruning parents); an absent tag is fine.
  Status Untag(const std::string& reference);
  /// The engine's version, image directory and clock.
  Expected<EngineInfo> Info();
  /// DOCKER_HOST's value, or the default socket.
  const std::string& where() const { return where_; }

 private:
  Expected<HttpResponse> Call(const std::string& method, const std::string& path);
  std::string base_url_;
  std::string where_;    ///< DOCKER_HOST's value, or the default socket, for messages
  bool custom_ = false;  ///< not the default socket
  std::unique_ptr<HttpClient> http_;
};

}  // namespace hoist
