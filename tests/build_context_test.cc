// What is hashed is exactly what is built: hoist assembles each build context from its source
// snapshot (the files of the project's hash under buildDir, .dockerignore applied, committed
// content from git's object store), so an ignored, uncovered or uncommitted file cannot reach
// an image, and the same hash gives the same context bytes on any clone.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "support/docker_engine.h"
#include "support/temp_repo.h"

namespace hoist {
namespace {

using testing::RunHoist;
using testing::RunOk;
using testing::TempRepo;

/// The bytes `hoist context PROJECT` writes for the repository at `root`.
std::string ContextBytes(const std::string& root, const std::string& project) {
  const std::string file = testing::MakeTempDir("hoist-context") + "/context.tar";
  auto run = RunHoist(root, {"context", project, "-o", file});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  return testing::ReadText(file);
}

/// path -> source ("commit", "working tree", "submodule …") of `hoist context --list`.
std::map<std::string, std::string> ContextFiles(const std::string& root,
                                                const std::string& project) {
  auto run = RunHoist(root, {"--json", "context", project, "--list"});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  std::map<std::string, std::string> files;
  if (run.exit_code != 0) return files;
  const auto listing = nlohmann::json::parse(run.out);
  for (const auto& file : listing["files"]) {
    files[file["path"].get<std::string>()] = file["source"].get<std::string>();
  }
  return files;
}

/// One file's content inside a context tar.
std::string FileInContext(const std::string& tar_bytes, const std::string& path) {
  const std::string dir = testing::MakeTempDir("hoist-context-x");
  { std::ofstream(dir + "/c.tar", std::ios::binary) << tar_bytes; }
  return RunOk(dir, {"tar", "-xOf", "c.tar", path});
}

class BuildContextTest : public ::testing::Test {
 protected:
  void SetUp() override {
    repo.Git({"config", "user.email", "t@example.com"});
    repo.Write("build_manifest.yml", "app:\n  buildDir: app\n  rebuildPatterns: [\"^app/src/\"]\n");
    repo.Write("app/Dockerfile", "FROM scratch\nCOPY . /app\n");
    repo.Write("app/src/a.c", "int a;\n");
    repo.Write("app/src/tmp.log", "log\n");
    repo.Write("app/.dockerignore", "**/*.log\n");
    repo.Write("app/notes.txt", "not covered by any pattern\n");
    repo.Write(".gitignore", "*.local\n");
    repo.Write("app/secrets.local", "password\n");
    repo.Commit();
  }
  TempRepo repo;
};

TEST_F(BuildContextTest, IgnoredUncoveredAndDockerignoredFilesNeverReachTheContext) {
  auto files = ContextFiles(repo.root(), "app");
  EXPECT_EQ(files,
            (std::map<std::string, std::string>{{"Dockerfile", "commit"}, {"src/a.c", "commit"}}));
  // The tar carries the pinned Dockerfile and a .dockerignore that hides it from COPY.
  const std::string bytes = ContextBytes(repo.root(), "app");
  EXPECT_EQ(FileInContext(bytes, ".dockerfile.hoist"), "FROM scratch\nCOPY . /app\n");
  EXPECT_EQ(FileInContext(bytes, "src/a.c"), "int a;\n");
  // Removing the .dockerignore line brings the log in: the ignore file is an input.
  repo.Write("app/.dockerignore", "# nothing\n");
  repo.Commit();
  EXPECT_EQ(ContextFiles(repo.root(), "app").count("src/tmp.log"), 1u);
}

TEST_F(BuildContextTest, AnUncommittedEditReachesTheContextOnlyAsADirtyInput) {
  const std::string clean = ContextBytes(repo.root(), "app");
  // An uncovered file edited: not an input, so neither the hash nor the context moves.
  const std::string hash = testing::HashOf(repo.root(), "app");
  repo.Write("app/notes.txt", "edited\n");
  repo.Write("app/new-untracked.txt", "new\n");
  EXPECT_EQ(testing::HashOf(repo.root(), "app"), hash);
  EXPECT_EQ(ContextBytes(repo.root(), "app"), clean);
  // A covered file edited: the hash says dirty, and the context has exactly the edit.
  repo.Write("app/src/a.c", "int a = 2;\n");
  EXPECT_NE(RunHoist(repo.root(), {"hash", "app"}).out.find("dirty"), std::string::npos);
  EXPECT_EQ(ContextFiles(repo.root(), "app")["src/a.c"], "working tree");
  EXPECT_EQ(FileInContext(ContextBytes(repo.root(), "app"), "src/a.c"), "int a = 2;\n");
  // and is never pushed to a shared registry unless asked.
  ASSERT_EQ(testing::EnsureDockerEngine(), "");  // a build checks the engine before deciding
  auto refused = RunHoist(repo.root(), {"--registry", "127.0.0.1:9", "build", "app"});
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_NE(refused.err.find("uncommitted changes"), std::string::npos) << refused.err;
}

TEST_F(BuildContextTest, TheSameHashGivesTheSameBytesOnAnyClone) {
  repo.Write("app/src/crlf.txt", "one\r\ntwo\n");
  repo.Write("app/src/run.sh", "#!/bin/sh\n");
  RunOk(repo.root(), {"chmod", "+x", "app/src/run.sh"});
  repo.Write("app/src/data.txt", "text\n");
  repo.Write(".gitattributes", "*.txt text\n");
  repo.Commit();
  const std::string original = ContextBytes(repo.root(), "app");
  const std::string hash = testing::HashOf(repo.root(), "app");

  // Another machine: line endings converted on checkout, a strict umask, other timestamps.
  const std::string other = testing::MakeTempDir("hoist-clone") + "/other";
  RunOk("/", {"sh", "-c",
              "umask 077 && git -c core.autocrlf=true clone -q " + repo.root() + " " + other});
  RunOk(other, {"git", "config", "core.autocrlf", "true"});
  RunOk(other, {"sh", "-c", "touch -d 2030-01-01 app/src/*"});
  EXPECT_NE(testing::ReadText(other + "/app/src/data.txt"), "text\n");  // CRLF on disk
  EXPECT_EQ(testing::HashOf(other, "app"), hash);
  EXPECT_EQ(ContextBytes(other, "app"), original);

  // A sparse checkout without app/ on disk at all.
  const std::string sparse = testing::MakeTempDir("hoist-sparse") + "/sparse";
  RunOk("/", {"git", "clone", "-q", "--sparse", repo.root(), sparse});
  RunOk(sparse, {"git", "sparse-checkout", "set", "elsewhere"});
  EXPECT_EQ(testing::ReadText(sparse + "/app/src/a.c"), "");
  EXPECT_EQ(testing::HashOf(sparse, "app"), hash);
  EXPECT_EQ(ContextBytes(sparse, "app"), original);
}

TEST_F(BuildContextTest, ASubmoduleGoesInAtItsRecordedCommitAndAnEditInsideIsDirty) {
  TempRepo library;
  library.Write("lib.c", "int lib;\n");
  library.Commit();
  repo.Git({"-c", "protocol.file.allow=always", "submodule", "add", "-q", library.root(),
            "app/src/vendor"});
  repo.Commit("submodule");
  library.Write("lib.c", "int lib = 2;\n");  // a newer commit the superproject does not record
  library.Commit();
  auto files = ContextFiles(repo.root(), "app");
  EXPECT_EQ(files["src/vendor/lib.c"], "submodule app/src/vendor");
  const std::string clean = ContextBytes(repo.root(), "app");
  EXPECT_EQ(FileInContext(clean, "src/vendor/lib.c"), "int lib;\n");
  const std::string hash = testing::HashOf(repo.root(), "app");

  // An uncommitted edit inside the submodule: dirty, a new hash, and the edit in the context.
  repo.Write("app/src/vendor/lib.c", "int lib = 3;\n");
  auto hashed = RunHoist(repo.root(), {"hash", "app"});
  EXPECT_NE(hashed.out.find("dirty"), std::string::npos) << hashed.out;
  EXPECT_EQ(hashed.out.find(hash), std::string::npos);
  EXPECT_EQ(FileInContext(ContextBytes(repo.root(), "app"), "src/vendor/lib.c"), "int lib = 3;\n");
  ASSERT_EQ(testing::EnsureDockerEngine(), "");  // a build checks the engine before deciding
  auto refused = RunHoist(repo.root(), {"--registry", "127.0.0.1:9", "build", "app"});
  EXPECT_NE(refused.err.find("uncommitted changes"), std::string::npos) << refused.err;
  // Undone: clean again, the same hash and bytes as before.
  RunOk(repo.root() + "/app/src/vendor", {"git", "checkout", "--", "lib.c"});
  EXPECT_EQ(testing::HashOf(repo.root(), "app"), hash);
  EXPECT_EQ(ContextBytes(repo.root(), "app"), clean);
}

TEST_F(BuildContextTest, AGitLfsFileIsRefusedWhereGitLfsCannotGiveTheFile) {
  // As a machine without git-lfs: git and hoist read no global or system git configuration
  // (which, where git-lfs is installed, would configure its filter), so the test never depends
  // on what this machine has.
  auto without_machine_git = [&](std::vector<std::string> argv) {
    ProcessSpec spec;
    spec.argv = std::move(argv);
    spec.cwd = repo.root();
    spec.env = {"GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1"};
    auto result = RunProcess(spec);
    EXPECT_TRUE(result.ok());
    return result.ok() ? *result : ProcessResult{};
  };
  repo.Write(".gitattributes", "*.bin filter=lfs diff=lfs merge=lfs -text\n");
  repo.Write("app/src/model.bin",
             "version https://git-lfs.github.com/spec/v1\n"
             "oid sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393\n"
             "size 12345\n");
  // As a clone without git-lfs has it: the pointer.
  ASSERT_EQ(without_machine_git({"git", "add", "-A"}).exit_code, 0);
  ASSERT_EQ(without_machine_git({"git", "commit", "-qm", "lfs"}).exit_code, 0);
  auto refused = without_machine_git({HOIST_BINARY, "context", "app", "-o", "/dev/null"});
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_NE(refused.stderr_text.find("app/src/model.bin"), std::string::npos)
      << refused.stderr_text;
  EXPECT_NE(refused.stderr_text.find("install git-lfs"), std::string::npos) << refused.stderr_text;
  // A driver that hands the pointer through (GIT_LFS_SKIP_SMUDGE, objects never pulled).
  repo.Git({"config", "filter.lfs.smudge", "cat"});
  refused = without_machine_git({HOIST_BINARY, "context", "app", "-o", "/dev/null"});
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_NE(refused.stderr_text.find("is a git-lfs pointer"), std::string::npos)
      << refused.stderr_text;
  // Hashing needs no content: the hash of such a project is still told.
  auto hashed = without_machine_git({HOIST_BINARY, "hash", "app"});
  EXPECT_EQ(hashed.exit_code, 0) << hashed.stderr_text;
}

// A committed .hoist symlink made hoist truncate files outside the repository (its logs).
TEST_F(BuildContextTest, HoistNeverWritesItsLogsThroughALink) {
  ASSERT_EQ(testing::EnsureDockerEngine(), "");
  const std::string outside = testing::MakeTempDir("hoist-outside");
  RunOk(outside, {"sh", "-c", "mkdir logs && echo precious > logs/app.log && echo keep > f"});
  RunOk(repo.root(), {"ln", "-s", outside, ".hoist"});
  repo.Commit();
  auto refused = RunHoist(repo.root(), {"build", "app"});
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_NE(refused.err.find(".hoist is a symlink"), std::string::npos) << refused.err;
  EXPECT_EQ(testing::ReadText(outside + "/logs/app.log"), "precious\n");
  // A log file that is a link is replaced by hoist's own file, its target left alone.
  repo.Remove(".hoist");
  RunOk(repo.root(), {"mkdir", "-p", ".hoist/logs"});
  RunOk(repo.root(), {"ln", "-s", outside + "/f", ".hoist/logs/app.log"});
  auto built = RunHoist(repo.root(), {"build", "app", "--force"});
  EXPECT_EQ(built.exit_code, 0) << built.err;
  EXPECT_EQ(testing::ReadText(outside + "/f"), "keep\n");
  EXPECT_FALSE(std::filesystem::is_symlink(repo.root() + "/.hoist/logs/app.log"));
}

// What an adversarial review found: each was a way for the context to differ from what the
// hash names, or to fail where it need not.
TEST_F(BuildContextTest, ReservedNamesClassesOtherNamesAndConversions) {
  // A committed .dockerfile.hoist would replace the pinned Dockerfile in the tar.
  repo.Write("build_manifest.yml",
             "app:\n  buildDir: app\n  rebuildPatterns: [\"^app/src/\", \"^app/[.]dockerfile\"]\n");
  repo.Write("app/.dockerfile.hoist", "FROM evil\n");
  repo.Commit();
  auto reserved = RunHoist(repo.root(), {"context", "app", "-o", repo.root() + "/c.tar"});
  EXPECT_EQ(reserved.exit_code, 1);
  EXPECT_NE(reserved.err.find("is the name hoist gives the pinned Dockerfile"), std::string::npos)
      << reserved.err;
  EXPECT_FALSE(std::filesystem::exists(repo.root() + "/c.tar"));  // no half-written file
  // but never a file that was there: a failing context to /dev/null leaves /dev/null.
  EXPECT_EQ(RunHoist(repo.root(), {"context", "app", "-o", "/dev/null"}).exit_code, 1);
  EXPECT_TRUE(std::filesystem::is_character_file("/dev/null"));
  repo.Remove("app/.dockerfile.hoist");
  repo.Commit();
  // .dockerignore character classes; a non-ASCII name in the C locale; eol=crlf and ident.
  repo.Write("app/.dockerignore", "**/*.log\nsrc/secret[0-9].txt\n");
  repo.Write("app/src/secret1.txt", "s\n");
  repo.Write("app/src/\xc3\xbcn\xc3\xaf.c", "u\n");
  repo.Write("app/src/run.sh", "#!/bin/sh\n");
  repo.Write("app/src/id.c", "/* $Id$ */\n");
  repo.Write(".gitattributes", "*.sh text eol=crlf\nid.c ident\n");
  repo.Commit();
  ProcessSpec spec;
  spec.argv = {HOIST_BINARY, "context", "app", "-o", repo.root() + "/c.tar"};
  spec.cwd = repo.root();
  spec.env = {"LC_ALL=C", "LANG=C"};
  auto run = RunProcess(spec);
  ASSERT_TRUE(run.ok());
  ASSERT_EQ(run->exit_code, 0) << run->stderr_text;
  const std::string bytes = testing::ReadText(repo.root() + "/c.tar");
  const std::string names = RunOk(repo.root(), {"tar", "-tf", "c.tar"});
  EXPECT_EQ(names.find("secret1.txt"), std::string::npos) << names;
  EXPECT_NE(names.find("src/\xc3\xbcn\xc3\xaf.c"), std::string::npos) << names;
  EXPECT_EQ(FileInContext(bytes, "src/run.sh"), "#!/bin/sh\r\n");
  EXPECT_EQ(FileInContext(bytes, "src/id.c").rfind("/* $Id: ", 0), 0u)
      << FileInContext(bytes, "src/id.c");
  EXPECT_EQ(FileInContext(bytes, "src/a.c"), "int a;\n");  // the stream stays in step
}

// The image holds exactly the context: built by a real engine.
TEST_F(BuildContextTest, TheImageHoldsExactlyTheHashedFiles) {
  ASSERT_EQ(testing::EnsureDockerEngine(), "");
  RunOk(HOIST_SOURCE_DIR, {"bash", "scripts/make-busybox-image.sh"});
  repo.Write("app/Dockerfile", "FROM hoist-example/busybox:1\nCOPY . /app\n");
  repo.Commit();
  auto built = RunHoist(repo.root(), {"build", "app", "--force"});
  ASSERT_EQ(built.exit_code, 0) << built.err;
  const std::string image = "hoist/app:cache-" + testing::HashOf(repo.root(), "app");
  EXPECT_EQ(RunOk("/", {"docker", "run", "--rm", "--network=none", image, "sh", "-c",
                        "busybox find /app | busybox sort"}),
            "/app\n/app/Dockerfile\n/app/src\n/app/src/a.c\n");
  // The same hash from a sparse checkout builds the same files.
  const std::string sparse = testing::MakeTempDir("hoist-sparse") + "/sparse";
  RunOk("/", {"git", "clone", "-q", "--sparse", repo.root(), sparse});
  built = RunHoist(sparse, {"build", "app", "--force"});
  ASSERT_EQ(built.exit_code, 0) << built.err;
  EXPECT_EQ(RunOk("/", {"docker", "run", "--rm", "--network=none", image, "cat", "/app/src/a.c"}),
            "int a;\n");
}

}  // namespace
}  // namespace hoist

