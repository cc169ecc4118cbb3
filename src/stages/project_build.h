#pragma once

#include <string>
#include <vector>

#include "docker/image_builder.h"
#include "graph/dependency_graph.h"
#include "manifest/manifest.h"
#include "source/content_hash.h"
#include "source/git_repository.h"
#include "source/pattern_index.h"
#include "source/source_snapshot.h"
#include "stages/base_images.h"
#include "store/image_store.h"

namespace hoist {

/// Settings of one `hoist build` run.
struct BuildSettings {
  std::string network;  ///< docker build --network; "" = the engine's default
  std::string platform;
  bool force = false;                       ///< rebuild even when the image exists
  std::vector<std::string> force_projects;  ///< [ci rebuild <project>]
  bool allow_dirty = false;                 ///< push hashes of uncommitted trees to a registry
  std::string commit;      ///< COMMIT_HASH / ARG_COMMIT_HASH and the revision label
  std::string commit_tag;  ///< COMMIT_TAG
  std::string branch;      ///< for the moving per-branch cache tag
  std::string source_url;  ///< org.opencontainers.image.source
  /// The builder's architecture ("amd64"), for multiarch: host projects: each architecture's
  /// image cache-<hash>-<arch> is decided on and built of its own. "" when none is one.
  std::string arch;
  /// --compat aztec: as the Aztec build system's YAML-era build did, architectures are named
  /// as `uname -m` names them (x86_64, arm64) and the build gets ARG_CONTENT_HASH (its
  /// content hash) and COMMIT_TAG without a leading 'v' (extract_tag_version).
  bool aztec = false;
};

/// Everything the build of one project reads; shared by every project of a run.
struct BuildEnvironment {
  const Manifest& manifest;
  const DependencyGraph& graph;
  const std::vector<ProjectHash>& hashes;
  const GitRepository& repo;
  ImageStore& store;
  ImageBuilder& builder;
  BuildSettings settings;
  /// `git submodule status` of the repository ("" when it has no .gitmodules).
  std::string submodule_status;
  /// What the hashes were made of, and so what each build context is assembled from.
  const SourceSnapshot* snapshot = nullptr;
  const PatternIndex* patterns = nullptr;
  /// The outside images the hashes were made with, which the builds pin to.
  const ResolvedBases* bases = nullptr;
  /// Each project's hash inputs (RecordedInputsJson, by project; "" or null: none), recorded
  /// with its build so a later one can say what changed since.
  const std::vector<std::string>* recorded_inputs = nullptr;
};

/// Whether a project needs building, and why (for --dry-run and the summary).
struct BuildDecision {
  bool build = false;
  std::string reason;    ///< "image cache-<hash> exists", "no image cache-<hash>", "tainted", …
  bool tainted = false;  ///< a `tainted` marker exists (removed after a successful build)
  /// A forced or tainted build of an image that exists: what cache-<hash> names now, which the
  /// build replaces (its test passes then no longer count). "" otherwise.
  std::string previous;
};

/// Decides from the store whether `project` must be built; an Error when that cannot be told.
Expected<BuildDecision> DecideBuild(BuildEnvironment& env, int project);
/// Why `project` cannot be built whatever the store holds (no hash, or uncommitted inputs
/// bound for a registry), or "" when nothing local stands in the way.
std::string LocalRefusal(const BuildEnvironment& env, int project);

/// Builds one project (DESIGN.md "Build of one project"): its dependencies' images under the
/// references its Dockerfile's FROM lines use, each named stage built and stored as
/// cache-<hash>-<stage>, the final image stored as cache-<hash> last; `tainted` removed.
/// Nothing is tagged cache-<hash> unless every step succeeded.
/// `decision` is DecideBuild's (a `tainted` marker is removed only when there was one).
/// `on_phase` hears each phase as it begins: "pull", "build", "push", "record".
Status BuildProject(BuildEnvironment& env, int project, const BuildDecision& decision,
                    const LineSink& on_line, const LineSink& on_phase = {});

/// A project's Dockerfile as hoist hands it to the builder.
struct PinnedDockerfile {
  std::string text;  ///< each FROM, COPY --from and RUN --mount from= naming a dependency pinned
  std::vector<std::string> dependency_images;  ///< the images pinned to, to pull first
  std::vector<std::string> stage_names;        ///< its named stages, in order
};

/// Pins `text` (project p's Dockerfile) to the exact images of its dependencies and, with
/// env.bases, of the outside images its hash was made with; an Error names a FROM that names a
/// project which is not a dependency, or an outside image that was not resolved.
Expected<PinnedDockerfile> PinDockerfile(const BuildEnvironment& env, int p,
                                         const std::string& text);

/// The image tag of a content hash.
std::string CacheTag(const std::string& hash);

}  // namespace hoist
