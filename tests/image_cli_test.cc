// `hoist image`, `hoist taint` and `hoist status` against a real registry.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "support/registry_fixture.h"
#include "support/temp_repo.h"

namespace hoist {
namespace {

using testing::Lines;
using testing::RegistryFixture;
using testing::RunHoist;
using testing::TempRepo;

class ImageCli : public ::testing::Test {
 protected:
  void SetUp() override {
    repo.Write("build_manifest.yml",
               "base:\n  buildDir: base\napp:\n  buildDir: app\n  dependencies: [base]\n");
    repo.Write("base/Dockerfile", "FROM scratch\n");
    repo.Write("app/Dockerfile", "FROM base\n");
    repo.Commit();
    auto hashes = Lines(RunHoist(repo.root(), {"hash"}).out);
    for (const auto& line : hashes)
      hash[line.substr(0, line.find('\t'))] = line.substr(line.find('\t') + 1);
    HttpClient http;
    auto client = registry.Client(http);
    testing::PushTestImage(*client, "ci/app", "cache-" + hash["app"], "app");
  }
  testing::HoistRun Hoist(std::vector<std::string> args) {
    args.insert(args.begin(), {"--registry", registry.host() + "/ci"});
    return RunHoist(repo.root(), args);
  }
  TempRepo repo;
  RegistryFixture registry;
  std::map<std::string, std::string> hash;
};

TEST_F(ImageCli, StatusShowsImagesAndMarkers) {
  auto tainted = Hoist({"taint", "base"});
  ASSERT_EQ(tainted.exit_code, 0);
  EXPECT_NE(tainted.err.find("base is tainted"), std::string::npos) << tainted.err;  // was silent
  auto status = Hoist({"status"});
  ASSERT_EQ(status.exit_code, 0) << status.err;
  auto lines = Lines(status.out);
  ASSERT_EQ(lines.size(), 3u) << status.out;
  EXPECT_NE(lines[1].find("base"), std::string::npos);
  EXPECT_NE(lines[1].find(" no "), std::string::npos) << lines[1];
  EXPECT_NE(lines[1].find("tainted"), std::string::npos) << lines[1];
  EXPECT_NE(lines[2].find(" yes "), std::string::npos) << lines[2];

  auto json = nlohmann::json::parse(Hoist({"--json", "status", "app"}).out);
  EXPECT_EQ(json["projects"][0]["image"], true);
  EXPECT_EQ(json["projects"][0]["hash"], hash["app"]);

  ASSERT_EQ(Hoist({"taint", "--clear", "base"}).exit_code, 0);
  EXPECT_EQ(Hoist({"image", "exists", "base", "tainted"}).exit_code, 1);
}

TEST_F(ImageCli, TagUntagAndCopy) {
  std::string cache = "cache-" + hash["app"];
  ASSERT_EQ(Hoist({"image", "tag", "app", cache, "latest"}).exit_code, 0);
  EXPECT_EQ(Hoist({"image", "exists", "app", "latest"}).exit_code, 0);
  ASSERT_EQ(Hoist({"image", "untag", "app", "latest"}).exit_code, 0);
  EXPECT_EQ(Hoist({"image", "exists", "app", "latest"}).exit_code, 1);
  EXPECT_EQ(Hoist({"image", "exists", "app", cache}).exit_code, 0);

  RegistryFixture deploy;
  auto copy = Hoist({"image", "copy", "app:" + cache, deploy.host() + "/prod/app:v1"});
  ASSERT_EQ(copy.exit_code, 0) << copy.err;
  auto there = RunHoist(repo.root(),
                        {"--registry", deploy.host() + "/prod", "image", "exists", "app", "v1"});
  EXPECT_EQ(there.exit_code, 0) << there.err;

  auto missing = Hoist({"image", "tag", "app", "cache-nope", "x"});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.err.find("reference cache-nope"), std::string::npos) << missing.err;
  EXPECT_NE(missing.err.find("MANIFEST_UNKNOWN"), std::string::npos) << missing.err;
}

// `hoist image exists apii latest` was a silent "absent" (exit 1) for a typo of app.
TEST_F(ImageCli, ATypoOfAProjectIsNamedNotAbsent) {
  auto typo = Hoist({"image", "exists", "apq", "cache-" + hash["app"]});
  EXPECT_EQ(typo.exit_code, 2);
  EXPECT_NE(typo.err.find("did you mean 'app'?"), std::string::npos) << typo.err;
  EXPECT_EQ(Hoist({"image", "untag", "bsae", "latest"}).exit_code, 2);
  // A repository the manifest does not build, far from every project's name, is asked.
  EXPECT_EQ(Hoist({"image", "exists", "tools/other-repository", "latest"}).exit_code, 1);
}

TEST_F(ImageCli, BadRegistryArguments) {
  auto bad = RunHoist(repo.root(), {"--registry", "127.0.0.1:5000/Bad Prefix", "status"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("expected HOST[:PORT][/PREFIX]"), std::string::npos) << bad.err;
  auto no_registry = RunHoist(repo.root(), {"image", "copy", "app:x", "app:y"});
  EXPECT_EQ(no_registry.exit_code, 2);
  EXPECT_NE(no_registry.err.find("no cache registry is configured"), std::string::npos)
      << no_registry.err;
}

}  // namespace
}  // namespace hoist
