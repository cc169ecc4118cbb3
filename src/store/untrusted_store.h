#pragma once

#include <array>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>

#include "store/registry_store.h"

namespace hoist {

/// The store of an untrusted run (a pull request's, a fork's, a branch that may not write):
/// it reads the trusted cache, but writes its images and markers only to a namespace of its
/// own, so that nothing it does can change what trusted runs read. The trusted cache is read
/// first: where it has an image or marker, those bytes win over any an untrusted run wrote
/// (one pull request cannot plant a hash another would then take from the trusted cache);
/// its own namespace fills in what the trusted cache lacks. Removing removes only its own.
/// Trusted runs never read this namespace.
class UntrustedStore : public ImageStore {
 public:
  UntrustedStore(std::unique_ptr<RegistryStore> own, std::unique_ptr<RegistryStore> trusted);

  RegistryStore& own() { return *own_; }
  RegistryStore& trusted() { return *trusted_; }

  std::string Describe() const override;
  std::string Reference(const std::string& project, const std::string& tag) const override;
  std::string ReadReference(const std::string& project, const std::string& tag) override;
  std::string TierOf(const std::string& project, const std::string& tag) override;
  Status Prepare(const std::vector<std::string>& projects) override;
  Expected<Presence> Exists(const std::string& project, const std::string& tag) override;
  Expected<std::optional<std::string>> Digest(const std::string& project,
                                              const std::string& tag) override;
  Expected<std::optional<std::string>> OwnIdentity(const std::string& project,
                                                   const std::string& tag) override {
    return own_->Digest(project, tag);
  }
  /// Points `to` (in its own namespace) at what `from` names, copying it from the trusted
  /// cache when only that has it.
  Status Tag(const std::string& project, const std::string& from, const std::string& to) override;
  Status Untag(const std::string& project, const std::string& tag) override;
  /// Its own tags and the trusted cache's, each once.
  Expected<std::vector<std::string>> Tags(const std::string& project) override;
  Status PutMarker(const std::string& project, const std::string& tag,
                   const Marker& marker) override;
  Expected<std::optional<Marker>> GetMarker(const std::string& project,
                                            const std::string& tag) override;
  Status DeleteMarker(const std::string& project, const std::string& tag) override;
  Status CombineArchitectures(const std::string& project, const std::string& hash,
                              const std::string& arch) override;

 private:
  /// The stores in the order they are read: the trusted cache, then its own.
  std::array<RegistryStore*, 2> ReadOrder() const;
  /// Which store holds `project:tag` (ReadOrder); nullptr when neither does.
  Expected<RegistryStore*> Holder(const std::string& project, const std::string& tag);
  void Remember(const std::string& project, const std::string& tag, RegistryStore* holder);

  std::unique_ptr<RegistryStore> own_;
  std::unique_ptr<RegistryStore> trusted_;
  /// Where each tag asked about was found (ReadReference names that one).
  std::mutex found_mutex_;
  std::map<std::pair<std::string, std::string>, RegistryStore*> found_;
};

}  // namespace hoist
