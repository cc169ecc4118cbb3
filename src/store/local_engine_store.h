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

 private:
  /// The marker label of `reference` ("" for an image without one), or nullopt when absent.
  Expected<std::optional<std::string>> MarkerLabel(const std::string& reference);
  /// Forgets the listing Prepare made (after any write).
  void Forget();
  std::string prefix_;
  DockerEngineApi api_;
  /// Prepare's one listing of the engine's tags, by repository, until the next write.
  std::mutex listing_mutex_;
  std::optional<std::map<std::string, std::vector<std::string>>> listing_;
};

}  // namespace hoist
