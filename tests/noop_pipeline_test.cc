// A run with nothing to do: what it asks the registry (issue 16: one question per project).
#include <gtest/gtest.h>

#include <iostream>
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

// A no-op `hoist test --all` (every pass recorded) and `hoist deploy --dry-run` read each marker
// they need with two requests, its manifest and its content (a HEAD went before them: 19 and 43
// requests for these six projects before). Issue 16 asks one per project, which would take
// marker contents out of the registry's blobs.
TEST(NoOpPipeline, ATestAndADeployWithNothingToDoReadEachMarkerOnce) {
  TempRepo repo;
  const std::vector<std::string> projects = {"base", "lib", "api", "web", "worker", "docs"};
  std::string manifest;
  for (const auto& name : projects) {
    manifest += name + ":\n  buildDir: " + name +
                "\n  tests:\n    lint:\n      command: \"true\"\n      host: true\n";
    repo.Write(name + "/Dockerfile", "FROM scratch\nCOPY . /\n");
    repo.Write(name + "/src.txt", name + "\n");
  }
  repo.Write("PROJECT", "shop\n");
  repo.Write("build_manifest.yml", manifest);
  repo.Commit();
  RegistryFixture cache;
  for (const auto& name : projects) {
    testing::PushBuiltImage(cache, "ci/" + name, testing::HashOf(repo.root(), name), name);
  }
  FaultProxy proxy(cache.host());
  auto first =
      testing::RunHoist(repo.root(), {"--registry", proxy.host() + "/ci", "test", "--all"});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  int before = proxy.Stats().first;
  auto again =
      testing::RunHoist(repo.root(), {"--registry", proxy.host() + "/ci", "test", "--all"});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  const int test_asked = proxy.Stats().first - before;
  before = proxy.Stats().first;
  auto deploy =
      testing::RunHoist(repo.root(), {"--registry", proxy.host() + "/ci", "--deploy-registry",
                                      proxy.host() + "/prod", "deploy", "--dry-run"});
  const int deploy_asked = proxy.Stats().first - before;
  ASSERT_EQ(deploy.exit_code, 0) << deploy.err;
  std::cout << "no-op test --all: " << test_asked << " requests for " << projects.size()
            << " projects; deploy --dry-run: " << deploy_asked << "\n";
  const int n = static_cast<int>(projects.size());
  // A pass marker each (manifest, content), besides the API version check.
  EXPECT_LE(test_asked, 2 * n + 1);
  // The image's digest, the build record and the pass, each marker in two.
  EXPECT_LE(deploy_asked, 5 * n + 1);
}

}  // namespace
}  // namespace hoist
