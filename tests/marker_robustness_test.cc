// Markers come from a registry anyone with push rights can write: a malformed one is an error
// that names its tag, never a crash (it was exit 134: an uncaught JSON type error).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "store/marker.h"
#include "store/registry_store.h"
#include "support/registry_fixture.h"
#include "util/digest.h"

namespace hoist {
namespace {

class MalformedMarkers : public ::testing::Test {
 protected:
  void SetUp() override {
    auto location = RegistryLocation::Parse(registry.host() + "/t");
    ASSERT_TRUE(location.ok());
    store = std::make_unique<RegistryStore>(*location, registry.Client(http));
    client = registry.Client(http);
  }
  /// Stores a marker-typed manifest with `layers` under t/app:`tag`.
  void PutManifest(const std::string& tag, const nlohmann::json& layers) {
    const std::string config = "{}";
    ASSERT_TRUE(client->PutBlob("t/app", Sha256Digest(config), config).ok());
    nlohmann::json manifest = {{"schemaVersion", 2},
                               {"mediaType", kOciManifest},
                               {"artifactType", kMarkerArtifactType},
                               {"config",
                                {{"mediaType", "application/vnd.oci.empty.v1+json"},
                                 {"digest", Sha256Digest(config)},
                                 {"size", 2}}}};
    if (!layers.is_null()) manifest["layers"] = layers;
    auto put = client->PutManifest("t/app", tag, kOciManifest, manifest.dump());
    ASSERT_TRUE(put.ok()) << put.error().message;
  }
  testing::RegistryFixture registry;
  HttpClient http;
  std::unique_ptr<RegistryStore> store;
  std::unique_ptr<DistributionClient> client;
};

TEST_F(MalformedMarkers, AMarkerWithoutItsLayerIsAnErrorNamingTheTag) {
  PutManifest("no-layers", nlohmann::json::array());
  auto marker = store->GetMarker("app", "no-layers");
  ASSERT_FALSE(marker.ok());
  EXPECT_NE(marker.error().message.find("no-layers"), std::string::npos);
}

TEST_F(MalformedMarkers, FieldsOfTheWrongTypeReadAsEmpty) {
  const std::string content = R"({"kind": 1, "hash": ["x"], "job": {}})";
  ASSERT_TRUE(client->PutBlob("t/app", Sha256Digest(content), content).ok());
  PutManifest("typed", nlohmann::json::array({{{"mediaType", kMarkerArtifactType},
                                               {"digest", Sha256Digest(content)},
                                               {"size", content.size()}}}));
  auto marker = store->GetMarker("app", "typed");
  ASSERT_TRUE(marker.ok()) << marker.error().message;
  ASSERT_TRUE(marker->has_value());
  EXPECT_EQ((*marker)->kind, "");
  EXPECT_EQ((*marker)->hash, "");
  // An artifactType of another type is not a marker, and not a crash either.
  nlohmann::json odd = {
      {"schemaVersion", 2},
      {"mediaType", kOciManifest},
      {"artifactType", 5},
      {"config", {{"mediaType", "x"}, {"digest", Sha256Digest("{}")}, {"size", 2}}},
      {"layers", nlohmann::json::array()}};
  ASSERT_TRUE(client->PutManifest("t/app", "odd", kOciManifest, odd.dump()).ok());
  EXPECT_FALSE(store->GetMarker("app", "odd").ok());
}

}  // namespace
}  // namespace hoist
