// The command line: exit codes (0 ok, 1 failure, 2 usage), messages, output formats.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "support/temp_repo.h"

namespace hoist {
namespace {

using testing::Lines;
using testing::RunHoist;
using testing::TempRepo;

class Cli : public ::testing::Test {
 protected:
  void SetUp() override {
    repo.Write("build_manifest.yml",
               "base:\n  buildDir: base\napp:\n  buildDir: app\n  dependencies: [base]\n");
    repo.Write("base/Dockerfile", "FROM scratch\n");
    repo.Write("app/Dockerfile", "FROM base\n");
    repo.Commit();
  }
  TempRepo repo;
};

TEST_F(Cli, UsageErrorsExitWith2) {
  EXPECT_EQ(RunHoist(repo.root(), {}).exit_code, 2);
  EXPECT_EQ(RunHoist(repo.root(), {"no-such-command"}).exit_code, 2);
  EXPECT_EQ(RunHoist(repo.root(), {"graph", "--format", "png"}).exit_code, 2);
  auto field = RunHoist(repo.root(), {"query", "dependency", "app"});
  EXPECT_EQ(field.exit_code, 2);
  EXPECT_NE(field.err.find("did you mean 'dependencies'?"), std::string::npos) << field.err;
  EXPECT_EQ(RunHoist(repo.root(), {"-C", "/no/such/dir", "projects"}).exit_code, 2);
}

TEST_F(Cli, UnknownProjectSuggestsTheClosestName) {
  auto run = RunHoist(repo.root(), {"query", "buildDir", "ap"});
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_NE(run.err.find("unknown project 'ap'"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("did you mean 'app'?"), std::string::npos) << run.err;
}

TEST_F(Cli, ManifestErrorsFailWithoutOutput) {
  repo.Write("build_manifest.yml", "app:\n  dockerfile: x\n");
  auto run = RunHoist(repo.root(), {"projects"});
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_TRUE(run.out.empty());
  EXPECT_NE(run.err.find("build_manifest.yml:1:1: error: project 'app' has no 'buildDir'"),
            std::string::npos)
      << run.err;
}

TEST_F(Cli, OutsideAGitRepository) {
  std::string dir = ::testing::TempDir() + "hoist-no-git";
  std::filesystem::create_directories(dir);
  auto run = RunHoist(dir, {"projects"});
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_NE(run.err.find("not inside a git repository"), std::string::npos) << run.err;
}

TEST_F(Cli, ExplicitManifestAndDirectory) {
  repo.Write("other/manifest.json", R"({"solo": {"buildDir": "base"}})");
  auto run = RunHoist("/", {"-C", repo.root(), "--manifest", "other/manifest.json", "projects"});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.out, "solo\n");
  auto missing = RunHoist(repo.root(), {"--manifest", "nope.yml", "projects"});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.err.find("cannot read the manifest"), std::string::npos) << missing.err;
  // A device that never ends is refused at a bound, not read until memory runs out.
  auto endless = RunHoist(repo.root(), {"--manifest", "/dev/zero", "projects"});
  EXPECT_EQ(endless.exit_code, 1);
  EXPECT_NE(endless.err.find("larger than"), std::string::npos) << endless.err;
  auto directory = RunHoist(repo.root(), {"--manifest", "other", "projects"});
  EXPECT_EQ(directory.exit_code, 1);
  EXPECT_NE(directory.err.find("cannot read the manifest"), std::string::npos) << directory.err;
}

// A wrong DOCKER_HOST is named as such (it was "http://docker", with advice to start dockerd),
// once per run, not once per project.
TEST(CliEngine, AWrongDockerHostIsNamedOnce) {
  TempRepo repo;
  repo.Write("build_manifest.yml", "a:\n  buildDir: a\nb:\n  buildDir: b\n");
  repo.Write("a/Dockerfile", "FROM scratch\n");
  repo.Write("b/Dockerfile", "FROM scratch\n");
  repo.Commit();
  ProcessSpec spec;
  spec.argv = {HOIST_BINARY, "status"};
  spec.cwd = repo.root();
  spec.env = {"DOCKER_HOST=unix:///nonexistent/docker.sock"};
  auto run = RunProcess(spec);
  ASSERT_TRUE(run.ok());
  EXPECT_EQ(run->exit_code, 1);
  const std::string& err = run->stderr_text;
  EXPECT_NE(err.find("unix:///nonexistent/docker.sock (DOCKER_HOST)"), std::string::npos) << err;
  EXPECT_NE(err.find("unset DOCKER_HOST"), std::string::npos) << err;
  EXPECT_EQ(err.find("http://docker"), std::string::npos) << err;
  EXPECT_EQ(err.find("no Docker engine answers"), err.rfind("no Docker engine answers")) << err;
}

TEST_F(Cli, GraphFormats) {
  auto dot = RunHoist(repo.root(), {"graph"});
  EXPECT_NE(dot.out.find("\"app\" -> \"base\";"), std::string::npos) << dot.out;
  auto mermaid = RunHoist(repo.root(), {"graph", "--format", "mermaid"});
  EXPECT_NE(mermaid.out.find("graph LR"), std::string::npos);
  EXPECT_NE(mermaid.out.find("n1 --> n0"), std::string::npos) << mermaid.out;
  auto json = nlohmann::json::parse(RunHoist(repo.root(), {"graph", "--format", "json"}).out);
  EXPECT_EQ(json["edges"][0], (nlohmann::json{"app", "base"}));
  EXPECT_TRUE(json["cycle"].is_null());
}

TEST_F(Cli, GraphDrawsACycleAndWarns) {
  repo.Write("build_manifest.yml",
             "a:\n  buildDir: a\n  dependencies: [b]\n"
             "b:\n  buildDir: b\n  dependencies: [a]\n");
  auto dot = RunHoist(repo.root(), {"graph"});
  EXPECT_EQ(dot.exit_code, 0);
  EXPECT_NE(dot.out.find("\"a\" -> \"b\" [color=red];"), std::string::npos) << dot.out;
  EXPECT_NE(dot.err.find("dependency cycle: a -> b -> a"), std::string::npos);
}

TEST_F(Cli, JsonOutputs) {
  auto projects = nlohmann::json::parse(RunHoist(repo.root(), {"--json", "projects"}).out);
  EXPECT_EQ(projects[1]["dependencies"][0], "base");
  auto hash = nlohmann::json::parse(RunHoist(repo.root(), {"--json", "hash"}).out);
  EXPECT_EQ(hash["projects"].size(), 2u);
  EXPECT_EQ(hash["projects"][0]["dirty"], false);
  auto query = nlohmann::json::parse(
      RunHoist(repo.root(), {"--json", "query", "allDependencies", "app"}).out);
  EXPECT_EQ(query, (nlohmann::json{"base", "app"}));
}

TEST_F(Cli, SubmodulePathNamesTheSubmoduleHoldingBuildDir) {
  TempRepo sub;
  sub.Write("src/x.c", "x\n");
  sub.Commit();
  repo.Git({"-c", "protocol.file.allow=always", "submodule", "add", "-q", sub.root(), "third/sub"});
  repo.Write("build_manifest.yml", "inner:\n  buildDir: third/sub/src\nplain:\n  buildDir: base\n");
  repo.Commit();
  EXPECT_EQ(RunHoist(repo.root(), {"query", "submodulePath", "inner"}).out, "third/sub\n");
  EXPECT_EQ(RunHoist(repo.root(), {"query", "submodulePath", "plain"}).out, "");
}

}  // namespace
}  // namespace hoist
