// A dependency reaches a build only as its own exact image: FROM lines naming a dependency are
// pinned to its cache-<hash> in the Dockerfile hoist hands to the builder, and nothing is ever
// re-tagged under the bare FROM name on the shared engine.
#include <gtest/gtest.h>

#include <future>
#include <random>

#include "support/docker_engine.h"
#include "support/registry_fixture.h"
#include "support/temp_repo.h"

namespace hoist {
namespace {

using testing::RunOk;
using testing::TempRepo;

std::string Token() {
  std::random_device random;
  return std::to_string(random()) + std::to_string(random());
}

/// Whether the engine has an image called `reference`.
bool EngineHas(const std::string& reference) {
  ProcessSpec spec;
  spec.argv = {"docker", "image", "inspect", "--format", "{{.Id}}", reference};
  auto result = RunProcess(spec);
  return result.ok() && result->exit_code == 0;
}

class DependencyPinning : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(testing::EnsureDockerEngine(), "");
    RunOk(HOIST_SOURCE_DIR, {"bash", "scripts/make-busybox-image.sh"});
  }
  /// A repository whose `greeting` holds `word` and whose `app` is FROM `from`.
  void Make(TempRepo& repo, const std::string& greeting, const std::string& word,
            const std::string& from, const std::string& app_extra = "") {
    repo.Write("build_manifest.yml", greeting +
                                         ":\n  buildDir: greeting\napp:\n  buildDir: app\n"
                                         "  dependencies: [" +
                                         greeting + "]\n" + app_extra);
    repo.Write("greeting/Dockerfile", "FROM hoist-example/busybox:1\nCOPY word /word\n");
    repo.Write("greeting/word", word + "\n");
    repo.Write("app/Dockerfile", from + "\nRUN cp /word /app-word\n");
    repo.Commit();
  }
  std::string AppWord(const TempRepo& repo) {
    const std::string image = "hoist/app:cache-" + testing::HashOf(repo.root(), "app");
    return RunOk("/", {"docker", "run", "--rm", "--network=none", image, "cat", "/app-word"});
  }
};

TEST_F(DependencyPinning, TwoCheckoutsOnOneEngineEachGetTheirOwnDependency) {
  // Two checkouts (or two CI jobs on one runner) of different versions of `greeting`; the
  // Dockerfile says FROM greeting in both. A unique name keeps other tests' images out.
  const std::string name = "greeting-" + Token().substr(0, 8);
  TempRepo one, two;
  Make(one, name, "one", "FROM " + name);
  Make(two, name, "two", "FROM " + name + ":latest");
  for (int round = 0; round < 2; ++round) {
    auto first = std::async(std::launch::async, [&] {
      return testing::RunHoist(one.root(), {"build", "--force", "app"});
    });
    auto second = testing::RunHoist(two.root(), {"build", "--force", "app"});
    auto first_run = first.get();
    ASSERT_EQ(first_run.exit_code, 0) << first_run.err;
    ASSERT_EQ(second.exit_code, 0) << second.err;
    EXPECT_EQ(AppWord(one), "one\n");
    EXPECT_EQ(AppWord(two), "two\n");
  }
  // Nothing was tagged under the name the Dockerfiles use: no shared tag to race on.
  EXPECT_FALSE(EngineHas(name));
  EXPECT_FALSE(EngineHas(name + ":latest"));
}

TEST_F(DependencyPinning, FromAnArgAndNamesWithASlashResolveToTheDependency) {
  TempRepo repo;
  const std::string name = "team/greeting-" + Token().substr(0, 8);
  // FROM ${BASE} with BASE from buildArgs, and a dependency whose name holds a '/'.
  Make(repo, name, "arg", "ARG BASE=nothing/here\nFROM ${BASE}",
       "  buildArgs:\n    BASE: " + name + "\n");
  auto built = testing::RunHoist(repo.root(), {"build", "app"});
  ASSERT_EQ(built.exit_code, 0) << built.err;
  EXPECT_EQ(AppWord(repo), "arg\n");
  EXPECT_FALSE(EngineHas(name));

  // The same through a registry-style reference with a host and a tag.
  repo.Write("app/Dockerfile",
             "FROM registry.example:5000/" + name + ":v3\nRUN cp /word /app-word\n");
  repo.Commit();
  built = testing::RunHoist(repo.root(), {"build", "app"});
  ASSERT_EQ(built.exit_code, 0) << built.err;
  EXPECT_EQ(AppWord(repo), "arg\n");
}

// COPY --from and RUN --mount=from name a dependency's image too.
TEST_F(DependencyPinning, CopyFromAndMountFromResolveToTheDependency) {
  TempRepo repo;
  const std::string name = "greeting-" + Token().substr(0, 8);
  Make(repo, name, "copied", "FROM hoist-example/busybox:1\nCOPY --from=" + name + " /word /word");
  auto built = testing::RunHoist(repo.root(), {"build", "app"});
  ASSERT_EQ(built.exit_code, 0) << built.err;
  EXPECT_EQ(AppWord(repo), "copied\n");
  EXPECT_FALSE(EngineHas(name));
}

// In a registry a dependency is pinned by digest as well: the build uses exactly the image it
// pulled, whatever moves the tag meanwhile.
TEST_F(DependencyPinning, InARegistryTheDependencyIsPinnedByDigest) {
  testing::RegistryFixture registry;
  TempRepo repo;
  const std::string name = "greeting-" + Token().substr(0, 8);
  Make(repo, name, "pulled", "FROM " + name);
  auto built =
      testing::RunHoist(repo.root(), {"--registry", registry.host() + "/t", "build", "app"});
  ASSERT_EQ(built.exit_code, 0) << built.err;
  const std::string dir = testing::MakeTempDir("hoist-pinned");
  auto context = testing::RunHoist(repo.root(), {"--registry", registry.host() + "/t", "context",
                                                 "app", "-o", dir + "/context.tar"});
  ASSERT_EQ(context.exit_code, 0) << context.err;
  const std::string dockerfile = RunOk(dir, {"tar", "-xOf", "context.tar", ".dockerfile.hoist"});
  EXPECT_EQ(dockerfile.rfind("FROM " + registry.host() + "/t/" + name + ":cache-" +
                                 testing::HashOf(repo.root(), name) + "@sha256:",
                             0),
            0u)
      << dockerfile;
  const std::string image = registry.host() + "/t/app:cache-" + testing::HashOf(repo.root(), "app");
  RunOk("/", {"docker", "pull", "-q", image});
  EXPECT_EQ(RunOk("/", {"docker", "run", "--rm", "--network=none", image, "cat", "/app-word"}),
            "pulled\n");
}

}  // namespace
}  // namespace hoist
