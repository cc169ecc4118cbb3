// Issue 15's "done when": the real manifests of ../shared/fixtures/manifests in git repositories
// with small busybox Dockerfiles in place of the real ones, hoist's shims of the Aztec build
// system installed, and a CircleCI config in the style of the Aztec repositories' own run job by
// job in workflow order: setup_env, cond_spot_run_build P CPUS (spot machines from the EC2-API
// stand-in, reached through a real sshd), build P, cond_spot_run_tests P SCRIPT ARGS, deploy_npm
// (a real npm registry, verdaccio), deploy_ecr and deploy (terraform and the AWS CLI's ECS calls
// as recording stand-ins) against loopback registries. Every step passes, a second pipeline on
// the same commit builds nothing, and the images are under the tags the Aztec scripts computed.
//
// The runner of the config is a stand-in for CircleCI's (which cannot run here): each job a
// fresh $BASH_ENV, each `run:` step a new `bash -c`, CircleCI's built-in variables set.
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <fstream>
#include <regex>

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

using testing::HoistRun;
using testing::RegistryFixture;
using testing::RunOk;

/// One job of the workflow: its name and its `run:` commands, in order.
struct CircleJob {
  std::string name;
  std::vector<std::string> commands;
};

/// The jobs of the config's first workflow, in its order (each job's requires come earlier).
std::vector<CircleJob> Workflow(const std::string& config) {
  YAML::Node root = YAML::Load(config);
  std::vector<CircleJob> jobs;
  std::set<std::string> done;
  for (const auto& workflow : root["workflows"]) {
    for (const auto& item : workflow.second["jobs"]) {
      std::string name = item.IsScalar() ? item.Scalar() : item.begin()->first.Scalar();
      if (item.IsMap()) {
        for (const auto& required : item.begin()->second["requires"]) {
          EXPECT_TRUE(done.count(required.Scalar())) << name << " requires " << required;
        }
      }
      CircleJob job{name, {}};
      for (const auto& step : root["jobs"][name]["steps"]) {
        if (step.IsScalar()) continue;  // checkout: the repository is checked out already
        const YAML::Node run = step["run"];
        job.commands.push_back(run.IsScalar() ? run.Scalar() : run["command"].Scalar());
      }
      done.insert(name);
      jobs.push_back(job);
    }
    break;
  }
  return jobs;
}

class AztecPipeline : public ::testing::Test {
 protected:
  void SetUp() override {
    HOIST_REQUIRE_SHARED_FIXTURES();
    ASSERT_EQ(access("/usr/bin/aws", X_OK), 0) << "the AWS CLI is missing: run bootstrap.sh";
    ASSERT_TRUE(sshd.ok()) << sshd.problem();
    ASSERT_TRUE(npm.ok()) << npm.problem();
    ASSERT_EQ(testing::EnsureDockerEngine(), "");
    RunOk(HOIST_SOURCE_DIR, {"bash", "scripts/make-busybox-image.sh"});
    bin = testing::MakeTempDir("standins");
    calls = bin + "/calls.log";
    // Recording stand-ins: terraform (no Debian package) and the AWS CLI's ECS calls (no AWS
    // here); every other aws call goes to the real AWS CLI, pointed at the EC2 stand-in.
    // terraform outputs a bucket; an upload lists what it sends.
    std::ofstream(bin + "/terraform") << "#!/bin/sh\necho \"terraform $* in $PWD\" >> " << calls
                                      << "\n[ \"$1 $3\" != 'output s3' ] || echo aztec-site\n"
                                         "[ \"$1 $3\" != 'output cloudfront' ] || echo E2HOIST\n";
    std::ofstream(bin + "/aws")
        << "#!/bin/sh\ncase \"$1\" in\n  ecs) echo \"aws $*\" >> " << calls
        << "; echo '{\"serviceArns\": []}' ;;\n  s3|cloudfront) echo \"aws $*\" >> " << calls
        << "\n    if [ \"$2\" = cp ] && [ -d \"$3\" ]; then (cd \"$3\" && find . -type f | sort) "
           ">> "
        << calls << "; fi ;;\n  *) exec /usr/bin/aws \"$@\" ;;\nesac\n";
    for (const char* name : {"terraform", "aws"}) {
      std::filesystem::permissions(bin + "/" + name, std::filesystem::perms::owner_all);
    }
  }

