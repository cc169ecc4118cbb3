#include "store/untrusted_store.h"

#include <algorithm>
#include <array>
#include <set>

namespace hoist {

UntrustedStore::UntrustedStore(std::unique_ptr<RegistryStore> own,
                               std::unique_ptr<RegistryStore> trusted)
    : own_(std::move(own)), trusted_(std::move(trusted)) {}

std::string UntrustedStore::Describe() const {
  return own_->Describe() + " (an untrusted run's; reading " + trusted_->Describe() + ")";
}

std::string UntrustedStore::Reference(const std::string& project, const std::string& tag) const {
  return own_->Reference(project, tag);
}

void UntrustedStore::Remember(const std::string& project, const std::string& tag,
                              RegistryStore* holder) {
  std::lock_guard<std::mutex> lock(found_mutex_);
  found_[{project, tag}] = holder;
}

std::array<RegistryStore*, 2> UntrustedStore::ReadOrder() const {
  return {trusted_.get(), own_.get()};
}

std::string UntrustedStore::ReadReference(const std::string& project, const std::string& tag) {
  std::lock_guard<std::mutex> lock(found_mutex_);
  auto found = found_.find({project, tag});
  RegistryStore* holder = found == found_.end() || !found->second ? own_.get() : found->second;
  return holder->Reference(project, tag);
}

std::string UntrustedStore::TierOf(const std::string& project, const std::string& tag) {
  std::lock_guard<std::mutex> lock(found_mutex_);
  auto found = found_.find({project, tag});
  return found != found_.end() && found->second == trusted_.get() ? trusted_->provenance().tier
                                                                  : own_->provenance().tier;
}

Status UntrustedStore::Prepare(const std::vector<std::string>& projects) {
  auto own = own_->Prepare(projects);
  if (!own) return own;
  return trusted_->Prepare(projects);
}

Expected<RegistryStore*> UntrustedStore::Holder(const std::string& project,
                                                const std::string& tag) {
  for (RegistryStore* store : ReadOrder()) {
    auto present = store->Exists(project, tag);
    if (!present) return present.error();
    if (*present == Presence::kPresent) {
      Remember(project, tag, store);
      return store;
    }
  }
  Remember(project, tag, nullptr);
  return static_cast<RegistryStore*>(nullptr);
}

Expected<Presence> UntrustedStore::Exists(const std::string& project, const std::string& tag) {
  auto holder = Holder(project, tag);
  if (!holder) return holder.error();
  return *holder ? Presence::kPresent : Presence::kAbsent;
}

Expected<std::optional<std::string>> UntrustedStore::Digest(const std::string& project,
                                                            const std::string& tag) {
  for (RegistryStore* store : ReadOrder()) {
    auto digest = store->Digest(project, tag);
    if (!digest) return digest.error();
    if (*digest) {
      Remember(project, tag, store);
      return digest;
    }
  }
  return std::optional<std::string>();
}

Status UntrustedStore::Tag(const std::string& project, const std::string& from,
                           const std::string& to) {
  // What it wrote itself first: a build tags what it just pushed.
  auto own = own_->Exists(project, from);
  if (!own) return own.error();
  if (*own == Presence::kPresent) return own_->Tag(project, from, to);
  auto holder = Holder(project, from);
  if (!holder) return holder.error();
  if (*holder == own_.get()) return own_->Tag(project, from, to);
  if (!*holder) {
    return Error{"cannot tag " + project + ":" + to + ": neither " + own_->Describe() + " nor " +
                 trusted_->Describe() + " has " + project + ":" + from};
  }
  return CopyImage(trusted_->client(), trusted_->location().Repository(project), from,
                   own_->client(), own_->location().Repository(project), to);
}

Status UntrustedStore::Untag(const std::string& project, const std::string& tag) {
  return own_->Untag(project, tag);
}

Expected<std::vector<std::string>> UntrustedStore::Tags(const std::string& project) {
  std::set<std::string> all;
  for (RegistryStore* store : ReadOrder()) {
    auto tags = store->Tags(project);
    if (!tags) return tags.error();
    for (const auto& name : *tags) {
      if (all.insert(name).second) Remember(project, name, store);
    }
  }
  return std::vector<std::string>(all.begin(), all.end());
}

Status UntrustedStore::PutMarker(const std::string& project, const std::string& tag,
                                 const Marker& marker) {
  return own_->PutMarker(project, tag, marker);
}

Expected<std::optional<Marker>> UntrustedStore::GetMarker(const std::string& project,
                                                          const std::string& tag) {
  for (RegistryStore* store : ReadOrder()) {
    auto marker = store->GetMarker(project, tag);
    if (!marker) return marker.error();
    if (*marker) {
      Remember(project, tag, store);
      return marker;
    }
  }
  return std::optional<Marker>();
}

Status UntrustedStore::DeleteMarker(const std::string& project, const std::string& tag) {
  return own_->DeleteMarker(project, tag);
}

Status UntrustedStore::CombineArchitectures(const std::string& project, const std::string& hash,
                                            const std::string& arch) {
  return own_->CombineArchitectures(project, hash, arch);
}

}  // namespace hoist
