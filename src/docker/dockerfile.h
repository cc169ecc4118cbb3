#pragma once

#include <map>
#include <string>
#include <vector>

#include "util/expected.h"

namespace hoist {

/// One build stage of a Dockerfile: `FROM [--platform=…] BASE [AS NAME]`.
struct DockerfileStage {
  std::string base;                ///< the image reference, global ARGs substituted as docker would
  std::string name;                ///< "" when unnamed
  int line = 0;                    ///< where the FROM instruction starts
  int end_line = 0;                ///< where it ends (after line continuations)
  std::vector<std::string> flags;  ///< --platform=… and the like, as written
};

/// The stages of a Dockerfile, in order (line continuations, comments and ARGs declared
/// before the first FROM understood). `build_args` override the defaults of those ARGs, as
/// `docker build --build-arg` does (an ARG not declared before FROM stays empty there). An
/// Error names the line of a malformed FROM.
Expected<std::vector<DockerfileStage>> ParseDockerfileStages(
    const std::string& text, const std::map<std::string, std::string>& build_args = {});

/// The repository part of an image reference without registry host, tag or digest's last
/// path component: "127.0.0.1:5000/team/app:v1" -> "app", "app@sha256:…" -> "app".
std::string ImageBaseName(const std::string& reference);

/// The names a reference may mean, longest first: its repository path without registry
/// host, tag or digest, then each shorter tail ("127.0.0.1:5000/team/app:v1" -> "team/app",
/// "app"; "aztecprotocol/greeting:latest" -> "aztecprotocol/greeting", "greeting").
std::vector<std::string> ImageNameCandidates(const std::string& reference);

/// `text` with the FROM instruction of each stage in `pinned` (by its line) made to name
/// `pinned[line]` instead, its flags and AS name kept; the lines of a continued instruction
/// become empty, so every other line keeps its number.
std::string PinFromLines(const std::string& text, const std::vector<DockerfileStage>& stages,
                         const std::map<int, std::string>& pinned);

}  // namespace hoist
