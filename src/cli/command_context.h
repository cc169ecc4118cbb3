#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "config/hoist_config.h"
#include "graph/dependency_graph.h"
#include "manifest/diagnostic.h"
#include "manifest/manifest.h"
#include "net/http_client.h"
#include "source/content_hash.h"
#include "source/git_repository.h"
#include "source/pattern_index.h"
#include "source/snapshot_start.h"
#include "source/source_snapshot.h"
#include "stages/base_images.h"
#include "stages/input_lint.h"
#include "stages/pipeline_env.h"
#include "stages/trust.h"
#include "store/image_store.h"
#include "store/registry_store.h"

namespace hoist {

/// Exit codes of every hoist command.
enum ExitCode : int { kExitOk = 0, kExitFailure = 1, kExitUsage = 2 };

/// The values of --compat (HOIST_COMPAT).
inline const std::vector<std::string> kCompatSchemes = {"aztec", "aztec-2023-02"};

/// The hash a --compat value keys by: hoist's own (""), the Aztec build system's ("aztec"), or
/// that over whole rows ("aztec-2023-02").
inline HashScheme SchemeOf(const std::string& compat) {
  if (compat.empty()) return HashScheme::kV1;
  return compat == "aztec-2023-02" ? HashScheme::kAztecRows : HashScheme::kAztec;
}

/// A failure that ends the command with `code` after printing `message` (already formatted).
struct CommandFailure {
  int code = kExitFailure;
  std::string message;
};

/// The global options and what every command needs, loaded on first use.
class CommandContext {
 public:
  // Global options, filled in by the argument parser.
  std::string directory = ".";
  std::string manifest_path;
  bool json = false;
  bool verbose = false;
  std::string registry;                          ///< --registry or HOIST_REGISTRY
  std::string deploy_registry;                   ///< --deploy-registry or HOIST_DEPLOY_REGISTRY
  std::vector<std::string> insecure_registries;  ///< --insecure-registry (repeatable)
  std::string registry_ca;                       ///< --registry-ca or HOIST_REGISTRY_CA
  bool http2 = false;
  bool local = false;  ///< --local or HOIST_LOCAL: the local engine as the store, even in CI
  std::string trust_mode = "auto";            ///< --trust or HOIST_TRUST
  std::vector<std::string> trailing_command;  ///< the words after "--"
  std::vector<std::string> command_line;      ///< every word after "hoist", as given
  /// build's and test's --compat (HOIST_COMPAT): "aztec" keys images and markers by the Aztec
  /// build system's content hash (its calculate_content_hash), under the tags its YAML-era
  /// scripts read and wrote, so a team's registry keeps serving after the switch.
  std::string compat;
  HashScheme scheme() const { return SchemeOf(compat); }
  /// Snapshot options for the scheme: the Aztec hash is of the commit, and uncommitted changes
  /// only mark it dirty, as its scripts hashed `git ls-tree`.
  void ApplyScheme(SnapshotOptions& options) const {
    options.aztec_paths = options.flag_only = !compat.empty();
  }

  /// The cache store: the registry when one is configured, else the local Docker engine, which
  /// a CI job gets only with --local (its runner's engine is thrown away).
  ImageStore& Store();
  /// The same store, for commands that only read it (status, dry runs): allowed in CI too.
  ImageStore& ReadStore();
  /// The deploy registry; a CommandFailure when none is configured.
  RegistryStore& DeployStore();
  /// A registry client for an arbitrary host (for image copy between registries).
  std::unique_ptr<DistributionClient> ClientFor(const std::string& host);

