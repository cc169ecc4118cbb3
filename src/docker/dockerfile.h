#pragma once

#include <string>
#include <vector>

#include "util/expected.h"

namespace hoist {

/// One build stage of a Dockerfile: `FROM [--platform=…] BASE [AS NAME]`.
struct DockerfileStage {
  std::string base;  ///< the image reference as written, global ARGs substituted
  std::string name;  ///< "" when unnamed
  int line = 0;
};

/// The stages of a Dockerfile, in order (line continuations, comments and ARGs declared
/// before the first FROM understood). An Error names the line of a malformed FROM.
Expected<std::vector<DockerfileStage>> ParseDockerfileStages(const std::string& text);

/// The repository part of an image reference without registry host, tag or digest's last
/// path component: "127.0.0.1:5000/team/app:v1" -> "app", "app@sha256:…" -> "app".
std::string ImageBaseName(const std::string& reference);

}  // namespace hoist
