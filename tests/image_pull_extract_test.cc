// `hoist image pull` and `hoist image extract`: a project's image from the cache store into the
// local engine (by digest from a registry) and a directory copied out of it without running it,
// as the Aztec scripts' extract_repo and build_local need; every bad input a clear error.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>

#include "support/docker_engine.h"
#include "support/registry_fixture.h"
#include "support/temp_repo.h"

namespace hoist {
namespace {

using testing::RunHoist;
using testing::RunOk;

std::string Joined(const std::vector<std::string>& words) {
  std::string text;
  for (const auto& word : words) text += (text.empty() ? "" : " ") + word;
  return text;
}

class ImagePullExtract : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(testing::EnsureDockerEngine(), "");
    RunOk(HOIST_SOURCE_DIR, {"bash", "scripts/make-busybox-image.sh"});
    std::random_device random;
    token = std::to_string(random() % 100000000);
    repo.Write("build_manifest.yml", "app:\n  buildDir: app\n");
    repo.Write("app/Dockerfile", "FROM hoist-example/busybox:1\nCOPY . /usr/src/app/\n");
    repo.Write("app/dest/index.html", "<p>" + token + "</p>\n");
    repo.Write("app/dest/js/main.js", "console.log(1)\n");
    repo.Commit();
    tag = "cache-" + testing::HashOf(repo.root(), "app");
  }
  std::vector<std::string> On(std::vector<std::string> args) {
    if (!registry) return args;
    args.insert(args.begin(), {"--registry", registry->host()});
    return args;
  }
  void Build() {
    auto built = RunHoist(repo.root(), On({"build", "app"}));
    ASSERT_EQ(built.exit_code, 0) << built.err;
  }
  std::unique_ptr<testing::RegistryFixture> registry;
  testing::TempRepo repo;
  std::string token, tag;
};

TEST_F(ImagePullExtract, ExtractCopiesADirectoryOutOfTheRegistryImage) {
  registry = std::make_unique<testing::RegistryFixture>();
  Build();
  const std::string out = testing::MakeTempDir("extract") + "/made/here";
  auto extracted =
      RunHoist(repo.root(), On({"image", "extract", "app", tag, "/usr/src/app/dest", out}));
  ASSERT_EQ(extracted.exit_code, 0) << extracted.err;
  EXPECT_EQ(testing::ReadText(out + "/index.html"), "<p>" + token + "</p>\n");
  EXPECT_EQ(testing::ReadText(out + "/js/main.js"), "console.log(1)\n");
  // Nothing is left running or created.
  EXPECT_EQ(RunOk("/", {"docker", "ps", "-aq", "--filter",
                        "ancestor=" + registry->host() + "/app:" + tag}),
            "");
}

TEST_F(ImagePullExtract, PullPutsTheImageByDigestIntoTheEngineUnderTheNamesAsked) {
  registry = std::make_unique<testing::RegistryFixture>();
  Build();
  const std::string name = "hoist-test/pulled-" + token + ":latest";
  auto pulled = RunHoist(repo.root(), On({"image", "pull", "app", tag, "--tag", name}));
  ASSERT_EQ(pulled.exit_code, 0) << pulled.err;
  EXPECT_NE(pulled.out.find(registry->host() + "/"), std::string::npos) << pulled.out;
  EXPECT_NE(pulled.out.find("@sha256:"), std::string::npos) << pulled.out;
  EXPECT_EQ(RunOk("/", {"docker", "run", "--rm", "--network=none", name, "cat",
                        "/usr/src/app/dest/index.html"}),
            "<p>" + token + "</p>\n");
  RunOk("/", {"docker", "image", "rm", name});
}

TEST_F(ImagePullExtract, TheLocalEngineStoreToo) {
  Build();
  const std::string out = testing::MakeTempDir("extract");
  auto extracted = RunHoist(repo.root(), {"image", "extract", "app", tag, "/usr/src/app", out});
  ASSERT_EQ(extracted.exit_code, 0) << extracted.err;
  EXPECT_TRUE(std::filesystem::exists(out + "/dest/index.html"));
  auto pulled = RunHoist(repo.root(), {"image", "pull", "app", tag});
  ASSERT_EQ(pulled.exit_code, 0) << pulled.err;
  EXPECT_EQ(pulled.out, "hoist/app:" + tag + "\n");
}

TEST_F(ImagePullExtract, BadInputsSayWhatAndHow) {
  Build();
  const std::string dir = testing::MakeTempDir("extract");
  struct Case {
    std::vector<std::string> args;
    int exit_code;
    std::string says;
  };
  const std::string absent = "cache-" + std::string(64, '0');
  std::ofstream(dir + "/a-file") << "x\n";
  const std::vector<Case> cases = {
      {{"image", "extract", "app", tag, "usr/src", dir}, 2, "is not absolute"},
      {{"image", "extract", "app", absent, "/usr/src", dir}, 1, "hoist build app"},
      {{"image", "extract", "app", tag, "/no/such/dir", dir + "/x"}, 1, "cannot copy /no/such/dir"},
      {{"image", "extract", "app", tag, "/usr/src", dir + "/a-file"}, 1, "cannot make directory"},
      {{"image", "extract", "apq", tag, "/usr/src", dir}, 2, "did you mean 'app'"},
      {{"image", "extract", "app", tag, "/usr/src"}, 2, "PROJECT TAG PATH DEST"},
      {{"image", "pull", "app", absent}, 1, "is not in the local Docker engine"},
      {{"image", "pull", "app", tag, "--tag", "Not A Name"}, 1, "cannot tag"},
  };
  for (const auto& c : cases) {
    auto run = RunHoist(repo.root(), c.args);
    EXPECT_EQ(run.exit_code, c.exit_code) << Joined(c.args) << "\n" << run.err;
    EXPECT_NE(run.err.find(c.says), std::string::npos) << Joined(c.args) << "\n" << run.err;
    EXPECT_EQ(run.err.find("terminate called"), std::string::npos) << run.err;
  }
  EXPECT_FALSE(std::filesystem::exists(dir + "/x")) << "nothing is left of a failed copy";
}

}  // namespace
}  // namespace hoist
