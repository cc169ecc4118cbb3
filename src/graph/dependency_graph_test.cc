#include "graph/dependency_graph.h"

#include <gtest/gtest.h>

#include "manifest/manifest_loader.h"

namespace hoist {
namespace {

Manifest Parse(const std::string& yaml) {
  auto loaded = ParseManifest(yaml, "build_manifest.yml", "/nonexistent");
  EXPECT_TRUE(loaded.manifest);
  return *loaded.manifest;
}

std::vector<std::string> Names(const DependencyGraph& graph, const std::vector<int>& ids) {
  std::vector<std::string> out;
  for (int id : ids) out.push_back(graph.Name(id));
  return out;
}

const char* kDiamond = R"(
app:
  buildDir: app
  dependencies: [lib, util]
lib:
  buildDir: lib
  dependencies: [base]
util:
  buildDir: util
  dependencies: [base]
base:
  buildDir: base
other:
  buildDir: other
)";

TEST(DependencyGraph, TransitiveDependenciesAreTheClosureWithoutSelf) {
  Manifest manifest = Parse(kDiamond);
  DependencyGraph graph(manifest);
  auto deps = Names(graph, graph.TransitiveDependencies(manifest.IndexOf("app")));
  std::sort(deps.begin(), deps.end());
  EXPECT_EQ(deps, (std::vector<std::string>{"base", "lib", "util"}));
  EXPECT_TRUE(graph.TransitiveDependencies(manifest.IndexOf("base")).empty());
}

TEST(DependencyGraph, DependenciesFirstIsTheSeedsPostOrder) {
  Manifest manifest = Parse(kDiamond);
  DependencyGraph graph(manifest);
  EXPECT_EQ(Names(graph, graph.DependenciesFirst(manifest.IndexOf("app"))),
            (std::vector<std::string>{"base", "lib", "util", "app"}));
}

TEST(DependencyGraph, TopologicalOrderPutsDependenciesFirstAndKeepsManifestOrderOtherwise) {
  Manifest manifest = Parse(kDiamond);
  DependencyGraph graph(manifest);
  auto order = graph.TopologicalOrder();
  ASSERT_TRUE(order);
  EXPECT_EQ(Names(graph, *order),
            (std::vector<std::string>{"base", "lib", "util", "app", "other"}));
}

TEST(DependencyGraph, CyclesAreFoundAndNamed) {
  Manifest manifest = Parse(R"(
a:
  buildDir: a
  dependencies: [b]
b:
  buildDir: b
  dependencies: [c]
c:
  buildDir: c
  dependencies: [a]
d:
  buildDir: d
)");
  DependencyGraph graph(manifest);
  auto cycle = graph.FindCycle();
  ASSERT_TRUE(cycle);
  EXPECT_EQ(graph.FormatCycle(*cycle), "a -> b -> c -> a");
  // Queries still answer: a closure with a visited set, never itself.
  EXPECT_EQ(graph.TransitiveDependencies(manifest.IndexOf("a")).size(), 2u);
  EXPECT_EQ(Names(graph, graph.DependenciesFirst(manifest.IndexOf("a"))),
            (std::vector<std::string>{"c", "b", "a"}));
  // Orderings fail naming the cycle, unless the cycle is not involved.
  auto order = graph.TopologicalOrder();
  ASSERT_FALSE(order);
  EXPECT_NE(order.error().message.find("a -> b -> c -> a"), std::string::npos);
  std::vector<bool> only_d(graph.size(), false);
  only_d[manifest.IndexOf("d")] = true;
  EXPECT_TRUE(graph.TopologicalOrder(only_d));
}

}  // namespace
}  // namespace hoist
