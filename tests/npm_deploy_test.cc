// The npm deploy step against a real npm registry (verdaccio on loopback): publish on a tagged
// commit, a re-run of the same version skips, a lower version is refused, the pre-release word
// becomes the dist-tag, and the working tree is left untouched.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "support/docker_engine.h"
#include "support/npm_registry_fixture.h"
#include "support/registry_fixture.h"
#include "support/temp_repo.h"

namespace hoist {
namespace {

using testing::HoistRun;
using testing::NpmRegistryFixture;
using testing::RegistryFixture;
using testing::TempRepo;

class NpmDeploy : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(npm.ok()) << npm.problem();
    repo.Write("PROJECT", "acme\n");
    repo.Write("VERSION", "1.2\n");
    repo.Write("build_manifest.yml",
               "util:\n  buildDir: util\n  deploy:\n    - type: npm\n      registry: " + npm.url() +
                   "\n"
                   "lib:\n  buildDir: lib\n  dependencies: [util]\n  deploy:\n"
                   "    - type: npm\n      dir: pkg\n      registry: " +
                   npm.url() + "\n");
    repo.Write("util/Dockerfile", "FROM scratch\n");
    repo.Write("util/package.json", R"({"name": "@acme/util", "version": "0.0.0-dev"})"
                                    "\n");
    repo.Write("util/index.js", "module.exports = 1;\n");
    repo.Write("lib/Dockerfile", "FROM scratch\n");
    repo.Write("lib/pkg/package.json",
               R"({"name": "@acme/lib", "version": "0.0.0-dev", "main": "index.js",)"
               R"( "dependencies": {"@acme/util": "file:../../util", "left-pad": "^1.3.0"}})"
               "\n");
    repo.Write("lib/pkg/index.js", "module.exports = require('@acme/util');\n");
    repo.Commit();
  }

  /// Pushes cache-<hash> of every project, as a build would have.
  void PushImages() {
    HttpClient http;
    auto client = cache.Client(http);
    for (const char* project : {"util", "lib"}) {
      const std::string hash = testing::HashOf(repo.root(), project);
      testing::PushBuiltImage(cache, std::string("ci/") + project, hash, project);
    }
  }

  /// hoist deploy as CircleCI runs it on the tag `tag` ("" for a branch build).
  HoistRun Deploy(const std::string& tag, std::vector<std::string> extra = {}) {
    ProcessSpec spec;
    spec.argv = {HOIST_BINARY,
                 "--registry",
                 cache.host() + "/ci",
                 "--deploy-registry",
                 target.host() + "/prod",
                 "deploy"};
    spec.argv.insert(spec.argv.end(), extra.begin(), extra.end());
    spec.cwd = repo.root();
    spec.env = {"CIRCLECI=true",
                "CIRCLE_TAG=" + tag,
                "CIRCLE_BRANCH=" + std::string(tag.empty() ? "main" : ""),
                "GITHUB_ACTIONS=",
                "GITLAB_CI=",
                "BUILDKITE=",
                "NPM_TOKEN=" + npm.token()};
    auto result = RunProcess(spec);
    EXPECT_TRUE(result.ok());
    return {result->exit_code, result->stdout_text, result->stderr_text};
  }

  /// What the registry knows of `package`: {versions, dist-tags}, or null when unpublished.
  nlohmann::json View(const std::string& package, const std::string& fields) {
    ProcessSpec spec;
    spec.argv = {"npm", "view", package, "--json", "--registry", npm.url()};
    for (size_t start = 0, space; start < fields.size(); start = space + 1) {
      space = fields.find(' ', start);
      if (space == std::string::npos) space = fields.size();
      spec.argv.push_back(fields.substr(start, space - start));
    }
    spec.cwd = repo.root();
    auto result = RunProcess(spec);
    if (!result.ok() || result->exit_code != 0) return nullptr;
    return nlohmann::json::parse(result->stdout_text, nullptr, false);
  }

  void Change(const std::string& text) {
    repo.Write("util/index.js", "module.exports = '" + text + "';\n");
    repo.Write("lib/pkg/index.js", "module.exports = '" + text + "';\n");
    repo.Commit();
    PushImages();
  }

