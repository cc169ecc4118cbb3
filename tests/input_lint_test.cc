// hoist check (and a warning in hoist build): files a Dockerfile copies that no rebuild
// pattern covers, as docker would select them (COPY sources, .dockerignore, ignored files).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "support/temp_repo.h"

namespace hoist {
namespace {

using testing::RunHoist;
using testing::TempRepo;

class InputLint : public ::testing::Test {
 protected:
  void SetUp() override {
    repo.Write("build_manifest.yml",
               "lib:\n  buildDir: lib\n  rebuildPatterns: ['^lib/src/']\n"
               "app:\n  buildDir: app\n  rebuildPatterns: ['^app/src/']\n"
               "  dependencies: [lib]\n"
               "tool:\n  buildDir: tool\n");
    repo.Write("lib/Dockerfile",
               "FROM scratch\nCOPY src/ /src/\nCOPY --chown=1:1 config/ \\\n  /config/\n"
               "COPY --from=builder /a /a\nADD https://example.invalid/x /x\n"
               "COPY [\"README.md\", \"/r\"]\n");
    repo.Write("lib/src/lib.c", "int lib;\n");
    repo.Write("lib/config/app.yml", "a: 1\n");
    repo.Write("lib/README.md", "hi\n");
    // app copies its whole context: .dockerignore applies; git-ignored files never reach a
    // context hoist assembles, so they are not named (keep.local, node_modules).
    repo.Write("app/Dockerfile", "FROM lib\nCOPY . /app/\n");
    repo.Write("app/.dockerignore", "*.local\n!keep.local\nnode_modules\n");
    repo.Write("app/src/main.c", "int main;\n");
    repo.Write("app/.gitignore", "*.local\nnode_modules/\n");
    repo.Write("app/secrets.local", "token\n");
    repo.Write("app/keep.local", "kept\n");
    repo.Write("app/node_modules/m.js", "x\n");
    repo.Write("tool/Dockerfile", "FROM scratch\nCOPY . /\n");
    repo.Write("tool/run.sh", "echo\n");
    repo.Commit();
  }
  TempRepo repo;
};

TEST_F(InputLint, NamesEachCopiedFileNoPatternCovers) {
  auto run = RunHoist(repo.root(), {"--json", "check"});
  EXPECT_EQ(run.exit_code, 1) << run.err;
  auto json = nlohmann::json::parse(run.out, nullptr, false);
  ASSERT_TRUE(json.is_object() && json["uncovered"].is_array()) << run.out;
  const auto& found = json["uncovered"];
  std::map<std::string, std::vector<std::string>> files;
  for (const auto& item : found) {
    files[item["dockerfile"].get<std::string>() + ":" + std::to_string(item["line"].get<int>()) +
          " " + item["instruction"].get<std::string>()] = item["files"];
  }
  using Files = std::map<std::string, std::vector<std::string>>;
  EXPECT_EQ(files, (Files{{"lib/Dockerfile:3 COPY config/", {"lib/config/app.yml"}},
                          {"lib/Dockerfile:7 COPY README.md", {"lib/README.md"}},
                          {"app/Dockerfile:2 COPY .", {"app/.gitignore"}}}));
  // The default pattern ^tool/ covers all of tool; a project whose files are all covered passes.
  auto tool = RunHoist(repo.root(), {"check", "tool"});
  EXPECT_EQ(tool.exit_code, 0) << tool.out;
  auto text = RunHoist(repo.root(), {"check", "lib"});
  EXPECT_NE(text.out.find("lib/Dockerfile:3: COPY config/ copies lib/config/app.yml, which no "
                          "rebuild pattern of 'lib' covers"),
            std::string::npos)
      << text.out;
}

TEST_F(InputLint, BuildWarnsBeforeItDecides) {
  // A registry nobody listens on: the decisions fail, the warnings come first.
  auto run = RunHoist(repo.root(), {"--registry", "127.0.0.1:9", "build", "--dry-run", "lib"});
  EXPECT_NE(run.err.find("hoist: warning: lib/Dockerfile:3: COPY config/ copies"),
            std::string::npos)
      << run.err;
}

// A project whose buildDir is the repository's top: its context is the whole tree. git matches
// nothing with the pathspec ":(top).", which hoist gave it, so no file of such a project was
// ever named, by check or by build.
TEST(InputLintAtTheTop, AProjectWhoseContextIsTheWholeTreeIsCheckedToo) {
  TempRepo top;
  top.Write("build_manifest.yml", "site:\n  buildDir: .\n  rebuildPatterns: ['^src/']\n");
  top.Write("Dockerfile", "FROM scratch\nCOPY src/ /src/\nCOPY config/ /config/\n");
  top.Write("src/index.html", "hi\n");
  top.Write("config/app.yml", "a: 1\n");
  top.Commit();
  top.Write("config/local.yml", "untracked\n");
  auto check = RunHoist(top.root(), {"check"});
  EXPECT_EQ(check.exit_code, 1) << check.out << check.err;
  EXPECT_NE(check.out.find("Dockerfile:3: COPY config/ copies config/app.yml, config/local.yml"),
            std::string::npos)
      << check.out << check.err;
  auto build = RunHoist(top.root(), {"--registry", "127.0.0.1:9", "build", "--dry-run", "--all"});
  EXPECT_NE(build.err.find("hoist: warning: Dockerfile:3: COPY config/ copies config/app.yml, "
                           "config/local.yml"),
            std::string::npos)
      << build.err;
}

// A build names what `hoist check` names, untracked files too: the build reads the build
// directories from its snapshot's scan of the working tree, check asks git.
TEST_F(InputLint, BuildNamesWhatCheckNames) {
  repo.Write("lib/config/extra.yml", "untracked, not ignored\n");
  repo.Write("app/other.local", "untracked, ignored\n");
  repo.Write("app/notes.txt", "untracked, copied by COPY .\n");
  auto check = RunHoist(repo.root(), {"check"});
  auto build = RunHoist(repo.root(), {"--registry", "127.0.0.1:9", "build", "--dry-run", "--all"});
  auto findings = [](const std::string& text, const std::string& prefix) {
    std::set<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) {
      if (line.starts_with(prefix) && line.find(" copies ") != std::string::npos) {
        lines.insert(line.substr(prefix.size()));
      }
    }
    return lines;
  };
  const auto checked = findings(check.out + check.err, "");
  EXPECT_EQ(findings(build.err, "hoist: warning: "), checked) << check.out << build.err;
  std::string all;
  for (const auto& line : checked) all += line + "\n";
  EXPECT_NE(all.find("lib/config/extra.yml"), std::string::npos) << all;
  EXPECT_NE(all.find("app/notes.txt"), std::string::npos) << all;
  EXPECT_EQ(all.find("other.local"), std::string::npos) << all;
}

}  // namespace
}  // namespace hoist
