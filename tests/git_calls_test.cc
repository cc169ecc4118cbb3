// What hoist asks git, counted through a `git` on PATH that logs each call and runs the real
// one (issue 16: nothing done twice). A process is some 5 ms on these machines.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <future>
#include <sstream>
#include <thread>

#include "support/temp_repo.h"

namespace hoist {
namespace {

using testing::RunHoist;
using testing::TempRepo;

/// The git that PATH names now.
std::string RealGit() {
  std::stringstream path(std::getenv("PATH") ? std::getenv("PATH") : "/usr/bin:/bin");
  for (std::string dir; std::getline(path, dir, ':');) {
    const std::string candidate = dir + "/git";
    if (access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return "git";
}

class GitCalls : public ::testing::Test {
 protected:
  void SetUp() override {
    repo.Write("build_manifest.yml",
               "base:\n  buildDir: base\napp:\n  buildDir: app\n  dependencies: [base]\n");
    for (const char* dir : {"base", "app"}) {
      repo.Write(std::string(dir) + "/Dockerfile", "FROM scratch\nCOPY . /\n");
      repo.Write(std::string(dir) + "/src.txt", std::string(dir) + "\n");
    }
    repo.Commit("first");
    repo.Write("app/src.txt", "changed\n");
    repo.Commit("second");
    // The logging git lives outside the work tree, so it is never an input.
    const std::string script = shim.root() + "/git";
    std::ofstream(script) << "#!/bin/sh\nprintf '%s\\n' \"$*\" >>" << shim.root()
                          << "/calls.log\nexec " << RealGit() << " \"$@\"\n";
    chmod(script.c_str(), 0755);
  }
  /// Runs hoist with the logging git first on PATH; returns the git calls it made, one per line.
  std::vector<std::string> Calls(const std::vector<std::string>& args) {
    std::remove((shim.root() + "/calls.log").c_str());
    auto run = RunHoist(repo.root(), args,
                        {"PATH=" + shim.root() + ":" + std::string(std::getenv("PATH"))});
    EXPECT_EQ(run.exit_code, 0) << run.err;
    std::vector<std::string> calls;
    std::ifstream log(shim.root() + "/calls.log");
    for (std::string line; std::getline(log, line);) calls.push_back(line);
    return calls;
  }
  static long Count(const std::vector<std::string>& calls, const std::string& prefix) {
    return std::count_if(calls.begin(), calls.end(),
                         [&](const std::string& call) { return call.starts_with(prefix); });
  }
  static std::string Shown(const std::vector<std::string>& calls) {
    std::string text;
    for (const auto& call : calls) text += "  git " + call + "\n";
    return text;
  }
  TempRepo repo;
  TempRepo shim;  // a scratch directory of its own
};

// The commit and its tree in one call: two before (the tree was asked after the commit).
TEST_F(GitCalls, HashingACommitResolvesItOnce) {
  auto calls = Calls({"hash", "--rev", "HEAD"});
  EXPECT_EQ(Count(calls, "rev-parse"), 1) << Shown(calls);
}

// Both ends in one call. git before 2.43 echoes `--end-of-options` in rev-parse's output, which
// made the one call's answer unreadable, and each end was then asked again (three calls).
TEST_F(GitCalls, AffectedResolvesBothEndsOnce) {
  auto calls = Calls({"affected", "--base", "HEAD~1"});
  EXPECT_EQ(Count(calls, "rev-parse"), 1) << Shown(calls);
}

TEST_F(GitCalls, ARevisionThatDoesNotResolveIsStillNamed) {
  auto run = RunHoist(repo.root(), {"hash", "--rev", "no-such-branch"});
  EXPECT_NE(run.exit_code, 0);
  EXPECT_NE(run.err.find("'no-such-branch' does not name a commit"), std::string::npos) << run.err;
  // A path of the work tree is not a revision either, nor is an end that git prints back
  // unresolved: the one call's answer is read as object ids only.
  auto path = RunHoist(repo.root(), {"hash", "--rev", "app/src.txt"});
  EXPECT_NE(path.exit_code, 0);
  EXPECT_NE(path.err.find("does not name a commit"), std::string::npos) << path.err;
  for (const char* base : {"app/src.txt", "no-such-branch", "HEAD~9"}) {
    auto affected = RunHoist(repo.root(), {"affected", "--base", base});
    EXPECT_NE(affected.exit_code, 0) << base;
    EXPECT_NE(affected.err.find("'" + std::string(base) + "' does not name a commit"),
              std::string::npos)
        << affected.err;
  }
}

// A build's input lint (files a COPY takes that no pattern covers) reads the build directories
// from the snapshot's scan of the working tree; it walked them again with `git ls-files`.
TEST_F(GitCalls, ABuildWalksTheWorkingTreeOnce) {
  repo.Write("app/untracked.txt", "new\n");
  std::remove((shim.root() + "/calls.log").c_str());
  auto run = RunHoist(repo.root(), {"--registry", "127.0.0.1:9", "build", "--dry-run", "--all"},
                      {"PATH=" + shim.root() + ":" + std::string(std::getenv("PATH"))});
  std::vector<std::string> calls;
  std::ifstream log(shim.root() + "/calls.log");
  for (std::string line; std::getline(log, line);) calls.push_back(line);
  EXPECT_EQ(Count(calls, "ls-files -z --cached"), 0) << Shown(calls);
  EXPECT_EQ(Count(calls, "status"), 0) << Shown(calls);
  EXPECT_NE(calls.size(), 0u);  // the log is read
}

// The repository is read while the manifest is: a manifest that is a pipe, written only once
// git has been asked, holds `hash` until then. Before, no git call came until the manifest was
// parsed, and the command waited on the pipe for ever (here, until the test gave up on it).
TEST_F(GitCalls, TheRepositoryIsReadWhileTheManifestIs) {
  const std::string manifest = shim.root() + "/manifest.yml";
  ASSERT_EQ(mkfifo(manifest.c_str(), 0600), 0);
  std::remove((shim.root() + "/calls.log").c_str());
  auto hashed = std::async(std::launch::async, [&] {
    return RunHoist(repo.root(), {"--manifest", manifest, "hash"},
                    {"PATH=" + shim.root() + ":" + std::string(std::getenv("PATH"))});
  });
  auto asked = [&] {
    std::ifstream log(shim.root() + "/calls.log");
    for (std::string line; std::getline(log, line);) {
      if (line.starts_with("rev-parse")) return true;
    }
    return false;
  };
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (!asked() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  const bool asked_first = asked();
  // The manifest, now (or after the deadline, so that hoist ends either way).
  int fd = -1;
  while ((fd = open(manifest.c_str(), O_WRONLY | O_NONBLOCK)) < 0 &&
         std::chrono::steady_clock::now() < deadline + std::chrono::seconds(10)) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));  // ENXIO: not opened yet
  }
  ASSERT_GE(fd, 0) << "hoist never opened the manifest";
  const std::string text =
      "base:\n  buildDir: base\napp:\n  buildDir: app\n  "
      "dependencies: [base]\n";
  ASSERT_EQ(write(fd, text.data(), text.size()), static_cast<ssize_t>(text.size()));
  close(fd);
  auto run = hashed.get();
  EXPECT_TRUE(asked_first) << "git was not asked before the manifest was read";
  ASSERT_EQ(run.exit_code, 0) << run.err;
  // The same hashes as from the committed manifest.
  EXPECT_EQ(run.out, RunHoist(repo.root(), {"hash"}).out);
}

}  // namespace
}  // namespace hoist
