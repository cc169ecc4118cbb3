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
  EXPECT_EQ(tainted->reason, "tainted: replaces the image cache-111111111111 names now");
  settings.force_projects = {"app"};
  auto forced = Decide(1);
  ASSERT_TRUE(forced.ok());
  EXPECT_TRUE(forced->build);
  // A forced build of an image that exists says it replaces it, and which one.
  EXPECT_EQ(forced->reason, "forced: replaces the image cache-222222222222 names now");
  EXPECT_EQ(forced->previous, *store.Digest("app", tag::Image(hashes[1].hash)).value());
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

/// The build record a trusted build writes beside cache-<hash>.
void RecordBuilt(ImageStore& store, const std::string& project, const std::string& hash) {
  Marker built;
  built.kind = "built";
  built.hash = hash;
  built.digest = *store.Digest(project, tag::Image(hash)).value();
  ASSERT_TRUE(store.PutMarker(project, tag::Built(hash), built).ok());
}

TEST_F(Decisions, TheDeployGateWantsEveryImageAndEveryPassOfTheSameDefinitionAndBytes) {
  store.set_provenance({"trusted", "", "run-1"});
  std::vector<std::string> digests;
  auto all_missing = MissingForDeploy(manifest, hashes, store, digests, "/nonexistent");
  ASSERT_TRUE(all_missing.ok());
  EXPECT_EQ(all_missing->size(), 2u);  // two images
  store.AddImage("lib", tag::Image(hashes[0].hash));
  store.AddImage("app", tag::Image(hashes[1].hash));
  // An image hoist did not build on a trusted run (pushed by hand, an older hoist) is refused.
  auto unrecorded = MissingForDeploy(manifest, hashes, store, digests, "/nonexistent");
  ASSERT_EQ(unrecorded->size(), 3u);
  EXPECT_NE(unrecorded->front().find("has no build record"), std::string::npos);
  RecordBuilt(store, "lib", hashes[0].hash);
  RecordBuilt(store, "app", hashes[1].hash);
  // A pass of another definition of the job (its command changed) does not count.
  Marker old;
  old.kind = "test";
  old.definition = "sha256:other";
  ASSERT_TRUE(store.PutMarker("app", tag::TestPass(hashes[1].hash, "unit"), old).ok());
  auto stale = MissingForDeploy(manifest, hashes, store, digests, "/nonexistent");
  ASSERT_TRUE(stale.ok());
  ASSERT_EQ(stale->size(), 1u);
  EXPECT_NE(stale->front().find("test job 'unit' has not passed"), std::string::npos);
  const std::string tested = *store.Digest("app", tag::Image(hashes[1].hash)).value();
  ASSERT_TRUE(
      RecordTestPass(store, "app", hashes[1].hash, tested, "c0ffee", manifest.projects[1].tests[0])
          .ok());
  auto open = MissingForDeploy(manifest, hashes, store, digests, "/nonexistent");
  ASSERT_TRUE(open.ok());
  EXPECT_TRUE(open->empty());
  EXPECT_EQ(digests[1], tested);  // what the deploy promotes: the bytes checked
  // Uncommitted inputs never deploy; a store that cannot tell is an error, not "missing".
  hashes[0].dirty = true;
  EXPECT_EQ(MissingForDeploy(manifest, hashes, store, digests, "/nonexistent")->size(), 1u);
  hashes[0].dirty = false;

  // The same hash rebuilt (--force, [ci rebuild], a race): other bytes under cache-<hash>.
  // Neither the build record nor the pass speaks for them.
  store.AddImage("app", tag::Image(hashes[1].hash));
  auto replaced = MissingForDeploy(manifest, hashes, store, digests, "/nonexistent");
  ASSERT_EQ(replaced->size(), 2u);
  EXPECT_NE((*replaced)[0].find("but its build record names " + tested), std::string::npos)
      << (*replaced)[0];
  EXPECT_NE((*replaced)[1].find("it passed on " + tested), std::string::npos) << (*replaced)[1];
  RecordBuilt(store, "app", hashes[1].hash);
  const std::string retested = *store.Digest("app", tag::Image(hashes[1].hash)).value();
  ASSERT_TRUE(RecordTestPass(store, "app", hashes[1].hash, retested, "c0ffee",
                             manifest.projects[1].tests[0])
                  .ok());
  EXPECT_TRUE(MissingForDeploy(manifest, hashes, store, digests, "/nonexistent")->empty());

  // Records an untrusted run wrote never open the gate.
  store.set_provenance({"untrusted", "", "run-2"});
  RecordBuilt(store, "lib", hashes[0].hash);
  auto untrusted = MissingForDeploy(manifest, hashes, store, digests, "/nonexistent");
  ASSERT_EQ(untrusted->size(), 1u);
  EXPECT_NE(untrusted->front().find("was built by an untrusted run"), std::string::npos);

  store.Fail("app", tag::TestPass(hashes[1].hash, "unit"));
  EXPECT_FALSE(MissingForDeploy(manifest, hashes, store, digests, "/nonexistent").ok());
}

}  // namespace
}  // namespace hoist
