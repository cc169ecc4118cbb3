#pragma once

#include <string>
#include <vector>

#include "graph/dependency_graph.h"
#include "manifest/manifest.h"
#include "source/affected.h"
#include "source/content_hash.h"
#include "source/git_repository.h"

namespace hoist {

/// The build args hoist passes to every build, as the Aztec build system's scripts did.
inline const std::vector<std::string> kInjectedArgNames = {"ARG_COMMIT_HASH", "COMMIT_HASH",
                                                           "COMMIT_TAG"};

/// For each project, the injected args its Dockerfile declares (`dockerfiles[p]`: its text,
/// "" when it has none) with the values a build of `commit` and `tag` passes them: an image
/// that bakes in its commit rebuilds for every commit, one that bakes in its tag for every tag.
InjectedArgs InjectedArgValues(const std::vector<std::string>& dockerfiles,
                               const std::string& commit, const std::string& tag);

/// Adds to `report` (affected between `base` and `head`) the projects whose Dockerfile (at
/// `head`) declares an injected arg whose value differs between the two commits, and their
/// dependents, in build order: their hashes differ, as their builds will say.
Status AddInjectedChanges(const Manifest& manifest, const DependencyGraph& graph,
                          const GitRepository& repo, const std::string& base,
                          const std::string& head, AffectedReport& report);

}  // namespace hoist
