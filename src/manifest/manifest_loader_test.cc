#include "manifest/manifest_loader.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <chrono>
#include <cstdlib>

#include "support/temp_repo.h"

namespace hoist {
namespace {

using testing::TempRepo;

/// Loads `text` as a manifest of `repo`; the diagnostics are kept for the assertions.
struct Loaded {
  ManifestLoadResult result;
  const Diagnostic* Find(const std::string& needle) const {
    for (const auto& d : result.diagnostics) {
      if (FormatDiagnostic(d).find(needle) != std::string::npos) return &d;
    }
    return nullptr;
  }
  std::string All() const {
    std::string out;
    for (const auto& d : result.diagnostics) out += FormatDiagnostic(d) + "\n";
    return out;
  }
};

Loaded Load(const TempRepo& repo, const std::string& text,
            const std::string& file = "build_manifest.yml") {
  return {ParseManifest(text, file, repo.root())};
}

TEST(ManifestLoader, AppliesTheSeedDefaults) {
  TempRepo repo;
  auto loaded = Load(repo, "app:\n  buildDir: services/app\n");
  ASSERT_TRUE(loaded.result.manifest) << loaded.All();
  const Project& app = loaded.result.manifest->projects.at(0);
  EXPECT_EQ(app.build_dir, "services/app");
  EXPECT_EQ(app.project_dir, "services/app");
  EXPECT_EQ(app.dockerfile_path, "services/app/Dockerfile");
  EXPECT_EQ(app.rebuild_patterns, std::vector<std::string>{"^services/app/"});
  EXPECT_TRUE(app.dependencies.empty());
  EXPECT_TRUE(app.multiarch.empty());
}

// `onlyTagged: True` (or yes, on) read as false: a release step ran on every commit.
TEST(ManifestLoader, TrueAndFalseInEveryYamlSpelling) {
  TempRepo repo;
  for (const std::string yes : {"true", "True", "TRUE", "yes", "Yes", "on"}) {
    auto loaded =
        Load(repo, "app:\n  buildDir: app\n  tests:\n    unit: {command: x, host: " + yes +
                       "}\n  deploy:\n    - {type: registry, registry: r, "
                       "onlyTagged: " +
                       yes + "}\n");
    ASSERT_TRUE(loaded.result.manifest) << loaded.All();
    const Project& app = loaded.result.manifest->projects.at(0);
    EXPECT_TRUE(app.deploy.at(0).only_tagged) << yes;
    EXPECT_TRUE(app.tests.at(0).host) << yes;
  }
  auto no = Load(repo,
                 "app:\n  buildDir: app\n  deploy:\n    - {type: registry, registry: r, "
                 "onlyTagged: False}\n");
  ASSERT_TRUE(no.result.manifest) << no.All();
  EXPECT_FALSE(no.result.manifest->projects.at(0).deploy.at(0).only_tagged);
  auto bad = Load(repo,
                  "app:\n  buildDir: app\n  deploy:\n    - {type: registry, registry: r, "
                  "onlyTagged: sometimes}\n");
  EXPECT_NE(bad.Find("onlyTagged must be true or false, not 'sometimes'"), nullptr) << bad.All();
}

TEST(ManifestLoader, ReadsEveryField) {
  TempRepo repo;
  auto loaded = Load(repo, R"(
base:
  buildDir: base
lib:
  buildDir: libs
  projectDir: libs/lib
  dockerfile: Dockerfile.lib
  rebuildPatterns:
    - ^libs/lib/
    - ^libs/common\.h$
  dependencies: [base]
  runDependencies: [base]
  multiarch: host
  buildArgs:
    FLAVOUR: release
)");
  ASSERT_TRUE(loaded.result.manifest) << loaded.All();
  const Project& lib = *loaded.result.manifest->Find("lib");
  EXPECT_EQ(lib.project_dir, "libs/lib");
  // YAML manifests: the Dockerfile is relative to projectDir (the seed's YAML-era rule).
  EXPECT_EQ(lib.dockerfile_path, "libs/lib/Dockerfile.lib");
  EXPECT_EQ(lib.rebuild_patterns, (std::vector<std::string>{"^libs/lib/", "^libs/common\\.h$"}));
  EXPECT_EQ(lib.dependencies, std::vector<std::string>{"base"});
  EXPECT_EQ(lib.run_dependencies, std::vector<std::string>{"base"});
  EXPECT_EQ(lib.multiarch, "host");
  EXPECT_EQ(lib.build_args.at("FLAVOUR"), "release");
}

TEST(ManifestLoader, JsonManifestsResolveTheDockerfileFromBuildDir) {
  TempRepo repo;
  auto loaded = Load(repo,
                     R"({"l1-artifacts": {"buildDir": "yarn-project",
                         "projectDir": "yarn-project/l1-artifacts",
                         "dockerfile": "l1-artifacts/Dockerfile"}})",
                     "build_manifest.json");
  ASSERT_TRUE(loaded.result.manifest) << loaded.All();
  EXPECT_EQ(loaded.result.manifest->projects[0].dockerfile_path,
            "yarn-project/l1-artifacts/Dockerfile");
}

