#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "manifest/manifest.h"
#include "source/pattern_index.h"

namespace hoist {

/// Files one COPY or ADD puts into a project's image that no rebuild pattern of the project
/// (or of a dependency) covers: a change to them would not change its hash, so a cached image
/// would silently lack the change.
struct UncoveredInput {
  int project = -1;
  std::string dockerfile;  ///< repository-relative
  int line = 0;
  std::string instruction;         ///< "COPY config/"
  std::vector<std::string> files;  ///< repository-relative, sorted
};

/// Reads a repository file's text (nullopt when there is none).
using FileReader = std::function<std::optional<std::string>(const std::string& path)>;

/// For each of `projects`: the tracked files (`tracked`: repository-relative paths) under its
/// buildDir that its Dockerfile's COPY and ADD sources read and its .dockerignore keeps, and that
/// the patterns of neither the project nor its dependencies match.
std::vector<UncoveredInput> FindUncoveredInputs(const Manifest& manifest, const PatternIndex& index,
                                                const std::vector<std::string>& tracked,
                                                const std::vector<int>& projects,
                                                const FileReader& read);

/// One line for a finding: "lib/Dockerfile:3: COPY config/ copies lib/config/app.yml, which no
/// rebuild pattern of 'lib' covers …", with the fix.
std::string DescribeUncoveredInput(const Manifest& manifest, const UncoveredInput& input);

}  // namespace hoist
