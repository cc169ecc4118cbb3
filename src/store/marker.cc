#include "store/marker.h"

#include <ctime>
#include <nlohmann/json.hpp>

namespace hoist {

std::string MarkerToJson(const Marker& marker) {
  nlohmann::json json = {
      {"kind", marker.kind},     {"project", marker.project}, {"hash", marker.hash},
      {"commit", marker.commit}, {"job", marker.job},         {"tag", marker.tag},
      {"time", marker.time},     {"ciUrl", marker.ci_url},    {"definition", marker.definition}};
  return json.dump();
}

Expected<Marker> MarkerFromJson(const std::string& text) {
  auto json = nlohmann::json::parse(text, nullptr, false);
  if (!json.is_object() || !json.contains("kind")) {
    return Error{"not a hoist marker (expected a JSON object with 'kind')"};
  }
  Marker marker;
  marker.kind = json.value("kind", "");
  marker.project = json.value("project", "");
  marker.hash = json.value("hash", "");
  marker.commit = json.value("commit", "");
  marker.job = json.value("job", "");
  marker.tag = json.value("tag", "");
  marker.time = json.value("time", "");
  marker.ci_url = json.value("ciUrl", "");
  marker.definition = json.value("definition", "");
  return marker;
}

std::string NowRfc3339() {
  std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return text;
}

}  // namespace hoist
