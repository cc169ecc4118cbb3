#include "compat/aztec_era.h"

#include <filesystem>
#include <functional>
#include <map>

#include "compat/raw_manifest.h"

namespace hoist {

std::string AztecEraName(AztecEra era) {
  switch (era) {
    case AztecEra::kJson2023Feb:
      return "2023-02";
    case AztecEra::kJson2023Sep:
      return "2023-09";
    case AztecEra::kYaml2024:
      break;
  }
  return "2024";
}

std::string AztecEraRevision(AztecEra era) {
  switch (era) {
    case AztecEra::kJson2023Feb:
      return "89389e8";
    case AztecEra::kJson2023Sep:
      return "5960747";
    case AztecEra::kYaml2024:
      break;
  }
  return "06ec53a";
}

std::string AztecEraManifest(AztecEra era) {
  return era == AztecEra::kYaml2024 ? "build_manifest.yml" : "build_manifest.json";
}

Expected<AztecEra> ParseAztecEra(std::string_view name) {
  for (AztecEra era : {AztecEra::kJson2023Feb, AztecEra::kJson2023Sep, AztecEra::kYaml2024}) {
    if (name == AztecEraName(era)) return era;
  }
  return Error{"unknown era '" + std::string(name) +
               "' of the Aztec build system's scripts: 2023-02 (JSON manifests, build-system "
               "89389e8), 2023-09 (JSON, 5960747) or 2024 (YAML, 06ec53a)"};
}

std::string AztecManifestAt(const std::string& root) {
  std::error_code ec;
  bool yml = std::filesystem::exists(root + "/build_manifest.yml", ec);
  bool json = std::filesystem::exists(root + "/build_manifest.json", ec);
  return root + (yml || !json ? "/build_manifest.yml" : "/build_manifest.json");
}

Expected<AztecEraGuess> ChooseAztecEra(const std::string& name, const std::string& root) {
  if (!name.empty()) {
    auto era = ParseAztecEra(name);
    if (!era) return era.error();
    return AztecEraGuess{*era, "named"};
  }
  std::string file = AztecManifestAt(root);
  std::error_code ec;
  if (!std::filesystem::is_regular_file(file, ec)) {
    return Error{"no build_manifest.yml or build_manifest.json at " + root};
  }
  return GuessAztecEra(root, file);
}

Expected<AztecEraGuess> GuessAztecEra(const std::string& root, const std::string& manifest_file) {
  namespace fs = std::filesystem;
  std::string name = fs::path(manifest_file).filename().string();
  bool json = name.size() >= 5 && name.compare(name.size() - 5, 5, ".json") == 0;
  if (!json) return AztecEraGuess{AztecEra::kYaml2024, "the manifest is YAML"};
  auto manifest = RawManifest::Load(manifest_file, false);
  if (!manifest) return manifest.error();
  for (const auto& project : manifest->Projects()) {
    auto type = manifest->TypeOf(project, "dependencies");
    if (type == RawManifest::Type::kString) {
      return AztecEraGuess{AztecEra::kJson2023Sep,
                           "project '" + project + "' names a dependency script"};
    }
    if (type != RawManifest::Type::kNull) continue;
    std::string script = manifest->Text(project, "buildDir") + "/scripts/get_dependencies.sh";
    std::error_code ec;
    if (fs::is_regular_file(fs::path(root) / script, ec)) {
      return AztecEraGuess{AztecEra::kJson2023Sep,
                           "project '" + project + "' gets its dependencies from " + script};
    }
  }
  // The 2023-02 scripts never finished a dependency walk on a cycle (no visited set), so a
  // manifest with one was written for the later scripts.
  std::map<std::string, int> state;  // 1: on the walk, 2: done
  std::function<bool(const std::string&)> cyclic = [&](const std::string& p) {
    int& s = state[p];
    if (s == 1) return true;
    if (s == 2) return false;
    s = 1;
    for (const auto& dep : manifest->Items(p, "dependencies")) {
      if (manifest->Has(dep) && cyclic(dep)) return true;
    }
    state[p] = 2;
    return false;
  };
  for (const auto& project : manifest->Projects()) {
    if (cyclic(project)) {
      return AztecEraGuess{AztecEra::kJson2023Sep,
                           "its dependencies form a cycle, which the 2023-02 scripts never "
                           "finished walking"};
    }
  }
  return AztecEraGuess{AztecEra::kJson2023Feb,
                       "the manifest is JSON and names no dependency script"};
}

}  // namespace hoist
