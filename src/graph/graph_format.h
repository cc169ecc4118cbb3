#pragma once

#include <string>

#include "graph/dependency_graph.h"

namespace hoist {

/// Graphviz dot of the dependency graph (edges from a project to what it depends on); the
/// edges of a cycle, if any, drawn red.
std::string FormatGraphDot(const DependencyGraph& graph);
/// The same as a Mermaid flowchart.
std::string FormatGraphMermaid(const DependencyGraph& graph);
/// {"projects": [{"name", "dependencies"}], "edges": [[from, to]], "cycle": [...] | null}.
std::string FormatGraphJson(const DependencyGraph& graph);

}  // namespace hoist