  /// The manifest `fixture`, with a busybox Dockerfile, a source file and its pattern file for
  /// each of `projects` (at the paths the Aztec scripts computed, from hoist's query_manifest of
  /// that era): each image holds /name, its dependencies' /name under /deps, and its build
  /// context under /usr/src/<buildDir>, as the Aztec images did.
  void WriteRepository(const std::string& fixture, const std::vector<std::string>& projects,
                       const std::string& config) {
    const std::string manifest_name =
        fixture.find(".json") != std::string::npos ? "build_manifest.json" : "build_manifest.yml";
    repo.Write(manifest_name, testing::ReadText(testing::FixturesDir() + "/manifests/" + fixture));
    auto raw = RawManifest::Load(repo.root() + "/" + manifest_name,
                                 manifest_name.find(".yml") != std::string::npos);
    ASSERT_TRUE(raw.ok());
    // Every project's pattern file, as the manifest names it (hoist reads them all to load it).
    for (const auto& project : raw->Projects()) {
      if (raw->TypeOf(project, "rebuildPatterns") != RawManifest::Type::kString) continue;
      const std::string dir = raw->TypeOf(project, "projectDir") == RawManifest::Type::kNull
                                  ? raw->Text(project, "buildDir")
                                  : raw->Text(project, "projectDir");
      const std::string file = dir + "/" + raw->Text(project, "rebuildPatterns");
      if (!std::filesystem::exists(repo.root() + "/" + file)) repo.Write(file, "^" + dir + "/\n");
    }
    auto query = [&](const std::string& field, const std::string& project) {
      auto run = testing::RunHoist(repo.root(), {"query", "--compat", "aztec", field, project});
      EXPECT_EQ(run.exit_code, 0) << field << " " << project << run.out << run.err;
      return testing::Lines(run.out);
    };
    const std::string root = std::filesystem::canonical(repo.root()).string() + "/";
    auto relative = [&](const std::string& path) {
      std::string normal = std::filesystem::path(path).lexically_normal().string();
      if (normal + "/" == root) return std::string(".");
      EXPECT_EQ(normal.rfind(root, 0), 0u) << normal;
      return normal.substr(root.size());
    };
    for (const auto& project : projects) {
      const std::string build_dir = relative(query("buildDir", project).at(0));
      const std::string project_dir = relative(query("projectDir", project).at(0));
      const std::string dockerfile = relative(query("dockerfile", project).at(0));
      std::string text;
      std::vector<std::string> deps = raw->Items(project, "dependencies");
      for (size_t i = 0; i < deps.size(); ++i) {
        text += "FROM aztecprotocol/" + deps[i] + " AS d" + std::to_string(i) + "\n";
      }
      text += "FROM hoist-example/busybox:1\n";
      for (size_t i = 0; i < deps.size(); ++i) {
        text += "COPY --from=d" + std::to_string(i) + " /name /deps/" + deps[i] + "\n";
      }
      text += "COPY . /usr/src/" + build_dir + "/\nRUN echo " + project + " > /name\n";
      repo.Write(dockerfile, text);
      repo.Write(project_dir + "/src/" + project + ".txt", project + "\n");
    }
    repo.Write("PROJECT", "aztec\n");
    repo.Write(".circleci/config.yml", config);
    repo.Write("hoist.yml", testing::SpotHoistYml(sshd, ec2, {"2", "32", "64"}));
    ASSERT_EQ(
        testing::RunHoist(repo.root(), {"compat", "aztec", "install", "build-system"}).exit_code,
        0);
    sha = repo.Commit("the real manifest, busybox Dockerfiles");
    repo.Git({"tag", "aztec-packages-v0.1.0"});
  }