TEST(ManifestLoader, DockerfileFallsBackToTheOtherBaseWhenOnlyThatExists) {
  TempRepo repo;
  repo.Write("yarn-project/Dockerfile.test", "FROM scratch\n");
  auto loaded = Load(repo,
                     "t:\n  buildDir: yarn-project\n  projectDir: yarn-project/t\n"
                     "  dockerfile: Dockerfile.test\n");
  ASSERT_TRUE(loaded.result.manifest) << loaded.All();
  EXPECT_EQ(loaded.result.manifest->projects[0].dockerfile_path, "yarn-project/Dockerfile.test");
}

TEST(ManifestLoader, DockerfileMayClimbOutOfBuildDirButNotOutOfTheRepository) {
  TempRepo repo;
  auto ok = Load(repo,
                 "acir:\n  buildDir: noir/noir-repo/test_programs\n"
                 "  dockerfile: ../../../barretenberg/acir_tests/Dockerfile.noir\n");
  ASSERT_TRUE(ok.result.manifest) << ok.All();
  EXPECT_EQ(ok.result.manifest->projects[0].dockerfile_path,
            "barretenberg/acir_tests/Dockerfile.noir");
  auto bad = Load(repo, "acir:\n  buildDir: noir\n  dockerfile: ../../etc/Dockerfile\n");
  EXPECT_FALSE(bad.result.manifest);
  const Diagnostic* d = bad.Find("points outside the repository");
  ASSERT_NE(d, nullptr) << bad.All();
  EXPECT_EQ(d->line, 3);
}

TEST(ManifestLoader, RejectsAbsoluteAndEscapingPaths) {
  TempRepo repo;
  auto loaded = Load(repo,
                     "a:\n  buildDir: /etc\nb:\n  buildDir: ../sibling\n"
                     "c:\n  buildDir: c\n  projectDir: c/../../x\n");
  EXPECT_FALSE(loaded.result.manifest);
  EXPECT_NE(loaded.Find("'/etc' is an absolute path"), nullptr) << loaded.All();
  EXPECT_NE(loaded.Find("'../sibling' points outside the repository"), nullptr);
  EXPECT_NE(loaded.Find("'c/../../x' points outside the repository"), nullptr);
}

TEST(ManifestLoader, MalformedYamlNamesTheLine) {
  TempRepo repo;
  auto loaded = Load(repo, "a:\n  buildDir: a\n  dependencies: [b\nb:\n  buildDir: b\n");
  EXPECT_FALSE(loaded.result.manifest);
  ASSERT_EQ(loaded.result.diagnostics.size(), 1u) << loaded.All();
  EXPECT_NE(loaded.Find("malformed YAML"), nullptr);
  EXPECT_GE(loaded.result.diagnostics[0].line, 3);
}

