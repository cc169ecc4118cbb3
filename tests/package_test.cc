// The release files scripts/package.sh makes: the Debian package, and the self-contained
// tarball run in a minimal Debian (debootstrap minbase, from Debian's archive) that has none of
// hoist's libraries installed.
#include <gtest/gtest.h>

#include <filesystem>

#include "support/docker_engine.h"
#include "support/temp_repo.h"

namespace hoist {
namespace {

namespace fs = std::filesystem;
using testing::RunOk;

class Package : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { dist_ = new std::string(testing::ReleaseFiles()); }
  static void TearDownTestSuite() { delete dist_; }
  /// The one file in the output whose name ends with `suffix`.
  static std::string Find(const std::string& suffix) {
    for (const auto& entry : fs::directory_iterator(*dist_)) {
      if (entry.path().string().ends_with(suffix)) return entry.path().string();
    }
    ADD_FAILURE() << "no *" << suffix << " in " << *dist_;
    return "";
  }
  static std::string* dist_;
};
std::string* Package::dist_ = nullptr;

TEST_F(Package, TheDebianPackageNamesItsLibrariesAndInstallsCompletionsAndTheManPage) {
  const std::string deb = Find("_amd64.deb");
  const std::string depends = RunOk("/", {"dpkg-deb", "--field", deb, "Depends"});
  for (const char* package : {"libcurl4", "libyaml-cpp0.7", "libre2-9", "libc6", "git"}) {
    EXPECT_NE(depends.find(package), std::string::npos) << depends;
  }
  const std::string contents = RunOk("/", {"dpkg-deb", "--contents", deb});
  for (const char* file :
       {"./usr/bin/hoist", "./usr/share/bash-completion/completions/hoist",
        "./usr/share/zsh/vendor-completions/_hoist",
        "./usr/share/fish/vendor_completions.d/hoist.fish", "./usr/share/man/man1/hoist.1.gz"}) {
    EXPECT_NE(contents.find(std::string(file) + "\n"), std::string::npos) << file << contents;
  }
  const std::string root = testing::MakeTempDir("hoist-deb");
  RunOk("/", {"dpkg-deb", "--extract", deb, root});
  const std::string version = RunOk("/", {root + "/usr/bin/hoist", "--version"});
  EXPECT_EQ(version.rfind("hoist 0.", 0), 0u) << version;
  EXPECT_NE(version.find("(commit "), std::string::npos) << version;
  // Stripped: no debug sections.
  EXPECT_EQ(RunOk("/", {"sh", "-c",
                        "readelf -S " + root + "/usr/bin/hoist | grep -c debug_info || true"}),
            "0\n");
  fs::remove_all(root);
}

TEST_F(Package, TheTarballCarriesEveryLibraryButGlibcs) {
  const std::string tarball = Find("-linux-x86_64.tar.gz");
  const std::string listing = RunOk("/", {"tar", "-tzf", tarball});
  const std::string top = listing.substr(0, listing.find('/'));
  for (const std::string file :
       {"/bin/hoist", "/lib/hoist/libcurl.so.4", "/lib/hoist/libyaml-cpp.so.0.7",
        "/lib/hoist/libre2.so.9", "/lib/hoist/libstdc++.so.6", "/share/man/man1/hoist.1.gz",
        "/share/bash-completion/completions/hoist"}) {
    EXPECT_NE(listing.find(top + file + "\n"), std::string::npos) << file;
  }
  for (const char* glibc : {"/libc.so.6", "/libm.so.6", "ld-linux"}) {
    EXPECT_EQ(listing.find(glibc), std::string::npos) << glibc << " is glibc's: never bundled";
  }
  const std::string sums = testing::ReadText(*dist_ + "/SHA256SUMS");
  EXPECT_NE(sums.find(fs::path(tarball).filename().string()), std::string::npos) << sums;
  RunOk(*dist_, {"sha256sum", "--check", "--quiet", "SHA256SUMS"});
}

TEST_F(Package, TheTarballRunsOnAMinimalDebianWithoutHoistsLibraries) {
  ASSERT_EQ(testing::EnsureDockerEngine(), "") << "the tarball is tried in a container";
  std::string image = RunOk(HOIST_SOURCE_DIR, {"bash", "tests/fixtures/debian-minbase.sh"});
  image = image.substr(0, image.find('\n'));
  const std::string tarball = Find("-linux-x86_64.tar.gz");
  testing::TempRepo repo;
  repo.Write("build_manifest.yml", "app:\n  buildDir: app\n");
  repo.Write("app/Dockerfile", "FROM scratch\nCOPY a /a\n");
  repo.Write("app/a", "a\n");
  repo.Commit("initial");
  const std::string expected = RunOk(repo.root(), {HOIST_BINARY, "hash"});
  const std::string script =
      // None of what hoist links is on this system: it can only come from the tarball.
      "set -e; for lib in libcurl.so.4 libyaml-cpp.so.0.7 libre2.so.9 libarchive.so.13; do "
      "  if ls /usr/lib/*/$lib /lib/*/$lib 2>/dev/null; then echo \"$lib is installed\"; exit 9; "
      "fi; done; "
      "tar -xzf /tmp/hoist.tar.gz -C /usr/local --strip-components=1; "
      "hoist --version >&2; cd /repo && hoist hash; "
      // libcurl, loaded when first used, is the bundled one (named, so that the GnuTLS build
      // this system has for apt is not taken instead): the registry's answer (nothing listens
      // there) is about the connection, not about a missing library.
      "if HOIST_LIBCURL=libcurl.so.4 hoist --registry 127.0.0.1:9/ci image exists app cache-x "
      "2>/tmp/err; then exit 7; fi; "
      "if grep 'libcurl' /tmp/err >&2; then exit 8; fi; grep -q '127.0.0.1:9' /tmp/err";
  const std::string out = RunOk(
      "/", {"docker", "run", "--rm", "--network=none", "-v", tarball + ":/tmp/hoist.tar.gz:ro",
            "-v", repo.root() + ":/repo:ro",
            // The repository belongs to the test's user, not necessarily the container's root.
            "-e", "GIT_CONFIG_COUNT=1", "-e", "GIT_CONFIG_KEY_0=safe.directory", "-e",
            "GIT_CONFIG_VALUE_0=*", image, "sh", "-c", script});
  EXPECT_EQ(out, expected);
}

}  // namespace
}  // namespace hoist