  /// Runs the workflow as CircleCI would for the tag's pipeline; the first failing step ends it.
  /// Returns every step's output, in order.
  std::string RunPipeline() {
    std::string transcript;
    for (const auto& job : Workflow(testing::ReadText(repo.root() + "/.circleci/config.yml"))) {
      const std::string bash_env = testing::MakeTempDir("circleci") + "/bash_env";
      for (const auto& command : job.commands) {
        ProcessSpec spec;
        spec.argv = {"bash", "-c", command};
        spec.cwd = repo.root();
        spec.timeout_seconds = 300;
        spec.env = {"BASH_ENV=" + bash_env,
                    "PATH=" + bin + ":" +
                        std::filesystem::path(HOIST_BINARY).parent_path().string() +
                        ":/usr/local/bin:/usr/bin:/bin",
                    "CIRCLECI=true",
                    "CI=true",
                    "CIRCLE_SHA1=" + sha,
                    "CIRCLE_TAG=aztec-packages-v0.1.0",
                    "CIRCLE_BRANCH=master",
                    "CIRCLE_JOB=" + job.name,
                    "CIRCLE_BUILD_NUM=1",
                    "CIRCLE_WORKFLOW_ID=wf-" + std::to_string(++pipelines),
                    "CIRCLE_REPOSITORY_URL=git@github.com:AztecProtocol/aztec-packages.git",
                    "CIRCLE_PULL_REQUEST=",
                    "GITHUB_ACTIONS=",
                    "GITLAB_CI=",
                    "HOIST_REGISTRY=" + cache.host(),
                    "HOIST_DEPLOY_REGISTRY=" + deploy.host(),
                    "HOIST_NETWORK=none",
                    "HOIST_RETRY_SLEEP=0",
                    "npm_config_registry=" + npm.url(),
                    "NPM_TOKEN=" + npm.token()};
        for (const auto& variable : testing::AwsStandInEnv()) spec.env.push_back(variable);
        auto result = RunProcess(spec);
        EXPECT_TRUE(result.ok());
        transcript +=
            "== " + job.name + ": " + command + "\n" + result->stdout_text + result->stderr_text;
        if (result->exit_code != 0) {
          ADD_FAILURE() << "job " << job.name << ", step `" << command << "` exited "
                        << result->exit_code << "\n"
                        << result->stdout_text << result->stderr_text;
          return transcript;
        }
      }
    }
    return transcript;
  }

  /// calculate_image_tag P [ARCH] in a job's environment.
  std::string ImageTag(const std::string& project, const std::string& arch = "") {
    auto run =
        RunOk(repo.root(),
              {"bash", "-c",
               "export PATH=" + std::filesystem::path(HOIST_BINARY).parent_path().string() +
                   ":$PATH; build-system/scripts/calculate_image_tag " + project + " " + arch});
    return run.empty() ? run : run.substr(0, run.size() - 1);
  }
  bool Tagged(const std::string& registry, const std::string& project, const std::string& tag) {
    return testing::RunHoist(repo.root(), {"--registry", registry, "image", "exists", project, tag})
               .exit_code == 0;
  }
  int SpotRequests() {
    int n = 0;
    for (const auto& action : ec2.Actions()) n += action == "RequestSpotInstances";
    return n;
  }

