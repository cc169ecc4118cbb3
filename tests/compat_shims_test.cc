// `hoist compat aztec install`: the Aztec build system's scripts as shims over hoist, run the
// way a CircleCI config of the Aztec repositories runs them: each step a new bash that reads
// $BASH_ENV, the scripts on PATH after setup_env, against loopback registries.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "compat/raw_manifest.h"
#include "support/docker_engine.h"
#include "support/ec2_standin.h"
#include "support/npm_registry_fixture.h"
#include "support/registry_fixture.h"
#include "support/spot_config.h"
#include "support/sshd_fixture.h"
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
               "app:\n  buildDir: app\n  dependencies: [lib]\n  runDependencies: [lib]\n");
    // Named as the Aztec repositories' compose files name images; lib keeps running (compose
    // ends everything when one service exits), app's status is the job's. app waits a little
    // before it ends: compose stops printing lib's output when app exits (CI saw it missing).
    repo.Write("app/docker-compose.yml",
               "version: '3'\nservices:\n  lib:\n    image: aztecprotocol/lib\n"
               "    network_mode: none\n    command: sh -c 'echo lib says $$(cat /lib.txt); "
               "sleep 60'\n  app:\n    image: aztecprotocol/app\n    network_mode: none\n"
               "    environment: {WANT: \"${WANT}\"}\n"
               "    command: sh -c 'sleep 2; test \"$$(cat /lib.txt)\" = \"$$WANT\"'\n");
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
    // The spot machines cond_spot_run_* ask for: the EC2-API stand-in's (AWS cannot be reached
    // here), this machine through a real sshd with its Docker engine behind it.
    ASSERT_TRUE(sshd.ok()) << sshd.problem();
    repo.Write("hoist.yml", testing::SpotHoistYml(sshd, ec2, {"8", "16", "32"}));
  }
  /// The spot machines the stand-in started, by Name tag ("hoist-test-app-build").
  std::vector<std::string> SpotMachines() {
    std::vector<std::string> names;
    for (const auto& tags : ec2.Requests("CreateTags")) {
      for (int i = 1; tags.contains("Tag." + std::to_string(i) + ".Key"); ++i) {
        if (tags["Tag." + std::to_string(i) + ".Key"] == "Name") {
          names.push_back(tags["Tag." + std::to_string(i) + ".Value"]);
        }
      }
    }
    return names;
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
    for (const auto& variable : testing::AwsStandInEnv()) spec.env.push_back(variable);
    spec.env.insert(spec.env.end(), extra_env.begin(), extra_env.end());
    auto result = RunProcess(spec);
    EXPECT_TRUE(result.ok());
    return {result->exit_code, result->stdout_text, result->stderr_text};
  }
  std::vector<std::string> extra_env;  ///< more of the CI's settings, for every step

  /// A new CircleCI job (its own $BASH_ENV, as each job's machine has) whose setup_env ran
  /// for `job` on the master branch at `sha`; setup_env's exit status.
  int NewJob(const std::string& sha, const std::string& job) {
    bash_env = testing::MakeTempDir("circleci") + "/bash_env";
    return Step("source ./build-system/scripts/setup_env " + sha + " '' " + job +
                " git@github.com:o/r.git master ''")
        .exit_code;
  }

  bool Tagged(const std::string& registry, const std::string& project, const std::string& tag) {
    return testing::RunHoist(repo.root(), {"--registry", registry, "image", "exists", project, tag})
               .exit_code == 0;
  }

  testing::SshdFixture sshd;
  testing::Ec2StandIn ec2;
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
  // The 2023-02 scripts, in the folder itself: theirs (last_successful_commit), not the ones
  // later eras added (cond_run_compose).
  ASSERT_EQ(testing::RunHoist(
                repo.root(), {"compat", "aztec", "install", "old-build-system", "--era", "2023-02"})
                .exit_code,
            0);
  for (const char* name : {"build", "cond_spot_run_build", "cond_spot_run_tests",
                           "cond_spot_run_script", "last_successful_commit", "check_rebuild",
                           "deploy", "deploy_ecr", "deploy_npm", "extract_repo"}) {
    std::string path = repo.root() + "/old-build-system/" + name;
    ASSERT_TRUE(std::filesystem::exists(path)) << name;
    EXPECT_EQ(RunOk("/", {"bash", "-n", path}), "") << name;
    EXPECT_EQ(testing::ReadText(path).find("do not provide"), std::string::npos) << name;
  }
  EXPECT_FALSE(std::filesystem::exists(repo.root() + "/old-build-system/cond_run_compose"));
}

