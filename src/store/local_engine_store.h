#pragma once

#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "docker/docker_engine_api.h"
#include "store/image_store.h"

namespace hoist {

/// The embedded default: the local Docker engine's image store, through the docker CLI, with
/// images tagged `PREFIX/PROJECT:TAG` (PREFIX "hoist" unless given) and markers as tiny
/// imported images labelled with the marker. One machine, only Docker.
class LocalEngineStore : public ImageStore {
 public:
  explicit LocalEngineStore(std::string prefix = "hoist");

  std::string Describe() const override;
  bool InEngine() const override { return true; }
  std::string Reference(const std::string& project, const std::string& tag) const override;
  Status Prepare(const std::vector<std::string>& projects) override;
  Expected<Presence> Exists(const std::string& project, const std::string& tag) override;
  Expected<std::optional<std::string>> Identity(const std::string& project,
                                                const std::string& tag) override;
  Status Tag(const std::string& project, const std::string& from, const std::string& to) override;
  Status Untag(const std::string& project, const std::string& tag) override;
  Expected<std::vector<std::string>> Tags(const std::string& project) override;
  Status PutMarker(const std::string& project, const std::string& tag,
                   const Marker& marker) override;
  Expected<std::optional<Marker>> GetMarker(const std::string& project,
                                            const std::string& tag) override;
  Status DeleteMarker(const std::string& project, const std::string& tag) override;
  void Forget() override;

 private:
  struct Listed {
    std::string id;
    std::string labels;
  };
  /// What Prepare's listing says of `reference`: nullopt when there is no listing (ask the
  /// engine), else the image or nothing.
  std::optional<std::optional<Listed>> FromListing(const std::string& repository,
                                                   const std::string& tag);
  /// The marker label of `project:tag` ("" for an image without one), or nullopt when absent.
  Expected<std::optional<std::string>> MarkerLabel(const std::string& project,
                                                   const std::string& tag);
  std::string Repository(const std::string& project) const;
  /// Lists the engine's images into `listing_`.
  Status List();
  /// From this many projects on, Prepare lists the engine's images instead of asking per image.
  static constexpr size_t kListingFrom = 32;
  std::string prefix_;
  DockerEngineApi api_;
  /// Prepare's one listing of the engine's images, by repository and tag, until the next
  /// write (one Engine API call answers every project's image and markers).
  std::mutex list_mutex_;  ///< held while Tags() lists
  std::mutex listing_mutex_;
  std::optional<std::map<std::string, std::map<std::string, Listed>>> listing_;
};

}  // namespace hoist