TEST(ManifestLoader, MalformedJsonNamesTheLineAndColumn) {
  TempRepo repo;
  auto loaded =
      Load(repo, "{\n  \"a\": {\"buildDir\": \"a\"}\n  \"b\": {}\n}\n", "build_manifest.json");
  EXPECT_FALSE(loaded.result.manifest);
  const Diagnostic* d = loaded.Find("malformed JSON");
  ASSERT_NE(d, nullptr) << loaded.All();
  EXPECT_EQ(d->line, 3);
  EXPECT_GT(d->column, 0);
}

TEST(ManifestLoader, ManifestMustBeAMapping) {
  TempRepo repo;
  auto loaded = Load(repo, "- a\n- b\n");
  EXPECT_FALSE(loaded.result.manifest);
  EXPECT_NE(loaded.Find("must be a mapping of project names"), nullptr) << loaded.All();
}

TEST(ManifestLoader, ProjectMustBeAMapping) {
  TempRepo repo;
  auto loaded = Load(repo, "a:\n  buildDir: a\nb: just-a-string\nc:\n");
  EXPECT_FALSE(loaded.result.manifest);
  const Diagnostic* d = loaded.Find("project 'b' must be a mapping");
  ASSERT_NE(d, nullptr) << loaded.All();
  EXPECT_EQ(d->line, 3);
  EXPECT_NE(loaded.Find("project 'c' must be a mapping of settings (buildDir, dockerfile, ...), "
                        "but it is empty"),
            nullptr);
}

TEST(ManifestLoader, MissingBuildDir) {
  TempRepo repo;
  auto loaded = Load(repo, "a:\n  buildDir: a\nb:\n  dockerfile: Dockerfile\n");
  EXPECT_FALSE(loaded.result.manifest);
  const Diagnostic* d = loaded.Find("project 'b' has no 'buildDir'");
  ASSERT_NE(d, nullptr) << loaded.All();
  EXPECT_EQ(d->line, 3);
  EXPECT_NE(d->hint.find("buildDir: <directory>"), std::string::npos);
}

TEST(ManifestLoader, UnknownDependencySuggestsTheClosestName) {
  TempRepo repo;
  auto loaded = Load(repo,
                     "barretenberg:\n  buildDir: bb\napp:\n  buildDir: app\n"
                     "  dependencies:\n    - barettenberg\n");
  EXPECT_FALSE(loaded.result.manifest);
  const Diagnostic* d = loaded.Find("unknown dependency 'barettenberg'");
  ASSERT_NE(d, nullptr) << loaded.All();
  EXPECT_EQ(d->line, 6);
  EXPECT_EQ(d->hint, "did you mean 'barretenberg'?");
}

TEST(ManifestLoader, UnknownRunDependencyIsAnError) {
  TempRepo repo;
  auto loaded = Load(repo, "a:\n  buildDir: a\n  runDependencies: [aa, zzzzzzzz]\n");
  EXPECT_FALSE(loaded.result.manifest);
  EXPECT_NE(loaded.Find("unknown run dependency 'zzzzzzzz'"), nullptr) << loaded.All();
}

TEST(ManifestLoader, EmptyDependencyIsIgnoredWithAWarning) {
  TempRepo repo;
  auto loaded =
      Load(repo, R"({"a": {"buildDir": "a", "dependencies": [""]}})", "build_manifest.json");
  ASSERT_TRUE(loaded.result.manifest) << loaded.All();
  EXPECT_TRUE(loaded.result.manifest->projects[0].dependencies.empty());
  const Diagnostic* d = loaded.Find("empty project name in 'dependencies' is ignored");
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(d->severity, Severity::kWarning);
}

