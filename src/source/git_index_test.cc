#include "source/git_index.h"

#include <gtest/gtest.h>

#include <fstream>
#include <string>

#include "support/temp_repo.h"

namespace hoist {
namespace {

using testing::TempRepo;

/// `git ls-files -s` as the reader sees the index: "MODE OID STAGE\tPATH" lines.
std::string Listed(const GitIndex& index) {
  std::string text;
  for (const auto& entry : index.entries()) {
    char mode[8];
    snprintf(mode, sizeof mode, "%06o", entry.mode);
    text += std::string(mode) + " " + entry.oid_hex() + " " + std::to_string(entry.stage()) + "\t" +
            std::string(entry.path) + "\n";
  }
  return text;
}

class GitIndexTest : public ::testing::Test {
 protected:
  void SetUp() override {
    repo_.Write("a.txt", "a\n");
    repo_.Write("dir/deeper/long-name-" + std::string(300, 'x') + ".txt", "long\n");
    repo_.Write("dir/b.txt", "b\n");
    repo_.Write("dir/c.txt", "c\n");
    repo_.Write("ünïcödé.txt", "u\n");
    repo_.Commit("base");
    repo_.Write("later.txt", "later\n");
    repo_.Git({"add", "-N", "later.txt"});  // an extended flag: the index is version 3
    repo_.Git({"update-index", "--skip-worktree", "dir/b.txt"});
  }
  std::string IndexPath() const { return repo_.root() + "/.git/index"; }
  TempRepo repo_;
};

TEST_F(GitIndexTest, EveryVersionReadsAsGitListsIt) {
  for (const char* version : {"3", "4", "2"}) {
    if (std::string(version) == "2") {
      repo_.Git({"update-index", "--no-skip-worktree", "dir/b.txt"});
      repo_.Git({"rm", "-q", "--cached", "later.txt"});
    }
    repo_.Git({"update-index", "--index-version", version});
    auto index = GitIndex::Read(IndexPath());
    ASSERT_TRUE(index.ok()) << version << ": " << index.error().message;
    EXPECT_EQ(Listed(*index), repo_.Git({"-c", "core.quotePath=false", "ls-files", "-s"}))
        << "index version " << version;
    if (std::string(version) != "2") {
      bool skip = false, ita = false;
      for (const auto& entry : index->entries()) {
        skip |= entry.path == "dir/b.txt" && entry.skip_worktree();
        ita |= entry.path == "later.txt" && entry.intent_to_add();
      }
      EXPECT_TRUE(skip && ita) << "the extended flags of version " << version;
    }
  }
}

TEST_F(GitIndexTest, ADamagedOrUnreadableIndexIsAnErrorNotAGuess) {
  std::string bytes = testing::ReadText(IndexPath());
  ASSERT_GT(bytes.size(), 100u);
  auto write = [&](const std::string& content) {
    std::ofstream(IndexPath(), std::ios::binary | std::ios::trunc) << content;
  };
  std::string flipped = bytes;
  flipped[40] ^= 1;
  write(flipped);
  auto damaged = GitIndex::Read(IndexPath());
  ASSERT_FALSE(damaged.ok());
  EXPECT_NE(damaged.error().message.find("checksum"), std::string::npos);
  // An entry count past what the file holds, read before the checksum is known: an error, not
  // an allocation of 0xffffffff entries.
  std::string counted = bytes;
  counted.replace(8, 4, "\xff\xff\xff\xff");
  write(counted);
  auto miscounted = GitIndex::Read(IndexPath());
  ASSERT_FALSE(miscounted.ok());
  EXPECT_NE(miscounted.error().message.find("checksum"), std::string::npos);
  write(bytes.substr(0, 60));
  EXPECT_FALSE(GitIndex::Read(IndexPath()).ok());
  write("");
  EXPECT_FALSE(GitIndex::Read(IndexPath()).ok());
  write(bytes);
  EXPECT_TRUE(GitIndex::Read(IndexPath()).ok());
  repo_.Git({"update-index", "--split-index"});
  auto split = GitIndex::Read(IndexPath());
  ASSERT_FALSE(split.ok());
  EXPECT_NE(split.error().message.find("mandatory extension 'link'"), std::string::npos)
      << split.error().message;
}

}  // namespace
}  // namespace hoist
