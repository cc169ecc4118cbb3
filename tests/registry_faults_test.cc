// Faults between hoist and a real registry, injected by the fault proxy fixture: the client
// recovers where it should, fails loudly where it should, never reports a missing image as
// present (nor a failure as absent) and never writes a marker for failed work.
#include <gtest/gtest.h>

#include <chrono>

#include "store/registry_store.h"
#include "support/registry_fixture.h"
#include "support/temp_repo.h"

namespace hoist {
namespace {

using testing::FaultProxy;
using testing::PushTestImage;
using testing::RegistryFixture;

class RegistryFaults : public ::testing::Test {
 protected:
  void SetUp() override {
    HttpClient direct_http;
    auto direct = registry.Client(direct_http);
    image = PushTestImage(*direct, "app", "cache-1", "app");
  }
  std::unique_ptr<DistributionClient> Client(int attempts = 4) {
    RegistryOptions options;
    options.retry.max_attempts = attempts;
    options.retry.base_delay = std::chrono::milliseconds(20);
    options.retry.max_delay = std::chrono::milliseconds(100);
    options.retry.max_total = std::chrono::milliseconds(20'000);
    return registry.Client(http, proxy.host(), options);
  }
  RegistryFixture registry;
  FaultProxy proxy{registry.host()};
  HttpClient http{[] {
    HttpOptions options;
    options.stall_timeout_s = 1;
    return options;
  }()};
  std::string image;
};

TEST_F(RegistryFaults, RecoversFromA503Burst) {
  auto client = Client();
  ASSERT_TRUE(client->Ping().ok());
  proxy.Configure(R"({"status": 503, "count": 2, "match": "/manifests/"})");
  auto present = client->HeadManifest("app", "cache-1");
  ASSERT_TRUE(present.ok()) << present.error().message;
  EXPECT_EQ(present->value_or(""), image);
  EXPECT_EQ(proxy.Stats().second, 2);
}

TEST_F(RegistryFaults, HonoursRetryAfterOn429) {
  auto client = Client();
  ASSERT_TRUE(client->Ping().ok());
  proxy.Configure(R"({"status": 429, "count": 1, "retry_after": 1, "match": "/manifests/"})");
  auto start = std::chrono::steady_clock::now();
  auto present = client->HeadManifest("app", "cache-1");
  auto waited = std::chrono::steady_clock::now() - start;
  ASSERT_TRUE(present.ok()) << present.error().message;
  EXPECT_TRUE(present->has_value());
  EXPECT_GE(waited, std::chrono::milliseconds(950));
}

// Retry-After past hoist's bound on waiting (60 s by default, 20 s here) is not waited for,
// on the ping (which slept for it: an hour for 3600) nor on any request (where a huge value
// overflowed into a negative wait that passed the bound).
TEST_F(RegistryFaults, ARetryAfterPastTheBoundFailsAtOnceNamingIt) {
  auto client = Client();
  proxy.Configure(R"({"status": 503, "count": 50, "retry_after": 3600, "match": "/v2/"})");
  auto start = std::chrono::steady_clock::now();
  auto pinged = client->Ping();
  ASSERT_FALSE(pinged.ok());
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
  EXPECT_NE(pinged.error().message.find("retry after 3600 s"), std::string::npos)
      << pinged.error().message;

  auto fresh = Client();
  proxy.Configure("{}");
  ASSERT_TRUE(fresh->Ping().ok());
  proxy.Configure(R"({"status": 429, "count": 50, "retry_after": "99999999999999999999",
                      "match": "/manifests/"})");
  start = std::chrono::steady_clock::now();
  auto present = fresh->HeadManifest("app", "cache-1");
  EXPECT_FALSE(present.ok());
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
}

TEST_F(RegistryFaults, RecoversFromConnectionResets) {
  auto client = Client();
  ASSERT_TRUE(client->Ping().ok());
  proxy.Configure(R"({"reset": 2, "match": "/manifests/"})");
  auto manifest = client->GetManifest("app", "cache-1");
  ASSERT_TRUE(manifest.ok()) << manifest.error().message;
  EXPECT_EQ(manifest->digest, image);
}

TEST_F(RegistryFaults, RecoversFromAStalledResponse) {
  auto client = Client();
  ASSERT_TRUE(client->Ping().ok());
  proxy.Configure(R"({"stall": 5, "count": 1, "match": "/manifests/"})");
  auto present = client->HeadManifest("app", "cache-1");
  ASSERT_TRUE(present.ok()) << present.error().message;
  EXPECT_TRUE(present->has_value());
}

TEST_F(RegistryFaults, PersistentFailureIsAnErrorNeverAbsent) {
  auto client = Client(3);
  ASSERT_TRUE(client->Ping().ok());
  proxy.Configure(R"({"status": 503, "count": 1000, "match": "/manifests/"})");
  for (const char* tag : {"cache-1", "cache-missing"}) {
    auto present = client->HeadManifest("app", tag);
    ASSERT_FALSE(present.ok()) << tag << " was reported as "
                               << (present.ok() && *present ? "present" : "absent");
    const std::string& message = present.error().message;
    EXPECT_NE(message.find("registry " + proxy.host()), std::string::npos) << message;
    EXPECT_NE(message.find("repository app"), std::string::npos) << message;
    EXPECT_NE(message.find(std::string("reference ") + tag), std::string::npos) << message;
    EXPECT_NE(message.find("HTTP 503"), std::string::npos) << message;
  }
  EXPECT_EQ(proxy.Stats().second, 6);  // 3 attempts each, then it gave up
}

TEST_F(RegistryFaults, ClientErrorsAreNotRetried) {
  auto client = Client();
  ASSERT_TRUE(client->Ping().ok());
  proxy.Configure(R"({"status": 400, "count": 1000, "match": "/manifests/"})");
  auto present = client->HeadManifest("app", "cache-1");
  ASSERT_FALSE(present.ok());
  EXPECT_NE(present.error().message.find("HTTP 400 INJECTED"), std::string::npos)
      << present.error().message;
  EXPECT_EQ(proxy.Stats().second, 2);  // the HEAD, one GET for the error code; no retry
}

TEST_F(RegistryFaults, AFailedMarkerWriteLeavesNoMarker) {
  auto location = RegistryLocation::Parse(proxy.host());
  ASSERT_TRUE(location.ok());
  RegistryStore store(*location, Client(2));
  proxy.Configure(R"({"status": 500, "count": 1000, "match": "/manifests/cache-1-unit"})");
  Marker marker;
  marker.kind = "test";
  marker.job = "unit";
  auto put = store.PutMarker("app", "cache-1-unit", marker);
  EXPECT_FALSE(put.ok());
  proxy.Configure("{}");
  auto exists = store.Exists("app", "cache-1-unit");
  ASSERT_TRUE(exists.ok());
  EXPECT_EQ(*exists, Presence::kAbsent);
}

TEST_F(RegistryFaults, ImageExistsExitsTwoWhenItCannotTell) {
  testing::TempRepo repo;
  repo.Write("build_manifest.yml", "app:\n  buildDir: app\n");
  auto present = testing::RunHoist(
      repo.root(), {"--registry", registry.host(), "image", "exists", "app", "cache-1"});
  EXPECT_EQ(present.exit_code, 0) << present.err;
  auto absent = testing::RunHoist(
      repo.root(), {"--registry", registry.host(), "image", "exists", "app", "cache-2"});
  EXPECT_EQ(absent.exit_code, 1) << absent.err;
  proxy.Configure(R"({"status": 400, "count": 1000, "match": "/manifests/"})");
  auto unknown = testing::RunHoist(
      repo.root(), {"--registry", proxy.host(), "image", "exists", "app", "cache-1"});
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_NE(unknown.err.find("HTTP 400 INJECTED"), std::string::npos) << unknown.err;
  auto unreachable = testing::RunHoist(
      repo.root(), {"--registry", "127.0.0.1:" + std::to_string(testing::FreePort()), "image",
                    "exists", "app", "cache-1"});
  EXPECT_EQ(unreachable.exit_code, 2);
  EXPECT_NE(unreachable.err.find("cannot be reached"), std::string::npos) << unreachable.err;
}

// Amazon ECR caps the tags of one image at 1000 and answers a tag past it with 403 DENIED (its
// words below, as users reported them): a stand-in for ECR's answer through the proxy in front
// of a real registry. The error says what the cap is and how to get under it, not "the
// credentials lack permission", and the tag is not retried (no retry can pass a cap).
TEST_F(RegistryFaults, AnImagesTagCapIsSaidAsSuchNotAsMissingPermission) {
  testing::TempRepo repo;
  repo.Write("build_manifest.yml", "app:\n  buildDir: app\n");
  proxy.Configure(
      R"({"status": 403, "count": 1000, "method": "PUT", "match": "/manifests/", "error": )"
      R"({"code": "DENIED", "message": "Adding tag 'v2' to an image in the repository with )"
      R"(name 'app' in registry with id '123456789012' exceeds the maximum allowed number of )"
      R"(tags per image which is '1000'"}})");
  auto tagged = testing::RunHoist(
      repo.root(), {"--registry", proxy.host(), "image", "tag", "app", "cache-1", "v2"});
  EXPECT_EQ(tagged.exit_code, 1) << tagged.err;
  EXPECT_NE(tagged.err.find("exceeds the maximum allowed number of tags"), std::string::npos)
      << tagged.err;
  EXPECT_NE(tagged.err.find("caps how many tags one image may carry"), std::string::npos)
      << tagged.err;
  EXPECT_NE(tagged.err.find("hoist image untag"), std::string::npos) << tagged.err;
  EXPECT_EQ(tagged.err.find("lack permission"), std::string::npos) << tagged.err;
  EXPECT_EQ(proxy.Stats().second, 1);  // one PUT refused, not retried
  proxy.Configure("{}");
  HttpClient direct_http;
  auto direct = registry.Client(direct_http);
  auto absent = direct->HeadManifest("app", "v2");
  ASSERT_TRUE(absent.ok());
  EXPECT_FALSE(absent->has_value());
}

}  // namespace
}  // namespace hoist
