// libcurl is loaded when hoist first speaks HTTP, not at every start (issue 16: a command's
// start took 30 ms, 12 of them loading libcurl and what it links): the commands that speak no
// HTTP run without it, and those that do say what is missing and how to install it, at once.
#include <gtest/gtest.h>

#include <chrono>

#include "support/temp_repo.h"

namespace hoist {
namespace {

using testing::RunHoist;
using testing::RunOk;
using testing::TempRepo;

TEST(CurlLibrary, TheBinaryDoesNotLinkLibcurl) {
  const std::string needed =
      RunOk("/", {"sh", "-c", std::string("readelf -d ") + HOIST_BINARY + " | grep NEEDED"});
  EXPECT_EQ(needed.find("libcurl"), std::string::npos) << needed;
  EXPECT_NE(needed.find("libc.so"), std::string::npos) << needed;
}

TEST(CurlLibrary, WithoutItTheCommandsThatSpeakNoHttpRunAndTheOthersSayWhatToInstall) {
  TempRepo repo;
  repo.Write("build_manifest.yml", "app:\n  buildDir: app\n");
  repo.Write("app/Dockerfile", "FROM scratch\nCOPY . /\n");
  repo.Commit();
  const std::vector<std::string> missing = {"HOIST_LIBCURL=/nonexistent/libcurl.so.4"};
  const std::string expected = RunOk(repo.root(), {HOIST_BINARY, "hash"});
  auto hash = RunHoist(repo.root(), {"hash"}, missing);
  EXPECT_EQ(hash.exit_code, 0) << hash.err;
  EXPECT_EQ(hash.out, expected);
  EXPECT_EQ(RunHoist(repo.root(), {"affected", "--base", "HEAD"}, missing).exit_code, 0);

  // A registry: refused at once (nothing was sent, so nothing is retried), saying why.
  const auto start = std::chrono::steady_clock::now();
  auto status = RunHoist(repo.root(), {"--registry", "127.0.0.1:9/ci", "status"}, missing);
  const auto took = std::chrono::steady_clock::now() - start;
  EXPECT_NE(status.exit_code, 0);
  EXPECT_NE(status.err.find("cannot load libcurl"), std::string::npos) << status.err;
  EXPECT_NE(status.err.find("unset HOIST_LIBCURL"), std::string::npos) << status.err;
  EXPECT_LT(took, std::chrono::seconds(5)) << "retried what cannot succeed";
  // The Docker engine (spoken to over HTTP too): the same, not "no engine answers".
  auto engine = RunHoist(repo.root(), {"status"},
                         {missing[0], "DOCKER_HOST=unix:///nonexistent/docker.sock"});
  EXPECT_NE(engine.exit_code, 0);
  EXPECT_NE(engine.err.find("cannot load libcurl"), std::string::npos) << engine.err;
  EXPECT_EQ(engine.err.find("no Docker engine answers"), std::string::npos) << engine.err;
}

}  // namespace
}  // namespace hoist
