#pragma once

#include <string>

#include "oci/distribution_client.h"
#include "util/expected.h"
#include "util/tar_reader.h"

namespace hoist {

/// A release tarball of hoist as scripts/package.sh makes it: one top folder
/// hoist-<version>-linux-<machine>/ holding bin/hoist.
struct ReleaseTarball {
  std::string path;
  std::string top;      ///< hoist-0.1.0-linux-x86_64
  std::string version;  ///< 0.1.0
  std::string arch;     ///< the OCI architecture: amd64, arm64
  TarGzSummary content;
};

/// Reads and checks a release tarball; an error says what is not as expected.
Expected<ReleaseTarball> ReadReleaseTarball(const std::string& path);

/// The repository of hoist's releases in a registry under `prefix`: PREFIX/hoist.
std::string ReleaseRepository(const std::string& prefix);

/// What publishing did: the tag and the digest of the image's manifest.
struct PublishedRelease {
  std::string tag;       ///< the version
  std::string digest;    ///< sha256:… of the manifest
  bool already = false;  ///< the same bytes were there already
};

/// Publishes `release` to `repository` as a FROM-scratch image tagged with its version: its one
/// layer is the tarball's exact bytes, so that layer's digest is the file's own sha256 (a
/// job with only curl and sha256sum can fetch and check it) and `docker pull` + `docker cp`
/// unpack it. A version tag naming other bytes is refused unless `replace`.
Expected<PublishedRelease> PublishRelease(DistributionClient& client, const std::string& repository,
                                          const ReleaseTarball& release, bool replace);

}  // namespace hoist
