// hoist build and test with --compat aztec: images and passes under the tags the Aztec build
// system's YAML-era scripts read and wrote (cache-<its content hash>, -<arch>, -<job>), so
// what a team's registry already holds is reused after the switch.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "support/docker_engine.h"
#include "support/registry_fixture.h"
#include "support/temp_repo.h"

namespace hoist {
namespace {

using testing::RegistryFixture;
using testing::RunOk;
using testing::TempRepo;

class CompatBuild : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(testing::EnsureDockerEngine(), "");
    RunOk(HOIST_SOURCE_DIR, {"bash", "scripts/make-busybox-image.sh"});
    repo.Write("build_manifest.yml",
               "lib:\n  buildDir: lib\n"
               "app:\n  buildDir: app\n  dependencies: [lib]\n"
               "tool:\n  buildDir: tool\n  multiarch: host\n");
    repo.Write("lib/Dockerfile", "FROM hoist-example/busybox:1\nCOPY lib.txt /lib.txt\n");
    repo.Write("lib/lib.txt", "v1\n");
    // As the Aztec repositories wrote it: the dependency named by its deploy registry.
    repo.Write("app/Dockerfile",
               "FROM 278380418400.dkr.ecr.eu-west-2.amazonaws.com/lib\nCOPY app.txt /app.txt\n");
    repo.Write("app/app.txt", "app\n");
    repo.Write("tool/Dockerfile", "FROM hoist-example/busybox:1\nCOPY t /t\n");
    repo.Write("tool/t", "t\n");
    repo.Commit("initial");
  }
  testing::HoistRun Hoist(std::vector<std::string> args) {
    args.insert(args.begin(), {"--registry", registry.host() + "/t"});
    last = testing::RunHoist(repo.root(), args);
    return last;
  }
  std::map<std::string, std::string> Results(std::vector<std::string> args, int expected = 0) {
    args.insert(args.begin(), "--json");
    auto run = Hoist(args);
    EXPECT_EQ(run.exit_code, expected) << run.err;
    std::map<std::string, std::string> out;
    auto json = nlohmann::json::parse(run.out, nullptr, false);
    if (!json.is_object() || !json.contains("jobs")) return out;
    for (const auto& job : json["jobs"]) {
      std::string name = job.contains("job") && !job["job"].is_null()
                             ? job["job"].get<std::string>()
                             : job["project"].get<std::string>();
      out[name] = job["result"].get<std::string>();
    }
    return out;
  }
  /// What the Aztec build system's calculate_content_hash gives, computed here as it did:
  /// the ids of the `git ls-tree -r` rows matching the patterns, hashed as a git blob.
  std::string AztecHash(const std::string& pattern) {
    return testing::Lines(
        RunOk(repo.root(), {"sh", "-c",
                            "git ls-tree -r HEAD | awk -v p='" + pattern +
                                "' '$4 ~ p {print $3}' | git hash-object --stdin"}))[0];
  }
  bool Tagged(const std::string& project, const std::string& tag) {
    return Hoist({"image", "exists", project, tag}).exit_code == 0;
  }
  /// The manifest digest the registry serves for `project:tag`.
  std::string Digest(const std::string& project, const std::string& tag) {
    std::string headers =
        RunOk("/", {"curl", "-sfI", "-H",
                    "Accept: application/vnd.docker.distribution.manifest.v2+json, "
                    "application/vnd.oci.image.manifest.v1+json, "
                    "application/vnd.oci.image.index.v1+json, "
                    "application/vnd.docker.distribution.manifest.list.v2+json",
                    "http://" + registry.host() + "/v2/t/" + project + "/manifests/" + tag});
    for (const auto& line : testing::Lines(headers)) {
      if (line.rfind("Docker-Content-Digest: ", 0) == 0) return line.substr(23, 71);
    }
    return "none";
  }

  TempRepo repo;
  RegistryFixture registry;
  testing::HoistRun last;
};

