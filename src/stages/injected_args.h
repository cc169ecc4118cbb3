#pragma once

#include <string>
#include <vector>

#include "manifest/manifest.h"
#include "source/content_hash.h"

namespace hoist {

/// The build args hoist passes to every build, as the Aztec build system's scripts did.
inline const std::vector<std::string> kInjectedArgNames = {"ARG_COMMIT_HASH", "COMMIT_HASH",
                                                           "COMMIT_TAG"};

/// For each project, the injected args its Dockerfile declares (`dockerfiles[p]`: its text,
/// "" when it has none) with the values a build of `commit` and `tag` passes them: an image
/// that bakes in its commit rebuilds for every commit, one that bakes in its tag for every tag.
InjectedArgs InjectedArgValues(const std::vector<std::string>& dockerfiles,
                               const std::string& commit, const std::string& tag);

}  // namespace hoist
