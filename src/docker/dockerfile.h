#pragma once

#include <functional>
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

/// `text` with each image that `COPY --from=X`, `ADD --from=X` or `RUN --mount=…,from=X`
/// names replaced by `pin(X)` (kept when that is ""); everything else byte for byte.
std::string PinFromFlags(const std::string& text,
                         const std::function<std::string(const std::string&)>& pin);

/// The names of every ARG the Dockerfile declares, in any stage.
std::vector<std::string> DeclaredArgs(const std::string& text);

/// A source of a COPY or ADD instruction that reads the build context.
struct CopySource {
  std::string path;         ///< as written, relative to the context ("." "src/" "*.json")
  std::string instruction;  ///< "COPY" or "ADD"
  int line = 0;
};

/// The context sources of every COPY and ADD (not those --from another stage or image, not
/// ADD of a URL or git repository, not heredocs), in order.
std::vector<CopySource> ParseCopySources(const std::string& text);

/// Whether `path` (relative, '/'-separated) is matched by `pattern` as docker matches COPY
/// sources and .dockerignore lines: '*' and '?' within one component, '**' across any, a
/// pattern naming a directory matching everything below it.
bool MatchesContextPattern(const std::string& pattern, const std::string& path);

/// The lines of a .dockerignore that count, in order ("!" kept in front of exceptions).
std::vector<std::string> DockerignoreLines(const std::string& text);

/// Whether docker leaves `path` (relative to the context) out of the context: the last line
/// of `lines` matching it decides, an exception ("!") keeping it.
bool IsDockerignored(const std::vector<std::string>& lines, const std::string& path);

/// `text` with the FROM instruction of each stage in `pinned` (by its line) made to name
/// `pinned[line]` instead, its flags and AS name kept; the lines of a continued instruction
/// become empty, so every other line keeps its number.
std::string PinFromLines(const std::string& text, const std::vector<DockerfileStage>& stages,
                         const std::map<int, std::string>& pinned);

}  // namespace hoist
