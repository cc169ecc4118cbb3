#pragma once

#include <optional>
#include <string>
#include <vector>

#include "store/marker.h"
#include "store/tag_names.h"
#include "util/expected.h"

namespace hoist {

/// Whether an image or marker exists. "Could not tell" is an Error, never kAbsent.
enum class Presence { kPresent, kAbsent };

/// Where hoist keeps its only state, per project: images and markers under tags. One
/// implementation per backend (a registry; the local Docker engine); callers never see which.
class ImageStore {
 public:
  virtual ~ImageStore() = default;

  /// "registry 127.0.0.1:5000/prefix", "the local Docker engine": for messages.
  virtual std::string Describe() const = 0;
  /// The image reference of `project:tag` for docker commands, where this store writes it.
  virtual std::string Reference(const std::string& project, const std::string& tag) const = 0;
  /// Where to read `project:tag` from: Reference, except in a store that reads another one
  /// too (UntrustedStore), where it names the one that answered Exists or Digest.
  virtual std::string ReadReference(const std::string& project, const std::string& tag) {
    return Reference(project, tag);
  }
  /// Which tier holds `project:tag` ("trusted", "untrusted", "local"), as ReadReference.
  virtual std::string TierOf(const std::string&, const std::string&) { return provenance_.tier; }

  /// True when Reference() names images in the local Docker engine itself (nothing to pull
  /// or push); false for a registry.
  virtual bool InEngine() const { return false; }

  /// Answers several existence questions faster when asked at once (e.g. one token for all).
  virtual Status Prepare(const std::vector<std::string>& projects) = 0;
  /// Drops what Prepare learned, after a write made outside the store (a build tags images).
  virtual void Forget() {}
  virtual Expected<Presence> Exists(const std::string& project, const std::string& tag) = 0;
  /// The digest of the manifest under `tag` where the store has digests (a registry), so a
  /// build can name exactly that image; nullopt where it has none (an engine) or no such tag.
  virtual Expected<std::optional<std::string>> Digest(const std::string&, const std::string&) {
    return std::optional<std::string>();
  }
  /// What identifies the exact image under `tag`, the digest a test pass or build record
  /// names: the manifest digest in a registry, the image id in an engine; nullopt when absent.
  virtual Expected<std::optional<std::string>> Identity(const std::string& project,
                                                        const std::string& tag) {
    return Digest(project, tag);
  }
  /// Identity of what this store itself holds under `tag`, where it writes (a build's record
  /// of what it pushed); Identity except in a store that reads another one too.
  virtual Expected<std::optional<std::string>> OwnIdentity(const std::string& project,
                                                           const std::string& tag) {
    return Identity(project, tag);
  }
  /// Points tag `to` at what `from` names.
  virtual Status Tag(const std::string& project, const std::string& from,
                     const std::string& to) = 0;
  /// Removes the tag; the image it named stays where other tags name it.
  virtual Status Untag(const std::string& project, const std::string& tag) = 0;
  virtual Expected<std::vector<std::string>> Tags(const std::string& project) = 0;

  virtual Status PutMarker(const std::string& project, const std::string& tag,
                           const Marker& marker) = 0;
  /// The marker under `tag`, nullopt when there is none; an Error when the tag names an image.
  virtual Expected<std::optional<Marker>> GetMarker(const std::string& project,
                                                    const std::string& tag) = 0;
  /// Deletes the marker under `tag`; refuses when the tag names an image.
  virtual Status DeleteMarker(const std::string& project, const std::string& tag) = 0;
  /// Makes cache-<hash> name every architecture's image of `hash` there is (the
  /// cache-<hash>-<arch> tags of multiarch: host builds): an image index in a registry, as the
  /// Aztec build system's create_ecr_manifest wrote. An engine holds one architecture, so
  /// there it names `arch`'s image.
  virtual Status CombineArchitectures(const std::string& project, const std::string& hash,
                                      const std::string& arch) {
    return Tag(project, tag::ArchImage(hash, arch), tag::Image(hash));
  }

  /// Who this store's writes come from: stamped on every marker it stores.
  void set_provenance(Provenance provenance) { provenance_ = std::move(provenance); }
  const Provenance& provenance() const { return provenance_; }

 protected:
  /// `marker` as stored under `tag`: its tag, time and this store's provenance filled in.
  Marker Stamped(const Marker& marker, const std::string& tag) const {
    Marker stored = marker;
    stored.tag = tag;
    if (stored.time.empty()) stored.time = NowRfc3339();
    if (stored.tier.empty()) stored.tier = provenance_.tier;
    if (stored.ci_url.empty()) stored.ci_url = provenance_.ci_url;
    if (stored.run.empty()) stored.run = provenance_.run;
    return stored;
  }

 private:
  Provenance provenance_{"local", "", ""};
};

}  // namespace hoist
