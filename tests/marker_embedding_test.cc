// A marker's content embedded in its manifest (the OCI descriptor's `data`), so that reading
// a marker is one request (issue 16): written by this hoist, read in one GET; an older hoist's
// marker (no `data`) and a manifest whose `data` is not what its digest names are read from
// the blob, as before.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "store/marker.h"
#include "store/registry_store.h"
#include "support/registry_fixture.h"
#include "util/base64.h"
#include "util/digest.h"

namespace hoist {
namespace {

using testing::FaultProxy;
using testing::RegistryFixture;

Marker Pass(const std::string& job) {
  Marker marker;
  marker.kind = "test";
  marker.project = "app";
  marker.hash = "abc";
  marker.job = job;
  marker.digest = "sha256:" + std::string(64, '1');
  marker.tier = "trusted";
  return marker;
}

/// The manifest a marker of `content` is stored under, with `data` set when not empty.
std::string MarkerManifestOf(const std::string& content, const std::string& data,
                             size_t size_shown) {
  nlohmann::json layer = {
      {"mediaType", kMarkerArtifactType}, {"digest", Sha256Digest(content)}, {"size", size_shown}};
  if (!data.empty()) layer["data"] = data;
  return nlohmann::json{{"schemaVersion", 2},
                        {"mediaType", kOciManifest},
                        {"artifactType", kMarkerArtifactType},
                        {"config",
                         {{"mediaType", "application/vnd.oci.empty.v1+json"},
                          {"digest", Sha256Digest("{}")},
                          {"size", 2}}},
                        {"layers", {layer}}}
      .dump();
}

class MarkerEmbedding : public ::testing::Test {
 protected:
  void SetUp() override {
    auto location = RegistryLocation::Parse(proxy.host() + "/team");
    ASSERT_TRUE(location.ok());
    store = std::make_unique<RegistryStore>(*location, registry.Client(http, proxy.host()));
    client = registry.Client(http);
  }
  /// Stores `content` as the blob of a marker manifest at team/app:TAG, as another writer
  /// (an older hoist, or anyone with push rights) would.
  void WriteByHand(const std::string& tag, const std::string& content, const std::string& data) {
    ASSERT_TRUE(client->PutBlob("team/app", Sha256Digest("{}"), "{}").ok());
    ASSERT_TRUE(client->PutBlob("team/app", Sha256Digest(content), content).ok());
    auto put = client->PutManifest("team/app", tag, kOciManifest,
                                   MarkerManifestOf(content, data, content.size()));
    ASSERT_TRUE(put.ok()) << put.error().message;
  }
  int Requests() { return proxy.Stats().first; }

