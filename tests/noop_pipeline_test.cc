// A run with nothing to do: what it asks the registry (issue 16: one question per project).
#include <gtest/gtest.h>

#include <functional>
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

const std::vector<std::string> kProjects = {"base", "lib", "api", "web", "worker", "docs"};

/// A repository of kProjects, each with the manifest lines `entry(i)` gives after its buildDir,
/// committed, and every image in `cache` as a trusted build left it (cache-<hash>, built-<hash>).
void CachedMonorepo(const TempRepo& repo, const RegistryFixture& cache,
                    const std::function<std::string(size_t)>& entry) {
  std::string manifest;
  for (size_t i = 0; i < kProjects.size(); ++i) {
    manifest += kProjects[i] + ":\n  buildDir: " + kProjects[i] + "\n" + entry(i);
    repo.Write(kProjects[i] + "/Dockerfile", "FROM scratch\nCOPY . /\n");
    repo.Write(kProjects[i] + "/src.txt", kProjects[i] + "\n");
  }
  repo.Write("build_manifest.yml", manifest);
  repo.Commit();
  for (const auto& name : kProjects) {
    testing::PushBuiltImage(cache, "ci/" + name, testing::HashOf(repo.root(), name), name);
  }
}

TEST(NoOpPipeline, ABuildWithEveryImageCachedAsksTheRegistryOneQuestionPerProject) {
  TempRepo repo;
  RegistryFixture cache;
  CachedMonorepo(repo, cache, [](size_t i) {
    return i > 0 ? "  dependencies: [" + kProjects[i == 1 ? 0 : 1] + "]\n" : std::string();
  });
  const auto& projects = kProjects;
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
// they need with one request: its manifest, which embeds its content (OCI's descriptor `data`).
// For these six projects they took 19 and 43 requests (a HEAD, the manifest, the content), then
// 13 and 31 (the manifest, the content).
TEST(NoOpPipeline, ATestAndADeployWithNothingToDoReadEachMarkerOnce) {
  TempRepo repo;
  repo.Write("PROJECT", "shop\n");
  RegistryFixture cache;
  CachedMonorepo(repo, cache, [](size_t) {
    return "  tests:\n    lint:\n      command: \"true\"\n      host: true\n";
  });
  const auto& projects = kProjects;
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
  // A pass marker each, besides the API version check: one request per project.
  EXPECT_LE(test_asked, n + 1);
  // The image's digest, its build record and its pass.
  EXPECT_LE(deploy_asked, 3 * n + 1);
}

}  // namespace
}  // namespace hoist
