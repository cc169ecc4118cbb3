#pragma once

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "util/subprocess.h"

namespace hoist::testing {

/// A git repository in a fresh temporary directory, removed at the end of the test.
class TempRepo {
 public:
  TempRepo();
  ~TempRepo();
  TempRepo(const TempRepo&) = delete;
  TempRepo& operator=(const TempRepo&) = delete;

  const std::string& root() const { return root_; }
  /// Writes `content` to the repository-relative `path`, creating directories.
  void Write(const std::string& path, const std::string& content) const;
  void Remove(const std::string& path) const;
  /// Runs git in the repository; fails the test unless it exits 0; returns stdout.
  std::string Git(const std::vector<std::string>& args) const;
  /// `git add -A && git commit`; returns the new commit id.
  std::string Commit(const std::string& message = "change") const;

 private:
  std::string root_;
};

/// What a run of the hoist binary printed and returned.
struct HoistRun {
  int exit_code = -1;
  std::string out;
  std::string err;
};

/// Runs the built hoist binary with `args` in `cwd`, as outside any CI (whatever CI runs the
/// tests) and with HOIST_NETWORK=none (builds without network), with `env` ("NAME=value")
/// added: a test's CI variables.
HoistRun RunHoist(const std::string& cwd, const std::vector<std::string>& args,
                  const std::vector<std::string>& env = {});

/// Runs a program in `cwd`, failing the test unless it exits 0; returns stdout.
std::string RunOk(const std::string& cwd, const std::vector<std::string>& argv,
                  const std::string& stdin_data = "");

/// The shared fixtures directory (../shared/fixtures beside the source tree), or "" if absent.
std::string FixturesDir();

/// Tests that read ../shared/fixtures (real manifests of public monorepos, the vendors' CI
/// schemas) skip where it is absent: a user's clone has no ../shared, and those files may not
/// be copied into the project. CI and the development checkout have it, so there they run.
#define HOIST_REQUIRE_SHARED_FIXTURES()                                                  \
  if (::hoist::testing::FixturesDir().empty()) {                                         \
    GTEST_SKIP() << "../shared/fixtures is absent (a clone without the shared folder); " \
                    "this test reads the real manifests and CI schemas there";           \
  }

/// The content hash `hoist hash PROJECT` prints for `project` of the repository at `root`.
std::string HashOf(const std::string& root, const std::string& project);
/// project -> result ("built", "cached", …) from the output of `hoist --json build`.
std::map<std::string, std::string> BuildResults(const std::string& json_output);

/// Splits text into lines (without the newlines).
std::vector<std::string> Lines(const std::string& text);

/// The whole content of a file ("" when it cannot be read).
std::string ReadText(const std::string& path);
/// A new empty directory /tmp/NAME-XXXXXX.
std::string MakeTempDir(const std::string& name);

/// The directory holding the release files scripts/package.sh makes from the built hoist
/// (the .deb, the tarball, SHA256SUMS): made once per build of hoist and shared by the tests,
/// each a process of its own, under a lock.
std::string ReleaseFiles();
/// The release tarball in ReleaseFiles().
std::string ReleaseTarball();

}  // namespace hoist::testing