  NpmRegistryFixture npm;
  TempRepo repo;
  RegistryFixture cache, target;
};

TEST_F(NpmDeploy, PublishesTaggedVersionsOnceAndNeverBackwards) {
  PushImages();
  // A branch build publishes nothing.
  auto branch = Deploy("");
  ASSERT_EQ(branch.exit_code, 0) << branch.err;
  EXPECT_NE(branch.err.find("skipped, not a tagged commit"), std::string::npos) << branch.err;
  EXPECT_TRUE(View("@acme/util", "versions").is_null());

  // The release tag publishes both packages at 1.2.3 under "latest", the sibling dependency
  // pinned to the same version; the working tree keeps its package.json.
  auto release = Deploy("v1.2.3");
  ASSERT_EQ(release.exit_code, 0) << release.err;
  EXPECT_NE(release.err.find("[util] npm @acme/util@1.2.3: publishing under dist-tag 'latest'"),
            std::string::npos)
      << release.err;
  EXPECT_EQ(View("@acme/util", "dist-tags")["latest"], "1.2.3") << release.err;
  auto lib = View("@acme/lib@1.2.3", "dependencies version");
  EXPECT_EQ(lib["version"], "1.2.3");
  EXPECT_EQ(lib["dependencies"]["@acme/util"], "1.2.3");
  EXPECT_EQ(lib["dependencies"]["left-pad"], "^1.3.0");
  EXPECT_EQ(repo.Git({"status", "--porcelain"}), "");

  // The same version again (a re-run of the tag's pipeline on a new commit): skipped.
  Change("rerun");
  auto rerun = Deploy("v1.2.3");
  ASSERT_EQ(rerun.exit_code, 0) << rerun.err;
  EXPECT_NE(rerun.err.find("@acme/util@1.2.3 is already published: nothing to do"),
            std::string::npos)
      << rerun.err;

  // A lower version is refused, and the project stays undeployed.
  Change("lower");
  auto lower = Deploy("v1.2.1");
  EXPECT_EQ(lower.exit_code, 1);
  EXPECT_NE(lower.err.find("@acme/util@1.2.1 is lower than 1.2.3, already published under "
                           "dist-tag 'latest'"),
            std::string::npos)
      << lower.err;
  EXPECT_EQ(View("@acme/util", "versions").dump(), R"(["1.2.3"])");
  HttpClient http;
  std::string hash = testing::HashOf(repo.root(), "util");
  auto marker = cache.Client(http)->HeadManifest("ci/util", "deploy-" + hash + "-acme-prod");
  ASSERT_TRUE(marker.ok());
  EXPECT_FALSE(marker->has_value());

  // A pre-release publishes under its word, leaving "latest" alone.
  auto testnet = Deploy("v1.2.4-testnet.0");
  ASSERT_EQ(testnet.exit_code, 0) << testnet.err;
  auto tags = View("@acme/util", "dist-tags");
  EXPECT_EQ(tags["testnet"], "1.2.4-testnet.0");
  EXPECT_EQ(tags["latest"], "1.2.3");
}