TEST_F(CompatBuild, ImagesLandUnderTheAztecScriptsTagsAndTheirImagesAreReused) {
  const std::string lib = AztecHash("^lib/");
  const std::string app = AztecHash("^(app|lib)/");
  const std::string tool = AztecHash("^tool/");
  ASSERT_EQ(testing::Lines(RunOk(repo.root(), {HOIST_BINARY, "hash", "--compat", "aztec", "lib"})),
            (std::vector<std::string>{"lib\t" + lib}));

  EXPECT_EQ(
      Results({"build", "--compat", "aztec", "--all"}),
      (std::map<std::string, std::string>{{"lib", "built"}, {"app", "built"}, {"tool", "built"}}));
  EXPECT_TRUE(Tagged("lib", "cache-" + lib));
  EXPECT_TRUE(Tagged("app", "cache-" + app));
  // multiarch: host, as `uname -m` names this machine (create_ecr_manifest's input) and the
  // combined cache-<hash> its build checked.
  EXPECT_TRUE(Tagged("tool", "cache-" + tool + "-x86_64") ||
              Tagged("tool", "cache-" + tool + "-arm64"));
  EXPECT_TRUE(Tagged("tool", "cache-" + tool));
  // HOIST_COMPAT does what --compat does; a second pipeline on the same commit builds nothing.
  auto again = testing::RunHoist(repo.root(),
                                 {"--json", "--registry", registry.host() + "/t", "build", "--all"},
                                 {"HOIST_COMPAT=aztec"});
  EXPECT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(testing::BuildResults(again.out),
            (std::map<std::string, std::string>{
                {"lib", "cached"}, {"app", "cached"}, {"tool", "cached"}}));

  // The next commit's lib was built by the Aztec scripts (docker build + push, no hoist
  // labels, no markers): hoist takes it as it is and builds app from it.
  repo.Write("lib/lib.txt", "v2\n");
  repo.Commit("lib v2");
  const std::string lib2 = AztecHash("^lib/");
  const std::string theirs = registry.host() + "/t/lib:cache-" + lib2;
  RunOk(repo.root() + "/lib", {"docker", "build", "-q", "--network=none", "-t", theirs, "."});
  RunOk("/", {"docker", "push", "-q", theirs});
  EXPECT_EQ(Results({"build", "--compat", "aztec", "--all"}),
            (std::map<std::string, std::string>{
                {"lib", "cached"}, {"app", "built"}, {"tool", "cached"}}));
  const std::string app2 = AztecHash("^(app|lib)/");
  std::string image = registry.host() + "/t/app:cache-" + app2;
  RunOk("/", {"docker", "pull", "-q", image});
  EXPECT_EQ(RunOk("/", {"docker", "run", "--rm", "--network=none", image, "cat", "/lib.txt"}),
            "v2\n");
}

// The Aztec content hash covers committed files only (git ls-tree): an uncommitted edit leaves
// it as it was. An image of such a working tree cannot be keyed by it: cache-<hash> would say
// the commit and hold the edit; and the edit was never built (build_local took the commit's
// image). Refused, on the local engine and with --allow-dirty too, saying what builds it.
TEST_F(CompatBuild, AnUncommittedEditIsRefusedNotHiddenUnderTheCommitsHash) {
  auto clean = testing::RunHoist(repo.root(), {"build", "--compat", "aztec", "lib"});
  ASSERT_EQ(clean.exit_code, 0) << clean.out << clean.err;
  repo.Write("lib/lib.txt", "edited\n");
  auto local = testing::RunHoist(repo.root(), {"build", "--compat", "aztec", "lib"});
  EXPECT_NE(local.exit_code, 0) << local.out << local.err;
  EXPECT_NE((local.out + local.err).find("which the Aztec content hash (of committed files)"),
            std::string::npos)
      << local.out << local.err;
  auto allowed = Hoist({"build", "--compat", "aztec", "--allow-dirty", "lib"});
  EXPECT_NE(allowed.exit_code, 0) << allowed.out << allowed.err;
  // hoist's own hash covers the edit: that build is the way.
  auto own = testing::RunHoist(repo.root(), {"build", "lib"});
  EXPECT_EQ(own.exit_code, 0) << own.out << own.err;
}

