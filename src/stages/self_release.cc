#include "stages/self_release.h"

#include <re2/re2.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "util/digest.h"

namespace hoist {
namespace {

constexpr const char* kManifestType = "application/vnd.oci.image.manifest.v1+json";
constexpr const char* kConfigType = "application/vnd.oci.image.config.v1+json";
constexpr const char* kLayerType = "application/vnd.oci.image.layer.v1.tar+gzip";

}  // namespace

Expected<ReleaseTarball> ReadReleaseTarball(const std::string& path) {
  auto content = ReadTarGz(path);
  if (!content) return content.error();
  ReleaseTarball release{path, "", "", "", std::move(*content)};
  const auto& entries = release.content.entries;
  const std::string expected = "a release tarball of hoist (scripts/package.sh makes one)";
  if (entries.empty()) return Error{path + " is empty; expected " + expected};
  std::string first = entries.front();
  release.top = first.substr(0, first.find('/'));
  // hoist-<version>-linux-<machine>
  const std::string prefix = "hoist-";
  const size_t linux_at = release.top.rfind("-linux-");
  if (release.top.rfind(prefix, 0) != 0 || linux_at == std::string::npos ||
      linux_at <= prefix.size()) {
    return Error{path + ": its top folder is '" + release.top +
                 "', not hoist-VERSION-linux-MACHINE; expected " + expected};
  }
  release.version = release.top.substr(prefix.size(), linux_at - prefix.size());
  const std::string machine = release.top.substr(linux_at + 7);
  if (machine != "x86_64" && machine != "aarch64") {
    return Error{path + ": machine '" + machine + "' is not x86_64 or aarch64; expected " +
                 expected};
  }
  release.arch = machine == "x86_64" ? "amd64" : "arm64";
  // An image tag ([A-Za-z0-9_][A-Za-z0-9._-]{0,127}), checked before anything is uploaded.
  if (!RE2::FullMatch(release.version, "[A-Za-z0-9_][A-Za-z0-9._-]{0,127}")) {
    return Error{path + ": version '" + release.version + "' cannot be an image tag"};
  }
  for (const auto& entry : entries) {
    // Every entry below the top folder, none climbing out of it or absolute: what docker cp
    // unpacks on a CI machine stays where the install puts it.
    bool climbs = !entry.empty() && entry[0] == '/';
    size_t start = 0;
    while (!climbs && start <= entry.size()) {
      size_t end = entry.find('/', start);
      if (end == std::string::npos) end = entry.size();
      climbs = entry.compare(start, end - start, "..") == 0;
      start = end + 1;
    }
    if (climbs || entry.substr(0, entry.find('/')) != release.top) {
      return Error{path + " has '" + entry + "' outside " + release.top + "/; expected " +
                   expected};
    }
  }
  // A release holds no links: one could point bin/ or bin/hoist anywhere on the CI machine.
  if (!release.content.links.empty()) {
    return Error{path + " has a link, " + release.content.links.front() + "; expected " + expected +
                 ", which has none"};
  }
  const std::string binary = release.top + "/bin/hoist";
  const auto& files = release.content.regular_files;
  if (std::find(files.begin(), files.end(), binary) == files.end()) {
    return Error{path + " has no regular file " + binary + "; expected " + expected};
  }
  return release;
}

std::string ReleaseRepository(const std::string& prefix) {
  return prefix.empty() ? "hoist" : prefix + "/hoist";
}

Expected<PublishedRelease> PublishRelease(DistributionClient& client, const std::string& repository,
                                          const ReleaseTarball& release, bool replace) {
  nlohmann::json config = {
      {"architecture", release.arch},
      {"os", "linux"},
      {"config",
       {{"Labels",
         {{"org.opencontainers.image.title", "hoist"},
          {"org.opencontainers.image.version", release.version}}}}},
      {"rootfs", {{"type", "layers"}, {"diff_ids", {release.content.tar_digest}}}},
      {"history", {{{"created_by", "hoist self publish " + release.top + ".tar.gz"}}}}};
  const std::string config_bytes = config.dump();
  const std::string config_digest = Sha256Digest(config_bytes);
  nlohmann::json manifest = {
      {"schemaVersion", 2},
      {"mediaType", kManifestType},
      {"config",
       {{"mediaType", kConfigType}, {"digest", config_digest}, {"size", config_bytes.size()}}},
      {"layers",
       {{{"mediaType", kLayerType},
         {"digest", release.content.file_digest},
         {"size", release.content.bytes.size()},
         {"annotations", {{"org.opencontainers.image.title", release.top + ".tar.gz"}}}}}},
      {"annotations",
       {{"org.opencontainers.image.title", "hoist"},
        {"org.opencontainers.image.version", release.version}}}};
  const std::string manifest_bytes = manifest.dump();
  PublishedRelease published{release.version, Sha256Digest(manifest_bytes), false};

  auto existing = client.HeadManifest(repository, release.version);
  if (!existing) return existing.error();
  if (existing->has_value()) {
    if (**existing == published.digest) {
      published.already = true;
      return published;
    }
    if (!replace) {
      return Error{repository + ":" + release.version + " already names other bytes (" +
                   **existing +
                   "); a published version is not changed under the configs that "
                   "pin it: publish a new version, or pass --replace"};
    }
  }
  for (const auto& [digest, bytes] : {std::pair<std::string, const std::string*>{
                                          release.content.file_digest, &release.content.bytes},
                                      {config_digest, &config_bytes}}) {
    auto present = client.HasBlob(repository, digest);
    if (!present) return present.error();
    if (*present) continue;
    if (auto put = client.PutBlob(repository, digest, *bytes); !put) return put.error();
  }
  auto put = client.PutManifest(repository, release.version, kManifestType, manifest_bytes);
  if (!put) return put.error();
  return published;
}

}  // namespace hoist
