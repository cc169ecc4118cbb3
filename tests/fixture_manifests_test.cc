// The query semantics on real manifests of public monorepos (../shared/fixtures/manifests).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "support/temp_repo.h"

namespace hoist {
namespace {

using testing::FixturesDir;
using testing::Lines;
using testing::RunHoist;
using testing::TempRepo;

std::string ReadFixture(const std::string& name) {
  std::ifstream in(FixturesDir() + "/manifests/" + name);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

TEST(FixtureManifests, Aztec2023JsonHas31ProjectsAndARealCycle) {
  HOIST_REQUIRE_SHARED_FIXTURES();
  TempRepo repo;
  repo.Write("build_manifest.json", ReadFixture("aztec-packages-2023.build_manifest.json"));
  repo.Commit("manifest");

  auto projects = RunHoist(repo.root(), {"projects"});
  EXPECT_EQ(projects.exit_code, 0) << projects.err;
  EXPECT_EQ(Lines(projects.out).size(), 31u);

  // Queries answer despite the cycle circuits.js <-> types.
  auto deps = RunHoist(repo.root(), {"query", "dependencies", "types"});
  EXPECT_EQ(deps.exit_code, 0) << deps.err;
  EXPECT_EQ(Lines(deps.out), (std::vector<std::string>{"circuits.js", "foundation"}));
  auto all = RunHoist(repo.root(), {"query", "allDependencies", "types"});
  EXPECT_EQ(Lines(all.out), (std::vector<std::string>{"foundation", "circuits.js", "types"}));

  auto patterns = RunHoist(repo.root(), {"query", "rebuildPatterns", "yarn-project-base"});
  EXPECT_EQ(
      Lines(patterns.out),
      (std::vector<std::string>{"^circuits/", "^l1-contracts/", "^yarn-project/l1-artifacts/",
                                "^yarn-project/yarn-project-base/", "^yarn-project/yarn.lock"}));

  // Orderings fail, naming the cycle.
  auto topo = RunHoist(repo.root(), {"projects", "--topo"});
  EXPECT_EQ(topo.exit_code, 1);
  EXPECT_TRUE(topo.err.find("circuits.js -> types -> circuits.js") != std::string::npos ||
              topo.err.find("types -> circuits.js -> types") != std::string::npos)
      << topo.err;

  // Hashes exist for projects outside the cycle; those in or behind it say why not.
  auto hashes = RunHoist(repo.root(), {"hash", "foundation", "types"});
  EXPECT_EQ(hashes.exit_code, 1);
  EXPECT_EQ(Lines(hashes.out).size(), 1u);
  EXPECT_NE(hashes.err.find("project 'types': depends on a dependency cycle"), std::string::npos);
  // The seed's hash needs no order, so it answers for every project.
  auto aztec = RunHoist(repo.root(), {"hash", "--compat", "aztec"});
  EXPECT_EQ(aztec.exit_code, 0) << aztec.err;
  EXPECT_EQ(Lines(aztec.out).size(), 31u);
}

TEST(FixtureManifests, Aztec2023EmptyDependencyIsIgnored) {
  HOIST_REQUIRE_SHARED_FIXTURES();
  TempRepo repo;
  std::string text = ReadFixture("aztec-packages-2023.build_manifest.json");
  // aztec-connect wrote "dependencies": [""]; the same manifest with one such entry.
  size_t at = text.find("\"dependencies\": []");
  ASSERT_NE(at, std::string::npos);
  text.replace(at, 18, "\"dependencies\": [\"\"]");
  repo.Write("build_manifest.json", text);
  auto run = RunHoist(repo.root(), {"projects"});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.err.find("warning: project 'circuits-wasm-linux-clang': empty project name in "
                         "'dependencies' is ignored"),
            std::string::npos)
      << run.err;
}

TEST(FixtureManifests, Aztec2024YmlWithoutItsPatternFilesGivesClearErrors) {
  HOIST_REQUIRE_SHARED_FIXTURES();
  TempRepo repo;
  repo.Write("build_manifest.yml", ReadFixture("aztec-packages-2024.build_manifest.yml"));
  auto run = RunHoist(repo.root(), {"projects"});
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_NE(run.err.find("build_manifest.yml:17:20: error: project 'noir': rebuild pattern file "
                         "'noir/.rebuild_patterns' does not exist"),
            std::string::npos)
      << run.err;
  EXPECT_NE(run.err.find("'barretenberg/sol/.rebuild_patterns' does not exist"), std::string::npos);
}

TEST(FixtureManifests, Aztec2024YmlWithPatternFiles) {
  HOIST_REQUIRE_SHARED_FIXTURES();
  TempRepo repo;
  repo.Write("build_manifest.yml", ReadFixture("aztec-packages-2024.build_manifest.yml"));
  repo.Write("noir/.rebuild_patterns", "^noir/.*\\.(rs|toml|nr)$\n^noir/Dockerfile\n");
  repo.Write("barretenberg/cpp/.rebuild_patterns",
             "^barretenberg/cpp/.*\\.(cpp|hpp|h|cmake)$\n^barretenberg/cpp/CMakeLists\\.txt$\n");
  repo.Write("barretenberg/sol/.rebuild_patterns", "^barretenberg/sol/\n");
  auto run = RunHoist(repo.root(), {"projects"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(Lines(run.out).size(), 32u) << run.out;
  EXPECT_NE(run.err.find("warning: project 'barretenberg-acir-tests-bb-ultra-plonk' is defined "
                         "twice (lines 133 and 139); the last definition wins"),
            std::string::npos)
      << run.err;

  auto multiarch = RunHoist(repo.root(), {"query", "multiarch", "noir"});
  EXPECT_EQ(multiarch.out, "host\n");
  EXPECT_EQ(RunHoist(repo.root(), {"query", "multiarch", "aztec"}).out, "buildx\n");
  EXPECT_EQ(RunHoist(repo.root(), {"query", "multiarch", "bb.js"}).out, "false\n");

  EXPECT_EQ(RunHoist(repo.root(), {"query", "runDependencies", "end-to-end"}).out,
            "end-to-end\naztec\n");
  EXPECT_EQ(RunHoist(repo.root(), {"query", "dockerfile", "noir-compile-acir-tests"}).out,
            repo.root() + "/barretenberg/acir_tests/Dockerfile.noir_acir_tests\n");
  EXPECT_EQ(RunHoist(repo.root(), {"query", "dockerfile", "aztec"}).out,
            repo.root() + "/yarn-project/aztec/Dockerfile\n");
  EXPECT_EQ(RunHoist(repo.root(), {"query", "buildDir", "aztec"}).out,
            repo.root() + "/yarn-project\n");
  EXPECT_EQ(RunHoist(repo.root(), {"query", "projectDir", "aztec"}).out,
            repo.root() + "/yarn-project/aztec\n");

  // Own patterns from the file plus every transitive dependency's, sorted, unique.
  auto patterns = RunHoist(repo.root(), {"query", "rebuildPatterns", "avm-transpiler"});
  EXPECT_EQ(Lines(patterns.out),
            (std::vector<std::string>{"^avm-transpiler/", "^noir/", "^noir/.*\\.(rs|toml|nr)$",
                                      "^noir/Dockerfile"}));
  auto boxes = RunHoist(repo.root(), {"query", "dependencies", "boxes"});
  auto box_deps = Lines(boxes.out);
  EXPECT_TRUE(std::is_sorted(box_deps.begin(), box_deps.end()));
  EXPECT_NE(std::find(box_deps.begin(), box_deps.end(), "barretenberg-wasm-linux-clang"),
            box_deps.end());
  auto all = Lines(RunHoist(repo.root(), {"query", "allDependencies", "boxes"}).out);
  ASSERT_FALSE(all.empty());
  EXPECT_EQ(all.back(), "boxes");
  EXPECT_EQ(all.size(), box_deps.size() + 1);

  auto topo = RunHoist(repo.root(), {"projects", "--topo"});
  EXPECT_EQ(topo.exit_code, 0) << topo.err;
}

}  // namespace
}  // namespace hoist
