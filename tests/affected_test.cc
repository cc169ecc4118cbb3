// `hoist affected` and `hoist explain --base` on real git repositories.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>

#include "support/temp_repo.h"

namespace hoist {
namespace {

using testing::Lines;
using testing::RunHoist;
using testing::RunOk;
using testing::TempRepo;

const char* kManifest = R"(
app:
  buildDir: app
  dependencies: [lib]
lib:
  buildDir: lib
  dependencies: [base]
base:
  buildDir: base
tool:
  buildDir: tool
vendor:
  buildDir: vendor
)";

class Affected : public ::testing::Test {
 protected:
  void SetUp() override {
    repo.Write("build_manifest.yml", kManifest);
    for (const char* dir : {"app", "lib", "base", "tool", "vendor"}) {
      repo.Write(std::string(dir) + "/Dockerfile", "FROM scratch\n");
      repo.Write(std::string(dir) + "/src.c", std::string(dir) + "\n");
    }
    base = repo.Commit("initial");
  }
  std::vector<std::string> AffectedSince(const std::string& rev,
                                         std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"affected", "--base", rev};
    args.insert(args.end(), extra.begin(), extra.end());
    auto run = RunHoist(repo.root(), args);
    EXPECT_EQ(run.exit_code, 0) << run.err;
    return Lines(run.out);
  }
  TempRepo repo;
  std::string base;
};

TEST_F(Affected, NothingChangedNothingAffected) {
  repo.Commit("empty");
  EXPECT_TRUE(AffectedSince(base).empty());
}

// A Dockerfile that declares ARG COMMIT_HASH bakes in its commit: its hash (and its
// dependents') changes with every commit, so `affected` says so, as the build will.
TEST_F(Affected, ADeclaredInjectedArgAffectsItsProjectOnEveryCommit) {
  repo.Write("lib/Dockerfile", "FROM scratch\nARG COMMIT_HASH\n");
  const std::string declared = repo.Commit("lib bakes in its commit");
  repo.Write("tool/src.c", "changed\n");
  repo.Commit("unrelated");
  auto affected = AffectedSince(declared);
  ASSERT_EQ(affected.size(), 3u);
  EXPECT_EQ(std::set<std::string>(affected.begin(), affected.end()),
            (std::set<std::string>{"lib", "tool", "app"}));
  EXPECT_LT(std::find(affected.begin(), affected.end(), "lib"),
            std::find(affected.begin(), affected.end(), "app"));  // dependencies first
  auto why = AffectedSince(declared, {"--files"});
  EXPECT_NE(std::find(why.begin(), why.end(),
                      "  ARG COMMIT_HASH (injected: " +
                          RunOk(repo.root(), {"git", "rev-parse", "HEAD"}).substr(0, 40) + ")"),
            why.end());
  // The same commit on both sides: nothing.
  EXPECT_TRUE(AffectedSince("HEAD").empty());
}

TEST_F(Affected, ALibraryChangeAffectsItsDependentsInBuildOrder) {
  repo.Write("base/src.c", "changed\n");
  repo.Commit();
  EXPECT_EQ(AffectedSince(base), (std::vector<std::string>{"base", "lib", "app"}));
}

TEST_F(Affected, FilesShowsTheTriggers) {
  repo.Write("lib/src.c", "changed\n");
  repo.Write("docs/readme.md", "unrelated\n");
  repo.Commit();
  EXPECT_EQ(AffectedSince(base, {"--files"}),
            (std::vector<std::string>{"lib", "  lib/src.c", "app", "  (dependency lib)"}));
  auto run = RunHoist(repo.root(), {"--json", "affected", "--base", base});
  auto json = nlohmann::json::parse(run.out);
  EXPECT_EQ(json["projects"][0]["files"][0], "lib/src.c");
  EXPECT_EQ(json["changedFiles"].size(), 2u);
}

TEST_F(Affected, BothSidesOfARenameCount) {
  repo.Git({"mv", "tool/src.c", "app/moved.c"});
  repo.Commit();
  EXPECT_EQ(AffectedSince(base), (std::vector<std::string>{"app", "tool"}));
}

