#pragma once

#include <optional>
#include <string>
#include <vector>

#include "docker/image_builder.h"
#include "manifest/manifest.h"
#include "source/git_repository.h"
#include "source/pattern_index.h"
#include "source/source_snapshot.h"

namespace hoist {

/// The name of the Dockerfile hoist puts into each context it sends (the project's Dockerfile
/// with its FROM lines pinned); the context's .dockerignore leaves it (and itself) out of
/// what COPY sees, as the docker CLI does for a Dockerfile from outside the context.
inline constexpr const char* kContextDockerfile = ".dockerfile.hoist";

/// One file of a build context and where its bytes come from.
struct ContextEntry {
  std::string path;        ///< inside the context
  std::string mode;        ///< git's: "100644", "100755", "120000"
  std::string oid;         ///< the blob
  std::string repo_path;   ///< the path inside its repository (for .gitattributes, the disk)
  size_t repository = 0;   ///< index into BuildContext::repositories
  bool from_disk = false;  ///< an uncommitted file: read from the working tree
};

/// Exactly what goes into one project's build context: the files under its buildDir that are
/// inputs of its hash (those the project's and its dependencies' rebuild patterns match, and
/// its Dockerfile), submodules at their recorded commits, with its .dockerignore applied.
struct BuildContext {
  /// Where the entries' blobs are: "" for the repository itself, else a submodule's path.
  std::vector<std::string> repositories;
  std::vector<ContextEntry> entries;  ///< grouped by repository, each group sorted by path
  /// The ignore file that applied (repository-relative; "" when none) and its lines.
  std::string dockerignore_file;
  std::vector<std::string> dockerignore;
  /// Files of the hash that the ignore file leaves out (they cannot reach the image).
  size_t ignored = 0;
};

/// Reads a file of the snapshot: its committed content, or the working tree's when the
/// snapshot took it from there; nullopt when the snapshot has no such file.
Expected<std::optional<std::string>> ReadSnapshotFile(const GitRepository& repo,
                                                      const SourceSnapshot& snapshot,
                                                      const std::string& path);

/// ReadSnapshotFile for many files, the committed ones in one git call.
Expected<std::vector<std::optional<std::string>>> ReadSnapshotFiles(
    const GitRepository& repo, const SourceSnapshot& snapshot,
    const std::vector<std::string>& paths);

/// Plans project `p`'s context from `snapshot`. An Error names what cannot be read the same
/// way on every machine (an uninitialised submodule, a commit missing from its clone).
Expected<BuildContext> PlanBuildContext(const Manifest& manifest, const PatternIndex& index,
                                        const SourceSnapshot& snapshot, const GitRepository& repo,
                                        int p);

/// Streams `context` as a tar (see TarWriter: the same files give the same bytes anywhere),
/// with `dockerfile_text` as kContextDockerfile. Refuses a file stored through a git filter
/// (git-lfs) that this machine cannot apply, or whose content is still the filter's pointer.
Status WriteBuildContext(const GitRepository& repo, const BuildContext& context,
                         const std::string& dockerfile_text, const ByteSink& sink);

}  // namespace hoist
