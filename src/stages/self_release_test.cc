// What hoist self publish accepts as a release tarball: only hoist-VERSION-linux-MACHINE/ with
// a regular bin/hoist, nothing outside it, a version that can be an image tag.
#include "stages/self_release.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>

#include "util/subprocess.h"

namespace hoist {
namespace {

namespace fs = std::filesystem;

class ReleaseTarballs : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "hoist-release-XXXXXX").string();
    dir = mkdtemp(pattern.data());
  }
  void TearDown() override { fs::remove_all(dir); }
  /// Runs `script` (sh) in the scratch directory and returns the path of out.tar.gz.
  std::string Make(const std::string& script) {
    ProcessSpec spec;
    spec.argv = {"sh", "-ec", script};
    spec.cwd = dir;
    auto result = RunProcess(spec);
    EXPECT_TRUE(result.ok() && result->exit_code == 0) << script;
    return dir + "/out.tar.gz";
  }
  /// A release tarball of the usual layout under top folder `top`: TOP/bin/hoist.
  std::string Release(const std::string& top) {
    return Make("rm -rf h && mkdir -p h/" + top + "/bin && echo x > h/" + top +
                "/bin/hoist && tar -C h -czf out.tar.gz " + top);
  }
  std::string ErrorOf(const std::string& path) {
    auto release = ReadReleaseTarball(path);
    return release.ok() ? "" : release.error().message;
  }
  std::string dir;
};

TEST_F(ReleaseTarballs, AReleaseIsRead) {
  auto release = ReadReleaseTarball(Release("hoist-1.2.3-linux-x86_64"));
  ASSERT_TRUE(release.ok()) << release.error().message;
  EXPECT_EQ(release->version, "1.2.3");
  EXPECT_EQ(release->arch, "amd64");
  EXPECT_EQ(release->content.tar_digest.rfind("sha256:", 0), 0u);
}

TEST_F(ReleaseTarballs, WhatCouldLandOutsideItsFolderOrIsNoReleaseIsRefused) {
  // An entry climbing out of the top folder (docker cp would unpack it elsewhere).
  EXPECT_NE(ErrorOf(Make("mkdir -p t/hoist-1.0-linux-x86_64/bin && echo x > "
                         "t/hoist-1.0-linux-x86_64/bin/hoist && echo y > evil && cd t && tar -czf "
                         "../out.tar.gz hoist-1.0-linux-x86_64 hoist-1.0-linux-x86_64/../../evil"))
                .find("outside"),
            std::string::npos);
  // bin/hoist a symbolic link to a shell.
  EXPECT_NE(ErrorOf(Make("rm -rf h && mkdir -p h/hoist-1.0-linux-x86_64/bin && ln -s /bin/sh "
                         "h/hoist-1.0-linux-x86_64/bin/hoist && tar -C h -czf out.tar.gz "
                         "hoist-1.0-linux-x86_64"))
                .find("has a link"),
            std::string::npos);
  // No bin/hoist at all.
  EXPECT_NE(ErrorOf(Make("rm -rf h && mkdir -p h/hoist-1.0-linux-x86_64/lib && echo x > "
                         "h/hoist-1.0-linux-x86_64/lib/x && tar -C h -czf out.tar.gz "
                         "hoist-1.0-linux-x86_64"))
                .find("no regular file"),
            std::string::npos);
  // bin/ a symbolic link elsewhere, with a regular bin/hoist written through it.
  EXPECT_NE(ErrorOf(Make("rm -rf h && mkdir -p h/hoist-1.0-linux-x86_64 h/elsewhere && ln -s "
                         "../elsewhere h/hoist-1.0-linux-x86_64/bin && echo x > h/elsewhere/hoist "
                         "&& tar -C h -czf out.tar.gz hoist-1.0-linux-x86_64 "
                         "--transform 's|^elsewhere|hoist-1.0-linux-x86_64/bin|' elsewhere/hoist"))
                .find("has a link"),
            std::string::npos);
  // A version that cannot be a tag, a machine hoist is not built for.
  EXPECT_NE(ErrorOf(Release("hoist--rc1-linux-x86_64")).find("cannot be an image tag"),
            std::string::npos);
  EXPECT_NE(ErrorOf(Release("hoist-1.0-linux-armv7l")).find("not x86_64 or aarch64"),
            std::string::npos);
  // Not gzip, not a tar, truncated.
  EXPECT_NE(ErrorOf(Make("echo hello > out.tar.gz")).find("not gzip"), std::string::npos);
  EXPECT_NE(ErrorOf(Make("echo hello | gzip > out.tar.gz")), "");
  EXPECT_NE(ErrorOf(Make("rm -rf h && mkdir -p h/hoist-1.0-linux-x86_64/bin && head -c 100000 "
                         "/dev/urandom > h/hoist-1.0-linux-x86_64/bin/hoist && tar -C h -czf "
                         "full.tar.gz hoist-1.0-linux-x86_64 && head -c 20000 full.tar.gz > "
                         "out.tar.gz")),
            "");
  EXPECT_NE(ErrorOf(dir + "/absent.tar.gz").find("cannot read"), std::string::npos);
}

}  // namespace
}  // namespace hoist
