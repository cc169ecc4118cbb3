#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/json_output.h"
#include "source/affected.h"
#include "stages/injected_args.h"

namespace hoist {
void AddAffectedCommand(CLI::App& app, CommandContext& context, int& exit_code) {
  auto* command = app.add_subcommand(
      "affected", "List the projects whose inputs changed between two commits, in build order");
  struct Options {
    std::string base;
    std::string head = "HEAD";
    bool files = false;
  };
  auto options = std::make_shared<Options>();
  command->add_option("--base", options->base, "The commit to compare with")
      ->required()
      ->option_text("REV");
  command->add_option("--head", options->head, "The commit to compare (default: HEAD)")
      ->option_text("REV");
  command->add_flag("--files", options->files, "Show which changed files affect each project");
  command->callback([&context, &exit_code, options] {
    const Manifest& manifest = context.manifest();
    auto report = FindAffected(manifest, context.graph(), context.patterns(), context.repo(),
                               options->base, options->head, /*resolve_commits=*/context.json);
    if (!report) throw CommandFailure{kExitFailure, "hoist: error: " + report.error().message};
    for (const auto& warning : report->warnings) Warn(warning);
    auto injected = AddInjectedChanges(manifest, context.graph(), context.repo(), options->base,
                                       options->head, *report);
    if (!injected) throw CommandFailure{kExitFailure, "hoist: error: " + injected.error().message};
    if (context.json) {
      nlohmann::json projects = nlohmann::json::array();
      for (const auto& entry : report->projects) {
        projects.push_back({{"project", manifest.projects[entry.project].name},
                            {"files", entry.files},
                            {"dependencies", entry.dependencies}});
      }
      PrintJson("affected", {{"base", report->base},
                             {"head", report->head},
                             {"changedFiles", report->changed_files},
                             {"projects", projects}});
    } else {
      for (const auto& entry : report->projects) {
        std::cout << manifest.projects[entry.project].name << "\n";
        if (!options->files) continue;
        for (const auto& file : entry.files) std::cout << "  " << file << "\n";
        for (const auto& dep : entry.dependencies) std::cout << "  (dependency " << dep << ")\n";
      }
    }
    exit_code = kExitOk;
  });
}

}  // namespace hoist