TEST_F(Affected, HeadCanBeAnyCommit) {
  repo.Write("tool/src.c", "1\n");
  std::string middle = repo.Commit();
  repo.Write("vendor/src.c", "2\n");
  repo.Commit();
  auto run = RunHoist(repo.root(), {"affected", "--base", base, "--head", middle});
  EXPECT_EQ(Lines(run.out), std::vector<std::string>{"tool"});
}

TEST_F(Affected, FilesInsideSubmodulesCount) {
  TempRepo sub;
  sub.Write("a.c", "1\n");
  sub.Write("b.c", "1\n");
  sub.Commit();
  repo.Write("build_manifest.yml",
             std::string(kManifest) + "  rebuildPatterns: ['^vendor/lib/b\\.c$']\n");
  repo.Git(
      {"-c", "protocol.file.allow=always", "submodule", "add", "-q", sub.root(), "vendor/lib"});
  std::string with_sub = repo.Commit("add submodule");

  sub.Write("a.c", "2\n");  // not one of vendor's patterns
  sub.Commit();
  RunOk(repo.root() + "/vendor/lib", {"git", "pull", "-q", "origin", "main"});
  std::string only_a = repo.Commit("bump: a.c");
  EXPECT_TRUE(AffectedSince(with_sub, {"--head", only_a}).empty());

  sub.Write("b.c", "2\n");
  sub.Commit();
  RunOk(repo.root() + "/vendor/lib", {"git", "pull", "-q", "origin", "main"});
  repo.Commit("bump: b.c");
  EXPECT_EQ(AffectedSince(only_a, {"--files"}),
            (std::vector<std::string>{"vendor", "  vendor/lib/b.c"}));
}

TEST_F(Affected, AnUninitialisedSubmoduleCountsAsItsPathWithAWarning) {
  TempRepo sub;
  sub.Write("a.c", "1\n");
  std::string first = sub.Commit();
  repo.Git(
      {"-c", "protocol.file.allow=always", "submodule", "add", "-q", sub.root(), "vendor/lib"});
  std::string with_sub = repo.Commit("add submodule");
  sub.Write("a.c", "2\n");
  std::string second = sub.Commit();
  // Move the gitlink without fetching the new commit into the submodule's clone.
  repo.Git({"update-index", "--cacheinfo", "160000," + second + ",vendor/lib"});
  repo.Git({"commit", "-q", "-m", "bump"});
  auto run = RunHoist(repo.root(), {"affected", "--base", with_sub, "--files"});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(Lines(run.out), (std::vector<std::string>{"vendor", "  vendor/lib"}));
  EXPECT_NE(run.err.find("submodule 'vendor/lib': commit " + second.substr(0, 12) +
                         " is not in its clone"),
            std::string::npos)
      << run.err;
}

TEST_F(Affected, BadRevisionsAreClearErrors) {
  auto run = RunHoist(repo.root(), {"affected", "--base", "no-such-branch"});
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_NE(run.err.find("'no-such-branch' does not name a commit"), std::string::npos) << run.err;
  auto missing = RunHoist(repo.root(), {"affected"});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.err.find("--base is required"), std::string::npos) << missing.err;
  // A revision that is an option for git: refused, never passed on (it printed nothing and
  // exited 0 while git took it as --output).
  const std::string target = repo.root() + "/written-by-git";
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"affected", "--base=--output=" + target},
        std::vector<std::string>{"affected", "--base", "HEAD", "--head=--output=" + target},
        std::vector<std::string>{"hash", "--rev=--output=" + target},
        std::vector<std::string>{"explain", "app", "--base=--output=" + target}}) {
    auto injected = RunHoist(repo.root(), args);
    EXPECT_EQ(injected.exit_code, 1) << args[1];
    EXPECT_NE(injected.err.find("starts with '-'"), std::string::npos) << injected.err;
  }
  EXPECT_FALSE(std::filesystem::exists(target));
}