  /// The whole check: a first pipeline passes and builds, a second builds nothing.
  void PipelineTwice(const std::vector<std::string>& built, const std::string& tested,
                     const std::string& test_job, const std::string& npm_package,
                     const std::string& deployed) {
    const std::string first = RunPipeline();
    if (HasFailure()) return;
    for (const auto& project : built) {
      EXPECT_TRUE(Tagged(cache.host(), project, ImageTag(project))) << project << "\n" << first;
    }
    EXPECT_GE(SpotRequests(), 2) << first;
    EXPECT_TRUE(Tagged(cache.host(), tested, ImageTag(tested) + "-" + test_job)) << first;
    EXPECT_NE(first.find("run_tests ran: 1 " + tested), std::string::npos) << first;
    // The test script's docker commands went to a spot machine of its own, as they did.
    bool test_machine = false;
    for (const auto& tags : ec2.Requests("CreateTags")) {
      for (const auto& [key, value] : tags.items()) {
        test_machine = test_machine || (value.is_string() && value.get<std::string>().rfind(
                                                                 "hoist-test-" + tested, 0) == 0);
      }
    }
    EXPECT_TRUE(test_machine) << ec2.Requests("CreateTags").dump();
    EXPECT_NE(RunOk(repo.root(),
                    {"npm", "view", npm_package + "@0.1.0", "version", "--registry", npm.url()}),
              "")
        << first;
    EXPECT_TRUE(Tagged(deploy.host(), deployed, sha)) << first;
    EXPECT_TRUE(Tagged(deploy.host(), deployed, "aztec-v0.1.0")) << first;
    EXPECT_TRUE(Tagged(cache.host(), deployed, ImageTag(deployed) + "-aztec-prod-deployed"))
        << first;
    const std::string log = testing::ReadText(calls);
    EXPECT_NE(log.find("terraform apply -input=false -auto-approve"), std::string::npos) << log;
    EXPECT_NE(log.find("aws ecs list-services"), std::string::npos) << log;
    if (s3) {
      // Global: the configuration's own state key.
      EXPECT_NE(log.find("terraform init -input=false in "), std::string::npos) << log;
      EXPECT_NE(log.find("extracted/l1-contracts/dest s3://aztec-site --recursive"),
                std::string::npos)
          << log;
      EXPECT_NE(log.find("./DEPLOY_TAG\n./index.html\n"), std::string::npos) << log;
      EXPECT_NE(log.find("aws cloudfront create-invalidation --distribution-id E2HOIST"),
                std::string::npos)
          << log;
    }

    // The same commit again: no build (no spot machine either), no test, no deploy.
    std::filesystem::remove(calls);
    const int spot_before = SpotRequests();
    const std::string second = RunPipeline();
    if (HasFailure()) return;
    EXPECT_FALSE(std::regex_search(second, std::regex("[^0-9][1-9][0-9]* built"))) << second;
    EXPECT_EQ(SpotRequests(), spot_before) << second;
    EXPECT_EQ(second.find("run_tests ran"), std::string::npos) << second;
    EXPECT_NE(second.find("No changes detected, skipping deployment."), std::string::npos)
        << second;
    EXPECT_FALSE(std::filesystem::exists(calls)) << testing::ReadText(calls);
  }

  testing::SshdFixture sshd;
  testing::NpmRegistryFixture npm;
  testing::Ec2StandIn ec2;
  testing::TempRepo repo;
  RegistryFixture cache, deploy;
  std::string bin, calls, sha;
  int pipelines = 0;
  bool s3 = false;  ///< the config has deploy_s3 l1-contracts global
};

/// A test script, run from the repository's top level as on the Aztec scripts' spot machine.
void WriteRunTests(testing::TempRepo& repo, const std::string& project_dir,
                   const std::string& project) {
  repo.Write(project_dir + "/scripts/run_tests",
             "#!/bin/sh\nset -e\ntest -f " + project_dir + "/src/" + project +
                 ".txt\necho \"run_tests ran: $1 " + project + "\"\n");
  std::filesystem::permissions(repo.root() + "/" + project_dir + "/scripts/run_tests",
                               std::filesystem::perms::owner_all);
}

