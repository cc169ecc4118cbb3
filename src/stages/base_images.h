#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "manifest/manifest.h"
#include "source/content_hash.h"
#include "util/expected.h"

namespace hoist {

/// An image from outside the manifest that a Dockerfile builds on.
struct OutsideImage {
  std::string reference;  ///< as the Dockerfile names it, build args substituted
  int line = 0;
};

/// The outside images of a Dockerfile: each FROM base and each COPY --from / RUN --mount
/// from= image that is not `scratch`, a stage of the same Dockerfile or a project of
/// `manifest`. `build_args` are the project's (FROM ${BASE}). An Error names a malformed FROM.
Expected<std::vector<OutsideImage>> OutsideImages(
    const Manifest& manifest, const std::string& text,
    const std::map<std::string, std::string>& build_args);

/// What an outside image resolved to.
struct ResolvedImage {
  std::string digest;  ///< "sha256:…": the registry's manifest digest, or the engine's image id
  bool image_id = false;  ///< only the engine has it, by this image id
  std::string source;     ///< where it was found: "the Dockerfile", "registry HOST", "the engine"
};

/// How a build names it exactly: "name:tag@sha256:…" (the tag then only documents), or the
/// engine's image id.
std::string PinnedReference(const std::string& reference, const ResolvedImage& resolved);

/// Resolves one reference: the one interface to the engine and registries this needs.
using ImageResolver = std::function<Expected<ResolvedImage>(const std::string& reference)>;

/// Outside images resolved for every project of a run, each reference once.
class ResolvedBases {
 public:
  /// Resolves the outside images of each project's Dockerfile (`texts`, by project; "" when it
  /// has none), asking `resolve` once per distinct reference.
  static ResolvedBases Resolve(const Manifest& manifest, const std::vector<std::string>& texts,
                               const ImageResolver& resolve);

  /// The records and errors that go into the hashes.
  const BaseImages& inputs() const { return inputs_; }
  /// The exact reference for `reference` (as the Dockerfile names it), or "" when unknown.
  std::string Pinned(const std::string& reference) const;

 private:
  BaseImages inputs_;
  std::map<std::string, std::string> pinned_;
};

}  // namespace hoist
