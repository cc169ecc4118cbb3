#include "store/registry_store.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "util/base64.h"
#include "util/json_fields.h"
#include "util/repository_name.h"

namespace hoist {
namespace {

constexpr const char* kEmptyConfigType = "application/vnd.oci.empty.v1+json";
const std::string kEmptyConfig = "{}";

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

Expected<std::optional<std::string>> RegistryStore::Digest(const std::string& project,
                                                           const std::string& tag) {
  return client_->HeadManifest(location_.Repository(project), tag);
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
  const Marker stored = Stamped(marker, tag);
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
  nlohmann::json layer = {
      {"mediaType", kMarkerArtifactType}, {"digest", content_digest}, {"size", content.size()}};
  // Embedded as well (OCI 1.1's descriptor `data`), so that a read is the manifest's GET alone;
  // the blob stays for readers that do not look there.
  if (content.size() <= kMostEmbeddedMarker) layer["data"] = Base64Encode(content);
  nlohmann::json manifest = {
      {"schemaVersion", 2},
      {"mediaType", kOciManifest},
      {"artifactType", kMarkerArtifactType},
      {"config", {{"mediaType", kEmptyConfigType}, {"digest", config_digest}, {"size", 2}}},
      {"layers", {layer}},
      {"annotations",
       {{"dev.hoist.marker.kind", stored.kind},
        {"org.opencontainers.image.created", stored.time}}}};
  auto digest = client_->PutManifest(repository, tag, kOciManifest, manifest.dump());
  if (!digest) return digest.error();
  return Ok();
}

Expected<std::optional<ManifestBlob>> RegistryStore::MarkerManifest(const std::string& repository,
                                                                    const std::string& tag) {
  // One GET: a marker absent (404) is the common answer, and a present one is read anyway.
  auto manifest = client_->FindManifest(repository, tag);
  if (!manifest) return manifest.error();
  if (!*manifest) return std::optional<ManifestBlob>();
  if (!ReadMarkerManifest((*manifest)->bytes).is_marker) {
    return Error{Describe() + ", repository " + repository + ", tag " + tag +
                 ": names an image, not a hoist marker; hoist leaves it alone"};
  }
  return std::move(*manifest);
}

Expected<std::optional<Marker>> RegistryStore::GetMarker(const std::string& project,
                                                         const std::string& tag) {
  const std::string repository = location_.Repository(project);
  auto manifest = MarkerManifest(repository, tag);
  if (!manifest) return manifest.error();
  if (!*manifest) return std::optional<Marker>();
  MarkerManifestView view = ReadMarkerManifest((*manifest)->bytes);
  const std::string& digest = view.content_digest;
  if (!digest.starts_with("sha256:")) {
    return Error{Describe() + ", repository " + repository + ", tag " + tag +
                 ": a marker manifest without its one layer; remove the tag (hoist image untag " +
                 project + " " + tag + ") and run again"};
  }
  Expected<std::string> content = std::move(view.embedded_content);
  if (content->empty()) content = client_->GetBlob(repository, digest);
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

Status RegistryStore::CombineArchitectures(const std::string& project, const std::string& hash,
                                           const std::string& /*arch*/) {
  const std::string repository = location_.Repository(project);
  auto arch_tags = [&]() -> Expected<std::vector<std::string>> {
    auto tags = client_->ListTags(repository);
    if (!tags) return tags.error();
    std::vector<std::string> found;
    for (const auto& tag : *tags) {
      if (tag::Classify(tag, hash).kind == tag::Meaning::Kind::kArchImage) found.push_back(tag);
    }
    std::sort(found.begin(), found.end());
    return found;
  };
  auto tags = arch_tags();
  if (!tags) return tags.error();
  // Two builders of other architectures may finish together: whoever writes last has seen
  // every architecture tagged before its write, or writes again.
  for (int attempt = 0; attempt < 5; ++attempt) {
    auto written = WriteIndex(repository, hash, *tags);
    if (!written) return written;
    auto now = arch_tags();
    if (!now) return now.error();
    if (*now == *tags) return Ok();
    tags = std::move(now);
  }
  return Ok();
}

Status RegistryStore::WriteIndex(const std::string& repository, const std::string& hash,
                                 const std::vector<std::string>& tags) {
  auto fail = [&](const std::string& tag, const std::string& why) {
    return Error{repository + ":" + tag + " in " + Describe() + " " + why};
  };
  std::vector<nlohmann::json> entries;
  bool docker_types = true;
  auto add = [&](nlohmann::json entry) {
    for (const auto& known : entries) {
      if (known["digest"] == entry["digest"]) return;
    }
    if (JsonString(entry, "mediaType") != kDockerManifest) docker_types = false;
    entries.push_back(std::move(entry));
  };
  for (const auto& tag : tags) {
    auto manifest = client_->GetManifest(repository, tag);
    if (!manifest) return manifest.error();
    auto json = nlohmann::json::parse(manifest->bytes, nullptr, false);
    if (!json.is_object()) return fail(tag, "is not a JSON manifest");
    if (json.contains("manifests") && json["manifests"].is_array()) {  // already an index
      for (const auto& entry : json["manifests"]) {
        if (entry.is_object() && entry.contains("platform")) add(entry);
      }
      continue;
    }
    if (!json.contains("config") || !json["config"].is_object() ||
        !JsonString(json["config"], "digest").starts_with("sha256:")) {
      return fail(tag, "has no image configuration");
    }
    auto config_text = client_->GetBlob(repository, json["config"]["digest"].get<std::string>());
    if (!config_text) return config_text.error();
    auto config = nlohmann::json::parse(*config_text, nullptr, false);
    if (!config.is_object() || !config.contains("architecture") || !config.contains("os") ||
        !config["architecture"].is_string() || !config["os"].is_string()) {
      return fail(tag, "has a configuration without os and architecture");
    }
    nlohmann::json platform = {{"architecture", config["architecture"]}, {"os", config["os"]}};
    if (config.contains("variant") && config["variant"].is_string()) {
      platform["variant"] = config["variant"];
    }
    add({{"mediaType", manifest->media_type},
         {"digest", manifest->digest},
         {"size", manifest->bytes.size()},
         {"platform", platform}});
  }
  if (entries.empty()) return Error{"no image of any architecture is tagged for " + hash};
  // One order on every machine, so two builders writing the same set write the same bytes.
  std::sort(entries.begin(), entries.end(), [](const nlohmann::json& a, const nlohmann::json& b) {
    return a["platform"].dump() < b["platform"].dump();
  });
  // A Docker manifest list for Docker image manifests (what the docker CLI pushes), an OCI
  // index otherwise: each pairs with its own kind.
  const std::string type = docker_types ? kDockerManifestList : kOciIndex;
  const nlohmann::json index = {{"schemaVersion", 2}, {"mediaType", type}, {"manifests", entries}};
  auto put = client_->PutManifest(repository, tag::Image(hash), type, index.dump());
  if (!put) return put.error();
  return Ok();
}

}  // namespace hoist
