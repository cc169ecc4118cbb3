// `hoist compat aztec install`: the Aztec build system's scripts as shims over hoist, run the
// way a CircleCI config of the Aztec repositories runs them: each step a new bash that reads
// $BASH_ENV, the scripts on PATH after setup_env, against loopback registries.
#include <gtest/gtest.h>

#include <filesystem>

#include "compat/raw_manifest.h"
#include "support/docker_engine.h"
#include "support/registry_fixture.h"
#include "support/temp_repo.h"

namespace hoist {
namespace {

using testing::RegistryFixture;
using testing::RunOk;
using testing::TempRepo;

class CompatShims : public ::testing::Test {
 protected:
  void SetUp() override {
    bash_env = testing::MakeTempDir("circleci") + "/bash_env";
    repo.Write("build_manifest.yml",
               "lib:\n  buildDir: lib\n"
               "app:\n  buildDir: app\n  dependencies: [lib]\n");
    repo.Write("PROJECT", "aztec\n");
    repo.Write("lib/Dockerfile", "FROM hoist-example/busybox:1\nCOPY lib.txt /lib.txt\n");
    repo.Write("lib/lib.txt", "v1\n");
    repo.Write("app/Dockerfile",
               "FROM 278380418400.dkr.ecr.eu-west-2.amazonaws.com/lib\nCOPY app.txt /app.txt\n");
    repo.Write("app/app.txt", "app\n");
    repo.Write("app/scripts/run_tests",
               // From the repository's top level, as on the Aztec scripts' spot machine.
               "#!/bin/sh\necho \"run_tests $JOB_NAME $*\"\ntest -f PROJECT && test \"$1\" = ok\n");
    std::filesystem::permissions(repo.root() + "/app/scripts/run_tests",
                                 std::filesystem::perms::owner_exec,
                                 std::filesystem::perm_options::add);
  }

  /// One CircleCI step: `bash -c COMMAND` in the checkout, $BASH_ENV read at its start.
  testing::HoistRun Step(const std::string& command) {
    ProcessSpec spec;
    spec.argv = {"bash", "-c", command};
    spec.cwd = repo.root();
    spec.timeout_seconds = 300;
    std::string hoist_dir = std::filesystem::path(HOIST_BINARY).parent_path().string();
    spec.env = {"BASH_ENV=" + bash_env,
                "PATH=" + hoist_dir + ":/usr/local/bin:/usr/bin:/bin",
                "HOIST_REGISTRY=" + cache.host(),
                "HOIST_DEPLOY_REGISTRY=" + deploy.host(),
                "HOIST_NETWORK=none",
                "HOIST_RETRY_SLEEP=0",
                "CI=",
                "CIRCLECI=",
                "GITHUB_ACTIONS="};
    auto result = RunProcess(spec);
    EXPECT_TRUE(result.ok());
    return {result->exit_code, result->stdout_text, result->stderr_text};
  }

  bool Tagged(const std::string& registry, const std::string& project, const std::string& tag) {
    return testing::RunHoist(repo.root(), {"--registry", registry, "image", "exists", project, tag})
               .exit_code == 0;
  }

