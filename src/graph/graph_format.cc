#include "graph/graph_format.h"

#include <nlohmann/json.hpp>
#include <set>

namespace hoist {
namespace {

std::set<std::pair<int, int>> CycleEdges(const DependencyGraph& graph) {
  std::set<std::pair<int, int>> edges;
  if (auto cycle = graph.FindCycle()) {
    for (size_t i = 0; i + 1 < cycle->size(); ++i) edges.insert({(*cycle)[i], (*cycle)[i + 1]});
  }
  return edges;
}

std::string Quoted(const std::string& name) {
  return nlohmann::json(name).dump();
}

}  // namespace

std::string FormatGraphDot(const DependencyGraph& graph) {
  auto cycle = CycleEdges(graph);
  std::string out = "digraph hoist {\n  rankdir=LR;\n  node [shape=box];\n";
  for (size_t p = 0; p < graph.size(); ++p) out += "  " + Quoted(graph.Name(p)) + ";\n";
  for (size_t p = 0; p < graph.size(); ++p) {
    for (int d : graph.Dependencies(p)) {
      out += "  " + Quoted(graph.Name(p)) + " -> " + Quoted(graph.Name(d));
      if (cycle.count({static_cast<int>(p), d})) out += " [color=red]";
      out += ";\n";
    }
  }
  return out + "}\n";
}

std::string FormatGraphMermaid(const DependencyGraph& graph) {
  auto cycle = CycleEdges(graph);
  std::string out = "graph LR\n";
  for (size_t p = 0; p < graph.size(); ++p) {
    std::string label = graph.Name(p);
    for (auto& c : label) {
      if (c == '"') c = '\'';
    }
    out += "  n" + std::to_string(p) + "[\"" + label + "\"]\n";
  }
  int edge = 0;
  std::string styles;
  for (size_t p = 0; p < graph.size(); ++p) {
    for (int d : graph.Dependencies(p)) {
      out += "  n" + std::to_string(p) + " --> n" + std::to_string(d) + "\n";
      if (cycle.count({static_cast<int>(p), d})) {
        styles += "  linkStyle " + std::to_string(edge) + " stroke:red\n";
      }
      ++edge;
    }
  }
  return out + styles;
}

std::string FormatGraphJson(const DependencyGraph& graph) {
  nlohmann::json projects = nlohmann::json::array();
  nlohmann::json edges = nlohmann::json::array();
  for (size_t p = 0; p < graph.size(); ++p) {
    nlohmann::json deps = nlohmann::json::array();
    for (int d : graph.Dependencies(p)) {
      deps.push_back(graph.Name(d));
      edges.push_back({graph.Name(p), graph.Name(d)});
    }
    projects.push_back({{"project", graph.Name(p)}, {"dependencies", deps}});
  }
  nlohmann::json cycle = nullptr;
  if (auto found = graph.FindCycle()) {
    cycle = nlohmann::json::array();
    for (int p : *found) cycle.push_back(graph.Name(p));
  }
  return nlohmann::json{{"projects", projects}, {"edges", edges}, {"cycle", cycle}}.dump(2) + "\n";
}

}  // namespace hoist
