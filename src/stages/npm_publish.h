#pragma once

#include <string>
#include <vector>

#include "docker/image_builder.h"
#include "util/expected.h"

namespace hoist {

/// One npm deploy step: the seed's deploy_npm.
struct NpmPublish {
  std::string package_dir;   ///< absolute directory holding package.json
  std::string registry;      ///< npm registry URL; empty: npm's own configuration
  std::string access;        ///< "public" or "restricted"
  std::string commit_tag;    ///< COMMIT_TAG; nothing is published without one
  std::string project_name;  ///< PROJECT, stripped from tags such as acme-v1.2.3
  /// Packages published from the same manifest: their versions in `dependencies` become
  /// the published version too, as the seed did for @aztec/*.
  std::vector<std::string> sibling_packages;
  /// Dependencies whose names start with this ("@aztec/") get the published version too, as
  /// the Aztec build system's deploy_npm did unless STANDALONE; "" for none.
  std::string pin_scope;
  /// The dist-tag of a release without a pre-release word ("" for "latest"): deploy_npm's
  /// DIST_TAG. A pre-release's word is its dist-tag whatever this says.
  std::string dist_tag;
  std::vector<std::string> env;  ///< "NAME=value" for npm (hoist env)
};

/// The npm package name in `package_dir`/package.json, or an Error saying what is wrong.
Expected<std::string> NpmPackageName(const std::string& package_dir);

/// Publishes the package at the tag's version: only on tagged commits, the tag must be semver,
/// skipped when the dist-tag (the pre-release word, else dist_tag or "latest") names that
/// version already, refused when it names a higher one; a version published under another
/// dist-tag is given this one too (npm dist-tag add), as deploy_npm did. The package is staged in a
/// temporary copy whose package.json gets the version, so the working tree is left as it was.
/// NPM_TOKEN, when set, authenticates through the staged .npmrc (as ${NPM_TOKEN}, never written
/// out).
Status PublishNpmPackage(const NpmPublish& request, const LineSink& on_line);

}  // namespace hoist
