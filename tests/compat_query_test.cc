// `hoist query --compat aztec-ERA` against what the Aztec build system's own query_manifest
// printed, era by era, for every field of every project of the two real manifests in
// ../shared/fixtures/manifests (tests/fixtures/aztec_query holds those outputs, with the
// revision of the scripts that printed them).
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "compat/aztec_query.h"
#include "support/temp_repo.h"

namespace hoist {
namespace {

using testing::FixturesDir;
using testing::RunHoist;
using testing::TempRepo;

/// The layout the recorded outputs were made in: the manifest at the root, every buildDir and
/// projectDir, and for a rebuildPatterns file name (YAML) the file in the project's directory
/// with two patterns (the first project naming a file writes it).
void MakeLayout(const TempRepo& repo, const std::string& fixture, bool yaml) {
  std::string manifest_name = yaml ? "build_manifest.yml" : "build_manifest.json";
  repo.Write(manifest_name, testing::ReadText(FixturesDir() + "/manifests/" + fixture));
  auto manifest = RawManifest::Load(repo.root() + "/" + manifest_name, yaml);
  ASSERT_TRUE(manifest.ok()) << manifest.error().message;
  std::set<std::string> written;
  for (const auto& p : manifest->Projects()) {
    std::filesystem::create_directories(repo.root() + "/" + manifest->Text(p, "buildDir"));
    std::string rel = manifest->Text(p, "buildDir");
    if (manifest->TypeOf(p, "projectDir") != RawManifest::Type::kNull) {
      rel = manifest->Text(p, "projectDir");
      std::filesystem::create_directories(repo.root() + "/" + rel);
    }
    if (yaml && manifest->TypeOf(p, "rebuildPatterns") == RawManifest::Type::kString) {
      std::string file = rel + "/" + manifest->Text(p, "rebuildPatterns");
      if (!written.insert(std::filesystem::path(file).lexically_normal().string()).second) continue;
      repo.Write(file, "^" + rel + "/src/\n^" + rel + "/package.json$\n");
    }
  }
  repo.Write("README", "x");
  repo.Commit("init");
}

std::string Replace(std::string text, const std::string& from, const std::string& to) {
  for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
  return text;
}

struct Parity {
  int same = 0;
  int total = 0;
};

/// Runs every recorded case of `era` in-process and returns the parity per field; a case
/// that differs fails the test unless `expected_difference` accepts it.
std::map<std::string, Parity> CompareEra(
    const std::string& era_name, const std::string& fixture, bool yaml,
    const std::function<bool(const nlohmann::json&, const AztecQueryAnswer&)>&
        expected_difference) {
  std::map<std::string, Parity> parity;
  TempRepo repo;
  MakeLayout(repo, fixture, yaml);
  auto recorded = nlohmann::json::parse(
      testing::ReadText(std::string(HOIST_SOURCE_DIR) +
                        "/tests/fixtures/aztec_query/query_manifest-" + era_name + ".json"));
  EXPECT_EQ(recorded["manifest"], fixture);
  auto era = ParseAztecEra(era_name);
  EXPECT_TRUE(era.ok());
  auto manifest = RawManifest::Load(
      repo.root() + "/" + (yaml ? "build_manifest.yml" : "build_manifest.json"), yaml);
  EXPECT_TRUE(manifest.ok());
  auto git = GitRepository::Open(repo.root());
  EXPECT_TRUE(git.ok());
  for (const auto& c : recorded["cases"]) {
    std::vector<std::string> args = {c[0], c[1]};
    for (const auto& extra : c[2]) args.push_back(extra);
    auto answer = AztecQuery(*era, *manifest, repo.root(), *git, args);
    std::string out = Replace(answer.out, repo.root(), "@ROOT@");
    bool same = out == c[4].get<std::string>() && answer.exit_code == c[3].get<int>();
    std::string field = c[0];
    parity[field].total++;
    if (same) {
      parity[field].same++;
    } else {
      EXPECT_TRUE(expected_difference(c, answer))
          << era_name << " " << c.dump() << "\nhoist printed (exit " << answer.exit_code << "):\n"
          << out << "\n"
          << answer.err;
    }
  }
  std::string table;
  for (const auto& [field, counts] : parity) {
    table += "  " + field + ": " + std::to_string(counts.same) + "/" +
             std::to_string(counts.total) + "\n";
  }
  std::cout << "query parity, era " << era_name << " (" << fixture << "):\n" << table;
  return parity;
}

bool NoDifference(const nlohmann::json&, const AztecQueryAnswer&) {
  return false;
}

TEST(CompatQuery, The2023JsonScriptsPrintedRawRelativeValues) {
  HOIST_REQUIRE_SHARED_FIXTURES();
  // Every case but those the script never finished: the dependency walk of build-system
  // 89389e8 had no visited set, so a project reaching the circuits.js <-> types cycle never
  // got an answer (the recorded run was stopped after 20 s, status 124). hoist ends at once
  // with status 1 and names the cycle.
  auto parity = CompareEra("2023-02", "aztec-packages-2023.build_manifest.json", false,
                           [](const nlohmann::json& c, const AztecQueryAnswer& answer) {
                             return c[3] == 124 && answer.exit_code == 1 &&
                                    answer.err.find("form a cycle") != std::string::npos;
                           });
  EXPECT_EQ(parity["dockerfile"].same, 31);
  EXPECT_EQ(parity["buildDir"].same, 31);
  EXPECT_EQ(parity["projectDir"].same, 31);
  EXPECT_EQ(parity["dependencies"].same, 15);  // 14 + the unknown project; 17 never ended
  EXPECT_EQ(parity["rebuildPatterns"].same, 14);
}

TEST(CompatQuery, TheLastJsonScriptsPrintedAbsolutePathsAndEndedOnTheCycle) {
  HOIST_REQUIRE_SHARED_FIXTURES();
  auto parity =
      CompareEra("2023-09", "aztec-packages-2023.build_manifest.json", false, NoDifference);
  for (const auto& [field, counts] : parity) EXPECT_EQ(counts.same, counts.total) << field;
}

TEST(CompatQuery, TheYamlScriptsPrintedDirectDependenciesAndRunDependencies) {
  HOIST_REQUIRE_SHARED_FIXTURES();
  auto parity = CompareEra("2024", "aztec-packages-2024.build_manifest.yml", true, NoDifference);
  for (const auto& [field, counts] : parity) EXPECT_EQ(counts.same, counts.total) << field;
  EXPECT_EQ(parity["runDependencies"].total, 34);
}

TEST(CompatQuery, TheCommandAnswersOnStdoutWithTheScriptsExitStatus) {
  TempRepo repo;
  repo.Write("build_manifest.json",
             R"({"lib": {"buildDir": "./lib/", "dependencies": []},
                 "app": {"buildDir": "app", "dockerfile": "docker/Dockerfile",
                         "rebuildPatterns": ["^app/"], "dependencies": ["lib"]}})");
  repo.Write("lib/Dockerfile", "FROM scratch\n");
  repo.Commit("init");
  // The era a JSON manifest without dependency scripts implies: 2023-02, raw values.
  auto dockerfile = RunHoist(repo.root(), {"query", "--compat", "aztec", "dockerfile", "app"});
  EXPECT_EQ(dockerfile.exit_code, 0) << dockerfile.err;
  EXPECT_EQ(dockerfile.out, "docker/Dockerfile\n");
  auto build_dir = RunHoist(repo.root(), {"query", "--compat", "aztec", "buildDir", "lib"});
  EXPECT_EQ(build_dir.out, "./lib/\n");
  // A project with no dependencies printed one empty line.
  auto none = RunHoist(repo.root(), {"query", "--compat", "aztec", "dependencies", "lib"});
  EXPECT_EQ(none.out, "\n");
  EXPECT_EQ(none.exit_code, 0);
  // An unknown project: the script's message on stdout, status 1.
  auto unknown = RunHoist(repo.root(), {"query", "--compat", "aztec", "dependencies", "nope"});
  EXPECT_EQ(unknown.out, "Unknown repository nope in build_mainifest.json\n");
  EXPECT_EQ(unknown.exit_code, 1);
  // A field that era did not have: nothing, status 0, and a warning on stderr only.
  auto missing = RunHoist(repo.root(), {"query", "--compat", "aztec", "multiarch", "app"});
  EXPECT_EQ(missing.out, "");
  EXPECT_EQ(missing.exit_code, 0);
  EXPECT_NE(missing.err.find("has no field 'multiarch'"), std::string::npos) << missing.err;
  // jq could not iterate over a string: status 5.
  repo.Write("build_manifest.json", R"({"lib": {"buildDir": "lib", "dependencies": "deps.sh"}})");
  repo.Commit("string");
  auto string_deps =
      RunHoist(repo.root(), {"query", "--compat", "aztec-2023-02", "dependencies", "lib"});
  EXPECT_EQ(string_deps.exit_code, 5);
  EXPECT_NE(string_deps.err.find("Cannot iterate over string (\"deps.sh\")"), std::string::npos);
  // A cycle: the 2023-02 scripts never finished on one, so the manifest is 2023-09's.
  repo.Write("build_manifest.json",
             R"({"lib": {"buildDir": "./lib/", "dependencies": ["app"]},
                 "app": {"buildDir": "app", "dependencies": ["lib"]}})");
  repo.Commit("cycle");
  auto cycle = RunHoist(repo.root(), {"query", "--compat", "aztec", "dependencies", "lib"});
  EXPECT_EQ(cycle.exit_code, 0) << cycle.err;
  EXPECT_EQ(cycle.out, "app\n");
  // hoist's own query keeps its normalised answers.
  auto own = RunHoist(repo.root(), {"query", "buildDir", "lib"});
  EXPECT_EQ(own.out, repo.root() + "/lib\n");
  // A run name belongs to the 2024 scripts only.
  auto run = RunHoist(repo.root(), {"query", "runDependencies", "app", "e2e"});
  EXPECT_EQ(run.exit_code, 2);
}