// aztec-packages' 2024 YAML manifest and config style: multiarch: host (noir, avm-transpiler),
// pattern files, buildDir '.', an npm package built in its image (bb.js).
TEST_F(AztecPipeline, TheYamlManifestOfAztecPackages2024) {
  const std::string config = R"(version: 2.1
# In the style of aztec-packages' .circleci/config.yml (2024).
setup_env: &setup_env
  run:
    name: "Setup environment"
    command: ./build-system/scripts/setup_env "$CIRCLE_SHA1" "$CIRCLE_TAG" "$CIRCLE_JOB" "$CIRCLE_REPOSITORY_URL" "$CIRCLE_BRANCH" "$CIRCLE_PULL_REQUEST"
jobs:
  barretenberg-wasm-linux-clang:
    steps: [checkout, *setup_env, {run: {name: Build, command: cond_spot_run_build barretenberg-wasm-linux-clang 64}}]
  barretenberg-x86_64-linux-clang:
    steps: [checkout, *setup_env, {run: {name: Build, command: cond_spot_run_build barretenberg-x86_64-linux-clang 64}}]
  barretenberg-tests:
    steps: [checkout, *setup_env, {run: {name: Test, command: cond_spot_run_tests barretenberg-x86_64-linux-clang 32 ./scripts/run_tests 1}}]
  bb-js:
    steps: [checkout, *setup_env, {run: {name: Build, command: build bb.js}}]
  noir-x86_64:
    steps: [checkout, *setup_env, {run: {name: Build, command: cond_spot_run_build noir 32}}]
  avm-transpiler:
    steps: [checkout, *setup_env, {run: {name: Build, command: build avm-transpiler}}]
  l1-contracts:
    steps: [checkout, *setup_env, {run: {name: Build, command: cond_spot_run_build l1-contracts 32}}]
  deploy-npm:
    steps: [checkout, *setup_env, {run: {name: Deploy, command: deploy_npm bb.js latest}}]
  deploy-ecr:
    steps: [checkout, *setup_env, {run: {name: Deploy, command: "deploy_ecr avm-transpiler && deploy_ecr barretenberg-x86_64-linux-clang"}}]
  deploy:
    steps: [checkout, *setup_env, {run: {name: Deploy, command: deploy l1-contracts}}]
  deploy-s3:
    steps: [checkout, *setup_env, {run: {name: Deploy, command: "cd l1-contracts && deploy_s3 l1-contracts global"}}]
  build-local:
    steps: [checkout, *setup_env, {run: {name: Build, command: build_local avm-transpiler}}]
workflows:
  system:
    jobs:
      - barretenberg-wasm-linux-clang
      - barretenberg-x86_64-linux-clang
      - barretenberg-tests: {requires: [barretenberg-x86_64-linux-clang]}
      - bb-js: {requires: [barretenberg-wasm-linux-clang]}
      - noir-x86_64
      - avm-transpiler: {requires: [noir-x86_64]}
      - l1-contracts
      - deploy-npm: {requires: [bb-js, barretenberg-tests]}
      - deploy-ecr: {requires: [avm-transpiler, barretenberg-tests]}
      - deploy: {requires: [l1-contracts]}
      - deploy-s3: {requires: [l1-contracts]}
      - build-local: {requires: [avm-transpiler]}
)";
  const std::vector<std::string> projects = {"barretenberg-wasm-linux-clang",
                                             "barretenberg-x86_64-linux-clang",
                                             "bb.js",
                                             "noir",
                                             "avm-transpiler",
                                             "l1-contracts"};
  repo.Write(
      "barretenberg/ts/package.json",
      R"({"name": "@aztec/bb.js", "version": "0.0.0", "dependencies": {"comlink": "^4.4.1"}})"
      "\n");
  repo.Write("l1-contracts/terraform/main.tf", "# read by nothing: terraform is a stand-in\n");
  repo.Write("l1-contracts/dest/index.html", "<p>l1</p>\n");  // what deploy_s3 uploads
  repo.Write(".gitignore", "/extracted/\n");                  // where deploy_s3 extracts it
  WriteRunTests(repo, "barretenberg/cpp", "barretenberg-x86_64-linux-clang");
  WriteRepository("aztec-packages-2024.build_manifest.yml", projects, config);
  if (HasFatalFailure()) return;
  s3 = true;
  PipelineTwice(projects, "barretenberg-x86_64-linux-clang", "barretenberg-tests", "@aztec/bb.js",
                "l1-contracts");
  // multiarch: host: the x86_64 image too, as calculate_image_tag P host names it.
  EXPECT_TRUE(Tagged(cache.host(), "noir", ImageTag("noir", "host")));
  EXPECT_TRUE(Tagged(deploy.host(), "avm-transpiler", "aztec-prod"));
  // deploy_s3 (once: the second pipeline uploaded nothing): dest/ out of the image, with the
  // DEPLOY_TAG file, after the global terraform.
  EXPECT_EQ(testing::ReadText(repo.root() + "/extracted/l1-contracts/dest/DEPLOY_TAG"),
            "aztec-prod\n");
  EXPECT_EQ(testing::ReadText(repo.root() + "/extracted/l1-contracts/dest/index.html"),
            "<p>l1</p>\n");
  // build_local: the image and its dependency's, named as the script named them.
  for (const char* project : {"avm-transpiler", "noir"}) {
    EXPECT_EQ(RunOk("/", {"docker", "run", "--rm", "--network=none",
                          std::string("aztecprotocol/") + project + ":latest", "cat", "/name"}),
              std::string(project) + "\n");
  }
}