TEST(ManifestLoader, InvalidRegexNamesProjectPatternAndReason) {
  TempRepo repo;
  auto loaded = Load(repo, "a:\n  buildDir: a\n  rebuildPatterns:\n    - ^a/(unclosed\n");
  EXPECT_FALSE(loaded.result.manifest);
  const Diagnostic* d = loaded.Find("project 'a', rebuild pattern '^a/(unclosed'");
  ASSERT_NE(d, nullptr) << loaded.All();
  EXPECT_NE(d->message.find("missing )"), std::string::npos) << d->message;
  EXPECT_EQ(d->line, 4);
}

TEST(ManifestLoader, ATestJobMapWithoutCommandIsAnErrorNotACrash) {
  // Found by fuzz/manifest_fuzz.cc: yaml-cpp threw on the missing key (exit 134).
  TempRepo repo;
  auto loaded =
      Load(repo, "app:\n  buildDir: app\n  tests:\n    lint: {commdan: make lint, host: true}\n");
  EXPECT_FALSE(loaded.result.manifest);
  EXPECT_NE(loaded.Find("test job 'lint' has no command"), nullptr) << loaded.All();
}

TEST(ManifestLoader, AJsonNumberTooLargeForAnyTypeIsAnErrorNotACrash) {
  // Found by fuzz/manifest_fuzz.cc: nlohmann/json's out_of_range was not caught (exit 134).
  auto result = ParseManifest(R"({"app": {"buildDir": "app", "x": 444442000000e0001255403416}})",
                              "/r/build_manifest.json", "/r");
  EXPECT_FALSE(result.manifest);
  ASSERT_FALSE(result.diagnostics.empty());
  EXPECT_NE(result.diagnostics[0].message.find("malformed JSON: "), std::string::npos)
      << result.diagnostics[0].message;
}

TEST(ManifestLoader, APatternTooComplexToCompileIsAClearErrorQuotedInShort) {
  TempRepo repo;
  std::string huge = "^(";
  for (int i = 0; i < 3000; ++i) huge += (i ? "|" : "") + std::string("x") + std::to_string(i);
  huge += "){1,1000}$";
  const auto start = std::chrono::steady_clock::now();
  auto loaded = Load(repo, "a:\n  buildDir: a\n  rebuildPatterns: ['" + huge + "']\n");
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
  EXPECT_FALSE(loaded.result.manifest);
  const Diagnostic* d = loaded.Find("too complex: its compiled form exceeds the bound");
  ASSERT_NE(d, nullptr) << loaded.All().substr(0, 2000);
  EXPECT_NE(d->message.find("characters)"), std::string::npos) << d->message.substr(0, 500);
  EXPECT_LT(d->message.size(), 600u);  // the pattern quoted in short, not all 20 KB of it
}

TEST(ManifestLoader, RejectsEmptyAlternatives) {
  TempRepo repo;
  for (const char* pattern : {"^a/|", "|^a/", "^a/||^b/", "^(a|)/x", "^(|a)/x"}) {
    auto loaded =
        Load(repo, std::string("a:\n  buildDir: a\n  rebuildPatterns: ['") + pattern + "']\n");
    EXPECT_FALSE(loaded.result.manifest) << pattern;
    EXPECT_NE(loaded.Find("empty alternative"), nullptr) << pattern << "\n" << loaded.All();
  }
  // Alternatives that are not empty, and '|' inside classes or escaped, are fine.
  for (const char* pattern : {"^(a|b)/", "(^|/)x$", "^a[|]b", "^a\\|b", "^(?:a|b)"}) {
    auto loaded =
        Load(repo, std::string("a:\n  buildDir: a\n  rebuildPatterns: ['") + pattern + "']\n");
    EXPECT_TRUE(loaded.result.manifest) << pattern << "\n" << loaded.All();
  }
}