TEST(CompatQuery, AJsonProjectWithoutDependenciesRunsGetDependencies) {
  TempRepo repo;
  repo.Write("build_manifest.json",
             R"({"foundation": {"buildDir": "yarn-project", "projectDir": "yarn-project/foundation",
                                "dockerfile": "foundation/Dockerfile", "dependencies": []},
                 "types": {"buildDir": "yarn-project", "projectDir": "yarn-project/types",
                           "dockerfile": "types/Dockerfile"}})");
  // As aztec-packages did: the project's package.json names its workspace dependencies.
  repo.Write("yarn-project/scripts/get_dependencies.sh",
             "#!/bin/sh\ncase \"$1\" in */types) echo foundation;; esac\n");
  std::filesystem::permissions(repo.root() + "/yarn-project/scripts/get_dependencies.sh",
                               std::filesystem::perms::owner_exec,
                               std::filesystem::perm_options::add);
  repo.Write("yarn-project/foundation/Dockerfile", "FROM scratch\n");
  repo.Write("yarn-project/types/Dockerfile", "FROM foundation\n");
  repo.Commit("init");
  // The compat answer: the era is 2023-09 (the only scripts that ran get_dependencies.sh).
  auto deps = RunHoist(repo.root(), {"query", "--compat", "aztec", "dependencies", "types"});
  EXPECT_EQ(deps.exit_code, 0) << deps.err;
  EXPECT_EQ(deps.out, "foundation\n");
  auto dockerfile = RunHoist(repo.root(), {"query", "--compat", "aztec", "dockerfile", "types"});
  EXPECT_EQ(dockerfile.out, repo.root() + "/yarn-project/types/types/Dockerfile\n");
  // And hoist's own graph: types is built after foundation, from its image.
  auto own = RunHoist(repo.root(), {"query", "dependencies", "types"});
  EXPECT_EQ(own.exit_code, 0) << own.err;
  EXPECT_EQ(own.out, "foundation\n");
  // A script that is not executable, which the scripts would have failed on: a warning.
  std::filesystem::permissions(repo.root() + "/yarn-project/scripts/get_dependencies.sh",
                               std::filesystem::perms::owner_exec |
                                   std::filesystem::perms::group_exec |
                                   std::filesystem::perms::others_exec,
                               std::filesystem::perm_options::remove);
  auto not_run = RunHoist(repo.root(), {"query", "dependencies", "types"});
  EXPECT_EQ(not_run.exit_code, 0) << not_run.err;
  EXPECT_EQ(not_run.out, "");
  EXPECT_NE(not_run.err.find("is not executable"), std::string::npos) << not_run.err;
  // A YAML manifest's scripts never ran it.
  repo.Remove("build_manifest.json");
  repo.Write("build_manifest.yml",
             "foundation:\n  buildDir: yarn-project\n  projectDir: yarn-project/foundation\n"
             "types:\n  buildDir: yarn-project\n  projectDir: yarn-project/types\n");
  repo.Commit("yaml");
  auto yaml = RunHoist(repo.root(), {"query", "--compat", "aztec", "dependencies", "types"});
  EXPECT_EQ(yaml.exit_code, 0) << yaml.err;
  EXPECT_EQ(yaml.out, "");
  EXPECT_EQ(RunHoist(repo.root(), {"query", "dependencies", "types"}).out, "");
}

}  // namespace
}  // namespace hoist
