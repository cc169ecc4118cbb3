#include "docker/docker_engine_api.h"

#include <cstdlib>
#include <nlohmann/json.hpp>

#include "util/url.h"

namespace hoist {
namespace {

constexpr const char* kDefaultSocket = "/var/run/docker.sock";
constexpr const char* kApiVersion = "/v1.41";  // Docker 20.10 and later

/// "repo/name:tag" -> ("repo/name", "tag"); the tag defaults to "latest".
std::pair<std::string, std::string> SplitTag(const std::string& reference) {
  size_t slash = reference.rfind('/');
  size_t colon = reference.rfind(':');
  if (colon != std::string::npos && (slash == std::string::npos || colon > slash)) {
    return {reference.substr(0, colon), reference.substr(colon + 1)};
  }
  return {reference, "latest"};
}

std::string EngineMessage(const HttpResponse& response) {
  auto json = nlohmann::json::parse(response.body, nullptr, false);
  if (json.is_object() && json.contains("message")) return json["message"].get<std::string>();
  return "HTTP " + std::to_string(response.status);
}

}  // namespace

DockerEngineApi::DockerEngineApi(const std::string& docker_host) {
  HttpOptions options;
  const char* host = std::getenv("DOCKER_HOST");
  std::string where = !docker_host.empty() ? docker_host
                      : host && *host      ? host
                                           : std::string("unix://") + kDefaultSocket;
  if (where.rfind("unix://", 0) == 0) {
    options.unix_socket = where.substr(7);
    base_url_ = "http://docker";
  } else if (where.rfind("tcp://", 0) == 0) {
    base_url_ = "http://" + where.substr(6);
  } else {
    base_url_ = where;
  }
  // For messages: the socket or address, and where that came from.
  where_ = where + (docker_host.empty() && host && *host ? " (DOCKER_HOST)" : "");
  custom_ = where != std::string("unix://") + kDefaultSocket;
  options.connect_timeout_ms = 5'000;
  http_ = std::make_unique<HttpClient>(options);
}

Expected<HttpResponse> DockerEngineApi::Call(const std::string& method, const std::string& path) {
  HttpRequest request;
  request.method = method;
  request.url = base_url_ + kApiVersion + path;
  HttpFailure failure;
  auto response = http_->Send(request, &failure);
  if (!response && failure.kind == HttpFailure::Kind::kNoLibrary) {
    return Error{"cannot ask the Docker engine at " + where_ + ": " + failure.message};
  }
  if (!response) {
    return Error{
        "no Docker engine answers at " + where_ + " (" + failure.message + "); " +
        (custom_ ? "check that address, or unset DOCKER_HOST for the local engine; " : "") +
        "to start a local one: sudo dockerd --bridge=none --iptables=false "
        "--ip-masq=false &"};
  }
  return response;
}

Status DockerEngineApi::Ping() {
  auto response = Call("GET", "/_ping");
  if (!response) return response.error();
  if (response->status != 200) {
    return Error{"the Docker engine at " + where_ + " is not ready: " + EngineMessage(*response)};
  }
  return Ok();
}

Expected<std::optional<std::string>> DockerEngineApi::InspectLabels(const std::string& reference) {
  auto response = Call("GET", "/images/" + PercentEncode(reference) + "/json");
  if (!response) return response.error();
  if (response->status == 404) return std::optional<std::string>();
  if (response->status != 200) {
    return Error{"the Docker engine cannot inspect " + reference + ": " + EngineMessage(*response)};
  }
  auto json = nlohmann::json::parse(response->body, nullptr, false);
  nlohmann::json labels = nlohmann::json::object();
  if (json.is_object() && json.contains("Config") && json["Config"].is_object() &&
      json["Config"].contains("Labels") && json["Config"]["Labels"].is_object()) {
    labels = json["Config"]["Labels"];
  }
  return std::optional<std::string>(labels.dump());
}

Expected<std::optional<EngineImage>> DockerEngineApi::InspectImage(const std::string& reference) {
  auto response = Call("GET", "/images/" + PercentEncode(reference) + "/json");
  if (!response) return response.error();
  if (response->status == 404) return std::optional<EngineImage>();
  if (response->status != 200) {
    return Error{"the Docker engine cannot inspect " + reference + ": " + EngineMessage(*response)};
  }
  auto json = nlohmann::json::parse(response->body, nullptr, false);
  if (!json.is_object() || !json.contains("Id") || !json["Id"].is_string()) {
    return Error{"the Docker engine answered an inspection of " + reference + " without its id"};
  }
  EngineImage image;
  image.id = json["Id"].get<std::string>();
  if (json.contains("RepoDigests") && json["RepoDigests"].is_array()) {
    for (const auto& digest : json["RepoDigests"]) {
      if (digest.is_string()) image.repo_digests.push_back(digest.get<std::string>());
    }
  }
  return std::optional<EngineImage>(std::move(image));
}

Expected<std::vector<EngineListedImage>> DockerEngineApi::ListImages() {
  auto response = Call("GET", "/images/json");
  if (!response) return response.error();
  if (response->status != 200) {
    return Error{"the Docker engine cannot list its images: " + EngineMessage(*response)};
  }
  auto json = nlohmann::json::parse(response->body, nullptr, false);
  if (!json.is_array()) return Error{"the Docker engine answered an image listing without a list"};
  std::vector<EngineListedImage> images;
  for (const auto& image : json) {
    if (!image.is_object() || !image.contains("RepoTags") || !image["RepoTags"].is_array()) {
      continue;
    }
    EngineListedImage listed;
    if (image.contains("Id") && image["Id"].is_string()) listed.id = image["Id"];
    for (const auto& tag : image["RepoTags"]) {
      if (tag.is_string() && tag.get<std::string>() != "<none>:<none>") {
        listed.repo_tags.push_back(tag.get<std::string>());
      }
    }
    listed.labels =
        image.contains("Labels") && image["Labels"].is_object() ? image["Labels"].dump() : "{}";
    if (!listed.repo_tags.empty()) images.push_back(std::move(listed));
  }
  return images;
}

Expected<std::vector<std::string>> DockerEngineApi::ListRepoTags() {
  auto images = ListImages();
  if (!images) return images.error();
  std::vector<std::string> tags;
  for (const auto& image : *images) {
    tags.insert(tags.end(), image.repo_tags.begin(), image.repo_tags.end());
  }
  return tags;
}

Status DockerEngineApi::Tag(const std::string& source, const std::string& target) {
  auto [repository, tag] = SplitTag(target);
  auto response =
      Call("POST", "/images/" + PercentEncode(source) + "/tag?repo=" + PercentEncode(repository) +
                       "&tag=" + PercentEncode(tag));
  if (!response) return response.error();
  if (response->status != 201 && response->status != 200) {
    return Error{"the Docker engine cannot tag " + source + " as " + target + ": " +
                 EngineMessage(*response)};
  }
  return Ok();
}

Status DockerEngineApi::Untag(const std::string& reference) {
  auto response = Call("DELETE", "/images/" + PercentEncode(reference) + "?noprune=1");
  if (!response) return response.error();
  if (response->status == 200 || response->status == 404) return Ok();
  return Error{"the Docker engine cannot untag " + reference + ": " + EngineMessage(*response)};
}

Expected<EngineInfo> DockerEngineApi::Info() {
  auto response = Call("GET", "/info");
  if (!response) return response.error();
  auto json = nlohmann::json::parse(response->body, nullptr, false);
  if (response->status != 200 || !json.is_object()) {
    return Error{"the Docker engine at " + where_ + " gave no /info: " + EngineMessage(*response)};
  }
  auto text = [&json](const char* key) {
    return json.contains(key) && json[key].is_string() ? json[key].get<std::string>() : "";
  };
  return EngineInfo{text("ServerVersion"), text("DockerRootDir"), text("SystemTime")};
}

}  // namespace hoist