// aztec-packages' 2023 JSON manifest (its scripts of 2023-09: a dependency cycle between
// circuits.js and types, content-hash tags), projects outside the cycle.
TEST_F(AztecPipeline, TheJsonManifestOfAztecPackages2023) {
  const std::string config = R"(version: 2.1
# In the style of aztec-packages' .circleci/config.yml (autumn 2023).
setup_env: &setup_env
  run:
    name: "Setup environment"
    command: ./build-system/scripts/setup_env "$CIRCLE_SHA1" "$CIRCLE_TAG" "$CIRCLE_JOB" "$CIRCLE_REPOSITORY_URL" "$CIRCLE_BRANCH"
jobs:
  circuits-wasm-linux-clang:
    steps: [checkout, *setup_env, {run: {name: Build, command: cond_spot_run_build circuits-wasm-linux-clang 64}}]
  l1-contracts:
    steps: [checkout, *setup_env, {run: {name: Build, command: cond_spot_run_build l1-contracts 32}}]
  yarn-project-base:
    steps: [checkout, *setup_env, {run: {name: Build, command: build yarn-project-base}}]
  foundation:
    steps: [checkout, *setup_env, {run: {name: Build, command: build foundation}}]
  foundation-tests:
    steps: [checkout, *setup_env, {run: {name: Test, command: cond_spot_run_tests foundation 2 ./scripts/run_tests 1}}]
  noir-contracts:
    steps: [checkout, *setup_env, {run: {name: Build, command: build noir-contracts}}]
  deploy-npm:
    steps: [checkout, *setup_env, {run: {name: Deploy, command: deploy_npm foundation}}]
  deploy-ecr:
    steps: [checkout, *setup_env, {run: {name: Deploy, command: deploy_ecr yarn-project-base}}]
  deploy:
    steps: [checkout, *setup_env, {run: {name: Deploy, command: deploy l1-contracts}}]
workflows:
  system:
    jobs:
      - circuits-wasm-linux-clang
      - l1-contracts
      - yarn-project-base: {requires: [circuits-wasm-linux-clang, l1-contracts]}
      - foundation
      - foundation-tests: {requires: [foundation]}
      - noir-contracts: {requires: [foundation]}
      - deploy-npm: {requires: [foundation-tests]}
      - deploy-ecr: {requires: [yarn-project-base]}
      - deploy: {requires: [l1-contracts]}
)";
  const std::vector<std::string> projects = {"circuits-wasm-linux-clang", "l1-contracts",
                                             "yarn-project-base", "foundation", "noir-contracts"};
  repo.Write("yarn-project/foundation/package.json",
             R"({"name": "@aztec/foundation", "version": "0.0.0"})"
             "\n");
  // 2023-09's deploy read terraform/$VERSION_TAG ("prod" for a release tag).
  repo.Write("l1-contracts/terraform/prod/main.tf", "# read by nothing: terraform is a stand-in\n");
  // setup_env of 2023-09 checks a release tag against this file (release-please's).
  repo.Write("VERSION", "v0.1.0 x-release-please-version\n");
  WriteRunTests(repo, "yarn-project/foundation", "foundation");
  WriteRepository("aztec-packages-2023.build_manifest.json", projects, config);
  if (HasFatalFailure()) return;
  PipelineTwice(projects, "foundation", "foundation-tests", "@aztec/foundation", "l1-contracts");
  EXPECT_TRUE(Tagged(deploy.host(), "yarn-project-base", "aztec-prod"));
}

}  // namespace
}  // namespace hoist