TEST(ManifestLoader, WarnsOnAPatternThatMatchesEverything) {
  TempRepo repo;
  auto loaded = Load(repo, "a:\n  buildDir: a\n  rebuildPatterns: ['.*']\n");
  ASSERT_TRUE(loaded.result.manifest) << loaded.All();
  const Diagnostic* d = loaded.Find("matches every file");
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(d->severity, Severity::kWarning);
}

TEST(ManifestLoader, RebuildPatternsFromAFileRelativeToProjectDir) {
  TempRepo repo;
  repo.Write("barretenberg/sol/.rebuild_patterns",
             "^barretenberg/sol/\n\n  ^barretenberg/cpp/src/.*\\.hpp$  \n# a comment\n");
  auto loaded = Load(repo,
                     "sol:\n  buildDir: barretenberg\n"
                     "  rebuildPatterns: sol/.rebuild_patterns\n");
  ASSERT_TRUE(loaded.result.manifest) << loaded.All();
  const Project& sol = loaded.result.manifest->projects[0];
  EXPECT_EQ(sol.rebuild_patterns_file, "barretenberg/sol/.rebuild_patterns");
  EXPECT_EQ(sol.rebuild_patterns,
            (std::vector<std::string>{"^barretenberg/sol/", "^barretenberg/cpp/src/.*\\.hpp$"}));
}

TEST(ManifestLoader, MissingPatternFile) {
  TempRepo repo;
  auto loaded = Load(repo, "noir:\n  buildDir: noir\n  rebuildPatterns: .rebuild_patterns\n");
  EXPECT_FALSE(loaded.result.manifest);
  const Diagnostic* d = loaded.Find("rebuild pattern file 'noir/.rebuild_patterns' does not exist");
  ASSERT_NE(d, nullptr) << loaded.All();
  EXPECT_EQ(d->line, 3);
}

TEST(ManifestLoader, BadPatternInAFileNamesThatFileAndLine) {
  TempRepo repo;
  repo.Write("noir/.rebuild_patterns", "^noir/\n^noir/(x\n");
  auto loaded = Load(repo, "noir:\n  buildDir: noir\n  rebuildPatterns: .rebuild_patterns\n");
  EXPECT_FALSE(loaded.result.manifest);
  const Diagnostic* d = loaded.Find("rebuild pattern '^noir/(x'");
  ASSERT_NE(d, nullptr) << loaded.All();
  EXPECT_EQ(d->file, "noir/.rebuild_patterns");
  EXPECT_EQ(d->line, 2);
}

TEST(ManifestLoader, DependencyScriptRunsWithProjectDir) {
  TempRepo repo;
  repo.Write("yarn-project/deps.sh", "#!/bin/sh\necho \"$1\" > \"$1/../seen\"\necho base\n");
  chmod((repo.root() + "/yarn-project/deps.sh").c_str(), 0755);
  repo.Write("yarn-project/app/.keep", "");
  auto loaded = Load(repo,
                     "base:\n  buildDir: base\napp:\n  buildDir: yarn-project\n"
                     "  projectDir: yarn-project/app\n  dependencies: deps.sh\n");
  ASSERT_TRUE(loaded.result.manifest) << loaded.All();
  EXPECT_EQ(loaded.result.manifest->Find("app")->dependencies, std::vector<std::string>{"base"});
}

