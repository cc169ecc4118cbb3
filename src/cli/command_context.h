#pragma once

#include <memory>
#include <optional>
#include <string>

#include "graph/dependency_graph.h"
#include "manifest/manifest.h"
#include "source/git_repository.h"
#include "source/pattern_index.h"
#include "source/source_snapshot.h"

namespace hoist {

/// Exit codes of every hoist command.
enum ExitCode : int { kExitOk = 0, kExitFailure = 1, kExitUsage = 2 };

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

  /// The repository; throws CommandFailure when there is none.
  const GitRepository& repo();
  /// The manifest, its warnings printed once; throws CommandFailure on errors.
  const Manifest& manifest();
  const DependencyGraph& graph();
  const PatternIndex& patterns();
  /// The files of a tree that the manifest's patterns and Dockerfiles select.
  SourceSnapshot Snapshot(const SnapshotOptions& options);
  /// Warns about each rebuild pattern that matched no file of `snapshot`'s tree.
  void WarnUnmatchedPatterns(const SourceSnapshot& snapshot, const std::vector<int>& projects);
  /// The index of project `name`, or a CommandFailure suggesting the closest name.
  int ProjectIndex(const std::string& name);

 private:
  std::optional<GitRepository> repo_;
  std::optional<Manifest> manifest_;
  std::unique_ptr<DependencyGraph> graph_;
  std::optional<PatternIndex> patterns_;
};

/// Prints a warning line to stderr ("hoist: warning: ...").
void Warn(const std::string& message);

}  // namespace hoist
