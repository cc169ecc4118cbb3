// Content hashes of real git repositories, through the hoist binary.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <map>

#include "support/temp_repo.h"

namespace hoist {
namespace {

using testing::Lines;
using testing::RunHoist;
using testing::RunOk;
using testing::TempRepo;

const char* kManifest = R"(
base:
  buildDir: base
lib:
  buildDir: lib
  rebuildPatterns:
    - ^lib/src/
    - ^lib/include/.*\.h$
  dependencies: [base]
app:
  buildDir: app
  dependencies: [lib]
tool:
  buildDir: tool
)";

void WriteExample(const TempRepo& repo) {
  repo.Write("build_manifest.yml", kManifest);
  repo.Write("base/Dockerfile", "FROM scratch\n");
  repo.Write("base/rootfs.txt", "base\n");
  repo.Write("lib/Dockerfile", "FROM base\n");
  repo.Write("lib/src/lib.c", "int lib;\n");
  repo.Write("lib/include/lib.h", "int lib(void);\n");
  repo.Write("lib/README.md", "not an input\n");
  repo.Write("app/Dockerfile", "FROM lib\n");
  repo.Write("app/main.c", "int main;\n");
  repo.Write("tool/Dockerfile", "FROM scratch\n");
  repo.Write("tool/tool.sh", "echo\n");
}

/// project -> hash (with " dirty" appended when flagged), from `hoist hash ARGS`.
std::map<std::string, std::string> Hashes(const TempRepo& repo,
                                          std::vector<std::string> args = {}) {
  args.insert(args.begin(), "hash");
  auto run = RunHoist(repo.root(), args);
  EXPECT_EQ(run.exit_code, 0) << run.err;
  std::map<std::string, std::string> out;
  for (const auto& line : Lines(run.out)) {
    auto tab = line.find('\t');
    std::string rest = line.substr(tab + 1);
    auto tab2 = rest.find('\t');
    if (tab2 != std::string::npos) rest = rest.substr(0, tab2) + " " + rest.substr(tab2 + 1);
    out[line.substr(0, tab)] = rest;
  }
  return out;
}

class ContentHash : public ::testing::Test {
 protected:
  void SetUp() override {
    WriteExample(repo);
    repo.Commit("initial");
    before = Hashes(repo);
    ASSERT_EQ(before.size(), 4u);
  }
  /// The projects whose hash differs from `before`.
  std::vector<std::string> Changed(const std::map<std::string, std::string>& after) {
    std::vector<std::string> out;
    for (const auto& [name, hash] : after) {
      if (before.at(name) != hash) out.push_back(name);
    }
    return out;
  }
  TempRepo repo;
  std::map<std::string, std::string> before;
};

TEST_F(ContentHash, IsSha256HexAndStable) {
  for (const auto& [name, hash] : before) {
    EXPECT_EQ(hash.size(), 64u) << name;
    EXPECT_EQ(hash.find_first_not_of("0123456789abcdef"), std::string::npos);
  }
  EXPECT_EQ(Hashes(repo), before);
  EXPECT_EQ(Hashes(repo, {"--rev", "HEAD"}), before);
}

TEST_F(ContentHash, SameTreeSameHashInAnotherCloneAndCommit) {
  TempRepo other;
  WriteExample(other);
  other.Commit("a different message, author time and history");
  other.Commit("and an empty commit on top");
  EXPECT_EQ(Hashes(other), before);
}

TEST_F(ContentHash, MatchingFileChangeRehashesItAndItsDependents) {
  repo.Write("lib/src/lib.c", "int lib = 1;\n");
  repo.Commit();
  EXPECT_EQ(Changed(Hashes(repo)), (std::vector<std::string>{"app", "lib"}));
}

TEST_F(ContentHash, ADepthOneCloneGivesTheSameHashes) {
  repo.Write("app/main.c", "int main = 3;\n");
  repo.Commit();
  auto full = Hashes(repo);
  TempRepo holder;
  RunOk(holder.root(), {"git", "clone", "-q", "--depth", "1", "file://" + repo.root(), "shallow"});
  auto run = RunHoist(holder.root() + "/shallow", {"hash"});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.out, RunHoist(repo.root(), {"hash"}).out);
}