// Arguments as the scripts took them. The 2023-09 scripts took other arguments than 2024's:
// cond_spot_run_script PROJECT CPUS COMMAND… (no ARCH: the command lost its first word) and
// deploy_npm PROJECT [STANDALONE] (no DIST_TAG: STANDALONE became the dist-tag).
// cond_run_container split its arguments (`docker run … $@`); deploy_terraform_services took
// any directory (a long or capitalised name was a usage error of hoist's --channel). hoist is
// replaced by a recorder of its arguments: what is checked is what each shim asks of it.
TEST_F(CompatShims, The2023ScriptsTakeTheirOwnArguments) {
  ASSERT_EQ(testing::RunHoist(repo.root(), {"compat", "aztec", "install", "bs", "--era", "2023-09"})
                .exit_code,
            0);
  const std::string bin = testing::MakeTempDir("recorder");
  // (No image is tagged as deployed: deploy goes on to its steps.)
  std::ofstream(bin + "/hoist")
      << "#!/bin/sh\n{ for a in \"$@\"; do printf '[%s]' \"$a\"; done; "
         "echo; } >> "
      << bin << "/calls.log\ncase \"$*\" in *\"image exists \"*-deployed) exit 1 ;; esac\n";
  std::filesystem::permissions(bin + "/hoist", std::filesystem::perms::owner_all);
  extra_env = {"HOIST=" + bin + "/hoist", "COMMIT_TAG=v1.0.0", "DEPLOY_TAG=aztec-dev",
               "JOB_NAME=unit-tests",     "VERSION_TAG=v1",    "COMMIT_MESSAGE=release"};
  // (The recorder answers no projectDir: deploy stays at the top level.)
  repo.Write("terraform/v1/main.tf", "# 2023-09: terraform/$VERSION_TAG\n");
  repo.Write("Infra.Services_For_The_Network/terraform/main.tf", "# read by nothing\n");
  auto spot = Step("TAG_POSTFIX=unit bs/scripts/cond_spot_run_script app 32 ./run_tests 3 arg");
  EXPECT_EQ(spot.exit_code, 0) << spot.out << spot.err;
  auto npm = Step("bs/scripts/deploy_npm app true");
  EXPECT_EQ(npm.exit_code, 0) << npm.out << npm.err;
  auto container = Step("bs/scripts/cond_run_container app 'yarn test'");
  EXPECT_EQ(container.exit_code, 0) << container.out << container.err;
  auto services =
      Step("bs/scripts/deploy_terraform_services Infra.Services_For_The_Network app app m.x");
  EXPECT_EQ(services.exit_code, 0) << services.out << services.err;
  // 2023-09: extract_repo P FROM [TO] (TO ./), deploy's terraform/$VERSION_TAG.
  auto extracted = Step("bs/scripts/extract_repo app /usr/src/app");
  EXPECT_EQ(extracted.exit_code, 0) << extracted.out << extracted.err;
  Step("bs/scripts/deploy app");
  const std::string log = testing::ReadText(bin + "/calls.log");
  EXPECT_NE(log.find("[/usr/src/app][.//app]\n"), std::string::npos) << log;
  EXPECT_NE(log.find("/terraform/v1', ''"), std::string::npos) << log;
  EXPECT_NE(log.find("[--job][unit][--host][--remote][spot:32][--]"), std::string::npos) << log;
  EXPECT_NE(log.find("[cond_spot_run_script][./run_tests][3][arg]\n"), std::string::npos) << log;
  EXPECT_NE(log.find("[--job][unit-tests][--][yarn][test]\n"), std::string::npos) << log;
  EXPECT_NE(log.find("[--channel][terraform-infra-services_for_the]"), std::string::npos) << log;
  EXPECT_NE(log.find("distTag: 'latest'"), std::string::npos) << log;
  EXPECT_EQ(log.find("pinScope"), std::string::npos) << log;  // STANDALONE
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
  // On a spot machine of its own, as the script ran (its docker commands there).
  auto machines = SpotMachines();
  EXPECT_NE(std::find(machines.begin(), machines.end(), "hoist-test-app-build-app"),
            machines.end());
  // Another CircleCI job (its own $BASH_ENV, as each job's machine has): a failing test is
  // no pass.
  const std::string first_job = bash_env;
  ASSERT_EQ(NewJob(sha, "other"), 0);
  auto failing = Step("cond_spot_run_test app 32 scripts/run_tests bad");
  EXPECT_NE(failing.exit_code, 0) << failing.out << failing.err;
  EXPECT_FALSE(Tagged(cache.host(), "app", "cache-" + app_hash + "-other"));
  bash_env = first_job;

  // A compose test job, in a CircleCI job of its own: lib's and app's images by the names
  // its file uses; the pass tag on app's image; not run again; a failing one tags nothing.
  ASSERT_EQ(NewJob(sha, "e2e"), 0);
  auto compose = Step("cond_spot_run_compose app 16 docker-compose.yml WANT=v1");
  ASSERT_EQ(compose.exit_code, 0) << compose.out << compose.err;
  EXPECT_NE(compose.err.find("lib says v1"), std::string::npos) << compose.err;
  EXPECT_TRUE(Tagged(cache.host(), "app", "cache-" + app_hash + "-e2e"));
  machines = SpotMachines();
  EXPECT_NE(std::find(machines.begin(), machines.end(), "hoist-test-app-e2e"), machines.end());
  auto compose_again = Step("cond_spot_run_compose app 16 docker-compose.yml WANT=v1");
  ASSERT_EQ(compose_again.exit_code, 0) << compose_again.err;
  EXPECT_NE(compose_again.out.find("passed before"), std::string::npos) << compose_again.out;
  ASSERT_EQ(NewJob(sha, "e2e-bad"), 0);
  auto compose_bad = Step("cond_run_compose app docker-compose.yml WANT=v2");
  EXPECT_EQ(compose_bad.exit_code, 1) << compose_bad.out << compose_bad.err;
  EXPECT_FALSE(Tagged(cache.host(), "app", "cache-" + app_hash + "-e2e-bad"));

  // cond_spot_run_container: ARGS in app's image; a pass tag; not run again.
  ASSERT_EQ(NewJob(sha, "in-image"), 0);
  // (ARGS are split into words, as the scripts' `docker run … $@` did.)
  auto in_image = Step("cond_spot_run_container app 8 cat /lib.txt");
  ASSERT_EQ(in_image.exit_code, 0) << in_image.out << in_image.err;
  EXPECT_NE((in_image.out + in_image.err).find("v1\n"), std::string::npos) << in_image.err;
  EXPECT_TRUE(Tagged(cache.host(), "app", "cache-" + app_hash + "-in-image"));
  machines = SpotMachines();
  EXPECT_NE(std::find(machines.begin(), machines.end(), "hoist-test-app-in-image"), machines.end());
  auto in_image_again = Step("cond_run_container app cat /lib.txt");
  ASSERT_EQ(in_image_again.exit_code, 0) << in_image_again.err;
  EXPECT_EQ((in_image_again.out + in_image_again.err).find("v1\n"), std::string::npos);
  // cond_spot_run_script: with TAG_POSTFIX a job from the top level, its pass tagged; without,
  // the command that makes the image, skipped as the image is there.
  auto scripted = Step(
      "TAG_POSTFIX=scripted cond_spot_run_script app 32 x86_64 "
      "app/scripts/run_tests ok");
  ASSERT_EQ(scripted.exit_code, 0) << scripted.out << scripted.err;
  EXPECT_TRUE(Tagged(cache.host(), "app", "cache-" + app_hash + "-scripted"));
  auto builder = Step("cond_spot_run_script app 32 x86_64 touch made-by-the-script");
  ASSERT_EQ(builder.exit_code, 0) << builder.out << builder.err;
  EXPECT_NE(builder.out.find("Success tag: cache-" + app_hash + "\n"), std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(repo.root() + "/made-by-the-script"));
  // calculate_rebuild_files: ls-tree lines of app's and lib's files, nothing else.
  auto files = Step("calculate_rebuild_files app");
  ASSERT_EQ(files.exit_code, 0) << files.err;
  EXPECT_NE(files.out.find("\tapp/Dockerfile\n"), std::string::npos) << files.out;
  EXPECT_NE(files.out.find("\tlib/lib.txt\n"), std::string::npos) << files.out;
  EXPECT_EQ(files.out.find("build_manifest.yml"), std::string::npos) << files.out;
  EXPECT_EQ(files.out.rfind("100644 blob ", 0), 0u) << files.out;
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

// The deploy scripts of a release pipeline: each gated on the project its call names (a
// manifest project that CI never builds blocks nothing), deploy_npm to a real npm registry
// (verdaccio), deploy with terraform and ECS service restarts, deploy_dockerhub; a second
// pipeline deploys nothing again; an image no hoist build recorded is refused.
// The 2023-02 scripts keyed images, passes and deploys by commit (cache-$COMMIT_HASH[-JOB]) and
// reused the newest of the last 50 commits' when no file their rebuild patterns match had
// changed since. A team switching from them: what those scripts pushed is reused (no rebuild
// where nothing changed), every image and pass is also under the commit's tag for the steps
// that read it, a changed project is rebuilt, and a second pipeline does nothing again.
TEST_F(CompatShims, The2023CommitKeyedScriptsReuseWhatTheyPushedAndTagByCommit) {
  ASSERT_EQ(testing::EnsureDockerEngine(), "");
  RunOk(HOIST_SOURCE_DIR, {"bash", "scripts/make-busybox-image.sh"});
  std::filesystem::remove(repo.root() + "/build_manifest.yml");
  repo.Write("build_manifest.json", R"({"lib": {"buildDir": "lib", "rebuildPatterns": ["^lib/"]},)"
                                    R"( "app": {"buildDir": "app", "rebuildPatterns": ["^app/"],)"
                                    R"( "dependencies": ["lib"]}})");
  repo.Write("VERSION", "v2.1\n");
  // The 2023-02 scripts ran it from the project's directory.
  repo.Write(
      "app/scripts/run_tests",
      "#!/bin/sh\necho \"run_tests $JOB_NAME $*\"\ntest -f Dockerfile && test \"$1\" = ok\n");
  ASSERT_EQ(testing::RunHoist(repo.root(),
                              {"compat", "aztec", "install", "build-system", "--era", "2023-02"})
                .exit_code,
            0);
  const std::string c1 = repo.Commit("feat: lib and app");
  // What the 2023-02 scripts pushed at c1: docker build and push, no hoist labels or markers;
  // and lib's unit tests passed there (the image tagged cache-<c1>-unit).
  const std::string ecr = "278380418400.dkr.ecr.eu-west-2.amazonaws.com";
  auto push = [&](const std::string& project, const std::string& tag) {
    const std::string image = cache.host() + "/" + project + ":" + tag;
    RunOk(repo.root() + "/" + project,
          {"docker", "build", "-q", "--network=none", "-t", image, "-t", ecr + "/" + project, "."});
    RunOk("/", {"docker", "push", "-q", image});
  };
  push("lib", "cache-" + c1);
  push("app", "cache-" + c1);
  RunOk("/", {"docker", "tag", cache.host() + "/lib:cache-" + c1,
              cache.host() + "/lib:cache-" + c1 + "-unit"});
  RunOk("/", {"docker", "push", "-q", cache.host() + "/lib:cache-" + c1 + "-unit"});
  auto digest = [&](const std::string& project, const std::string& tag) {
    if (!Tagged(cache.host(), project, tag)) return std::string("absent");
    return RunOk("/", {"sh", "-c",
                       "curl -sfI -H 'Accept: application/vnd.docker.distribution.manifest.v2+json'"
                       " http://" +
                           cache.host() + "/v2/" + project + "/manifests/" + tag +
                           " | grep -i ^docker-content-digest"});
  };

  // c2 changes app only.
  repo.Write("app/app.txt", "app v2\n");
  const std::string c2 = repo.Commit("feat: app v2");
  auto setup = [&](const std::string& sha, const std::string& job) {
    bash_env = testing::MakeTempDir("circleci") + "/bash_env";
    return Step("cd build-system && source ./setup_env " + sha + " '' " + job +
                " git@github.com:o/r.git master");
  };
  auto env = setup(c2, "build");
  ASSERT_EQ(env.exit_code, 0) << env.out << env.err;
  auto lib = Step("build lib");
  ASSERT_EQ(lib.exit_code, 0) << lib.out << lib.err;
  EXPECT_NE(lib.err.find("0 built, 1 cached"), std::string::npos) << lib.err;
  EXPECT_NE(lib.err.find("the 2023-02 scripts' tag"), std::string::npos) << lib.err;
  EXPECT_EQ(digest("lib", "cache-" + c2), digest("lib", "cache-" + c1));
  auto app = Step("build app");
  ASSERT_EQ(app.exit_code, 0) << app.out << app.err;
  EXPECT_NE(app.err.find("1 built, 1 cached"), std::string::npos) << app.err;
  EXPECT_NE(digest("app", "cache-" + c2), "absent");
  EXPECT_NE(digest("app", "cache-" + c2), digest("app", "cache-" + c1));
  // Their own helpers answer on the commit tags.
  EXPECT_EQ(Step("last_successful_commit app").out, c2 + "\n");
  EXPECT_EQ(Step("last_successful_commit lib unit").out, c1 + "\n");
  EXPECT_EQ(Step("check_rebuild " + c1 + " lib").exit_code, 1);  // nothing to rebuild
  EXPECT_EQ(Step("check_rebuild " + c1 + " app").exit_code, 0);
  EXPECT_EQ(Step("check_rebuild '' lib").exit_code, 0);

  // Tests: lib's pass at c1 counts (its content is the same); app's script runs and its pass
  // is tagged by hash and by commit; a failing one tags nothing.
  auto unit = Step("cd lib && cond_spot_run_script lib unit 32 false");
  EXPECT_EQ(unit.exit_code, 0) << unit.out << unit.err;
  EXPECT_NE(digest("lib", "cache-" + c2 + "-unit"), "absent");
  auto tests = Step("cond_spot_run_tests app ok");
  ASSERT_EQ(tests.exit_code, 0) << tests.out << tests.err;
  EXPECT_NE(testing::ReadText("/tmp/test-logs/build.log").find("run_tests build ok"),
            std::string::npos);
  EXPECT_EQ(digest("app", "cache-" + c2 + "-build"), digest("app", "cache-" + c2));
  auto machines = SpotMachines();  // on a spot machine, as the scripts ran them
  EXPECT_NE(std::find(machines.begin(), machines.end(), "hoist-test-app-build"), machines.end());
  EXPECT_EQ(std::find(machines.begin(), machines.end(), "hoist-test-lib-unit"), machines.end());
  ASSERT_EQ(setup(c2, "other").exit_code, 0);
  EXPECT_NE(Step("cond_spot_run_tests app bad").exit_code, 0);
  EXPECT_EQ(digest("app", "cache-" + c2 + "-other"), "absent");

  // deploy_ecr takes the commit's image to the deploy registry as the commit and deploy tag.
  ASSERT_EQ(setup(c2, "deploy").exit_code, 0);
  auto ecr_deploy = Step("deploy_ecr app");
  ASSERT_EQ(ecr_deploy.exit_code, 0) << ecr_deploy.out << ecr_deploy.err;
  EXPECT_TRUE(Tagged(deploy.host(), "app", c2));
  EXPECT_TRUE(Tagged(deploy.host(), "app", "aztec-dev"));

  // A second pipeline on the same commit builds nothing and runs no test again.
  ASSERT_EQ(setup(c2, "build").exit_code, 0);
  auto again = Step("build lib && build app && cond_spot_run_tests app ok");
  ASSERT_EQ(again.exit_code, 0) << again.out << again.err;
  EXPECT_NE(again.err.find("0 built, 2 cached"), std::string::npos) << again.err;
  EXPECT_EQ(again.out.find("run_tests build"), std::string::npos) << again.out;

  // c3 changes lib: its image at c2 is not reused, whatever the commit tags say.
  repo.Write("lib/lib.txt", "v3\n");
  const std::string c3 = repo.Commit("feat: lib v3");
  ASSERT_EQ(setup(c3, "build").exit_code, 0);
  auto rebuilt = Step("build lib");
  ASSERT_EQ(rebuilt.exit_code, 0) << rebuilt.out << rebuilt.err;
  EXPECT_NE(rebuilt.err.find("1 built, 0 cached"), std::string::npos) << rebuilt.err;
  EXPECT_NE(digest("lib", "cache-" + c3), digest("lib", "cache-" + c2));
  EXPECT_NE(digest("lib", "cache-" + c3), "absent");

  // c4 only makes lib.txt executable: the same contents, which those scripts rebuilt (their diff
  // names it) and so does hoist (their era's hash is of whole rows), the image holding the mode.
  chmod((repo.root() + "/lib/lib.txt").c_str(), 0755);
  const std::string c4 = repo.Commit("chmod");
  ASSERT_EQ(setup(c4, "build").exit_code, 0);
  EXPECT_EQ(Step("check_rebuild " + c3 + " lib").exit_code, 0);
  auto moded = Step("build lib");
  ASSERT_EQ(moded.exit_code, 0) << moded.out << moded.err;
  EXPECT_NE(moded.err.find("1 built, 0 cached"), std::string::npos) << moded.err;
  EXPECT_NE(digest("lib", "cache-" + c4), digest("lib", "cache-" + c3));
  // A base commit this clone cannot diff against rebuilds, saying so, rather than skipping.
  auto unknown = Step("check_rebuild 0123456789012345678901234567890123456789 lib");
  EXPECT_EQ(unknown.exit_code, 0);
  EXPECT_NE(unknown.out.find("Will rebuild"), std::string::npos) << unknown.out;
  // Their taint was an image tagged tainted: the next build rebuilds and removes it, as their
  // build did (untag_remote_image), and the one after is cached.
  RunOk(repo.root(), {HOIST_BINARY, "--registry", cache.host(), "image", "tag", "lib",
                      "cache-" + c4, "tainted"});
  auto tainted = Step("build lib");
  ASSERT_EQ(tainted.exit_code, 0) << tainted.out << tainted.err;
  EXPECT_NE(tainted.err.find("1 built"), std::string::npos) << tainted.err;
  EXPECT_FALSE(Tagged(cache.host(), "lib", "tainted"));
  EXPECT_NE(Step("build lib").err.find("0 built, 1 cached"), std::string::npos);
}

// A submodule bump is one gitlink row that no rebuild pattern need name, yet the 2023-02
// scripts' images held the submodule's files (docker build of the whole build directory) and
// their check_rebuild diffed into it (list_file_diff): their image of the commit before the bump
// is not reused, and check_rebuild says rebuild.
TEST_F(CompatShims, The2023ScriptsSeeIntoSubmodules) {
  ASSERT_EQ(testing::EnsureDockerEngine(), "");
  RunOk(HOIST_SOURCE_DIR, {"bash", "scripts/make-busybox-image.sh"});
  TempRepo sub;
  sub.Write("s.txt", "s1\n");
  sub.Commit("s1");
  std::filesystem::remove(repo.root() + "/build_manifest.yml");
  repo.Write(
      "build_manifest.json",
      R"({"lib": {"buildDir": "lib", "rebuildPatterns": ["^lib/.*\\.txt$", "^lib/Dockerfile$"]}})");
  repo.Write("VERSION", "v2.1\n");
  repo.Write("lib/Dockerfile", "FROM hoist-example/busybox:1\nCOPY . /src\n");
  repo.Write("lib/a.txt", "a\n");
  repo.Git({"-c", "protocol.file.allow=always", "submodule", "add", "-q", sub.root(), "lib/sub"});
  ASSERT_EQ(testing::RunHoist(repo.root(),
                              {"compat", "aztec", "install", "build-system", "--era", "2023-02"})
                .exit_code,
            0);
  const std::string c1 = repo.Commit("lib with a submodule");
  const std::string theirs = cache.host() + "/lib:cache-" + c1;
  RunOk(repo.root() + "/lib", {"docker", "build", "-q", "--network=none", "-t", theirs, "."});
  RunOk("/", {"docker", "push", "-q", theirs});
  sub.Write("s.txt", "s2\n");
  sub.Commit("s2");
  RunOk(repo.root() + "/lib/sub", {"git", "pull", "-q", "origin", "main"});
  const std::string c2 = repo.Commit("bump the submodule");
  bash_env = testing::MakeTempDir("circleci") + "/bash_env";
  ASSERT_EQ(Step("cd build-system && source ./setup_env " + c2 + " '' build url master").exit_code,
            0);
  auto check = Step("check_rebuild " + c1 + " lib");
  EXPECT_EQ(check.exit_code, 0) << check.out << check.err;
  auto build = Step("build lib");
  ASSERT_EQ(build.exit_code, 0) << build.out << build.err;
  EXPECT_EQ(build.err.find("reused as"), std::string::npos) << build.err;
  EXPECT_NE(build.err.find("1 built, 0 cached"), std::string::npos) << build.err;
}

TEST_F(CompatShims, ReleaseDeploysGatedOnWhatEachCallNames) {
  testing::NpmRegistryFixture npm;
  ASSERT_TRUE(npm.ok()) << npm.problem();
  ASSERT_EQ(testing::EnsureDockerEngine(), "");
  RunOk(HOIST_SOURCE_DIR, {"bash", "scripts/make-busybox-image.sh"});
  RegistryFixture dockerhub;
  repo.Write("build_manifest.yml",
             "lib:\n  buildDir: lib\n"
             "app:\n  buildDir: app\n  dependencies: [lib]\n"
             "pkg:\n  buildDir: yarn-project/pkg\n"
             "docs:\n  buildDir: docs\n");  // never built by this CI
  repo.Write("yarn-project/pkg/Dockerfile",
             "FROM hoist-example/busybox:1\nCOPY . /usr/src/yarn-project/pkg/\n"
             "RUN echo 'module.exports = 1;' > /usr/src/yarn-project/pkg/built.js\n");
  repo.Write("yarn-project/pkg/package.json",
             R"({"name": "@aztec/pkg", "version": "0.1.0", "dependencies": )"
             R"({"@aztec/foundation": "workspace:^", "left-pad": "^1.3.0"}})"
             "\n");
  repo.Write("docs/Dockerfile", "FROM hoist-example/busybox:1\n");
  repo.Write("app/terraform/main.tf", "# read by nothing: terraform is a stand-in\n");
  // Stand-ins, named so: terraform (no Debian package) and the AWS CLI's ECS calls (no AWS
  // here). Each records its argv. (deploy passes $DEPLOY_TAG-SERVICE and deploy_service matches
  // $DEPLOY_TAG.*NAME: the scripts restarted services named <tag>…<tag>-<service>, as here.)
  const std::string bin = testing::MakeTempDir("standins");
  const std::string calls = bin + "/calls.log";
  std::ofstream(bin + "/terraform")
      << "#!/bin/sh\necho \"terraform $* in $(basename $PWD) DEPLOY_TAG=$TF_VAR_DEPLOY_TAG\" >> "
      << calls << "\n";
  std::ofstream(bin + "/aws")
      << "#!/bin/sh\necho \"aws $*\" >> " << calls
      << "\ncase \"$*\" in *list-services*) echo '{\"serviceArns\": "
         "[\"arn:aws:ecs:eu-west-2:1:service/setup/aztec-prod-aztec-prod-app\", "
         "\"arn:aws:ecs:eu-west-2:1:service/setup/aztec-prod-other\"]}' ;; esac\n";
  for (const char* name : {"terraform", "aws"}) {
    std::filesystem::permissions(bin + "/" + name, std::filesystem::perms::owner_all);
  }
  extra_env = {"PATH=" + bin + ":" + std::filesystem::path(HOIST_BINARY).parent_path().string() +
                   ":/usr/local/bin:/usr/bin:/bin",
               "npm_config_registry=" + npm.url(), "NPM_TOKEN=" + npm.token(),
               "DOCKERHUB_ACCOUNT=" + dockerhub.host() + "/aztecprotocol"};
  ASSERT_EQ(
      testing::RunHoist(repo.root(), {"compat", "aztec", "install", "build-system"}).exit_code, 0);
  const std::string sha = repo.Commit("release");
  repo.Git({"tag", "aztec-packages-v1.2.3"});
  auto setup = Step("source ./build-system/scripts/setup_env " + sha +
                    " aztec-packages-v1.2.3 deploy git@github.com:o/r.git master ''");
  ASSERT_EQ(setup.exit_code, 0) << setup.out << setup.err;
  ASSERT_NE(setup.out.find("export COMMIT_TAG=v1.2.3"), std::string::npos) << setup.out;
  ASSERT_NE(setup.out.find("export DEPLOY_TAG=aztec-prod"), std::string::npos) << setup.out;
  for (const char* project : {"lib", "app", "pkg"}) {
    auto built = Step(std::string("build ") + project);
    ASSERT_EQ(built.exit_code, 0) << project << built.err;
  }
  EXPECT_EQ(Step("extract_tag_version pkg true").out, "1.2.3\n");

  // deploy_npm: what the image built, at the tag's version, @aztec/ dependencies pinned.
  auto published = Step("deploy_npm pkg");
  ASSERT_EQ(published.exit_code, 0) << published.out << published.err;
  auto view = RunOk(repo.root(), {"npm", "view", "@aztec/pkg@1.2.3", "--json", "--registry",
                                  npm.url(), "dependencies", "dist-tags"});
  EXPECT_NE(view.find("\"@aztec/foundation\": \"1.2.3\""), std::string::npos) << view;
  EXPECT_NE(view.find("\"left-pad\": \"^1.3.0\""), std::string::npos) << view;
  auto republished = Step("deploy_npm pkg");
  ASSERT_EQ(republished.exit_code, 0) << republished.err;
  EXPECT_NE(republished.err.find("already deployed to aztec-prod.npm"), std::string::npos)
      << republished.err;
  // The same version under another dist-tag, as deploy_npm PROJECT DIST_TAG did.
  ASSERT_EQ(Step("deploy_npm pkg next").exit_code, 0);
  EXPECT_NE(
      RunOk(repo.root(), {"npm", "view", "@aztec/pkg", "dist-tags.next", "--registry", npm.url()})
          .find("1.2.3"),
      std::string::npos);

  // deploy: deploy_ecr's promotion, terraform with a taint, the project's ECS services.
  auto deployed = Step("deploy app app module.x");
  ASSERT_EQ(deployed.exit_code, 0) << deployed.out << deployed.err;
  EXPECT_TRUE(Tagged(deploy.host(), "app", sha));
  EXPECT_TRUE(Tagged(deploy.host(), "app", "aztec-prod"));
  EXPECT_TRUE(Tagged(deploy.host(), "app", "aztec-v1.2.3"));
  const std::string app_hash = Step("calculate_content_hash app").out.substr(0, 40);
  EXPECT_TRUE(Tagged(cache.host(), "app", "cache-" + app_hash + "-aztec-prod-deployed"));
  std::string log = testing::ReadText(calls);
  EXPECT_NE(log.find("terraform init -input=false -backend-config=key=aztec-prod/app in "
                     "terraform DEPLOY_TAG=aztec-prod"),
            std::string::npos)
      << log;
  EXPECT_NE(log.find("terraform taint module.x"), std::string::npos) << log;
  EXPECT_NE(log.find("terraform apply -input=false -auto-approve"), std::string::npos) << log;
  EXPECT_NE(log.find("aws ecs update-service --region hoist-deploy --cluster setup --service "
                     "aztec-prod-aztec-prod-app --force-new-deployment"),
            std::string::npos)
      << log;
  EXPECT_EQ(log.find("--service aztec-prod-other"), std::string::npos) << log;

  // From a commit on a branch that is neither trusted nor a deploy branch, the Docker Hub push
  // (which the shim makes once hoist's gate lets it) is refused: the gate fails closed. It said
  // "nothing to deploy" with status 0, and the shim went on to copy.
  repo.Git({"checkout", "-q", "-b", "feature"});
  repo.Write("notes.txt", "no project covers this\n");
  repo.Commit("notes");
  auto untrusted = Step("deploy_dockerhub app");
  EXPECT_EQ(untrusted.exit_code, 1) << untrusted.out << untrusted.err;
  EXPECT_NE(untrusted.err.find("not deploying from an untrusted run"), std::string::npos)
      << untrusted.err;
  EXPECT_FALSE(Tagged(dockerhub.host() + "/aztecprotocol", "app", "1.2.3"));
  repo.Git({"checkout", "-q", "main"});

  // deploy_dockerhub: the version, latest and the deploy tag.
  auto hub = Step("deploy_dockerhub app");
  ASSERT_EQ(hub.exit_code, 0) << hub.out << hub.err;
  for (const char* tag : {"1.2.3", "latest", "aztec-prod"}) {
    EXPECT_TRUE(Tagged(dockerhub.host() + "/aztecprotocol", "app", tag)) << tag;
  }
  // An account without a host is Docker Hub's (which cannot be reached here: a dry run says
  // where it would push). It went to the cache registry's aztecprotocol/app instead.
  // (Each script reads $BASH_ENV as it starts, as on CircleCI: the settings go there.)
  auto hub_dry = Step(
      "E=$(mktemp) && cat \"$BASH_ENV\" > \"$E\" && "
      "echo 'export DOCKERHUB_ACCOUNT=aztecprotocol DRY_DEPLOY=1' >> \"$E\" && "
      "BASH_ENV=$E deploy_dockerhub app");
  ASSERT_EQ(hub_dry.exit_code, 0) << hub_dry.out << hub_dry.err;
  EXPECT_NE(hub_dry.out.find("image copy app:cache-"), std::string::npos)
      << hub_dry.out << hub_dry.err;
  EXPECT_NE(hub_dry.out.find(" registry-1.docker.io/aztecprotocol/app:1.2.3"), std::string::npos)
      << hub_dry.out;

  // deploy_terraform_services: done already for this hash (deploy's tag), unless tainted.
  std::filesystem::remove(calls);
  auto services = Step("deploy_terraform_services app");
  ASSERT_EQ(services.exit_code, 0) << services.out << services.err;
  EXPECT_NE(services.out.find("No changes detected"), std::string::npos) << services.out;
  EXPECT_FALSE(std::filesystem::exists(calls)) << testing::ReadText(calls);
  auto tainted = Step("deploy_terraform_services app app app module.y");
  ASSERT_EQ(tainted.exit_code, 0) << tainted.out << tainted.err;
  log = testing::ReadText(calls);
  EXPECT_NE(log.find("terraform taint module.y"), std::string::npos) << log;
  EXPECT_NE(log.find("terraform apply -input=false -auto-approve"), std::string::npos) << log;
  EXPECT_NE(log.find("aws ecs list-services"), std::string::npos) << log;

  // A second pipeline on the same commit: nothing is deployed again.
  std::filesystem::remove(calls);
  auto again = Step("deploy app app module.x && deploy_npm pkg");
  ASSERT_EQ(again.exit_code, 0) << again.out << again.err;
  EXPECT_NE(again.out.find("No changes detected, skipping deployment."), std::string::npos)
      << again.out;
  EXPECT_FALSE(std::filesystem::exists(calls)) << testing::ReadText(calls);

  // deploy_global: terraform under the configuration's own state key (the script's
  // deploy_terraform "" ./terraform); it was keyed $DEPLOY_TAG/PROJECT, a fresh empty state.
  ASSERT_EQ(Step("untag_remote_image app cache-" + app_hash + "-aztec-prod-deployed").exit_code, 0);
  auto global = Step("deploy_global app");
  ASSERT_EQ(global.exit_code, 0) << global.out << global.err;
  log = testing::ReadText(calls);
  EXPECT_NE(log.find("terraform init -input=false in terraform"), std::string::npos) << log;
  EXPECT_EQ(log.find("backend-config"), std::string::npos) << log;
  EXPECT_NE(log.find("update-service"), std::string::npos) << log;
  EXPECT_TRUE(Tagged(cache.host(), "app", "cache-" + app_hash + "-aztec-prod-deployed"));

  // An image under cache-<hash> that no hoist build recorded (pushed by hand): refused.
  repo.Write("docs/index.md", "# docs\n");
  const std::string next = repo.Commit("docs");
  ASSERT_EQ(Step("source ./build-system/scripts/setup_env " + next +
                 " '' deploy git@github.com:o/r.git master ''")
                .exit_code,
            0);
  const std::string docs_tag = Step("calculate_image_uri docs").out;
  const std::string theirs = docs_tag.substr(0, docs_tag.size() - 1);
  RunOk(repo.root() + "/docs", {"docker", "build", "-q", "--network=none", "-t", theirs, "."});
  RunOk("/", {"docker", "push", "-q", theirs});
  auto refused = Step("deploy_ecr docs");
  EXPECT_EQ(refused.exit_code, 1) << refused.out << refused.err;
  EXPECT_NE(refused.err.find("docs: cache-"), std::string::npos) << refused.err;
  EXPECT_NE(refused.err.find("has no build record"), std::string::npos) << refused.err;
  EXPECT_FALSE(Tagged(deploy.host(), "docs", "aztec-dev"));
  auto s3 = Step("deploy_s3 docs global");
  EXPECT_EQ(s3.exit_code, 1) << s3.out << s3.err;
  EXPECT_NE(s3.err.find("has no build record"), std::string::npos) << s3.err;
}

// Amazon ECR through a stand-in of its API (ECR cannot be reached here) and a stand-in
// `docker login` (it would reach Amazon): ensure_repo and untag_remote_image make the AWS CLI
// calls the scripts made, with the same policy; elsewhere they call nothing.
TEST_F(CompatShims, OnAmazonEcrEnsureRepoAndUntagCallItsApi) {
  testing::Ec2StandIn aws;
  const std::string bin = testing::MakeTempDir("standins");
  std::ofstream(bin + "/docker") << "#!/bin/sh\nif [ \"$1\" = login ]; then echo \"docker $* "
                                    "$(cat)\" >> "
                                 << bin << "/calls.log; exit 0; fi\nexec /usr/bin/docker \"$@\"\n";
  // Debian's AWS CLI (2.9) predates AWS_ENDPOINT_URL: the real CLI, pointed at the stand-in.
  std::ofstream(bin + "/aws") << "#!/bin/sh\nexec /usr/bin/aws --endpoint-url " << aws.url()
                              << " \"$@\"\n";
  for (const char* name : {"docker", "aws"}) {
    std::filesystem::permissions(bin + "/" + name, std::filesystem::perms::owner_all);
  }
  ASSERT_EQ(
      testing::RunHoist(repo.root(), {"compat", "aztec", "install", "build-system"}).exit_code, 0);
  const std::string ecr = "123456789012.dkr.ecr.us-east-1.amazonaws.com";
  extra_env = {"ECR_URL=" + ecr,
               "ECR_REGION=us-east-1",
               "AWS_ACCESS_KEY_ID=test",
               "AWS_SECRET_ACCESS_KEY=test",
               "AWS_EC2_METADATA_DISABLED=true",
               "AWS_CONFIG_FILE=/nonexistent",
               "AWS_SHARED_CREDENTIALS_FILE=/nonexistent"};
  const std::string on = "PATH=" + bin + ":$PATH build-system/scripts/";
  auto count = [&](const std::string& action) {
    int n = 0;
    for (const auto& done : aws.Actions()) n += done == "ecr:" + action;
    return n;
  };

  auto made = Step(on + "ensure_repo app us-east-1");
  ASSERT_EQ(made.exit_code, 0) << made.out << made.err;
  EXPECT_NE(made.out.find("Creating repo: app"), std::string::npos) << made.out;
  const auto state = aws.State();
  ASSERT_TRUE(state["repositories"].contains("app")) << state.dump();
  const auto policy =
      nlohmann::json::parse(state["repositories"]["app"]["lifecyclePolicyText"].get<std::string>());
  EXPECT_EQ(policy["rules"][0]["selection"]["tagPrefixList"][0], "cache-");
  EXPECT_EQ(policy["rules"][0]["selection"]["countNumber"], 200);
  EXPECT_NE(testing::ReadText(bin + "/calls.log")
                .find("docker login --username AWS --password-stdin " + ecr + " stand-in-password"),
            std::string::npos)
      << testing::ReadText(bin + "/calls.log");
  // There already: nothing made, the policy left alone unless refresh_lifecycle asks.
  auto again = Step(on + "ensure_repo app us-east-1");
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(again.out.find("Creating"), std::string::npos) << again.out;
  EXPECT_EQ(count("CreateRepository"), 1);
  EXPECT_EQ(count("PutLifecyclePolicy"), 1);
  auto refreshed = Step(on + "ensure_repo app us-east-1 refresh_lifecycle");
  ASSERT_EQ(refreshed.exit_code, 0) << refreshed.err;
  EXPECT_NE(refreshed.out.find("Refreshing lifecycle rules for repo: app"), std::string::npos);
  EXPECT_EQ(count("PutLifecyclePolicy"), 2);

  // untag: BatchDeleteImage of that tag; a repository that is not there fails, said.
  auto untagged = Step(on + "untag_remote_image app cache-1234-e2e");
  ASSERT_EQ(untagged.exit_code, 0) << untagged.err;
  EXPECT_EQ(aws.State()["repositories"]["app"]["deletedTags"],
            nlohmann::json::array({"cache-1234-e2e"}));
  auto nowhere = Step(on + "untag_remote_image nowhere cache-1234");
  EXPECT_NE(nowhere.exit_code, 0);
  EXPECT_NE(nowhere.err.find("RepositoryNotFoundException"), std::string::npos) << nowhere.err;

  // A registry with a path prefix (HOST/PREFIX): ECR's repository is PREFIX/PROJECT, where
  // hoist pushes; the shims named PROJECT alone.
  auto prefixed = Step("ECR_URL=" + ecr + "/team " + on + "ensure_repo app us-east-1");
  ASSERT_EQ(prefixed.exit_code, 0) << prefixed.out << prefixed.err;
  EXPECT_TRUE(aws.State()["repositories"].contains("team/app")) << aws.State().dump();
  ASSERT_EQ(Step("ECR_URL=" + ecr + "/team " + on + "untag_remote_image app cache-9").exit_code, 0);
  EXPECT_EQ(aws.State()["repositories"]["team/app"]["deletedTags"],
            nlohmann::json::array({"cache-9"}));

  // Not on ECR (the loopback registry): no AWS call at all.
  const size_t calls = aws.Actions().size();
  auto elsewhere = Step("ECR_URL= " + on + "ensure_repo lib us-east-1");
  EXPECT_EQ(elsewhere.exit_code, 0) << elsewhere.err;
  EXPECT_EQ(aws.Actions().size(), calls);
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
