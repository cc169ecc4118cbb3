#include "graph/dependency_graph.h"

#include <functional>
#include <queue>

namespace hoist {

DependencyGraph::DependencyGraph(const Manifest& manifest)
    : manifest_(manifest),
      dependencies_(manifest.projects.size()),
      dependents_(manifest.projects.size()) {
  for (size_t p = 0; p < manifest.projects.size(); ++p) {
    for (const auto& dependency : manifest.projects[p].dependencies) {
      int d = manifest.IndexOf(dependency);
      if (d < 0) continue;  // the loader reports unknown names
      dependencies_[p].push_back(d);
      dependents_[static_cast<size_t>(d)].push_back(static_cast<int>(p));
    }
  }
}

const std::string& DependencyGraph::Name(int project) const {
  return manifest_.projects[static_cast<size_t>(project)].name;
}

namespace {

/// Every node reachable from `start` along `edges`, never `start` itself.
std::vector<int> Reachable(const std::vector<std::vector<int>>& edges, int start) {
  std::vector<bool> seen(edges.size(), false);
  std::vector<int> stack = edges[start];
  std::vector<int> out;
  while (!stack.empty()) {
    int p = stack.back();
    stack.pop_back();
    if (seen[p] || p == start) continue;
    seen[p] = true;
    out.push_back(p);
    for (int next : edges[p]) stack.push_back(next);
  }
  return out;
}

}  // namespace

std::vector<int> DependencyGraph::TransitiveDependencies(int project) const {
  return Reachable(dependencies_, project);
}

std::vector<int> DependencyGraph::TransitiveDependents(int project) const {
  return Reachable(dependents_, project);
}

std::vector<int> DependencyGraph::DependenciesFirst(int project) const {
  std::vector<bool> seen(size(), false);
  std::vector<int> out;
  std::function<void(int)> visit = [&](int p) {
    if (seen[p]) return;
    seen[p] = true;
    for (int d : dependencies_[p]) visit(d);
    out.push_back(p);
  };
  visit(project);
  return out;
}

std::optional<std::vector<int>> DependencyGraph::FindCycle() const {
  enum class Mark { kNew, kActive, kDone };
  std::vector<Mark> mark(size(), Mark::kNew);
  std::vector<int> path;
  std::optional<std::vector<int>> cycle;
  std::function<bool(int)> visit = [&](int p) {
    mark[p] = Mark::kActive;
    path.push_back(p);
    for (int d : dependencies_[p]) {
      if (mark[d] == Mark::kActive) {
        auto start = std::find(path.begin(), path.end(), d);
        cycle = std::vector<int>(start, path.end());
        cycle->push_back(d);
        return true;
      }
      if (mark[d] == Mark::kNew && visit(d)) return true;
    }
    path.pop_back();
    mark[p] = Mark::kDone;
    return false;
  };
  for (size_t p = 0; p < size(); ++p) {
    if (mark[p] == Mark::kNew && visit(static_cast<int>(p))) return cycle;
  }
  return std::nullopt;
}

std::string DependencyGraph::FormatCycle(const std::vector<int>& cycle) const {
  std::string out;
  for (int p : cycle) {
    if (!out.empty()) out += " -> ";
    out += Name(p);
  }
  return out;
}

Expected<std::vector<int>> DependencyGraph::TopologicalOrder() const {
  return TopologicalOrder(std::vector<bool>(size(), true));
}

Expected<std::vector<int>> DependencyGraph::TopologicalOrder(
    const std::vector<bool>& selected) const {
  // Kahn's algorithm over the selected projects and everything they need, so that ordering
  // through unselected dependencies holds and a cycle elsewhere does not matter; the smallest
  // manifest index goes first among the ready ones, for a stable order.
  std::vector<bool> relevant(size(), false);
  size_t relevant_count = 0;
  for (size_t p = 0; p < size(); ++p) {
    if (!selected[p]) continue;
    if (!relevant[p]) relevant[p] = true, ++relevant_count;
    for (int d : TransitiveDependencies(static_cast<int>(p))) {
      if (!relevant[d]) relevant[d] = true, ++relevant_count;
    }
  }
  std::vector<int> waiting(size(), 0);
  std::priority_queue<int, std::vector<int>, std::greater<int>> ready;
  for (size_t p = 0; p < size(); ++p) {
    if (!relevant[p]) continue;
    waiting[p] = static_cast<int>(dependencies_[p].size());
    if (waiting[p] == 0) ready.push(static_cast<int>(p));
  }
  std::vector<int> order;
  size_t visited = 0;
  while (!ready.empty()) {
    int p = ready.top();
    ready.pop();
    ++visited;
    if (selected[p]) order.push_back(p);
    for (int dependent : dependents_[p]) {
      if (relevant[dependent] && --waiting[dependent] == 0) ready.push(dependent);
    }
  }
  if (visited != relevant_count) {
    auto cycle = FindCycle();
    std::string text = cycle ? FormatCycle(*cycle) : "(unknown)";
    return Error{"dependency cycle: " + text +
                 "; an order of projects is needed here, so the cycle must be broken in the "
                 "manifest (remove one of these dependencies)"};
  }
  return order;
}

}  // namespace hoist