TEST(ContentHashErrors, ARepositoryWithoutCommits) {
  TempRepo repo;
  repo.Write("build_manifest.yml", "a:\n  buildDir: a\n");
  auto run = RunHoist(repo.root(), {"hash"});
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_NE(run.err.find("'HEAD' does not name a commit"), std::string::npos) << run.err;
}

TEST_F(ContentHash, NonMatchingFileKeepsTheHash) {
  repo.Write("lib/README.md", "still not an input\n");
  repo.Write("docs/guide.md", "new\n");
  repo.Commit();
  EXPECT_TRUE(Changed(Hashes(repo)).empty());
}

TEST_F(ContentHash, ModeChangeRehashes) {
  chmod((repo.root() + "/tool/tool.sh").c_str(), 0755);
  repo.Commit();
  EXPECT_EQ(Changed(Hashes(repo)), std::vector<std::string>{"tool"});
}

TEST_F(ContentHash, PathChangeRehashes) {
  repo.Git({"mv", "tool/tool.sh", "tool/run.sh"});
  repo.Commit();
  EXPECT_EQ(Changed(Hashes(repo)), std::vector<std::string>{"tool"});
}

TEST_F(ContentHash, DockerfileOutsideThePatternsStillCounts) {
  repo.Write("lib/Dockerfile", "FROM base\nRUN true\n");  // lib's patterns skip its Dockerfile
  repo.Commit();
  EXPECT_EQ(Changed(Hashes(repo)), (std::vector<std::string>{"app", "lib"}));
}

TEST_F(ContentHash, DependencyInputsRehashEveryDependent) {
  repo.Write("base/rootfs.txt", "base v2\n");
  repo.Commit();
  EXPECT_EQ(Changed(Hashes(repo)), (std::vector<std::string>{"app", "base", "lib"}));
}

TEST_F(ContentHash, BuildArgsAndPlatformAreInputs) {
  repo.Write("build_manifest.yml",
             std::string(kManifest) + "  buildArgs:\n    MODE: fast\n");  // on 'tool'
  repo.Commit();
  EXPECT_EQ(Changed(Hashes(repo)), std::vector<std::string>{"tool"});
  auto arm = Hashes(repo, {"--platform", "linux/arm64"});
  for (const auto& [name, hash] : arm) EXPECT_NE(hash, before.at(name)) << name;
}

// What docker reads besides the files: the ignore files and the context directory.
TEST_F(ContentHash, DockerignoreFilesAndBuildDirAreInputs) {
  repo.Write("lib/.dockerignore", "README.md\n");  // not covered by lib's explicit patterns
  repo.Commit();
  auto ignored = Hashes(repo);
  EXPECT_EQ(Changed(ignored), (std::vector<std::string>{"app", "lib"}));
  repo.Write("tool/Dockerfile.dockerignore", "*.tmp\n");  // BuildKit's per-Dockerfile file
  repo.Commit();
  auto own = Hashes(repo);
  EXPECT_NE(own["tool"], ignored["tool"]);
  EXPECT_EQ(own["lib"], ignored["lib"]);
  // buildDir moved (explicit patterns and the Dockerfile stay): what docker sees changed.
  std::string manifest = kManifest;
  const std::string old_dir = "  buildDir: lib\n";
  manifest.replace(manifest.find(old_dir), old_dir.size(),
                   "  buildDir: lib/src\n  projectDir: lib\n");
  repo.Write("build_manifest.yml", manifest);
  repo.Commit();
  auto moved = Hashes(repo);
  EXPECT_NE(moved["lib"], own["lib"]);
  EXPECT_EQ(moved["tool"], own["tool"]);
}

