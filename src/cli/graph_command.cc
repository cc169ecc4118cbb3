#include <iostream>

#include "cli/commands.h"
#include "cli/json_output.h"
#include "graph/graph_format.h"

namespace hoist {

void AddGraphCommand(CLI::App& app, CommandContext& context, int& exit_code) {
  auto* command = app.add_subcommand("graph", "Print the dependency graph");
  auto format = std::make_shared<std::string>("dot");
  command->add_option("--format", *format, "dot, mermaid or json")
      ->check(CLI::IsMember({"dot", "mermaid", "json"}))
      ->capture_default_str();
  command->callback([&context, &exit_code, format] {
    const DependencyGraph& graph = context.graph();
    std::string fmt = context.json ? "json" : *format;
    if (fmt == "dot") std::cout << FormatGraphDot(graph);
    if (fmt == "mermaid") std::cout << FormatGraphMermaid(graph);
    if (fmt == "json") PrintJson("graph", nlohmann::json::parse(FormatGraphJson(graph)));
    if (auto cycle = graph.FindCycle()) {
      Warn("dependency cycle: " + graph.FormatCycle(*cycle) + " (drawn red)");
    }
    exit_code = kExitOk;
  });
}

}  // namespace hoist