TEST_F(NpmDeploy, PublishesWhatTheImageBuilt) {
  // As the seed did: the package (with its build output) is copied out of cache-<hash>.
  ASSERT_EQ(testing::EnsureDockerEngine(), "");
  testing::RunOk(HOIST_SOURCE_DIR, {"bash", "scripts/make-busybox-image.sh"});
  repo.Write("build_manifest.yml",
             "pkg:\n  buildDir: pkg\n  deploy:\n    - type: npm\n"
             "      fromImage: /usr/src/pkg\n      registry: " +
                 npm.url() + "\n");
  repo.Write("pkg/Dockerfile",
             "FROM hoist-example/busybox:1\nCOPY package.json /usr/src/pkg/package.json\n"
             "RUN mkdir /usr/src/pkg/dist && echo 'module.exports = 42;' > "
             "/usr/src/pkg/dist/index.js\n");
  repo.Write("pkg/package.json", R"({"name": "@acme/pkg", "version": "0.0.0-dev"})"
                                 "\n");
  repo.Commit("pkg");
  auto built = testing::RunHoist(repo.root(), {"--registry", cache.host() + "/ci", "build", "pkg"});
  ASSERT_EQ(built.exit_code, 0) << built.err;
  auto release = Deploy("v1.2.3");
  ASSERT_EQ(release.exit_code, 0) << release.err;
  EXPECT_NE(release.err.find("docker cp"), std::string::npos) << release.err;
  // The published tarball holds what only the image had.
  const nlohmann::json tarball = View("@acme/pkg@1.2.3", "dist.tarball");
  ASSERT_TRUE(tarball.is_string()) << release.err;
  const std::string listing = testing::RunOk(
      repo.root(), {"sh", "-c", "curl -sSf '" + tarball.get<std::string>() + "' | tar -tzf -"});
  EXPECT_NE(listing.find("package/dist/index.js"), std::string::npos) << listing;
  EXPECT_NE(listing.find("package/package.json"), std::string::npos) << listing;
}

TEST_F(NpmDeploy, BadInputs) {
  // No package.json where the step points.
  repo.Write("build_manifest.yml",
             "util:\n  buildDir: util\n  deploy:\n    - type: npm\n"
             "      dir: missing\n      registry: " +
                 npm.url() + "\n");
  repo.Commit();
  HttpClient http;
  std::string hash = testing::HashOf(repo.root(), "util");
  testing::PushBuiltImage(cache, "ci/util", hash, "util");
  auto absent = Deploy("v1.2.3");
  EXPECT_EQ(absent.exit_code, 1);
  EXPECT_NE(absent.err.find(repo.root() + "/util/missing/package.json does not exist"),
            std::string::npos)
      << absent.err;

  // A tag that is not semver.
  repo.Write("build_manifest.yml",
             "util:\n  buildDir: util\n  deploy:\n    - type: npm\n"
             "      registry: " +
                 npm.url() + "\n");
  repo.Commit();
  hash = testing::HashOf(repo.root(), "util");
  testing::PushBuiltImage(cache, "ci/util", hash, "util");
  auto not_semver = Deploy("v1.2.03");
  EXPECT_EQ(not_semver.exit_code, 1);
  EXPECT_NE(not_semver.err.find("gives version '1.2.03', which is not semver"), std::string::npos)
      << not_semver.err;

  // A pre-release without a word: npm has no dist-tag for it.
  auto numeric = Deploy("v1.2.4-1");
  EXPECT_EQ(numeric.exit_code, 1);
  EXPECT_NE(numeric.err.find("the pre-release part must start with a word"), std::string::npos)
      << numeric.err;

  // Manifest mistakes: a misspelt key, a registry that is no URL, an unknown access.
  repo.Write("build_manifest.yml",
             "util:\n  buildDir: util\n  deploy:\n    - type: npm\n"
             "      regsitry: http://127.0.0.1:1/\n"
             "    - type: npm\n      registry: 127.0.0.1:1\n"
             "    - type: npm\n      access: private\n"
             "    - type: npm\n      fromImage: usr/src/pkg\n");
  auto manifest = testing::RunHoist(repo.root(), {"projects"});
  EXPECT_EQ(manifest.exit_code, 1);
  EXPECT_NE(manifest.err.find("build_manifest.yml:5:7: error: project 'util': a npm deploy step "
                              "has no key 'regsitry'"),
            std::string::npos)
      << manifest.err;
  EXPECT_NE(manifest.err.find("did you mean 'registry'?"), std::string::npos);
  EXPECT_NE(manifest.err.find("npm registry '127.0.0.1:1' is not a URL"), std::string::npos);
  EXPECT_NE(manifest.err.find("npm access must be public or restricted, not 'private'"),
            std::string::npos);
  EXPECT_NE(manifest.err.find("npm fromImage must be an absolute path in the image, not "
                              "'usr/src/pkg'"),
            std::string::npos)
      << manifest.err;
}

}  // namespace
}  // namespace hoist