// "explain api --base HEAD~1 shows - dep greeting 315f… / + dep greeting a206… and the user
// must run it again per level to find libs/greeting/src/shout.c; files appear as blob ids, not
// 'modified'": one run names the files, through every level of dependencies.
TEST_F(Affected, ExplainSaysWhyAProjectIsAffectedDownToTheFile) {
  repo.Write("base/src.c", "changed\n");
  repo.Write("base/new.c", "new\n");
  repo.Remove("lib/src.c");
  repo.Commit();
  auto run = RunHoist(repo.root(), {"explain", "app", "--base", base});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  const std::string out = run.out.substr(run.out.find("compared with"));
  EXPECT_NE(out.find("hash changed"), std::string::npos) << out;
  // app <- lib <- base: lib's own change and, a level down, base's, each file by what happened.
  const size_t lib = out.find("\n  dependency lib changed (");
  const size_t deleted = out.find("\n    deleted   lib/src.c\n");
  const size_t base_dep = out.find("\n    dependency base changed (");
  const size_t added = out.find("\n      added     base/new.c\n");
  const size_t modified = out.find("\n      modified  base/src.c\n");
  for (size_t at : {lib, deleted, base_dep, added, modified}) {
    EXPECT_NE(at, std::string::npos) << out;
  }
  EXPECT_LT(lib, deleted);
  EXPECT_LT(deleted, base_dep);
  EXPECT_LT(base_dep, added);
  EXPECT_EQ(out.find("+ 100644"), std::string::npos) << out;  // no blob ids for changes
  // The chain to the first cause in words.
  EXPECT_NE(
      out.find("\nin short: app changed because lib changed, because lib/src.c was deleted\n"),
      std::string::npos)
      << out;

  auto json = RunHoist(repo.root(), {"--json", "explain", "app", "--base", base});
  ASSERT_EQ(json.exit_code, 0) << json.err;
  auto changes = nlohmann::json::parse(json.out)["changes"];
  EXPECT_EQ(changes["dependencies"][0]["project"], "lib") << json.out;
  EXPECT_EQ(changes["dependencies"][0]["changes"]["files"][0],
            (nlohmann::json{{"path", "lib/src.c"}, {"change", "deleted"}}))
      << json.out;
  EXPECT_EQ(changes["dependencies"][0]["changes"]["dependencies"][0]["project"], "base");

  std::filesystem::permissions(repo.root() + "/tool/src.c", std::filesystem::perms::owner_exec,
                               std::filesystem::perm_options::add);
  repo.Commit("tool's source executable");
  auto mode = RunHoist(repo.root(), {"explain", "tool", "--base", "HEAD~1"});
  EXPECT_NE(mode.out.find("  mode 100644 -> 100755 tool/src.c"), std::string::npos) << mode.out;
  EXPECT_NE(RunHoist(repo.root(), {"explain", "vendor", "--base", base})
                .out.find("same hash, not affected"),
            std::string::npos);
  // A changed Dockerfile is said once, as a file (not again as "dockerfile - … + …").
  repo.Write("tool/Dockerfile", "FROM scratch\nENV X=1\n");
  repo.Commit("tool's Dockerfile");
  auto dockerfile = RunHoist(repo.root(), {"explain", "tool", "--base", "HEAD~1"});
  EXPECT_NE(dockerfile.out.find("  modified  tool/Dockerfile\n"), std::string::npos)
      << dockerfile.out;
  EXPECT_EQ(dockerfile.out.find("dockerfile -"), std::string::npos) << dockerfile.out;
  // The same where no pattern covers the Dockerfile (it is hashed all the same): a file that
  // was modified, not "its Dockerfile's path changed".
  repo.Write("build_manifest.yml", std::string(kManifest) + "  rebuildPatterns: ['^vendor/src']\n");
  repo.Commit("vendor's patterns");
  repo.Write("vendor/Dockerfile", "FROM scratch\nENV Y=1\n");
  repo.Commit("vendor's Dockerfile");
  auto uncovered = RunHoist(repo.root(), {"explain", "vendor", "--base", "HEAD~1"});
  EXPECT_NE(uncovered.out.find("  modified  vendor/Dockerfile\n"), std::string::npos)
      << uncovered.out;
  EXPECT_NE(uncovered.out.find("in short: vendor changed because vendor/Dockerfile was modified"),
            std::string::npos)
      << uncovered.out;
}

}  // namespace
}  // namespace hoist
