#pragma once

#include <string>
#include <string_view>

#include "util/expected.h"

namespace hoist {

/// The revision of the Aztec build system's scripts a repository's CI was written against.
/// Their outputs and tags changed twice in ways scripts downstream depend on, so hoist's
/// compatibility answers as the era the team chose (by default, the one its manifest implies).
enum class AztecEra {
  kJson2023Feb,  ///< build-system 89389e8 (Dec 2022 - Sep 2023): JSON, raw relative values
  kJson2023Sep,  ///< build-system 5960747 (Sep 2023): JSON, absolute paths, get_dependencies.sh
  kYaml2024,     ///< build-system 06ec53a and aztec-packages to 2024: YAML, direct dependencies
};

/// "2023-02", "2023-09" or "2024".
std::string AztecEraName(AztecEra era);
/// The build-system commit whose scripts the era reproduces.
std::string AztecEraRevision(AztecEra era);
/// The manifest file name the era's scripts read.
std::string AztecEraManifest(AztecEra era);
/// The era called `name` ("2023-02", "2023-09", "2024"); an Error listing them otherwise.
Expected<AztecEra> ParseAztecEra(std::string_view name);

/// The era a repository's manifest implies, and why: a YAML manifest is 2024; a JSON one is
/// 2023-09 when a project names a dependency script or has <buildDir>/scripts/get_dependencies.sh
/// (which only those scripts ran), else 2023-02.
struct AztecEraGuess {
  AztecEra era = AztecEra::kYaml2024;
  std::string reason;
};
Expected<AztecEraGuess> GuessAztecEra(const std::string& root, const std::string& manifest_file);

/// The manifest the scripts read at `root`: build_manifest.yml, or build_manifest.json when
/// only that one exists.
std::string AztecManifestAt(const std::string& root);
/// The era `name` names ("2023-02", "2023-09", "2024"); when `name` is empty, the one the
/// manifest at `root` implies (GuessAztecEra), or an Error when there is none to read.
Expected<AztecEraGuess> ChooseAztecEra(const std::string& name, const std::string& root);

}  // namespace hoist