// COMMIT_HASH and COMMIT_TAG reach an image only when its Dockerfile declares them; then
// their values are inputs: a new commit or tag is a new hash, for that project only.
TEST_F(ContentHash, InjectedBuildArgsCountWhenTheDockerfileDeclaresThem) {
  repo.Write("tool/Dockerfile", "FROM scratch\nARG COMMIT_HASH \\\n    COMMIT_TAG=none\n");
  repo.Commit();
  auto first = Hashes(repo);
  repo.Write("lib/README.md", "a commit that changes no input\n");
  const std::string commit = repo.Commit();
  auto second = Hashes(repo);
  EXPECT_NE(second["tool"], first["tool"]);
  EXPECT_EQ(second["app"], first["app"]);
  repo.Git({"tag", "v1.0.0"});
  auto tagged = Hashes(repo);
  EXPECT_NE(tagged["tool"], second["tool"]);
  EXPECT_EQ(tagged["app"], second["app"]);
  auto explain = RunHoist(repo.root(), {"explain", "tool"});
  EXPECT_NE(explain.out.find("injected    COMMIT_HASH=" + commit), std::string::npos)
      << explain.out;
  EXPECT_NE(explain.out.find("injected    COMMIT_TAG=v1.0.0  (the Dockerfile declares it: this "
                             "image rebuilds for every tag)"),
            std::string::npos)
      << explain.out;
}

// A build arg's value holding a NUL (or anything) never reads as two args.
TEST_F(ContentHash, ABuildArgValueCannotForgeAnotherArg) {
  repo.Write("build_manifest.yml", std::string(kManifest) + "  buildArgs:\n    A: x\n    B: y\n");
  repo.Commit();
  auto two = Hashes(repo);
  repo.Write("build_manifest.yml",
             std::string(kManifest) + "  buildArgs:\n    A: \"x\\0arg B=y\"\n");
  repo.Commit();
  auto forged = Hashes(repo);
  EXPECT_NE(forged["tool"], two["tool"]);
  EXPECT_NE(forged["tool"], before["tool"]);
}

// The default pattern of a directory with regex characters matches its own files.
TEST(ContentHashDefaults, ADirectoryWithRegexCharactersHashesItsFiles) {
  TempRepo repo;
  repo.Write("build_manifest.yml", "weird:\n  buildDir: lib/x+y\n");
  repo.Write("lib/x+y/Dockerfile", "FROM scratch\n");
  repo.Write("lib/x+y/a.txt", "1\n");
  repo.Commit();
  auto first = Hashes(repo);
  repo.Write("lib/x+y/a.txt", "2\n");
  repo.Commit();
  EXPECT_NE(Hashes(repo)["weird"], first["weird"]);
  auto query = RunHoist(repo.root(), {"query", "rebuildPatterns", "weird"});
  EXPECT_EQ(query.out, "^lib/x\\+y/\n");
}

TEST_F(ContentHash, DirtyTreesAreHashedAsTheyStandAndFlagged) {
  repo.Write("app/main.c", "int main = 2;\n");
  auto dirty = Hashes(repo);
  EXPECT_EQ(dirty.at("app").substr(65), "dirty");
  EXPECT_EQ(dirty.at("lib"), before.at("lib"));
  // --rev hashes the commit alone.
  EXPECT_EQ(Hashes(repo, {"--rev", "HEAD"}), before);
  auto run = RunHoist(repo.root(), {"hash", "app"});
  EXPECT_NE(run.err.find("uncommitted changes"), std::string::npos) << run.err;
  // Committing exactly that content gives exactly that hash, now clean.
  repo.Commit();
  EXPECT_EQ(Hashes(repo).at("app"), dirty.at("app").substr(0, 64));
}

