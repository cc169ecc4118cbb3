#pragma once

#include <optional>
#include <string>
#include <vector>

#include "manifest/diagnostic.h"
#include "manifest/manifest.h"

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

/// Parses manifest text (JSON when `file` ends in .json, YAML otherwise); for tests and tools.
ManifestLoadResult ParseManifest(const std::string& text, const std::string& file,
                                 const std::string& repo_root);

}  // namespace hoist
