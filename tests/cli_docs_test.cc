// Shell completions and the man page, tried in the real shells (bash, zsh, fish) and groff.
#include <gtest/gtest.h>

#include "support/temp_repo.h"

namespace hoist {
namespace {

using testing::RunOk;

class CliDocs : public ::testing::Test {
 protected:
  void SetUp() override {
    repo.Write("build_manifest.yml",
               "greeting:\n  buildDir: libs/greeting\napi:\n  buildDir: services/api\n");
    repo.Commit("initial");
    script = testing::MakeTempDir("hoist-completion") + "/script";
  }
  void TearDown() override {
    std::filesystem::remove_all(std::filesystem::path(script).parent_path());
  }

  /// What bash's completion offers for the command line `words` (the last one being typed).
  std::string Bash(const std::string& words) {
    RunOk(repo.root(), {"sh", "-c", std::string(HOIST_BINARY) + " completion bash > " + script});
    return RunOk(repo.root(), {"bash", "-c",
                               "source " + script + "; COMP_WORDS=(" + HOIST_BINARY + " " + words +
                                   "); COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); "
                                   "[[ \"" +
                                   words +
                                   "\" == *' ' ]] && COMP_WORDS+=('') && ((COMP_CWORD++)); "
                                   "_hoist; printf '%s\\n' \"${COMPREPLY[@]}\" | sort"});
  }
  /// What zsh's completion offers, with the completion system's _describe and _files recorded
  /// (the generated function is real zsh code run by zsh; only the menu is not drawn).
  std::string Zsh(const std::string& words) {
    RunOk(repo.root(), {"sh", "-c", std::string(HOIST_BINARY) + " completion zsh > " + script});
    return RunOk(repo.root(),
                 {"zsh", "-f", "-c",
                  "compdef() { :; }; _files() { print FILES; }; "
                  "_describe() { local -a items; items=(\"${(@P)4}\"); print -l -- "
                  "\"${(@)items%%:*}\"; }; "
                  // hoist found on PATH by its name, as a user types it.
                  "path=(" +
                      std::filesystem::path(HOIST_BINARY).parent_path().string() +
                      " $path); source " + script + "; words=(hoist " + words + "); [[ \"" + words +
                      "\" == *' ' ]] && words+=(''); CURRENT=${#words}; "
                      "_hoist | sort"});
  }
  /// What fish offers (fish's own `complete -C`).
  std::string Fish(const std::string& line) {
    RunOk(repo.root(), {"sh", "-c", std::string(HOIST_BINARY) + " completion fish > " + script});
    std::string out =
        RunOk(repo.root(),
              {"fish", "--no-config", "-c",
               "set -x PATH " + std::filesystem::path(HOIST_BINARY).parent_path().string() +
                   " $PATH; source " + script + "; complete -C '" + line + "' | cut -f1 | sort"});
    return out;
  }

  testing::TempRepo repo;
  std::string script;
};

TEST_F(CliDocs, BashCompletesCommandsOptionsAndProjects) {
  EXPECT_EQ(Bash("bu"), "build\n");
  EXPECT_EQ(Bash("build --a"), "--affected\n--all\n--allow-dirty\n");
  EXPECT_EQ(Bash("image e"), "exists\nextract\n");
  EXPECT_EQ(Bash("-C . --registry r st"), "status\n");  // option values are skipped
  EXPECT_EQ(Bash("build "), "api\ngreeting\n");         // project names from the manifest
  EXPECT_EQ(Bash("ci generate --v"), "--vendor\n");
}

TEST_F(CliDocs, ZshCompletesCommandsOptionsAndProjects) {
  EXPECT_EQ(
      Zsh("bu"),
      "affected\nbuild\ncheck\nci\ncompat\ncompletion\ncontext\ndeploy\ndoctor\nenv\nexplain\n"
      "graph\nhash\nhelp\nimage\nprojects\nquery\nself\nstatus\ntaint\ntest\nversion\n");
  EXPECT_NE(Zsh("build --a").find("--allow-dirty\n"), std::string::npos);
  EXPECT_EQ(Zsh("image ").find("exists\n") != std::string::npos, true);
  EXPECT_EQ(Zsh("--manifest "), "FILES\n");  // an option's value: files
  EXPECT_EQ(Zsh("build "), "api\ngreeting\n");
}

TEST_F(CliDocs, FishCompletesCommandsOptionsAndProjects) {
  EXPECT_EQ(Fish("hoist bu"), "build\n");
  EXPECT_EQ(Fish("hoist image e"), "exists\nextract\n");
  EXPECT_EQ(Fish("hoist build --a"), "--affected\n--all\n--allow-dirty\n");
  EXPECT_EQ(Fish("hoist -C . st"), "status\n");
  EXPECT_EQ(Fish("hoist build "), "api\ngreeting\n");
}

TEST_F(CliDocs, TheManPageIsValidRoffAndNamesEveryCommandAndVariable) {
  const std::string page = RunOk("/", {HOIST_BINARY, "man"});
  std::string warnings =
      RunOk("/", {"sh", "-c", "\"$0\" man | groff -man -Tutf8 -ww -z 2>&1", HOIST_BINARY});
  EXPECT_EQ(warnings, "");
  const std::string text =
      RunOk("/", {"sh", "-c", "\"$0\" man | MANWIDTH=100 man -l - 2>&1", HOIST_BINARY});
  for (const char* expected :
       {"hoist build [OPTIONS]", "hoist image exists", "hoist ci generate", "HOIST_REGISTRY",
        "HOIST_NETWORK", "--allow-rollback", "EXIT STATUS"}) {
    EXPECT_NE(text.find(expected), std::string::npos) << expected << "\n" << text;
  }
  EXPECT_EQ(text.find("hoist man"), std::string::npos) << "the hidden command is not listed";
}

}  // namespace
}  // namespace hoist
