#pragma once

#include <memory>
#include <string>

#include "oci/distribution_client.h"
#include "store/image_store.h"

namespace hoist {

/// A registry location as given on the command line: "HOST[:PORT][/PREFIX]" (an optional
/// "http://" or "https://" in front forces the scheme).
struct RegistryLocation {
  std::string host;    ///< with scheme prefix when one was given
  std::string prefix;  ///< repository prefix, "" for none

  /// Parses `text`; an Error explains what a valid one looks like.
  static Expected<RegistryLocation> Parse(const std::string& text);
  /// The repository of `project`: "PREFIX/PROJECT".
  std::string Repository(const std::string& project) const;
};

/// The image store of a registry speaking the OCI Distribution API.
class RegistryStore : public ImageStore {
 public:
  RegistryStore(RegistryLocation location, std::unique_ptr<DistributionClient> client);

  DistributionClient& client() { return *client_; }
  const RegistryLocation& location() const { return location_; }

  std::string Describe() const override;
  std::string Reference(const std::string& project, const std::string& tag) const override;
  Status Prepare(const std::vector<std::string>& projects) override;
  Expected<Presence> Exists(const std::string& project, const std::string& tag) override;
  Status Tag(const std::string& project, const std::string& from, const std::string& to) override;
  Status Untag(const std::string& project, const std::string& tag) override;
  Expected<std::vector<std::string>> Tags(const std::string& project) override;
  Status PutMarker(const std::string& project, const std::string& tag,
                   const Marker& marker) override;
  Expected<std::optional<Marker>> GetMarker(const std::string& project,
                                            const std::string& tag) override;
  Status DeleteMarker(const std::string& project, const std::string& tag) override;
  Expected<std::optional<std::string>> Digest(const std::string& project,
                                              const std::string& tag) override;
  Status CombineArchitectures(const std::string& project, const std::string& hash,
                              const std::string& arch) override;

 private:
  /// Writes cache-<hash> as the index of the images under `tags` (cache-<hash>-<arch>).
  Status WriteIndex(const std::string& repository, const std::string& hash,
                    const std::vector<std::string>& tags);
  /// The marker manifest under `tag` (nullopt when absent), or an Error for a non-marker.
  Expected<std::optional<ManifestBlob>> MarkerManifest(const std::string& repository,
                                                       const std::string& tag);

  RegistryLocation location_;
  std::unique_ptr<DistributionClient> client_;
};

}  // namespace hoist
