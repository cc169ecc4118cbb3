#include "stages/recorded_inputs.h"

#include <algorithm>
#include <nlohmann/json.hpp>

namespace hoist {

bool IsContentHash(const std::string& text) {
  return text.size() == 64 && std::all_of(text.begin(), text.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

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
      .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::optional<HashInputs> ReadRecordedInputs(const std::string& text) {
  // Anyone with push rights can write a marker: what is read is only ever explained, but each
  // part must be what hoist wrote (bounded, hashes as hex, no control characters to print).
  if (text.size() > kMaxRecordedInputs) return std::nullopt;
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
      if (!hash.is_string() || !IsContentHash(hash.get<std::string>())) return std::nullopt;
      for (char c : name) {
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return std::nullopt;
      }
      inputs.dependencies.emplace_back(name, hash.get<std::string>());
    }
  }
  for (const auto& record : inputs.files) {
    // "<mode> <oid> <path>"
    const size_t space = record.find(' ');
    if (space != 6 || record.find(' ', space + 1) == std::string::npos) return std::nullopt;
  }
  auto printable = [](const std::string& line) {
    return std::none_of(line.begin(), line.end(),
                        [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; });
  };
  for (const auto* list :
       {&inputs.files, &inputs.dockerignore, &inputs.build_args, &inputs.injected, &inputs.bases}) {
    if (!std::all_of(list->begin(), list->end(), printable)) return std::nullopt;
  }
  for (const auto* line : {&inputs.build_dir, &inputs.dockerfile, &inputs.platform}) {
    if (!printable(*line)) return std::nullopt;
  }
  return inputs;
}

}  // namespace hoist
