// Build decisions and the deploy gate against a store in memory.
#include <gtest/gtest.h>

#include "source/git_repository.h"
#include "stages/deploy.h"
#include "stages/project_build.h"
#include "stages/test_job.h"
#include "store/tag_names.h"
#include "support/fakes.h"
#include "support/temp_repo.h"

namespace hoist {
namespace {

using testing::FakeImageBuilder;
using testing::FakeImageStore;

class Decisions : public ::testing::Test {
 protected:
  Decisions() : repository(*GitRepository::Open(repo.root())), graph(Make()) {}
  const Manifest& Make() {
    manifest.projects.resize(2);
    manifest.projects[0].name = "lib";
    manifest.projects[1].name = "app";
    manifest.projects[1].dependencies = {"lib"};
    TestJob unit{"unit", {"true"}, false};
    manifest.projects[1].tests = {unit};
    manifest.Reindex();
    hashes = {{std::string(64, '1'), false, ""}, {std::string(64, '2'), false, ""}};
    return manifest;
  }
  Expected<BuildDecision> Decide(int project) {
    BuildEnvironment env{manifest, graph, hashes, repository, store, builder, settings, ""};
    return DecideBuild(env, project);
  }
  testing::TempRepo repo;
  GitRepository repository;
  Manifest manifest;
  std::vector<ProjectHash> hashes;
  DependencyGraph graph;
  FakeImageStore store;
  FakeImageBuilder builder;
  BuildSettings settings;
};

TEST_F(Decisions, AnImageOfTheHashIsCachedAndItsAbsenceABuild) {
  store.AddImage("lib", tag::Image(hashes[0].hash));
  auto cached = Decide(0);
  ASSERT_TRUE(cached.ok());
  EXPECT_FALSE(cached->build);
  EXPECT_EQ(cached->reason, "image cache-111111111111 exists");
  auto missing = Decide(1);
  ASSERT_TRUE(missing.ok());
  EXPECT_TRUE(missing->build);
  EXPECT_EQ(missing->reason, "no image cache-222222222222");
}

TEST_F(Decisions, ForceTaintAndCiRebuildBuildWhatIsCached) {
  store.AddImage("lib", tag::Image(hashes[0].hash));
  store.AddImage("app", tag::Image(hashes[1].hash));
  ASSERT_TRUE(store.PutMarker("lib", tag::kTaint, Marker{}).ok());
  auto tainted = Decide(0);
  ASSERT_TRUE(tainted.ok());
  EXPECT_TRUE(tainted->build);
  EXPECT_TRUE(tainted->tainted);
  EXPECT_EQ(tainted->reason, "tainted");
  settings.force_projects = {"app"};
  auto forced = Decide(1);
  ASSERT_TRUE(forced.ok());
  EXPECT_TRUE(forced->build);
  EXPECT_EQ(forced->reason, "forced");
}

TEST_F(Decisions, AStoreThatCannotTellIsAnErrorNeverABuildOrACacheHit) {
  store.Fail("lib", tag::Image(hashes[0].hash));
  auto decision = Decide(0);
  ASSERT_FALSE(decision.ok());
  EXPECT_NE(decision.error().message.find("503"), std::string::npos);
}

TEST_F(Decisions, UncommittedInputsAreNotPushedToARegistryUnlessAllowed) {
  hashes[0].dirty = true;
  auto refused = Decide(0);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().message.find("--allow-dirty"), std::string::npos);
  settings.allow_dirty = true;
  EXPECT_TRUE(Decide(0).ok());
}

TEST_F(Decisions, TheDeployGateWantsEveryImageAndEveryPassOfTheSameDefinition) {
  auto all_missing = MissingForDeploy(manifest, hashes, store);
  ASSERT_TRUE(all_missing.ok());
  EXPECT_EQ(all_missing->size(), 3u);  // two images, one test pass
  store.AddImage("lib", tag::Image(hashes[0].hash));
  store.AddImage("app", tag::Image(hashes[1].hash));
  // A pass of another definition of the job (its command changed) does not count.
  Marker old;
  old.kind = "test";
  old.definition = "sha256:other";
  ASSERT_TRUE(store.PutMarker("app", tag::TestPass(hashes[1].hash, "unit"), old).ok());
  auto stale = MissingForDeploy(manifest, hashes, store);
  ASSERT_TRUE(stale.ok());
  ASSERT_EQ(stale->size(), 1u);
  EXPECT_NE(stale->front().find("test job 'unit' has not passed"), std::string::npos);
  ASSERT_TRUE(
      RecordTestPass(store, "app", hashes[1].hash, "c0ffee", manifest.projects[1].tests[0]).ok());
  auto open = MissingForDeploy(manifest, hashes, store);
  ASSERT_TRUE(open.ok());
  EXPECT_TRUE(open->empty());
  // Uncommitted inputs never deploy; a store that cannot tell is an error, not "missing".
  hashes[0].dirty = true;
  EXPECT_EQ(MissingForDeploy(manifest, hashes, store)->size(), 1u);
  hashes[0].dirty = false;
  store.Fail("app", tag::TestPass(hashes[1].hash, "unit"));
  EXPECT_FALSE(MissingForDeploy(manifest, hashes, store).ok());
}

}  // namespace
}  // namespace hoist
