#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/json_output.h"
#include "cli/project_json.h"

namespace hoist {

void AddProjectsCommand(CLI::App& app, CommandContext& context, int& exit_code) {
  auto* command = app.add_subcommand("projects", "List the projects of the manifest");
  auto topo = std::make_shared<bool>(false);
  command->add_flag("--topo", *topo,
                    "Dependencies before dependents (fails on a dependency cycle)");
  command->callback([&context, &exit_code, topo] {
    const Manifest& manifest = context.manifest();
    std::vector<int> order;
    if (*topo) {
      auto sorted = context.graph().TopologicalOrder();
      if (!sorted) throw CommandFailure{kExitFailure, "hoist: error: " + sorted.error().message};
      order = *sorted;
    } else {
      for (size_t p = 0; p < manifest.projects.size(); ++p) order.push_back(static_cast<int>(p));
    }
    if (context.json) {
      nlohmann::json out = nlohmann::json::array();
      for (int p : order) out.push_back(ProjectToJson(manifest.projects[p]));
      PrintJson("projects", out);
    } else {
      for (int p : order) std::cout << manifest.projects[p].name << "\n";
    }
    exit_code = kExitOk;
  });
}

}  // namespace hoist
