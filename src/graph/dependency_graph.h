#pragma once

#include <optional>
#include <string>
#include <vector>

#include "manifest/manifest.h"
#include "util/expected.h"

namespace hoist {

/// The build-dependency DAG of a manifest (projects by their index in Manifest::projects).
/// Queries work on any graph, cycles included; orderings fail naming a cycle.
class DependencyGraph {
 public:
  explicit DependencyGraph(const Manifest& manifest);

  size_t size() const { return dependencies_.size(); }
  const std::string& Name(int project) const;
  /// Direct dependencies of `project`, in manifest order.
  const std::vector<int>& Dependencies(int project) const { return dependencies_[project]; }
  /// Projects that depend directly on `project`.
  const std::vector<int>& Dependents(int project) const { return dependents_[project]; }

  /// Every project `project` depends on, directly or not, never itself (even in a cycle).
  std::vector<int> TransitiveDependencies(int project) const;
  /// `project` and its transitive dependencies, each after its own dependencies (the seed's
  /// allDependencies); within a cycle, in depth-first order.
  std::vector<int> DependenciesFirst(int project) const;
  /// Every project that depends on `project`, directly or not.
  std::vector<int> TransitiveDependents(int project) const;

  /// A dependency cycle as a path that returns to its start (a, b, a), or nullopt.
  std::optional<std::vector<int>> FindCycle() const;
  /// "a -> b -> a".
  std::string FormatCycle(const std::vector<int>& cycle) const;

  /// All projects, dependencies before dependents, ties in manifest order.
  Expected<std::vector<int>> TopologicalOrder() const;
  /// The projects with `selected[p]`, dependencies before dependents.
  Expected<std::vector<int>> TopologicalOrder(const std::vector<bool>& selected) const;

 private:
  const Manifest& manifest_;
  std::vector<std::vector<int>> dependencies_;
  std::vector<std::vector<int>> dependents_;
};

}  // namespace hoist