TEST_F(CompatBuild, AReleaseTagRebuildsWhatBakesItInAsTheAztecScriptsDid) {
  // The Aztec hash leaves COMMIT_TAG out: a tagged commit must not ship the image an
  // untagged one built when the Dockerfile bakes the tag in (check_rebuild: ARG COMMIT_TAG=).
  repo.Write("tool/Dockerfile",
             "FROM hoist-example/busybox:1\nARG COMMIT_TAG=\nRUN echo \"v=$COMMIT_TAG\" > /tag\n");
  repo.Commit("tool bakes the tag");
  ASSERT_EQ(Hoist({"build", "--compat", "aztec", "--all"}).exit_code, 0) << last.err;
  EXPECT_EQ(Results({"build", "--compat", "aztec", "--all", "--commit-tag", "v1.2.3"}),
            (std::map<std::string, std::string>{
                {"lib", "cached"}, {"app", "cached"}, {"tool", "built"}}));
  EXPECT_NE(last.out.find("bakes in COMMIT_TAG"), std::string::npos) << last.out;
  const std::string image = registry.host() + "/t/tool:cache-" + AztecHash("^tool/");
  RunOk("/", {"docker", "pull", "-q", image});
  // Without its 'v', as extract_tag_version gave it.
  EXPECT_EQ(RunOk("/", {"docker", "run", "--rm", "--network=none", image, "cat", "/tag"}),
            "v=1.2.3\n");
}

TEST_F(CompatBuild, TestPassesAreTheImageTaggedWithTheJobName) {
  ASSERT_EQ(Hoist({"build", "--compat", "aztec", "app"}).exit_code, 0) << last.err;
  const std::string app = AztecHash("^(app|lib)/");
  EXPECT_EQ(
      Results({"test", "--compat", "aztec", "app", "--job", "e2e", "--", "test", "-f", "/app.txt"}),
      (std::map<std::string, std::string>{{"e2e", "passed"}}));
  // As cond_spot_run_test tagged a pass: the image itself under cache-<hash>-<job>.
  ASSERT_TRUE(Tagged("app", "cache-" + app + "-e2e"));
  EXPECT_EQ(Digest("app", "cache-" + app + "-e2e"), Digest("app", "cache-" + app));
  EXPECT_EQ(
      Results({"test", "--compat", "aztec", "app", "--job", "e2e", "--", "test", "-f", "/app.txt"}),
      (std::map<std::string, std::string>{{"e2e", "cached"}}));
  // A pass the Aztec scripts recorded (tag_remote_image R cache-H cache-H-lint) counts: the
  // job is not run again (it would fail).
  ASSERT_EQ(Hoist({"image", "tag", "app", "cache-" + app, "cache-" + app + "-lint"}).exit_code, 0)
      << last.err;
  EXPECT_EQ(Results({"test", "--compat", "aztec", "app", "--job", "lint", "--", "false"}),
            (std::map<std::string, std::string>{{"lint", "cached"}}));
  // Not when that tag names another image: then the job runs.
  ASSERT_EQ(Hoist({"build", "--compat", "aztec", "lib"}).exit_code, 0) << last.err;
  const std::string lib = AztecHash("^lib/");
  ASSERT_EQ(Hoist({"image", "copy", registry.host() + "/t/lib:cache-" + lib,
                   registry.host() + "/t/app:cache-" + app + "-smoke"})
                .exit_code,
            0)
      << last.err;
  EXPECT_EQ(Results({"test", "--compat", "aztec", "app", "--job", "smoke", "--", "false"}, 1),
            (std::map<std::string, std::string>{{"smoke", "failed"}}));
}

}  // namespace
}  // namespace hoist
