#pragma once

#include <map>
#include <string>
#include <vector>

#include "graph/dependency_graph.h"
#include "manifest/manifest.h"
#include "source/pattern_index.h"
#include "source/source_snapshot.h"

namespace hoist {

/// Which content hash to compute.
enum class HashScheme {
  kV1,     ///< hoist's own (DESIGN.md "Content hash (v1)"): SHA-256 of every declared input
  kAztec,  ///< the seed's calculate_content_hash, bit for bit
  /// The same over whole rows (mode, object id, path), so a rename or a mode change is a new
  /// hash: --compat aztec-2023-02, whose scripts rebuilt on any change of a matched file's name
  /// and read no content-hash tag.
  kAztecRows,
};

/// The content hash of one project, or why it has none.
struct ProjectHash {
  std::string hash;
  bool dirty = false;  ///< made from working-tree files that differ from the commit
  std::string error;   ///< set (and hash empty) when it cannot be computed
};

/// For each project, the build args hoist passes to every build (COMMIT_HASH, ARG_COMMIT_HASH,
/// COMMIT_TAG) that its Dockerfile declares, with their values: inputs of its hash, since
/// they can reach the image. Empty maps when no Dockerfile declares one.
using InjectedArgs = std::vector<std::map<std::string, std::string>>;

/// For each project, the images from outside the manifest its Dockerfile builds on, resolved:
/// "<reference> <digest>" records, sorted; or why one cannot be resolved ("" when all can),
/// and then the project has no hash.
struct BaseImages {
  std::vector<std::vector<std::string>> records;
  std::vector<std::string> errors;
};

/// Everything that goes into one project's hash, as the records that are digested.
struct HashInputs {
  std::vector<std::string> files;         ///< "<mode> <oid> <path>", sorted by path
  std::string build_dir;                  ///< the build context's directory
  std::string dockerfile;                 ///< "<path> <oid>" (or "<path> absent")
  std::vector<std::string> dockerignore;  ///< "<path> <oid>" (or "<path> absent"), each
  std::vector<std::string> build_args;    ///< "NAME=value", sorted
  std::vector<std::string> injected;      ///< "NAME=value" of declared injected args
  std::vector<std::string> bases;         ///< "<reference> <digest>" of outside images
  std::string platform;
  std::vector<std::pair<std::string, std::string>> dependencies;  ///< (name, hash), sorted
};

/// The files that go into a project's hash whether or not a pattern covers them: its
/// Dockerfile and the ignore files docker reads for it (<buildDir>/.dockerignore and
/// <Dockerfile>.dockerignore).
std::vector<std::string> AlwaysHashedFiles(const Project& project);
/// The ignore files of AlwaysHashedFiles.
std::vector<std::string> DockerignoreFiles(const Project& project);

/// Hashes every project from one snapshot. `platform` goes into v1 hashes when not empty.
std::vector<ProjectHash> HashProjects(const Manifest& manifest, const DependencyGraph& graph,
                                      const PatternIndex& index, const SourceSnapshot& snapshot,
                                      HashScheme scheme, const std::string& platform = "",
                                      const InjectedArgs* injected = nullptr,
                                      const BaseImages* bases = nullptr);

/// The v1 inputs of one project, given the hashes of all projects (for its dependencies).
HashInputs CollectHashInputs(const Manifest& manifest, const DependencyGraph& graph,
                             const PatternIndex& index, const SourceSnapshot& snapshot, int project,
                             const std::vector<ProjectHash>& hashes,
                             const std::string& platform = "",
                             const InjectedArgs* injected = nullptr,
                             const BaseImages* bases = nullptr);

}  // namespace hoist
