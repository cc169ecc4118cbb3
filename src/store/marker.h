#pragma once

#include <string>

#include "util/expected.h"

namespace hoist {

/// The artifact type (and layer media type) of hoist's marker artifacts.
inline constexpr const char* kMarkerArtifactType = "application/vnd.hoist.marker.v1+json";

/// A fact recorded in the registry for a content hash: tests passed, deployed, tainted.
struct Marker {
  std::string kind;  ///< "test", "deployed", "deployed-pointer", "tainted"
  std::string project;
  std::string hash;
  std::string commit;
  std::string job;
  std::string tag;   ///< the tag the marker is stored under (keeps every marker's digest unique)
  std::string time;  ///< RFC 3339, UTC
  std::string ci_url;
  std::string definition;  ///< digest of what was run (a test job's command), "" otherwise
};

std::string MarkerToJson(const Marker& marker);
Expected<Marker> MarkerFromJson(const std::string& json);
/// The current time as RFC 3339 UTC ("2026-11-24T03:05:00Z").
std::string NowRfc3339();

}  // namespace hoist
