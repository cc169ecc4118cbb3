#include "store/registry_store.h"

#include <nlohmann/json.hpp>

#include "util/repository_name.h"

namespace hoist {
namespace {

constexpr const char* kEmptyConfigType = "application/vnd.oci.empty.v1+json";
const std::string kEmptyConfig = "{}";

bool IsMarkerManifest(const nlohmann::json& json) {
  if (json.value("artifactType", "") == kMarkerArtifactType) return true;
  if (json.contains("layers") && json["layers"].is_array() && json["layers"].size() == 1) {
    return json["layers"][0].value("mediaType", "") == kMarkerArtifactType;
  }
  return false;
}

}  // namespace

Expected<RegistryLocation> RegistryLocation::Parse(const std::string& text) {
  std::string rest = text;
  std::string scheme;
  for (const char* prefix : {"http://", "https://"}) {
    if (rest.rfind(prefix, 0) == 0) {
      scheme = prefix;
      rest = rest.substr(std::string(prefix).size());
    }
  }
  while (!rest.empty() && rest.back() == '/') rest.pop_back();
  size_t slash = rest.find('/');
  RegistryLocation location;
  location.host = rest.substr(0, slash);
  location.prefix = slash == std::string::npos ? "" : rest.substr(slash + 1);
  const std::string example = " (expected HOST[:PORT][/PREFIX], e.g. 127.0.0.1:5000/myteam)";
  if (location.host.empty() || location.host.find_first_of(" \t@?#") != std::string::npos) {
    return Error{"registry '" + text + "' has no valid host" + example};
  }
  if (!location.prefix.empty() && !IsValidRepositoryName(location.prefix)) {
    return Error{"registry '" + text + "': prefix '" + location.prefix +
                 "' is not a valid repository name" + example};
  }
  location.host = scheme + location.host;
  return location;
}

std::string RegistryLocation::Repository(const std::string& project) const {
  return prefix.empty() ? project : prefix + "/" + project;
}

RegistryStore::RegistryStore(RegistryLocation location, std::unique_ptr<DistributionClient> client)
    : location_(std::move(location)), client_(std::move(client)) {}

std::string RegistryStore::Describe() const {
  return "registry " + client_->host() + (location_.prefix.empty() ? "" : "/" + location_.prefix);
}

std::string RegistryStore::Reference(const std::string& project, const std::string& tag) const {
  return client_->host() + "/" + location_.Repository(project) + ":" + tag;
}

Status RegistryStore::Prepare(const std::vector<std::string>& projects) {
  std::vector<std::string> repositories;
  for (const auto& project : projects) repositories.push_back(location_.Repository(project));
  return client_->Authorize(repositories, /*push=*/false);
}

Expected<Presence> RegistryStore::Exists(const std::string& project, const std::string& tag) {
  auto digest = client_->HeadManifest(location_.Repository(project), tag);
  if (!digest) return digest.error();
  return *digest ? Presence::kPresent : Presence::kAbsent;
}

Status RegistryStore::Tag(const std::string& project, const std::string& from,
                          const std::string& to) {
  return client_->Retag(location_.Repository(project), from, to);
}

Status RegistryStore::Untag(const std::string& project, const std::string& tag) {
  return client_->DeleteTag(location_.Repository(project), tag);
}

Expected<std::vector<std::string>> RegistryStore::Tags(const std::string& project) {
  return client_->ListTags(location_.Repository(project));
}

Status RegistryStore::PutMarker(const std::string& project, const std::string& tag,
                                const Marker& marker) {
  const std::string repository = location_.Repository(project);
  Marker stored = marker;
  stored.tag = tag;
  if (stored.time.empty()) stored.time = NowRfc3339();
  // An image must never be overwritten by a marker.
  auto existing = MarkerManifest(repository, tag);
  if (!existing) return existing.error();

  const std::string config_digest = Sha256Digest(kEmptyConfig);
  auto has_config = client_->HasBlob(repository, config_digest);
  if (!has_config) return has_config.error();
  if (!*has_config) {
    auto put = client_->PutBlob(repository, config_digest, kEmptyConfig);
    if (!put) return put;
  }
  const std::string content = MarkerToJson(stored);
  const std::string content_digest = Sha256Digest(content);
  auto put_content = client_->PutBlob(repository, content_digest, content);
  if (!put_content) return put_content;
  nlohmann::json manifest = {
      {"schemaVersion", 2},
      {"mediaType", kOciManifest},
      {"artifactType", kMarkerArtifactType},
      {"config", {{"mediaType", kEmptyConfigType}, {"digest", config_digest}, {"size", 2}}},
      {"layers",
       {{{"mediaType", kMarkerArtifactType},
         {"digest", content_digest},
         {"size", content.size()}}}},
      {"annotations",
       {{"dev.hoist.marker.kind", stored.kind},
        {"org.opencontainers.image.created", stored.time}}}};
  auto digest = client_->PutManifest(repository, tag, kOciManifest, manifest.dump());
  if (!digest) return digest.error();
  return Ok();
}

Expected<std::optional<ManifestBlob>> RegistryStore::MarkerManifest(const std::string& repository,
                                                                    const std::string& tag) {
  auto present = client_->HeadManifest(repository, tag);
  if (!present) return present.error();
  if (!*present) return std::optional<ManifestBlob>();
  auto manifest = client_->GetManifest(repository, tag);
  if (!manifest) return manifest.error();
  auto json = nlohmann::json::parse(manifest->bytes, nullptr, false);
  if (!json.is_object() || !IsMarkerManifest(json)) {
    return Error{Describe() + ", repository " + repository + ", tag " + tag +
                 ": names an image, not a hoist marker; hoist leaves it alone"};
  }
  return std::optional<ManifestBlob>(std::move(*manifest));
}

Expected<std::optional<Marker>> RegistryStore::GetMarker(const std::string& project,
                                                         const std::string& tag) {
  const std::string repository = location_.Repository(project);
  auto manifest = MarkerManifest(repository, tag);
  if (!manifest) return manifest.error();
  if (!*manifest) return std::optional<Marker>();
  auto json = nlohmann::json::parse((*manifest)->bytes);
  std::string digest = json["layers"][0].value("digest", "");
  auto content = client_->GetBlob(repository, digest);
  if (!content) return content.error();
  auto marker = MarkerFromJson(*content);
  if (!marker) {
    return Error{Describe() + ", repository " + repository + ", tag " + tag + ": " +
                 marker.error().message};
  }
  return std::optional<Marker>(std::move(*marker));
}

Status RegistryStore::DeleteMarker(const std::string& project, const std::string& tag) {
  const std::string repository = location_.Repository(project);
  auto manifest = MarkerManifest(repository, tag);
  if (!manifest) return manifest.error();
  if (!*manifest) return Ok();
  // A marker's digest is its own (its content names its tag), so deleting it by digest takes
  // no image and no other marker with it.
  return client_->DeleteManifest(repository, (*manifest)->digest);
}

}  // namespace hoist
