#include "stages/recorded_inputs.h"

#include <nlohmann/json.hpp>

namespace hoist {
namespace {

std::vector<std::string> Strings(const nlohmann::json& json, const char* key) {
  std::vector<std::string> out;
  if (!json.contains(key) || !json[key].is_array()) return out;
  for (const auto& item : json[key]) {
    if (item.is_string()) out.push_back(item.get<std::string>());
  }
  return out;
}

std::string String(const nlohmann::json& json, const char* key) {
  return json.contains(key) && json[key].is_string() ? json[key].get<std::string>() : "";
}

}  // namespace

std::string RecordedInputsJson(const HashInputs& inputs) {
  nlohmann::json dependencies = nlohmann::json::object();
  for (const auto& [name, hash] : inputs.dependencies) dependencies[name] = hash;
  return nlohmann::json{{"files", inputs.files},           {"buildDir", inputs.build_dir},
                        {"dockerfile", inputs.dockerfile}, {"dockerignore", inputs.dockerignore},
                        {"buildArgs", inputs.build_args},  {"injected", inputs.injected},
                        {"bases", inputs.bases},           {"platform", inputs.platform},
                        {"dependencies", dependencies}}
      .dump();
}

std::optional<HashInputs> ReadRecordedInputs(const std::string& text) {
  auto json = nlohmann::json::parse(text, nullptr, false);
  if (!json.is_object() || !json.contains("files") || !json["files"].is_array()) {
    return std::nullopt;
  }
  HashInputs inputs;
  inputs.files = Strings(json, "files");
  inputs.build_dir = String(json, "buildDir");
  inputs.dockerfile = String(json, "dockerfile");
  inputs.dockerignore = Strings(json, "dockerignore");
  inputs.build_args = Strings(json, "buildArgs");
  inputs.injected = Strings(json, "injected");
  inputs.bases = Strings(json, "bases");
  inputs.platform = String(json, "platform");
  if (json.contains("dependencies") && json["dependencies"].is_object()) {
    for (const auto& [name, hash] : json["dependencies"].items()) {
      if (hash.is_string()) inputs.dependencies.emplace_back(name, hash.get<std::string>());
    }
  }
  return inputs;
}

}  // namespace hoist
