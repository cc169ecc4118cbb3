// A run with nothing to do: what it asks the registry (issue 16: one question per project).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "support/registry_fixture.h"
#include "support/temp_repo.h"

namespace hoist {
namespace {

using testing::FaultProxy;
using testing::RegistryFixture;
using testing::TempRepo;

TEST(NoOpPipeline, ABuildWithEveryImageCachedAsksTheRegistryOneQuestionPerProject) {
  TempRepo repo;
  const std::vector<std::string> projects = {"base", "lib", "api", "web", "worker", "docs"};
  std::string manifest;
  for (size_t i = 0; i < projects.size(); ++i) {
    manifest += projects[i] + ":\n  buildDir: " + projects[i] + "\n";
    if (i > 0) manifest += "  dependencies: [" + projects[i == 1 ? 0 : 1] + "]\n";
    repo.Write(projects[i] + "/Dockerfile", "FROM scratch\nCOPY . /\n");
    repo.Write(projects[i] + "/src.txt", projects[i] + "\n");
  }
  repo.Write("build_manifest.yml", manifest);
  repo.Commit();
  RegistryFixture cache;
  for (const auto& name : projects) {
    testing::PushBuiltImage(cache, "ci/" + name, testing::HashOf(repo.root(), name), name);
  }
  FaultProxy proxy(cache.host());
  const int before = proxy.Stats().first;
  auto run = testing::RunHoist(repo.root(),
                               {"--json", "--registry", proxy.host() + "/ci", "build", "--all"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  for (const auto& [name, result] : testing::BuildResults(run.out)) {
    EXPECT_EQ(result, "cached") << name;
  }
  // Whether each project is tainted and whether its image exists: one tag list each (the
  // taint and the image were two questions), besides the API version check.
  const int asked = proxy.Stats().first - before;
  EXPECT_LE(asked, static_cast<int>(projects.size()) + 1) << asked << " requests";
}

}  // namespace
}  // namespace hoist
