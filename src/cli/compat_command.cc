#include <iostream>

#include "cli/commands.h"
#include "compat/aztec_shims.h"

namespace hoist {

void AddCompatCommand(CLI::App& app, CommandContext& context, int& exit_code) {
  auto* compat = app.add_subcommand("compat", "Drop-in shims for other build systems");
  compat->require_subcommand(1);
  auto* aztec = compat->add_subcommand("aztec", "The Aztec build system's scripts");
  aztec->require_subcommand(1);
  auto* install = aztec->add_subcommand(
      "install",
      "Write the Aztec build system's scripts into DIR as shims over hoist: point the folder "
      "your CI calls (build-system) at them and change nothing else");
  auto dir = std::make_shared<std::string>();
  auto era = std::make_shared<std::string>();
  auto force = std::make_shared<bool>(false);
  install->add_option("DIR", *dir, "The folder: build-system (the scripts go to DIR/scripts)")
      ->required();
  install
      ->add_option("--era", *era,
                   "The scripts' era: 2023-02 (JSON manifests, commit tags), 2023-09 (JSON, "
                   "content hashes) or 2024 (YAML); default: the one the manifest implies")
      ->check(CLI::IsMember({"2023-02", "2023-09", "2024"}));
  install->add_flag("--force", *force, "Replace files there that hoist did not write");
  install->callback([&context, &exit_code, dir, era, force] {
    auto guess = ChooseAztecEra(*era, context.repo().root());
    if (!guess) throw CommandFailure{kExitFailure, "hoist: error: " + guess.error().message};
    const AztecEra chosen = guess->era;
    const std::string why = era->empty() ? guess->reason : "--era";
    auto installed = InstallAztecShims(*dir, chosen, *force);
    if (!installed)
      throw CommandFailure{kExitFailure, "hoist: error: " + installed.error().message};
    std::cout << "hoist: the Aztec build system's " << AztecEraName(chosen)
              << " scripts (build-system " << AztecEraRevision(chosen) << "; " << why << ") are in "
              << installed->directory << ":\n ";
    for (const auto& name : installed->written) std::cout << " " << name;
    std::cout << "\n";
    if (!installed->not_provided.empty()) {
      std::cout << "not provided yet (each says so and fails):\n ";
      for (const auto& name : installed->not_provided) std::cout << " " << name;
      std::cout << "\n";
    }
    std::cout << "Their hoist calls read the registries from setup_env's environment: set "
                 "HOIST_REGISTRY (and HOIST_DEPLOY_REGISTRY) in the CI's settings.\n";
    exit_code = kExitOk;
  });
}

}  // namespace hoist
