#pragma once

#include <string>
#include <vector>

#include "graph/dependency_graph.h"
#include "manifest/manifest.h"
#include "source/git_repository.h"
#include "source/pattern_index.h"
#include "util/expected.h"

namespace hoist {

/// One project whose inputs changed, and why.
struct AffectedProject {
  int project = -1;
  std::vector<std::string> files;         ///< changed files its own patterns or Dockerfile match
  std::vector<std::string> dependencies;  ///< affected dependencies that make it affected
};

/// The outcome of comparing two commits.
struct AffectedReport {
  std::string base, head;                  ///< commit ids (as given unless resolved)
  std::vector<std::string> changed_files;  ///< every changed path, submodule contents included
  std::vector<AffectedProject> projects;   ///< dependencies before dependents
  std::vector<std::string> warnings;
};

/// Every changed path between two commits: both sides of renames, and the files changed inside
/// submodules whose commit moved (prefixed with the submodule path). Submodules that are not
/// initialised, or lack a commit, count as their gitlink path alone, with a warning.
Expected<std::vector<std::string>> ChangedFiles(const GitRepository& repo, const std::string& base,
                                                const std::string& head,
                                                std::vector<std::string>* warnings);

/// The projects whose (transitive) rebuild patterns or Dockerfiles match a changed file.
/// With `resolve_commits`, the report names both commits by id (one more git call).
Expected<AffectedReport> FindAffected(const Manifest& manifest, const DependencyGraph& graph,
                                      const PatternIndex& index, const GitRepository& repo,
                                      const std::string& base, const std::string& head,
                                      bool resolve_commits = true);

}  // namespace hoist