TEST(ManifestLoader, ADependencyScriptThatHangsOrFloodsIsKilledWithinItsBound) {
  TempRepo repo;
  setenv("HOIST_SCRIPT_TIMEOUT", "1", 1);
  // It hangs, and so does what it started (its process group goes with it).
  repo.Write("app/deps.sh", "#!/bin/sh\nsleep 300 &\nsleep 300\n");
  chmod((repo.root() + "/app/deps.sh").c_str(), 0755);
  const auto start = std::chrono::steady_clock::now();
  auto hung = Load(repo, "app:\n  buildDir: app\n  dependencies: deps.sh\n");
  const auto took = std::chrono::steady_clock::now() - start;
  unsetenv("HOIST_SCRIPT_TIMEOUT");
  EXPECT_FALSE(hung.result.manifest);
  EXPECT_NE(hung.Find("did not finish within 1 s (set HOIST_SCRIPT_TIMEOUT for more) and was "
                      "killed"),
            nullptr)
      << hung.All();
  EXPECT_LT(took, std::chrono::seconds(10));  // a bound, not a benchmark
  // Its output closed, it sleeps on: still killed at the bound.
  repo.Write("app/deps.sh", "#!/bin/sh\nexec >/dev/null 2>&1\nsleep 300\n");
  setenv("HOIST_SCRIPT_TIMEOUT", "1", 1);
  const auto quiet_start = std::chrono::steady_clock::now();
  auto quiet = Load(repo, "app:\n  buildDir: app\n  dependencies: deps.sh\n");
  unsetenv("HOIST_SCRIPT_TIMEOUT");
  EXPECT_NE(quiet.Find("did not finish within 1 s"), nullptr) << quiet.All();
  EXPECT_LT(std::chrono::steady_clock::now() - quiet_start, std::chrono::seconds(10));
  // 20 MB of names: killed at the output bound instead of deduplicated for minutes.
  repo.Write("app/deps.sh", "#!/bin/sh\nexec yes lib-with-a-long-name\n");
  auto flood = Load(repo, "app:\n  buildDir: app\n  dependencies: deps.sh\n");
  EXPECT_FALSE(flood.result.manifest);
  EXPECT_NE(flood.Find("printed more than 1 MiB and was killed"), nullptr) << flood.All();
}

TEST(ManifestLoader, DependencyScriptMissingOrFailing) {
  TempRepo repo;
  auto missing = Load(repo, "app:\n  buildDir: app\n  dependencies: deps.sh\n");
  EXPECT_FALSE(missing.result.manifest);
  EXPECT_NE(missing.Find("dependency script 'app/deps.sh' does not exist"), nullptr)
      << missing.All();

  repo.Write("app/deps.sh", "#!/bin/sh\necho broken >&2\nexit 3\n");
  chmod((repo.root() + "/app/deps.sh").c_str(), 0755);
  auto failing = Load(repo, "app:\n  buildDir: app\n  dependencies: deps.sh\n");
  EXPECT_FALSE(failing.result.manifest);
  EXPECT_NE(failing.Find("failed: it exited with status 3: broken"), nullptr) << failing.All();

  repo.Write("app/deps.sh", "#!/bin/sh\necho nosuchproject\n");
  auto unknown = Load(repo, "app:\n  buildDir: app\n  dependencies: deps.sh\n");
  EXPECT_FALSE(unknown.result.manifest);
  EXPECT_NE(unknown.Find("unknown dependency 'nosuchproject' (printed by 'app/deps.sh')"), nullptr)
      << unknown.All();
}

TEST(ManifestLoader, ProjectNamesMustBeRegistryRepositoryNames) {
  TempRepo repo;
  auto loaded = Load(repo,
                     "MyApp:\n  buildDir: a\n'with space':\n  buildDir: b\n"
                     "ok.name-1_x:\n  buildDir: c\n");
  EXPECT_FALSE(loaded.result.manifest);
  const Diagnostic* d = loaded.Find("project name 'MyApp' is not a valid registry repository name");
  ASSERT_NE(d, nullptr) << loaded.All();
  EXPECT_NE(d->hint.find("'myapp'"), std::string::npos);
  EXPECT_NE(loaded.Find("'with space' is not a valid"), nullptr);
  EXPECT_EQ(loaded.Find("'ok.name-1_x' is not"), nullptr);
}