namespace hoist {
namespace {

// git stores a symlink as the name it points to: a buildDir or Dockerfile reached through one
// would be hashed as that name while the files behind it change.
TEST(BuildContextSymlinks, ABuildDirOrDockerfileThroughASymlinkIsRefused) {
  const std::string outside = testing::MakeTempDir("hoist-outside");
  testing::RunOk(outside, {"sh", "-c", "echo 'FROM scratch' > Dockerfile && echo 1 > f"});
  TempRepo repo;
  repo.Write("build_manifest.yml", "app:\n  buildDir: app\n");
  testing::RunOk(repo.root(), {"ln", "-s", outside, "app"});
  repo.Commit();
  auto run = RunHoist(repo.root(), {"hash", "app"});
  EXPECT_NE(run.exit_code, 0);
  EXPECT_NE(run.err.find("goes through the symlink 'app'"), std::string::npos) << run.err;

  repo.Remove("app");
  repo.Write("real/Dockerfile.real", "FROM scratch\n");
  testing::RunOk(repo.root(), {"ln", "-s", "Dockerfile.real", "real/Dockerfile"});
  repo.Write("build_manifest.yml", "app:\n  buildDir: real\n");
  repo.Commit();
  run = RunHoist(repo.root(), {"hash", "app"});
  EXPECT_NE(run.exit_code, 0);
  EXPECT_NE(run.err.find("goes through the symlink 'real/Dockerfile'"), std::string::npos)
      << run.err;
}

}  // namespace
}  // namespace hoist