  RegistryFixture registry;
  FaultProxy proxy{registry.host()};
  HttpClient http;
  std::unique_ptr<RegistryStore> store;
  std::unique_ptr<DistributionClient> client;
};

TEST_F(MarkerEmbedding, AMarkerThisHoistWroteIsReadInOneRequest) {
  ASSERT_TRUE(store->PutMarker("app", "cache-abc-unit", Pass("unit")).ok());
  // The registry keeps the embedded content as written.
  auto manifest = client->GetManifest("team/app", "cache-abc-unit");
  ASSERT_TRUE(manifest.ok()) << manifest.error().message;
  MarkerManifestView view = ReadMarkerManifest(manifest->bytes);
  ASSERT_FALSE(view.embedded_content.empty()) << manifest->bytes;
  // ...and the blob beside it, for readers that do not look there.
  auto blob = client->GetBlob("team/app", view.content_digest);
  ASSERT_TRUE(blob.ok());
  EXPECT_EQ(*blob, view.embedded_content);

  ASSERT_TRUE(store->GetMarker("app", "cache-abc-unit").ok());  // the version check goes first
  const int before = Requests();
  auto read = store->GetMarker("app", "cache-abc-unit");
  ASSERT_TRUE(read.ok()) << read.error().message;
  ASSERT_TRUE(read->has_value());
  EXPECT_EQ((*read)->job, "unit");
  EXPECT_EQ((*read)->digest, Pass("unit").digest);
  EXPECT_EQ(Requests() - before, 1);
}

TEST_F(MarkerEmbedding, ALargeBuildRecordStaysInItsBlobAndIsStillRead) {
  Marker built = Pass("");
  built.kind = "built";
  nlohmann::json files = nlohmann::json::object();
  for (int i = 0; i < 2000; ++i)
    files["src/file" + std::to_string(i) + ".ts"] = std::string(40, 'a');
  built.inputs = nlohmann::json{{"files", files}}.dump();
  ASSERT_GT(MarkerToJson(built).size(), kMostEmbeddedMarker);
  ASSERT_TRUE(store->PutMarker("app", "built-abc", built).ok());
  auto manifest = client->GetManifest("team/app", "built-abc");
  ASSERT_TRUE(manifest.ok());
  EXPECT_EQ(manifest->bytes.find("\"data\""), std::string::npos);
  auto read = store->GetMarker("app", "built-abc");
  ASSERT_TRUE(read.ok()) << read.error().message;
  ASSERT_TRUE(read->has_value());
  EXPECT_EQ((*read)->inputs, built.inputs);
}

TEST_F(MarkerEmbedding, AnOlderHoistsMarkerIsReadFromItsBlob) {
  Marker old = Pass("lint");
  old.tag = "cache-abc-lint";
  WriteByHand("cache-abc-lint", MarkerToJson(old), "");
  ASSERT_TRUE(store->GetMarker("app", "cache-abc-lint").ok());  // the version check goes first
  const int before = Requests();
  auto read = store->GetMarker("app", "cache-abc-lint");
  ASSERT_TRUE(read.ok()) << read.error().message;
  ASSERT_TRUE(read->has_value());
  EXPECT_EQ((*read)->job, "lint");
  EXPECT_EQ(Requests() - before, 2);  // its manifest, then its content
}

TEST_F(MarkerEmbedding, EmbeddedDataThatIsNotWhatTheDigestNamesIsNeverBelieved) {
  // Someone with push rights writes a manifest whose `data` claims another image's pass; the
  // digest (and the blob the registry verified) names the true content.
  Marker truth = Pass("unit");
  truth.digest = "sha256:" + std::string(64, '2');
  Marker forged = Pass("unit");
  forged.digest = "sha256:" + std::string(64, '3');
  WriteByHand("cache-abc-unit", MarkerToJson(truth), Base64Encode(MarkerToJson(forged)));
  auto read = store->GetMarker("app", "cache-abc-unit");
  ASSERT_TRUE(read.ok()) << read.error().message;
  ASSERT_TRUE(read->has_value());
  EXPECT_EQ((*read)->digest, truth.digest);
}

TEST(MarkerManifestView, OnlyDataMatchingItsDigestAndSizeIsEmbeddedContent) {
  const std::string content = R"({"kind":"test"})";
  const std::string data = Base64Encode(content);
  EXPECT_EQ(ReadMarkerManifest(MarkerManifestOf(content, data, content.size())).embedded_content,
            content);
  // A wrong size, bytes that are not base64, another content's bytes, or none.
  for (const auto& manifest :
       {MarkerManifestOf(content, data, content.size() + 1),
        MarkerManifestOf(content, "not base64 at all!", content.size()),
        MarkerManifestOf(content, Base64Encode(R"({"kind":"deployed"})"), content.size()),
        MarkerManifestOf(content, "", content.size())}) {
    MarkerManifestView view = ReadMarkerManifest(manifest);
    EXPECT_TRUE(view.is_marker);
    EXPECT_EQ(view.content_digest, Sha256Digest(content));
    EXPECT_EQ(view.embedded_content, "") << manifest;
  }
  // `data` of the wrong JSON type, and no manifest at all.
  auto wrong_type = nlohmann::json::parse(MarkerManifestOf(content, data, content.size()));
  wrong_type["layers"][0]["data"] = 42;
  EXPECT_EQ(ReadMarkerManifest(wrong_type.dump()).embedded_content, "");
  EXPECT_EQ(ReadMarkerManifest("{").embedded_content, "");
}

}  // namespace
}  // namespace hoist
