#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/json_output.h"

namespace hoist {

void AddCheckCommand(CLI::App& app, CommandContext& context, int& exit_code) {
  auto* command = app.add_subcommand(
      "check",
      "Find files a Dockerfile copies that no rebuild pattern covers (they are not in the "
      "build context hoist sends, so the image would lack them)");
  auto projects = std::make_shared<std::vector<std::string>>();
  command->add_option("PROJECT", *projects, "Projects to check (default: all)");
  command->callback([&context, &exit_code, projects] {
    auto found = context.UncoveredInputs(context.SelectProjects(*projects));
    exit_code = found.empty() ? kExitOk : kExitFailure;
    if (context.json) {
      nlohmann::json out = nlohmann::json::array();
      for (const auto& input : found) {
        out.push_back({{"project", context.manifest().projects[input.project].name},
                       {"dockerfile", input.dockerfile},
                       {"line", input.line},
                       {"instruction", input.instruction},
                       {"files", input.files}});
      }
      PrintJson("check", out, "uncovered");
      return;
    }
    for (const auto& input : found) {
      std::cout << DescribeUncoveredInput(context.manifest(), input) << "\n";
    }
    if (found.empty()) std::cerr << "hoist: every file the Dockerfiles copy is covered\n";
  });
}

}  // namespace hoist