  /// The repository; throws CommandFailure when there is none.
  const GitRepository& repo();
  /// The manifest, its warnings printed once; throws CommandFailure on errors.
  const Manifest& manifest();
  /// The manifest's warnings about project `name` (an ignored key: "dependecies"), to repeat
  /// beside its failure, where the cause is easily missed.
  std::vector<std::string> ManifestWarningsAbout(const std::string& name) const;
  const DependencyGraph& graph();
  /// hoist.yml (defaults when absent); throws CommandFailure on errors.
  const HoistConfig& config();
  const PatternIndex& patterns();
  /// Begins reading the repository for Snapshot(options) on other threads, before the
  /// manifest is parsed, so that the two overlap (snapshot_start.h). Without a repository it
  /// begins nothing: the command then says so where it needs one.
  void BeginSnapshot(const SnapshotOptions& options);
  /// The files of a tree that the manifest's patterns and Dockerfiles select.
  SourceSnapshot Snapshot(const SnapshotOptions& options);
  /// Every project's hash from `snapshot`; v1 hashes hold the injected build args each
  /// Dockerfile declares (InjectedArgs), the same in every command.
  std::vector<ProjectHash> Hashes(const SourceSnapshot& snapshot, HashScheme scheme,
                                  const std::string& platform = "");
  /// The injected build args of every project for `snapshot`'s commit and CommitTag().
  InjectedArgs Injected(const SourceSnapshot& snapshot);
  /// The outside images of every project's Dockerfile in `snapshot`, resolved once per run
  /// (ResolveImage): inputs of the hashes, and what the builds pin them to.
  const ResolvedBases& Bases(const SourceSnapshot& snapshot);
  /// Which exact image `reference` names now: its digest when it has one; for a reference
  /// naming a registry host, that registry's; else the engine's image (its digest in the
  /// registry it was pulled from, or its image id when it was made locally); else Docker Hub's.
  Expected<ResolvedImage> ResolveImage(const std::string& reference);
  /// COMMIT_TAG of builds: build's --commit-tag, else $COMMIT_TAG, else the commit's tag.
  std::string CommitTag();
  std::string commit_tag_override;  ///< build's --commit-tag
  /// What this run is about (commit, branch, tag, pipeline run id), detected once from the CI
  /// vendor's variables and git, for every stage and the spot machines.
  const PipelineFacts& facts();
  /// Whether this run may write what trusted runs read (stages/trust.h), decided once.
  const TrustTier& Tier();
  /// `git submodule status` ("" without .gitmodules).
  std::string SubmoduleStatus();
  /// Where jobs' logs go: <repo>/.hoist/logs.
  /// This run's log directory, .hoist/runs/<time>-<pid> (.hoist/logs links to the latest).
  std::string LogDirectory();
  /// Files a Dockerfile of `projects` copies that no rebuild pattern covers (hoist check).
  std::vector<UncoveredInput> UncoveredInputs(const std::vector<int>& projects);
  /// Warns about each rebuild pattern that matched no file of `snapshot`'s tree.
  void WarnUnmatchedPatterns(const SourceSnapshot& snapshot, const std::vector<int>& projects);
  /// The indexes of the projects `names` (every project when empty).
  std::vector<int> SelectProjects(const std::vector<std::string>& names);
  /// The index of project `name`, or a CommandFailure suggesting the closest name.
  int ProjectIndex(const std::string& name);

 private:
  static constexpr size_t kKeptRuns = 10;  ///< log directories of runs kept
  std::string log_directory_;
  std::optional<GitRepository> repo_;
  std::optional<Manifest> manifest_;
  std::vector<Diagnostic> manifest_warnings_;
  std::optional<HoistConfig> config_;
  std::optional<PipelineFacts> facts_;
  std::optional<TrustTier> tier_;
  /// facts(), or, without a repository or commit, what the CI's variables alone say.
  const PipelineFacts& FactsOrVendor();
  std::optional<PipelineFacts> vendor_facts_;
  bool no_commit_ = false;
  std::unique_ptr<DependencyGraph> graph_;
  std::optional<PatternIndex> patterns_;
  std::unique_ptr<SnapshotStart> started_;  ///< BeginSnapshot's, until Snapshot finishes it
  /// The first snapshot's reads, kept for UncoveredInputs: the files of the working tree as its
  /// scan found them (null where git status answered). Set once, before any thread reads it.
  std::unique_ptr<SnapshotStart> listing_;
  bool listing_decided_ = false;
  std::unique_ptr<HttpClient> http_;
  std::optional<CredentialStore> credentials_;
  std::unique_ptr<ImageStore> store_;
  std::unique_ptr<RegistryStore> deploy_store_;
  /// Each project's Dockerfile text in `snapshot` ("" when it has none).
  const std::vector<std::string>& DockerfileTexts(const SourceSnapshot& snapshot);
  std::string texts_commit_;
  std::vector<std::string> texts_;
  std::optional<ResolvedBases> bases_;
  std::string bases_key_;

 public:
  /// A registry HOST[:PORT][/PREFIX] opened with this run's credentials, TLS and HTTP settings;
  /// `what` names where the text came from for errors ("--registry").
  std::unique_ptr<RegistryStore> OpenRegistry(const std::string& text, const std::string& what);
};

/// Prints a warning line to stderr ("hoist: warning: ...").
void Warn(const std::string& message);

}  // namespace hoist
