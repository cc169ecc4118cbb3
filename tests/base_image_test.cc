// Every outside image a Dockerfile builds on is resolved to a digest (or, for one made on the
// engine, its image id) that is an input of the hash, and the build uses exactly that image:
// a base tag that moves is a new hash and a rebuild on the new base, never a stale cache hit.
#include <gtest/gtest.h>

#include <random>

#include "support/docker_engine.h"
#include "support/registry_fixture.h"
#include "support/temp_repo.h"

namespace hoist {
namespace {

using testing::RunHoist;
using testing::RunOk;
using testing::TempRepo;

std::string Token() {
  std::random_device random;
  return std::to_string(random() % 100000000);
}

/// Builds an image holding /marker = `word` on the engine, tagged `reference`.
void MakeBase(const std::string& reference, const std::string& word) {
  RunOk("/", {"docker", "build", "--quiet", "--network=none", "--tag", reference, "-"},
        "FROM hoist-example/busybox:1\nRUN echo " + word + " > /marker\n");
}

class BaseImages : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(testing::EnsureDockerEngine(), "");
    RunOk(HOIST_SOURCE_DIR, {"bash", "scripts/make-busybox-image.sh"});
  }
  void Make(const std::string& from) {
    repo.Write("build_manifest.yml", "app:\n  buildDir: app\n");
    repo.Write("app/Dockerfile", "FROM " + from + "\nRUN cp /marker /seen\n");
    repo.Commit();
  }
  std::string Seen() {
    const std::string image = "hoist/app:cache-" + testing::HashOf(repo.root(), "app");
    return RunOk("/", {"docker", "run", "--rm", "--network=none", image, "cat", "/seen"});
  }
  TempRepo repo;
};

TEST_F(BaseImages, ABaseTagMovedInItsRegistryIsANewHashAndARebuildOnTheNewBase) {
  testing::RegistryFixture registry;
  const std::string base = registry.host() + "/acme/base-" + Token() + ":1";
  MakeBase(base, "one");
  RunOk("/", {"docker", "push", "--quiet", base});
  Make(base);
  auto built = RunHoist(repo.root(), {"build", "app"});
  ASSERT_EQ(built.exit_code, 0) << built.err;
  EXPECT_EQ(Seen(), "one\n");
  const std::string first = testing::HashOf(repo.root(), "app");

  // The tag moves in the registry; this engine still has the old image under that name.
  MakeBase(base, "two");
  RunOk("/", {"docker", "push", "--quiet", base});
  MakeBase(base, "one");
  const std::string second = testing::HashOf(repo.root(), "app");
  EXPECT_NE(second, first);
  built = RunHoist(repo.root(), {"--json", "build", "app"});
  ASSERT_EQ(built.exit_code, 0) << built.err;
  EXPECT_EQ(testing::BuildResults(built.out)["app"], "built");
  EXPECT_EQ(Seen(), "two\n");  // the registry's image, by digest, not the engine's stale tag
  auto explained = RunHoist(repo.root(), {"explain", "app"});
  EXPECT_NE(explained.out.find("base image  " + base + " sha256:"), std::string::npos)
      << explained.out;
}

TEST_F(BaseImages, AnImageMadeOnTheEngineIsPinnedByItsImageId) {
  const std::string base = "hoist-test/local-base-" + Token() + ":1";
  MakeBase(base, "one");
  Make(base);
  auto built = RunHoist(repo.root(), {"build", "app"});
  ASSERT_EQ(built.exit_code, 0) << built.err;
  EXPECT_EQ(Seen(), "one\n");
  const std::string first = testing::HashOf(repo.root(), "app");
  MakeBase(base, "two");  // the same name, another image
  EXPECT_NE(testing::HashOf(repo.root(), "app"), first);
  built = RunHoist(repo.root(), {"build", "app"});
  ASSERT_EQ(built.exit_code, 0) << built.err;
  EXPECT_EQ(Seen(), "two\n");
}

TEST_F(BaseImages, ABaseNobodyHasIsRefusedWithTheFix) {
  testing::RegistryFixture registry;
  Make(registry.host() + "/acme/missing:1");
  auto hashed = RunHoist(repo.root(), {"hash", "app"});
  EXPECT_EQ(hashed.exit_code, 1);
  EXPECT_NE(hashed.err.find("cannot tell which image"), std::string::npos) << hashed.err;
  EXPECT_NE(hashed.err.find("docker pull"), std::string::npos) << hashed.err;
  auto built = RunHoist(repo.root(), {"build", "app"});
  EXPECT_EQ(built.exit_code, 1);
  EXPECT_NE(built.err.find("cannot tell which image"), std::string::npos) << built.err;
}

TEST_F(BaseImages, ADigestInTheDockerfileIsUsedAsItIsWithoutAsking) {
  // A digest nobody can look up here: hoist takes it from the Dockerfile, asks no one.
  Make("example.invalid/base@sha256:" + std::string(64, 'a'));
  auto explained = RunHoist(repo.root(), {"explain", "app"});
  EXPECT_EQ(explained.exit_code, 0) << explained.err;
  EXPECT_NE(explained.out.find("sha256:" + std::string(64, 'a')), std::string::npos);
}

}  // namespace
}  // namespace hoist
