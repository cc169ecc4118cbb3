#pragma once

#include <optional>
#include <string>
#include <vector>

namespace hoist {

/// A Semantic Versioning 2.0.0 version: MAJOR.MINOR.PATCH[-PRERELEASE][+BUILD].
struct SemanticVersion {
  unsigned long long major = 0, minor = 0, patch = 0;
  std::vector<std::string> prerelease;  ///< dot-separated identifiers, empty for a release
  std::string build;                    ///< build metadata, ignored in comparisons

  /// Parses `text` strictly (no leading zeros, no "v"); nullopt when it is not semver.
  static std::optional<SemanticVersion> Parse(const std::string& text);
  std::string ToString() const;
};

/// Semver precedence: negative when a < b, zero when equal, positive when a > b.
int CompareVersions(const SemanticVersion& a, const SemanticVersion& b);

}  // namespace hoist