TEST_F(ContentHash, UntrackedAndDeletedFilesCountIgnoredOnesDoNot) {
  repo.Write(".gitignore", "*.o\n");
  repo.Commit("ignore");
  repo.Write("app/main.o", "binary\n");
  EXPECT_TRUE(Changed(Hashes(repo)).empty());

  repo.Write("app/extra.c", "int extra;\n");
  auto untracked = Hashes(repo);
  EXPECT_EQ(Changed(untracked), std::vector<std::string>{"app"});
  repo.Commit();
  EXPECT_EQ(Hashes(repo).at("app") + " dirty", untracked.at("app"));

  repo.Remove("app/extra.c");
  auto deleted = Hashes(repo);
  EXPECT_EQ(deleted.at("app"), before.at("app") + " dirty");
}

TEST_F(ContentHash, AFileRemovedFromTheIndexButOnDiskStillCounts) {
  repo.Git({"rm", "-q", "--cached", "app/main.c"});  // deleted from the index, now untracked
  EXPECT_EQ(Hashes(repo, {"--rev", "HEAD"}).at("app"), before.at("app"));
  auto hashes = Hashes(repo);
  EXPECT_EQ(hashes.at("app").substr(0, 64), before.at("app"));  // same content on disk
}

TEST_F(ContentHash, StagedChangesCount) {
  repo.Write("lib/src/new.c", "int n;\n");
  repo.Git({"add", "lib/src/new.c"});
  auto staged = Hashes(repo);
  EXPECT_EQ(Changed(staged), (std::vector<std::string>{"app", "lib"}));
  EXPECT_NE(staged.at("lib").find("dirty"), std::string::npos);
}

TEST_F(ContentHash, SymlinksHashAsTheirTarget) {
  ASSERT_EQ(symlink("main.c", (repo.root() + "/app/link.c").c_str()), 0);
  auto dirty = Hashes(repo);
  repo.Commit();
  EXPECT_EQ(Hashes(repo).at("app") + " dirty", dirty.at("app"));
}

/// The seed's calculate_content_hash, run as the seed ran it.
std::string SeedHash(const TempRepo& repo, const std::string& project) {
  std::string patterns = RunOk(repo.root(), {HOIST_BINARY, "query", "rebuildPatterns", project});
  std::string joined;
  for (const auto& line : Lines(patterns)) joined += (joined.empty() ? "" : "|") + line;
  std::string escaped;
  for (char c : joined) escaped += c == '\\' ? std::string("\\\\") : std::string(1, c);
  std::string script = "git ls-tree -r HEAD | awk -v pattern=\"(" + escaped +
                       ")\" '$4 ~ pattern {print $0}' | awk '{print $3}' | git hash-object --stdin";
  std::string out = RunOk(repo.root(), {"bash", "-c", script});
  return out.substr(0, out.find('\n'));
}

TEST_F(ContentHash, CompatAztecReproducesTheSeedBitForBit) {
  repo.Write("lib/src/with space.c", "x\n");
  repo.Write("lib/src/caf\xc3\xa9.c", "y\n");
  repo.Write("app/sub/deep/file.c", "z\n");
  repo.Commit();
  auto aztec = Hashes(repo, {"--compat", "aztec"});
  ASSERT_EQ(aztec.size(), 4u);
  for (const auto& [name, hash] : aztec) {
    EXPECT_EQ(hash.size(), 40u);
    EXPECT_EQ(hash, SeedHash(repo, name)) << name;
  }
  // A project whose patterns match nothing gets the empty blob's id, as in the seed.
  repo.Write("build_manifest.yml", std::string(kManifest) + "  rebuildPatterns: ['^nothing/']\n");
  repo.Commit();
  EXPECT_EQ(Hashes(repo, {"--compat", "aztec"}).at("tool"),
            "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391");
}

