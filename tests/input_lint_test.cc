// hoist check (and a warning in hoist build): files a Dockerfile copies that no rebuild
// pattern covers, as docker would select them (COPY sources, .dockerignore, ignored files).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

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

}  // namespace
}  // namespace hoist
