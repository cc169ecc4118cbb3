#pragma once

#include <optional>
#include <string>

namespace hoist {

/// What a docker CLI builds with, as an earlier run of hoist found out, so that no later run
/// tries BuildKit again where the CLI has no buildx (a failed build and its error in the log,
/// per image). Kept in $XDG_CACHE_HOME/hoist (else ~/.cache/hoist), keyed by the CLI binary
/// and its buildx plugin (where each is, its size and modification time): installing or
/// upgrading either forgets it.
class BuilderMemory {
 public:
  /// For the CLI `docker` ("docker" is looked up on PATH).
  explicit BuilderMemory(const std::string& docker);
  /// true: BuildKit works; false: the classic builder; nullopt: not known yet.
  std::optional<bool> Buildkit() const;
  /// Remembers what a build found; a failure to write is ignored (the next run finds out again).
  void Remember(bool buildkit) const;

 private:
  std::string path_;  ///< "" when there is no cache directory
};

}  // namespace hoist