  TempRepo repo;
  RegistryFixture cache;
  RegistryFixture deploy;
  std::string bash_env;
};

TEST_F(CompatShims, InstallWritesEveryScriptAndKeepsATeamsOwnFiles) {
  repo.Write("build-system/scripts/my_helper", "#!/bin/sh\necho mine\n");
  repo.Write("build-system/scripts/build", "#!/bin/sh\necho the old build\n");
  auto refused = testing::RunHoist(repo.root(), {"compat", "aztec", "install", "build-system"});
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_NE(refused.err.find("build-system/scripts/build"), std::string::npos) << refused.err;
  EXPECT_EQ(testing::ReadText(repo.root() + "/build-system/scripts/build"),
            "#!/bin/sh\necho the old build\n");
  auto forced =
      testing::RunHoist(repo.root(), {"compat", "aztec", "install", "build-system", "--force"});
  ASSERT_EQ(forced.exit_code, 0) << forced.err;
  EXPECT_NE(forced.out.find("2024 scripts"), std::string::npos) << forced.out;
  for (const char* name : {"setup_env",
                           "build",
                           "build_local",
                           "cond_spot_run_build",
                           "cond_spot_run_tests",
                           "cond_spot_run_compose",
                           "deploy",
                           "deploy_global",
                           "deploy_ecr",
                           "deploy_dockerhub",
                           "deploy_npm",
                           "deploy_s3",
                           "deploy_terraform",
                           "deploy_service",
                           "query_manifest",
                           "image_exists",
                           "tag_remote_image",
                           "untag_remote_image",
                           "calculate_content_hash",
                           "calculate_image_uri",
                           "should_release",
                           "should_deploy",
                           "extract_repo",
                           "ensure_repo",
                           "retry"}) {
    std::string path = repo.root() + "/build-system/scripts/" + name;
    EXPECT_TRUE(std::filesystem::exists(path)) << name;
    EXPECT_EQ(RunOk("/", {"bash", "-n", path}), "") << name;  // each parses
  }
  EXPECT_EQ(testing::ReadText(repo.root() + "/build-system/scripts/my_helper"),
            "#!/bin/sh\necho mine\n");
  // A second install replaces its own files without --force.
  EXPECT_EQ(
      testing::RunHoist(repo.root(), {"compat", "aztec", "install", "build-system"}).exit_code, 0);
  // A script not provided yet says so and fails, rather than pretending.
  repo.Commit("shims");
  auto missing = Step("build-system/scripts/deploy_npm app");
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.err.find("do not provide this script yet"), std::string::npos) << missing.err;
}

TEST_F(CompatShims, ACircleCiPipelineOfTheAztecScriptsRunsOnHoist) {
  ASSERT_EQ(testing::EnsureDockerEngine(), "");
  RunOk(HOIST_SOURCE_DIR, {"bash", "scripts/make-busybox-image.sh"});
  ASSERT_EQ(
      testing::RunHoist(repo.root(), {"compat", "aztec", "install", "build-system"}).exit_code, 0);
  const std::string sha = repo.Commit("feat: app");
  // The steps of an Aztec repository's CircleCI job, in workflow order.
  auto setup = Step("source ./build-system/scripts/setup_env " + sha +
                    " '' build-app git@github.com:o/r.git master ''");
  ASSERT_EQ(setup.exit_code, 0) << setup.out << setup.err;
  EXPECT_NE(setup.out.find("export DEPLOY_TAG=aztec-dev"), std::string::npos) << setup.out;
  auto build_lib = Step("build lib");
  ASSERT_EQ(build_lib.exit_code, 0) << build_lib.err;
  auto build_app = Step("build app");
  ASSERT_EQ(build_app.exit_code, 0) << build_app.err;
  const std::string lib = Step("calculate_content_hash lib").out;
  const std::string app = Step("calculate_content_hash app").out;
  ASSERT_EQ(lib.size(), 41u) << lib;
  ASSERT_EQ(app.size(), 41u) << app;
  const std::string lib_hash = lib.substr(0, 40), app_hash = app.substr(0, 40);
  EXPECT_TRUE(Tagged(cache.host(), "lib", "cache-" + lib_hash));
  EXPECT_TRUE(Tagged(cache.host(), "app", "cache-" + app_hash));
  EXPECT_EQ(Step("calculate_image_uri app").out, cache.host() + "/app:cache-" + app_hash + "\n");
  EXPECT_EQ(Step("image_exists app cache-" + app_hash).exit_code, 0);
  EXPECT_NE(Step("image_exists app cache-0000").exit_code, 0);

  auto tests = Step("cond_spot_run_test app 32 scripts/run_tests ok");
  ASSERT_EQ(tests.exit_code, 0) << tests.out << tests.err;
  EXPECT_NE(testing::ReadText("/tmp/test-logs/build-app.log").find("run_tests build-app ok"),
            std::string::npos)
      << testing::ReadText("/tmp/test-logs/build-app.log") << tests.err;
  EXPECT_TRUE(Tagged(cache.host(), "app", "cache-" + app_hash + "-build-app"));
  // Another CircleCI job (its own $BASH_ENV, as each job's machine has): a failing test is
  // no pass.
  const std::string first_job = bash_env;
  bash_env = testing::MakeTempDir("circleci") + "/bash_env";
  ASSERT_EQ(Step("source ./build-system/scripts/setup_env " + sha +
                 " '' other git@github.com:o/r.git master ''")
                .exit_code,
            0);
  auto failing = Step("cond_spot_run_test app 32 scripts/run_tests bad");
  EXPECT_NE(failing.exit_code, 0) << failing.out << failing.err;
  EXPECT_FALSE(Tagged(cache.host(), "app", "cache-" + app_hash + "-other"));
  bash_env = first_job;

  auto ecr = Step("deploy_ecr app");
  ASSERT_EQ(ecr.exit_code, 0) << ecr.out << ecr.err;
  EXPECT_TRUE(Tagged(deploy.host(), "app", sha));
  EXPECT_TRUE(Tagged(deploy.host(), "app", "aztec-dev"));
  EXPECT_NE(Step("should_deploy").exit_code, 1);
  EXPECT_EQ(Step("should_release").exit_code, 0);  // master

  // A second pipeline on the same commit rebuilds nothing and reruns no test.
  auto again = Step("build lib && build app && cond_spot_run_test app 32 scripts/run_tests ok");
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(again.out.find("run_tests build-app"), std::string::npos) << again.out;
  EXPECT_NE(again.err.find("0 built, 1 cached"), std::string::npos) << again.err;
  EXPECT_NE(again.err.find("0 built, 2 cached"), std::string::npos) << again.err;
  EXPECT_NE(again.out.find("passed before"), std::string::npos) << again.out;

  // query_manifest answers as the 2024 scripts did.
  EXPECT_EQ(Step("query_manifest dependencies app").out, "lib\n");
  EXPECT_EQ(Step("query_manifest allDependencies app").out, "lib\napp\n");
  EXPECT_EQ(Step("tag_remote_image app cache-" + app_hash + " release-1").exit_code, 0);
  EXPECT_TRUE(Tagged(cache.host(), "app", "release-1"));
  auto absent = Step("tag_remote_image app nope x");
  EXPECT_EQ(absent.exit_code, 1);
  EXPECT_EQ(absent.out, "Existing tag for image not found: app:nope\n");
  EXPECT_EQ(Step("untag_remote_image app release-1").exit_code, 0);
  EXPECT_FALSE(Tagged(cache.host(), "app", "release-1"));
  EXPECT_EQ(Step("untag_remote_image app never-there").exit_code, 0);
  // The deploy registry's region as fourth argument tags there (deploy_ecr wrote <sha>).
  auto in_deploy = Step("tag_remote_image app " + sha + " kept \"$ECR_DEPLOY_REGION\"");
  EXPECT_EQ(in_deploy.exit_code, 0) << in_deploy.out << in_deploy.err;
  EXPECT_TRUE(Tagged(deploy.host(), "app", "kept"));
  EXPECT_FALSE(Tagged(cache.host(), "app", "kept"));
}

TEST_F(CompatShims, TheRealYamlManifestBuildsUnderTheTagsTheScriptsComputed) {
  HOIST_REQUIRE_SHARED_FIXTURES();
  ASSERT_EQ(testing::EnsureDockerEngine(), "");
  RunOk(HOIST_SOURCE_DIR, {"bash", "scripts/make-busybox-image.sh"});
  // aztec-packages' 2024 manifest, its pattern files written (two patterns each), and small
  // busybox Dockerfiles for three projects: a pattern file, multiarch: host, buildDir '.'.
  repo.Remove("build_manifest.yml");
  repo.Write("build_manifest.yml",
             testing::ReadText(testing::FixturesDir() +
                               "/manifests/aztec-packages-2024.build_manifest.yml"));
  auto manifest = RawManifest::Load(repo.root() + "/build_manifest.yml", true);
  ASSERT_TRUE(manifest.ok());
  for (const auto& p : manifest->Projects()) {
    if (manifest->TypeOf(p, "rebuildPatterns") != RawManifest::Type::kString) continue;
    std::string rel = manifest->TypeOf(p, "projectDir") == RawManifest::Type::kNull
                          ? manifest->Text(p, "buildDir")
                          : manifest->Text(p, "projectDir");
    std::string file = rel + "/" + manifest->Text(p, "rebuildPatterns");
    if (std::filesystem::exists(repo.root() + "/" + file)) continue;
    repo.Write(file, "^" + rel + "/src/\n^" + rel + "/package.json$\n");
  }
  repo.Write("noir/Dockerfile.native", "FROM hoist-example/busybox:1\nCOPY src/ /noir/\n");
  repo.Write("noir/src/main.rs", "fn main() {}\n");
  repo.Write("avm-transpiler/Dockerfile",
             "FROM aztecprotocol/noir\nCOPY avm-transpiler/src/ /avm/\n");
  repo.Write("avm-transpiler/src/lib.rs", "pub fn t() {}\n");
  repo.Write("barretenberg/cpp/dockerfiles/Dockerfile.x86_64-linux-clang",
             "FROM hoist-example/busybox:1\nCOPY src/ /bb/\n");
  repo.Write("barretenberg/cpp/src/bb.cpp", "int bb;\n");
  ASSERT_EQ(
      testing::RunHoist(repo.root(), {"compat", "aztec", "install", "build-system"}).exit_code, 0);
  const std::string sha = repo.Commit("the real manifest");
  ASSERT_EQ(
      Step("source ./build-system/scripts/setup_env " + sha + " '' build x master ''").exit_code,
      0);
  for (const char* project : {"noir", "avm-transpiler", "barretenberg-x86_64-linux-clang"}) {
    auto built = Step(std::string("build ") + project);
    ASSERT_EQ(built.exit_code, 0) << project << "\n" << built.err;
    EXPECT_NE(built.err.find("1 built"), std::string::npos) << built.err;
    std::string tag = Step(std::string("calculate_image_tag ") + project).out;
    ASSERT_FALSE(tag.empty());
    tag.pop_back();
    EXPECT_TRUE(Tagged(cache.host(), project, tag)) << project << " " << tag;
  }
  // multiarch: host: this machine's architecture as calculate_image_tag names it too.
  std::string arch_tag = Step("calculate_image_tag noir host").out;
  arch_tag.pop_back();
  EXPECT_TRUE(Tagged(cache.host(), "noir", arch_tag)) << arch_tag;
  EXPECT_EQ(Step("query_manifest allDependencies avm-transpiler").out, "noir\navm-transpiler\n");
  // The same commit again: nothing is built.
  auto again = Step("build noir && build avm-transpiler && build barretenberg-x86_64-linux-clang");
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(again.err.find("1 built"), std::string::npos) << again.err;
}

}  // namespace
}  // namespace hoist