// The Aztec hash is of contents only: a rename or a mode change keeps it, as its 2023-09 and
// 2024 scripts did. The 2023-02 scripts rebuilt on any change of a matched file's name, and
// --compat aztec-2023-02 keys by whole rows (mode, id, path), so those are new hashes there.
TEST_F(ContentHash, CompatAztec2023HashesRowsSoRenamesAndModesCount) {
  auto contents = Hashes(repo, {"--compat", "aztec"});
  auto rows = Hashes(repo, {"--compat", "aztec-2023-02"});
  EXPECT_NE(rows.at("tool"), contents.at("tool"));
  EXPECT_EQ(rows.at("tool").size(), 40u);
  // What it is: git's blob id of "MODE OID PATH" lines, one per file the patterns match.
  EXPECT_EQ(rows.at("tool"),
            testing::Lines(RunOk(repo.root(), {"sh", "-c",
                                               "git ls-tree -r HEAD tool/ | awk '{print $1, $3, "
                                               "$4}' | git hash-object --stdin"}))[0]);
  chmod((repo.root() + "/tool/tool.sh").c_str(), 0755);
  repo.Commit();
  EXPECT_EQ(Hashes(repo, {"--compat", "aztec"}).at("tool"), contents.at("tool"));
  auto moded = Hashes(repo, {"--compat", "aztec-2023-02"}).at("tool");
  EXPECT_NE(moded, rows.at("tool"));
  repo.Git({"mv", "tool/tool.sh", "tool/run.sh"});
  repo.Commit();
  EXPECT_EQ(Hashes(repo, {"--compat", "aztec"}).at("tool"), contents.at("tool"));
  auto moved = Hashes(repo, {"--compat", "aztec-2023-02"}).at("tool");
  EXPECT_NE(moved, moded);
  EXPECT_NE(moved, rows.at("tool"));
}

TEST_F(ContentHash, CompatAztecHashesTheCommitAndFlagsUncommittedChanges) {
  auto clean = Hashes(repo, {"--compat", "aztec"});
  repo.Write("lib/src/lib.c", "int lib = 42;\n");  // modified
  repo.Remove("base/rootfs.txt");                  // deleted
  repo.Write("tool/new.sh", "echo new\n");         // untracked
  auto dirty = Hashes(repo, {"--compat", "aztec"});
  for (const auto& name : {"lib", "app", "base", "tool"}) {
    EXPECT_EQ(dirty.at(name), clean.at(name) + " dirty") << name;
    EXPECT_EQ(clean.at(name), SeedHash(repo, name)) << name;
  }
}

TEST_F(ContentHash, WarnsAboutPatternsThatMatchNoFile) {
  repo.Write("build_manifest.yml", std::string(kManifest) + "  rebuildPatterns: ['^tools/']\n");
  auto run = RunHoist(repo.root(), {"hash"});
  EXPECT_EQ(run.exit_code, 0);
  EXPECT_NE(run.err.find("rebuild pattern '^tools/' of project 'tool' matches no file"),
            std::string::npos)
      << run.err;
}

TEST(ContentHashSubmodules, GitlinksAreInputs) {
  TempRepo sub;
  sub.Write("vendored.c", "v1\n");
  std::string first = sub.Commit();
  TempRepo repo;
  repo.Write("build_manifest.yml", "dep:\n  buildDir: third_party\n");
  repo.Write("third_party/Dockerfile", "FROM scratch\n");
  repo.Git({"-c", "protocol.file.allow=always", "submodule", "add", "-q", sub.root(),
            "third_party/lib"});
  repo.Commit("add submodule");
  auto explain = RunHoist(repo.root(), {"explain", "dep"});
  EXPECT_NE(explain.out.find("160000 " + first + " third_party/lib"), std::string::npos)
      << explain.out;
  auto h1 = Hashes(repo).at("dep");

  // The submodule checked out at another commit: dirty, and a different hash.
  sub.Write("vendored.c", "v2\n");
  std::string second = sub.Commit();
  RunOk(repo.root() + "/third_party/lib", {"git", "pull", "-q", "origin", "main"});
  auto dirty = Hashes(repo).at("dep");
  EXPECT_NE(dirty.substr(0, 64), h1);
  EXPECT_EQ(dirty.substr(65), "dirty");
  repo.Commit("bump submodule");
  EXPECT_EQ(Hashes(repo).at("dep"), dirty.substr(0, 64));
}

}  // namespace
}  // namespace hoist
