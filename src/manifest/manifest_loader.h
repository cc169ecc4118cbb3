#pragma once

#include <optional>
#include <string>
#include <vector>

#include "manifest/diagnostic.h"
#include "manifest/manifest.h"
#include "util/expected.h"

namespace hoist {

/// Where to find the manifest.
struct ManifestLocation {
  std::string repo_root;      ///< absolute path of the git top-level
  std::string manifest_path;  ///< explicit --manifest, or "" to look for build_manifest.{yml,json}
};

/// A loaded manifest, or the reasons it could not be loaded. Warnings are in `diagnostics`
/// either way; `manifest` is empty exactly when an error was found.
struct ManifestLoadResult {
  std::optional<Manifest> manifest;
  std::vector<Diagnostic> diagnostics;
};

/// Finds, parses and validates the manifest: every field, default and check of DESIGN.md.
ManifestLoadResult LoadManifest(const ManifestLocation& location);

/// Deploy steps given outside the manifest (hoist deploy --step): each a YAML mapping as one
/// item of a project's deploy: list is written, checked as the manifest's are, for `project`.
Expected<std::vector<DeployStep>> ParseDeploySteps(const Project& project,
                                                   const std::vector<std::string>& steps);

/// Parses manifest text (JSON when `file` ends in .json, YAML otherwise); for tests and tools.
ManifestLoadResult ParseManifest(const std::string& text, const std::string& file,
                                 const std::string& repo_root);

}  // namespace hoist
