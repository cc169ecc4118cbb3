#include "store/marker.h"

#include <ctime>
#include <nlohmann/json.hpp>

#include "util/base64.h"
#include "util/digest.h"
#include "util/json_fields.h"

namespace hoist {

MarkerManifestView ReadMarkerManifest(const std::string& manifest_bytes) {
  MarkerManifestView view;
  const auto json = nlohmann::json::parse(manifest_bytes, nullptr, false);
  if (!json.is_object()) return view;
  const auto layers = json.find("layers");
  const bool one_layer = layers != json.end() && layers->is_array() && layers->size() == 1;
  view.is_marker = JsonString(json, "artifactType") == kMarkerArtifactType ||
                   (one_layer && JsonString((*layers)[0], "mediaType") == kMarkerArtifactType);
  if (!one_layer) return view;
  const auto& layer = (*layers)[0];
  view.content_digest = JsonString(layer, "digest");
  // The descriptor's `data` is what its digest names only when it hashes to it (OCI: "SHOULD
  // be verified against the digest and size"); anything else is read from the blob.
  const std::string data = JsonString(layer, "data");
  if (data.empty() || data.size() > 2 * kMostEmbeddedMarker) return view;
  std::string decoded = Base64Decode(data);
  const auto size = layer.find("size");
  if (decoded.empty() || size == layer.end() || !size->is_number_unsigned() ||
      size->get<uint64_t>() != decoded.size() || Sha256Digest(decoded) != view.content_digest) {
    return view;
  }
  view.embedded_content = std::move(decoded);
  return view;
}

std::string MarkerToJson(const Marker& marker) {
  nlohmann::json json = {{"kind", marker.kind},
                         {"project", marker.project},
                         {"hash", marker.hash},
                         {"commit", marker.commit},
                         {"job", marker.job},
                         {"tag", marker.tag},
                         {"time", marker.time},
                         {"ciUrl", marker.ci_url},
                         {"definition", marker.definition},
                         {"digest", marker.digest},
                         {"tier", marker.tier},
                         {"previous", marker.previous},
                         {"commitTime", marker.commit_time},
                         {"expires", marker.expires},
                         {"run", marker.run}};
  if (!marker.inputs.empty()) {
    auto inputs = nlohmann::json::parse(marker.inputs, nullptr, false);
    if (!inputs.is_discarded()) json["inputs"] = inputs;
  }
  return json.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

Expected<Marker> MarkerFromJson(const std::string& text) {
  auto json = nlohmann::json::parse(text, nullptr, false);
  if (!json.is_object() || !json.contains("kind")) {
    return Error{"not a hoist marker (expected a JSON object with 'kind')"};
  }
  Marker marker;
  marker.kind = JsonString(json, "kind");
  marker.project = JsonString(json, "project");
  marker.hash = JsonString(json, "hash");
  marker.commit = JsonString(json, "commit");
  marker.job = JsonString(json, "job");
  marker.tag = JsonString(json, "tag");
  marker.time = JsonString(json, "time");
  marker.ci_url = JsonString(json, "ciUrl");
  marker.definition = JsonString(json, "definition");
  marker.digest = JsonString(json, "digest");
  marker.tier = JsonString(json, "tier");
  marker.previous = JsonString(json, "previous");
  marker.commit_time = JsonString(json, "commitTime");
  marker.expires = JsonString(json, "expires");
  marker.run = JsonString(json, "run");
  if (json.contains("inputs") && json["inputs"].is_object())
    marker.inputs = json["inputs"].dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return marker;
}

std::string NowRfc3339() {
  return Rfc3339In(0);
}

std::string Rfc3339In(long seconds) {
  std::time_t now = std::time(nullptr) + seconds;
  std::tm utc{};
  gmtime_r(&now, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return text;
}

}  // namespace hoist