TEST(ManifestLoader, DuplicateKeysWarnWithBothLinesAndTheLastWins) {
  TempRepo repo;
  auto loaded = Load(repo, "a:\n  buildDir: first\nb:\n  buildDir: b\na:\n  buildDir: second\n");
  ASSERT_TRUE(loaded.result.manifest) << loaded.All();
  EXPECT_EQ(loaded.result.manifest->projects.size(), 2u);
  EXPECT_EQ(loaded.result.manifest->Find("a")->build_dir, "second");
  const Diagnostic* d = loaded.Find("project 'a' is defined twice (lines 1 and 5)");
  ASSERT_NE(d, nullptr) << loaded.All();
  EXPECT_EQ(d->severity, Severity::kWarning);
}

TEST(ManifestLoader, DuplicateFieldWarns) {
  TempRepo repo;
  auto loaded = Load(repo, "a:\n  buildDir: x\n  buildDir: y\n");
  ASSERT_TRUE(loaded.result.manifest) << loaded.All();
  EXPECT_EQ(loaded.result.manifest->projects[0].build_dir, "y");
  EXPECT_NE(loaded.Find("'buildDir' is set twice (lines 2 and 3)"), nullptr);
}

TEST(ManifestLoader, UnknownKeysWarnWithASuggestion) {
  TempRepo repo;
  auto loaded = Load(repo, "a:\n  buildDir: a\n  rebuildPattern: ['^a/']\n");
  ASSERT_TRUE(loaded.result.manifest) << loaded.All();
  const Diagnostic* d = loaded.Find("unknown key 'rebuildPattern' is ignored");
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(d->severity, Severity::kWarning);
  EXPECT_EQ(d->hint, "did you mean 'rebuildPatterns'?");
  EXPECT_EQ(d->line, 3);
}

TEST(ManifestLoader, WrongTypesAreErrors) {
  TempRepo repo;
  auto loaded = Load(repo,
                     "a:\n  buildDir: [x]\nb:\n  buildDir: b\n  dependencies: {x: 1}\n"
                     "c:\n  buildDir: c\n  multiarch: arm\n");
  EXPECT_FALSE(loaded.result.manifest);
  EXPECT_NE(loaded.Find("'buildDir' must be a non-empty string, but it is a list"), nullptr)
      << loaded.All();
  EXPECT_NE(loaded.Find("'dependencies' must be a list of project names"), nullptr);
  EXPECT_NE(loaded.Find("multiarch must be 'host' or 'buildx', not 'arm'"), nullptr);
}

TEST(ManifestLoader, FindsTheManifestAtTheTopLevel) {
  TempRepo repo;
  auto none = LoadManifest({repo.root(), ""});
  EXPECT_FALSE(none.manifest);
  ASSERT_EQ(none.diagnostics.size(), 1u);
  EXPECT_NE(none.diagnostics[0].message.find("no build_manifest.yml"), std::string::npos);

  repo.Write("build_manifest.yml", "a:\n  buildDir: a\n");
  EXPECT_TRUE(LoadManifest({repo.root(), ""}).manifest);

  repo.Write("build_manifest.json", "{}");
  auto both = LoadManifest({repo.root(), ""});
  EXPECT_FALSE(both.manifest);
  EXPECT_NE(both.diagnostics[0].message.find("hoist will not guess"), std::string::npos);
}

}  // namespace
}  // namespace hoist

namespace hoist {
namespace {

TEST(ManifestLoader, ATestJobNameMustFitItsPassMarkerTag) {
  TempRepo repo;
  const std::string name(kMaxTestJobName + 1, 'j');
  auto loaded = Load(repo, "a:\n  buildDir: a\n  tests:\n    " + name + ": \"true\"\n");
  EXPECT_FALSE(loaded.result.manifest);
  const Diagnostic* d = loaded.Find("test job name '" + name + "' is 57 characters; at most 56");
  ASSERT_NE(d, nullptr) << loaded.All();
  EXPECT_EQ(d->line, 4);
  auto fits = Load(repo, "a:\n  buildDir: a\n  tests:\n    " + name.substr(1) + ": \"true\"\n");
  EXPECT_TRUE(fits.result.manifest) << fits.All();
}

}  // namespace
}  // namespace hoist
